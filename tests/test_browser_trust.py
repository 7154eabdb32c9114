"""The trust lead's pages in headless Chromium: the trust home, a granted school's pupils,
and the school settings page where the careers leader grants it; axe finds no violation."""

import pytest
from playwright.sync_api import expect

from access.context import all_tenants_UNSAFE
from access.roles import Role

from .test_browser import axe_violations, sign_in

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_careers_leader_grants_and_the_trust_lead_reads_the_schools_pupils(
    page, live_server, world
):
    from schools.models import School

    with all_tenants_UNSAFE("test: the trust spans both hubs"):
        School.objects.filter(pk=world.b.school.pk).update(trust_id=world.a.school.trust_id)

    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    # The school's less-used pages sit in the navigation's "School" group.
    page.locator("summary", has_text="School").click()
    page.get_by_role("link", name="School settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"School settings: {world.a.school.name}"
    )
    assert axe_violations(page) == []
    grant = f"Let {world.a.school.trust.name} read our named pupils"
    page.get_by_role("button", name=grant).click()
    expect(page.get_by_text("Your trust's careers lead can now read your pupils.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, world.a.users[Role.TRUST_LEAD].email)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{world.a.school.trust.name}: your schools"
    )
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name=world.a.school.name, exact=True)).to_be_visible()
    expect(table.get_by_role("link", name=world.b.school.name, exact=True)).to_be_visible()
    expect(page.get_by_text(world.a.sibling_school.name)).to_have_count(0)
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/trust_home.png", full_page=True)

    page.get_by_role("link", name=f"Pupils of {world.a.school.name}").click()
    page.get_by_label("Year group").select_option("9")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name=f"{world.a.pupil.surname}, Amelia")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name=f"{world.a.pupil.surname}, Amelia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Amelia {world.a.pupil.surname}")
    expect(page.get_by_role("link", name="Record a skill rating")).to_have_count(0)
    assert axe_violations(page) == []

    # The other hub's school shares totals only.
    response = page.goto(f"{live_server.url}/pupils/{world.b.pupil.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/schools/{world.b.school.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(world.b.school.name)
    assert axe_violations(page) == []

"""Pupil voice in headless Chromium (issue 15): a careers leader opens access for a year
group and prints the codes; a pupil signs in with a code on a phone by keyboard alone, sees
their ten days, writes a reflection and rates their skills before and after; the careers
leader sees it, and the school's M7 share moves to the progress rules' figure. axe finds
no violation on any page; full-page screenshots go to var/screenshots/pupils/."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from access.context import all_tenants_UNSAFE
from access.roles import Role

from .employer_world import make_opportunity
from .shots import shot as screenshot
from .test_browser import axe_violations, sign_in

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
PHONE = {"width": 390, "height": 844}


def shot(page, name):
    screenshot(page, "pupils", name)


def tab_to(page, element_id, limit=80):
    for _ in range(limit):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def tab_to_link(page, text, limit=80):
    """Tab until a link or button whose own text has `text` has the focus."""
    for _ in range(limit):
        focused = page.evaluate(
            "['A', 'BUTTON'].includes(document.activeElement.tagName)"
            " ? document.activeElement.textContent : ''"
        )
        if text in focused:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached a link with {text!r}")


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def reflected_share(world):
    """The M7 share of the school's participations this academic year, counted with the
    progress rules' own statement of M7."""
    from learners.academic import academic_year_of
    from learners.models import Participation
    from learners.progress import ProgressRules, meaningful_q, percent

    today = timezone.localdate()
    with all_tenants_UNSAFE("test"):
        window = Participation.objects.filter(
            school_id=world.a.school.pk,
            start_date__gte=date(academic_year_of(today), 9, 1),
            start_date__lte=today,
            hours_attended__gt=0,
        )
        reflected = window.filter(meaningful_q(ProgressRules(meaningful_criteria=("M7",))))
        return reflected.count(), window.count(), percent(reflected.count(), window.count())


def test_a_class_gets_codes_and_a_pupil_reflects_and_rates_their_skills_on_a_phone(
    page, live_server, world
):
    from learners.models import Experience, Participation

    # An experience this academic year, so the school's M7 share has a participation.
    today = timezone.localdate()
    with all_tenants_UNSAFE("test: a visit last week"):
        visit = Experience.objects.create(
            school=world.a.school,
            title="Visit to Leeds Teaching Hospitals",
            kind="workplace_visit",
            setting="workplace",
            tier=2,
            start_date=today - timedelta(days=7),
            end_date=today - timedelta(days=7),
            duration_hours=5,
            meets_m1=True,
            meets_m2=True,
            meets_m3=True,
        )
        visit.employers.add(world.a.employer)
        participation = Participation.objects.create(
            hub_id=world.a.hub.pk,
            school=world.a.school,
            experience=visit,
            learner=world.a.pupil,
            hours_attended=5,
        )
    make_opportunity(
        world.a.employer,
        [world.a.hub],
        title="Nursing taster day",
        kind="insight_day",
        start_date=today + timedelta(days=21),
    )
    before = reflected_share(world)
    assert before[0] == 0

    # The careers leader opens access for Year 9 and prints the codes.
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    page.goto(f"{live_server.url}/pupils/access/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupil access")
    page.get_by_label("Year group").select_option("9")
    page.get_by_role("button", name="Show pupils").click()
    expect(page.get_by_role("cell", name="Open: no code printed yet")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "access-year-9")
    page.get_by_role("button", name="Open access and print codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in codes to print")
    code = page.locator(".code").first.inner_text().strip()
    assert len(code) == 14 and code.count("-") == 2
    assert axe_violations(page) == []
    shot(page, "codes-to-print")
    page.get_by_role("button", name="Sign out").click()

    # The pupil, on a phone, by keyboard alone.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/sign-in/code/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with your code")
    assert axe_violations(page) == []
    fits_the_phone(page)
    shot(page, "sign-in-390")
    tab_to(page, "id_code")
    page.keyboard.type(code.lower().replace("-", " "))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My ten days")
    expect(page.get_by_text("Hello Amelia")).to_be_visible()
    expect(page.get_by_role("heading", name="Visit to Leeds Teaching Hospitals")).to_be_visible()
    # Nobody else is anywhere on the page.
    body = page.content()
    assert world.a.sibling_pupil.surname not in body and world.b.pupil.surname not in body
    assert axe_violations(page) == []
    fits_the_phone(page)
    shot(page, "my-ten-days-390")

    # Skills before, by keyboard: each choice moved with the arrow keys.
    tab_to_link(page, "Rate my skills before")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My skills: before the experience")
    assert axe_violations(page) == []
    fits_the_phone(page)
    skill_ids = page.eval_on_selector_all("select", "els => els.map(e => e.id)")
    assert len(skill_ids) == 8
    for field in skill_ids[:3]:
        tab_to(page, field)
        for _ in range(5):  # "Choose a step", then steps 0 to 4
            page.keyboard.press("ArrowDown")
    shot(page, "skills-before-390")
    tab_to_link(page, "Save my skills")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My skills, before and after")
    assert axe_violations(page) == []
    fits_the_phone(page)

    # The reflection, by keyboard.
    page.goto(f"{live_server.url}/me/")
    tab_to_link(page, "Write my reflection")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Reflect on Visit to Leeds Teaching Hospitals"
    )
    assert axe_violations(page) == []
    fits_the_phone(page)
    tab_to(page, "id_what_i_did")
    page.keyboard.type("Followed a nurse on the children's ward and helped with the notes.")
    page.keyboard.press("Tab")
    page.keyboard.type("Nurses plan every hour, and they write everything down.")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first skill: Listening
    tab_to(page, "id_what_next")
    page.keyboard.type("Ask about the nursing taster day.")
    shot(page, "reflection-390")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Save my reflection"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your reflection is saved")).to_be_visible()

    # Skills after, then the comparison.
    tab_to_link(page, "Rate my skills after")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My skills: after the experience")
    assert axe_violations(page) == []
    for field in skill_ids[:3]:
        tab_to(page, field)
        for _ in range(8):
            page.keyboard.press("ArrowDown")
    tab_to_link(page, "Save my skills")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My skills, before and after")
    expect(page.get_by_role("cell", name="+3").first).to_be_visible()
    assert axe_violations(page) == []
    fits_the_phone(page)
    shot(page, "skills-compare-390")

    # What I'd like to try.
    page.goto(f"{live_server.url}/me/opportunities/")
    expect(page.get_by_role("heading", name="Nursing taster day")).to_be_visible()
    assert axe_violations(page) == []
    fits_the_phone(page)
    tab_to(page, page.locator("textarea").first.get_attribute("id"))
    page.keyboard.type("I want to be a children's nurse.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("You said you are interested.")).to_be_visible()
    shot(page, "what-id-like-to-try-390")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Sign out").click()

    # The careers leader sees the reflection, and the school's M7 share moved.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    page.goto(f"{live_server.url}/pupils/{world.a.pupil.pk}/")
    page.get_by_text("The pupil's reflection").first.click()
    expect(page.get_by_text("Followed a nurse on the children's ward")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "staff-sees-reflection")
    reflected, participations, pct = reflected_share(world)
    assert reflected == before[0] + 1
    page.goto(f"{live_server.url}/schools/{world.a.school.pk}/")
    figure = page.locator("dt:has-text('Pupils reflected (M7)') + dd")
    expect(figure).to_have_text(f"{float(pct):g}% ({reflected} of {participations} participations)")
    with all_tenants_UNSAFE("test"):
        participation.refresh_from_db()
        assert participation.reflection_done

    # Closing access asks first, naming who.
    page.goto(f"{live_server.url}/pupils/access/?year=9")
    page.get_by_role("button", name="Close access").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close pupil access?")
    expect(page.get_by_text("Amelia PupilA")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "close-access-confirm")
    page.get_by_role("link", name="Keep access open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupil access")

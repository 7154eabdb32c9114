"""Headless Chromium (Debian's, driven by Playwright) against a live server."""

import re

import pytest
from playwright.sync_api import expect

from access.roles import Role

from .conftest import PASSWORD

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_careers_leader_signs_in_sees_their_pupils_and_not_another_schools(
    page, live_server, world
):
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your school's pupils")

    page.get_by_role("link", name="Year 9").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Year 9 pupils")
    expect(page.get_by_role("link", name="PupilA, Amelia")).to_be_visible()
    expect(page.get_by_text("SiblingA")).to_have_count(0)

    page.get_by_role("link", name="PupilA, Amelia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia PupilA")
    expect(page.get_by_text(world.a.pupil.upn)).to_be_visible()

    response = page.goto(f"{live_server.url}/pupils/{world.b.pupil.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("PupilB")).to_have_count(0)


def test_the_home_page_can_be_used_by_keyboard_alone(page, live_server, world):
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your school's pupils")
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    # Tabbing on from the main landmark reaches the first year group link.
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Year 7":
            break
    assert page.evaluate("document.activeElement.textContent") == "Year 7"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Year 7 pupils")

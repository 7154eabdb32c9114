"""Headless Chromium: logging the same class experience twice asks before saving it again."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from access.context import all_tenants_UNSAFE
from access.roles import Role
from learners.academic import cohort_for
from learners.models import Experience, Learner, Participation
from learners.upn import upn_with_check_letter

from .test_browser import axe_violations, sign_in

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def log_the_trip(page, live_server, on: date, *, registration_group="9K"):
    page.goto(f"{live_server.url}/experiences/new/")
    page.get_by_label("Title").fill("Jodrell Bank trip")
    page.get_by_label("Kind").select_option(label="Workplace visit")
    page.get_by_label("Setting").select_option(label="At a workplace, in person")
    page.get_by_label("equalex tier").select_option(label="T1 Introduce & Inspire")
    page.get_by_label("First day").fill(f"{on:%Y-%m-%d}")
    page.get_by_label("Length").fill("1")
    page.get_by_label("Unit").select_option(label="days")
    for code in ("M1", "M2", "M3"):
        page.get_by_label(re.compile(f"^{code} ")).check()
    page.get_by_label("Registration group").select_option(registration_group)
    page.get_by_label("Search by name or UPN").fill("Class")
    page.get_by_role("button", name="Find pupils").click()
    page.get_by_label("Select all pupils shown").check()
    page.get_by_role("button", name="Review").click()


def test_logging_a_class_trip_twice_asks_and_adds_only_the_pupils_not_on_it(
    page, live_server, world
):
    on = date.today() - timedelta(days=2)
    with all_tenants_UNSAFE("test class"):
        Learner.objects.bulk_create(
            Learner(
                hub_id=world.a.hub.pk,
                school=world.a.school,
                legal_first_name=f"Kid{n:02d}",
                surname=f"Class{n:02d}",
                registration_group="9K" if n < 28 else "9L",
                upn=upn_with_check_letter(f"888666{n:06d}"),
                cohort=cohort_for(9, date.today()),
            )
            for n in range(30)
        )
        user = world.a.users[Role.CAREERS_LEADER]
        user.full_name = "A. Khan"
        user.save()
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)

    # Logged once for 9K's 28 pupils.
    log_the_trip(page, live_server, on)
    expect(page.get_by_role("group", name="Is this the same experience?")).to_have_count(0)
    page.get_by_role("button", name="Confirm and log for 28 pupils").click()
    expect(page.get_by_role("status")).to_contain_text("for 28 pupils")

    # Again, for the whole class of 30 (9K and 9L).
    log_the_trip(page, live_server, on, registration_group="")
    question = page.get_by_role("group", name="Is this the same experience?")
    expect(question).to_be_visible()
    expect(question).to_contain_text(
        f"Looks like “Jodrell Bank trip” on {on.day} {on:%B %Y} was already logged by you "
        "for 28 of these 30 pupils."
    )
    expect(page.get_by_role("button", name=re.compile("^Confirm and log"))).to_have_count(0)
    page.screenshot(path="/tmp/duplicate-question.png", full_page=True)
    assert axe_violations(page) == []

    # Keyboard alone: the first choice is reachable and pressed with Enter.
    same = question.get_by_role(
        "button", name="It is the same experience: add the 2 pupils not already on it"
    )
    same.focus()
    expect(same).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "Added 2 pupils to “Jodrell Bank trip”; 28 were already on it."
    )
    with all_tenants_UNSAFE("test assertions"):
        (trip,) = Experience.objects.filter(title="Jodrell Bank trip")
        assert Participation.objects.filter(experience=trip).count() == 30

    # A third time, as a separate event the same day: saved once, with its own 30.
    log_the_trip(page, live_server, on, registration_group="")
    expect(question).to_contain_text("for 30 of these 30 pupils")
    page.get_by_role("button", name="It is a different experience: add it anyway").click()
    expect(page.get_by_role("status")).to_contain_text("for 30 pupils")
    with all_tenants_UNSAFE("test assertions"):
        counts = [
            e.participations.count()
            for e in Experience.objects.filter(title="Jodrell Bank trip").order_by("pk")
        ]
    assert counts == [30, 30]

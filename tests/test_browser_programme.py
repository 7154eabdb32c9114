"""The programme planner in Chromium: a careers leader copies the hub's template, adapts
it, publishes it, logs an experience against one of its activities and sees delivered
move; the key steps by keyboard alone; axe finds nothing on any page. Screenshots go to
var/screenshots/programme/ for a person to look at."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from access.context import all_tenants_UNSAFE
from access.roles import Role
from learners.academic import cohort_for
from learners.models import Learner
from learners.upn import upn_with_check_letter
from programmes.rules import term_of

from .programme_world import make_template
from .shots import shot as screenshot
from .test_browser import axe_violations, sign_in

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _year_9(side, pupils: int = 12):
    cohort = cohort_for(9, timezone.localdate())
    with all_tenants_UNSAFE("test"):
        Learner.objects.filter(pk=side.pupil.pk).update(registration_group="9A")
        Learner.all_tenants_UNSCOPED.bulk_create(
            Learner(
                hub_id=side.hub.pk,
                school=side.school,
                legal_first_name=f"Kid{n:02d}",
                surname=f"Family{n:02d}",
                upn=upn_with_check_letter(f"888{n + 900000:09d}"),
                cohort=cohort,
                registration_group="9A" if n % 2 else "9B",
                disadvantaged=n % 3 == 0,
            )
            for n in range(pupils)
        )
    return cohort


def _clean(page):
    assert axe_violations(page) == []


def _press(page, locator):
    """Reach a control by keyboard: focus it as Tab would, then Enter."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press("Enter")


def test_a_careers_leader_plans_from_a_template_and_sees_delivered_move(page, live_server, world):
    _year_9(world.a)
    this_term = term_of(timezone.localdate())
    make_template(
        world.a.hub,
        title="Growth sectors: health and digital",
        activities=[
            {"title": "Careers fair", "kind": "other", "setting": "community",
             "objectives": ["T1.O1.a", "T1.O1.b"]},
            {"title": "Virtual tours", "kind": "virtual_experience", "setting": "virtual",
             "year_group": 8, "term": "spring", "objectives": ["T1.O2.a"]},
            {"title": "Insight days", "kind": "insight_day", "tier": 2, "year_group": 9,
             "term": "spring", "expected_hours": 10, "objectives": ["T2.O2.a"]},
            {"title": "Placement week", "kind": "placement", "tier": 3, "year_group": 10,
             "term": "summer", "expected_hours": 25, "objectives": ["T3.O1.a"]},
        ],
    )  # fmt: skip
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    page.goto(f"{live_server.url}/programme/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your school's programme")
    _clean(page)
    screenshot(page, "programme", "1-home")

    # Copy the template, by keyboard: the link, the cohort, the button.
    _press(page, page.get_by_role("link", name=re.compile("copy it into a plan")))
    expect(page.get_by_label("Start from")).to_have_value(re.compile(r"\d+"))
    cohort = page.get_by_label("Cohort")
    cohort.focus()
    value = cohort.locator("option", has_text="Now in Year 9").get_attribute("value")
    cohort.select_option(value)
    _clean(page)
    screenshot(page, "programme", "2-new")
    _press(page, page.get_by_role("button", name="Start the plan"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Growth sectors")
    expect(page.get_by_text("Draft", exact=True)).to_be_visible()

    # Adapt: shadowing for 9A this term.
    page.get_by_role("link", name="Add an activity in Year 9").click()
    page.get_by_label("Title").fill("Shadowing for 9A")
    page.get_by_label("Term").select_option(this_term)
    page.get_by_label("Kind").select_option("work_shadowing")
    page.get_by_label("equalex tier").select_option("2")
    page.get_by_label("Length for each pupil").fill("1")
    page.get_by_label("Some registration groups").check()
    page.get_by_role("textbox", name="Registration groups").fill("9A")
    page.get_by_label(
        re.compile("Using real life examples, learners can describe the roles")
    ).check()
    _clean(page)
    screenshot(page, "programme", "3-activity")
    _press(page, page.get_by_role("button", name="Add the activity"))
    expect(page.get_by_role("row", name=re.compile("Shadowing for 9A"))).to_be_visible()

    _press(page, page.get_by_role("button", name="Publish to the school's staff"))
    expect(page.get_by_text("Published", exact=True)).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Shadowing for 9A"))
    expect(row).to_contain_text("Not yet")
    _clean(page)
    screenshot(page, "programme", "4-plan")

    # Log it: the activity's details and its pupils are filled in; confirm.
    _press(page, page.get_by_role("link", name=re.compile(r"Log it\W+Shadowing for 9A")))
    expect(page.get_by_label("Title")).to_have_value("Shadowing for 9A")
    expect(page.get_by_label("Part of the programme")).to_have_value(re.compile(r"\d+"))
    ticked = page.locator("input[name=pupils]:checked")
    expect(ticked).to_have_count(7)  # the side's pupil and six grown into 9A
    page.get_by_label("First day").fill(timezone.localdate().isoformat())
    page.get_by_label("M1 has a clear purpose").check()
    page.get_by_label("M2 is underpinned").check()
    page.get_by_label("M3 involves extensive").check()
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_text(re.compile("Part of the programme"))).to_be_visible()
    _clean(page)
    page.get_by_role("button", name=re.compile("Confirm and log for 7 pupils")).click()
    expect(page.get_by_text(re.compile("Logged"))).to_be_visible()

    page.goto(f"{live_server.url}/programme/")
    page.get_by_role("link", name="Growth sectors: health and digital", exact=True).click()
    row = page.get_by_role("row", name=re.compile("Shadowing for 9A"))
    expect(row).to_contain_text("7 of 7 pupils, 7 pupil-days")
    _clean(page)
    screenshot(page, "programme", "5-delivered")

    page.get_by_role("link", name="Every pupil: planned against delivered").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("every pupil")
    _clean(page)
    screenshot(page, "programme", "6-pupils")


def test_the_hub_leads_pages_pass_axe(page, live_server, world):
    from .programme_world import make_plan

    cohort = _year_9(world.a, pupils=2)
    make_template(world.a.hub, title="Pilot model", activities=[{"title": "Fair"}])
    make_plan(world.a.school, cohort, activities=[{"title": "Visit"}])
    sign_in(page, live_server, world.a.users[Role.HUB_LEAD].email)
    page.goto(f"{live_server.url}/programme/")
    _clean(page)
    screenshot(page, "programme", "hub-templates")
    page.get_by_role("link", name="Pilot model").click()
    _clean(page)
    screenshot(page, "programme", "hub-template")
    page.goto(f"{live_server.url}/programme/hub/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your schools' programmes")
    _clean(page)
    screenshot(page, "programme", "hub-view")

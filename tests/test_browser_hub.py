"""The hub lead's week in headless Chromium, at a hub of 150 schools: the home (the live
dashboard) with figures equal to the report builder's, the schools table sorted and
filtered, a school's current figures; a safety check refused with a reason the employer
then reads; the employer page; the navigation at 1,280 px and on a phone. axe finds no
violation on any of them. Screenshots go to var/screenshots/hub/ (not in git)."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role

from .employer_world import make_nomination, make_opportunity, make_pupils, make_vetting
from .shots import shot as screenshot
from .test_browser import axe_violations, sign_in

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

SCHOOLS = 150
PUPILS_PER_SCHOOL = 20


def shot(page, name):
    screenshot(page, "hub", name)


def _pct(value):
    return "—" if value is None else f"{float(value):g}%"


@pytest.fixture
def big_hub(world):
    """Hub A grown to 150 schools of 20 pupils in Years 7-11, a third of each school on a
    counted workplace visit, FSM and SEND pupils in each: bulk-created, then the ledger
    counted once (as the demo loader does)."""
    from learners.academic import cohort_for
    from learners.ledger import ledger_rebuild
    from learners.models import Experience, Learner, Participation
    from learners.upn import upn_with_check_letter
    from schools.models import School

    today = date.today()
    with all_tenants_UNSAFE("test: a hub of 150 schools"):
        schools = School.objects.bulk_create(
            School(
                hub=world.a.hub,
                urn=str(500000 + n),
                name=f"{['Oak', 'Ash', 'Elm', 'Yew', 'Fir'][n % 5]} School {n:03d}",
                type=School.Type.SPECIAL if n % 7 == 0 else School.Type.MAINSTREAM,
                local_authority="Lancashire",
                fsm_percent=str(5 + n % 40),
            )
            for n in range(SCHOOLS - 2)
        )
        pupils = Learner.all_tenants_UNSCOPED.bulk_create(
            Learner(
                hub_id=world.a.hub.pk,
                school=school,
                legal_first_name="Pupil",
                surname=f"S{i}",
                upn=upn_with_check_letter(f"5{n:03d}{i:08d}"),
                cohort=cohort_for(7 + i % 5, today),
                fsm=i % 4 == 0,
                send="K" if i % 6 == 0 else "N",
            )
            for n, school in enumerate(schools)
            for i in range(PUPILS_PER_SCHOOL)
        )
        visits = Experience.all_tenants_UNSCOPED.bulk_create(
            Experience(
                hub_id=world.a.hub.pk,
                school=school,
                title="Workplace visit",
                kind="workplace_visit",
                setting="workplace",
                tier=1,
                start_date=today - timedelta(days=3),
                end_date=today - timedelta(days=3),
                academic_year=today.year if today.month >= 9 else today.year - 1,
                duration_hours=5,
                meets_m1=True,
                meets_m2=True,
                meets_m3=True,
            )
            for school in schools
        )
        visit_of = {visit.school_id: visit for visit in visits}
        Participation.all_tenants_UNSCOPED.bulk_create(
            Participation(
                hub_id=world.a.hub.pk,
                school_id=pupil.school_id,
                experience=visit_of[pupil.school_id],
                learner=pupil,
                start_date=visit_of[pupil.school_id].start_date,
                hours_attended=5,
            )
            # More of each school's pupils the later the school: schools differ.
            for n, pupil in enumerate(pupils)
            if (n % PUPILS_PER_SCHOOL) < (n // PUPILS_PER_SCHOOL) % 15
        )
        ledger_rebuild()
    return world


def _built(world):
    from django.utils import timezone

    from reports.builders import hub_summary

    lead = actor_for_user(world.a.users[Role.HUB_LEAD])
    with acting_as(lead):
        return hub_summary(hub_id=world.a.hub.pk, as_at=timezone.localdate(), live=True)


def _fact(page, term):
    return page.locator("dt", has_text=re.compile(f"^{re.escape(term)}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


def test_the_hub_home_of_150_schools_shows_the_builders_figures_sorts_filters_and_opens_a_school(
    page, live_server, big_hub
):
    from reports.hub_home import gap_sentence

    world = big_hub
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, world.a.users[Role.HUB_LEAD].email)
    expect(page.get_by_role("heading", level=1)).to_have_text(world.a.hub.name)
    built = _built(world)
    totals = built["totals"]
    assert totals["schools"] == SCHOOLS
    expect(_fact(page, "Pupils in Years 7 to 11")).to_have_text(str(totals["pupils"]))
    expect(_fact(page, "On track for the ten days")).to_have_text(_pct(totals["on_track_pct"]))
    expect(_fact(page, "Year 9 with their KS3 week (Compass question 1)")).to_have_text(
        _pct(totals["ks3_met_pct"])
    )
    expect(page.get_by_text(gap_sentence(totals["fsm_gap"], "FSM pupils"))).to_be_visible()
    expect(page.get_by_text(gap_sentence(totals["send_gap"], "pupils with SEND"))).to_be_visible()
    expect(page.get_by_text("No report")).to_have_count(0)
    # The schools furthest behind are the builder's lowest on-track shares.
    lowest = sorted(
        (r for r in built["schools"] if r["on_track_pct"] is not None),
        key=lambda r: (float(r["on_track_pct"]), r["name"].casefold()),
    )[0]
    expect(page.locator("ol.behind-list li").first).to_contain_text(lowest["name"])
    assert axe_violations(page) == []
    shot(page, "01-hub-home")

    schools = page.get_by_role("table", name="Schools", exact=True)
    expect(schools.locator("tbody tr")).to_have_count(25)
    expect(page.get_by_text(f"{SCHOOLS} of {SCHOOLS} schools, page 1 of 6")).to_be_visible()
    # Sorted by on track, highest first: the first row is the builder's best.
    schools.get_by_role("link", name=re.compile("^On track")).click()
    expect(schools.get_by_role("columnheader", name=re.compile("^On track"))).to_have_attribute(
        "aria-sort", "descending"
    )
    best = max(float(r["on_track_pct"]) for r in built["schools"] if r["on_track_pct"] is not None)
    expect(schools.locator("tbody tr").first.locator("td").nth(2)).to_have_text(f"{best:g}%")

    page.get_by_label("School name").fill("Elm")
    page.get_by_label("Type of school").select_option("Special / SEND")
    page.get_by_role("button", name="Show schools").click()
    expected = [r for r in built["schools"] if "Elm" in r["name"] and r["type"] == "Special / SEND"]
    expect(schools.locator("tbody tr")).to_have_count(len(expected))
    expect(page.get_by_text(f"{len(expected)} of {SCHOOLS} schools")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "02-hub-home-filtered")

    first = schools.locator("tbody tr").first.get_by_role("link")
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    row = next(r for r in built["schools"] if r["name"] == name)
    expect(_fact(page, "On track for the ten days")).to_have_text(_pct(row["on_track_pct"]))
    expect(_fact(page, "Pupils in Years 7 to 11")).to_have_text(str(row["pupils"]))
    expect(page.get_by_text("No report has been built")).to_have_count(0)
    assert axe_violations(page) == []
    shot(page, "03-school-current-figures")


def test_a_refused_safety_check_says_why_to_the_employer(page, live_server, world):
    make_vetting(world.a.employer, world.a.hub, approved=False)
    make_vetting(world.a.sibling_employer, world.a.hub, approved=False)
    sign_in(page, live_server, world.a.users[Role.HUB_LEAD].email)
    page.goto(f"{live_server.url}/employers/checks/review/")
    check = page.get_by_role("region", name=world.a.employer.name, exact=True)
    assert axe_violations(page) == []
    shot(page, "04-safety-checks-waiting")
    # Refusing without a reason is refused, and says why.
    check.get_by_role("button", name=f"Refuse {world.a.employer.name}").click()
    expect(page.get_by_text("Say why, so the employer knows what to do")).to_be_visible()
    assert axe_violations(page) == []
    check = page.get_by_role("region", name=world.a.employer.name, exact=True)
    check.get_by_label("Reason, if you refuse it or send it back").fill(
        "The insurance certificate names a different company."
    )
    check.get_by_role("button", name=f"Refuse {world.a.employer.name}").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Refused: the check of {world.a.employer.name}"
    )
    decided = page.get_by_role("table", name="Decided", exact=True)
    expect(decided).to_contain_text("The insurance certificate names a different company.")
    assert axe_violations(page) == []
    shot(page, "05-safety-checks-decided")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, world.a.users[Role.EMPLOYER].email)
    page.get_by_role("link", name="Safety checks", exact=True).click()
    row = page.get_by_role("row", name=re.compile(world.a.hub.name))
    expect(row).to_contain_text("Refused")
    expect(row).to_contain_text(
        "The hub lead's reason: The insurance certificate names a different company."
    )
    assert axe_violations(page) == []
    shot(page, "06-employer-reads-the-reason")


def test_the_employer_page_shows_contacts_check_places_and_schools(page, live_server, world):
    make_vetting(world.a.employer, world.a.hub)
    for n in range(20):
        make_opportunity(
            world.a.employer,
            [world.a.hub],
            capacity=4,
            title=f"Visit {n + 1}",
            start_date=date.today() + timedelta(days=7 + n),
        )
    week = make_opportunity(world.a.employer, [world.a.hub], capacity=3, title="Engineering week")
    pupils = make_pupils(world.a.school, 2) + make_pupils(world.a.sibling_school, 1)
    make_nomination(week, pupils[0], status="accepted")
    make_nomination(week, pupils[1], status="offered")
    make_nomination(week, pupils[2], status="nominated")
    sign_in(page, live_server, world.a.users[Role.HUB_LEAD].email)
    page.goto(f"{live_server.url}/employers/{world.a.employer.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(world.a.employer.name)
    expect(page.get_by_role("table", name="Contacts")).to_contain_text(
        world.a.users[Role.EMPLOYER].email
    )
    expect(_fact(page, "State")).to_contain_text("Approved on")
    expect(
        page.get_by_text("83 places in 21 opportunities; 2 filled by your hub's pupils.")
    ).to_be_visible()
    served = page.get_by_role("table", name="Schools served")
    expect(served.get_by_role("row", name=re.compile(world.a.school.name))).to_contain_text("2")
    expect(page.get_by_text("Page 1 of 1")).to_have_count(0)
    assert axe_violations(page) == []
    shot(page, "07-employer-page")


def test_the_navigation_fits_one_row_at_1280_and_opens_by_keyboard_on_a_phone(
    page, live_server, world
):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("link", name=re.compile("sign up", re.I))).to_have_count(0)
    assert page.locator('link[rel="icon"]').get_attribute("href").endswith("favicon.svg")
    icon = page.request.get(
        live_server.url + page.locator('link[rel="icon"]').get_attribute("href")
    )
    assert icon.status == 200 and b"<svg" in icon.body()
    shot(page, "08-sign-in")

    for role in (Role.CAREERS_LEADER, Role.HUB_LEAD, Role.EMPLOYER):
        sign_in(page, live_server, world.a.users[role].email)
        items = page.locator("ul.nav-primary > li")
        tops = {
            round(box["y"]) for box in (items.nth(i).bounding_box() for i in range(items.count()))
        }
        assert len(tops) == 1, (role, tops)  # one row
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        expect(page.get_by_role("link", name="Platform admin")).to_have_count(0)
        assert axe_violations(page) == []
        shot(page, f"09-nav-1280-{role.value}")
        page.get_by_role("button", name="Sign out").click()

    # A group opens by keyboard and Escape closes it.
    sign_in(page, live_server, world.a.users[Role.HUB_LEAD].email)
    page.locator("summary", has_text="Hub").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Counting rules", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "10-nav-group-open")
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Counting rules", exact=True)).to_be_hidden()

    # On a phone the links collapse behind a Menu button that works by keyboard.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Safety checks", exact=True)).to_be_hidden()
    shot(page, "11-nav-390-closed")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Safety checks", exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Home", exact=True)).to_be_focused()
    assert axe_violations(page) == []
    shot(page, "12-nav-390-open")
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    # The platform admin, and only they, are linked to the admin.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.context.clear_cookies()
    sign_in(page, live_server, world.superuser.email)
    page.locator("summary", has_text="Account").click()
    expect(page.get_by_role("link", name="Platform admin")).to_be_visible()

"""A careers leader's week at a school of 1,500 pupils, in Chromium: the home page's figures
are the progress module's, the pupils list searches, filters and pages, the experiences
list filters and pages; axe finds nothing on any of them. Full-page screenshots go to
var/screenshots/leader/ for a person to look at."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from access.roles import Role

from .shots import shot as screenshot
from .test_browser import axe_violations, sign_in

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

KINDS = ("workplace_visit", "virtual_experience", "placement", "insight_day", "employer_project")
SETTINGS = {"virtual_experience": "virtual", "employer_project": "in_school"}


def big_school(side, pupils: int = 1500, experiences: int = 90):
    """1,500 pupils in Years 7-11 (groups 7A-11F), flags spread, and a term's worth of
    experiences of every kind with 20-40 pupils each, some counted and some not."""
    from access.context import all_tenants_UNSAFE
    from learners.academic import academic_year_of, cohort_for
    from learners.models import Experience, Learner, Participation
    from learners.upn import upn_with_check_letter

    today = date.today()
    with all_tenants_UNSAFE("big school"):
        rows = Learner.all_tenants_UNSCOPED.bulk_create(
            Learner(
                hub_id=side.hub.pk,
                school=side.school,
                legal_first_name=f"Kid{n:04d}",
                surname=f"Family{(n * 7919) % 1500:04d}",
                upn=upn_with_check_letter(f"5{n:011d}"),
                cohort=cohort_for(7 + n % 5, today),
                registration_group=f"{7 + n % 5}{'ABCDEF'[(n // 5) % 6]}",
                fsm=n % 4 == 0,
                disadvantaged=n % 3 == 0,
                send="K" if n % 11 == 0 else "E" if n % 37 == 0 else "N",
            )
            for n in range(pupils)
        )
        made = []
        for n in range(experiences):
            kind = KINDS[n % len(KINDS)]
            day = today - timedelta(days=3 + 2 * n)
            made.append(
                Experience(
                    hub_id=side.hub.pk,
                    school=side.school,
                    title=f"{kind.replace('_', ' ').capitalize()} {n:02d}",
                    kind=kind,
                    setting=SETTINGS.get(kind, "workplace"),
                    tier=1 + n % 3,
                    start_date=day,
                    end_date=day,
                    academic_year=academic_year_of(day),
                    duration_hours=Decimal(("5", "7.5", "2.5", "25")[n % 4]),
                    meets_m1=True,
                    meets_m2=n % 7 != 0,
                    meets_m3=True,
                )
            )
        made = Experience.objects.bulk_create(made)
        employers = (side.employer, side.sibling_employer)
        Experience.employers.through.objects.bulk_create(
            Experience.employers.through(experience_id=e.pk, employer_id=employers[i % 2].pk)
            for i, e in enumerate(made)
        )
        Participation.all_tenants_UNSCOPED.bulk_create(
            Participation(
                hub_id=side.hub.pk,
                school=side.school,
                experience=e,
                learner=rows[(i * 131 + k * 17) % pupils],
                start_date=e.start_date,
                hours_attended=e.duration_hours if k % 9 else Decimal(0),
                absent=not k % 9,
            )
            for i, e in enumerate(made)
            for k in range(20 + i % 21)
        )
    return rows


def placements(side, pupils):
    """An upcoming placement with places taken (two with consent given) and one that has
    ended with attendance still to confirm."""
    from access.context import all_tenants_UNSAFE
    from employers.models import Nomination, Opportunity, ParentalConsent

    today = date.today()
    with all_tenants_UNSAFE("placements"):
        coming, ended = (
            Opportunity.objects.create(
                employer=side.employer,
                title=title,
                kind="placement",
                setting="workplace",
                tier=2,
                start_date=day,
                end_date=day + timedelta(days=4),
                capacity=12,
                year_groups=[10],
                status="published",
                meets_m1=True,
                meets_m2=True,
                meets_m3=True,
            )
            for title, day in (
                ("Week at the engineering works", today + timedelta(days=40)),
                ("Week at the town hall", today - timedelta(days=20)),
            )
        )
        year_10 = [p for p in pupils if p.registration_group.startswith("10")]
        nominations = Nomination.objects.bulk_create(
            Nomination(
                hub_id=side.hub.pk,
                school=side.school,
                opportunity=opportunity,
                learner=pupil,
                status="accepted",
            )
            for opportunity, chosen in ((coming, year_10[:8]), (ended, year_10[8:12]))
            for pupil in chosen
        )
        for n, nomination in enumerate(nominations[:2]):
            ParentalConsent.objects.create(
                hub_id=side.hub.pk,
                school=side.school,
                nomination=nomination,
                token_digest=f"{n:064d}",
                answer="given",
                signed_by="A parent",
            )


def shot(page, name):
    screenshot(page, "leader", name)


def test_a_careers_leaders_week_at_a_school_of_1500_pupils(page, live_server, world):
    from access.actor import actor_for_user
    from access.context import acting_as
    from learners.leader import leader_home
    from learners.ledger import ledger_rebuild

    placements(world.a, big_school(world.a))
    ledger_rebuild()  # as deployed: today's figures come from the ledger
    leader = world.a.users[Role.CAREERS_LEADER]
    with acting_as(actor_for_user(leader)) as actor:
        figures = leader_home(actor=actor, school_id=world.a.school.pk, today=date.today())

    sign_in(page, live_server, leader.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{world.a.school.name}: where we are"
    )
    rows = page.locator("#on-track tbody tr")
    expect(rows).to_have_count(len(figures["years"]))
    for row, year in zip(rows.all(), figures["years"], strict=True):
        expect(row.locator("th")).to_have_text(f"Year {year['year_group']}")
        expect(row.locator("td").nth(1)).to_have_text(
            f"{year['on_track_pct']}% ({year['on_track']} of {year['pupils']})"
        )
    assert sum(year["pupils"] for year in figures["years"]) == 1501  # and the world's pupil
    expect(page.locator("#behind-total")).to_have_text(str(figures["behind_total"]))
    first_behind = figures["behind"][0]
    expect(page.locator("#behind tbody tr").first.locator("th a")).to_have_text(
        f"{first_behind['surname']}, {first_behind['first_name']}"
    )
    assert first_behind["disadvantaged"]
    compass = page.locator("#compass tbody tr")
    for row, answer in zip(compass.all(), figures["compass"], strict=True):
        expect(row.locator("td").nth(0)).to_have_text(answer.band)
        expect(row.locator("td").nth(1)).to_have_text(str(answer.numerator))
        expect(row.locator("td").nth(2)).to_have_text(str(answer.denominator))
    expect(page.get_by_text(re.compile(r"Year 9 has until 31 July \d{4}"))).to_be_visible()
    waiting = figures["placements"]
    assert (waiting.consent_missing_total, waiting.attendance_due_total) == (6, 4)
    expect(page.locator("#placements")).to_contain_text(
        "6 pupils with a place but no parental consent yet"
    )
    expect(page.locator("#placements")).to_contain_text("Week at the town hall")
    assert axe_violations(page) == []
    shot(page, "home")

    # All pupils behind, from the home page: disadvantaged first.
    page.get_by_role("link", name=re.compile(r"^All \d+ pupils? behind$")).click()
    expect(page.get_by_role("checkbox", name="Behind")).to_be_checked()
    expect(page.locator("#pupils caption")).to_contain_text(f"{figures['behind_total']} pupil")
    expect(page.locator("#pupils tbody tr").first.locator("th a")).to_have_text(
        f"{first_behind['surname']}, {first_behind['first_name']}"
    )
    shot(page, "pupils-behind")

    page.goto(f"{live_server.url}/pupils/")
    expect(page.locator("#pupils caption")).to_have_text("1501 pupils: 1 to 50 shown")
    first_rows = page.locator("#pupils tbody tr")
    expect(first_rows).to_have_count(50)
    expect(first_rows.first.locator("td").nth(1)).to_have_text("Year 7")
    expect(first_rows.first.locator("td").nth(2)).to_have_text("7A")
    shot(page, "pupils")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("Page 2 of 31")).to_be_visible()

    page.get_by_label("Name or UPN").fill("Kid0042")
    page.get_by_role("button", name="Find pupils").click()
    expect(page.locator("#pupils tbody tr")).to_have_count(1)
    expect(page.locator("#pupils tbody tr th a")).to_contain_text("Kid0042")

    page.get_by_label("Name or UPN").fill("")
    page.get_by_label("Year group").select_option(label="Year 10")
    page.get_by_label("Registration group").select_option("10B")
    page.get_by_role("checkbox", name="FSM").check()
    page.get_by_role("button", name="Find pupils").click()
    groups = page.locator("#pupils tbody tr td:nth-child(4)")
    assert set(groups.all_inner_texts()) == {"10B"}
    assert all(
        "FSM" in t for t in page.locator("#pupils tbody tr td:nth-child(5)").all_inner_texts()
    )
    shot(page, "pupils-filtered")
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/experiences/")
    expect(page.locator("#experiences caption")).to_contain_text("91 experiences")
    expect(page.locator("#experiences tbody tr")).to_have_count(25)
    shot(page, "experiences")
    assert axe_violations(page) == []
    page.get_by_label("Kind").select_option(label="Placement")
    page.get_by_role("button", name="Filter").click()
    kinds = page.locator("#experiences tbody tr td:nth-child(3)").all_inner_texts()
    assert kinds and set(kinds) == {"Placement"}
    expect(page.locator("#experiences caption")).to_contain_text("18 experiences")
    page.get_by_label("Employer").select_option(label=world.a.sibling_employer.name)
    page.get_by_role("button", name="Filter").click()
    employers = page.locator("#experiences tbody tr td:nth-child(5)").all_inner_texts()
    assert employers and set(employers) == {world.a.sibling_employer.name}
    expect(page.locator("#experiences tbody tr td:nth-child(7)").first).to_contain_text(" days (")
    shot(page, "experiences-filtered")
    assert axe_violations(page) == []

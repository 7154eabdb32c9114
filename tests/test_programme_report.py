"""The school report's programme page (programmes.report), on a small school worked out by
hand: per year group the cohort's published plan, its activities planned and delivered
and the days per pupil, planned and delivered; the objectives the plans cover. The same
figures for every reader of the report, in a fixed number of queries; shown on the report
page and in its JSON, CSV and PDF."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from learners.models import Experience, Learner, Participation
from learners.progress import ProgressRules
from learners.upn import upn_with_check_letter
from programmes.report import days_per_pupil, school_programme
from reports.builders import school_summary, to_csv
from schools.models import School

from .programme_world import add_activities, make_plan, make_template

pytestmark = pytest.mark.django_db

AS_AT = date(2027, 3, 31)  # academic year 2026/27: Year 7 is the 2026 cohort, Year 11 2022


@pytest.fixture
def school(world):
    """A school of its own in hub A and trust A, so no other test's pupils sit in it; side
    A's careers leader and teacher work there."""
    from hubs.models import Membership

    with all_tenants_UNSAFE("test"):
        school = School.objects.create(
            hub=world.a.hub,
            trust=world.a.school.trust,
            urn="100777",
            name="Programme School",
            local_authority="Somewhere",
            fsm_percent="20",
        )
        Membership.objects.filter(
            user__in=[world.a.users[Role.CAREERS_LEADER], world.a.users[Role.SCHOOL_STAFF]]
        ).update(school=school)
    return school


def pupil(school, name, cohort, n, **fields):
    return Learner.objects.create(
        school=school,
        upn=upn_with_check_letter(f"888{600000000 + n:09d}"),
        legal_first_name=name,
        surname="Programme",
        cohort=cohort,
        **fields,
    )


def experience(school, activity, start, attendance, *, setting="workplace", kind="other"):
    """An experience logged against the activity; attendance: (pupil, hours, absent)."""
    made = Experience.objects.create(
        school=school,
        title=f"Delivering {activity.title if activity else 'nothing'}",
        kind=kind,
        setting=setting,
        tier=1,
        start_date=start,
        end_date=start,
        duration_hours=5,
        meets_m1=True,
        meets_m2=True,
        meets_m3=True,
        planned_activity=activity,
    )
    for learner, hours, absent in attendance:
        Participation.objects.create(
            hub_id=learner.hub_id,
            school_id=learner.school_id,
            experience=made,
            learner=learner,
            hours_attended=hours,
            absent=absent,
        )
    return made


@pytest.fixture
def programme(world, school):
    """Plans for three of the five cohorts, one a draft; activities of every audience;
    experiences before and after the date, absences, pupils of another year and pupils who
    moved away."""
    sibling = world.a.sibling_school
    with all_tenants_UNSAFE("test"):
        y7 = {
            name: pupil(school, name, 2026, n, **fields)
            for n, (name, fields) in enumerate(
                [
                    ("Dara", {"registration_group": "7A", "disadvantaged": True}),
                    ("Femi", {"registration_group": "7A", "fsm": True}),
                    ("Sian", {"registration_group": "7B", "send": "K"}),
                    ("Noor", {"registration_group": "7B"}),
                    # A leaver counts in every figure of the report, as in its year rows.
                    ("Lee", {"registration_group": "7B", "left_on": date(2027, 1, 10)}),
                ]
            )
        }
        omar = pupil(school, "Omar", 2025, 10)  # Year 8
        pupil(school, "Olu", 2025, 11)
        ava = pupil(school, "Ava", 2023, 12)  # Year 10, behind
        ben = pupil(school, "Ben", 2023, 13)  # Year 10, on track
        # Pupils who moved to the sibling school: their history goes with them.
        gone_y7 = pupil(sibling, "Mo", 2026, 14)
        gone_y9 = pupil(sibling, "Mia", 2024, 15)
    visit, virtual, project, *_others = add_activities(
        make_plan(school, 2026, title="Careers in Year 7 and on"),
        [
            {"title": "Visit", "expected_hours": 5, "objectives": ["T1.O1.a", "T1.O1.b"]},
            {"title": "Virtual session", "kind": "virtual_experience", "setting": "virtual",
             "term": "spring", "expected_hours": Decimal("2.5"), "audience": "groups",
             "groups": ["7A"], "objectives": ["T1.O2.a"]},
            {"title": "Project in school", "kind": "employer_project", "setting": "in_school",
             "term": "summer", "expected_hours": 5, "objectives": ["T2.O2.a"]},
            {"title": "Insight day", "kind": "insight_day", "setting": "community",
             "term": "summer", "expected_hours": 5, "audience": "disadvantaged",
             "objectives": ["T1.O3.a"]},
            {"title": "Year 8 taster", "year_group": 8, "expected_hours": 10,
             "objectives": ["T1.O2.b"]},
            {"title": "SEND taster", "term": "spring", "expected_hours": Decimal("3.25"),
             "audience": "send"},
            {"title": "Workshop for 7B", "setting": "community", "expected_hours": 2,
             "audience": "groups", "groups": ["7B"]},
        ],
    )  # fmt: skip
    (draft_visit,) = add_activities(
        make_plan(school, 2025, status="draft"),
        [{"title": "Draft visit", "year_group": 8, "objectives": ["T3.O1.e"]}],
    )
    (y9_visit,) = add_activities(
        make_plan(school, 2024),
        [{"title": "Year 9 visit", "year_group": 9, "objectives": ["T1.O1.a", "T2.O1.a"]}],
    )
    placement_week, taster = add_activities(
        make_plan(school, 2023),
        [
            {"title": "Placement week", "kind": "placement", "year_group": 10,
             "expected_hours": 25, "audience": "behind", "objectives": ["T3.O1.a"]},
            {"title": "Taster placement", "kind": "placement", "year_group": 10,
             "expected_hours": 10, "objectives": ["T3.O1.a", "T3.O1.b"]},
        ],
    )  # fmt: skip
    # Not the school's: a hub template and the sibling school's plan of the same cohort.
    make_template(world.a.hub, activities=[{"title": "Template", "objectives": ["T3.O1.c"]}])
    make_plan(sibling, 2026, activities=[{"title": "Sibling's", "objectives": ["T3.O1.d"]}])
    with all_tenants_UNSAFE("test"):
        experience(
            school,
            visit,
            date(2026, 10, 5),
            [
                (y7["Dara"], 5, False),
                (y7["Femi"], 5, False),
                (y7["Sian"], 0, True),
                (y7["Noor"], Decimal("2.5"), False),
                (y7["Lee"], 5, False),
                (omar, 5, False),  # another year's pupil came along
                (gone_y7, 5, False),  # now at the sibling school
            ],
        )
        # After the date: neither delivered nor counted.
        experience(school, virtual, date(2027, 4, 20), [(y7["Dara"], 5, False)])
        # Done in school: plans no days toward the ten, but what was attended is delivered.
        experience(
            school,
            project,
            date(2027, 2, 1),
            [(p, 5, False) for p in y7.values()],
            setting="in_school",
            kind="employer_project",
        )
        experience(school, draft_visit, date(2026, 11, 1), [(omar, 5, False)])
        # Delivered, though everyone who went has since moved away.
        experience(school, y9_visit, date(2026, 11, 2), [(gone_y9, 5, False)])
        experience(
            school,
            taster,
            date(2026, 11, 10),
            [(ben, 10, False), (ava, 0, True)],
            kind="placement",
        )
    return {"school": school, "placement_week": placement_week}


def programme_as(user, school_id):
    actor = actor_for_user(user)
    with acting_as(actor):
        return school_summary(school_id=school_id, as_at=AS_AT)["programme"]


EXPECTED_YEARS = [
    # Year 7, 5 pupils. Planned: visit 5 h x 5, virtual 2.5 h x 2 (7A), workshop 2 h x 2
    # (7B: Lee has left, so is in no group), insight 5 h x 1 (disadvantaged), SEND taster
    # 3.25 h x 1; the project in school counts none: 42.25 h / 5 / 5 = 1.69. Delivered:
    # visit 5 + 5 + 2.5 + 5 (Sian absent; Omar and Mo not the cohort's), project 5 x 5;
    # the virtual session is after the date: 42.5 h / 5 / 5 = 1.7.
    {"year_group": 7, "cohort": 2026, "plan": "Careers in Year 7 and on", "pupils": 5,
     "activities_planned": 6, "activities_delivered": 2,
     "planned_days_per_pupil": Decimal("1.69"), "delivered_days_per_pupil": Decimal("1.70")},
    # A draft is no plan.
    {"year_group": 8, "cohort": 2025, "plan": None, "pupils": 2, "activities_planned": 0,
     "activities_delivered": 0, "planned_days_per_pupil": None,
     "delivered_days_per_pupil": None},
    # A plan, no pupils: nobody to share days among.
    {"year_group": 9, "cohort": 2024, "plan": "Programme of the 2024 cohort", "pupils": 0,
     "activities_planned": 1, "activities_delivered": 1, "planned_days_per_pupil": None,
     "delivered_days_per_pupil": None},
    # Ava is behind, Ben's 10 placement hours put him on track: placement week 25 h x 1,
    # taster 10 h x 2 = 45 h / 2 / 5 = 4.5; delivered Ben's 10 h = 1.
    {"year_group": 10, "cohort": 2023, "plan": "Programme of the 2023 cohort", "pupils": 2,
     "activities_planned": 2, "activities_delivered": 1,
     "planned_days_per_pupil": Decimal("4.50"), "delivered_days_per_pupil": Decimal("1.00")},
    {"year_group": 11, "cohort": 2022, "plan": None, "pupils": 0, "activities_planned": 0,
     "activities_delivered": 0, "planned_days_per_pupil": None,
     "delivered_days_per_pupil": None},
]  # fmt: skip


def test_each_year_shows_its_cohorts_published_plan_and_the_days_planned_and_delivered(
    world, programme
):
    found = programme_as(world.a.users[Role.CAREERS_LEADER], programme["school"].pk)
    assert found["years"] == EXPECTED_YEARS


def test_objectives_count_every_activity_of_the_published_plans_and_those_delivered(
    world, programme
):
    found = programme_as(world.a.users[Role.CAREERS_LEADER], programme["school"].pk)
    # Planned: T1.O1.a, T1.O1.b, T1.O2.a, T2.O2.a, T1.O3.a, T1.O2.b (Year 8 of the Year 7
    # cohort's plan), T2.O1.a, T3.O1.a, T3.O1.b; not the draft's, the template's or the
    # sibling school's. Delivered: the visit's two, the project's, the Year 9 visit's
    # T2.O1.a and the taster placement's two.
    assert (found["objectives_total"], found["objectives_planned"]) == (20, 9)
    assert found["objectives_delivered"] == 6


def test_every_reader_of_the_report_gets_the_same_programme_figures(world, programme):
    school_id = programme["school"].pk
    leader = programme_as(world.a.users[Role.CAREERS_LEADER], school_id)
    for role in (Role.SCHOOL_STAFF, Role.HUB_LEAD, Role.TRUST_LEAD):
        assert programme_as(world.a.users[role], school_id) == leader, role


def test_who_is_behind_is_read_as_at_the_reports_date(world, programme):
    # On 1 September 2026 nobody in Year 10 is behind yet (nothing of the KS4 week is
    # due): the placement week is for nobody, the taster for both (20 h / 2 / 5 = 2).
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader.for_aggregates()):
        found = school_programme(
            school_id=programme["school"].pk, as_at=date(2026, 9, 1), rules=ProgressRules()
        )
    year_10 = next(y for y in found["years"] if y["year_group"] == 10)
    assert (year_10["planned_days_per_pupil"], year_10["delivered_days_per_pupil"]) == (
        Decimal("2.00"),
        Decimal("0.00"),
    )
    assert year_10["activities_delivered"] == 0


def test_days_per_pupil_round_half_up_from_the_exact_share():
    assert days_per_pupil(Fraction(61), 8) == Decimal("1.53")  # 1.525 exactly
    assert days_per_pupil(Fraction(1, 3), 1) == Decimal("0.07")  # 0.0666...
    assert days_per_pupil(Decimal("12.5"), 0) is None


def queries(world, school):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader.for_aggregates()), CaptureQueriesContext(connection) as captured:
        school_programme(school_id=school.pk, as_at=AS_AT, rules=ProgressRules())
    return len(captured)


def test_the_programme_page_takes_six_queries_whatever_the_plans_and_cohorts_size(
    world, school, programme
):
    assert queries(world, school) == 6
    # Twice the pupils, many more activities of every audience, another published plan.
    with all_tenants_UNSAFE("test"):
        for n in range(30):
            pupil(school, f"Extra{n}", 2022 + n % 5, 100 + n, registration_group="7A")
        plan = programme["placement_week"].plan
    add_activities(
        plan,
        [
            {"title": f"More {n}", "year_group": 7 + n % 5, "audience": audience,
             "groups": ["7A"], "objectives": ["T2.O3.a"]}
            for n, audience in enumerate(
                ["whole_year", "groups", "disadvantaged", "fsm", "send", "behind"] * 4
            )
        ],
    )  # fmt: skip
    make_plan(school, 2022, activities=[{"title": "Year 11", "year_group": 11}])
    assert queries(world, school) == 6


def test_a_school_without_any_plan_shows_no_plan_in_each_year(world, school):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader.for_aggregates()):
        found = school_programme(school_id=school.pk, as_at=AS_AT, rules=ProgressRules())
    assert [y["plan"] for y in found["years"]] == [None] * 5
    assert (found["objectives_planned"], found["objectives_delivered"]) == (0, 0)


def test_the_csv_has_a_programme_table_after_the_compass_answers(world, programme):
    from reports.builders import jsonable

    actor = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(actor):
        summary = jsonable(school_summary(school_id=programme["school"].pk, as_at=AS_AT))
    lines = to_csv(summary).splitlines()
    start = lines.index(
        "Programme year group,Published plan,Activities planned,Delivered,"
        "Planned days per pupil,Delivered days per pupil"
    )
    assert lines[start + 1 : start + 6] == [
        "7,Careers in Year 7 and on,6,2,1.69,1.70",
        "8,,0,0,,",
        "9,Programme of the 2024 cohort,1,1,,",
        "10,Programme of the 2023 cohort,2,1,4.50,1.00",
        "11,,0,0,,",
    ]
    assert lines[start + 6 :] == [
        "",
        "Objectives covered by the plans,9,of,20",
        "Objectives delivered,6",
    ]


def test_the_report_page_and_pdf_show_the_programme(
    client, world, programme, django_capture_on_commit_callbacks
):
    from reports.models import ReportRun
    from reports.tasks import build_report

    from .oracle.surfaces import Page, _lines_missing, pdf_lines

    school = programme["school"]
    leader = world.a.users[Role.CAREERS_LEADER]
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("school_report", args=[school.pk]), {"as_at": AS_AT.isoformat()})
    with all_tenants_UNSAFE("test"):
        run = ReportRun.objects.get(school=school)
    assert build_report(run.pk, actor=actor_for_user(leader).to_spec()) == "done"
    html = client.get(reverse("school_report", args=[school.pk])).content.decode()
    page = Page(html)
    table = page.tables[page.captioned("Programme: planned and delivered days by year group")]
    assert table == [
        ["Year", "Published plan", "Activities planned", "Delivered",
         "Planned days per pupil", "Delivered days per pupil"],
        ["Year 7", "Careers in Year 7 and on", "6", "2", "1.69", "1.7"],
        ["Year 8", "No published plan", "0", "0", "—", "—"],
        ["Year 9", "Programme of the 2024 cohort", "1", "1", "—", "—"],
        ["Year 10", "Programme of the 2023 cohort", "2", "1", "4.5", "1"],
        ["Year 11", "No published plan", "0", "0", "—", "—"],
    ]  # fmt: skip
    assert "Objectives covered by the plans: 9 of 20; delivered: 6" in html
    with all_tenants_UNSAFE("test"):
        run.refresh_from_db()
        lines = pdf_lines(run)
    rows = [
        "Programme",
        "Year Published plan Activities planned Delivered Planned days per pupil "
        "Delivered days per pupil",
        "Year 7 Careers in Year 7 and on 6 2 1.69 1.7",
        "Year 8 No published plan 0 0 — —",
        "Year 9 Programme of the 2024 cohort 1 1 — —",
        "Year 10 Programme of the 2023 cohort 2 1 4.5 1",
        "Year 11 No published plan 0 0 — —",
        "Objectives covered by the plans: 9 of 20; delivered: 6",
    ]
    assert _lines_missing(rows, lines, "pdf") == []

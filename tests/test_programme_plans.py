"""The programme planner's figures on a small plan, worked out by hand: coverage of the
framework, the days the plan gives each pupil and group, the pupils it would leave short,
and planned against delivered once experiences are logged against it."""

from datetime import date
from decimal import Decimal

import pytest

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from learners.models import Learner
from learners.services import experience_log
from learners.upn import upn_with_check_letter
from programmes import rules, selectors
from programmes.models import PlannedActivity

from .programme_world import make_plan

COHORT = 2026  # Year 7 in 2026/27
BEFORE_YEAR_7 = date(2026, 8, 20)


@pytest.fixture
def planned(world):
    """Four pupils of one cohort and a plan of six activities (DESIGN's counting rules)."""
    school = world.a.school
    with all_tenants_UNSAFE("test"):
        pupils = {
            name: Learner.objects.create(
                school=school,
                upn=upn_with_check_letter(f"888{700000000 + n:09d}"),
                legal_first_name=name,
                surname="Planned",
                cohort=COHORT,
                registration_group=group,
                **flags,
            )
            for n, (name, group, flags) in enumerate(
                [
                    ("Dara", "7A", {"disadvantaged": True}),
                    ("Femi", "7A", {"fsm": True}),
                    ("Sian", "7B", {"send": "K"}),
                    ("Noor", "7B", {}),
                ]
            )
        }
    plan = make_plan(
        school,
        COHORT,
        activities=[
            {"title": "Visit", "year_group": 7, "term": "autumn", "expected_hours": 5,
             "objectives": ["T1.O1.a", "T1.O1.b"]},
            {"title": "Virtual week", "kind": "virtual_experience", "setting": "virtual",
             "year_group": 8, "term": "spring", "expected_hours": 10, "audience": "groups",
             "groups": ["7A"], "objectives": ["T1.O2.a"]},
            {"title": "Insight days", "kind": "insight_day", "tier": 2, "year_group": 9,
             "term": "summer", "expected_hours": 10, "audience": "disadvantaged",
             "objectives": ["T2.O1.a"]},
            {"title": "Project in school", "kind": "employer_project", "setting": "in_school",
             "tier": 2, "year_group": 9, "term": "autumn", "expected_hours": 5,
             "objectives": ["T2.O2.a"]},
            {"title": "Placement week", "kind": "placement", "tier": 3, "year_group": 10,
             "term": "summer", "expected_hours": 25, "objectives": ["T3.O1.a", "T3.O1.b"]},
            {"title": "Supported placement", "kind": "placement", "tier": 3,
             "year_group": 11, "term": "spring", "expected_hours": 10, "audience": "send",
             "objectives": ["T3.O1.a"]},
        ],
    )  # fmt: skip
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    return plan, pupils, leader


def overview(leader, plan, as_at):
    with acting_as(leader):
        return selectors.plan_overview(actor=leader, plan=plan, as_at=as_at)


def by_name(leader, plan, as_at):
    with acting_as(leader):
        activities = list(selectors.plan_activities(plan, logged_by=as_at))
        pupils = selectors.plan_pupils(
            actor=leader,
            plan=plan,
            activities=activities,
            as_at=as_at,
            with_delivered=True,
            delivered_ids={a.pk for a in activities if a.logged},
        )
        return {p.legal_first_name: p for p in pupils}


def test_coverage_counts_the_objectives_the_plan_touches_by_year(planned):
    plan, _pupils, leader = planned
    coverage = overview(leader, plan, BEFORE_YEAR_7).coverage
    assert (coverage.objectives, coverage.covered, coverage.outcomes_covered) == (20, 7, 5)
    assert len(coverage.untouched) == 13
    rows = {row.objective.code: row for group in coverage.outcomes for row in group.rows}
    assert sorted(rows["T3.O1.a"].by_year) == [10, 11]
    assert [len(cell) for cell in rows["T1.O1.a"].cells] == [1, 0, 0, 0, 0]
    assert not rows["T1.O3.a"].covered
    assert coverage.delivered == 0


def test_the_tiers_progress_when_each_starts_after_the_one_below(planned):
    plan, _pupils, leader = planned
    progression = overview(leader, plan, BEFORE_YEAR_7).progression
    assert progression.progresses
    assert [(s.tier, s.year_group, s.term) for s in progression.starts] == [
        (1, 7, "autumn"),
        (2, 9, "autumn"),
        (3, 10, "summer"),
    ]


def test_a_tier_3_placement_before_any_tier_2_breaks_the_progression():
    class Activity:
        def __init__(self, tier, year_group, term):
            self.tier, self.year_group, self.term = tier, year_group, term

    found = rules.progression([Activity(1, 7, "autumn"), Activity(3, 8, "spring")])
    assert found.out_of_order == ((3, 2),)
    found = rules.progression([Activity(2, 7, "summer"), Activity(1, 8, "autumn")])
    assert found.out_of_order == ((2, 1),)


def test_each_pupil_gets_the_days_of_the_activities_they_are_in(planned):
    plan, _pupils, leader = planned
    pupils = by_name(leader, plan, BEFORE_YEAR_7)
    figures = {
        name: (p.planned_hours, p.planned_counted_hours, p.planned_ks3_hours, p.planned_ks4_hours)
        for name, p in pupils.items()
    }
    # The project in school (5 hours, everyone) is in planned_hours but counts zero days.
    assert figures == {
        "Dara": (Decimal(55), Decimal(50), Decimal(25), Decimal(25)),
        "Femi": (Decimal(45), Decimal(40), Decimal(15), Decimal(25)),
        "Sian": (Decimal(45), Decimal(40), Decimal(5), Decimal(35)),
        "Noor": (Decimal(35), Decimal(30), Decimal(5), Decimal(25)),
    }
    assert {name for name, p in pupils.items() if p.short_ks3} == {"Femi", "Sian", "Noor"}
    assert not any(p.short_ks4 for p in pupils.values())


def test_virtual_days_count_only_up_to_the_hubs_cap(planned):
    plan, _pupils, leader = planned
    with all_tenants_UNSAFE("test"):
        PlannedActivity.objects.filter(title="Virtual week").update(expected_hours=20)
    dara = by_name(leader, plan, BEFORE_YEAR_7)["Dara"]
    # 5 in person + 10 insight + 20 virtual capped at 12.5
    assert dara.planned_ks3_hours == Decimal("27.5")
    assert dara.projected_ks3_hours == Decimal("27.5")


def test_the_plan_says_what_it_gives_each_group_disadvantaged_first(planned):
    plan, _pupils, leader = planned
    groups = overview(leader, plan, BEFORE_YEAR_7).groups
    assert [
        (g.label, g.pupils, g.planned_days, g.planned_ks3_days, g.planned_ks4_days,
         g.short_ks3, g.short_ks4)
        for g in groups
    ] == [
        ("Disadvantaged (Pupil Premium)", 1, Decimal("10.00"), Decimal("5.00"),
         Decimal("5.00"), 0, 0),
        ("Free school meals", 1, Decimal("8.00"), Decimal("3.00"), Decimal("5.00"), 1, 0),
        ("Special educational needs", 1, Decimal("8.00"), Decimal("1.00"), Decimal("7.00"),
         1, 0),
        ("Not disadvantaged", 3, Decimal("7.33"), Decimal("1.67"), Decimal("5.67"), 3, 0),
        ("Everyone", 4, Decimal("8.00"), Decimal("2.50"), Decimal("5.50"), 3, 0),
    ]  # fmt: skip


def _log_visit(world, pupils, leader, names, *, linked=True, plan=None):
    activity = None
    if linked:
        with all_tenants_UNSAFE("test"):
            activity = PlannedActivity.objects.get(plan=plan, title="Visit")
    with acting_as(leader):
        return experience_log(
            actor=leader,
            title="Visit to the hospital",
            kind="workplace_visit",
            setting="workplace",
            tier=1,
            start_date=date(2026, 10, 5),
            duration_hours=Decimal(5),
            pupil_ids=[pupils[name].pk for name in names],
            employer_ids=[world.a.employer.pk],
            criteria=["M1", "M2", "M3"],
            planned_activity_id=activity.pk if activity else None,
        )


def test_logging_against_an_activity_moves_delivered(world, planned):
    plan, pupils, leader = planned
    # Before it is logged, the visit is still to come for everyone in its term.
    assert by_name(leader, plan, date(2026, 10, 10))["Noor"].projected_ks3_hours == Decimal(5)
    _log_visit(world, pupils, leader, ["Dara", "Femi", "Sian"], plan=plan)
    seen = overview(leader, plan, date(2026, 10, 10))
    visit = next(d for d in seen.activities if d.activity.title == "Visit")
    assert (visit.planned_pupils, visit.delivered_pupils, visit.experiences) == (4, 3, 1)
    assert visit.delivered_days == Decimal("3.00")
    assert not visit.overdue
    assert seen.coverage.delivered == 2  # T1.O1.a and T1.O1.b
    pupils_now = by_name(leader, plan, date(2026, 10, 10))
    # Dara: 5 counted + 10 virtual + 10 insight still to come; the visit is not counted twice.
    assert pupils_now["Dara"].projected_ks3_hours == Decimal(25)
    assert pupils_now["Dara"].delivered_hours == Decimal(5)
    # Noor missed the visit: once logged it is behind her (the plan would need a catch-up).
    assert pupils_now["Noor"].projected_ks3_hours == Decimal(0)
    assert pupils_now["Noor"].delivered_hours == Decimal(0)


def test_an_activity_with_nothing_logged_is_overdue_once_its_term_ends(world, planned):
    plan, pupils, leader = planned
    _log_visit(world, pupils, leader, ["Dara"], linked=False)
    seen = overview(leader, plan, date(2027, 1, 5))
    assert [d.activity.title for d in seen.overdue] == ["Visit"]
    assert not overview(leader, plan, date(2026, 12, 31)).overdue


def test_suggestions_match_the_cohort_term_and_kind(world, planned):
    _plan, pupils, leader = planned
    with acting_as(leader):
        found = selectors.activity_suggestions(
            actor=leader,
            kind="workplace_visit",
            start_date=date(2026, 11, 2),
            pupil_ids=[pupils["Dara"].pk],
        )
        later = selectors.activity_suggestions(
            actor=leader, kind="placement", start_date=date(2030, 6, 2),
            pupil_ids=[pupils["Dara"].pk],
        )  # fmt: skip
    assert [a.title for a in found] == ["Visit"]
    assert [a.title for a in later] == ["Placement week"]  # Year 10 summer


@pytest.mark.parametrize(
    ("day", "term"),
    [
        (date(2026, 9, 1), "autumn"),
        (date(2026, 12, 31), "autumn"),
        (date(2027, 1, 1), "spring"),
        (date(2027, 3, 31), "spring"),
        (date(2027, 4, 1), "summer"),
        (date(2027, 8, 31), "summer"),
    ],
)
def test_a_date_falls_in_its_term(day, term):
    assert rules.term_of(day) == term


def test_a_cohorts_terms_run_from_year_7_autumn_to_year_11_summer():
    assert rules.term_start(2026, 7, "autumn") == date(2026, 9, 1)
    assert rules.term_end(2026, 7, "autumn") == date(2026, 12, 31)
    assert rules.term_end(2026, 9, "spring") == date(2029, 3, 31)
    assert rules.term_end(2026, 11, "summer") == date(2031, 8, 31)
    assert rules.term_position(7, "autumn") == 0
    assert rules.term_position(11, "summer") == 14

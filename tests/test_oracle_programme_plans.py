"""The plan page's figures (programmes.selectors.plan_overview) equal the oracle's, computed
here in plain Python from the generated world's plain rows: days per group, who would end
each week short, each activity's pupils planned and delivered, what is overdue and the
objectives covered and delivered. Messy worlds (tests/oracle/world.py): every audience,
drafts, experiences logged after the reading, absences, pupils who moved."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from programmes import selectors
from programmes.models import ProgrammePlan
from tests.conftest import ensure_reference_data
from tests.oracle import model as m
from tests.oracle.load import load
from tests.oracle.world import generate

pytestmark = pytest.mark.django_db

SEEDS = range(1, 9)
WEEK = Decimal(25)
IN_PERSON = ("workplace", "community")
TERM_ENDS = {"autumn": (0, 12, 31), "spring": (1, 3, 31), "summer": (1, 8, 31)}


def term_end(cohort: int, year_group: int, term: str) -> date:
    offset, month, day = TERM_ENDS[term]
    return date(cohort + year_group - 7 + offset, month, day)


def average(total: Decimal, count: int):
    return m.half_up(Fraction(total) / (count * 5), 2) if count else None


@dataclass
class Planned:
    counted: Decimal
    ks3: Decimal
    ks4: Decimal
    short_ks3: bool
    short_ks4: bool


def oracle_plan(world: m.World, plan: m.Plan, as_at: date) -> dict:
    hub = world.hub_of_school(plan.school)
    cap = hub.ks3_virtual_cap_days * 5
    mine = [a for a in world.activities if a.plan == plan.id]
    experiences = world.by_id("experiences")
    logged = [x for x in world.experiences if x.planned_activity is not None and x.start <= as_at]
    delivered = {x.planned_activity for x in logged}
    pupils = [
        p
        for p in world.pupils
        if p.school == plan.school and p.cohort == plan.cohort and p.left_on is None
    ]
    figures = {}
    for pupil in pupils:
        progress = m.pupil_progress(world, pupil, as_at)
        theirs = [a for a in mine if m.in_audience(world, a, pupil, as_at)]

        def hours(chosen):
            return sum((a.expected_hours for a in chosen), Decimal(0))

        ks3 = [a for a in theirs if a.year_group <= 9]
        ks3_in = [a for a in ks3 if a.setting in IN_PERSON]
        ks3_virtual = [a for a in ks3 if a.setting == "virtual"]
        ks4 = [
            a
            for a in theirs
            if a.year_group >= 10 and a.kind == "placement" and a.setting == "workplace"
        ]

        def coming(chosen):
            return [
                a
                for a in chosen
                if a.id not in delivered and term_end(plan.cohort, a.year_group, a.term) >= as_at
            ]

        projected_ks3 = (
            progress.ks3_in_person_hours
            + hours(coming(ks3_in))
            + min(progress.ks3_virtual_hours + hours(coming(ks3_virtual)), cap)
        )
        projected_ks4 = progress.ks4_placement_hours + hours(coming(ks4))
        figures[pupil.id] = Planned(
            counted=hours([a for a in theirs if a.setting != "in_school"]),
            ks3=hours(ks3_in) + min(hours(ks3_virtual), cap),
            ks4=hours(ks4),
            short_ks3=projected_ks3 < WEEK,
            short_ks4=projected_ks4 < WEEK,
        )
    groups = []
    for label, member in (
        ("Disadvantaged (Pupil Premium)", lambda p: p.disadvantaged),
        ("Free school meals", lambda p: p.fsm),
        ("Special educational needs", lambda p: p.send != "N"),
        ("Not disadvantaged", lambda p: not p.disadvantaged),
        ("Everyone", lambda p: True),
    ):
        chosen = [figures[p.id] for p in pupils if member(p)]
        groups.append(
            (
                label,
                len(chosen),
                average(sum((f.counted for f in chosen), Decimal(0)), len(chosen)),
                average(sum((f.ks3 for f in chosen), Decimal(0)), len(chosen)),
                average(sum((f.ks4 for f in chosen), Decimal(0)), len(chosen)),
                sum(f.short_ks3 for f in chosen),
                sum(f.short_ks4 for f in chosen),
            )
        )
    on_roll = {p.id for p in world.pupils if p.school == plan.school and p.cohort == plan.cohort}
    activities = {}
    for a in mine:
        took_part = [
            part
            for part in world.participations
            if not part.absent
            and part.pupil in on_roll
            and experiences[part.experience].planned_activity == a.id
            and experiences[part.experience].start <= as_at
        ]
        activities[a.id] = (
            sum(m.in_audience(world, a, p, as_at) for p in pupils),
            len({part.pupil for part in took_part}),
            sum((part.hours_attended for part in took_part), Decimal(0)),
            a.id not in delivered and term_end(plan.cohort, a.year_group, a.term) < as_at,
        )
    return {
        "groups": groups,
        "activities": activities,
        "covered": len({o for a in mine for o in a.objectives}),
        "delivered": len({o for a in mine if a.id in delivered for o in a.objectives}),
    }


def page_plan(loaded, plan: m.Plan, as_at: date) -> dict:
    leader = actor_for_user(loaded.leaders[plan.school])
    with all_tenants_UNSAFE("test"):
        row = ProgrammePlan.objects.get(pk=loaded.db("plans", plan.id))
    with acting_as(leader):
        seen = selectors.plan_overview(actor=leader, plan=row, as_at=as_at)
    return {
        "groups": [
            (
                g.label,
                g.pupils,
                g.planned_days,
                g.planned_ks3_days,
                g.planned_ks4_days,
                g.short_ks3,
                g.short_ks4,
            )
            for g in seen.groups
        ],
        "activities": {
            loaded.plain("activities", d.activity.pk): (
                d.planned_pupils,
                d.delivered_pupils,
                d.delivered_hours,
                d.overdue,
            )
            for d in seen.activities
        },
        "covered": seen.coverage.covered,
        "delivered": seen.coverage.delivered,
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_the_plan_pages_figures_equal_the_oracles(seed):
    ensure_reference_data()
    world = generate(seed)
    loaded = load(world)
    plans = [p for p in world.plans if p.school is not None and p.school in loaded.leaders]
    assert plans, "the generated world has school plans"
    for plan in plans:
        assert page_plan(loaded, plan, world.as_at) == oracle_plan(world, plan, world.as_at), (
            seed,
            plan.id,
        )

"""The planner's domain rules, as plain functions: terms, who an activity is for, what a
plan gives each pupil toward the ten days, which objectives it covers, whether its tiers
progress. The counting follows learners.progress (what counts, the virtual cap, the KS4
placement week): a plan is read with the same rules as what happened.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Least

from learners.models import Experience
from learners.progress import COUNTING_SETTINGS, FLAG, HOURS, WEEK_HOURS, ZERO

from .models import PlannedActivity, Term

TERMS = tuple(Term)
# (month, day) each term ends on; a term holds the dates from the previous term's end.
TERM_ENDS = {Term.AUTUMN: (12, 31), Term.SPRING: (3, 31), Term.SUMMER: (8, 31)}
KS3_YEARS = (7, 8, 9)
KS4_YEARS = (10, 11)


def term_of(day: date) -> Term:
    """Autumn: September to December; spring: January to March; summer: April to August."""
    if day.month >= 9:
        return Term.AUTUMN
    return Term.SPRING if day.month <= 3 else Term.SUMMER


def academic_year_for(cohort: int, year_group: int) -> int:
    return cohort + year_group - 7


def term_end(cohort: int, year_group: int, term: str) -> date:
    """The last day of a term of the cohort's year group."""
    start = academic_year_for(cohort, year_group)
    month, day = TERM_ENDS[Term(term)]
    return date(start if month >= 9 else start + 1, month, day)


def term_start(cohort: int, year_group: int, term: str) -> date:
    start = academic_year_for(cohort, year_group)
    return {
        Term.AUTUMN: date(start, 9, 1),
        Term.SPRING: date(start + 1, 1, 1),
        Term.SUMMER: date(start + 1, 4, 1),
    }[Term(term)]


def term_position(year_group: int, term: str) -> int:
    """An order over the five years' terms: Year 7 autumn is 0, Year 11 summer 14."""
    return (year_group - 7) * 3 + TERMS.index(Term(term))


def is_overdue(activity, *, cohort: int, delivered: bool, as_at: date) -> bool:
    """Its term has ended and nothing was logged against it."""
    return not delivered and term_end(cohort, activity.year_group, activity.term) < as_at


# -- Who takes part -------------------------------------------------------------------


def audience_q(activity) -> Q:
    """The activity's pupils among a cohort's (a Learner queryset annotated with `behind`
    when the audience is BEHIND)."""
    audience = PlannedActivity.Audience
    return {
        audience.WHOLE_YEAR: Q(pk__isnull=False),
        audience.GROUPS: Q(registration_group__in=activity.groups or []),
        audience.DISADVANTAGED: Q(disadvantaged=True),
        audience.FSM: Q(fsm=True),
        audience.SEND: ~Q(send="N"),
        audience.BEHIND: Q(behind=True),
    }[activity.audience]


def counts_in_person(activity) -> bool:
    return activity.setting in COUNTING_SETTINGS and activity.setting != Experience.Setting.VIRTUAL


def is_placement(activity) -> bool:
    """Counts toward the KS4 week: a placement, in person at a workplace."""
    return (
        activity.kind == Experience.Kind.PLACEMENT
        and activity.setting == Experience.Setting.WORKPLACE
    )


def is_virtual(activity) -> bool:
    return activity.setting == Experience.Setting.VIRTUAL


def counted_hours(activity) -> Decimal:
    """What the activity gives a pupil toward the ten days (nothing when done in school)."""
    return activity.expected_hours if activity.setting in COUNTING_SETTINGS else Decimal(0)


def hours_for_pupil(activities):
    """The hours of these activities a pupil is in, as an expression on the pupil's own row
    (annotated with `behind`): audience_q's rule with each audience's hours added up here,
    so the expression has a handful of terms whatever the number of activities."""
    audience = PlannedActivity.Audience
    by_audience: dict[str, Decimal] = defaultdict(Decimal)
    by_group: dict[str, Decimal] = defaultdict(Decimal)
    for activity in activities:
        if activity.audience == audience.GROUPS:
            for group in activity.groups or []:
                by_group[group] += activity.expected_hours
        else:
            by_audience[activity.audience] += activity.expected_hours
    terms = [Value(by_audience.pop(audience.WHOLE_YEAR, Decimal(0)), output_field=HOURS)]
    for kind, hours in sorted(by_audience.items()):
        condition = audience_q(_Audience(kind))
        terms.append(Case(When(condition, then=Value(hours)), default=ZERO, output_field=HOURS))
    if by_group:
        terms.append(
            Case(
                *(When(registration_group=g, then=Value(h)) for g, h in sorted(by_group.items())),
                default=ZERO,
                output_field=HOURS,
            )
        )
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


@dataclass(frozen=True)
class _Audience:
    audience: str
    groups: tuple = ()


def with_planned_days(
    learners, plan, activities, *, delivered_ids=frozenset(), as_at: date, virtual_cap_hours
):
    """Annotate a cohort's pupils (already annotated by learners.progress.with_progress) with
    what the plan gives each and where they would end each week, in one query with no
    subquery: every figure is a few terms on the pupil's own row (hours_for_pupil).

    The plan alone: planned_hours (every activity they are in, any setting),
    planned_counted_hours (those that count toward the ten days), planned_ks3_hours (in
    person plus virtual within the hub's cap) and planned_ks4_hours (placements).

    The projection: what they have counted so far plus what the plan still has to deliver
    to them: activities they are in whose term has not ended and against which nothing has
    been logged yet (`delivered_ids` are those logged against). Once an activity is
    logged, whoever took part has its days counted and whoever missed it does not get
    them later, unless the plan adds a catch-up. projected_ks3_hours, projected_ks4_hours,
    and short_ks3 / short_ks4 when that falls short of the week. Employer variety (two
    employers in KS3) is not projected: a plan may not name its employers yet.
    """
    activities = list(activities)
    cap = Value(Decimal(virtual_cap_hours), output_field=HOURS)
    ks3_in_person = [a for a in activities if a.year_group in KS3_YEARS and counts_in_person(a)]
    ks3_virtual = [a for a in activities if a.year_group in KS3_YEARS and is_virtual(a)]
    ks4 = [a for a in activities if a.year_group in KS4_YEARS and is_placement(a)]

    def still_to_come(chosen):
        return hours_for_pupil(
            [
                a
                for a in chosen
                if a.pk not in delivered_ids
                and term_end(plan.cohort, a.year_group, a.term) >= as_at
            ]
        )

    learners = learners.annotate(
        planned_hours=hours_for_pupil(activities),
        planned_counted_hours=hours_for_pupil([a for a in activities if counted_hours(a)]),
        plan_ks3_in_person=hours_for_pupil(ks3_in_person),
        plan_ks3_virtual=hours_for_pupil(ks3_virtual),
        planned_ks4_hours=hours_for_pupil(ks4),
        coming_ks3_in_person=still_to_come(ks3_in_person),
        coming_ks3_virtual=still_to_come(ks3_virtual),
        coming_ks4=still_to_come(ks4),
    )
    return learners.annotate(
        planned_ks3_hours=F("plan_ks3_in_person")
        + Least(F("plan_ks3_virtual"), cap, output_field=HOURS),
        projected_ks3_hours=F("ks3_in_person_hours")
        + F("coming_ks3_in_person")
        + Least(F("ks3_virtual_hours") + F("coming_ks3_virtual"), cap, output_field=HOURS),
        projected_ks4_hours=F("ks4_placement_hours") + F("coming_ks4"),
    ).annotate(
        short_ks3=Case(
            When(projected_ks3_hours__lt=WEEK_HOURS, then=Value(True)),
            default=Value(False),
            output_field=FLAG,
        ),
        short_ks4=Case(
            When(projected_ks4_hours__lt=WEEK_HOURS, then=Value(True)),
            default=Value(False),
            output_field=FLAG,
        ),
    )


# -- Coverage and progression -----------------------------------------------------------


@dataclass
class ObjectiveRow:
    objective: object
    # Year group -> the activities of that year that target it.
    by_year: dict[int, list] = field(default_factory=dict)
    delivered: bool = False

    @property
    def covered(self) -> bool:
        return any(self.by_year.values())

    @property
    def cells(self) -> list[list]:
        return [self.by_year.get(year, []) for year in range(7, 12)]


@dataclass
class OutcomeRows:
    outcome: object
    rows: list[ObjectiveRow]

    @property
    def covered(self) -> int:
        return sum(row.covered for row in self.rows)


@dataclass
class Coverage:
    outcomes: list[OutcomeRows]

    @property
    def objectives(self) -> int:
        return sum(len(group.rows) for group in self.outcomes)

    @property
    def covered(self) -> int:
        return sum(group.covered for group in self.outcomes)

    @property
    def delivered(self) -> int:
        return sum(row.delivered for group in self.outcomes for row in group.rows)

    @property
    def untouched(self) -> list:
        return [row.objective for group in self.outcomes for row in group.rows if not row.covered]

    @property
    def outcomes_covered(self) -> int:
        return sum(1 for group in self.outcomes if group.covered)


def coverage(outcomes, activities, delivered_ids=frozenset()) -> Coverage:
    """The framework's outcomes and objectives against Years 7-11: which activities cover
    each; `delivered_ids`, the activities logged against, mark objectives delivered.

    `outcomes` come with their objectives prefetched, `activities` with theirs."""
    by_objective: dict[int, ObjectiveRow] = {}
    groups = []
    for outcome in outcomes:
        rows = [ObjectiveRow(objective) for objective in outcome.objectives.all()]
        by_objective.update((row.objective.pk, row) for row in rows)
        groups.append(OutcomeRows(outcome, rows))
    for activity in activities:
        for objective in activity.objectives.all():
            row = by_objective.get(objective.pk)
            if row is None:  # an objective of another framework version
                continue
            row.by_year.setdefault(activity.year_group, []).append(activity)
            if activity.pk in delivered_ids:
                row.delivered = True
    return Coverage(groups)


@dataclass(frozen=True)
class TierStart:
    tier: int
    year_group: int | None
    term: str | None

    @property
    def position(self):
        return None if self.year_group is None else term_position(self.year_group, self.term)


@dataclass(frozen=True)
class Progression:
    starts: tuple[TierStart, ...]
    # (tier, the lower tier it starts before): e.g. (3, 2) when Tier 3 starts before Tier 2.
    out_of_order: tuple[tuple[int, int], ...]

    @property
    def progresses(self) -> bool:
        return not self.out_of_order


def progression(activities) -> Progression:
    """Where each tier first appears; a tier that starts before a lower one (or with no
    lower one planned at all) breaks the progression from Tier 1 to Tier 3."""
    first: dict[int, tuple[int, str]] = {}
    for activity in activities:
        here = (activity.year_group, activity.term)
        known = first.get(activity.tier)
        if known is None or term_position(*here) < term_position(*known):
            first[activity.tier] = here
    starts = tuple(TierStart(tier, *first.get(tier, (None, None))) for tier in (1, 2, 3))
    out_of_order = []
    for higher in starts[1:]:
        if higher.position is None:
            continue
        for lower in starts[: higher.tier - 1]:
            if lower.position is None or lower.position > higher.position:
                out_of_order.append((higher.tier, lower.tier))
    return Progression(starts, tuple(out_of_order))

"""Reads of plans: the plan page's figures, the pupils a plan would leave short, what was
delivered, suggestions when logging, and the hub's view across its schools. Every read
is a fixed number of queries whatever the plan's or the cohort's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from access.context import acting_as
from learners.academic import academic_year_label, academic_year_of, year_group_on
from learners.models import Learner, Participation
from learners.progress import HOURS, HOURS_PER_DAY, ZERO, days, round_half_up, with_progress
from learners.selectors import rules_for_school
from outcomes.models import Objective, Outcome
from schools.models import School

from . import rules
from .models import PlannedActivity, ProgrammePlan, Term

PLAN_YEARS = tuple(range(7, 12))


def activity_label(activity) -> str:
    """ "Year 9 spring: Hospital insight day (2024/25 cohort)" for choosing it in a list."""
    label = f"Year {activity.year_group} {activity.term}: {activity.title}"
    if activity.plan.cohort is not None:
        label += f" ({academic_year_label(activity.plan.cohort)} Year 7 cohort)"
    return label


def activities_to_deliver():
    """Activities of the school's published plans an experience may be logged against."""
    return (
        PlannedActivity.objects.filter(school__isnull=False, plan__status="published")
        .select_related("plan")
        .order_by("-plan__cohort", "year_group", "term", "title", "pk")
    )


def plan_list(*, actor):
    """The plans the actor reads: a school's (drafts only to its careers leader), or a hub
    lead's templates."""
    plans = ProgrammePlan.objects.annotate(activity_count=Count("activities"))
    if actor.school_id:
        return plans.filter(school_id=actor.school_id).order_by("-cohort")
    return plans.filter(school__isnull=True).order_by("title")


def templates_available(*, actor):
    """The hub's published templates, for a careers leader to copy."""
    return (
        ProgrammePlan.objects.filter(school__isnull=True, status="published")
        .annotate(activity_count=Count("activities"))
        .order_by("title")
    )


def cohorts_to_plan(today: date) -> list[tuple[int, str]]:
    """(cohort, its description): Years 7-11 now and next September's Year 7."""
    current = academic_year_of(today)
    choices = [(current + 1, f"Starting Year 7 in September {current + 1}")]
    for cohort in range(current, current - 5, -1):
        choices.append(
            (
                cohort,
                f"Now in Year {year_group_on(cohort, today)} "
                f"(Year 7 in {academic_year_label(cohort)})",
            )
        )
    return choices


def plan_get(*, actor, plan_id: int) -> ProgrammePlan:
    return ProgrammePlan.objects.select_related("school", "copied_from").get(pk=plan_id)


def plan_activities(plan, *, logged_by: date | None = None):
    """The plan's activities in order; `logged_by`: each with `logged`, the experiences
    logged against it by that day (the activity's own relation, so a hub lead reading a
    school's plan sees the same as its staff)."""
    activities = plan.activities
    if logged_by is not None:
        activities = activities.annotate(
            logged=Count(
                "experiences", filter=Q(experiences__start_date__lte=logged_by), distinct=True
            )
        )
    return activities.prefetch_related(
        Prefetch("objectives", queryset=Objective.objects.select_related("outcome__tier")),
        "sectors",
        "employers",
    ).order_by("year_group", "term", "tier", "title", "pk")


def framework_outcomes():
    return (
        Outcome.objects.filter(tier__framework__is_current=True)
        .select_related("tier")
        .prefetch_related("objectives")
        .order_by("tier__level", "position")
    )


def cohort_pupils(plan):
    """The pupils a school plan is for: the cohort, on the school's roll."""
    return Learner.objects.filter(
        school_id=plan.school_id, cohort=plan.cohort, left_on__isnull=True
    )


def _delivered_hours(plan, as_at: date):
    # Hours each pupil attended in experiences logged against the plan's activities.
    return Coalesce(
        Subquery(
            Participation.objects.filter(
                learner_id=OuterRef("pk"),
                absent=False,
                experience__planned_activity__plan_id=plan.pk,
                start_date__lte=as_at,
            )
            .values("learner_id")
            .annotate(total=Sum("hours_attended"))
            .values("total"),
            output_field=HOURS,
        ),
        ZERO,
    )


def plan_pupils(*, actor, plan, activities, as_at: date, delivered_ids, with_delivered=False):
    """The cohort's pupils with the plan's days and their projection (rules.with_planned_days)
    and, `with_delivered`, the hours each attended of what was logged against the plan."""
    progress_rules = rules_for_school(actor=actor, school_id=plan.school_id)
    pupils = with_progress(
        cohort_pupils(plan), rules=progress_rules, as_at=as_at, cohorts=[plan.cohort]
    )
    pupils = rules.with_planned_days(
        pupils,
        plan,
        activities,
        delivered_ids=delivered_ids,
        as_at=as_at,
        virtual_cap_hours=progress_rules.ks3_virtual_cap_hours,
    )
    if with_delivered:
        pupils = pupils.annotate(delivered_hours=_delivered_hours(plan, as_at))
    return pupils


def year_group_now(plan, as_at: date) -> int | None:
    """The cohort's year group on the day, within 7-11 (before Year 7: 7; after: 11)."""
    if plan.cohort is None:
        return None
    return min(max(year_group_on(plan.cohort, as_at), 7), 11)


def short_field(year_group: int | None) -> str:
    """The week still ahead of the cohort: KS3 until the end of Year 9, then KS4."""
    return "short_ks3" if year_group is None or year_group <= 9 else "short_ks4"


# What the pupils' table of a plan shows of each pupil.
PUPIL_FIELDS = (
    "pk",
    "surname",
    "legal_first_name",
    "preferred_first_name",
    "registration_group",
    "disadvantaged",
    "fsm",
    "send",
    "planned_counted_hours",
    "ks3_hours",
    "ks4_placement_hours",
    "projected_ks3_hours",
    "projected_ks4_hours",
    "short_ks3",
    "short_ks4",
)


def pupils_in_order(pupils, *, year_group: int | None):
    """Short of the week still ahead of them first, disadvantaged first among them."""
    short = short_field(year_group)
    return pupils.order_by(F(short).desc(), "-disadvantaged", "surname", "legal_first_name", "pk")


@dataclass
class GroupDays:
    label: str
    pupils: int
    planned_days: Decimal | None
    planned_ks3_days: Decimal | None
    planned_ks4_days: Decimal | None
    short_ks3: int
    short_ks4: int


GROUPS = (
    ("Disadvantaged (Pupil Premium)", Q(disadvantaged=True)),
    ("Free school meals", Q(fsm=True)),
    ("Special educational needs", ~Q(send="N")),
    ("Not disadvantaged", Q(disadvantaged=False)),
    ("Everyone", Q(pk__isnull=False)),
)


def _average_days(total, count):
    """Days per pupil, rounded half up to 0.01 day from the exact share (the one published
    rounding, learners.progress.round_half_up)."""
    if not count:
        return None
    return round_half_up(Fraction(Decimal(total or 0)) / Fraction(count * HOURS_PER_DAY), 2)


def cohort_totals(pupils, activities, *, roll) -> tuple[list[GroupDays], dict[int, int]]:
    """What the plan gives each group of pupils, on average, and how many of each would
    end a week short; and how many pupils each activity is for now. Two queries: the
    figures, and the pupils on the cohort's `roll` by registration group."""
    aggregates = {"pupils_behind": Count("pk", filter=Q(behind=True))}
    for index, (_label, condition) in enumerate(GROUPS):
        aggregates[f"g{index}_pupils"] = Count("pk", filter=condition)
        for name in ("planned_counted_hours", "planned_ks3_hours", "planned_ks4_hours"):
            aggregates[f"g{index}_{name}"] = Sum(name, filter=condition)
        aggregates[f"g{index}_short_ks3"] = Count("pk", filter=condition & Q(short_ks3=True))
        aggregates[f"g{index}_short_ks4"] = Count("pk", filter=condition & Q(short_ks4=True))
    # Each figure is a few CASE terms on the pupil's own row (rules.with_planned_days), so
    # repeating them in every aggregate is cheaper than wrapping the rows in a subquery.
    totals = pupils.order_by().aggregate(**aggregates)
    rows = []
    for index, (label, _condition) in enumerate(GROUPS):
        count = totals[f"g{index}_pupils"]
        rows.append(
            GroupDays(
                label=label,
                pupils=count,
                planned_days=_average_days(totals[f"g{index}_planned_counted_hours"], count),
                planned_ks3_days=_average_days(totals[f"g{index}_planned_ks3_hours"], count),
                planned_ks4_days=_average_days(totals[f"g{index}_planned_ks4_hours"], count),
                short_ks3=totals[f"g{index}_short_ks3"],
                short_ks4=totals[f"g{index}_short_ks4"],
            )
        )
    by_group = dict(
        roll.order_by()
        .values_list("registration_group")
        .annotate(pupils=Count("pk"))
        .values_list("registration_group", "pupils")
    )
    audience = PlannedActivity.Audience
    # Who each audience is, counted above (audience_q's rule, group by group).
    sizes = {
        audience.WHOLE_YEAR: rows[4].pupils,
        audience.DISADVANTAGED: rows[0].pupils,
        audience.FSM: rows[1].pupils,
        audience.SEND: rows[2].pupils,
        audience.BEHIND: totals["pupils_behind"],
    }
    planned = {
        a.pk: sum(by_group.get(g, 0) for g in a.groups or [])
        if a.audience == audience.GROUPS
        else sizes[a.audience]
        for a in activities
    }
    return rows, planned


@dataclass
class ActivityDelivery:
    activity: PlannedActivity
    planned_pupils: int | None
    delivered_pupils: int = 0
    delivered_hours: Decimal = Decimal(0)
    experiences: int = 0
    last_delivered: date | None = None
    overdue: bool = False
    starts: date | None = None
    ends: date | None = None

    @property
    def planned_days(self) -> Decimal:
        return days(self.activity.expected_hours)

    @property
    def delivered_days(self) -> Decimal:
        return days(self.delivered_hours)

    @property
    def delivered(self) -> bool:
        return self.experiences > 0


def activity_delivery(plan, activities, *, planned=None, as_at: date) -> list[ActivityDelivery]:
    """Per activity: pupils it is for (`planned`, from cohort_totals), pupils who took
    part and their days, experiences logged, and whether it is overdue. One query."""
    activities = list(activities)
    planned = planned or {}
    delivered = {}
    if plan.school_id is not None:
        delivered = {
            row["experience__planned_activity_id"]: row
            for row in Participation.objects.filter(
                experience__planned_activity__plan_id=plan.pk,
                learner__cohort=plan.cohort,
                absent=False,
                start_date__lte=as_at,
            )
            .values("experience__planned_activity_id")
            .annotate(
                pupils=Count("learner_id", distinct=True),
                hours=Sum("hours_attended"),
                experiences=Count("experience_id", distinct=True),
                last=Max("start_date"),
            )
        }
    rows = []
    for activity in activities:
        row = delivered.get(activity.pk, {})
        entry = ActivityDelivery(
            activity,
            planned_pupils=planned.get(activity.pk),
            delivered_pupils=row.get("pupils", 0),
            delivered_hours=row.get("hours") or Decimal(0),
            # Every experience logged against it by the day, whoever took part.
            experiences=getattr(activity, "logged", row.get("experiences", 0)),
            last_delivered=row.get("last"),
        )
        if plan.cohort is not None:
            entry.starts = rules.term_start(plan.cohort, activity.year_group, activity.term)
            entry.ends = rules.term_end(plan.cohort, activity.year_group, activity.term)
            entry.overdue = rules.is_overdue(
                activity, cohort=plan.cohort, delivered=entry.delivered, as_at=as_at
            )
        rows.append(entry)
    return rows


@dataclass
class YearColumn:
    year_group: int
    terms: list[tuple[str, list[ActivityDelivery]]] = field(default_factory=list)
    planned_days: Decimal = Decimal(0)  # days the plan gives a pupil of the whole year


@dataclass
class PlanOverview:
    plan: ProgrammePlan
    activities: list[ActivityDelivery]
    years: list[YearColumn]
    coverage: rules.Coverage
    progression: rules.Progression
    groups: list[GroupDays] | None
    short: list | None
    overdue: list[ActivityDelivery]
    pupils: int | None
    as_at: date
    current_year_group: int | None


SHORT_LISTED = 20


def plan_overview(*, actor, plan, as_at: date, with_pupils: bool = True) -> PlanOverview:
    """Everything the plan page shows, in a fixed number of queries. `with_pupils` (the
    school's own staff): the days per pupil and group and who would end short; others (a
    hub lead reading a school's published plan) see the plan and what was delivered, as
    totals."""
    activities = list(plan_activities(plan, logged_by=as_at))
    pupils = None
    with_pupils = with_pupils and plan.school_id is not None
    if with_pupils:
        pupils = plan_pupils(
            actor=actor,
            plan=plan,
            activities=activities,
            as_at=as_at,
            delivered_ids={a.pk for a in activities if a.logged},
        )
        groups, planned = cohort_totals(pupils, activities, roll=cohort_pupils(plan))
        deliveries = activity_delivery(plan, activities, planned=planned, as_at=as_at)
    else:
        with acting_as(actor.for_aggregates()):
            deliveries = activity_delivery(plan, activities, as_at=as_at)
    years = []
    for year_group in PLAN_YEARS:
        column = YearColumn(year_group)
        for term in Term:
            column.terms.append(
                (
                    term.label,
                    [
                        d
                        for d in deliveries
                        if d.activity.year_group == year_group and d.activity.term == term
                    ],
                )
            )
        column.planned_days = days(
            sum(
                (
                    rules.counted_hours(d.activity)
                    for d in deliveries
                    if d.activity.year_group == year_group
                    and d.activity.audience == PlannedActivity.Audience.WHOLE_YEAR
                ),
                Decimal(0),
            )
        )
        years.append(column)
    delivered_ids = {d.activity.pk for d in deliveries if d.delivered}
    current_year = year_group_now(plan, as_at)
    short = count = None
    if pupils is None:
        groups = None
    else:
        count = groups[-1].pupils
        ahead = short_field(current_year)
        short = list(
            pupils_in_order(pupils.filter(**{ahead: True}), year_group=current_year).values(
                *PUPIL_FIELDS
            )[:SHORT_LISTED]
        )
    return PlanOverview(
        plan=plan,
        activities=deliveries,
        years=years,
        coverage=rules.coverage(framework_outcomes(), activities, delivered_ids),
        progression=rules.progression(activities),
        groups=groups,
        short=short,
        overdue=[d for d in deliveries if d.overdue],
        pupils=count,
        as_at=as_at,
        current_year_group=current_year,
    )


def activity_audience_ids(*, actor, activity, as_at: date) -> list[int]:
    """The pupils an activity is for now (to log it for them)."""
    plan = activity.plan
    pupils = cohort_pupils(plan)
    if activity.audience == PlannedActivity.Audience.BEHIND:
        progress_rules = rules_for_school(actor=actor, school_id=plan.school_id)
        pupils = with_progress(pupils, rules=progress_rules, as_at=as_at, cohorts=[plan.cohort])
    return list(pupils.filter(rules.audience_q(activity)).values_list("pk", flat=True))


def activity_suggestions(
    *, actor, kind: str, start_date: date, objective_ids=(), pupil_ids=(), limit: int = 3
) -> list[PlannedActivity]:
    """Published activities an experience probably delivers: of the pupils' cohort, for
    the year and term of its date, ranked by the same kind, then shared objectives."""
    cohorts = set(Learner.objects.filter(pk__in=list(pupil_ids)).values_list("cohort", flat=True))
    if not cohorts:
        return []
    term = rules.term_of(start_date)
    year = academic_year_of(start_date)
    candidates = (
        activities_to_deliver()
        .filter(plan__cohort__in=cohorts)
        .annotate(
            starts_in=ExpressionWrapper(
                F("plan__cohort") + F("year_group") - 7, output_field=IntegerField()
            ),
            shared=Count("objectives", filter=Q(objectives__in=list(objective_ids))),
        )
        .filter(starts_in=year)
    )
    ranked = sorted(
        candidates,
        key=lambda a: (
            a.kind != kind,
            a.term != term,
            -a.shared,
            a.title,
            a.pk,
        ),
    )
    return [a for a in ranked if a.kind == kind or a.term == term or a.shared][:limit]


# -- The hub's view ----------------------------------------------------------------------


@dataclass
class SchoolPlans:
    school: School
    # Year group now -> the published plan of that cohort, or None.
    by_year: dict[int, ProgrammePlan | None]

    @property
    def plans(self) -> list:
        return [self.by_year[year] for year in PLAN_YEARS]

    @property
    def published(self) -> int:
        return sum(plan is not None for plan in self.by_year.values())


@dataclass
class DemandRow:
    sector: str
    academic_year: int
    term: str
    schools: int
    activities: int

    @property
    def when(self) -> str:
        return f"{Term(self.term).label} {academic_year_label(self.academic_year)}"


@dataclass
class HubProgrammes:
    schools: list[SchoolPlans]
    coverage: list[tuple[object, list[tuple[Objective, int]]]]
    demand: list[DemandRow]
    school_count: int

    @property
    def with_a_plan(self) -> int:
        return sum(1 for s in self.schools if s.published)


def hub_programmes(*, actor, as_at: date) -> HubProgrammes:
    """Which schools have published plans for their Years 7-11, which objectives the
    hub's plans cover (in how many schools), and where many schools plan activities in
    the same sector and term: employer demand to recruit for. Four queries."""
    current = academic_year_of(as_at)
    cohorts = {current - (year - 7): year for year in PLAN_YEARS}
    schools = list(School.objects.filter(hub_id=actor.hub_id).order_by("name"))
    published = ProgrammePlan.objects.filter(
        hub_id=actor.hub_id,
        school__isnull=False,
        status="published",
        cohort__in=list(cohorts),
    )
    by_school = defaultdict(dict)
    for plan in published:
        by_school[plan.school_id][cohorts[plan.cohort]] = plan
    school_rows = [
        SchoolPlans(school, {year: by_school[school.pk].get(year) for year in PLAN_YEARS})
        for school in schools
    ]
    in_use = PlannedActivity.objects.filter(
        hub_id=actor.hub_id,
        school__isnull=False,
        plan__status="published",
        plan__cohort__in=list(cohorts),
    )
    covered = dict(
        in_use.filter(objectives__isnull=False)
        .values("objectives")
        .annotate(schools=Count("school", distinct=True))
        .values_list("objectives", "schools")
    )
    coverage_rows = [
        (outcome, [(goal, covered.get(goal.pk, 0)) for goal in outcome.objectives.all()])
        for outcome in framework_outcomes()
    ]
    demand = [
        DemandRow(
            sector=row["sectors__name"],
            academic_year=row["year"],
            term=row["term"],
            schools=row["schools"],
            activities=row["activities"],
        )
        for row in in_use.filter(sectors__isnull=False)
        .annotate(
            year=ExpressionWrapper(
                F("plan__cohort") + F("year_group") - 7, output_field=IntegerField()
            )
        )
        .filter(year__gte=current)
        .values("sectors__name", "year", "term")
        .annotate(schools=Count("school", distinct=True), activities=Count("pk", distinct=True))
        .order_by("-schools", "-activities", "year", "term", "sectors__name")
    ]
    return HubProgrammes(school_rows, coverage_rows, demand, len(schools))

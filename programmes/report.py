"""The school report's programme page (reports.builders.school_summary's "programme"): for
each of Years 7-11, the cohort's published plan, its activities of that year planned and
delivered, and the days they give each pupil, planned and delivered; then how many of the
framework's objectives the plans cover and how many of those were delivered.

As the report states them (issue 16), as at a date whose academic year is A:

- Year Y's cohort is A - (Y - 7); its plan is the school's published plan of that cohort,
  if any (a draft is no plan). The row's activities are the plan's activities of Year Y.
- An activity is delivered when an experience logged against it (Experience.
  planned_activity) started on or before the date.
- The cohort's pupils are the report's own year rows' (school_summary counts them with
  grouped_progress over the school's Learner rows of the cohort): the school's current
  pupils of the cohort, leavers included as in every figure of the report, pupils who
  moved in included and those who moved away not.
- Planned days per pupil: over the row's activities that count toward the ten days
  (rules.counted_hours > 0), their expected hours times the cohort's pupils in each
  activity's audience (rules.audience_q; "behind" as at the date, by
  learners.progress.with_progress), divided by the pupils and by 5 hours a day. A pupil
  recorded as left is in no registration group (on_roll_q): their flags stay on their
  record, but their group is the school's arrangement, which ends when they leave and
  which pseudonymising empties (privacy.leavers), so counting it would change a past
  figure. The plan page counts only pupils on roll in every audience.
- Delivered days per pupil: the hours the cohort's pupils attended (not absent) in
  experiences logged against the row's activities that started on or before the date,
  divided by the pupils and by 5 hours a day. Any setting, as the plan page's delivered
  figure (selectors._delivered_hours): what was delivered against the plan.
- Both rounded half up to two places from the exact fraction (days_per_pupil); none when
  the cohort has no pupils or there is no published plan.
- Objectives: the current framework's (objectives_total); the distinct ones targeted by
  any activity of these published plans, whatever its year (objectives_planned); of
  those, the ones targeted by a delivered activity (objectives_delivered). Objectives of
  an earlier framework version are not counted, as on the plan page (rules.coverage).

Six queries, whatever the number of plans, activities and pupils. Every read goes
through the scoped managers under the reader's actor: the report runs for a school's
careers leader and staff, its hub lead and its trust's lead, who each read the school's
published plans (access.rules).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, F, Q, Sum

from learners.academic import academic_year_of
from learners.models import Learner, Participation
from learners.progress import HOURS_PER_DAY, ProgressRules, round_half_up, with_progress
from outcomes.models import Objective

from .models import PlannedActivity, ProgrammePlan
from .rules import audience_q, counted_hours

REPORT_YEARS = tuple(range(7, 12))


def days_per_pupil(hours, pupils: int) -> Decimal | None:
    """Hours shared among pupils, in days of 5 hours, rounded half up to two places from
    the exact fraction (1.525 -> 1.53); None when there is nobody to share them."""
    if not pupils:
        return None
    return round_half_up(Fraction(hours) / (pupils * int(HOURS_PER_DAY)), 2)


def cohorts_by_year(as_at: date) -> dict[int, int]:
    """Year group -> the cohort in it in the date's academic year, Years 7-11."""
    year = academic_year_of(as_at)
    return {year_group: year - (year_group - 7) for year_group in REPORT_YEARS}


def on_roll_q(activity) -> Q:
    """Pupils in an activity's audience by registration group are pupils on roll: a leaver
    belongs to no group (see the module's words)."""
    if activity.audience == PlannedActivity.Audience.GROUPS:
        return Q(left_on__isnull=True)
    return Q()


def _audience_key(activity) -> tuple:
    """Activities with equal keys are for the same pupils of the same cohort."""
    groups = activity.audience == PlannedActivity.Audience.GROUPS
    return (activity.cohort, activity.audience, tuple(sorted(activity.groups or ())) * groups)


def school_programme(*, school_id: int, as_at: date, rules: ProgressRules) -> dict:
    """The programme page of the school's report as at a date (see the module's words).
    `rules`, the school's hub's progress rules, say who is behind."""
    cohorts = cohorts_by_year(as_at)
    year_of = {cohort: year_group for year_group, cohort in cohorts.items()}
    published = Q(
        plan__school_id=school_id,
        plan__status=ProgrammePlan.Status.PUBLISHED,
        plan__cohort__in=list(year_of),
    )
    # 1. The published plans of the five cohorts (one per cohort, by constraint).
    plans = {
        plan.cohort: plan
        for plan in ProgrammePlan.objects.filter(
            school_id=school_id,
            status=ProgrammePlan.Status.PUBLISHED,
            cohort__in=list(year_of),
        ).only("pk", "cohort", "title")
    }
    # 2. Their activities, each with how many experiences logged against it had started
    # by the date. Through the activity's own relation rather than Experience.objects:
    # that an activity was delivered is what the plan page shows a hub lead too
    # (selectors.activity_delivery), and the Experience scope gives a hub or trust lead
    # no experience rows to read.
    activities = list(
        PlannedActivity.objects.filter(published)
        .annotate(
            cohort=F("plan__cohort"),
            started=Count("experiences", filter=Q(experiences__start_date__lte=as_at)),
        )
        .only("pk", "plan_id", "year_group", "setting", "expected_hours", "audience", "groups")
        .order_by("pk")
    )
    delivered = {a.pk for a in activities if a.started}
    # 3. Their objectives of the current framework, as (activity, objective) pairs.
    targets = list(
        PlannedActivity.objects.filter(
            published, objectives__outcome__tier__framework__is_current=True
        ).values_list("pk", "objectives")
    )
    # 4. The current framework's objectives.
    objectives_total = Objective.objects.filter(outcome__tier__framework__is_current=True).count()

    in_row = [a for a in activities if a.year_group == year_of[a.cohort]]
    counted = [a for a in in_row if counted_hours(a) > 0]
    # 5. The cohorts' pupils, and how many of each cohort each counted activity is for,
    # in one aggregate ("behind" needs the progress figures as at the date). Activities
    # for the same pupils (a cohort's whole year, its disadvantaged...) share one count,
    # so the statement grows with the kinds of audience, not with the plans' length.
    audiences = {_audience_key(a): a for a in counted}
    names = {key: f"a{n}" for n, key in enumerate(audiences)}
    pupils = Learner.objects.filter(school_id=school_id, cohort__in=list(year_of))
    if any(a.audience == PlannedActivity.Audience.BEHIND for a in counted):
        pupils = with_progress(pupils, rules=rules, as_at=as_at, cohorts=list(year_of))
    tallies = pupils.order_by().aggregate(
        **{f"c{cohort}": Count("pk", filter=Q(cohort=cohort)) for cohort in year_of},
        **{
            names[key]: Count("pk", filter=Q(cohort=a.cohort) & audience_q(a) & on_roll_q(a))
            for key, a in audiences.items()
        },
    )
    # 6. Hours the cohorts' pupils attended in experiences logged against the plans'
    # activities by the date, per activity and pupils' cohort. A participation carries
    # its pupil's current school and its experience's first day (learners.models).
    attended = (
        Participation.objects.filter(
            school_id=school_id,
            learner__cohort__in=list(year_of),
            absent=False,
            start_date__lte=as_at,
            experience__planned_activity__plan__school_id=school_id,
            experience__planned_activity__plan__status=ProgrammePlan.Status.PUBLISHED,
            experience__planned_activity__plan__cohort__in=list(year_of),
        )
        .values("learner__cohort", "experience__planned_activity_id")
        .annotate(hours=Sum("hours_attended"))
        .order_by()
    )
    row_activity = {a.pk: a for a in in_row}
    delivered_hours = dict.fromkeys(year_of, Fraction(0))
    for row in attended:
        activity = row_activity.get(row["experience__planned_activity_id"])
        # Only the cohort's own pupils, in its own plan's activities of the year.
        if activity is not None and activity.cohort == row["learner__cohort"]:
            delivered_hours[activity.cohort] += Fraction(row["hours"])

    years = []
    for year_group, cohort in cohorts.items():
        plan = plans.get(cohort)
        mine = [a for a in in_row if a.cohort == cohort]
        count = tallies[f"c{cohort}"]
        planned_hours = sum(
            (
                Fraction(a.expected_hours) * tallies[names[_audience_key(a)]]
                for a in counted
                if a.cohort == cohort
            ),
            Fraction(0),
        )
        years.append(
            {
                "year_group": year_group,
                "cohort": cohort,
                "plan": plan.title if plan else None,
                "pupils": count,
                "activities_planned": len(mine),
                "activities_delivered": sum(a.pk in delivered for a in mine),
                "planned_days_per_pupil": days_per_pupil(planned_hours, count) if plan else None,
                "delivered_days_per_pupil": (
                    days_per_pupil(delivered_hours[cohort], count) if plan else None
                ),
            }
        )
    return {
        "years": years,
        "objectives_total": objectives_total,
        "objectives_planned": len({objective for _a, objective in targets}),
        "objectives_delivered": len({o for a, o in targets if a in delivered}),
    }

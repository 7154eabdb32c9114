from datetime import date

from django.db.models import Count, F, Q
from django.utils import timezone

from learners.academic import academic_year_of, cohort_for
from learners.models import Learner

from .models import School


def school_year_group_summary(*, actor, school_id, on: date | None = None):
    """Pupils per year group in one school with FSM, disadvantaged and SEND counts.

    Aggregated through the (scoped) school so hub leads get counts without pupil rows.
    Always lists Years 7-11, and 12-13 where the school has pupils in them.
    """
    on = on or timezone.localdate()
    year = academic_year_of(on)
    rows = (
        School.objects.filter(
            pk=school_id, learners__cohort__gte=year - 6, learners__cohort__lte=year
        )
        .values(cohort=F("learners__cohort"))
        .annotate(
            pupils=Count("learners"),
            fsm=Count("learners", filter=Q(learners__fsm=True)),
            disadvantaged=Count("learners", filter=Q(learners__disadvantaged=True)),
            send_support=Count("learners", filter=Q(learners__send=Learner.SEND.SUPPORT)),
            ehc_plan=Count("learners", filter=Q(learners__send=Learner.SEND.EHC_PLAN)),
        )
        .order_by()
    )
    by_cohort = {row["cohort"]: row for row in rows}
    empty = {"pupils": 0, "fsm": 0, "disadvantaged": 0, "send_support": 0, "ehc_plan": 0}
    summary = []
    for year_group in range(7, 14):
        row = by_cohort.get(cohort_for(year_group, on))
        if row or year_group <= 11:
            summary.append({**empty, **(row or {}), "year_group": year_group})
    return summary


def school_pupils_in_year(*, actor, school_id, year_group: int, on: date | None = None):
    on = on or timezone.localdate()
    return Learner.objects.filter(school_id=school_id, cohort=cohort_for(year_group, on)).order_by(
        "surname", "legal_first_name"
    )


def trust_school_progress(*, actor, as_at: date | None = None) -> list[dict]:
    """The trust lead's schools, each with the hub dashboard's row of figures (the same
    function counts both), as totals: read in the actor's aggregate scope, so no pupil row
    leaves. Each row says whether the school grants the trust its named pupils."""
    from access.context import acting_as
    from reports.builders import schools_progress

    as_at = as_at or timezone.localdate()
    schools = list(School.objects.select_related("hub").order_by("name", "pk"))
    with acting_as(actor.for_aggregates()):
        rows = schools_progress(schools, as_at=as_at)
    named = set(actor.trust_named_pupil_school_ids)
    for school, row in zip(schools, rows, strict=True):
        row["hub"] = school.hub.name
        row["grants_named_pupils"] = school.pk in named
    return rows


def trust_school_get(*, actor, school_id: int, named: bool = False) -> School:
    """One of the trust lead's schools (DoesNotExist for any other); with named=True only
    one that grants the trust its named pupils."""
    if named and school_id not in actor.trust_named_pupil_school_ids:
        raise School.DoesNotExist
    return School.objects.select_related("hub").get(pk=school_id)


def trust_pupil_access_of_school(*, actor):
    """The careers leader's school with its trust and its grant to the trust (or None)."""
    from .models import TrustPupilAccess

    school = School.objects.select_related("trust").get(pk=actor.school_id)
    grant = (
        TrustPupilAccess.objects.filter(school_id=school.pk, trust_id=school.trust_id)
        .select_related("granted_by")
        .first()
    )
    return school, grant

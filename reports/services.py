"""Requesting a report: one run per identical request while it is queued or running."""

from datetime import date

from django.db import IntegrityError, transaction

from hubs.models import Hub
from learners.models import Learner
from schools.models import School

from .models import ReportRun


def report_request(
    *,
    actor,
    kind: str,
    as_at: date,
    school_id: int | None = None,
    pupil_id: int | None = None,
    year_group: int | None = None,
    hub_id: int | None = None,
) -> ReportRun:
    """Queue a report (or join the identical one already queued or running).

    The scope is read through the scoped managers, so another tenant's school or pupil
    raises DoesNotExist here, before anything is queued.
    """
    fields = {"kind": kind, "as_at": as_at, "year_group": year_group}
    if kind == ReportRun.Kind.HUB_DASHBOARD:
        # Hub leads get their own hub; the nightly refresh (a system actor) names one.
        fields["hub"] = Hub.objects.get(pk=actor.hub_id or hub_id)
    elif kind == ReportRun.Kind.PUPIL_RECORD:
        pupil = Learner.objects.get(pk=pupil_id)
        fields.update(hub_id=pupil.hub_id, school_id=pupil.school_id, learner=pupil)
    else:
        school = School.objects.get(pk=school_id)
        fields.update(hub_id=school.hub_id, school=school)
    lookup = dict(fields)
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(requested_by_id=actor.user_id, **fields)
    except IntegrityError:
        # Someone asked for the same report a moment ago: join their run.
        return ReportRun.objects.get(status__in=ReportRun.ACTIVE, **lookup)
    from .tasks import build_report

    transaction.on_commit(
        lambda: build_report.apply_async(args=[run.pk], kwargs={"actor": actor.to_spec()})
    )
    return run


def latest_report(*, actor, kind: str, **scope) -> ReportRun | None:
    return (
        ReportRun.objects.filter(kind=kind, status=ReportRun.Status.DONE, **scope)
        .order_by("-finished_at")
        .first()
    )


def active_report(*, actor, kind: str, **scope) -> ReportRun | None:
    return ReportRun.objects.filter(kind=kind, status__in=ReportRun.ACTIVE, **scope).first()

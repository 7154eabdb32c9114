"""Building reports in the background: claimed once, idempotent, retried on lost databases."""

import os
import time

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone

from access.tasks import ScopedTask

from . import builders
from .models import ReportRun


class ReportTask(ScopedTask):
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 2
    max_retries = 5


def _set(run_id: int, task_id: str, **fields) -> int:
    return ReportRun.objects.filter(pk=run_id, claimed_by=task_id).update(**fields)


@shared_task(base=ReportTask, bind=True)
def build_report(self, run_id: int) -> str:
    """Claim the run (compare-and-set), build summary, CSV and PDF, then mark it done.

    A message redelivered after its worker died carries the same task id, so it may take
    the run over; any other task finds it claimed and leaves it. A finished run is never
    rebuilt: running the task twice gives one result.
    """
    task_id = self.request.id or f"inline-{run_id}"
    claimed = ReportRun.objects.filter(
        Q(status=ReportRun.Status.QUEUED) | Q(status=ReportRun.Status.RUNNING, claimed_by=task_id),
        pk=run_id,
    ).update(
        status=ReportRun.Status.RUNNING, claimed_by=task_id, started_at=timezone.now(), progress=5
    )
    if not claimed:
        return "already claimed or finished"
    run = ReportRun.objects.get(pk=run_id)
    ReportRun.objects.filter(pk=run_id).update(build_count=run.build_count + 1)
    try:
        if run.kind == ReportRun.Kind.SCHOOL_B6:
            summary = builders.school_summary(school_id=run.school_id, as_at=run.as_at)
        elif run.kind == ReportRun.Kind.HUB_DASHBOARD:
            summary = builders.hub_summary(hub_id=run.hub_id, as_at=run.as_at)
        elif run.kind == ReportRun.Kind.PUPIL_RECORD:
            summary = builders.pupil_record(pupil_id=run.learner_id, as_at=run.as_at)
        else:
            summary = builders.cohort_rows(
                school_id=run.school_id, year_group=run.year_group, as_at=run.as_at
            )
        summary = builders.jsonable(summary)
        _set(run_id, task_id, summary=summary, progress=40)
        _pause_for_tests()
        name = f"{run.kind}-{run.pk}"
        run.csv.save(f"{name}.csv", ContentFile(builders.to_csv(summary).encode()), save=False)
        _set(run_id, task_id, csv=run.csv.name, progress=60)
        if run.kind != ReportRun.Kind.COHORT_CSV:
            run.pdf.save(f"{name}.pdf", ContentFile(builders.to_pdf(summary)), save=False)
            _set(run_id, task_id, pdf=run.pdf.name, progress=95)
    except (OperationalError, InterfaceError):
        raise  # transient: Celery retries the same message, which may take the run back
    except Exception as error:
        _set(
            run_id,
            task_id,
            status=ReportRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"The report could not be built: {error}",
        )
        raise
    _set(run_id, task_id, status=ReportRun.Status.DONE, progress=100, finished_at=timezone.now())
    return "done"


def _pause_for_tests():
    # Lets the crash-recovery test kill a worker while a build is half done.
    pause = float(os.environ.get("EQUALEX_REPORT_PAUSE_SECONDS", "0") or 0)
    if pause:
        time.sleep(pause)


@shared_task(base=ScopedTask)
def refresh_hub_dashboards(as_at: str | None = None) -> int:
    """Nightly, but it only acts on the formal Compass dates (31 December, 31 March,
    31 July): a frozen snapshot of every hub's dashboard and every school's Benchmark 6
    answers as at that date. The pages themselves are live (the progress ledger), so no
    other night rebuilds anything. Runs as the system."""
    from datetime import date

    from access.context import current_actor
    from hubs.models import Hub
    from learners.progress import compass_dates
    from schools.models import School

    from .services import report_request

    day = date.fromisoformat(as_at) if as_at else timezone.localdate()
    actor = current_actor()
    queued = 0
    if day in compass_dates(day):
        for hub_id in Hub.objects.values_list("pk", flat=True):
            report_request(actor=actor, kind=ReportRun.Kind.HUB_DASHBOARD, as_at=day, hub_id=hub_id)
            queued += 1
        for school_id in School.objects.values_list("pk", flat=True):
            report_request(
                actor=actor, kind=ReportRun.Kind.SCHOOL_B6, as_at=day, school_id=school_id
            )
            queued += 1
    return queued


@shared_task(base=ScopedTask)
def warm_live_dashboards() -> int:
    """Queued by the ledger's roll forward each night: who is behind moves with the day, so
    nothing counted yesterday serves today. Counting England and every hub's live
    dashboard once here means no page view pays for a whole hub or the whole country.
    Runs as the system."""
    from .builders import live_dashboards_warm

    return live_dashboards_warm()


@shared_task(base=ScopedTask)
def requeue_stuck_reports(older_than_minutes: int = 30) -> int:
    """The reaper: a run queued or running for too long lost its message; queue it again."""
    from datetime import timedelta

    from access.context import current_actor

    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stuck = list(
        ReportRun.objects.filter(
            Q(status=ReportRun.Status.QUEUED, requested_at__lt=cutoff)
            | Q(status=ReportRun.Status.RUNNING, started_at__lt=cutoff)
        ).values_list("pk", flat=True)
    )
    ReportRun.objects.filter(pk__in=stuck).update(status=ReportRun.Status.QUEUED, claimed_by="")
    spec = current_actor().to_spec()
    for run_id in stuck:
        build_report.apply_async(args=[run_id], kwargs={"actor": spec})
    return len(stuck)


@shared_task(base=ScopedTask)
def prune_report_runs() -> dict:
    """Nightly (beat): delete finished runs nobody needs any more, with their files.
    Runs as the system; reports.pruning says what is kept."""
    from dataclasses import asdict

    from access.context import current_actor

    from .pruning import report_runs_prune

    return asdict(report_runs_prune(actor=current_actor()))

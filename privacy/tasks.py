"""The nightly task applying the retention periods (beat: apply-retention)."""

from celery import shared_task

from access.tasks import ScopedTask
from reports.tasks import ReportTask


@shared_task(base=ScopedTask)
def apply_retention() -> dict:
    """Delete personal data past its period (privacy.retention), as the system actor the
    schedule names; returns the count per rule, as the audit events record them."""
    from access.context import current_actor

    from .retention import retention_apply

    return retention_apply(actor=current_actor())


@shared_task(base=ReportTask, bind=True)
def build_subject_access_export(self, export_id: int) -> str:
    """Build a subject access export as the careers leader who asked (privacy.sar): claimed
    once, acks late, retried on a lost database connection like a report run."""
    from django.db import InterfaceError, OperationalError

    from access.context import current_actor

    from .sar import sar_build, sar_failed

    task_id = self.request.id or f"inline-{export_id}"
    try:
        return sar_build(actor=current_actor(), export_id=export_id, task_id=task_id)
    except (OperationalError, InterfaceError):
        raise  # transient: Celery retries the same message, which may take the export back
    except Exception as error:
        sar_failed(export_id=export_id, task_id=task_id, error=error)
        raise


@shared_task(base=ScopedTask)
def requeue_stuck_exports(older_than_minutes: int = 30) -> int:
    """The reaper for exports, as for report runs: one queued or running too long lost its
    message; queue it again as the careers leader who asked. Runs as the system."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from .models import SubjectAccessExport

    S = SubjectAccessExport.Status
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stuck = list(
        SubjectAccessExport.objects.filter(
            Q(status=S.QUEUED, requested_at__lt=cutoff) | Q(status=S.RUNNING, started_at__lt=cutoff)
        ).values_list("pk", "requested_by_id")
    )
    SubjectAccessExport.objects.filter(pk__in=[pk for pk, _ in stuck]).update(
        status=S.QUEUED, claimed_by=""
    )
    for pk, user_id in stuck:
        build_subject_access_export.apply_async(args=[pk], kwargs={"actor": {"user_id": user_id}})
    return len(stuck)

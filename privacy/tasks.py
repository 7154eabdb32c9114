"""The nightly task applying the retention periods (beat: apply-retention)."""

from celery import shared_task

from access.tasks import ScopedTask


@shared_task(base=ScopedTask)
def apply_retention() -> dict:
    """Delete personal data past its period (privacy.retention), as the system actor the
    schedule names; returns the count per rule, as the audit events record them."""
    from access.context import current_actor

    from .retention import retention_apply

    return retention_apply(actor=current_actor())

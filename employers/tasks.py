"""Background work of the employer portal."""

from celery import shared_task

from access.context import current_actor
from access.tasks import ScopedTask

from .reminders import reminders_send


@shared_task(base=ScopedTask)
def send_employer_reminders() -> dict:
    """Each morning (beat): vetting expiring, feedback requested."""
    from dataclasses import asdict

    return asdict(reminders_send(actor=current_actor()))

"""The morning reminders: insurance about to run out, and feedback owed on finished
opportunities. Each goes out once (the rows remember), however often the task runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import notifications
from .models import EmployerVetting, Nomination, Opportunity
from .rules import reminder_due


@dataclass(frozen=True)
class RemindersSent:
    vetting_expiring: int
    feedback_requested: int


@transaction.atomic
def reminders_send(*, actor, today: date | None = None) -> RemindersSent:
    """Run as the system (every hub's employers): it only ever sends emails."""
    if not actor.sees_everything:
        raise PermissionDenied("Reminders run as the system.")
    today = today or timezone.localdate()
    days_before = settings.VETTING_REMINDER_DAYS
    expiring = [
        vetting
        for vetting in EmployerVetting.objects.select_for_update(of=("self",))
        .select_related("employer", "hub")
        .filter(
            approved_at__isnull=False,
            insurance_expires__range=(today, today + timedelta(days=days_before)),
        )
        if reminder_due(vetting, today, days_before)
    ]
    for vetting in expiring:
        notifications.vetting_expiring(
            vetting, employer_name=vetting.employer.name, hub_name=vetting.hub.name
        )
        vetting.reminded_of_expiry = vetting.insurance_expires
    EmployerVetting.objects.bulk_update(expiring, ["reminded_of_expiry"])

    placed = Nomination.objects.filter(
        opportunity=OuterRef("pk"), status__in=Nomination.HOLDS_A_PLACE
    )
    finished = list(
        Opportunity.objects.select_for_update()
        .filter(
            end_date__lt=today,
            attendance_confirmed_at__isnull=True,
            feedback_requested_at__isnull=True,
        )
        .filter(Exists(placed))
    )
    now = timezone.now()
    for opportunity in finished:
        notifications.feedback_requested(opportunity)
        opportunity.feedback_requested_at = now
    Opportunity.objects.bulk_update(finished, ["feedback_requested_at"])
    return RemindersSent(vetting_expiring=len(expiring), feedback_requested=len(finished))

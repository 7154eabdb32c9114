"""Reading the audit trail: the audit log page and its CSV export.

The scope (access.rules.SCOPES["access.AuditEvent"]) decides whose events: a careers
leader's school, a hub lead's hub-level actions. The filters here only narrow it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from .models import AuditEvent

PAGE_SIZE = 50

# Rows about one pupil that still point at them, so a pupil's events can be found by the
# rows' own numbers. A deleted participation's events are found by its number alone: the
# trail keeps numbers, not who they were about.
ABOUT_A_PUPIL = {
    "learners.Participation": "learner_id",
    "learners.SkillRating": "learner_id",
    "learners.PupilTransfer": "learner_id",
    "employers.Nomination": "learner_id",
    "employers.ParentalConsent": "nomination__learner_id",
    # A pupil's record of experience, downloaded: an export of that pupil.
    "reports.ReportRun": "learner_id",
    "privacy.ErasureRequest": "learner_id",
    "privacy.SubjectAccessExport": "learner_id",
}


def _start_of(day: date) -> datetime:
    # A range on `at` itself, not on at::date, so the (school_id, at) index serves it.
    return timezone.make_aware(datetime.combine(day, time.min))


def _about_pupil(pupil_id: int) -> Q:
    condition = Q(model="learners.Learner", object_pk=str(pupil_id))
    for label, to_pupil in ABOUT_A_PUPIL.items():
        model = apps.get_model(label)
        # A subquery, not a list: one query whatever the pupil's history.
        numbers = (
            model.all_tenants_UNSCOPED.filter(**{to_pupil: pupil_id})
            .annotate(number=Cast("pk", CharField()))
            .values("number")
        )
        condition |= Q(model=label, object_pk__in=numbers)
    return condition


def audit_events(
    *,
    actor,
    pupil: int | None = None,
    person: int | None = None,
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
):
    """The actor's audit events, newest first, with who acted joined in (no query per row).

    pupil: a pupil's number (the caller checks it is a pupil the actor may see): events on
    the pupil's record, including reads of their pages, and on rows about them.
    person: a user's number: what they did, and failed sign-ins to their account.
    since/until: days, both included, in UK time.
    """
    events = AuditEvent.objects.select_related("user").order_by("-at", "-pk")
    if pupil is not None:
        # The pupil's rows sit in the actor's school's scope anyway; a hub lead's scope has
        # no pupil events, so the filter finds nothing there rather than widen anything.
        events = events.filter(_about_pupil(pupil))
    if person is not None:
        events = events.filter(
            Q(user_id=person)
            | Q(action=AuditEvent.Action.SIGN_IN_FAILED, model="accounts.User", object_pk=person)
        )
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__gte=_start_of(since))
    if until:
        events = events.filter(at__lt=_start_of(until + timedelta(days=1)))
    return events


def audit_page(events, number):
    """One page of 50: a count and a slice, two queries whatever the page."""
    return Paginator(events, PAGE_SIZE).get_page(number)


NOUNS = {
    "learners.Learner": "pupil",
    "learners.Experience": "experience",
    "learners.Participation": "participation",
    "learners.SkillRating": "skill rating",
    "learners.PupilTransfer": "transfer request",
    "employers.Nomination": "nomination",
    "employers.ParentalConsent": "parental consent",
    "reports.ReportRun": "report",
    "privacy.ErasureRequest": "erasure request",
    "privacy.SubjectAccessExport": "subject access export",
    "accounts.User": "account",
    "access.AuditEvent": "audit log",
}


def describe_event(event: AuditEvent) -> str:
    """What happened, in plain words: "Changed pupil 123 (cohort)"."""
    if event.action == AuditEvent.Action.SIGN_IN_FAILED:
        account = f"account {event.object_pk}" if event.object_pk else "no matching account"
        return f"Failed sign-in to {account}"
    noun = NOUNS.get(event.model, event.model)
    what = f"{event.get_action_display()} {noun}"
    if event.object_pk and event.object_pk.isdigit():
        what += f" {event.object_pk}"
    elif event.object_pk:
        what += f" ({event.object_pk})"
    if event.rows is not None:
        what += f", {event.rows} row{'s' if event.rows != 1 else ''}"
    if event.changed_fields:
        what += f" ({', '.join(str(f) for f in event.changed_fields)})"
    return what


def who_did_it(event: AuditEvent) -> str:
    """The person's name and email when a person acted, else the description kept."""
    user = event.user
    if user is None:
        return event.actor_description
    if user.full_name:
        return f"{user.full_name} ({user.email})"
    return user.email

"""Retention: personal data past its period is deleted, one rule per kind of data.

The periods are settings (equalex.settings, RETAIN_*; README lists them) and the privacy
page states them. Each rule is one UPDATE or DELETE over the rows past their period and
returns how many it changed; only stored files are deleted one by one, as storage offers
no other way. Every rule leaves nothing for a second run to do, so running twice changes
nothing the second time. retention_apply runs them all (nightly, privacy.tasks) and writes
one audit event per rule with its count.

Leavers have their own two rules (privacy.leavers), run here first: pupils past the end of
Year 11 and their hub's grace are recorded as left, then leavers past their hub's
retention period are pseudonymised.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

VETTING_DOCUMENTS = ("insurance_certificate", "health_and_safety_policy", "risk_assessment")
# The parent's own words and details; the answer and its date are the school's record.
CONSENT_DETAILS = (
    "signed_by",
    "note",
    "sent_to",
    "emergency_contact_name",
    "emergency_contact_phone",
    "medical_needs",
    "travel_arrangements",
)


def years_before(moment: datetime, years: int) -> datetime:
    """The same day and time `years` earlier (29 February falls back to the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def consent_details_clear(*, today: date, days: int) -> int:
    """Blank the parent's name, note, address, emergency contact, medical or access needs
    and travel arrangements once the placement ended `days` ago.

    Kept on the last day of the period (end date + days), cleared the day after.
    """
    from employers.models import ParentalConsent

    blank = {**dict.fromkeys(CONSENT_DETAILS, ""), "share_needs_with_employer": False}
    return (
        ParentalConsent.objects.filter(
            nomination__opportunity__end_date__lt=today - timedelta(days=days)
        )
        .exclude(**blank)  # already cleared: nothing to change, nothing to count
        .update(**blank)
    )


def _file_delete(storage, name: str) -> bool:
    if name and storage.exists(name):
        storage.delete(name)
        return True
    return False


def vetting_documents_expired_delete(*, today: date, days: int) -> int:
    """Delete the documents of checks whose insurance expired more than `days` ago
    (a renewed check has a later expiry, so its documents stay). Returns files deleted.

    The file goes first, then the field is cleared: a crash in between leaves a field
    naming a missing file, which the next run clears, never a file nobody can find.
    """
    from employers.models import EmployerVetting

    has_a_document = Q()
    for field in VETTING_DOCUMENTS:
        has_a_document |= ~Q(**{field: ""})
    expired = EmployerVetting.objects.filter(
        has_a_document, insurance_expires__lt=today - timedelta(days=days)
    )
    storage = EmployerVetting._meta.get_field(VETTING_DOCUMENTS[0]).storage
    deleted = 0
    for pk, *names in expired.values_list("pk", *VETTING_DOCUMENTS).iterator():
        deleted += sum(_file_delete(storage, name) for name in names)
        EmployerVetting.objects.filter(pk=pk).update(**dict.fromkeys(VETTING_DOCUMENTS, ""))
    return deleted


def vetting_documents_replaced_delete(*, now: datetime, days: int) -> int:
    """Delete documents replaced by a newer upload more than `days` ago. Returns files
    deleted (file first, then its record, for the reason above)."""
    from employers.models import EmployerVetting, ReplacedVettingDocument

    storage = EmployerVetting._meta.get_field(VETTING_DOCUMENTS[0]).storage
    old = ReplacedVettingDocument.objects.filter(replaced_at__lt=now - timedelta(days=days))
    deleted = 0
    for pk, name in old.values_list("pk", "name").iterator():
        # A name still in use by a check (storage reused it) is only forgotten, not deleted.
        in_use = EmployerVetting.objects.filter(
            Q(insurance_certificate=name)
            | Q(health_and_safety_policy=name)
            | Q(risk_assessment=name)
        ).exists()
        deleted += 0 if in_use else _file_delete(storage, name)
        ReplacedVettingDocument.objects.filter(pk=pk).delete()
    return deleted


def invitations_delete(*, now: datetime, days: int) -> int:
    """Delete invitations accepted, or expired unaccepted, more than `days` ago."""
    from accounts.models import Invitation

    cutoff = now - timedelta(days=days)
    return Invitation.objects.filter(
        Q(accepted_at__lt=cutoff) | Q(accepted_at__isnull=True, expires_at__lt=cutoff)
    ).delete()[0]


def unused_tokens_delete(*, now: datetime, days: int) -> int:
    """Delete API tokens not used for `days` (counted from creation if never used), and
    tokens revoked more than `days` ago."""
    from api.models import ApiToken

    cutoff = now - timedelta(days=days)
    return ApiToken.objects.filter(
        Q(last_used_at__lt=cutoff)
        | Q(last_used_at__isnull=True, created_at__lt=cutoff)
        | Q(revoked_at__lt=cutoff)
    ).delete()[0]


def expired_sessions_delete(*, now: datetime) -> int:
    """Delete expired sessions, as `manage.py clearsessions` does, counting them when the
    session engine keeps them in the database (others expire their own)."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store, "get_model_class"):
        return store.get_model_class().objects.filter(expire_date__lt=now).delete()[0]
    store.clear_expired()
    return 0


def audit_events_delete(*, now: datetime, years: int) -> int:
    """Delete audit events older than `years`."""
    from access.models import AuditEvent

    return AuditEvent.objects.filter(at__lt=years_before(now, years)).delete()[0]


def retention_apply(*, actor, now: datetime | None = None) -> dict[str, int]:
    """Apply every rule with the periods in settings; one audit event per rule with its
    count (written even when it is 0: the record that the rule ran). Run as the system."""
    from access.audit import describe
    from access.models import AuditEvent

    if not actor.sees_everything:
        raise PermissionDenied("Retention is applied by the system.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    s = settings
    from . import leavers
    from .sar import expired_exports_delete

    # rule -> (model the rows are of, action, fields changed, how to apply it)
    rules = {
        "year 11 leavers": (
            "learners.Learner",
            AuditEvent.Action.UPDATE,
            ["left_on"],
            lambda: len(leavers.year11_leavers_record(actor=actor, today=today)),
        ),
        "leavers pseudonymised": (
            "learners.Learner",
            AuditEvent.Action.UPDATE,
            list(leavers.PUPIL_FIELDS),
            lambda: leavers.leavers_pseudonymise(actor=actor, today=today),
        ),
        "consent details": (
            "employers.ParentalConsent",
            AuditEvent.Action.UPDATE,
            [*CONSENT_DETAILS, "share_needs_with_employer"],
            lambda: consent_details_clear(today=today, days=s.RETAIN_CONSENT_DETAILS_DAYS),
        ),
        "expired vetting documents": (
            "employers.EmployerVetting",
            AuditEvent.Action.UPDATE,
            list(VETTING_DOCUMENTS),
            lambda: vetting_documents_expired_delete(
                today=today, days=s.RETAIN_VETTING_DOCUMENTS_DAYS
            ),
        ),
        "replaced vetting documents": (
            "employers.ReplacedVettingDocument",
            AuditEvent.Action.DELETE,
            [],
            lambda: vetting_documents_replaced_delete(
                now=now, days=s.RETAIN_VETTING_DOCUMENTS_DAYS
            ),
        ),
        "invitations": (
            "accounts.Invitation",
            AuditEvent.Action.DELETE,
            [],
            lambda: invitations_delete(now=now, days=s.RETAIN_INVITATION_DAYS),
        ),
        "unused API tokens": (
            "api.ApiToken",
            AuditEvent.Action.DELETE,
            [],
            lambda: unused_tokens_delete(now=now, days=s.RETAIN_UNUSED_TOKEN_DAYS),
        ),
        "expired sessions": (
            "sessions.Session",
            AuditEvent.Action.DELETE,
            [],
            lambda: expired_sessions_delete(now=now),
        ),
        "expired subject access exports": (
            "privacy.SubjectAccessExport",
            AuditEvent.Action.DELETE,
            [],
            lambda: expired_exports_delete(actor=actor, now=now),
        ),
        "audit events": (
            "access.AuditEvent",
            AuditEvent.Action.DELETE,
            [],
            lambda: audit_events_delete(now=now, years=s.RETAIN_AUDIT_YEARS),
        ),
    }
    counts = {}
    for rule, (model, action, fields, apply) in rules.items():
        # Each rule with its own event in one transaction: a later rule's failure keeps
        # the earlier ones' work and their record.
        with transaction.atomic():
            counts[rule] = apply()
            AuditEvent.all_tenants_UNSCOPED.create(
                actor_description=describe(actor),
                action=action,
                model=model,
                object_pk=f"retention: {rule}",
                changed_fields=fields,
                rows=counts[rule],
            )
    logger.info("Retention applied: %s", counts)
    return counts

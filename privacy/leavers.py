"""Leavers: recorded as left at the end of Year 11, kept named for the hub's retention
period, then pseudonymised in place.

A school records a leaver itself (the pupil's page, the CSV import's leaving date column,
the API); a pupil still on a roll when Year 11 has ended (31 August) and the hub's grace
period has passed is recorded as having left on that 31 August (`year11_leavers_record`).

After the hub's retention period, counted in whole academic years after the one the pupil
left in, `leavers_pseudonymise` removes what identifies them, in place, from the pupil and
every pupil-level row: names, registration group, the free text (reflections, feedback,
support needs, decisions' reasons, the parent's consent details, what a school sent asking
for them) and the pupil's own reports and subject access exports; the UPN becomes a keyed
hash. Nothing that a figure counts is touched (cohort, flags, schools, participations'
hours, experiences, ratings), so every past report, the hub's and England's totals read the
same before and after
(tests/test_leavers.py proves it). The pupil's progress ledger row stays as it is for the
same reason: no figure moves, so there is nothing to recount.

Both rules are set-based and idempotent (a second run finds nothing to do); retention_apply
runs them nightly and writes one audit event for each with its count.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from learners.academic import academic_year_of

# What a pseudonymised pupil is called wherever a name is shown.
PSEUDONYM_FIRST_NAME = "Former pupil"
PSEUDONYM_SURNAME = "(pseudonymised)"
# Marks a UPN column that holds a pseudonym: no real UPN starts with it (a check letter
# comes first), so a pseudonym can never be mistaken for, or collide with, a real UPN.
PSEUDONYM_PREFIX = "#"
# Free text on pupil-level rows, emptied when a pupil is pseudonymised: model -> fields.
# tests/test_leavers.py fails when a pupil-level model gains a text field not listed here
# or in NOT_FREE_TEXT, so a new one cannot keep a leaver's words by omission.
FREE_TEXT = {
    "learners.Participation": ("reflection_text", "feedback_text"),
    "employers.Nomination": ("shared_support_needs", "decision_reason", "explanation"),
    "employers.ParentalConsent": (
        "signed_by",
        "note",
        "sent_to",
        "emergency_contact_name",
        "emergency_contact_phone",
        "medical_needs",
        "travel_arrangements",
    ),
    "learners.PupilTransfer": ("decline_reason",),
    "pupils.Reflection": ("what_i_did", "what_i_learned", "what_next"),
    "pupils.OpportunityInterest": ("why",),
}
# Text fields on pupil-level rows that say nothing about the pupil themselves, with why.
NOT_FREE_TEXT = {
    ("learners.Learner", "send"): "a code (N, K or E) that reports count",
    ("learners.Learner", "upn"): "replaced by its keyed hash",
    ("learners.Learner", "legal_first_name"): "replaced",
    ("learners.Learner", "preferred_first_name"): "emptied",
    ("learners.Learner", "surname"): "replaced",
    ("learners.Learner", "registration_group"): "emptied",
    ("employers.Nomination", "status"): "a state",
    ("employers.ParentalConsent", "token_digest"): "a digest of a spent link",
    ("employers.ParentalConsent", "answer"): "the yes/no answer, kept as the school's record",
    ("learners.PupilProgress", "counted_by"): "the hub's rules",
    ("learners.PupilTransfer", "status"): "a state",
    ("learners.PupilTransfer", "sent"): "emptied (names the asking school sent)",
    ("learners.PupilTransfer", "decided_by_role"): "a role",
    ("learners.SkillRating", "rater"): "who rated: pupil, teacher or employer",
    ("learners.SkillRating", "moment"): "before or after an experience",
    ("pupils.Reflection", "written_by"): "who wrote it: the pupil or staff",
    ("pupils.Reflection", "skills_used"): "ids of skills from the framework's fixed list",
    ("pupils.PupilAccount", "code_digest"): "the account is deleted",
    ("reports.ReportRun", "kind"): "the pupil's own runs are deleted",
    ("reports.ReportRun", "status"): "the pupil's own runs are deleted",
    ("reports.ReportRun", "error"): "the pupil's own runs are deleted",
    ("reports.ReportRun", "claimed_by"): "the pupil's own runs are deleted",
    ("reports.ReportRun", "summary"): "the pupil's own runs are deleted",
    ("reports.ReportRun", "csv"): "the pupil's own runs are deleted",
    ("reports.ReportRun", "pdf"): "the pupil's own runs are deleted",
    ("privacy.SubjectAccessExport", "status"): "the pupil's own exports are deleted",
    ("privacy.SubjectAccessExport", "error"): "the pupil's own exports are deleted",
    ("privacy.SubjectAccessExport", "claimed_by"): "the pupil's own exports are deleted",
    ("privacy.SubjectAccessExport", "archive"): "the pupil's own exports are deleted",
    ("privacy.SubjectAccessExport", "pdf"): "the pupil's own exports are deleted",
    ("privacy.ErasureRequest", "reason"): "the school's record of why it erased the pupil",
    ("privacy.ErasureRequest", "status"): "a state",
    ("privacy.ErasureRequest", "confirmed_by_role"): "a role",
    ("access.AuditEvent", "actor_description"): "the staff member or the system",
    ("access.AuditEvent", "action"): "what was done",
    ("access.AuditEvent", "model"): "which kind of record",
    ("access.AuditEvent", "object_pk"): "a row number",
    ("access.AuditEvent", "changed_fields"): "field names only, never values",
}
# The names of the fields this rule changes on the pupil, for the audit event.
PUPIL_FIELDS = (
    "upn",
    "legal_first_name",
    "preferred_first_name",
    "surname",
    "registration_group",
    "pseudonymised_on",
)
BATCH = 1000


def pseudonym_of(upn: str) -> str:
    """The keyed hash that replaces a UPN: the same UPN always gives the same pseudonym
    (so an import of it is still found), and without settings.PSEUDONYM_KEY a UPN cannot
    be tested against it. 48 hex digits (192 bits): no two UPNs will ever share one."""
    digest = hmac.new(
        settings.PSEUDONYM_KEY.encode(), upn.strip().upper().encode(), hashlib.sha256
    ).hexdigest()
    return PSEUDONYM_PREFIX + digest[:48]


def year11_end(cohort: int) -> date:
    """The last day of the pupil's Year 11: 31 August of the academic year after it."""
    return date(cohort + 5, 8, 31)


def _require_system(actor) -> None:
    if not actor.sees_everything:
        raise PermissionDenied("Leavers' rules are applied by the system.")


def _latest_year11_cohort(today: date, grace_days: int) -> int:
    """The latest cohort whose Year 11 ended more than grace_days before today."""
    cohort = academic_year_of(today) - 4  # in Year 11 today: not ended yet
    while year11_end(cohort) + timedelta(days=grace_days) >= today:
        cohort -= 1
    return cohort


def year11_leavers_record(*, actor, today: date) -> list[int]:
    """Record every pupil still on a roll past the end of Year 11 plus their hub's grace
    period as having left on the last day of Year 11. Returns the pupils recorded.

    Pupils and hubs are read through the scoping layer as the system; one UPDATE for all
    of them (a CASE per cohort gives each its own 31 August), then their ledger rows are
    recounted in the same transaction, as every write to a pupil does.
    """
    from hubs.models import Hub
    from learners.ledger import ledger_refresh
    from learners.models import Learner

    _require_system(actor)
    graces = Hub.objects.values_list("year11_grace_days", flat=True).distinct()
    past_year11 = Q(pk__in=[])
    for grace in graces:
        past_year11 |= Q(
            hub__year11_grace_days=grace, cohort__lte=_latest_year11_cohort(today, grace)
        )
    with transaction.atomic():
        due = list(
            Learner.objects.select_for_update(of=("self",))
            .filter(past_year11, left_on__isnull=True)
            .order_by("pk")
            .values_list("pk", "cohort")
        )
        if not due:
            return []
        ids = [pk for pk, _ in due]
        cohorts = sorted({cohort for _, cohort in due})
        Learner.objects.filter(pk__in=ids).update(
            left_on=Case(*(When(cohort=c, then=Value(year11_end(c))) for c in cohorts)),
            updated_at=timezone.now(),
        )
        ledger_refresh(ids)
    return ids


def retention_cutoff(today: date, academic_years: int) -> date:
    """Leavers who left before this day are past a retention of `academic_years`: kept for
    the rest of the academic year they left in and that many whole years after it."""
    return date(academic_year_of(today) - academic_years, 9, 1)


def leavers_due(*, today: date):
    """Leavers past their hub's retention period and not yet pseudonymised (a queryset,
    under the current actor's scope). One query: hubs sharing a period share a condition."""
    from hubs.models import Hub
    from learners.models import Learner

    periods = Hub.objects.values_list("leavers_kept_academic_years", flat=True).distinct()
    past = Q(pk__in=[])
    for years in periods:
        past |= Q(
            hub__leavers_kept_academic_years=years, left_on__lt=retention_cutoff(today, years)
        )
    return Learner.objects.filter(past, left_on__isnull=False, pseudonymised_on__isnull=True)


def leavers_pseudonymise(*, actor, today: date) -> int:
    """Pseudonymise every leaver past their hub's retention period. Returns how many.

    In batches of BATCH pupils, each its own transaction, so a long first night neither
    holds every lock at once nor loses the batches already done if it stops.
    """
    _require_system(actor)
    done = 0
    after_pk = 0
    due = leavers_due(today=today).order_by("pk")
    while batch := list(due.filter(pk__gt=after_pk).values_list("pk", flat=True)[:BATCH]):
        after_pk = batch[-1]
        done += pupils_pseudonymise(actor=actor, pupil_ids=batch, today=today)
    return done


def pupil_pseudonymise(*, actor, pupil_id: int, today: date | None = None) -> bool:
    """Pseudonymise one pupil at once, whatever their retention (erasure confirmed by two
    people calls this). Returns False if they already were. The caller audits why."""
    _require_system(actor)
    return bool(
        pupils_pseudonymise(actor=actor, pupil_ids=[pupil_id], today=today or timezone.localdate())
    )


def pupils_pseudonymise(*, actor, pupil_ids, today: date) -> int:
    """Pseudonymise these pupils in place, in one transaction; returns how many changed
    (pupils already pseudonymised are skipped, so running again changes nothing).

    One statement per table for the whole batch; the UPNs in one CASE, since each pupil's
    keyed hash differs. Files of the pupils' own reports go after the commit, so a rollback
    never leaves a run whose download has gone.
    """
    from employers.models import Nomination, ParentalConsent
    from learners.models import Learner, Participation, PupilTransfer
    from pupils.models import OpportunityInterest, Reflection
    from pupils.services import pupil_accounts_delete
    from reports.models import ReportRun

    from .sar import pupils_exports_delete

    _require_system(actor)
    with transaction.atomic():
        pupils = list(
            Learner.objects.select_for_update(of=("self",))
            .filter(pk__in=list(pupil_ids), pseudonymised_on__isnull=True)
            .order_by("pk")
            .values_list("pk", "upn")
        )
        if not pupils:
            return 0
        ids = [pk for pk, _ in pupils]
        Learner.objects.filter(pk__in=ids).update(
            upn=Case(*(When(pk=pk, then=Value(pseudonym_of(upn))) for pk, upn in pupils)),
            legal_first_name=PSEUDONYM_FIRST_NAME,
            preferred_first_name="",
            surname=PSEUDONYM_SURNAME,
            registration_group="",
            pseudonymised_on=today,
            updated_at=timezone.now(),
        )
        blank = dict.fromkeys
        Participation.objects.filter(learner_id__in=ids).update(
            **blank(FREE_TEXT["learners.Participation"], "")
        )
        Nomination.objects.filter(learner_id__in=ids).update(
            **blank(FREE_TEXT["employers.Nomination"], "")
        )
        ParentalConsent.objects.filter(nomination__learner_id__in=ids).update(
            **blank(FREE_TEXT["employers.ParentalConsent"], "")
        )
        PupilTransfer.objects.filter(learner_id__in=ids).update(
            sent={}, **blank(FREE_TEXT["learners.PupilTransfer"], "")
        )
        # Pupil voice: their words go (the M7 fact on each participation stays, as the
        # figures do), and their account with its user, so nobody signs in as them.
        Reflection.objects.filter(learner_id__in=ids).update(
            **blank(FREE_TEXT["pupils.Reflection"], "")
        )
        OpportunityInterest.objects.filter(learner_id__in=ids).update(
            **blank(FREE_TEXT["pupils.OpportunityInterest"], "")
        )
        pupil_accounts_delete(ids)
        # A pupil's own reports (record PDFs, their rows in nothing else) name them; the
        # school's, hub's and cohort reports hold figures, and stay.
        own = ReportRun.objects.filter(learner_id__in=ids)
        files = [name for pair in own.values_list("csv", "pdf") for name in pair if name]
        own.delete()
        transaction.on_commit(lambda: _files_delete(files))
        # Their subject access exports copy their whole record: they go too.
        pupils_exports_delete(ids)
    return len(ids)


def _files_delete(names) -> None:
    from reports.models import ReportRun

    storage = ReportRun._meta.get_field("pdf").storage
    for name in names:
        if storage.exists(name):
            storage.delete(name)


def pseudonymised_upns(upns) -> set[str]:
    """Of these UPNs, those that belonged to a pupil since pseudonymised (their keyed hash
    is on a record). A UPN is national, so this reads across schools, and says only yes or
    no, never whose record it was."""
    from learners.models import Learner

    hashes = {pseudonym_of(upn): upn for upn in upns}
    found = Learner.all_tenants_UNSCOPED.filter(upn__in=list(hashes)).values_list("upn", flat=True)
    return {hashes[h] for h in found}

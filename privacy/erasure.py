"""Erasure of a pupil, by two people: a careers leader asks, with a reason; a second
person (another careers leader of the school, or the hub lead) confirms; the pupil is then
pseudonymised at once, as a leaver past their retention period is (privacy.leavers), and
their free text deleted. Both steps are audited on the school's trail.

Why pseudonymised rather than deleted: the pupil's anonymous figures are part of reports
the school, the hub and England have already published, and must keep reading the same.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from access.actor import system_actor
from access.audit import describe
from access.context import acting_as
from access.models import AuditEvent
from learners.models import Learner

from .leavers import PUPIL_FIELDS, pupils_pseudonymise
from .models import ErasureRequest

S = ErasureRequest.Status
ERASURE = "privacy.ErasureRequest"


def _event(actor, erasure, model, object_pk, action, changed, rows=None) -> AuditEvent:
    return AuditEvent(
        user_id=actor.user_id,
        actor_description=describe(actor),
        action=action,
        model=model,
        object_pk=str(object_pk),
        hub_id=erasure.hub_id,
        school_id=erasure.school_id,
        changed_fields=changed,
        rows=rows,
    )


@transaction.atomic
def erasure_request(*, actor, pupil_id: int, reason: str) -> ErasureRequest:
    """Ask for a pupil of the actor's school to be erased; nothing is erased until a
    second person confirms."""
    actor.require("erasure.request")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the person who confirms can judge it."})
    pupil = Learner.objects.select_for_update(of=("self",)).get(pk=pupil_id)
    if pupil.pseudonymised_on:
        raise ValidationError("This pupil's record has already been pseudonymised.")
    if ErasureRequest.objects.filter(learner_id=pupil.pk, status=S.REQUESTED).exists():
        raise ValidationError("Erasure of this pupil is already waiting for a second person.")
    erasure = ErasureRequest.objects.create(
        hub_id=pupil.hub_id,
        school_id=pupil.school_id,
        learner_id=pupil.pk,
        reason=reason,
        requested_by_id=actor.user_id,
        requested_at=timezone.now(),
    )
    AuditEvent.all_tenants_UNSCOPED.bulk_create(
        [
            _event(actor, erasure, ERASURE, erasure.pk, AuditEvent.Action.CREATE, ["reason"]),
            _event(
                actor,
                erasure,
                "learners.Learner",
                pupil.pk,
                AuditEvent.Action.UPDATE,
                ["erasure requested"],
            ),
        ]
    )
    return erasure


@transaction.atomic
def erasure_confirm(*, actor, erasure_id: int) -> ErasureRequest:
    """The second person confirms: the pupil is pseudonymised now, whatever their
    retention period. The person who asked cannot confirm their own request."""
    actor.require("erasure.confirm")
    erasure = ErasureRequest.objects.select_for_update(of=("self",)).get(pk=erasure_id)
    if erasure.status != S.REQUESTED:
        raise ValidationError("This erasure has already been done.")
    if erasure.requested_by_id == actor.user_id:
        raise ValidationError("A second person must confirm: you asked for this erasure.")
    # A hub lead never sees a named pupil, so cannot reach the record through their own
    # scope: the erasure they confirmed is carried out as the system, named for them.
    system = system_actor(f"erasure {erasure.pk} confirmed by user {actor.user_id}")
    with acting_as(system):
        changed = pupils_pseudonymise(
            actor=system, pupil_ids=[erasure.learner_id], today=timezone.localdate()
        )
    erasure.status = S.DONE
    erasure.confirmed_by_id = actor.user_id
    erasure.confirmed_by_role = actor.role.label if actor.role else ""
    erasure.confirmed_at = timezone.now()
    erasure.save(update_fields=["status", "confirmed_by", "confirmed_by_role", "confirmed_at"])
    AuditEvent.all_tenants_UNSCOPED.bulk_create(
        [
            _event(actor, erasure, ERASURE, erasure.pk, AuditEvent.Action.UPDATE, ["status:done"]),
            _event(
                actor,
                erasure,
                "learners.Learner",
                erasure.learner_id,
                AuditEvent.Action.UPDATE,
                ["erased", *PUPIL_FIELDS],
                rows=changed,
            ),
        ]
    )
    return erasure


def erasure_list(*, actor) -> list:
    """The actor's erasure requests (a careers leader's school's, a hub lead's hub's),
    waiting first. The pupil's name only for the school: a hub lead gets the school, the
    pupil's cohort and the reason, enough to confirm, never a name."""
    erasures = ErasureRequest.objects.select_related("school")
    if actor.can("pupil.view_named"):
        erasures = erasures.select_related("learner")
    erasures = list(
        erasures.order_by(F("confirmed_at").desc(nulls_first=True), "-requested_at", "-pk")
    )
    # The cohort of these requests' pupils alone, by its own unscoped query: row-level
    # security shows a hub lead no pupil rows, not even joined to a request.
    cohorts = dict(
        Learner.all_tenants_UNSCOPED.filter(
            pk__in=[e.learner_id for e in erasures if e.learner_id]
        ).values_list("pk", "cohort")
    )
    for erasure in erasures:
        erasure.cohort = cohorts.get(erasure.learner_id)
    return erasures

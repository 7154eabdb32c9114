"""Moving a pupil between schools: a UPN alone never moves a record.

A school that imports (CSV or API) a UPN on another school's roll asks for the pupil: a
PupilTransfer waits for that school (its careers leader, or its hub lead while it has no
active careers leader) to release or decline. Until released the asking school holds only
what it sent itself (`sent`) and sees none of the pupil's record or history. A pupil the
old school has recorded as left (Learner.left_on) is released at once.

Every step is an AuditEvent written twice, once for each school (AuditEvent carries one
school), and both schools' careers leaders are emailed once the change commits.

Finding a pupil by UPN, and the people to tell, crosses tenants on purpose
(all_tenants_UNSCOPED): ids and addresses only, never pupil data back to the actor.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Prefetch, Value, When
from django.urls import reverse
from django.utils import timezone

from access.audit import describe
from access.models import AuditEvent
from access.roles import Role
from employers.models import Nomination, ParentalConsent
from employers.notifications import email
from hubs.models import Membership
from reports.models import ReportRun
from schools.models import School

from .ledger import ledger_refresh
from .models import Learner, Participation, PupilTransfer, SkillRating

TRANSFER = "learners.PupilTransfer"
PUPIL = "learners.Learner"
# What an importing school sends and, once released, what is applied to the pupil.
SENT_FIELDS = (
    "legal_first_name",
    "preferred_first_name",
    "surname",
    "cohort",
    "registration_group",
    "fsm",
    "disadvantaged",
    "send",
    "looked_after",
)
S = PupilTransfer.Status


def sent_from_row(row: dict) -> dict:
    """The fields of one import row, as the asking school sent them (and nothing else)."""
    return {"upn": row["upn"], **{name: row[name] for name in SENT_FIELDS}}


# -- Audit and email


def _event(actor, action, model, pk, *, school_id, hub_id, changed) -> AuditEvent:
    return AuditEvent(
        user_id=actor.user_id,
        actor_description=describe(actor),
        action=action,
        model=model,
        object_pk=str(pk),
        hub_id=hub_id,
        school_id=school_id,
        changed_fields=list(changed),
    )


def _transfer_events(actor, action, transfer, changed) -> list[AuditEvent]:
    """The step seen from both schools: each school's audit trail has its own copy."""
    return [
        _event(
            actor,
            action,
            TRANSFER,
            transfer.pk,
            school_id=school_id,
            hub_id=hub_id,
            changed=changed,
        )
        for school_id, hub_id in (
            (transfer.from_school_id, transfer.from_hub_id),
            (transfer.to_school_id, transfer.to_hub_id),
        )
    ]


def _move_events(actor, transfer, how: str) -> list[AuditEvent]:
    """A release is a change of the pupil: it leaves one school's roll and joins another's."""
    return [
        _event(
            actor,
            AuditEvent.Action.UPDATE,
            PUPIL,
            transfer.learner_id,
            school_id=transfer.from_school_id,
            hub_id=transfer.from_hub_id,
            changed=[how, "school", f"transfer:{transfer.pk}"],
        ),
        _event(
            actor,
            AuditEvent.Action.UPDATE,
            PUPIL,
            transfer.learner_id,
            school_id=transfer.to_school_id,
            hub_id=transfer.to_hub_id,
            changed=[how, "school", *SENT_FIELDS, f"transfer:{transfer.pk}"],
        ),
    ]


def _link(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def _deciders(school_ids: Iterable[int]) -> tuple[dict[int, list[str]], set[int]]:
    """Who decides for each school: its active careers leaders, else its hub's leads (the
    second value: the schools decided for by their hub lead). Three queries at most,
    whatever the number of schools."""
    school_ids = set(school_ids)
    deciders = _careers_leaders(school_ids)
    leaderless = school_ids - set(deciders)
    if leaderless:
        hub_of = dict(
            School.all_tenants_UNSCOPED.filter(pk__in=leaderless).values_list("pk", "hub_id")
        )
        leads: dict[int, set[str]] = {}
        for hub_id, address in (
            Membership.all_tenants_UNSCOPED.filter(
                role=Role.HUB_LEAD, hub_id__in=set(hub_of.values()), user__is_active=True
            )
            .exclude(user__email="")
            .values_list("hub_id", "user__email")
        ):
            leads.setdefault(hub_id, set()).add(address)
        for school_id, hub_id in hub_of.items():
            deciders[school_id] = sorted(leads.get(hub_id, ()))
    return deciders, leaderless


def _careers_leaders(school_ids: Iterable[int]) -> dict[int, list[str]]:
    found: dict[int, set[str]] = {}
    for school_id, address in (
        Membership.all_tenants_UNSCOPED.filter(
            role=Role.CAREERS_LEADER, school_id__in=set(school_ids), user__is_active=True
        )
        .exclude(user__email="")
        .values_list("school_id", "user__email")
    ):
        found.setdefault(school_id, set()).add(address)
    return {school_id: sorted(addresses) for school_id, addresses in found.items()}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _school_names(school_ids) -> dict[int, str]:
    schools = School.all_tenants_UNSCOPED.filter(pk__in=set(school_ids))
    return dict(schools.values_list("pk", "name"))


def _tell_requested(transfers: list[PupilTransfer], to_school: School) -> None:
    """The pupils' schools are asked to decide. Emails name no pupil: the link does."""
    count_by_school = Counter(transfer.from_school_id for transfer in transfers)
    deciders, by_hub_lead = _deciders(count_by_school)
    names = _school_names(by_hub_lead)
    for school_id, count in count_by_school.items():
        roll = (
            f"the roll of {names[school_id]}, which has no active careers leader, so you as "
            "its hub lead decide"
            if school_id in by_hub_lead
            else "your school's roll"
        )
        email(
            f"{to_school.name} asks you to release {_plural(count, 'pupil')}",
            f"{to_school.name} has imported {_plural(count, 'pupil')} on {roll}, and asks for "
            "them to be released. Until they are, their record and history stay where they "
            f"are and {to_school.name} sees none of it.\n\n"
            f"Release or decline:\n{_link('transfer_requests')}\n",
            deciders.get(school_id, []),
        )


def _tell_decided(transfers: list[PupilTransfer], actor=None) -> None:
    """Both schools hear the outcome: the pupil's old school and the asking school."""
    if not transfers:
        return
    names = _school_names(
        {t.from_school_id for t in transfers} | {t.to_school_id for t in transfers}
    )
    leaders = _careers_leaders(names)
    by_hub_lead = actor is not None and actor.role == Role.HUB_LEAD
    note = "\nThe hub lead decided, as the school has no active careers leader.\n" * by_hub_lead
    labels = {
        S.RELEASED: "released",
        S.DECLINED: "declined",
        S.CANCELLED: "cancelled (the pupil joined another school first)",
    }
    grouped: dict[tuple[int, int, str, bool], list[PupilTransfer]] = {}
    for transfer in transfers:
        key = (transfer.from_school_id, transfer.to_school_id, transfer.status, transfer.automatic)
        grouped.setdefault(key, []).append(transfer)
    for (from_id, to_id, status, automatic), group in grouped.items():
        outcome = labels[status]
        why = " at once, as your school had recorded them as left" * automatic
        if status != S.CANCELLED:  # the old school released the pupil elsewhere itself
            email(
                f"{_plural(len(group), 'pupil')} {outcome}: {names[to_id]}",
                f"{_plural(len(group), 'pupil')} on your school's roll "
                f"{'was' if len(group) == 1 else 'were'} {outcome}{why} "
                f"(a request from {names[to_id]}).\n{note}\n{_link('transfer_requests')}\n",
                leaders.get(from_id, []),
            )
        email(
            f"Pupils you asked for: {_plural(len(group), 'pupil')} {outcome}",
            f"{_plural(len(group), 'pupil')} you asked another school to release "
            f"{'was' if len(group) == 1 else 'were'} {outcome}.\n{note}\n"
            f"See your arrivals:\n{_link('transfer_arrivals')}\n",
            leaders.get(to_id, []),
        )


# -- Moving a pupil's record


def _move_history(learner_ids: list[int], school: School) -> None:
    """Everything kept about the pupil follows them: experiences taken part in, skill
    ratings, nominations and their parental consent, reflections, and the pupil's own
    record PDFs. The old school loses sight of all of it (its scope is the rows' school).
    One update per table, whatever the number of pupils."""
    from pupils.models import OpportunityInterest, Reflection
    from pupils.services import pupil_accounts_delete

    if not learner_ids:
        return
    moved = {"school_id": school.pk, "hub_id": school.hub_id}
    for queryset in (
        Participation.all_tenants_UNSCOPED.filter(learner_id__in=learner_ids),
        SkillRating.all_tenants_UNSCOPED.filter(learner_id__in=learner_ids),
        Nomination.all_tenants_UNSCOPED.filter(learner_id__in=learner_ids),
        ParentalConsent.all_tenants_UNSCOPED.filter(nomination__learner_id__in=learner_ids),
        ReportRun.all_tenants_UNSCOPED.filter(learner_id__in=learner_ids),
        # Their reflections and what they asked to try are their record too.
        Reflection.all_tenants_UNSCOPED.filter(learner_id__in=learner_ids),
        OpportunityInterest.all_tenants_UNSCOPED.filter(learner_id__in=learner_ids),
    ):
        queryset.update(**moved)
    # Their sign-in was the old school's to give: the new school opens access again.
    pupil_accounts_delete(learner_ids)
    # Counted again by the new hub's rules.
    ledger_refresh(learner_ids)


def _cancel_others(actor, learner_ids: list[int], keep_ids: Iterable[int]) -> list[PupilTransfer]:
    """A pupil released to one school cannot be released to another: the other open
    requests are cancelled (not declined: nobody refused them)."""
    others = list(
        PupilTransfer.all_tenants_UNSCOPED.select_for_update()
        .filter(learner_id__in=learner_ids, status=S.REQUESTED)
        .exclude(pk__in=list(keep_ids))
    )
    if not others:
        return []
    now = timezone.now()
    for transfer in others:
        transfer.status, transfer.decided_at = S.CANCELLED, now
    PupilTransfer.all_tenants_UNSCOPED.bulk_update(others, ["status", "decided_at"])
    AuditEvent.all_tenants_UNSCOPED.bulk_create(
        event
        for transfer in others
        for event in _transfer_events(
            actor, AuditEvent.Action.UPDATE, transfer, ["status:cancelled"]
        )
    )
    return others


# -- From the import (pupil_csv.pupil_import_apply)


@dataclass
class ElsewhereResult:
    awaiting_release: list[str]  # UPNs the importing school sent, in its own order
    released_at_once: int


def transfers_from_import(
    *,
    actor,
    school: School,
    asked: list[tuple[Learner, dict]],
    left: list[tuple[Learner, dict, tuple[int, int]]],
) -> ElsewhereResult:
    """Rows of an import whose UPN is on another school's roll.

    `asked`: pupils still on their school's roll: an open request is made, or the open one
    refreshed with what was sent now. `left`: pupils their school recorded as left, with
    that school and its hub: already moved by the caller (the Learner rows are saved with
    the import); this records the
    automatic release and moves their history. Runs inside the import's transaction (all
    or nothing) with the pupils' rows locked; a fixed number of queries for any number of
    rows."""
    actor.require("transfer.request")
    now = timezone.now()
    learner_ids = [pupil.pk for pupil, _ in asked] + [pupil.pk for pupil, *_ in left]
    open_here = {
        t.learner_id: t
        for t in PupilTransfer.all_tenants_UNSCOPED.select_for_update().filter(
            learner_id__in=learner_ids, to_school_id=school.pk, status=S.REQUESTED
        )
    }
    new, refreshed, released = [], [], []
    for pupil, row in asked:
        transfer = open_here.get(pupil.pk)
        if transfer is None:
            new.append(
                PupilTransfer(
                    learner_id=pupil.pk,
                    from_school_id=pupil.school_id,
                    from_hub_id=pupil.hub_id,
                    to_school_id=school.pk,
                    to_hub_id=school.hub_id,
                    sent=sent_from_row(row),
                    requested_by_id=actor.user_id,
                    requested_at=now,
                )
            )
        elif transfer.sent != sent_from_row(row):
            # A nightly MIS sync sends the same rows again: only a change is a new step.
            transfer.sent = sent_from_row(row)
            refreshed.append(transfer)
    for pupil, row, (from_school_id, from_hub_id) in left:
        transfer = open_here.get(pupil.pk) or PupilTransfer(
            learner_id=pupil.pk,
            from_school_id=from_school_id,
            from_hub_id=from_hub_id,
            to_school_id=school.pk,
            to_hub_id=school.hub_id,
            requested_by_id=actor.user_id,
            requested_at=now,
        )
        transfer.sent = sent_from_row(row)
        transfer.automatic = True
        _decided(transfer, actor, S.RELEASED, now)
        released.append(transfer)
    reopened = [t for t in released if t.pk is not None]  # this school had asked already
    PupilTransfer.all_tenants_UNSCOPED.bulk_create(
        new + [t for t in released if t.pk is None], batch_size=1000
    )
    PupilTransfer.all_tenants_UNSCOPED.bulk_update(
        refreshed + reopened,
        ["sent", "status", "automatic", "decided_at", "decided_by", "decided_by_role"],
        batch_size=1000,
    )
    released_ids = [t.learner_id for t in released]
    _move_history(released_ids, school)
    cancelled = _cancel_others(actor, released_ids, keep_ids=[t.pk for t in released])
    A = AuditEvent.Action
    events = [e for t in new for e in _transfer_events(actor, A.CREATE, t, ["status:requested"])]
    events += [e for t in refreshed for e in _transfer_events(actor, A.UPDATE, t, ["sent"])]
    events += [
        e
        for t in released
        for e in _transfer_events(actor, A.UPDATE, t, ["status:released", "automatic"])
    ]
    events += [e for t in released for e in _move_events(actor, t, "released_automatically")]
    AuditEvent.all_tenants_UNSCOPED.bulk_create(events, batch_size=1000)
    _tell_requested(new, school)
    _tell_decided(released)
    _tell_decided(cancelled)
    return ElsewhereResult(
        awaiting_release=[row["upn"] for _, row in asked], released_at_once=len(released)
    )


# -- Deciding (the pupil's school, or its hub lead)


def _decided(transfer: PupilTransfer, actor, status: str, at) -> None:
    transfer.status, transfer.decided_at, transfer.decided_by_id = status, at, actor.user_id
    # Kept so both schools can tell a hub lead's decision from the school's own.
    transfer.decided_by_role = actor.role.value if actor.role else ""


def _decidable(actor):
    """Requests the actor may decide: a careers leader's for their own school's pupils (never
    those their school made); a hub lead's are narrowed by the scope rule to schools of the
    hub with no active careers leader."""
    transfers = PupilTransfer.objects.all()
    if actor.role == Role.CAREERS_LEADER:
        transfers = transfers.filter(from_school_id=actor.school_id)
    return transfers


def _locked_open(actor, transfer_id: int) -> tuple[PupilTransfer, Learner]:
    """The open request and its pupil, locked. The pupil first (as the import locks it),
    then the request, so a decision and an import never wait on each other in a circle.
    Out of scope raises PupilTransfer.DoesNotExist (a 404)."""
    learner_id = _decidable(actor).values_list("learner_id", flat=True).get(pk=transfer_id)
    pupil = Learner.all_tenants_UNSCOPED.select_for_update().get(pk=learner_id)
    transfer = _decidable(actor).select_for_update(of=("self",)).get(pk=transfer_id)
    if transfer.status != S.REQUESTED:
        raise ValidationError(
            f"This request has already been {transfer.get_status_display().lower()}."
        )
    return transfer, pupil


@transaction.atomic
def transfer_release(*, actor, transfer_id: int) -> PupilTransfer:
    """Release a pupil to the school that asked: the record and its whole history move,
    the fields that school sent are applied, any other open request for the pupil is
    cancelled."""
    actor.require("transfer.decide")
    transfer, pupil = _locked_open(actor, transfer_id)
    if pupil.school_id != transfer.from_school_id:
        raise ValidationError("The pupil is no longer on this school's roll.")
    to_school = School.all_tenants_UNSCOPED.get(pk=transfer.to_school_id)
    now = timezone.now()
    # A queryset update, not save(): the audit events are written below, one per school.
    Learner.all_tenants_UNSCOPED.filter(pk=pupil.pk).update(
        school_id=to_school.pk,
        hub_id=to_school.hub_id,
        left_on=None,
        updated_at=now,
        **{name: transfer.sent[name] for name in SENT_FIELDS if name in transfer.sent},
    )
    _move_history([pupil.pk], to_school)
    _decided(transfer, actor, S.RELEASED, now)
    transfer.save(update_fields=["status", "decided_at", "decided_by", "decided_by_role"])
    cancelled = _cancel_others(actor, [pupil.pk], keep_ids=[transfer.pk])
    AuditEvent.all_tenants_UNSCOPED.bulk_create(
        _transfer_events(actor, AuditEvent.Action.UPDATE, transfer, ["status:released"])
        + _move_events(actor, transfer, "released")
    )
    _tell_decided([transfer], actor)
    _tell_decided(cancelled)
    return transfer


@transaction.atomic
def transfer_decline(*, actor, transfer_id: int, reason: str) -> PupilTransfer:
    """Keep the pupil: the request is closed with the reason, which the asking school sees."""
    actor.require("transfer.decide")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the other school knows what to do next."})
    transfer, _pupil = _locked_open(actor, transfer_id)
    _decided(transfer, actor, S.DECLINED, timezone.now())
    transfer.decline_reason = reason
    transfer.save(
        update_fields=["status", "decided_at", "decided_by", "decided_by_role", "decline_reason"]
    )
    AuditEvent.all_tenants_UNSCOPED.bulk_create(
        _transfer_events(actor, AuditEvent.Action.UPDATE, transfer, ["status:declined"])
    )
    _tell_decided([transfer], actor)
    return transfer


# -- Recording a leaver (issue 13 builds full leaver handling on this)


@transaction.atomic
def pupil_leave(*, actor, pupil_id: int, left_on: date) -> Learner:
    """The school records that the pupil has left it: a school that imports the UPN later
    takes the pupil at once. Audited as a change of the pupil (access.signals)."""
    actor.require("pupil.leave")
    pupil = Learner.objects.select_for_update(of=("self",)).get(pk=pupil_id)
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": "The date a pupil left cannot be in the future."})
    pupil.left_on = left_on
    pupil.save(update_fields=["left_on", "updated_at"])
    ledger_refresh([pupil.pk])
    return pupil


# -- Reads


def transfer_arrivals(*, actor):
    """The actor's school's requests for pupils on other rolls, newest first: only what the
    school sent and the outcome, never the pupil's record or the other school."""
    return (
        PupilTransfer.objects.filter(to_school_id=actor.school_id)
        .only(
            "pk",
            "learner_id",
            "sent",
            "status",
            "automatic",
            "requested_at",
            "decided_at",
            "decline_reason",
            "to_school_id",
        )
        .order_by("-requested_at", "-pk")
    )


def transfer_requests(*, actor, status: str | None = None):
    """Requests the actor decides (open first, then decided), with the pupil as the
    pupil's own school holds them and the asking school's name."""
    # The pupil comes by its own unscoped query: the one deciding may be a hub lead, whom
    # the pupil-level scope (and row-level security) shows no pupil rows, yet who decides
    # for a school without a careers leader and must see whom. Only these requests' pupils.
    transfers = _decidable(actor).select_related("to_school", "from_school")
    transfers = transfers.prefetch_related(
        Prefetch("learner", queryset=Learner.all_tenants_UNSCOPED.all())
    )
    if status:
        transfers = transfers.filter(status=status)
    still_open = Case(When(status=S.REQUESTED, then=Value(0)), default=Value(1))
    return transfers.order_by(still_open, "-requested_at", "-pk")


def transfer_request_get(*, actor, transfer_id: int) -> PupilTransfer:
    return transfer_requests(actor=actor).get(pk=transfer_id)

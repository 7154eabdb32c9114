"""Writes for the employer portal: vetting, opportunities, nominations and allocation.

Each takes the acting user. Places are never allocated beyond capacity: every change that
takes or frees a place locks the opportunity's row first, so simultaneous requests queue
on that lock and each counts the places the previous one left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from access.audit import audit_many, audit_record
from access.models import AuditEvent
from hubs.models import Hub, Sector
from hubs.postcodes import postcode_clean
from learners.models import Learner
from learners.progress import DESIGN_CRITERIA, ProgressRules, with_progress
from learners.services import placement_setting_check
from outcomes.models import Objective

from . import notifications
from .allocation import Candidate, Decision, allocate, days_behind
from .models import (
    Employer,
    EmployerVetting,
    Nomination,
    Opportunity,
    ReplacedVettingDocument,
)
from .rules import eligible_year_group, no_place_left, vetting_problem, year_groups_clean


class PlacementBlocked(ValidationError):
    """The opportunity cannot take pupils (not published, or the employer's safety check
    for the hub is missing or expired); the message says which."""


class NoPlaceLeft(ValidationError):
    """Every place is taken. The nomination was marked as refused before this was raised."""


# -- Vetting


@transaction.atomic
def vetting_submit(
    *,
    actor,
    hub_id: int,
    insurance_expires: date,
    supervisor_name: str,
    insurance_certificate=None,
    health_and_safety_policy=None,
    risk_assessment=None,
) -> EmployerVetting:
    """An employer sends (or renews) its safety check for a partner hub. A changed check
    needs the hub lead's approval again."""
    actor.require("opportunity.manage")
    hub = Hub.objects.get(pk=hub_id)  # an employer sees its partner hubs only
    vetting, _ = EmployerVetting.objects.get_or_create(
        employer_id=actor.employer_id,
        hub=hub,
        defaults={"insurance_expires": insurance_expires, "supervisor_name": supervisor_name},
    )
    vetting.insurance_expires = insurance_expires
    vetting.supervisor_name = supervisor_name
    for name, upload in (
        ("insurance_certificate", insurance_certificate),
        ("health_and_safety_policy", health_and_safety_policy),
        ("risk_assessment", risk_assessment),
    ):
        if upload is not None:
            previous = getattr(vetting, name).name
            if previous:
                # Kept as evidence for a while, then deleted by retention.
                ReplacedVettingDocument.objects.create(name=previous, replaced_at=timezone.now())
            getattr(vetting, name).save(upload.name, upload, save=False)
    vetting.approved_by = None
    vetting.approved_at = None
    # Sent again: back to the hub lead, and the last decision's reason no longer applies.
    vetting.review = EmployerVetting.Review.WAITING
    vetting.review_reason = ""
    vetting.reviewed_at = None
    vetting.full_clean()
    vetting.save()
    audit_record(action=AuditEvent.Action.UPDATE, instance=vetting, changed_fields=["sent"])
    return vetting


DECIDED_FIELDS = ["approved_by", "approved_at", "review", "review_reason", "reviewed_at"]


@transaction.atomic
def vetting_decide(*, actor, vetting_id: int, decision: str, reason: str = "") -> EmployerVetting:
    """The hub lead's decision on a check for their hub: approve it (every school in the hub
    reuses it), refuse it, or send it back for changes; a refusal or a request for changes
    says why, and the employer is told. Audited."""
    actor.require("vetting.approve")
    review = EmployerVetting.Review
    if decision not in (review.APPROVED, review.REFUSED, review.CHANGES):
        raise ValidationError("Choose to approve, refuse or ask for changes.")
    reason = reason.strip()
    if decision != review.APPROVED and not reason:
        raise ValidationError(
            {"reason": "Say why, so the employer knows what to do: they will read it."}
        )
    vetting = EmployerVetting.objects.select_for_update().get(pk=vetting_id)
    now = timezone.now()
    approved = decision == review.APPROVED
    vetting.review = decision
    vetting.review_reason = "" if approved else reason
    vetting.reviewed_at = now
    vetting.approved_by_id = actor.user_id if approved else None
    vetting.approved_at = now if approved else None
    vetting.save(update_fields=[*DECIDED_FIELDS, "updated_at"])
    audit_record(
        action=AuditEvent.Action.UPDATE, instance=vetting, changed_fields=[f"review:{decision}"]
    )
    if not approved:
        employer = Employer.objects.filter(pk=vetting.employer_id).values_list("name", flat=True)
        notifications.vetting_decided(
            vetting, employer_name=employer.first() or "", hub_name=vetting.hub.name
        )
    return vetting


def vetting_approve(*, actor, vetting_id: int) -> EmployerVetting:
    """The hub lead approves a check for their hub; every school in the hub reuses it."""
    return vetting_decide(actor=actor, vetting_id=vetting_id, decision="approved")


def _vetting_problem(opportunity: Opportunity, hub: Hub) -> str | None:
    vetting = EmployerVetting.objects.filter(employer_id=opportunity.employer_id, hub=hub).first()
    return vetting_problem(
        vetting,
        employer_name=opportunity.employer.name,
        hub_name=hub.name,
        day=opportunity.start_date,
    )


# -- Opportunities


def _postcode(text: str) -> str:
    try:
        return postcode_clean(text) if text.strip() else ""
    except ValueError as error:
        raise ValidationError({"postcode": str(error)}) from error


_STATE = {"draft": "still a draft", "published": "already published", "closed": "closed"}


@transaction.atomic
def opportunity_create(
    *,
    actor,
    title: str,
    kind: str,
    setting: str,
    tier: int,
    start_date: date,
    end_date: date | None = None,
    capacity: int,
    year_groups: Iterable[int],
    hub_ids: Iterable[int],
    sector_id: int | None = None,
    objective_ids: Iterable[int] = (),
    description: str = "",
    postcode: str = "",
    accessibility_notes: str = "",
    criteria: Iterable[str] = (),
    starts_at: time | None = None,
    ends_at: time | None = None,
    address: str = "",
    dress_code: str = "",
    onsite_contact_name: str = "",
    onsite_contact_phone: str = "",
    what_to_bring: str = "",
) -> Opportunity:
    """A draft opportunity of the actor's employer, to be seen by some of its partner hubs.

    criteria: the meaningful criteria (M1-M5) its design meets; the experience recorded
    when attendance is confirmed carries them, and they decide whether it counts.
    """
    actor.require("opportunity.manage")
    placement_setting_check(kind, setting)
    employer = Employer.objects.get(pk=actor.employer_id)
    hub_ids = set(hub_ids)
    hubs = list(Hub.objects.filter(pk__in=hub_ids))  # partner hubs only, by scope
    if not hubs or len(hubs) != len(hub_ids):
        raise ValidationError({"hubs": "Choose one or more of your partner hubs."})
    opportunity = Opportunity(
        employer=employer,
        title=title,
        description=description,
        kind=kind,
        setting=setting,
        tier=tier,
        sector=Sector.objects.get(pk=sector_id) if sector_id else None,
        start_date=start_date,
        end_date=end_date or start_date,
        capacity=capacity,
        year_groups=year_groups_clean(year_groups),
        postcode=_postcode(postcode),
        accessibility_notes=accessibility_notes,
        starts_at=starts_at,
        ends_at=ends_at,
        address=address.strip(),
        dress_code=dress_code.strip(),
        onsite_contact_name=onsite_contact_name.strip(),
        onsite_contact_phone=onsite_contact_phone.strip(),
        what_to_bring=what_to_bring.strip(),
        **{f"meets_{code.lower()}": code in set(criteria) for code in DESIGN_CRITERIA},
    )
    if opportunity.end_date < opportunity.start_date:
        raise ValidationError({"end_date": "The last day cannot be before the first."})
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": "The finishing time must be after the arrival time."})
    opportunity.full_clean()
    opportunity.save()
    opportunity.visible_to_hubs.set(hubs)
    opportunity.objectives.set(Objective.objects.filter(pk__in=set(objective_ids)))
    return opportunity


@transaction.atomic
def opportunity_publish(*, actor, opportunity: Opportunity) -> Opportunity:
    """Offer a draft to its hubs' schools. Blocked unless the employer's check for every
    one of those hubs is approved and still valid on the first day."""
    actor.require("opportunity.manage")
    opportunity = (
        Opportunity.objects.select_for_update().select_related("employer").get(pk=opportunity.pk)
    )
    if opportunity.status != Opportunity.Status.DRAFT:
        raise PlacementBlocked(f"“{opportunity.title}” is {_STATE[opportunity.status]}.")
    problems = [
        problem
        for hub in opportunity.visible_to_hubs.order_by("name")
        if (problem := _vetting_problem(opportunity, hub))
    ]
    if problems:
        raise PlacementBlocked(problems)
    opportunity.status = Opportunity.Status.PUBLISHED
    opportunity.save(update_fields=["status", "updated_at"])
    return opportunity


def opportunity_close(*, actor, opportunity: Opportunity) -> Opportunity:
    """No more nominations; places already held stay held."""
    actor.require("opportunity.manage")
    opportunity = Opportunity.objects.get(pk=opportunity.pk)
    opportunity.status = Opportunity.Status.CLOSED
    opportunity.save(update_fields=["status", "updated_at"])
    return opportunity


def host_again_record(
    *, actor, opportunity: Opportunity, host_again: bool, places: int | None = None
) -> Opportunity:
    """After a placement, the employer says whether it would host again and how many
    pupils; the hub's capacity figure (selectors.hub_hosting_capacity) adds these up."""
    actor.require("attendance.confirm")
    opportunity = Opportunity.objects.get(pk=opportunity.pk)
    if opportunity.attendance_confirmed_at is None:
        raise ValidationError("Confirm attendance first; then say whether you would host again.")
    if host_again and (places is None or not 1 <= places <= 500):
        raise ValidationError({"host_again_places": "Say how many pupils, from 1 to 500."})
    opportunity.host_again = host_again
    opportunity.host_again_places = places if host_again else 0
    opportunity.host_again_answered_at = timezone.now()
    opportunity.save(
        update_fields=["host_again", "host_again_places", "host_again_answered_at", "updated_at"]
    )
    return opportunity


# -- Nominations


@transaction.atomic
def nomination_create(
    *,
    actor,
    opportunity: Opportunity,
    learners: Iterable[Learner],
    shared_support_needs: Mapping[int, str] | str = "",
    interested_in_sector: Iterable[int] = (),
) -> list[Nomination]:
    """A careers leader puts pupils of their school forward.

    shared_support_needs: the words the employer will see, one text for all or a mapping
    of pupil id -> text. interested_in_sector: ids of pupils the careers leader knows are
    interested in the opportunity's sector (it weighs in a fair allocation).
    """
    actor.require("opportunity.nominate")
    opportunity = Opportunity.objects.get(pk=opportunity.pk)  # visible to the school's hub
    if opportunity.status != Opportunity.Status.PUBLISHED:
        raise PlacementBlocked(f"“{opportunity.title}” is no longer taking nominations.")
    wanted = {pupil.pk for pupil in learners}
    if not wanted:
        raise ValidationError({"pupils": "Choose at least one pupil."})
    pupils = list(Learner.objects.filter(pk__in=wanted).order_by("pk"))
    if len(pupils) != len(wanted):
        raise ValidationError({"pupils": "Some of the chosen pupils are not available to you."})
    ineligible = [p for p in pupils if eligible_year_group(p.cohort, opportunity) is None]
    if ineligible:
        years = ", ".join(str(y) for y in opportunity.year_groups)
        raise ValidationError(
            {
                "pupils": f"Only Years {years} can take part: "
                + ", ".join(p.first_name for p in ineligible)
                + " cannot."
            }
        )
    already = set(
        Nomination.objects.filter(opportunity=opportunity, learner__in=pupils).values_list(
            "learner_id", flat=True
        )
    )
    if already:
        names = ", ".join(p.first_name for p in pupils if p.pk in already)
        raise ValidationError({"pupils": f"Already nominated: {names}."})
    interested = set(interested_in_sector)
    from pupils.models import OpportunityInterest

    asked = set(
        OpportunityInterest.objects.filter(opportunity=opportunity, learner__in=pupils).values_list(
            "learner_id", flat=True
        )
    )

    def needs(pupil):
        if isinstance(shared_support_needs, str):
            return shared_support_needs.strip()
        return shared_support_needs.get(pupil.pk, "").strip()

    created = Nomination.objects.bulk_create(
        Nomination(
            hub_id=pupil.hub_id,
            school_id=pupil.school_id,
            opportunity=opportunity,
            learner=pupil,
            shared_support_needs=needs(pupil),
            interested_in_sector=pupil.pk in interested,
            pupil_asked=pupil.pk in asked,
            nominated_by_id=actor.user_id,
        )
        for pupil in pupils
    )
    audit_many(actor, AuditEvent.Action.CREATE, created)
    notifications.nominations_received(opportunity, len(created))
    return created


# -- Allocation


def _held_places(opportunity: Opportunity) -> int:
    # Capacity is a fact about the whole opportunity, whoever asks: count every school's
    # held places, not only those the actor may see. Only the number leaves this function.
    return Nomination.all_tenants_UNSCOPED.filter(
        opportunity_id=opportunity.pk, status__in=Nomination.HOLDS_A_PLACE
    ).count()


def _locked(opportunity_id: int) -> Opportunity:
    """The opportunity's row, locked until the transaction ends: the queue every place
    change waits in."""
    opportunity = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("employer")
        .get(pk=opportunity_id)
    )
    if opportunity.status != Opportunity.Status.PUBLISHED:
        raise PlacementBlocked(f"“{opportunity.title}” is {_STATE[opportunity.status]}.")
    return opportunity


def _take_place(actor, opportunity: Opportunity, nomination: Nomination, status: str) -> bool:
    """Give the nomination a place if one is free (the opportunity row is locked)."""
    if problem := _vetting_problem(opportunity, nomination.hub):
        raise PlacementBlocked(problem)
    held = _held_places(opportunity)
    if held >= opportunity.capacity:
        nomination.status = Nomination.Status.REFUSED_FULL
        nomination.explanation = f"Not offered: {no_place_left(opportunity.capacity)}"
        taken = False
    else:
        nomination.status = status
        nomination.explanation = f"Offered: place {held + 1} of {opportunity.capacity}."
        taken = True
    nomination.decided_at = timezone.now()
    nomination.save(update_fields=["status", "explanation", "decided_at", "updated_at"])
    audit_many(actor, AuditEvent.Action.UPDATE, [nomination], changed=["status"])
    return taken


def place_allocate(*, actor, nomination: Nomination) -> Nomination:
    """Offer the nominated pupil a place, never beyond capacity.

    Raises NoPlaceLeft ("All 5 places are taken.") after recording the refusal, and
    PlacementBlocked when the opportunity is not published or the employer's check for
    the pupil's hub is missing or expired on the first day.
    """
    actor.require("nomination.decide")
    with transaction.atomic():
        opportunity = _locked(nomination.opportunity_id)
        nomination = (
            Nomination.objects.select_for_update(of=("self",))
            .select_related("hub")
            .get(pk=nomination.pk, opportunity=opportunity)
        )
        if nomination.status in Nomination.HOLDS_A_PLACE:
            return nomination
        if nomination.status == Nomination.Status.DECLINED:
            raise ValidationError("The employer has declined this nomination.")
        taken = _take_place(actor, opportunity, nomination, Nomination.Status.OFFERED)
        notifications.nominations_decided([nomination], opportunity)
    if not taken:
        raise NoPlaceLeft(no_place_left(opportunity.capacity))
    return nomination


def nomination_decide(*, actor, nomination: Nomination, accept: bool, reason: str = ""):
    """The employer accepts a pupil (taking a place if the pupil holds none yet) or
    declines with a reason, which frees any place held."""
    actor.require("nomination.decide")
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError({"reason": "Say why you are declining, for the school."})
    with transaction.atomic():
        opportunity = _locked(nomination.opportunity_id)
        nomination = (
            Nomination.objects.select_for_update(of=("self",))
            .select_related("hub")
            .get(pk=nomination.pk, opportunity=opportunity)
        )
        nomination.decision_reason = reason
        nomination.save(update_fields=["decision_reason", "updated_at"])
        if not accept:
            nomination.status = Nomination.Status.DECLINED
            nomination.decided_at = timezone.now()
            nomination.save(update_fields=["status", "decided_at", "updated_at"])
            audit_many(actor, AuditEvent.Action.UPDATE, [nomination], changed=["status"])
            notifications.nominations_decided([nomination], opportunity)
            return nomination
        if nomination.status == Nomination.Status.OFFERED:
            nomination.status = Nomination.Status.ACCEPTED
            nomination.decided_at = timezone.now()
            nomination.save(update_fields=["status", "decided_at", "updated_at"])
            audit_many(actor, AuditEvent.Action.UPDATE, [nomination], changed=["status"])
            notifications.nominations_decided([nomination], opportunity)
            return nomination
        if nomination.status == Nomination.Status.ACCEPTED:
            return nomination
        taken = _take_place(actor, opportunity, nomination, Nomination.Status.ACCEPTED)
        notifications.nominations_decided([nomination], opportunity)
    if not taken:
        raise NoPlaceLeft(no_place_left(opportunity.capacity))
    return nomination


def _candidates(nominations: list[Nomination], as_at: date) -> dict[int, Candidate]:
    """Each waiting nomination's standing in the fair order, from the pupils' progress.

    The employer may never read these pupils' rows: they are read here, through the
    nominations in the actor's scope, and only the explanation (shown to the school)
    leaves the service.
    """
    by_hub: dict[int, list[Nomination]] = {}
    for nomination in nominations:
        by_hub.setdefault(nomination.hub_id, []).append(nomination)
    candidates = {}
    for group in by_hub.values():
        rules = ProgressRules.for_hub(group[0].hub)
        progress = with_progress(
            Learner.all_tenants_UNSCOPED.filter(pk__in=[n.learner_id for n in group]),
            rules=rules,
            as_at=as_at,
        ).values(
            "pk",
            "disadvantaged",
            "send",
            "stage_offset",
            "ks3_hours",
            "ks3_expected_hours",
            "ks4_placement_hours",
            "ks4_expected_hours",
        )
        figures = {row["pk"]: row for row in progress}
        for nomination in group:
            row = figures[nomination.learner_id]
            candidates[nomination.pk] = Candidate(
                nomination_id=nomination.pk,
                disadvantaged=row["disadvantaged"],
                send=row["send"],
                days_behind=days_behind(
                    stage_offset=row["stage_offset"],
                    ks3_hours=row["ks3_hours"],
                    ks3_expected_hours=row["ks3_expected_hours"],
                    ks4_placement_hours=row["ks4_placement_hours"],
                    ks4_expected_hours=row["ks4_expected_hours"],
                ),
                interested_in_sector=nomination.interested_in_sector,
                pupil_asked=nomination.pupil_asked,
                nominated_at=nomination.created_at,
            )
    return candidates


def allocation_run(*, actor, opportunity: Opportunity, as_at: date | None = None):
    """Offer the free places to the waiting nominations in the fair order (see
    employers.allocation) and store the explanation of each decision for the school.

    Pupils from a hub whose check is missing or expired keep waiting, with the reason.
    Returns the decisions, in the fair order.
    """
    actor.require("nomination.decide")
    as_at = as_at or timezone.localdate()
    with transaction.atomic():
        opportunity = _locked(opportunity.pk)
        waiting = list(
            Nomination.objects.select_for_update(of=("self",))
            .select_related("hub")
            .filter(
                opportunity=opportunity,
                status__in=(Nomination.Status.NOMINATED, Nomination.Status.REFUSED_FULL),
            )
            .order_by("created_at", "pk")
        )
        blocked_hubs = {}
        for hub in {n.hub for n in waiting}:
            if problem := _vetting_problem(opportunity, hub):
                blocked_hubs[hub.pk] = problem
        ready = [n for n in waiting if n.hub_id not in blocked_hubs]
        candidates = _candidates(ready, as_at)
        decisions = allocate(candidates.values(), opportunity.capacity - _held_places(opportunity))
        by_id = {n.pk: n for n in waiting}
        now = timezone.now()
        changed = []
        for decision in decisions:
            nomination = by_id[decision.candidate.nomination_id]
            nomination.status = (
                Nomination.Status.OFFERED if decision.offered else Nomination.Status.REFUSED_FULL
            )
            nomination.explanation = decision.explanation
            nomination.decided_at = now
            changed.append(nomination)
        for nomination in waiting:
            if nomination.hub_id in blocked_hubs:
                nomination.status = Nomination.Status.NOMINATED
                nomination.explanation = f"Waiting: {blocked_hubs[nomination.hub_id]}"
                changed.append(nomination)
        for nomination in changed:  # bulk_update does not touch auto_now fields
            nomination.updated_at = now
        Nomination.all_tenants_UNSCOPED.bulk_update(
            changed, ["status", "explanation", "decided_at", "updated_at"]
        )
        audit_many(actor, AuditEvent.Action.UPDATE, changed, changed=["status"])
        notifications.nominations_decided(
            [by_id[d.candidate.nomination_id] for d in decisions], opportunity
        )
    return decisions


__all__ = [
    "Decision",
    "NoPlaceLeft",
    "PlacementBlocked",
    "allocation_run",
    "host_again_record",
    "nomination_create",
    "nomination_decide",
    "opportunity_close",
    "opportunity_create",
    "opportunity_publish",
    "place_allocate",
    "vetting_approve",
    "vetting_submit",
]

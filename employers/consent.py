"""Parental consent per placement: the school asks by email, the parent answers by link.

The link's token is the parent's only key (no account): it is shown once, in the email,
and only its SHA-256 digest is stored, so a copy of the database opens no consent page.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from access.actor import system_actor
from access.audit import audit_many
from access.models import AuditEvent
from access.rls import past_the_wall

from . import notifications
from .models import Nomination, ParentalConsent
from .rules import needs_parental_consent

PARENT = system_actor("a parent or carer, by the emailed consent link")


class ConsentLinkUnusable(Exception):
    """The link is unknown, or its placement is over."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def consent_request(*, actor, nomination_id: int, parent_email: str) -> ParentalConsent:
    """Email a parent or carer the link that gives or refuses consent for a pupil's place.

    Asking again (a wrong address, a refusal to revisit) sends a new link and the old one
    stops working. Consent already given is not asked again.
    """
    actor.require("consent.request")
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("opportunity__employer", "learner", "school")
        .get(pk=nomination_id)
    )
    opportunity = nomination.opportunity
    if nomination.status not in Nomination.HOLDS_A_PLACE:
        raise ValidationError(f"{nomination.learner.first_name} does not hold a place yet.")
    if not needs_parental_consent(opportunity):
        raise ValidationError("This opportunity takes place in school: no consent is needed.")
    if opportunity.end_date < timezone.localdate():
        raise ValidationError("The placement is over.")
    parent_email = parent_email.strip().lower()
    try:
        validate_email(parent_email)
    except ValidationError as error:
        raise ValidationError(
            {"parent_email": "Enter the parent's or carer's email address, like name@example.com."}
        ) from error
    existing = ParentalConsent.objects.filter(nomination=nomination).first()
    if existing and existing.answer == ParentalConsent.Answer.GIVEN:
        raise ValidationError(
            f"{existing.signed_by} already gave consent for {nomination.learner.first_name}."
        )
    token = secrets.token_urlsafe(32)
    consent, _ = ParentalConsent.objects.update_or_create(
        nomination=nomination,
        defaults={
            "hub_id": nomination.hub_id,
            "school_id": nomination.school_id,
            "token_digest": _digest(token),
            "sent_to": parent_email,
            "answer": ParentalConsent.Answer.WAITING,
            "signed_by": "",
            "note": "",
            **asdict(ConsentDetails()),
            "reminded_at": None,
            "reminders_sent": 0,
            "requested_by_id": actor.user_id,
            "requested_at": timezone.now(),
            "answered_at": None,
        },
    )
    audit_many(actor, AuditEvent.Action.CREATE, [consent], changed=["sent_to"])
    notifications.consent_needed(
        consent,
        opportunity,
        pupil_first_name=nomination.learner.first_name,
        school_name=nomination.school.name,
        token=token,
    )
    return consent


def consent_for_token(token: str) -> ParentalConsent:
    """The consent a link answers. The token is the capability, as with invitations: it is
    the only way a visitor without an account reaches one row, and nothing else."""
    consent = (
        ParentalConsent.all_tenants_UNSCOPED.select_related(
            "nomination__opportunity__employer", "nomination__learner", "school"
        )
        .filter(token_digest=_digest(token))
        .first()
    )
    if consent is None or consent.nomination.opportunity.end_date < timezone.localdate():
        raise ConsentLinkUnusable(
            "This consent link is not valid: it may have been replaced by a newer email, "
            "or the placement is over. Contact the school if you need to change your answer."
        )
    return consent


def consent_can_change(consent: ParentalConsent) -> bool:
    """An answer can change until the placement's first day; after that it stands."""
    return (
        consent.answer == ParentalConsent.Answer.WAITING
        or timezone.localdate() < consent.nomination.opportunity.start_date
    )


@dataclass(frozen=True)
class ConsentDetails:
    """What the parent or carer tells the school with their consent: what a placement needs,
    nothing more. Medical or access needs reach the employer's supervisor only when
    share_needs_with_employer is set."""

    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    medical_needs: str = ""
    share_needs_with_employer: bool = False
    travel_arrangements: str = ""


PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()-]+$")


def phone_clean(text: str) -> str:
    """A phone number as typed, checked: digits with spaces, brackets, dashes, an optional
    leading +, and 10 to 15 digits (a UK number has 10 or 11)."""
    text = " ".join(text.split())
    digits = sum(c.isdigit() for c in text)
    if not PHONE_CHARACTERS.match(text) or not 10 <= digits <= 15:
        raise ValidationError(
            {"emergency_contact_phone": "Enter a phone number, like 07700 900123."}
        )
    return text


def _details_clean(details: ConsentDetails) -> ConsentDetails:
    problems = {}
    name = details.emergency_contact_name.strip()
    if not name:
        problems["emergency_contact_name"] = "Enter the name of someone to call in an emergency."
    phone = details.emergency_contact_phone.strip()
    if not phone:
        problems["emergency_contact_phone"] = "Enter the emergency contact's phone number."
    else:
        try:
            phone = phone_clean(phone)
        except ValidationError as error:
            problems.update(error.message_dict)
    if problems:
        raise ValidationError(problems)
    medical = details.medical_needs.strip()
    return ConsentDetails(
        emergency_contact_name=name[:200],
        emergency_contact_phone=phone[:40],
        medical_needs=medical,
        share_needs_with_employer=bool(medical) and details.share_needs_with_employer,
        travel_arrangements=details.travel_arrangements.strip(),
    )


def consent_answer(
    *,
    token: str,
    give: bool,
    signed_by: str,
    note: str = "",
    details: ConsentDetails | None = None,
) -> ParentalConsent:
    """The parent or carer gives or refuses consent, signing with their name.

    Giving consent needs an emergency contact (details); a refusal keeps no details.
    """
    # The visitor has no account (the request's actor is anonymous): the link's token is
    # the capability, and this one consent (with its nomination and placement) is all the
    # answer reads and writes, past row-level security as past the scoping layer.
    with past_the_wall("a parent's answer through the emailed link's token"):
        return _consent_answer(
            token=token,
            give=give,
            signed_by=signed_by,
            note=note,
            details=details or ConsentDetails(),
        )


@transaction.atomic
def _consent_answer(
    *, token: str, give: bool, signed_by: str, note: str, details: ConsentDetails
) -> ParentalConsent:
    consent = consent_for_token(token)
    consent = ParentalConsent.all_tenants_UNSCOPED.select_for_update().get(pk=consent.pk)
    if not consent_can_change(consent):
        raise ValidationError(
            "The placement has started, so this answer can no longer change. "
            "Contact the school if something is wrong."
        )
    signed_by = signed_by.strip()
    problems = {}
    if not signed_by:
        problems["signed_by"] = "Type your full name to sign your answer."
    if give:
        try:
            details = _details_clean(details)
        except ValidationError as error:
            problems.update(error.message_dict)
    else:
        details = ConsentDetails()  # a refusal needs none of them: none are kept
    if problems:
        raise ValidationError(problems)
    consent.answer = ParentalConsent.Answer.GIVEN if give else ParentalConsent.Answer.REFUSED
    consent.signed_by = signed_by[:200]
    consent.note = note.strip()
    for name, value in asdict(details).items():
        setattr(consent, name, value)
    consent.answered_at = timezone.now()
    consent.sent_to = ""  # answered: the school no longer needs the address
    consent.save()
    audit_many(
        PARENT,
        AuditEvent.Action.UPDATE,
        [consent],
        changed=["answer", "signed_by", *asdict(details)],
    )
    notifications.consent_answered(consent, consent.nomination.opportunity)
    return consent


@dataclass(frozen=True)
class ConsentsSent:
    sent: list[ParentalConsent]
    problems: dict[int, list[str]]  # nomination id -> why its request was not sent


def consent_request_many(*, actor, emails: Mapping[int, str]) -> ConsentsSent:
    """Ask many parents at once (the placement board): nomination id -> parent's address.

    Each request stands alone: one wrong address does not stop the others, and each
    problem is returned against its nomination.
    """
    actor.require("consent.request")
    sent, problems = [], {}
    for nomination_id, email in emails.items():
        try:
            sent.append(
                consent_request(actor=actor, nomination_id=nomination_id, parent_email=email)
            )
        except ValidationError as error:
            problems[nomination_id] = error.messages
    return ConsentsSent(sent=sent, problems=problems)


@transaction.atomic
def consent_remind(*, actor, consent_ids: Iterable[int]) -> int:
    """Email a reminder, with a fresh link, to each parent who has not answered yet (the
    address is kept until they answer). The previous link stops working, as only a digest
    of the newest is kept. Returns how many reminders went out."""
    actor.require("consent.request")
    waiting = list(
        ParentalConsent.objects.select_for_update(of=("self",))
        .select_related("nomination__opportunity__employer", "nomination__learner", "school")
        .filter(
            pk__in=set(consent_ids),
            answer=ParentalConsent.Answer.WAITING,
            nomination__opportunity__end_date__gte=timezone.localdate(),
        )
        .exclude(sent_to="")
    )
    now = timezone.now()
    tokens = {}
    for consent in waiting:
        tokens[consent.pk] = secrets.token_urlsafe(32)
        consent.token_digest = _digest(tokens[consent.pk])
        consent.reminded_at = now
        consent.reminders_sent += 1
        consent.updated_at = now
    ParentalConsent.objects.bulk_update(
        waiting, ["token_digest", "reminded_at", "reminders_sent", "updated_at"]
    )
    audit_many(actor, AuditEvent.Action.UPDATE, waiting, changed=["reminded_at"])
    for consent in waiting:
        nomination = consent.nomination
        notifications.consent_needed(
            consent,
            nomination.opportunity,
            pupil_first_name=nomination.learner.first_name,
            school_name=consent.school.name,
            token=tokens[consent.pk],
            reminder=True,
        )
    return len(waiting)

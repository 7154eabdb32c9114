"""Bringing employers onto equalex (issue 5, item 1).

A hub lead adds an employer and invites its first person; an organisation with no account
asks a hub to take it on (the public page), and the hub lead approves or refuses; an
employer already on equalex asks one more hub to partner with it. Each write takes the
acting user (none for the public request) and sends its emails once the transaction
commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from accounts.models import Invitation
from accounts.services import invitation_create
from hubs.models import Hub, Membership

from . import notifications
from .models import Employer, EmployerRequest


def _has_staff(employer: Employer) -> bool:
    return Membership.all_tenants_UNSCOPED.filter(
        employer_id=employer.pk, role=Role.EMPLOYER
    ).exists()


def _is_partner(employer_id: int, hub_id: int) -> bool:
    return Employer.hubs.through.objects.filter(employer_id=employer_id, hub_id=hub_id).exists()


# -- Adding an employer


@dataclass(frozen=True)
class Onboarded:
    """What employer_onboard did. `created` is False when the organisation was already on
    equalex; the hub lead is then told only that (see employer_onboard)."""

    employer: Employer
    created: bool
    invitation: Invitation | None


def _lock_organisation(key: str) -> None:
    # Two hub leads adding the same organisation at once must not create it twice: on
    # PostgreSQL they queue on a lock named after it until the first one commits.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def employer_match(*, name: str, companies_house_number: str = "") -> Employer | None:
    """The employer already on equalex with this Companies House number or, when none is
    given, this name (ignoring case). Read across every hub on purpose: an employer is one
    national organisation, whichever hubs it partners with."""
    employers = Employer.all_tenants_UNSCOPED.order_by("pk")
    if companies_house_number:
        return employers.filter(companies_house_number=companies_house_number).first()
    return employers.filter(name__iexact=name.strip()).first()


@transaction.atomic
def employer_onboard(
    *,
    actor,
    name: str,
    size_band: str,
    sector=None,
    postcode: str = "",
    companies_house_number: str = "",
    contact_email: str,
    base_url: str = "",
) -> Onboarded:
    """The hub lead adds an employer to their hub and invites its first contact.

    A new organisation is created, partnered with the hub lead's hub, and the contact
    invited as its staff, in one transaction (the email goes on commit).

    When the organisation is already on equalex (same Companies House number or, without
    one, the same name ignoring case) it is not created again and its stored details are
    not changed: it is partnered with this hub, which is what the hub lead asked for. The
    hub lead learns only that it exists; from then on they see it as any partner hub does
    (its profile and partner hubs, the opportunities it offers their hub), never its
    other hubs' checks, opportunities or nominations. Whether the contact is invited
    depends on the employer, not on the hub lead:
    - an employer with no staff yet: the contact is invited, as for a new one;
    - an employer with staff: nobody is invited. Its staff are told that the hub now
      partners with them and that the contact asked to join; they invite their colleague
      (accounts.services.invitation_create) if they know them. A hub lead who could add
      staff to an employer already in use could read, through that account, the
      nominations other hubs' schools sent it.
    The page tells the hub lead the same thing in both cases.
    """
    actor.require("employer.onboard")
    hub = Hub.objects.get(pk=actor.hub_id)
    name = name.strip()
    _lock_organisation(
        f"employer:ch:{companies_house_number}"
        if companies_house_number
        else f"employer:name:{name.lower()}"
    )
    employer = employer_match(name=name, companies_house_number=companies_house_number)
    created = employer is None
    if created:
        employer = Employer(
            name=name,
            size_band=size_band,
            sector=sector,
            postcode=postcode,
            companies_house_number=companies_house_number,
        )
        employer.full_clean()
        employer.save()
    employer.hubs.add(hub)
    if created or not _has_staff(employer):
        invitation = invitation_create(
            actor=actor,
            email=contact_email,
            role=Role.EMPLOYER,
            employer=employer,
            base_url=base_url,
        )
        return Onboarded(employer, created, invitation)
    notifications.email(
        f"{hub.name} now partners with {employer.name} on equalex",
        f"The hub lead of {hub.name} has added {employer.name} as a partner of the hub. "
        f"They asked for {contact_email.lower()} to join your organisation on equalex: if "
        "they work with you, invite them from the Invite staff page "
        f"({base_url}{reverse('invitation_new')}).\n\n"
        f"Before schools in {hub.name} can be offered your placements, send your safety "
        f"check for the hub ({base_url}{reverse('vetting_for_employer')}).\n",
        notifications.employer_staff(employer.pk),
    )
    return Onboarded(employer, created, None)


# -- Requests to join or to partner


def _tell_hub_leads(request: EmployerRequest, base_url: str) -> None:
    link = base_url + reverse("employer_request_detail", args=[request.pk])
    joining = request.kind == EmployerRequest.Kind.JOIN
    notifications.email(
        f"{request.name} asks to {'join equalex with' if joining else 'partner with'} "
        f"{request.hub.name}",
        f"{request.contact_name} of {request.name} has asked {request.hub.name} to "
        f"{'take them on as an employer on equalex' if joining else 'partner with them'}."
        f"\n\nReview the request: {link}\n",
        notifications.hub_leads(request.hub_id),
    )


@transaction.atomic
def employer_request_submit(
    *,
    hub: Hub,
    name: str,
    size_band: str,
    contact_name: str,
    contact_email: str,
    sector=None,
    postcode: str = "",
    companies_house_number: str = "",
    message: str = "",
    base_url: str = "",
) -> EmployerRequest:
    """An organisation with no account asks a hub to take it on (the public page).

    Nothing is sent to the contact address: the page confirms it, and a public form that
    mailed any address typed into it would be a way to send anyone mail. The hub's leads
    are told. The same address asking the same hub again while a request waits gets the
    waiting request back, not a second one.
    """
    contact_email = contact_email.strip().lower()
    # No actor: the visitor has no account. Read across tenants only to find a duplicate.
    waiting = EmployerRequest.all_tenants_UNSCOPED.filter(
        hub=hub,
        contact_email=contact_email,
        kind=EmployerRequest.Kind.JOIN,
        status=EmployerRequest.Status.PENDING,
    ).first()
    if waiting is not None:
        return waiting
    request = EmployerRequest(
        kind=EmployerRequest.Kind.JOIN,
        hub=hub,
        name=name.strip(),
        companies_house_number=companies_house_number,
        size_band=size_band,
        sector=sector,
        postcode=postcode,
        contact_name=contact_name.strip(),
        contact_email=contact_email,
        message=message.strip(),
    )
    request.full_clean()
    request.save()
    _tell_hub_leads(request, base_url)
    return request


@transaction.atomic
def partner_request_submit(*, actor, hub_id: int, message: str = "", base_url: str = ""):
    """An employer asks one more hub to partner with it; that hub's lead decides."""
    actor.require("employer.partner")
    employer = Employer.objects.get(pk=actor.employer_id)
    # Hub names are public (the join page lists them); the employer cannot see this hub
    # through its scope until the hub partners with it.
    hub = Hub.all_tenants_UNSCOPED.filter(pk=hub_id).first()
    if hub is None:
        raise ValidationError({"hub": "Choose a hub."})
    if _is_partner(employer.pk, hub.pk):
        raise ValidationError({"hub": f"{hub.name} is already one of your partner hubs."})
    if EmployerRequest.objects.filter(
        employer=employer, hub=hub, status=EmployerRequest.Status.PENDING
    ).exists():
        raise ValidationError({"hub": f"You have already asked {hub.name}; it has not replied."})
    user = get_user_model().objects.get(pk=actor.user_id)
    request = EmployerRequest(
        kind=EmployerRequest.Kind.PARTNER,
        hub=hub,
        employer=employer,
        name=employer.name,
        companies_house_number=employer.companies_house_number,
        size_band=employer.size_band,
        sector_id=employer.sector_id,
        postcode=employer.postcode,
        contact_name=user.full_name or user.email,
        contact_email=user.email,
        message=message.strip(),
    )
    request.full_clean()
    request.save()
    _tell_hub_leads(request, base_url)
    return request


def _pending_for_decision(actor, request_id: int) -> EmployerRequest:
    # Scoped: a hub lead reaches their own hub's requests only (DoesNotExist otherwise).
    request = (
        EmployerRequest.objects.select_for_update(of=("self",))
        .select_related("hub")
        .get(pk=request_id)
    )
    if request.status != EmployerRequest.Status.PENDING:
        raise ValidationError(f"This request was already {request.get_status_display().lower()}.")
    return request


def _decided(request: EmployerRequest, actor, status: str, reason: str = "") -> None:
    request.status = status
    request.refusal_reason = reason
    request.decided_by_id = actor.user_id
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at", "employer"])


@transaction.atomic
def employer_request_approve(*, actor, request_id: int, base_url: str = "") -> EmployerRequest:
    """The hub lead approves a request to their hub.

    To join: as if the hub lead had added the organisation themselves (employer_onboard:
    created, or matched and partnered; the contact invited when that is safe). To
    partner: the employer gains the hub; its safety check for the hub then goes through
    the checks page as usual.
    """
    actor.require("employer.onboard")
    request = _pending_for_decision(actor, request_id)
    hub = request.hub
    if request.kind == EmployerRequest.Kind.JOIN:
        outcome = employer_onboard(
            actor=actor,
            name=request.name,
            size_band=request.size_band,
            sector=request.sector,
            postcode=request.postcode,
            companies_house_number=request.companies_house_number,
            contact_email=request.contact_email,
            base_url=base_url,
        )
        request.employer = outcome.employer
        if not outcome.created:
            # Says no more than that the organisation exists: an invitation follows only
            # when nobody there manages it yet.
            notifications.email(
                f"{hub.name} has approved your request",
                f"{hub.name} has approved your request. {outcome.employer.name} is already "
                "on equalex and is now a partner of the hub. If no invitation reaches you, "
                "ask a colleague who uses equalex to invite you.\n",
                [request.contact_email],
            )
    else:
        # The employer asked this hub; the hub lead cannot see it until they partner.
        employer = Employer.all_tenants_UNSCOPED.get(pk=request.employer_id)
        employer.hubs.add(hub)
        notifications.email(
            f"{hub.name} now partners with {employer.name}",
            f"{hub.name} has agreed to partner with {employer.name} on equalex.\n\n"
            f"Before schools in {hub.name} can be offered your placements, send your safety "
            f"check for the hub: {base_url}{reverse('vetting_for_employer')}\n",
            [request.contact_email],
        )
    _decided(request, actor, EmployerRequest.Status.APPROVED)
    return request


@transaction.atomic
def employer_request_refuse(*, actor, request_id: int, reason: str) -> EmployerRequest:
    """The hub lead refuses a request to their hub, saying why; the contact is told."""
    actor.require("employer.onboard")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the organisation knows what to do next."})
    request = _pending_for_decision(actor, request_id)
    _decided(request, actor, EmployerRequest.Status.REFUSED, reason)
    what = "join equalex" if request.kind == EmployerRequest.Kind.JOIN else "partner"
    notifications.email(
        f"Your request to {request.hub.name}",
        f"{request.hub.name} has not accepted the request from {request.name} to {what} "
        f"with the hub.\n\nThe hub lead's reason:\n{reason}\n",
        [request.contact_email],
    )
    return request

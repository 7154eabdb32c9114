from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from access.roles import ROLE_ORGANISATION, Role
from access.rules import INVITABLE_ROLES
from employers.models import Employer
from hubs.models import Hub, Membership
from schools.models import School

from .models import Invitation


def invitable_roles(actor) -> tuple[Role, ...]:
    return INVITABLE_ROLES.get(actor.role, ())


def invitation_create(
    *, actor, email: str, role: Role, school=None, employer=None, base_url: str = ""
) -> Invitation:
    """Invite someone into the inviter's own world: their hub, or a school or employer in it.

    Employer staff invite colleagues into their own employer only."""
    role = Role(role)
    if role not in invitable_roles(actor):
        raise PermissionDenied(f"You cannot invite a {role.label}.")
    organisation = {"hub": None, "school": None, "employer": None}
    kind = ROLE_ORGANISATION[role]
    if kind == "hub":
        organisation["hub"] = Hub.objects.get(pk=actor.hub_id)
    elif kind == "school":
        school = school or (actor.school_id and School(pk=actor.school_id))
        if school is None:
            raise ValidationError({"school": "Choose the school this person will work in."})
        # Re-read through the scoped manager: a school outside the actor's world is refused.
        organisation["school"] = School.objects.get(pk=school.pk)
    elif kind == "employer":
        organisation["employer"] = _employer_to_invite_into(actor, employer)
    invitation = Invitation.objects.create(
        email=email.lower(), role=role, invited_by_id=actor.user_id, **organisation
    )
    link = base_url + reverse("invitation_accept", args=[invitation.token])
    named = organisation["school"] or organisation["employer"]
    where = f" at {named.name}" if named else ""
    transaction.on_commit(
        lambda: send_mail(
            "You are invited to equalex",
            f"You have been invited to join equalex as {role.label}{where}.\n\n"
            f"Accept within {settings.INVITATION_VALID_DAYS} days: {link}\n",
            None,
            [invitation.email],
        )
    )
    return invitation


def _employer_to_invite_into(actor, employer) -> Employer:
    if actor.role == Role.EMPLOYER:
        if employer is not None and employer.pk != actor.employer_id:
            raise PermissionDenied("You can invite colleagues to your own organisation only.")
        return Employer.objects.get(pk=actor.employer_id)
    if employer is None:
        raise ValidationError({"employer": "Choose the employer this person works for."})
    # Re-read through the scoped manager: an employer outside the actor's hub is refused.
    employer = Employer.objects.get(pk=employer.pk)
    # A hub lead brings in an employer's first person; after that its own staff invite
    # their colleagues. An employer partners with several hubs, so a hub lead who could
    # add staff to it could read the nominations other hubs' schools sent it.
    has_staff = Membership.all_tenants_UNSCOPED.filter(  # a yes/no about a partner employer
        employer_id=employer.pk, role=Role.EMPLOYER
    ).exists()
    if has_staff:
        raise ValidationError(
            {
                "employer": f"{employer.name} already has staff on equalex: ask one of "
                "them to invite this person."
            }
        )
    return employer


class InvitationUnusable(Exception):
    pass


def invitation_for_token(token: str) -> Invitation:
    # The token itself is the capability: it is the only way an unsigned-in visitor reaches one.
    invitation = Invitation.all_tenants_UNSCOPED.filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        raise InvitationUnusable("This invitation link has expired or has already been used.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str):
    invitation = invitation_for_token(token)
    User = get_user_model()
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = User.objects.create_user(invitation.email, password, full_name=full_name)
    Membership.all_tenants_UNSCOPED.get_or_create(
        user=user,
        role=invitation.role,
        hub=invitation.hub,
        school=invitation.school,
        employer=invitation.employer,
    )
    Invitation.all_tenants_UNSCOPED.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    return user

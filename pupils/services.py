"""Writes of pupil voice: opening and closing pupil access, sign-in codes, a pupil's
reflections, self-ratings and interests, a careers leader hiding a reflection."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from access.audit import audit_many, audit_record
from access.models import AuditEvent
from access.roles import Role
from learners.academic import year_group_on
from learners.ledger import ledger_refresh
from learners.models import Learner, Participation, SkillRating

from . import codes
from .models import OpportunityInterest, PupilAccount, Reflection

# A pupil's account needs an address (accounts.User); this one is never sent to, names
# nobody and cannot be a real one (.invalid is reserved, RFC 2606).
PUPIL_EMAIL_DOMAIN = "pupils.equalex.invalid"


@dataclass(frozen=True)
class IssuedCode:
    learner: Learner
    code: str
    expires_at: datetime


def _valid_days(valid_days) -> int:
    try:
        days = int(valid_days)
    except (TypeError, ValueError):
        days = 0
    if days not in settings.PUPIL_CODE_VALID_DAYS:
        allowed = ", ".join(str(d) for d in settings.PUPIL_CODE_VALID_DAYS)
        raise ValidationError({"valid_days": f"Choose how long the codes work: {allowed} days."})
    return days


def _pupils_for_access(actor, learner_ids: Iterable[int]) -> list[Learner]:
    wanted = set(learner_ids)
    if not wanted:
        raise ValidationError({"pupils": "Choose at least one pupil."})
    pupils = list(
        Learner.objects.filter(
            pk__in=wanted, school_id=actor.school_id, left_on__isnull=True
        ).order_by("surname", "legal_first_name", "pk")
    )
    if len(pupils) != len(wanted):
        raise ValidationError(
            {"pupils": "Some of the chosen pupils are not on your school's roll."}
        )
    return pupils


@transaction.atomic
def pupil_access_enable(*, actor, learner_ids: Iterable[int], valid_days) -> list[IssuedCode]:
    """Open pupil access for these pupils of the careers leader's school and issue each a
    new sign-in code (replacing any earlier one). The codes are returned to be printed
    once; only their digests are kept."""
    from accounts.models import User
    from hubs.models import Membership

    actor.require("pupil.access")
    days = _valid_days(valid_days)
    pupils = _pupils_for_access(actor, learner_ids)
    existing = {
        account.learner_id: account
        for account in PupilAccount.objects.filter(learner__in=pupils).select_related("user")
    }
    new_pupils = [p for p in pupils if p.pk not in existing]
    users = User.objects.bulk_create(
        User(
            email=f"pupil-{secrets.token_hex(8)}@{PUPIL_EMAIL_DOMAIN}", password=make_password(None)
        )
        for _ in new_pupils
    )
    Membership.objects.bulk_create(
        Membership(user=user, role=Role.PUPIL, school_id=pupil.school_id)
        for user, pupil in zip(users, new_pupils, strict=True)
    )
    created = PupilAccount.objects.bulk_create(
        PupilAccount(
            learner=pupil,
            user=user,
            hub_id=pupil.hub_id,
            school_id=pupil.school_id,
            enabled_by_id=actor.user_id,
        )
        for user, pupil in zip(users, new_pupils, strict=True)
    )
    audit_many(actor, AuditEvent.Action.CREATE, created)
    accounts = [existing.get(p.pk) for p in pupils]
    by_learner = {a.learner_id: a for a in created}
    accounts = [a or by_learner[p.pk] for a, p in zip(accounts, pupils, strict=True)]
    return _codes_issue(actor, list(zip(pupils, accounts, strict=True)), days)


def _codes_issue(actor, pairs, days: int) -> list[IssuedCode]:
    now = timezone.now()
    expires_at = now + timedelta(days=days)
    issued = []
    for pupil, account in pairs:
        code = codes.code_new()
        account.code_digest = codes.code_digest(code)
        account.code_expires_at = expires_at
        account.code_issued_at = now
        account.code_issued_by_id = actor.user_id
        issued.append(IssuedCode(pupil, code, expires_at))
    fields = ["code_digest", "code_expires_at", "code_issued_at", "code_issued_by"]
    PupilAccount.objects.bulk_update([account for _, account in pairs], fields)
    audit_many(actor, AuditEvent.Action.UPDATE, [a for _, a in pairs], changed=["sign-in code"])
    return issued


def is_pupil_placeholder(email: str) -> bool:
    return (email or "").lower().endswith(f"@{PUPIL_EMAIL_DOMAIN}")


@transaction.atomic
def pupil_sign_in_addresses_set(*, actor, addresses: dict[int, str]) -> int:
    """Where the school signs in with Microsoft or Google: each pupil's school address, so
    single sign-on finds their account (accounts.sso matches a verified address). Empty
    removes it. All or nothing: any bad address and none is saved, every problem named."""
    from django.core.validators import validate_email

    from accounts.models import User

    actor.require("pupil.access")
    accounts = {
        a.learner_id: a
        for a in PupilAccount.objects.filter(
            learner_id__in=list(addresses), school_id=actor.school_id
        ).select_related("user", "learner")
    }
    errors, changes = [], {}
    for learner_id, typed in addresses.items():
        account = accounts.get(learner_id)
        if account is None:
            errors.append("Open access for a pupil before giving their sign-in address.")
            continue
        name = f"{account.learner.first_name} {account.learner.surname}"
        address = (typed or "").strip().lower()
        current = "" if is_pupil_placeholder(account.user.email) else account.user.email
        if address == current:
            continue
        if address:
            try:
                validate_email(address)
            except ValidationError:
                errors.append(f"{name}: “{typed}” is not an email address.")
                continue
            if is_pupil_placeholder(address):
                errors.append(f"{name}: give the address the school's sign-in uses.")
                continue
            if User.objects.filter(email__iexact=address).exclude(pk=account.user_id).exists():
                errors.append(f"{name}: {address} is already someone else's sign-in.")
                continue
        changes[account] = address or f"pupil-{secrets.token_hex(8)}@{PUPIL_EMAIL_DOMAIN}"
    taken = [a for a in changes.values() if not is_pupil_placeholder(a)]
    if len(taken) != len(set(taken)):
        errors.append("Each pupil needs their own address: one is given twice.")
    if errors:
        raise ValidationError(errors)
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    for account, address in changes.items():
        User.objects.filter(pk=account.user_id).update(email=address)
    # A provider account connected at an earlier sign-in would still find the pupil by
    # its subject: a changed or removed address disconnects it (codes still work).
    changed_users = [account.user_id for account in changes]
    SocialAccount.objects.filter(user_id__in=changed_users).delete()
    EmailAddress.objects.filter(user_id__in=changed_users).delete()
    audit_many(actor, AuditEvent.Action.UPDATE, list(changes), changed=["school sign-in address"])
    return len(changes)


@transaction.atomic
def pupil_access_disable(*, actor, learner_ids: Iterable[int]) -> int:
    """Close pupil access: the accounts and their users go, so a signed-in pupil is signed
    out at their next page and their codes stop working. What they wrote stays with the
    school's record."""
    from accounts.models import User

    actor.require("pupil.access")
    accounts = list(
        PupilAccount.objects.filter(learner_id__in=set(learner_ids), school_id=actor.school_id)
    )
    if not accounts:
        return 0
    audit_many(actor, AuditEvent.Action.DELETE, accounts)
    User.objects.filter(pk__in=[a.user_id for a in accounts]).delete()
    return len(accounts)


def pupil_accounts_delete(learner_ids) -> int:
    """The accounts of these pupils and their users go (a leaver pseudonymised, a pupil
    erased or moved away): whoever acts has already been checked by the caller."""
    from access.rls import past_the_wall
    from accounts.models import User

    accounts = PupilAccount.all_tenants_UNSCOPED.filter(learner_id__in=list(learner_ids))
    user_ids = list(accounts.values_list("user_id", flat=True))
    # The accounts may be another school's rows (a pupil moving away): the deletes reach
    # them past row-level security, as the move itself does.
    with past_the_wall("pupil accounts of pupils leaving or moving"):
        accounts.delete()
        User.objects.filter(pk__in=user_ids).delete()
    return len(user_ids)


def pupil_sign_in(*, code: str) -> PupilAccount | None:
    """The account a typed code opens, or None (wrong, expired, or the pupil has left)."""
    digest = codes.code_digest(code)
    if digest is None:
        return None
    return (
        PupilAccount.all_tenants_UNSCOPED.filter(
            code_digest=digest,
            code_expires_at__gt=timezone.now(),
            user__is_active=True,
            learner__left_on__isnull=True,
            # A pupil who moved school needs their new school to open access again.
            learner__school_id=F("school_id"),
        )
        .select_related("user")
        .first()
    )


def pupil_sign_in_audit(account: PupilAccount) -> None:
    PupilAccount.all_tenants_UNSCOPED.filter(pk=account.pk).update(last_signed_in_at=timezone.now())
    AuditEvent.all_tenants_UNSCOPED.create(
        user_id=account.user_id,
        actor_description=f"user {account.user_id} (Pupil)",
        action=AuditEvent.Action.SIGN_IN,
        model=PupilAccount._meta.label,
        object_pk=str(account.pk),
        hub_id=account.hub_id,
        school_id=account.school_id,
    )


def pupil_sign_in_failed() -> None:
    # Nobody's account is known from a wrong code: the event names none (platform admins
    # see these, as failed staff sign-ins to no account).
    AuditEvent.all_tenants_UNSCOPED.create(
        user_id=None,
        actor_description="pupil sign-in attempt with a code that did not work",
        action=AuditEvent.Action.SIGN_IN_FAILED,
        model=PupilAccount._meta.label,
        object_pk="",
    )


# --- the pupil's own writes ----------------------------------------------------------


def require_pupil(actor) -> None:
    """A pupil's own pages and writes are for a signed-in pupil alone: not even a platform
    admin (who passes every capability) acts as one."""
    from django.core.exceptions import PermissionDenied

    if actor.role != Role.PUPIL or not actor.learner_id:
        raise PermissionDenied("pupil.self")


def _own_participation(actor, participation_id: int) -> Participation:
    require_pupil(actor)
    try:
        # The scope gives a pupil their own participations and nobody else's; the filter
        # says so again.
        return Participation.objects.select_related("experience").get(
            pk=participation_id, learner_id=actor.learner_id
        )
    except Participation.DoesNotExist as missing:
        raise LookupError("Not one of your experiences.") from missing


def _clean_text(value: str, label: str, *, required: bool, limit: int = 2000) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({label: "Write a sentence or two."})
    if len(text) > limit:
        raise ValidationError({label: f"Keep it under {limit} characters."})
    return text


@transaction.atomic
def reflection_save(
    *,
    actor,
    participation_id: int,
    what_i_did: str,
    what_i_learned: str,
    skill_ids: Iterable[int] = (),
    what_next: str = "",
    today: date | None = None,
) -> Reflection:
    """A pupil's reflection on one of their experiences: evidence of M7 for it."""
    from outcomes.models import Skill

    participation = _own_participation(actor, participation_id)
    today = today or timezone.localdate()
    if participation.experience.start_date > today:
        raise ValidationError({"what_i_did": "You can reflect on this once it has started."})
    if participation.absent:
        raise ValidationError({"what_i_did": "Your school recorded you as absent from this one."})
    fields = {
        "what_i_did": _clean_text(what_i_did, "what_i_did", required=True),
        "what_i_learned": _clean_text(what_i_learned, "what_i_learned", required=True),
        "what_next": _clean_text(what_next, "what_next", required=False),
    }
    skills = list(Skill.objects.filter(pk__in=set(skill_ids)))
    if len(skills) != len(set(skill_ids)):
        raise ValidationError({"skills": "Choose skills from the list."})
    reflection = Reflection.objects.filter(participation=participation).first()
    if reflection is None:
        reflection = Reflection(
            participation=participation,
            learner_id=participation.learner_id,
            hub_id=participation.hub_id,
            school_id=participation.school_id,
        )
        action = AuditEvent.Action.CREATE
    else:
        action = AuditEvent.Action.UPDATE
    for name, value in fields.items():
        setattr(reflection, name, value)
    reflection.skills_used = sorted(skill.pk for skill in skills)
    reflection.written_by = Reflection.Author.PUPIL
    reflection.save()
    audit_record(action=action, instance=reflection, changed_fields=[*fields, "skills_used"])
    _m7_refresh(participation, reflection)
    return reflection


def _m7_refresh(participation: Participation, reflection: Reflection | None) -> None:
    """M7 for the participation: a visible reflection by the pupil, or one the school
    recorded for them (Participation.reflection_text). The ledger counts it at once where
    the hub requires M7."""
    done = bool(participation.reflection_text) or (reflection is not None and not reflection.hidden)
    if participation.reflection_done != done:
        Participation.all_tenants_UNSCOPED.filter(pk=participation.pk).update(
            reflection_done=done, updated_at=timezone.now()
        )
        ledger_refresh([participation.learner_id])


@transaction.atomic
def reflection_hide(*, actor, reflection_id: int, hidden: bool = True) -> Reflection:
    """A careers leader hides a pupil's reflection (or shows it again): staff then see
    that it was hidden, not what it said, and it stops counting as M7."""
    actor.require("pupil.access")
    reflection = Reflection.objects.select_related("participation").get(pk=reflection_id)
    reflection.hidden_at = timezone.now() if hidden else None
    reflection.hidden_by_id = actor.user_id if hidden else None
    reflection.save(update_fields=["hidden_at", "hidden_by", "updated_at"])
    audit_record(action=AuditEvent.Action.UPDATE, instance=reflection, changed_fields=["hidden"])
    _m7_refresh(reflection.participation, reflection)
    return reflection


@transaction.atomic
def self_ratings_record(
    *,
    actor,
    participation_id: int,
    moment: str,
    steps: dict[int, int],
    today: date | None = None,
) -> list[SkillRating]:
    """A pupil rates themselves on the Skills Builder skills before or after one of their
    experiences; rating the same moment again replaces the earlier answers."""
    from outcomes.models import Skill

    participation = _own_participation(actor, participation_id)
    if moment not in SkillRating.Moment.values:
        raise ValidationError({"moment": "Say whether this is before or after."})
    today = today or timezone.localdate()
    if moment == SkillRating.Moment.AFTER and participation.experience.start_date > today:
        raise ValidationError({"moment": "Rate yourself afterwards once it has started."})
    skills = {s.pk: s for s in Skill.objects.all()}
    errors = {}
    for skill_id, step in steps.items():
        if skill_id not in skills:
            errors["skills"] = "Rate the skills on the list."
        elif not isinstance(step, int) or not 0 <= step <= 15:
            errors[f"skill_{skill_id}"] = f"{skills[skill_id].name}: choose a step from 0 to 15."
    if not steps:
        errors["skills"] = "Rate at least one skill."
    if errors:
        raise ValidationError(errors)
    learner = Learner.objects.get(pk=participation.learner_id)
    SkillRating.objects.filter(
        learner=learner,
        experience_id=participation.experience_id,
        rater=SkillRating.Rater.SELF,
        moment=moment,
    ).delete()
    ratings = SkillRating.objects.bulk_create(
        SkillRating(
            hub_id=learner.hub_id,
            school_id=learner.school_id,
            learner=learner,
            skill_id=skill_id,
            step=step,
            rater=SkillRating.Rater.SELF,
            rated_on=today,
            experience_id=participation.experience_id,
            moment=moment,
        )
        for skill_id, step in sorted(steps.items())
    )
    audit_many(actor, AuditEvent.Action.CREATE, ratings)
    return ratings


@transaction.atomic
def interest_say(*, actor, opportunity_id: int, why: str = "") -> OpportunityInterest:
    """A pupil would like to try an opportunity their school could nominate them for."""
    from .selectors import opportunity_list_for_pupil

    require_pupil(actor)
    # Only what the pupil's page offers them: their hub's, published, still to start, near
    # the school, for their year group.
    opportunity = next(
        (o for o in opportunity_list_for_pupil(actor=actor) if o.pk == opportunity_id), None
    )
    if opportunity is None:
        raise LookupError("Not an opportunity open to you.")
    why = _clean_text(why, "why", required=False, limit=280)
    learner = Learner.objects.get(pk=actor.learner_id)
    interest, created = OpportunityInterest.objects.update_or_create(
        learner=learner,
        opportunity=opportunity,
        defaults={"why": why, "hub_id": learner.hub_id, "school_id": learner.school_id},
    )
    audit_record(
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        instance=interest,
        changed_fields=["why"],
    )
    return interest


@transaction.atomic
def interest_withdraw(*, actor, opportunity_id: int) -> None:
    require_pupil(actor)
    for interest in OpportunityInterest.objects.filter(
        opportunity_id=opportunity_id, learner_id=actor.learner_id
    ):
        audit_record(action=AuditEvent.Action.DELETE, instance=interest)
        interest.delete()


def year_group_of(learner: Learner, today: date | None = None) -> int:
    return year_group_on(learner.cohort, today or timezone.localdate())

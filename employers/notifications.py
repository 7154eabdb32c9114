"""Emails the employer portal sends, through Django's email framework after the change
that caused them commits (a rolled-back change sends nothing).

Finding the addresses crosses tenants on purpose (a school's action notifies an employer's
staff): the addresses go to the mail server, never back to the actor, and an email to an
employer names pupils by first name only, as the portal does.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse

from access.roles import Role
from hubs.models import Membership


def _link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _addresses(**organisation) -> list[str]:
    return sorted(
        set(
            Membership.all_tenants_UNSCOPED.filter(user__is_active=True, **organisation)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def employer_staff(employer_id: int) -> list[str]:
    return _addresses(role=Role.EMPLOYER, employer_id=employer_id)


def hub_leads(hub_id: int) -> list[str]:
    return _addresses(role=Role.HUB_LEAD, hub_id=hub_id)


def careers_leaders(school_id: int) -> list[str]:
    return _addresses(role=Role.CAREERS_LEADER, school_id=school_id)


def _send(messages: Iterable[tuple[str, str, list[str]]]) -> None:
    batch = [
        (subject, body, settings.DEFAULT_FROM_EMAIL, to) for subject, body, to in messages if to
    ]
    if batch:
        transaction.on_commit(lambda: send_mass_mail(batch, fail_silently=False))


def email(subject: str, body: str, to: Iterable[str]) -> None:
    """One email to some people, sent once the current transaction commits."""
    _send([(subject, body, sorted(set(to)))])


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def nominations_received(opportunity, count: int) -> None:
    """New nomination: the employer's staff are asked to decide."""
    _send(
        [
            (
                f"{_plural(count, 'new nomination')} for {opportunity.title}",
                f"A school has nominated {_plural(count, 'pupil')} for “{opportunity.title}” "
                f"({opportunity.start_date:%-d %B %Y}).\n\n"
                f"Accept or decline them, or let the fair allocation offer the places:\n"
                f"{_link('opportunity_nominations', opportunity.pk)}\n",
                employer_staff(opportunity.employer_id),
            )
        ]
    )


def nominations_decided(nominations, opportunity) -> None:
    """Decision: whoever nominated each pupil (else the school's careers leaders) hears,
    in one email per person, which places were offered, accepted, declined or refused."""
    from .models import Nomination

    labels = dict(Nomination.Status.choices)
    rows = Nomination.all_tenants_UNSCOPED.filter(pk__in=[n.pk for n in nominations]).values(
        "school_id",
        "nominated_by__email",
        "learner__preferred_first_name",
        "learner__legal_first_name",
        "status",
        "decision_reason",
    )
    lines_for: dict[tuple[str, ...], list[str]] = {}
    placed: set[tuple[str, ...]] = set()
    leaders_of: dict[int, tuple[str, ...]] = {}  # one lookup per school, not per pupil
    for row in rows:
        to = (row["nominated_by__email"],) if row["nominated_by__email"] else None
        if to is None and row["school_id"] not in leaders_of:
            leaders_of[row["school_id"]] = tuple(careers_leaders(row["school_id"]))
        to = to or leaders_of[row["school_id"]]
        name = row["learner__preferred_first_name"] or row["learner__legal_first_name"]
        reason = f" ({row['decision_reason']})" * bool(row["decision_reason"])
        lines_for.setdefault(to, []).append(f"- {name}: {labels[row['status']].lower()}{reason}")
        if row["status"] in Nomination.HOLDS_A_PLACE:
            placed.add(to)
    consent = "\nFor each pupil with a place, ask a parent or carer for consent before it starts.\n"
    _send(
        (
            f"Nominations decided: {opportunity.title}",
            f"{opportunity.employer.name} has decided on nominations for "
            f"“{opportunity.title}” ({opportunity.start_date:%-d %B %Y}):\n\n"
            + "\n".join(lines)
            + f"\n{consent * (to in placed)}\n{_link('opportunity_nominate', opportunity.pk)}\n",
            list(to),
        )
        for to, lines in lines_for.items()
    )


def consent_needed(
    consent,
    opportunity,
    *,
    pupil_first_name: str,
    school_name: str,
    token: str,
    reminder: bool = False,
):
    """Consent needed: the parent or carer gets the link that answers it (no account)."""
    _send(
        [
            (
                f"{'Reminder: c' if reminder else 'C'}onsent needed: "
                f"{pupil_first_name}'s work experience with "
                f"{opportunity.employer.name}",
                f"{school_name} has arranged for {pupil_first_name} to take part in "
                f"“{opportunity.title}” with {opportunity.employer.name}, "
                f"from {opportunity.start_date:%-d %B %Y} to {opportunity.end_date:%-d %B %Y}."
                "\n\nPlease give or refuse your consent here (no account is needed). The form "
                "also asks for an emergency contact, any medical or access needs and how "
                f"{pupil_first_name} will travel:\n"
                f"{_link('consent_answer', token)}\n\n"
                f"If you were not expecting this email, contact {school_name}.\n",
                [consent.sent_to],
            )
        ]
    )


def consent_answered(consent, opportunity) -> None:
    """The careers leaders of the school hear each answer."""
    _send(
        [
            (
                f"{consent.get_answer_display()}: {opportunity.title}",
                f"{consent.signed_by} answered for "
                f"{consent.nomination.learner.first_name}: "
                f"{consent.get_answer_display().lower()}.\n"
                # The parent's details stay on the site, behind sign-in: not in an email.
                "Their emergency contact and any needs are on the placement board.\n\n"
                f"{_link('placement_board')}\n",
                careers_leaders(consent.school_id),
            )
        ]
    )


def vetting_expiring(vetting, *, employer_name: str, hub_name: str) -> None:
    """Vetting expiring: the employer renews, the hub lead knows placements will stop."""
    when = f"{vetting.insurance_expires:%-d %B %Y}"
    _send(
        [
            (
                f"Your safety check for {hub_name} expires on {when}",
                f"{employer_name}'s employer's liability insurance, on file for {hub_name}, "
                f"expires on {when}. Opportunities starting after that date cannot take "
                f"pupils until a renewed check is approved.\n\n"
                f"Upload the renewed certificate: {_link('vetting_for_employer')}\n",
                employer_staff(vetting.employer_id),
            ),
            (
                f"{employer_name}'s safety check expires on {when}",
                f"{employer_name}'s employer's liability insurance for {hub_name} expires "
                f"on {when}. They have been asked to renew it.\n\n"
                f"{_link('vetting_review')}\n",
                hub_leads(vetting.hub_id),
            ),
        ]
    )


def vetting_decided(vetting, *, employer_name: str, hub_name: str) -> None:
    """A check refused or sent back for changes: the employer reads why and what to do."""
    what = "was refused" if vetting.review == "refused" else "needs changes"
    _send(
        [
            (
                f"Your safety check for {hub_name} {what}",
                f"{hub_name}'s hub lead looked at {employer_name}'s safety check: it {what}.\n\n"
                f"Their reason: {vetting.review_reason}\n\n"
                f"Send a corrected check: {_link('vetting_for_employer')}\n",
                employer_staff(vetting.employer_id),
            )
        ]
    )


def feedback_requested(opportunity) -> None:
    """Feedback requested: after the last day, the employer confirms who came."""
    _send(
        [
            (
                f"Who came to {opportunity.title}? Confirm attendance and give feedback",
                f"“{opportunity.title}” ended on {opportunity.end_date:%-d %B %Y}. Confirm "
                "who attended, in one screen, and give each pupil a line of feedback: it "
                "counts toward their ten days and tells them what went well.\n\n"
                f"{_link('opportunity_attendance', opportunity.pk)}\n",
                employer_staff(opportunity.employer_id),
            )
        ]
    )

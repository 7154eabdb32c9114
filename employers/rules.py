"""The employer-side domain rules as plain functions: vetting validity and eligibility.

Services and selectors call these; nothing else restates a rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from learners.academic import YEAR_GROUPS, year_group_on


def vetting_valid_on(vetting, day: date) -> bool:
    """A check is valid on a day when a hub lead approved it and the insurance still runs."""
    return (
        vetting is not None
        and vetting.approved_at is not None
        and vetting.insurance_expires is not None
        and vetting.insurance_expires >= day
    )


def valid_vetting_q(day: date, prefix: str = "") -> Q:
    """The same rule as vetting_valid_on, for queries over EmployerVetting."""
    return Q(**{f"{prefix}approved_at__isnull": False, f"{prefix}insurance_expires__gte": day})


def vetting_problem(vetting, *, employer_name: str, hub_name: str, day: date) -> str | None:
    """Why an employer cannot take pupils from a hub on a day, in words; None if it can."""
    if vetting is None:
        return f"{employer_name} has no safety check for {hub_name}: ask the hub lead to vet it."
    if vetting.approved_at is None:
        return f"{employer_name}'s safety check for {hub_name} is waiting for the hub lead."
    if vetting.insurance_expires < day:
        return (
            f"{employer_name}'s employer's liability insurance for {hub_name} expires on "
            f"{vetting.insurance_expires:%-d %B %Y}, before the opportunity starts on "
            f"{day:%-d %B %Y}."
        )
    return None


def year_groups_clean(values: Iterable) -> list[int]:
    """Eligible year groups as a sorted list of distinct National Curriculum years 7-13."""
    from django.core.exceptions import ValidationError

    try:
        years = sorted({int(value) for value in values})
    except (TypeError, ValueError) as error:
        raise ValidationError({"year_groups": "Year groups are numbers from 7 to 13."}) from error
    if not years:
        raise ValidationError({"year_groups": "Choose at least one year group."})
    if any(year not in YEAR_GROUPS for year in years):
        raise ValidationError({"year_groups": "Year groups are numbers from 7 to 13."})
    return years


def eligible_year_group(cohort: int, opportunity) -> int | None:
    """The pupil's year group when the opportunity starts, or None if it is not eligible."""
    year = year_group_on(cohort, opportunity.start_date)
    return year if year in opportunity.year_groups else None


def no_place_left(capacity: int) -> str:
    """What a school is told when an allocation finds the opportunity full."""
    if capacity == 1:
        return "The only place is taken."
    return f"All {capacity} places are taken."


def needs_parental_consent(opportunity) -> bool:
    """Every opportunity outside school needs a parent's or carer's consent per pupil; an
    employer-set project done in school is part of the school day."""
    from learners.models import Experience

    return opportunity.setting != Experience.Setting.IN_SCHOOL


def attendance_problem(*, consent_needed: bool, consent_answer: str | None) -> str | None:
    """Why a pupil holding a place cannot be recorded as attending; None if they can."""
    if not consent_needed or consent_answer == "given":
        return None
    if consent_answer == "refused":
        return "their parent or carer refused consent"
    return "no parental consent yet"


def attendance_open_on(opportunity, day: date) -> bool:
    """Attendance is confirmed from the first day on, never in advance."""
    return day >= opportunity.start_date


def reminder_due(vetting, day: date, days_before: int) -> bool:
    """An approved check whose insurance ends within days_before days and whose reminder
    for that expiry date has not gone out yet."""
    return (
        vetting.approved_at is not None
        and day <= vetting.insurance_expires <= day + timedelta(days=days_before)
        and vetting.reminded_of_expiry != vetting.insurance_expires
    )


def default_duration_hours(opportunity) -> Decimal:
    """What the attendance screen suggests: every weekday of the opportunity, a full day
    each (the employer changes it for a half-day visit)."""
    from learners.progress import HOURS_PER_DAY

    days = sum(
        (opportunity.start_date + timedelta(days=offset)).weekday() < 5
        for offset in range((opportunity.end_date - opportunity.start_date).days + 1)
    )
    return max(days, 1) * HOURS_PER_DAY


# -- The placement board: one pupil's place in the paperwork chain


@dataclass(frozen=True)
class PlacementState:
    """Where one nomination stands, and who the next step waits on.

    key: one of PLACEMENT_STATES' keys; label: the state in words; waiting_on: "employer",
    "parent", "school" or "" (nothing to do); next_step: what that person does next.
    """

    key: str
    label: str
    waiting_on: str
    next_step: str

    @property
    def can_ask_for_consent(self) -> bool:
        return self.waiting_on == "school"

    @property
    def can_remind(self) -> bool:
        return self.key == "consent_asked"


# The chain, in order, then the states that end it early.
PLACEMENT_STATES = {
    "nominated": "Nominated",
    "waiting_list": "On the waiting list",
    "offered": "Place offered",
    "accepted": "Accepted by the employer",
    "consent_asked": "Consent asked",
    "consent_given": "Consent given",
    "attended": "Attended",
    "feedback_received": "Feedback received",
    "declined": "Declined by the employer",
    "consent_refused": "Consent refused",
    "absent": "Absent",
}
WAITING_ON = {"employer": "The employer", "parent": "The parent or carer", "school": "You"}


def placement_state(
    *,
    status: str,
    consent_needed: bool,
    consent_answer: str | None,
    attendance_recorded: bool,
    absent: bool,
    feedback_given: bool,
    start_date: date,
    today: date,
) -> PlacementState:
    """The one rule for the board: a nomination's state from its status, its consent and
    the attendance the employer recorded (plain values, so it is tested without a
    database)."""

    def state(key, waiting_on="", next_step=""):
        return PlacementState(key, PLACEMENT_STATES[key], waiting_on, next_step)

    if status == "declined":
        return state("declined")
    if status == "refused_full":
        return state("waiting_list", "employer", "offer a place if one frees up")
    if status == "nominated":
        return state("nominated", "employer", "offer a place or decline")
    # The pupil holds a place (offered or accepted).
    if attendance_recorded:
        if absent:
            return state("absent")
        if feedback_given:
            return state("feedback_received")
        return state("attended", "employer", "give feedback")
    due = today >= start_date
    if consent_needed:
        if consent_answer == "waiting":
            return state("consent_asked", "parent", "answer the consent request")
        if consent_answer == "refused":
            return state("consent_refused", "school", "talk to the parent or ask again")
        if consent_answer != "given":
            key = "accepted" if status == "accepted" else "offered"
            return state(key, "school", "ask the parent or carer for consent")
        if due:
            return state("consent_given", "employer", "confirm attendance")
        return state("consent_given", "", f"starts {start_date:%-d %B %Y}")
    key = "accepted" if status == "accepted" else "offered"
    if due:
        return state(key, "employer", "confirm attendance")
    return state(key, "", f"starts {start_date:%-d %B %Y}")

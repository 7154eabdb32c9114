"""Attendance and feedback: the employer's confirmation becomes each school's record.

When the employer confirms who came, every school with pupils on the opportunity gets one
experience (kind, setting, tier, dates, sector, objectives and design criteria copied
from the opportunity) and each pupil a participation, with M6 set where the employer gave
feedback. Nobody types it twice, and confirming again corrects the same records.

The employer may not read the schools' records or the pupils' rows: the service reaches
them only through the nominations in the employer's scope, writes through the unscoped
managers for that reason, and returns counts, never rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from access.audit import audit_many
from access.models import AuditEvent
from learners.ledger import ledger_refresh
from learners.models import Experience, Learner, Participation, SkillRating
from learners.progress import DESIGN_CRITERIA
from learners.services import duration_to_hours
from outcomes.models import Skill

from .models import Nomination, Opportunity
from .rules import attendance_open_on, attendance_problem, needs_parental_consent


@dataclass(frozen=True)
class Attendance:
    """What the employer says of one pupil holding a place."""

    nomination_id: int
    attended: bool
    hours: Decimal | None = None  # None: the whole of the opportunity
    feedback: str = ""
    skill_id: int | None = None
    skill_step: int | None = None


@dataclass(frozen=True)
class AttendanceResult:
    attended: int
    absent: int
    schools: int


def _pupil_rows(nominations) -> dict[int, dict]:
    """The few columns the service needs of each nominated pupil: first names, hub, school."""
    rows = Learner.all_tenants_UNSCOPED.filter(pk__in=[n.learner_id for n in nominations]).values(
        "pk", "preferred_first_name", "legal_first_name", "hub_id", "school_id"
    )
    return {row["pk"]: row for row in rows}


def _check(records, nominations, pupils, duration, consent_needed, skills) -> list[str]:
    """Every problem with the confirmation, one line per pupil, so it can be put right in
    one go (nothing is saved while any remains)."""
    problems = []
    for nomination in nominations:
        row = pupils[nomination.learner_id]
        name = row["preferred_first_name"] or row["legal_first_name"]
        record = records.get(nomination.pk)
        if record is None:
            problems.append(f"{name}: say whether they attended.")
            continue
        consent = getattr(nomination, "consent", None)
        if record.attended and (
            why := attendance_problem(
                consent_needed=consent_needed, consent_answer=consent and consent.answer
            )
        ):
            problems.append(f"{name} cannot be recorded as attending: {why}.")
        if record.hours is not None and not (0 < record.hours <= duration):
            problems.append(f"{name}: hours attended must be more than 0 and at most {duration}.")
        if record.skill_id is not None:
            if record.skill_id not in skills:
                problems.append(f"{name}: choose a Skills Builder skill from the list.")
            if record.skill_step is None or not 0 <= record.skill_step <= 15:
                problems.append(f"{name}: Skills Builder steps run from 0 to 15.")
    return problems


def _experience_for(opportunity: Opportunity, school_id: int, duration: Decimal, actor):
    fields = {
        "title": opportunity.title,
        "kind": opportunity.kind,
        "setting": opportunity.setting,
        "tier": opportunity.tier,
        "start_date": opportunity.start_date,
        "end_date": opportunity.end_date,
        "duration_hours": duration,
        **{
            f"meets_{code.lower()}": getattr(opportunity, f"meets_{code.lower()}")
            for code in DESIGN_CRITERIA
        },
    }
    experience = Experience.all_tenants_UNSCOPED.filter(
        opportunity=opportunity, school_id=school_id
    ).first()
    if experience is None:
        experience = Experience(
            opportunity=opportunity, school_id=school_id, created_by_id=actor.user_id
        )
    for name, value in fields.items():
        setattr(experience, name, value)
    experience.full_clean(exclude=["hub", "academic_year", "created_by", "opportunity"])
    experience.save()
    experience.employers.set([opportunity.employer_id])
    experience.sectors.set([opportunity.sector_id] if opportunity.sector_id else [])
    experience.objectives.set(opportunity.objectives.all())
    return experience


@transaction.atomic
def attendance_confirm(
    *,
    actor,
    opportunity_id: int,
    duration_hours,
    records: Iterable[Attendance],
    today: date | None = None,
) -> AttendanceResult:
    """Record who attended one of the employer's opportunities, with feedback.

    duration_hours: the length of the whole opportunity, in hours (a pupil who came for
    part of it has fewer). Every pupil holding a place needs a record; a pupil without
    parental consent cannot be recorded as attending. Raises ValidationError listing
    every problem and saves nothing if there is any.
    """
    actor.require("attendance.confirm")
    today = today or timezone.localdate()
    opportunity = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("employer")
        .get(pk=opportunity_id)
    )
    if not attendance_open_on(opportunity, today):
        raise ValidationError(
            f"Attendance can be confirmed from the first day, {opportunity.start_date:%-d %B %Y}."
        )
    duration = duration_to_hours(duration_hours, "hours")
    nominations = list(
        Nomination.objects.filter(opportunity=opportunity, status__in=Nomination.HOLDS_A_PLACE)
        .select_related("consent")
        .order_by("pk")
    )
    if not nominations:
        raise ValidationError("No pupil holds a place on this opportunity.")
    records = {record.nomination_id: record for record in records}
    if set(records) - {n.pk for n in nominations}:
        raise ValidationError("Some records are not for pupils holding a place here.")
    pupils = _pupil_rows(nominations)
    skills = set(
        Skill.objects.filter(
            pk__in={r.skill_id for r in records.values() if r.skill_id}
        ).values_list("pk", flat=True)
    )
    consent_needed = needs_parental_consent(opportunity)
    if problems := _check(records, nominations, pupils, duration, consent_needed, skills):
        raise ValidationError({"attendance": problems})

    # Pupils who could not go (no consent) get no record; the others attended or were absent.
    recorded = [
        n
        for n in nominations
        if records[n.pk].attended
        or not attendance_problem(
            consent_needed=consent_needed,
            consent_answer=getattr(getattr(n, "consent", None), "answer", None),
        )
    ]
    by_school = defaultdict(list)
    for nomination in recorded:
        by_school[nomination.school_id].append(nomination)
    # One experience per school: a handful per opportunity, so this loop stays small.
    experiences = {
        school_id: _experience_for(opportunity, school_id, duration, actor)
        for school_id in by_school
    }
    existing = {
        (p.experience_id, p.learner_id): p
        for p in Participation.all_tenants_UNSCOPED.filter(experience__in=experiences.values())
    }
    now = timezone.now()
    to_create, to_update = [], []
    for nomination in recorded:
        record = records[nomination.pk]
        experience = experiences[nomination.school_id]
        pupil = pupils[nomination.learner_id]
        participation = existing.get((experience.pk, nomination.learner_id)) or Participation(
            experience=experience, learner_id=nomination.learner_id
        )
        participation.hub_id = pupil["hub_id"]
        participation.school_id = pupil["school_id"]
        participation.start_date = experience.start_date
        participation.absent = not record.attended
        participation.hours_attended = (
            (record.hours if record.hours is not None else duration) if record.attended else 0
        )
        participation.feedback_text = record.feedback.strip() if record.attended else ""
        participation.employer_feedback_given = bool(participation.feedback_text)
        participation.updated_at = now
        (to_update if participation.pk else to_create).append(participation)
    Participation.all_tenants_UNSCOPED.bulk_create(to_create)
    Participation.all_tenants_UNSCOPED.bulk_update(
        to_update,
        [
            "hub_id",
            "school_id",
            "start_date",
            "absent",
            "hours_attended",
            "feedback_text",
            "employer_feedback_given",
            "updated_at",
        ],
    )
    participations = {p.learner_id: p for p in (*to_create, *to_update)}
    _skill_ratings(opportunity, recorded, records, experiences, pupils)
    for nomination in recorded:
        nomination.participation = participations[nomination.learner_id]
        nomination.updated_at = now
    Nomination.all_tenants_UNSCOPED.bulk_update(recorded, ["participation", "updated_at"])
    opportunity.attendance_confirmed_at = now
    opportunity.save(update_fields=["attendance_confirmed_at", "updated_at"])
    audit_many(actor, AuditEvent.Action.CREATE, to_create)
    audit_many(actor, AuditEvent.Action.UPDATE, to_update, changed=["hours_attended"])
    ledger_refresh(participations.keys())
    attended = sum(records[n.pk].attended for n in recorded)
    return AttendanceResult(
        attended=attended, absent=len(recorded) - attended, schools=len(experiences)
    )


def _skill_ratings(opportunity, recorded, records, experiences, pupils) -> None:
    """The employer's Skills Builder ratings for this opportunity, replaced as a whole."""
    SkillRating.all_tenants_UNSCOPED.filter(
        experience__in=experiences.values(), rater=SkillRating.Rater.EMPLOYER
    ).delete()
    SkillRating.all_tenants_UNSCOPED.bulk_create(
        SkillRating(
            hub_id=pupils[n.learner_id]["hub_id"],
            school_id=pupils[n.learner_id]["school_id"],
            learner_id=n.learner_id,
            skill_id=records[n.pk].skill_id,
            step=records[n.pk].skill_step,
            rater=SkillRating.Rater.EMPLOYER,
            rated_on=opportunity.end_date,
            experience=experiences[n.school_id],
        )
        for n in recorded
        if records[n.pk].attended and records[n.pk].skill_id
    )


__all__ = ["Attendance", "AttendanceResult", "attendance_confirm"]

"""Writes to experiences, participations and skill ratings. Each takes the acting user."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from access.audit import audit_many
from access.models import AuditEvent
from access.rls import past_the_wall
from employers.models import Employer
from hubs.models import Sector
from outcomes.models import Objective
from schools.models import School

from .duplicates import LikelyDuplicate, likely_duplicates, lock_school_day
from .ledger import ledger_refresh
from .models import Experience, Learner, Participation, SkillRating
from .progress import DESIGN_CRITERIA, HOURS_PER_DAY

DURATION_UNITS = {"days": HOURS_PER_DAY, "half_days": HOURS_PER_DAY / 2, "hours": Decimal(1)}


def duration_to_hours(amount, unit: str) -> Decimal:
    """Days, half days or hours -> hours, to the quarter hour (1 day = 5 hours)."""
    try:
        value = Decimal(str(amount)) * DURATION_UNITS[unit]
    except (InvalidOperation, KeyError) as error:
        raise ValidationError(
            {"duration": "Enter a number of days, half days or hours."}
        ) from error
    if value <= 0:
        raise ValidationError({"duration": "The duration must be more than zero."})
    quarters = (value * 4).to_integral_value(rounding=ROUND_HALF_UP)
    if quarters != value * 4:
        raise ValidationError({"duration": "Give the duration to the nearest quarter hour."})
    return quarters / 4


def _whole_quarter_hours(hours) -> Decimal:
    """The form's quarter-hour rule for a duration already in hours (the API sends hours),
    reported on the field the caller sent."""
    try:
        return duration_to_hours(hours, "hours")
    except ValidationError as error:
        raise ValidationError({"duration_hours": error.message_dict["duration"]}) from error


PLACEMENT_NOT_IN_PERSON = (
    "A placement is in person at a workplace: record virtual or in-school work as another "
    "kind, e.g. 'Virtual workplace experience'."
)


def placement_setting_check(kind: str, setting: str) -> None:
    """DESIGN: the KS4 week counts placements in person at a real workplace only, so a
    "placement" anywhere else is refused rather than stored and silently not counted.
    Experiences and employers' opportunities (which become experiences) share the rule."""
    if kind == Experience.Kind.PLACEMENT and setting != Experience.Setting.WORKPLACE:
        raise ValidationError({"setting": PLACEMENT_NOT_IN_PERSON})


def _scoped_ids(queryset, ids, what: str) -> list:
    ids = sorted(set(ids or ()))
    found = list(queryset.filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({what: f"Some of the chosen {what} are not available to you."})
    return found


def _planned_activity(actor, activity_id):
    # programmes depends on learners (an experience delivers a planned activity), so the
    # check is imported here, when an experience names one.
    if activity_id is None:
        return None
    from programmes.services import planned_activity_for_logging

    return planned_activity_for_logging(actor=actor, activity_id=activity_id)


def _check_dates(start_date: date, end_date: date | None) -> date:
    end_date = end_date or start_date
    if end_date < start_date:
        raise ValidationError({"end_date": "The last day cannot be before the first."})
    return end_date


def _participations_add(actor, experience, pupils) -> list:
    """Each pupil credited the experience's whole duration (absence is recorded later), in
    one insert, audited."""
    added = Participation.objects.bulk_create(
        Participation(
            hub_id=pupil.hub_id,
            school_id=pupil.school_id,
            experience=experience,
            learner=pupil,
            start_date=experience.start_date,
            hours_attended=experience.duration_hours,
        )
        for pupil in pupils
    )
    audit_many(actor, AuditEvent.Action.CREATE, added)
    ledger_refresh(p.learner_id for p in added)
    return added


@transaction.atomic
def experience_log(
    *,
    actor,
    title: str,
    kind: str,
    setting: str,
    tier: int,
    start_date: date,
    end_date: date | None = None,
    duration_hours: Decimal,
    pupil_ids: Iterable[int],
    employer_ids: Iterable[int] = (),
    sector_ids: Iterable[int] = (),
    objective_ids: Iterable[int] = (),
    criteria: Iterable[str] = (),
    allow_duplicate: bool = False,
    different_from: Collection[int] = (),
    planned_activity_id: int | None = None,
) -> Experience:
    """Record one experience for many pupils of the actor's school in one go.

    Raises LikelyDuplicate instead of saving when the school already has this experience
    for some of these pupils (learners.duplicates), unless `allow_duplicate`. The page
    passes `different_from`: the experiences the user was shown and said are different, so
    one saved meanwhile (a double-click's first click, a colleague) still stops it.
    """
    placement_setting_check(kind, setting)
    duration_hours = _whole_quarter_hours(duration_hours)
    school = School.objects.get(pk=actor.school_id)
    pupils = _scoped_ids(Learner.objects.all(), pupil_ids, "pupils")
    if not pupils:
        raise ValidationError({"pupils": "Choose at least one pupil."})
    if not allow_duplicate:
        lock_school_day(school.pk, start_date)
        matches = likely_duplicates(
            actor=actor,
            start_date=start_date,
            kind=kind,
            title=title,
            pupil_ids=[pupil.pk for pupil in pupils],
            ignoring=different_from,
        )
        if matches:
            raise LikelyDuplicate(matches)
    employers = _scoped_ids(Employer.objects.all(), employer_ids, "employers")
    planned = _planned_activity(actor, planned_activity_id)
    experience = Experience(
        planned_activity=planned,
        school=school,
        title=title,
        kind=kind,
        setting=setting,
        tier=tier,
        start_date=start_date,
        end_date=_check_dates(start_date, end_date),
        duration_hours=duration_hours,
        created_by_id=actor.user_id,
        **{f"meets_{code.lower()}": code in set(criteria) for code in DESIGN_CRITERIA},
    )
    # The school is the actor's own and the table's constraints (dates in order, a
    # duration) were checked above in words: validating them again costs a query each.
    experience.full_clean(
        exclude=["hub", "school", "academic_year", "created_by"], validate_constraints=False
    )
    experience.save()
    links = {
        "employers": employers,
        "sectors": _scoped_ids(Sector.objects.all(), sector_ids, "sectors"),
        "objectives": _scoped_ids(Objective.objects.all(), objective_ids, "objectives"),
    }
    for name, rows in links.items():
        if rows:  # a new experience has no links yet: add, and only what there is
            getattr(experience, name).add(*rows)
    added = _participations_add(actor, experience, pupils)
    # What was saved, for the caller to show without reading it back: Django's own
    # prefetch cache (a queryset holding its rows), which related managers answer from.
    saved = {**links, "participations": sorted(added, key=lambda p: p.learner_id)}
    experience._prefetched_objects_cache = {}
    for name, rows in saved.items():
        queryset = getattr(experience, name).all()
        queryset._result_cache, queryset._prefetch_done = list(rows), True
        experience._prefetched_objects_cache[name] = queryset
    return experience


@transaction.atomic
def experience_add_pupils(*, actor, experience_id: int, pupil_ids: Iterable[int]) -> list:
    """Add to an experience already on record the pupils not yet on it, each credited its
    whole duration; pupils already on it are left as they are (never a second
    participation). Returns the participations added: none when every pupil was there."""
    experience = Experience.objects.select_for_update().get(
        pk=experience_id, school_id=actor.school_id
    )
    pupils = _scoped_ids(Learner.objects.all(), pupil_ids, "pupils")
    # Read under the row lock: a second click waits for the first and then adds nobody.
    already = set(
        experience.participations.filter(learner__in=pupils).values_list("learner_id", flat=True)
    )
    return _participations_add(actor, experience, [p for p in pupils if p.pk not in already])


@transaction.atomic
def experience_update(*, actor, experience_id: int, pupil_ids: Iterable[int], **fields):
    """Change an experience and who took part; every pupil's progress follows.

    Pupils who attended the whole of the old duration are credited the new one; partial
    attendance and absences stay as recorded.
    """
    experience = Experience.objects.select_for_update().get(pk=experience_id)
    old_duration, old_start = experience.duration_hours, experience.start_date
    employer_ids = fields.pop("employer_ids", None)
    sector_ids = fields.pop("sector_ids", None)
    objective_ids = fields.pop("objective_ids", None)
    criteria = fields.pop("criteria", None)
    if "planned_activity_id" in fields:
        experience.planned_activity = _planned_activity(actor, fields.pop("planned_activity_id"))
    for name, value in fields.items():
        setattr(experience, name, value)
    experience.end_date = _check_dates(experience.start_date, experience.end_date)
    placement_setting_check(experience.kind, experience.setting)
    experience.duration_hours = _whole_quarter_hours(experience.duration_hours)
    if criteria is not None:
        for code in DESIGN_CRITERIA:
            setattr(experience, f"meets_{code.lower()}", code in set(criteria))
    experience.full_clean(exclude=["hub", "academic_year", "created_by"])
    experience.save()
    before = _everyone_on(experience)
    if experience.start_date != old_start:  # every pupil's copy, whichever school they are at
        Participation.all_tenants_UNSCOPED.filter(experience=experience).update(
            start_date=experience.start_date
        )
    if employer_ids is not None:
        experience.employers.set(_scoped_ids(Employer.objects.all(), employer_ids, "employers"))
    if sector_ids is not None:
        experience.sectors.set(_scoped_ids(Sector.objects.all(), sector_ids, "sectors"))
    if objective_ids is not None:
        experience.objectives.set(_scoped_ids(Objective.objects.all(), objective_ids, "objectives"))

    wanted = {pupil.pk: pupil for pupil in _scoped_ids(Learner.objects.all(), pupil_ids, "pupils")}
    if not wanted:
        raise ValidationError({"pupils": "Choose at least one pupil."})
    current = experience.participations.all()
    removed = [p for p in current if p.learner_id not in wanted]
    if removed:
        audit_many(actor, AuditEvent.Action.DELETE, removed)
        Participation.objects.filter(pk__in=[p.pk for p in removed]).delete()
    kept_ids = {p.learner_id for p in current}
    _participations_add(actor, experience, [p for pk, p in wanted.items() if pk not in kept_ids])
    if experience.duration_hours != old_duration:
        full = experience.participations.filter(hours_attended=old_duration, absent=False)
        audit_many(actor, AuditEvent.Action.UPDATE, full, changed=["hours_attended"])
        full.update(hours_attended=experience.duration_hours)
    ledger_refresh(before)  # pupils added were recounted as they were added
    return experience


@transaction.atomic
def experience_delete(*, actor, experience_id: int) -> None:
    experience = Experience.objects.get(pk=experience_id)
    everyone = _everyone_on(experience)
    audit_many(actor, AuditEvent.Action.DELETE, experience.participations.all())
    audit_many(actor, AuditEvent.Action.DELETE, [experience])
    # Django's cascade finds the participations to delete with its own query: every one,
    # including those of pupils who have moved to another school since (row-level security
    # would hide those from this school, and the experience could not go).
    with past_the_wall("an experience's participations go with it, wherever the pupil is"):
        experience.delete()
    ledger_refresh(everyone)


def _everyone_on(experience) -> list[int]:
    """Every pupil who took part, whichever school they are at now: a new date, setting or
    criteria, or deleting it, moves the figures of pupils who have moved on too (their
    participations follow them, so the school's scope no longer shows them). Pupil ids
    only, for the ledger."""
    return list(
        Participation.all_tenants_UNSCOPED.filter(experience=experience).values_list(
            "learner_id", flat=True
        )
    )


@transaction.atomic
def participation_update(
    *,
    actor,
    participation_id: int,
    hours_attended: Decimal | None = None,
    absent: bool | None = None,
    employer_feedback_given: bool | None = None,
    reflection_done: bool | None = None,
    reflection_text: str | None = None,
    feedback_text: str | None = None,
) -> Participation:
    """Record attendance, feedback (M6) and reflection (M7) for one pupil."""
    participation = Participation.objects.select_related("experience").get(pk=participation_id)
    changes = {
        "hours_attended": hours_attended,
        "absent": absent,
        "employer_feedback_given": employer_feedback_given,
        "reflection_done": reflection_done,
        "reflection_text": reflection_text,
        "feedback_text": feedback_text,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if changes.get("absent"):
        changes["hours_attended"] = Decimal(0)
    if changes.get("reflection_text"):
        changes["reflection_done"] = True
    hours = changes.get("hours_attended")
    if hours is not None and not 0 <= hours <= participation.experience.duration_hours:
        raise ValidationError(
            {"hours_attended": "Hours attended must be between 0 and the experience's length."}
        )
    for name, value in changes.items():
        setattr(participation, name, value)
    participation.save(update_fields=[*changes, "updated_at"])
    ledger_refresh([participation.learner_id])
    return participation


def skill_rating_record(
    *,
    actor,
    pupil_id: int,
    skill_id: int,
    step: int,
    rater: str,
    rated_on: date,
    experience_id: int | None = None,
) -> SkillRating:
    from outcomes.models import Skill

    pupil = Learner.objects.get(pk=pupil_id)
    if not 0 <= int(step) <= 15:
        raise ValidationError({"step": "Skills Builder steps run from 0 to 15."})
    experience = Experience.objects.get(pk=experience_id) if experience_id else None
    return SkillRating.objects.create(
        hub_id=pupil.hub_id,
        school_id=pupil.school_id,
        learner=pupil,
        skill=Skill.objects.get(pk=skill_id),
        step=step,
        rater=rater,
        rated_on=rated_on,
        experience=experience,
    )

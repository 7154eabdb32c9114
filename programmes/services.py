"""Writes to plans and templates. A careers leader writes their school's plans; a hub lead
writes the hub's templates; everything else reads them (programmes.selectors)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from employers.models import Employer
from hubs.models import Sector
from learners.academic import academic_year_of
from learners.services import _scoped_ids, _whole_quarter_hours, placement_setting_check
from outcomes.models import Objective

from .models import PlannedActivity, ProgrammePlan

ACTIVITY_FIELDS = (
    "title",
    "kind",
    "setting",
    "tier",
    "year_group",
    "term",
    "expected_hours",
    "audience",
    "groups",
    "notes",
)
# A template is for any school: it cannot name a school's registration groups or its
# pupils behind (whose school?), nor the employers a school has in mind.
TEMPLATE_AUDIENCES = (
    PlannedActivity.Audience.WHOLE_YEAR,
    PlannedActivity.Audience.DISADVANTAGED,
    PlannedActivity.Audience.FSM,
    PlannedActivity.Audience.SEND,
    PlannedActivity.Audience.BEHIND,
)


def plan_for_writing(*, actor, plan_id: int) -> ProgrammePlan:
    """The plan if the actor may change it (their school's, or their hub's template);
    otherwise DoesNotExist, which pages answer with 404."""
    plans = ProgrammePlan.objects.select_for_update()
    if actor.can("programme.plan"):
        return plans.get(pk=plan_id, school_id=actor.school_id)
    if actor.can("programme.template"):
        return plans.get(pk=plan_id, school__isnull=True, hub_id=actor.hub_id)
    raise ProgrammePlan.DoesNotExist


def _cohort_check(cohort: int, today: date) -> None:
    # From the cohort now in Year 11 to the one starting Year 7 next September.
    current = academic_year_of(today)
    if not current - 4 <= cohort <= current + 1:
        raise ValidationError(
            {"cohort": "Plan for a cohort now in Years 7 to 11, or the one starting next year."}
        )


@transaction.atomic
def plan_create(
    *,
    actor,
    title: str,
    summary: str = "",
    cohort: int | None = None,
    template_id: int | None = None,
) -> ProgrammePlan:
    """A careers leader's plan for a cohort (blank or copied from a published template of
    their hub), or a hub lead's template; a draft either way."""
    if actor.can("programme.plan"):
        if cohort is None:
            raise ValidationError({"cohort": "Choose the cohort the plan is for."})
        _cohort_check(cohort, timezone.localdate())
        if ProgrammePlan.objects.filter(school_id=actor.school_id, cohort=cohort).exists():
            raise ValidationError(
                {"cohort": "This cohort already has a plan: open it and change it there."}
            )
        owner = {"school_id": actor.school_id, "cohort": cohort}
    elif actor.can("programme.template"):
        owner = {"school_id": None, "cohort": None}
    else:
        actor.require("programme.plan")
    template = None
    if template_id is not None:
        try:
            template = ProgrammePlan.objects.get(
                pk=template_id,
                school__isnull=True,
                **({} if owner["school_id"] is None else {"status": "published"}),
            )
        except ProgrammePlan.DoesNotExist as missing:
            unavailable = "That template is not available to you."
            raise ValidationError({"template": unavailable}) from missing
    plan = ProgrammePlan(
        hub_id=actor.hub_id,
        title=title.strip() or (template.title if template else ""),
        summary=summary or (template.summary if template else ""),
        copied_from=template,
        created_by_id=actor.user_id,
        **owner,
    )
    plan.full_clean(exclude=["hub", "school", "created_by", "copied_from"])
    plan.save()
    if template is not None:
        _copy_activities(template, plan)
    return plan


def _copy_activities(source: ProgrammePlan, plan: ProgrammePlan) -> None:
    activities = list(source.activities.prefetch_related("objectives", "sectors"))
    copies = PlannedActivity.objects.bulk_create(
        [
            PlannedActivity(
                plan=plan,
                hub_id=plan.hub_id,
                school_id=plan.school_id,
                **{name: getattr(activity, name) for name in ACTIVITY_FIELDS},
            )
            for activity in activities
        ]
    )
    objective_links, sector_links = [], []
    for original, copy in zip(activities, copies, strict=True):
        objective_links += [
            PlannedActivity.objectives.through(plannedactivity_id=copy.pk, objective_id=o.pk)
            for o in original.objectives.all()
        ]
        sector_links += [
            PlannedActivity.sectors.through(plannedactivity_id=copy.pk, sector_id=s.pk)
            for s in original.sectors.all()
        ]
    PlannedActivity.objectives.through.objects.bulk_create(objective_links)
    PlannedActivity.sectors.through.objects.bulk_create(sector_links)


@transaction.atomic
def plan_update(*, actor, plan_id: int, title: str, summary: str = "") -> ProgrammePlan:
    plan = plan_for_writing(actor=actor, plan_id=plan_id)
    plan.title, plan.summary = title.strip(), summary
    plan.full_clean(exclude=["hub", "school", "created_by", "copied_from"])
    plan.save(update_fields=["title", "summary", "updated_at"])
    return plan


@transaction.atomic
def plan_publish(*, actor, plan_id: int, published: bool = True) -> ProgrammePlan:
    """Publish a plan to the school's staff (or a template to the hub's schools), or take
    it back to a draft."""
    plan = plan_for_writing(actor=actor, plan_id=plan_id)
    if published and not plan.activities.exists():
        raise ValidationError("Add at least one activity before publishing.")
    plan.status = ProgrammePlan.Status.PUBLISHED if published else ProgrammePlan.Status.DRAFT
    plan.published_at = timezone.now() if published else None
    plan.save(update_fields=["status", "published_at", "updated_at"])
    return plan


@transaction.atomic
def plan_delete(*, actor, plan_id: int) -> None:
    """A draft only: a published plan may have experiences logged against it."""
    plan = plan_for_writing(actor=actor, plan_id=plan_id)
    if plan.is_published:
        raise ValidationError("Take the plan back to a draft before deleting it.")
    plan.delete()


def _activity_check(plan: ProgrammePlan, fields: dict) -> None:
    placement_setting_check(fields["kind"], fields["setting"])
    audience = fields.get("audience") or PlannedActivity.Audience.WHOLE_YEAR
    if plan.is_template and audience not in TEMPLATE_AUDIENCES:
        raise ValidationError(
            {"audience": "A template is for any school: choose a year group or a kind of pupil."}
        )
    groups = [g.strip() for g in fields.get("groups") or [] if g.strip()]
    if audience == PlannedActivity.Audience.GROUPS and not groups:
        raise ValidationError({"groups": "Name at least one registration group."})
    fields["groups"] = groups if audience == PlannedActivity.Audience.GROUPS else []


@transaction.atomic
def activity_save(
    *,
    actor,
    plan_id: int,
    activity_id: int | None = None,
    objective_ids: Iterable[int] = (),
    sector_ids: Iterable[int] = (),
    employer_ids: Iterable[int] = (),
    **fields,
) -> PlannedActivity:
    """Add an activity to a plan, or change one of its activities."""
    plan = plan_for_writing(actor=actor, plan_id=plan_id)
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown activity fields: {sorted(unknown)}")
    _activity_check(plan, fields)
    fields["expected_hours"] = _whole_quarter_hours(Decimal(fields["expected_hours"]))
    if activity_id is None:
        activity = PlannedActivity(plan=plan)
    else:
        activity = PlannedActivity.objects.get(pk=activity_id, plan=plan)
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.full_clean(exclude=["plan", "hub", "school"])
    activity.save()
    activity.objectives.set(
        _scoped_ids(
            Objective.objects.filter(outcome__tier__framework__is_current=True),
            objective_ids,
            "objectives",
        )
    )
    activity.sectors.set(_scoped_ids(Sector.objects.all(), sector_ids, "sectors"))
    if plan.is_template and employer_ids:
        raise ValidationError({"employers": "A template names sectors, not employers."})
    activity.employers.set(_scoped_ids(Employer.objects.all(), employer_ids, "employers"))
    ProgrammePlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
    return activity


@transaction.atomic
def activity_delete(*, actor, activity_id: int) -> ProgrammePlan:
    """Remove an activity; experiences logged against it stay, unlinked."""
    activity = PlannedActivity.objects.select_related("plan").get(pk=activity_id)
    plan = plan_for_writing(actor=actor, plan_id=activity.plan_id)
    activity.delete()
    # A change to the plan, for API clients syncing by updated_since.
    plan.save(update_fields=["updated_at"])
    return plan


def planned_activity_for_logging(*, actor, activity_id: int | None):
    """The activity of a plan of the actor's own school that an experience may deliver."""
    if activity_id is None:
        return None
    try:
        return PlannedActivity.objects.get(
            pk=activity_id, school_id=actor.school_id, school__isnull=False
        )
    except PlannedActivity.DoesNotExist as missing:
        raise ValidationError(
            {"planned_activity": "That planned activity is not in your school's programme."}
        ) from missing

from datetime import date

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from access.audit import audit_record
from access.models import AuditEvent
from hubs.models import Hub
from schools.models import School

from .academic import YEAR_GROUPS, academic_year_of, cohort_for
from .models import Experience, Learner, Participation, SkillRating
from .progress import ProgressRules, behind_first, compass_answers, with_progress


def pupil_get(*, actor, pupil_id: int) -> Learner:
    """One named pupil; the read is audited. Out of scope raises Learner.DoesNotExist."""
    pupil = Learner.objects.select_related("school").get(pk=pupil_id)
    audit_record(action=AuditEvent.Action.VIEW, instance=pupil)
    return pupil


def rules_for_school(*, actor, school_id: int) -> ProgressRules:
    return ProgressRules.for_hub(Hub.objects.get(schools__pk=school_id))


def pupil_picker(
    *, actor, year: int | None = None, group: str = "", search: str = "", on: date | None = None
):
    """The actor's school's pupils, narrowed for picking a class."""
    pupils = Learner.objects.filter(school_id=actor.school_id)
    if year:
        pupils = pupils.filter(cohort=cohort_for(year, on or timezone.localdate()))
    if group:
        pupils = pupils.filter(registration_group__iexact=group.strip())
    for word in search.split():
        pupils = pupils.filter(
            Q(surname__icontains=word)
            | Q(legal_first_name__icontains=word)
            | Q(preferred_first_name__icontains=word)
            | Q(upn__iexact=word)
        )
    return pupils.order_by("registration_group", "surname", "legal_first_name")


def pupil_timeline(*, actor, pupil: Learner, rules: ProgressRules):
    """The pupil's participations, oldest first, each with the rule's verdict."""
    from .progress import participations_with_verdict

    return participations_with_verdict(
        Participation.objects.filter(learner=pupil)
        .select_related("experience")
        .prefetch_related("experience__employers"),
        rules=rules,
    ).order_by("experience__start_date", "pk")


def pupil_skill_ratings(*, actor, pupil: Learner):
    return (
        SkillRating.objects.filter(learner=pupil)
        .select_related("skill")
        .order_by("skill__position", "-rated_on")
    )


def cohort_progress(
    *,
    actor,
    school_id: int,
    year_group: int,
    as_at: date,
    fsm=False,
    send=False,
    disadvantaged=False,
    behind=False,
):
    """Every pupil of a year group with their progress, disadvantaged-and-behind first."""
    rules = rules_for_school(actor=actor, school_id=school_id)
    pupils = Learner.objects.filter(school_id=school_id, cohort=cohort_for(year_group, as_at))
    if fsm:
        pupils = pupils.filter(fsm=True)
    if send:
        pupils = pupils.exclude(send=Learner.SEND.NONE)
    if disadvantaged:
        pupils = pupils.filter(disadvantaged=True)
    progress = with_progress(pupils, rules=rules, as_at=as_at)
    if behind:
        progress = progress.filter(behind=True)
    return behind_first(progress)


def school_progress_summary(*, actor, school_id: int, as_at: date) -> dict:
    """Per year group: pupils, behind, weeks met, FSM gap; and Compass Q1-Q4. Two queries
    after the hub's rules, whatever the number of pupils."""
    rules = rules_for_school(actor=actor, school_id=school_id)
    year = academic_year_of(as_at)
    pupils = Learner.objects.filter(school_id=school_id)
    progress = with_progress(pupils, rules=rules, as_at=as_at)
    columns = {}
    for year_group in YEAR_GROUPS:
        in_year = Q(cohort=year - (year_group - 7))
        columns.update(
            {
                f"y{year_group}_pupils": Count("pk", filter=in_year),
                f"y{year_group}_behind": Count("pk", filter=in_year & Q(behind=True)),
                f"y{year_group}_ks3_met": Count("pk", filter=in_year & Q(ks3_week_met=True)),
                f"y{year_group}_ks4_met": Count("pk", filter=in_year & Q(ks4_week_met=True)),
                f"y{year_group}_fsm": Count("pk", filter=in_year & Q(fsm=True)),
                f"y{year_group}_fsm_behind": Count("pk", filter=in_year & Q(fsm=True, behind=True)),
            }
        )
    totals = progress.aggregate(**columns)
    rows = []
    for year_group in YEAR_GROUPS:
        row = {
            key.split("_", 1)[1]: value
            for key, value in totals.items()
            if key.startswith(f"y{year_group}_")
        }
        if row["pupils"] or year_group <= 11:
            row["year_group"] = year_group
            row["on_track"] = row["pupils"] - row["behind"]
            row["others"] = row["pupils"] - row["fsm"]
            row["others_behind"] = row["behind"] - row["fsm_behind"]
            row["fsm_on_track_pct"] = _pct(row["fsm"] - row["fsm_behind"], row["fsm"])
            row["others_on_track_pct"] = _pct(row["others"] - row["others_behind"], row["others"])
            rows.append(row)
    return {
        "rows": rows,
        "compass": compass_answers(pupils, rules=rules, as_at=as_at),
        "rules": rules,
    }


def _pct(part: int, whole: int):
    return round(100 * part / whole) if whole else None


def experience_list(*, actor):
    return (
        Experience.objects.filter(school_id=actor.school_id)
        .annotate(pupil_count=Count("participations"))
        .prefetch_related(Prefetch("employers"))
        .order_by("-start_date", "-pk")
    )


def experience_get(*, actor, experience_id: int) -> Experience:
    return (
        Experience.objects.select_related("school")
        .prefetch_related("employers", "sectors", "objectives")
        .get(pk=experience_id)
    )


def experience_participations(*, actor, experience: Experience):
    return (
        Participation.objects.filter(experience=experience)
        .select_related("learner")
        .order_by("learner__surname", "learner__legal_first_name")
    )


def school_get(*, actor, school_id: int) -> School:
    return School.objects.select_related("hub").get(pk=school_id)

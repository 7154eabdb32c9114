from datetime import date

from django.db.models import Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from access.audit import audit_many, audit_record
from access.models import AuditEvent
from access.scoping import with_employers_of_pupils_own_history
from equalex.rows import driver_typed, rows_compiled_once
from hubs.models import Hub
from hubs.selectors import actor_hub
from schools.models import School

from .academic import YEAR_GROUPS, cohort_for
from .models import Experience, Learner, Participation, SkillRating
from .progress import (
    ProgressRules,
    behind_first,
    compass_answers,
    grouped_progress,
    percent,
    reads_ledger,
    with_progress,
)


def pupil_get(*, actor, pupil_id: int) -> Learner:
    """One named pupil; the read is audited. Out of scope raises Learner.DoesNotExist."""
    pupil = Learner.objects.select_related("school").get(pk=pupil_id)
    audit_record(action=AuditEvent.Action.VIEW, instance=pupil)
    return pupil


def rules_for_school(*, actor, school_id: int) -> ProgressRules:
    if school_id == actor.school_id:
        # The actor's own school: its hub is the actor's, read once for the whole page.
        hub = actor_hub(actor=actor)
        if hub is not None:
            return ProgressRules.for_hub(hub)
    # Only what the rules read: every page of a school asks for them.
    hub = Hub.objects.only(*ProgressRules.HUB_FIELDS).get(schools__pk=school_id)
    return ProgressRules.for_hub(hub)


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


def registration_groups(*, actor) -> list[str]:
    """The school's registration groups, in the order a school reads them: 7A before 10A."""
    groups = (
        Learner.objects.filter(school_id=actor.school_id)
        .exclude(registration_group="")
        .order_by()
        .values_list("registration_group", flat=True)
        .distinct()
    )
    return sorted(groups, key=_group_order)


def _group_order(group: str):
    digits = len(group) - len(group.lstrip("0123456789"))
    return (int(group[:digits]) if digits else 99, group[digits:].lower(), group)


def pupil_timeline(*, actor, pupil: Learner, rules: ProgressRules):
    """The pupil's participations, oldest first, each with the rule's verdict."""
    from .progress import participations_with_verdict

    return participations_with_verdict(
        # The employers' names of every experience in the pupil's history, whichever hub
        # they partner (a pupil may have moved in from another hub).
        with_employers_of_pupils_own_history(
            Participation.objects.filter(learner=pupil).select_related("experience")
        ),
        rules=rules,
    ).order_by("experience__start_date", "pk")


def pupil_placements(*, actor, pupil: Learner, with_parent_details: bool = False) -> list:
    """The pupil's nominations, newest opportunity first, each with `consent` (the parent's
    answer, or None before one is asked) and `needs_consent`. One query whatever the
    number. With the parent's details (the careers leader's view: their note, such as
    medical needs), reading those answers is audited, in one insert."""
    from employers.models import Nomination, ParentalConsent
    from employers.rules import needs_parental_consent

    nominations = list(
        Nomination.objects.filter(learner=pupil)
        .select_related("opportunity__employer", "consent", "participation")
        .order_by("-opportunity__start_date", "-pk")
    )
    for nomination in nominations:
        try:
            nomination.consent_answer = nomination.consent
        except ParentalConsent.DoesNotExist:
            nomination.consent_answer = None
        nomination.needs_consent = needs_parental_consent(nomination.opportunity)
        # A parent is asked once a place is offered; before that there is nothing to ask.
        nomination.holds_place = nomination.status in Nomination.HOLDS_A_PLACE
        nomination.parent_answered = (
            nomination.consent_answer is not None
            and nomination.consent_answer.answer != ParentalConsent.Answer.WAITING
        )
    if with_parent_details:
        audit_many(
            actor,
            AuditEvent.Action.VIEW,
            [n.consent_answer for n in nominations if n.parent_answered],
        )
    return nominations


def pupil_skill_ratings(*, actor, pupil: Learner):
    return (
        SkillRating.objects.filter(learner=pupil)
        .select_related("skill")
        .order_by("skill__position", "-rated_on")
    )


def with_flags(pupils, *, fsm=False, send=False, disadvantaged=False):
    """Only the pupils with each flag asked for (FSM, any SEND need, disadvantaged)."""
    if fsm:
        pupils = pupils.filter(fsm=True)
    if send:
        pupils = pupils.exclude(send=Learner.SEND.NONE)
    if disadvantaged:
        pupils = pupils.filter(disadvantaged=True)
    return pupils


def shown_first_name():
    """The name a pupil goes by: the preferred first name, else the legal one."""
    return Coalesce(NullIf("preferred_first_name", Value("")), "legal_first_name")


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
) -> list[dict]:
    """Every pupil of a year group with their progress, disadvantaged-and-behind first."""
    rules = rules_for_school(actor=actor, school_id=school_id)
    cohort = cohort_for(year_group, as_at)

    def rows():
        pupils = with_flags(
            Learner.objects.filter(school_id=school_id, cohort=cohort),
            fsm=fsm,
            send=send,
            disadvantaged=disadvantaged,
        )
        progress = with_progress(
            pupils, rules=rules, as_at=as_at, cohorts=[cohort], figures=COHORT_FIELDS
        )
        if behind:
            progress = progress.filter(behind=True)
        # Rows, not Learner objects: a year group is a few hundred pupils, each otherwise
        # a model instance with some forty annotations, which cost more than the query.
        return driver_typed(
            behind_first(progress).values(*COHORT_FIELDS, first_name=shown_first_name())
        )

    # The statement is the same for the same school, year, day, filters and rules (and
    # whether the ledger answers for them): compiled once, run on each read.
    key = ("cohort_progress", school_id, cohort, as_at, fsm, send, disadvantaged, behind)
    key += (rules, reads_ledger(rules, as_at))
    return rows_compiled_once(key, rows)


# What the cohort page and its CSV show of each pupil.
COHORT_FIELDS = ("pk", "upn", "surname", "fsm", "disadvantaged", "send")
COHORT_FIELDS += ("ks3_hours", "ks3_employers", "ks4_placement_hours", "total_hours")
COHORT_FIELDS += ("ks3_week_met", "ks4_week_met", "ten_days_met", "behind", "left_on")


def school_progress_summary(*, actor, school_id: int, as_at: date) -> dict:
    """Per year group: pupils, behind, weeks met, FSM on track; and Compass Q1-Q4. A fixed
    number of queries whatever the number of pupils (grouped_progress, as the reports)."""
    rules = rules_for_school(actor=actor, school_id=school_id)
    pupils = Learner.objects.filter(school_id=school_id)
    return {
        "rows": [
            {key: value for key, value in row.items() if key in SUMMARY_ROW_FIELDS}
            for row in school_year_rows(pupils, rules=rules, as_at=as_at)
        ],
        "compass": compass_answers(pupils, rules=rules, as_at=as_at),
        "rules": rules,
    }


SUMMARY_ROW_FIELDS = ("year_group", "pupils", "on_track", "behind", "ks3_met", "ks4_met")
SUMMARY_ROW_FIELDS += ("fsm_on_track_pct", "others_on_track_pct")


def school_year_rows(pupils, *, rules: ProgressRules, as_at: date) -> list[dict]:
    """Per year group of a school's pupils (Years 7-11, and 12-13 where it has any): pupils,
    on track and behind (with the on-track share, whole percent), weeks met, FSM and other
    pupils' on-track shares; `stage` says whether the year is in a key stage with a week
    to reach. One grouped query (grouped_progress)."""
    by_cohort = {
        row["key"]: row for row in grouped_progress(pupils, rules=rules, as_at=as_at, by="cohort")
    }
    rows = []
    for year_group in YEAR_GROUPS:
        row = by_cohort.get(cohort_for(year_group, as_at))
        if row is None and year_group > 11:
            continue
        row = row or dict.fromkeys(
            ("pupils", "behind", "ks3_met", "ks4_met", "fsm", "fsm_behind"), 0
        )
        others, others_behind = row["pupils"] - row["fsm"], row["behind"] - row["fsm_behind"]
        rows.append(
            {
                "year_group": year_group,
                "stage": year_group <= 11,
                "pupils": row["pupils"],
                "on_track": row["pupils"] - row["behind"],
                "on_track_pct": _pct(row["pupils"] - row["behind"], row["pupils"]),
                "behind": row["behind"],
                "ks3_met": row["ks3_met"],
                "ks4_met": row["ks4_met"],
                "fsm_on_track_pct": _pct(row["fsm"] - row["fsm_behind"], row["fsm"]),
                "others_on_track_pct": _pct(others - others_behind, others),
            }
        )
    return rows


def _pct(part: int, whole: int):
    return percent(part, whole, places=0)


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

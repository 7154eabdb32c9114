"""Reads of pupil voice: a pupil's own ten days, the opportunities they may ask for, and
the staff's view of pupils' reflections, ratings and interests."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.db import connections
from django.db.models import F, Max, Prefetch, Q
from django.utils import timezone

from access.audit import audit_many
from access.models import AuditEvent
from access.scoping import with_employers_of_pupils_own_history
from employers.models import Opportunity
from employers.rules import eligible_year_group
from hubs.postcodes import DistanceBand, within_band_q
from learners.academic import year_group_on
from learners.models import Learner, Participation, SkillRating
from learners.progress import (
    DESIGN_CRITERIA,
    participations_with_verdict,
    round_half_up,
    with_progress,
)
from learners.selectors import rules_for_school
from outcomes.models import Skill
from schools.models import School

from .models import OpportunityInterest, PupilAccount, Reflection
from .services import require_pupil

# What each meaningful criterion asks, in words for a pupil of 11 to 16.
CRITERIA_FOR_PUPILS = {
    "M1": "it had a clear purpose that was explained to you",
    "M2": "it was planned with things for you to learn",
    "M3": "you got to talk with people who work there",
    "M4": "you met a range of people who work there",
    "M5": "the employer set you a task",
    "M6": "the employer gave you feedback",
    "M7": "you wrote what you got out of it",
}


def pupil_reasons(entry, rules) -> list[str]:
    """Why one of the pupil's experiences did not count, in their words."""
    experience = entry.experience
    reasons = []
    if experience.setting == "in_school":
        reasons.append(
            "it happened in school: worth doing, but only time with employers "
            "outside school counts toward the ten days"
        )
    missing = [
        code
        for code in rules.meaningful_criteria
        if (code in DESIGN_CRITERIA and not getattr(experience, f"meets_{code.lower()}"))
        or (code == "M6" and not entry.employer_feedback_given)
        or (code == "M7" and not entry.reflection_done)
    ]
    for code in missing:
        reasons.append(f"it counts once {CRITERIA_FOR_PUPILS[code]}")
    if entry.hours_attended <= 0:
        reasons.append("you were not there")
    return reasons


@dataclass(frozen=True)
class Stage:
    """One of the two weeks, in plain words for the pupil."""

    name: str
    years: str
    deadline: str
    done_days: object
    met: bool
    still_to_come: bool


def _days(hours):
    return (hours or 0) / 5


def my_ten_days(*, actor, today: date | None = None) -> dict:
    """Everything the pupil's own page shows, read as them (their scope holds only their
    own rows): progress, each experience with what counted and why, their reflections and
    their self-ratings before and after."""
    require_pupil(actor)
    today = today or timezone.localdate()
    learner = Learner.objects.select_related("school").get(pk=actor.learner_id)
    rules = rules_for_school(actor=actor, school_id=learner.school_id)
    progress = with_progress(
        Learner.objects.filter(pk=learner.pk), rules=rules, as_at=today, variety=True
    ).get()
    year = year_group_on(learner.cohort, today)
    entries = list(
        participations_with_verdict(
            with_employers_of_pupils_own_history(
                Participation.objects.filter(learner_id=learner.pk).select_related(
                    "experience", "reflection"
                )
            ),
            rules=rules,
        ).order_by("-experience__start_date", "-pk")
    )
    ratings = defaultdict(dict)
    for rating in SkillRating.objects.filter(
        learner_id=learner.pk, experience__isnull=False
    ).exclude(moment=""):
        if rating.rater == SkillRating.Rater.SELF:
            ratings[(rating.experience_id, rating.moment)][rating.skill_id] = rating.step
    employer_steps = defaultdict(dict)
    for rating in SkillRating.objects.filter(
        learner_id=learner.pk, rater=SkillRating.Rater.EMPLOYER, experience__isnull=False
    ):
        employer_steps[rating.experience_id][rating.skill_id] = rating.step
    for entry in entries:
        entry.year_group = 7 + entry.offset
        entry.upcoming = entry.experience.start_date > today
        entry.reasons = [] if entry.counts or entry.upcoming else pupil_reasons(entry, rules)
        entry.my_reflection = _reflection_or_none(entry)
        entry.rated_before = bool(ratings.get((entry.experience_id, "before")))
        entry.rated_after = bool(ratings.get((entry.experience_id, "after")))
        entry.needs_reflection = (
            not entry.upcoming and not entry.absent and entry.my_reflection is None
        )
    ks3 = Stage(
        "Your first week: employer experiences",
        "Years 7 to 9",
        "by the end of Year 9",
        _days(progress.ks3_hours),
        progress.ks3_week_met,
        year <= 9,
    )
    ks4 = Stage(
        "Your second week: a placement with an employer",
        "Years 10 and 11",
        "by the end of Year 11",
        _days(progress.ks4_placement_hours),
        progress.ks4_week_met,
        year <= 11,
    )
    tiers = [
        (1, "Introduce and inspire", progress.reached_t1),
        (2, "Investigate and explore", progress.reached_t2),
        (3, "Apply and demonstrate", progress.reached_t3),
    ]
    return {
        "learner": learner,
        "year_group": year,
        "progress": progress,
        "stages": (ks3, ks4),
        "total_days": _days(progress.total_hours),
        "tiers": tiers,
        "entries": entries,
        "to_reflect": [e for e in entries if e.needs_reflection],
        "rules": rules,
    }


def _reflection_or_none(participation):
    try:
        return participation.reflection
    except Reflection.DoesNotExist:
        return None


def my_participation(*, actor, participation_id: int) -> Participation:
    """One of the pupil's own experiences (anyone else's is not there: LookupError)."""
    require_pupil(actor)
    participation = with_employers_of_pupils_own_history(
        Participation.objects.filter(pk=participation_id).select_related("experience")
    ).first()
    if participation is None:
        raise LookupError("Not one of your experiences.")
    participation.my_reflection = _reflection_or_none(participation)
    return participation


def skills_with_steps(*, actor, participation: Participation) -> list[dict]:
    """The eight skills, each with the pupil's steps before and after this experience and
    the employer's, where given."""
    rows = SkillRating.objects.filter(
        learner_id=participation.learner_id, experience_id=participation.experience_id
    )
    steps = defaultdict(dict)
    for rating in rows:
        if rating.rater == SkillRating.Rater.SELF and rating.moment:
            steps[rating.skill_id][rating.moment] = rating.step
        elif rating.rater == SkillRating.Rater.EMPLOYER:
            steps[rating.skill_id]["employer"] = rating.step
    rows = []
    for skill in Skill.objects.order_by("position"):
        row = {"skill": skill, **steps.get(skill.pk, {})}
        if row.get("before") is not None and row.get("after") is not None:
            row["change"] = f"{row['after'] - row['before']:+d}"
        rows.append(row)
    return rows


def opportunities_for_pupil(*, actor, today: date | None = None):
    """Published opportunities the pupil's school could nominate them for: offered to the
    hub, still to start, in the school's postcode area (or online)."""
    today = today or timezone.localdate()
    opportunities = Opportunity.objects.filter(
        status=Opportunity.Status.PUBLISHED, start_date__gt=today
    )
    postcode = School.objects.filter(pk=actor.school_id).values_list("postcode", flat=True).first()
    if postcode:
        opportunities = opportunities.filter(
            within_band_q(DistanceBand.AREA, postcode) | Q(setting="virtual")
        )
    return opportunities


def opportunity_list_for_pupil(*, actor, today: date | None = None) -> list[Opportunity]:
    """opportunities_for_pupil, for the pupil's own year group on each one's first day,
    soonest first, each with `my_interest` (their interest, or None)."""
    today = today or timezone.localdate()
    cohort = Learner.objects.filter(pk=actor.learner_id).values_list("cohort", flat=True).first()
    interests = {
        i.opportunity_id: i for i in OpportunityInterest.objects.filter(learner_id=actor.learner_id)
    }
    rows = []
    for opportunity in (
        opportunities_for_pupil(actor=actor, today=today)
        .select_related("employer", "sector")
        .order_by("start_date", "title")
    ):
        if eligible_year_group(cohort, opportunity) is None:
            continue
        opportunity.my_interest = interests.get(opportunity.pk)
        rows.append(opportunity)
    return rows


# --- staff ------------------------------------------------------------------------


def pupil_access_list(*, actor, year: int | None = None, group: str = "", today=None):
    """The careers leader's school's pupils on roll for a year or class, each with their
    `account` (or None): whether pupil access is open and until when their code works."""
    from learners.academic import cohort_for

    today = today or timezone.localdate()
    pupils = Learner.objects.filter(school_id=actor.school_id, left_on__isnull=True)
    if year:
        pupils = pupils.filter(cohort=cohort_for(year, today))
    if group:
        pupils = pupils.filter(registration_group__iexact=group.strip())
    pupils = list(
        pupils.prefetch_related(
            Prefetch("pupil_account", queryset=PupilAccount.objects.select_related("user"))
        ).order_by("registration_group", "surname", "legal_first_name")
    )
    for pupil in pupils:
        try:
            pupil.account = pupil.pupil_account
        except PupilAccount.DoesNotExist:
            pupil.account = None
        pupil.sign_in_address = ""
        if pupil.account is not None and not pupil.account.user.email.endswith(
            "@pupils.equalex.invalid"
        ):
            pupil.sign_in_address = pupil.account.user.email
    return pupils


def pupils_with_access(*, actor, ids) -> list[Learner]:
    """Of these pupils of the careers leader's school, those whose access is open."""
    return list(
        Learner.objects.filter(
            pk__in=list(ids), school_id=actor.school_id, pupil_account__isnull=False
        ).order_by("registration_group", "surname", "legal_first_name")
    )


def reflections_of_pupil(*, actor, pupil: Learner) -> dict[int, Reflection]:
    """The pupil's reflections by participation, for the staff's timeline. Reading them is
    audited, one insert for the page."""
    actor.require("reflection.view")
    reflections = list(Reflection.objects.filter(learner_id=pupil.pk))
    names = dict(Skill.objects.values_list("pk", "name"))
    for reflection in reflections:
        reflection.skill_names = [names[pk] for pk in reflection.skills_used if pk in names]
    visible = [r for r in reflections if not r.hidden]
    if visible:
        audit_many(actor, AuditEvent.Action.VIEW, visible)
    return {r.participation_id: r for r in reflections}


def interests_for_nomination(*, actor, opportunity: Opportunity) -> dict[int, OpportunityInterest]:
    """Pupils of the careers leader's school who said they would like to try this one."""
    return {
        i.learner_id: i
        for i in OpportunityInterest.objects.filter(
            opportunity=opportunity, school_id=actor.school_id
        )
    }


def self_rated_change(ratings, *, by_cohort: bool = False) -> list[dict]:
    """Self-rated change per skill: pupils who rated themselves on a skill both before and
    after the same experience, and their average change in steps (after minus before,
    rounded half up to one place), with how many improved. `ratings` is a SkillRating
    queryset already narrowed to the group (a school's, a hub's, up to a date), read in
    the caller's scope. by_cohort: one set of rows per cohort (a year group), keyed by it.

    Counted in the database: a hub holds millions of ratings, and only eight rows (or
    forty) come back."""
    pairs = (
        ratings.filter(
            rater=SkillRating.Rater.SELF,
            moment__in=[SkillRating.Moment.BEFORE, SkillRating.Moment.AFTER],
            experience__isnull=False,
        )
        .order_by()
        .values("learner_id", "experience_id", "skill_id", cohort=F("learner__cohort"))
        .annotate(
            before_step=Max("step", filter=Q(moment=SkillRating.Moment.BEFORE)),
            after_step=Max("step", filter=Q(moment=SkillRating.Moment.AFTER)),
        )
    )
    inner, params = pairs.query.sql_with_params()
    cohort = "pairs.cohort" if by_cohort else "NULL"
    group = "pairs.cohort, pairs.skill_id" if by_cohort else "pairs.skill_id"
    # The inner query's columns keep their names (learner_id, experience_id, skill_id,
    # cohort, before_step, after_step), in SQLite as in PostgreSQL.
    sql = (
        f"SELECT {cohort}, pairs.skill_id, count(*), "  # noqa: S608 - our own SQL
        "sum(pairs.after_step - pairs.before_step), "
        "sum(CASE WHEN pairs.after_step > pairs.before_step THEN 1 ELSE 0 END) "
        f"FROM ({inner}) AS pairs "
        "WHERE pairs.before_step IS NOT NULL AND pairs.after_step IS NOT NULL "
        f"GROUP BY {group}"
    )
    with connections[ratings.db].cursor() as cursor:
        cursor.execute(sql, params)
        found = {(row[0], row[1]): row[2:] for row in cursor.fetchall()}
    skills = list(Skill.objects.order_by("position").values_list("pk", "name"))
    cohorts = sorted({cohort for cohort, _ in found}) if by_cohort else [None]

    def rows_for(cohort):
        rows = []
        for pk, name in skills:
            count, total, improved = found.get((cohort, pk), (0, 0, 0))
            rows.append(
                {
                    "skill": name,
                    "pairs": count,
                    "average_change": (
                        round_half_up(Fraction(int(total), count), 1) if count else None
                    ),
                    "improved": int(improved),
                }
            )
        return rows

    if by_cohort:
        return {cohort: rows_for(cohort) for cohort in cohorts}
    return rows_for(None)


def no_self_rated_change() -> list[dict]:
    """self_rated_change's rows for a group with no pairs of ratings."""
    return [
        {"skill": name, "pairs": 0, "average_change": None, "improved": 0}
        for name in Skill.objects.order_by("position").values_list("name", flat=True)
    ]

"""The careers leader's weekly pages: the home page's figures, the pupils list and the
experiences list. Reads only (selectors): every figure comes from learners.progress or the
ledger it keeps; nothing here restates a rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When

from .academic import academic_year_of, cohort_for
from .models import Experience, Learner, Participation
from .progress import behind_first, compass_answers, compass_dates, with_progress
from .selectors import rules_for_school, school_year_rows, shown_first_name, with_flags

# How many pupils behind, and how many recent experiences, the home page lists.
HOME_BEHIND_SHOWN = 8
HOME_RECENT_SHOWN = 5


def next_formal_date(today: date) -> date:
    """The next of the Compass formal readings (31 Dec, 31 Mar, 31 Jul), today included;
    in August, the next academic year's 31 December."""
    for reading in compass_dates(today):
        if reading >= today:
            return reading
    return compass_dates(date(academic_year_of(today) + 1, 9, 1))[0]


# What the home page's list of pupils behind shows of each.
BEHIND_FIELDS = ("pk", "surname", "fsm", "disadvantaged", "send", "left_on", "stage_offset")
BEHIND_FIELDS += ("ks3_hours", "ks4_placement_hours", "ks3_expected_hours", "ks4_expected_hours")


def leader_home(*, actor, school_id: int, today: date) -> dict:
    """Where the school stands today: on track per year group, the pupils furthest behind
    (disadvantaged first), the Compass answers as at the next formal reading, placements
    waiting for someone, and what was logged lately. A fixed number of queries."""
    rules = rules_for_school(actor=actor, school_id=school_id)
    pupils = Learner.objects.filter(school_id=school_id)
    years = [row for row in school_year_rows(pupils, rules=rules, as_at=today) if row["stage"]]
    behind = behind_first(
        with_progress(pupils, rules=rules, as_at=today, figures=BEHIND_FIELDS).filter(behind=True)
    ).values(*BEHIND_FIELDS, first_name=shown_first_name())[:HOME_BEHIND_SHOWN]
    reading = next_formal_date(today)
    context = {
        "today": today,
        "years": years,
        "behind_total": sum(row["behind"] for row in years),
        "behind": list(behind),
        "reading": reading,
        "compass": compass_answers(pupils, rules=rules, as_at=reading),
        # Year 9 (KS3 week) and Year 11 (KS4 week) are judged at the year's last reading.
        "last_reading": compass_dates(reading)[-1],
        "recent": list(
            Experience.objects.filter(school_id=school_id)
            .annotate(pupil_count=Count("participations"))
            .select_related("created_by")
            .order_by("-created_at", "-pk")[:HOME_RECENT_SHOWN]
        ),
    }
    if actor.can("opportunity.nominate"):
        context["placements"] = placements_needing_action(
            actor=actor, school_id=school_id, today=today
        )
    return context


@dataclass(frozen=True)
class WaitingPlacements:
    """Pupils with a place whose paperwork is not finished, per opportunity."""

    consent_missing: list[dict]
    attendance_due: list[dict]

    @property
    def consent_missing_total(self) -> int:
        return sum(row["pupils"] for row in self.consent_missing)

    @property
    def attendance_due_total(self) -> int:
        return sum(row["pupils"] for row in self.attendance_due)


def placements_needing_action(*, actor, school_id: int, today: date) -> WaitingPlacements:
    """Consent missing: a pupil holds a place on a placement outside school that has not
    ended, and no parent has said yes. Attendance to confirm: the placement has ended and
    its employer has not yet confirmed who came. Two grouped queries."""
    from employers.models import Nomination, ParentalConsent

    with_place = Nomination.objects.filter(school_id=school_id, status__in=Nomination.HOLDS_A_PLACE)
    fields = ("opportunity_id", "opportunity__title", "opportunity__start_date")

    def per_opportunity(nominations):
        return [
            {
                "opportunity_id": row["opportunity_id"],
                "title": row["opportunity__title"],
                "start_date": row["opportunity__start_date"],
                "pupils": row["pupils"],
            }
            for row in nominations.values(*fields)
            .annotate(pupils=Count("pk"))
            .order_by("opportunity__start_date", "opportunity_id")
        ]

    # employers.rules.needs_parental_consent, as a query: every opportunity outside school.
    consent_missing = (
        with_place.filter(opportunity__end_date__gte=today)
        .exclude(opportunity__setting=Experience.Setting.IN_SCHOOL)
        .exclude(consent__answer=ParentalConsent.Answer.GIVEN)
    )
    attendance_due = with_place.filter(
        opportunity__end_date__lt=today, opportunity__attendance_confirmed_at__isnull=True
    )
    return WaitingPlacements(per_opportunity(consent_missing), per_opportunity(attendance_due))


# -- The pupils list


PUPIL_LIST_FIGURES = ("total_hours", "ks3_hours", "ks4_placement_hours", "ten_days_met")
PUPIL_SORTS = {
    # Year 7 first (the youngest cohort is the largest number), then tutor group as a
    # person reads it: "7A" before "10A", whatever the text order says.
    "year": ("-cohort", "group_digits", "registration_group", "surname", "legal_first_name"),
    "name": ("surname", "legal_first_name", "pk"),
    "group": ("group_digits", "registration_group", "surname", "legal_first_name"),
    "progress": ("total_hours", "surname", "legal_first_name"),
    # behind_first's order: disadvantaged pupils who are behind, then others behind.
    "priority": ("priority", "surname", "legal_first_name"),
}


def _group_digits():
    """How many digits a registration group starts with, so that sorting by it and then by
    the text puts "7A" before "10A" (SQLite and PostgreSQL alike)."""
    return Case(
        When(registration_group__regex=r"^[0-9][0-9]", then=Value(2)),
        When(registration_group__regex=r"^[0-9]", then=Value(1)),
        default=Value(0),
    )


def pupil_search(
    *,
    actor,
    school_id: int,
    today: date,
    search: str = "",
    year: int | None = None,
    group: str = "",
    fsm: bool = False,
    send: bool = False,
    disadvantaged: bool = False,
    behind: bool = False,
    sort: str = "year",
):
    """The school's pupils with their progress as at today, narrowed and sorted; rows (not
    model instances) for a page of the list."""
    rules = rules_for_school(actor=actor, school_id=school_id)
    pupils = Learner.objects.filter(school_id=school_id)
    cohorts = None
    if year:
        cohorts = [cohort_for(year, today)]
        pupils = pupils.filter(cohort=cohorts[0])
    if group:
        pupils = pupils.filter(registration_group__iexact=group.strip())
    pupils = with_flags(pupils, fsm=fsm, send=send, disadvantaged=disadvantaged)
    for word in search.split():
        pupils = pupils.filter(
            Q(surname__icontains=word)
            | Q(legal_first_name__icontains=word)
            | Q(preferred_first_name__icontains=word)
            | Q(upn__iexact=word)
        )
    progress = with_progress(
        pupils, rules=rules, as_at=today, cohorts=cohorts, figures=PUPIL_LIST_FIGURES
    )
    if behind:
        progress = progress.filter(behind=True)
    if sort == "priority":
        progress = behind_first(progress)
    order = PUPIL_SORTS.get(sort, PUPIL_SORTS["year"])
    return (
        progress.annotate(group_digits=_group_digits())
        .order_by(*order, "pk")
        .values(
            "pk",
            "upn",
            "surname",
            "registration_group",
            "cohort",
            "fsm",
            "disadvantaged",
            "send",
            "left_on",
            "behind",
            "stage_offset",
            *PUPIL_LIST_FIGURES,
            first_name=shown_first_name(),
        )
    )


def registration_groups(*, actor, school_id: int) -> list[str]:
    """The school's registration groups, "7A" before "10A"."""
    return list(
        Learner.objects.filter(school_id=school_id)
        .exclude(registration_group="")
        .annotate(group_digits=_group_digits())
        .order_by("group_digits", "registration_group")
        .values_list("registration_group", flat=True)
        .distinct()
    )


# -- The experiences list


TERMS = {
    # Terms as the Compass readings cut the year: each ends on a formal date (the summer
    # term runs on to the end of the academic year).
    "autumn": ((9, 1), (12, 31)),
    "spring": ((1, 1), (3, 31)),
    "summer": ((4, 1), (8, 31)),
}
TERM_NAMES = {"autumn": "Autumn term", "spring": "Spring term", "summer": "Summer term"}


def term_dates(academic_year: int, term: str) -> tuple[date, date]:
    (start_month, start_day), (end_month, end_day) = TERMS[term]
    start_year = academic_year if start_month >= 9 else academic_year + 1
    end_year = academic_year if end_month >= 9 else academic_year + 1
    return date(start_year, start_month, start_day), date(end_year, end_month, end_day)


def experience_search(
    *,
    actor,
    school_id: int,
    year: int | None = None,
    kind: str = "",
    term: tuple[int, str] | None = None,
    employer_id: int | None = None,
):
    """The school's experiences, newest first, with their pupils counted and employers
    prefetched; `year` keeps those with a pupil who was in that year group at the time."""
    experiences = Experience.objects.filter(school_id=school_id)
    if year:
        experiences = experiences.filter(
            Exists(
                Participation.objects.filter(
                    experience=OuterRef("pk"),
                    learner__cohort=OuterRef("academic_year") - (year - 7),
                )
            )
        )
    if kind:
        experiences = experiences.filter(kind=kind)
    if term:
        start, end = term_dates(*term)
        experiences = experiences.filter(start_date__gte=start, start_date__lte=end)
    if employer_id:
        experiences = experiences.filter(employers__pk=employer_id)
    return (
        experiences.annotate(pupil_count=Count("participations", distinct=True))
        .prefetch_related("employers")
        .order_by("-start_date", "-pk")
    )


def experience_filter_choices(*, actor, school_id: int) -> dict:
    """What the experiences list can be narrowed by: the academic years the school has
    logged in (each with its three terms) and the employers it has worked with."""
    from employers.models import Employer

    years = sorted(
        set(
            Experience.objects.filter(school_id=school_id)
            .order_by()
            .values_list("academic_year", flat=True)
            .distinct()
        ),
        reverse=True,
    )
    employers = Employer.objects.filter(
        pk__in=Experience.employers.through.objects.filter(experience__school_id=school_id).values(
            "employer_id"
        )
    ).order_by("name")
    return {"academic_years": years, "employers": list(employers.values("pk", "name"))}

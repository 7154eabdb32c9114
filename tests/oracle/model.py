"""The reference model: every published figure, computed from plain rows, read beside
DESIGN section 2. No Django, no SQL; exact arithmetic (Fraction) and stated rounding.

The shapes mirror what the platform publishes (reports/builders.py), so a comparison is a
walk over two dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

HOURS_PER_DAY = 5
WEEK_HOURS = 25  # a week: 5 days of 5 hours
COUNTING_SETTINGS = frozenset({"workplace", "virtual", "community"})  # not "in_school"
ALL_SEVEN = frozenset({"M1", "M2", "M3", "M4", "M5", "M6", "M7"})
SME_BANDS = frozenset({"micro", "small", "medium"})
HOLDS_A_PLACE = frozenset({"offered", "accepted"})
SCHOOL_TYPE_NAMES = {
    "mainstream": "Mainstream",
    "special": "Special / SEND",
    "alternative": "Alternative provision",
    "post16": "Post-16 / college",
}


# -- Plain rows


@dataclass(frozen=True)
class Hub:
    id: int
    name: str
    region: str
    meaningful_criteria: frozenset[str] = frozenset({"M1", "M2", "M3"})
    ks3_virtual_cap_days: Decimal = Decimal("2.5")
    growth_sectors: frozenset[int] = frozenset()


@dataclass(frozen=True)
class School:
    id: int
    hub: int
    name: str
    urn: str
    type: str
    fsm_percent: Decimal


@dataclass(frozen=True)
class Pupil:
    id: int
    school: int  # the current school: a moved pupil's history travels with them
    cohort: int  # the academic year in which the pupil was in Year 7
    upn: str
    first_name: str
    surname: str
    fsm: bool = False
    disadvantaged: bool = False
    send: str = "N"  # N none, K SEN support, E EHC plan
    # Recorded by the school as left. Today's rule: a leaver still counts in every figure
    # of their school (and hub) as before; issue 13 defines how leavers appear, and must
    # change this oracle deliberately (pupils_of_school below says so).
    left_on: date | None = None
    registration_group: str = ""  # "" when the school gave none


@dataclass(frozen=True)
class Employer:
    id: int
    name: str
    size_band: str
    hubs: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Sector:
    id: int
    name: str


@dataclass(frozen=True)
class Experience:
    id: int
    school: int  # the organising school (a moved pupil's old school, say)
    title: str
    kind: str
    setting: str
    tier: int
    start: date
    end: date
    duration_hours: Decimal
    employers: tuple[int, ...] = ()
    sectors: tuple[int, ...] = ()
    meets: frozenset[str] = frozenset()  # of M1-M5: the design's criteria
    planned_activity: int | None = None  # the activity of a plan it delivers


@dataclass(frozen=True)
class Participation:
    id: int
    pupil: int
    experience: int
    hours_attended: Decimal
    absent: bool = False
    employer_feedback: bool = False  # M6
    reflected: bool = False  # M7


@dataclass(frozen=True)
class Opportunity:
    id: int
    employer: int
    start: date
    status: str  # draft, published, closed
    capacity: int
    visible_to_hubs: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Nomination:
    id: int
    opportunity: int
    pupil: int
    status: str


@dataclass(frozen=True)
class SelfRating:
    """A pupil's own Skills Builder rating before or after one of their experiences."""

    id: int
    pupil: int
    experience: int
    skill: int  # 0-7: the framework's skills in their order (SKILLS)
    moment: str  # "before" or "after"
    step: int  # 0-15
    rated_on: date


@dataclass(frozen=True)
class Plan:
    """A school's programme plan for one cohort, or a hub's template (no school, cohort)."""

    id: int
    hub: int
    school: int | None
    cohort: int | None  # the academic year the cohort was in Year 7
    title: str
    status: str  # "draft" or "published"


@dataclass(frozen=True)
class PlannedActivity:
    """One activity of a plan: for whom by a rule, never by naming pupils."""

    id: int
    plan: int
    title: str
    kind: str
    setting: str
    tier: int
    year_group: int  # 7-11
    term: str  # autumn, spring, summer
    expected_hours: Decimal
    # whole_year, groups (registration groups), disadvantaged, fsm, send, or behind (on
    # the ten days as at the reading)
    audience: str = "whole_year"
    groups: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()  # the framework's objective codes


# The current framework's objectives (outcomes/data/equalex-framework-2025.json), in order.
OBJECTIVES = (
    *(f"T1.O1.{x}" for x in "abc"),
    *(f"T1.O2.{x}" for x in "abc"),
    *(f"T1.O3.{x}" for x in "ab"),
    *(f"T2.O1.{x}" for x in "abc"),
    *(f"T2.O2.{x}" for x in "abc"),
    "T2.O3.a",
    *(f"T3.O1.{x}" for x in "abcde"),
)


SKILLS = (
    "Listening",
    "Speaking",
    "Problem Solving",
    "Creativity",
    "Staying Positive",
    "Aiming High",
    "Leadership",
    "Teamwork",
)


@dataclass(frozen=True)
class World:
    hubs: tuple[Hub, ...]
    schools: tuple[School, ...]
    pupils: tuple[Pupil, ...]
    employers: tuple[Employer, ...]
    sectors: tuple[Sector, ...]
    experiences: tuple[Experience, ...]
    participations: tuple[Participation, ...]
    opportunities: tuple[Opportunity, ...] = ()
    nominations: tuple[Nomination, ...] = ()
    as_at: date = date(2025, 12, 31)
    self_ratings: tuple[SelfRating, ...] = ()
    plans: tuple[Plan, ...] = ()
    activities: tuple[PlannedActivity, ...] = ()
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def by_id(self, kind: str) -> dict:
        if kind not in self._index:
            self._index[kind] = {row.id: row for row in getattr(self, kind)}
        return self._index[kind]

    def hub_of_school(self, school_id: int) -> Hub:
        return self.by_id("hubs")[self.by_id("schools")[school_id].hub]

    def hub_of_pupil(self, pupil: Pupil) -> Hub:
        return self.hub_of_school(pupil.school)

    def participations_of(self, pupil_id: int) -> list[Participation]:
        if "by_pupil" not in self._index:
            grouped: dict[int, list] = {}
            for row in self.participations:
                grouped.setdefault(row.pupil, []).append(row)
            self._index["by_pupil"] = grouped
        return self._index["by_pupil"].get(pupil_id, [])


# -- Display rounding: the published numbers, stated once


def half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact value half away from zero (12.25 -> 12.3, -0.05 -> -0.1)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part: int, whole: int, places: int = 1) -> Decimal | None:
    """part/whole as a percentage to `places` decimals; None when there is nobody."""
    return half_up(Fraction(100 * part, whole), places) if whole else None


def gap(group: int, group_behind: int, everyone: int, everyone_behind: int) -> Decimal | None:
    """Percentage points on track of the others minus the group's (positive: group
    behind), from the exact shares, rounded once; None without a group or without others."""
    others = everyone - group
    if not group or not others:
        return None
    others_on = Fraction(100 * (others - (everyone_behind - group_behind)), others)
    group_on = Fraction(100 * (group - group_behind), group)
    return half_up(others_on - group_on, 1)


BANDS = (
    "None",
    "A few (1-25%)",
    "Some (26-50%)",
    "Most (51-75%)",
    "Overwhelming majority (76-90%)",
    "Almost All (91-99%)",
    "All (100%)",
    "Don't know",
)


def band(numerator: int, denominator: int) -> str:
    if denominator == 0:
        return "Don't know"
    p = Fraction(numerator, denominator)
    if p == 0:
        return "None"
    for name, upper in zip(BANDS[1:5], (25, 50, 75, 90), strict=True):
        if p <= Fraction(upper, 100):
            return name
    return "Almost All (91-99%)" if p < 1 else "All (100%)"


# -- Calendar


def academic_year(day: date) -> int:
    """1 September to 31 August, named by its start."""
    return day.year if day.month >= 9 else day.year - 1


def year_group(cohort: int, day: date) -> int:
    return 7 + academic_year(day) - cohort


def stage_fraction(cohort: int, as_at: date, first_offset: int, years: int) -> Fraction:
    """The share of a key stage elapsed by `as_at` (0 before it, 1 after it), in days."""
    start = date(cohort + first_offset, 9, 1)
    end = date(cohort + first_offset + years, 9, 1)
    elapsed = min(max((as_at - start).days, 0), (end - start).days)
    return Fraction(elapsed, (end - start).days)


# -- Per pupil


def is_meaningful(world: World, p: Participation, criteria: frozenset[str]) -> bool:
    design = world.by_id("experiences")[p.experience].meets
    met = (
        set(design)
        | ({"M6"} if p.employer_feedback else set())
        | ({"M7"} if p.reflected else set())
    )
    return criteria <= met


def counts(world: World, p: Participation, criteria: frozenset[str]) -> bool:
    """Counts toward the ten days: a counting setting, meaningful, and attended."""
    experience = world.by_id("experiences")[p.experience]
    return (
        experience.setting in COUNTING_SETTINGS
        and is_meaningful(world, p, criteria)
        and p.hours_attended > 0
    )


@dataclass(frozen=True)
class PupilProgress:
    pupil: Pupil
    year_group: int
    ks3_in_person_hours: Decimal
    ks3_virtual_hours: Decimal  # as logged, before the cap
    ks3_hours: Decimal  # in person plus virtual up to the hub's cap
    ks4_hours: Decimal
    ks4_placement_hours: Decimal
    total_hours: Decimal  # every counted hour, no cap
    ks3_employers: int
    ks4_employers: int
    ks3_sectors: int
    ks4_sectors: int
    tiers: tuple[int, ...]
    ks3_tiers: tuple[int, ...]  # attended in Years 7-9, counted or not
    ks4_tiers: tuple[int, ...]  # attended in Years 10-11, counted or not
    ks3_expected_days: Decimal  # the pro-rata share of the KS3 week, to 0.01 day
    ks4_expected_days: Decimal
    ks3_week_met: bool
    ks4_week_met: bool
    ten_days_met: bool
    behind: bool


def pupil_progress(world: World, pupil: Pupil, as_at: date) -> PupilProgress:
    # The rules of the pupil's current hub count the whole history, experiences done at a
    # school of another hub before a move included: hubs choose the rules for their reports
    # (DESIGN section 2), and the pupil is now in this hub's reports.
    hub = world.hub_of_pupil(pupil)
    criteria = hub.meaningful_criteria
    experiences = world.by_id("experiences")
    ks3_in_person = ks3_virtual = ks4 = ks4_placement = total = Decimal(0)
    employers = {"ks3": set(), "ks4": set()}
    sectors = {"ks3": set(), "ks4": set()}
    tiers = set()
    stage_tiers = {"ks3": set(), "ks4": set()}
    for p in world.participations_of(pupil.id):
        experience = experiences[p.experience]
        if experience.start > as_at:
            continue  # not yet happened as at the reading
        offset = academic_year(experience.start) - pupil.cohort  # Year 7 + offset then
        if p.hours_attended > 0:
            tiers.add(experience.tier)  # tiers reached: any attended experience
            if 0 <= offset <= 2:
                stage_tiers["ks3"].add(experience.tier)
            elif 3 <= offset <= 4:
                stage_tiers["ks4"].add(experience.tier)
        if not counts(world, p, criteria):
            continue
        total += p.hours_attended
        if 0 <= offset <= 2:
            stage = "ks3"
            if experience.setting == "virtual":
                ks3_virtual += p.hours_attended
            else:
                ks3_in_person += p.hours_attended
        elif 3 <= offset <= 4:
            stage = "ks4"
            ks4 += p.hours_attended
            if experience.kind == "placement" and experience.setting == "workplace":
                ks4_placement += p.hours_attended
        else:
            continue
        employers[stage].update(experience.employers)
        sectors[stage].update(experience.sectors)
    cap_hours = hub.ks3_virtual_cap_days * HOURS_PER_DAY
    ks3 = ks3_in_person + min(ks3_virtual, cap_hours)
    ks3_met = ks3 >= WEEK_HOURS and len(employers["ks3"]) >= 2
    ks4_met = ks4_placement >= WEEK_HOURS
    stage_now = academic_year(as_at) - pupil.cohort
    # On track: at least the exact pro-rata share of the current stage's week.
    if 0 <= stage_now <= 2:
        behind = Fraction(ks3) < WEEK_HOURS * stage_fraction(pupil.cohort, as_at, 0, 3)
    elif 3 <= stage_now <= 4:
        behind = Fraction(ks4_placement) < WEEK_HOURS * stage_fraction(pupil.cohort, as_at, 3, 2)
    else:
        behind = False
    return PupilProgress(
        pupil=pupil,
        year_group=7 + stage_now,
        ks3_in_person_hours=ks3_in_person,
        ks3_virtual_hours=ks3_virtual,
        ks3_hours=ks3,
        ks4_hours=ks4,
        ks4_placement_hours=ks4_placement,
        total_hours=total,
        ks3_employers=len(employers["ks3"]),
        ks4_employers=len(employers["ks4"]),
        ks3_sectors=len(sectors["ks3"]),
        ks4_sectors=len(sectors["ks4"]),
        tiers=tuple(sorted(tiers)),
        ks3_tiers=tuple(sorted(stage_tiers["ks3"])),
        ks4_tiers=tuple(sorted(stage_tiers["ks4"])),
        ks3_expected_days=half_up(5 * stage_fraction(pupil.cohort, as_at, 0, 3), 2),
        ks4_expected_days=half_up(5 * stage_fraction(pupil.cohort, as_at, 3, 2), 2),
        ks3_week_met=ks3_met,
        ks4_week_met=ks4_met,
        ten_days_met=ks3_met and ks4_met,
        behind=behind,
    )


def days(hours: Decimal) -> Decimal:
    return Decimal(hours) / HOURS_PER_DAY


def why_not_counted(world: World, p: Participation) -> list[str]:
    """The timeline's plain-language reasons, in the platform's words."""
    experience = world.by_id("experiences")[p.experience]
    criteria = world.hub_of_pupil(world.by_id("pupils")[p.pupil]).meaningful_criteria
    reasons = []
    if experience.setting == "in_school":
        reasons.append("done in school: a valuable encounter, but it counts zero days")
    met = set(experience.meets) | ({"M6"} if p.employer_feedback else set())
    met |= {"M7"} if p.reflected else set()
    missing = sorted(criteria - met)
    if missing:
        reasons.append(f"not meaningful: does not meet {', '.join(missing)}")
    if p.hours_attended <= 0:
        reasons.append("absent")
    return reasons


def timeline(world: World, pupil: Pupil) -> list[dict]:
    """Every participation of the pupil (any date), oldest first, with the names of the
    experience's employers whichever hubs they partner (a moved pupil's history)."""
    experiences = world.by_id("experiences")
    employers = world.by_id("employers")
    criteria = world.hub_of_pupil(pupil).meaningful_criteria
    rows = sorted(
        world.participations_of(pupil.id), key=lambda p: (experiences[p.experience].start, p.id)
    )
    return [
        {
            "title": experiences[p.experience].title,
            "year_group": year_group(pupil.cohort, experiences[p.experience].start),
            "employers": sorted(employers[e].name for e in experiences[p.experience].employers),
            "hours": p.hours_attended,
            "counted": counts(world, p, criteria),
            "reasons": [] if counts(world, p, criteria) else why_not_counted(world, p),
        }
        for p in rows
    ]


# -- Per school


def pupils_of_school(world: World, school_id: int) -> list[Pupil]:
    """The school's current pupils. Leavers included: today a pupil recorded as left
    still counts in every figure of their school, hub and nation (issue 13 will decide)."""
    return [p for p in world.pupils if p.school == school_id]


def _tally(progress: list[PupilProgress]) -> dict:
    fsm = [p for p in progress if p.pupil.fsm]
    send = [p for p in progress if p.pupil.send != "N"]
    return {
        "pupils": len(progress),
        "behind": sum(p.behind for p in progress),
        "fsm": len(fsm),
        "fsm_behind": sum(p.behind for p in fsm),
        "send": len(send),
        "send_behind": sum(p.behind for p in send),
        "ks3_met": sum(p.ks3_week_met for p in progress),
        "ks4_met": sum(p.ks4_week_met for p in progress),
        "y9": sum(p.year_group == 9 for p in progress),
        "y9_ks3_met": sum(p.year_group == 9 and p.ks3_week_met for p in progress),
        "y11": sum(p.year_group == 11 for p in progress),
        "y11_ks4_met": sum(p.year_group == 11 and p.ks4_week_met for p in progress),
    }


def compass(world: World, pupils: list[Pupil], as_at: date) -> list[dict]:
    """Q1-Q4: Year 9 (KS3 week) and Year 11 (KS4 week), all pupils then FSM pupils."""
    progress = [pupil_progress(world, p, as_at) for p in pupils]
    y9 = [p for p in progress if p.year_group == 9]
    y11 = [p for p in progress if p.year_group == 11]
    answers = []
    for code, population, met in (
        ("Q1", y9, "ks3_week_met"),
        ("Q2", [p for p in y9 if p.pupil.fsm], "ks3_week_met"),
        ("Q3", y11, "ks4_week_met"),
        ("Q4", [p for p in y11 if p.pupil.fsm], "ks4_week_met"),
    ):
        numerator = sum(getattr(p, met) for p in population)
        answers.append(
            {
                "code": code,
                "band": band(numerator, len(population)),
                "numerator": numerator,
                "denominator": len(population),
                "percent": percent(numerator, len(population)),
            }
        )
    return answers


def experience_mix(world: World, participations: list[Participation], criteria, as_at) -> dict:
    """Participations attended this academic year up to `as_at`; each counted once."""
    experiences = world.by_id("experiences")
    year_start = date(academic_year(as_at), 9, 1)
    window = [
        p
        for p in participations
        if year_start <= experiences[p.experience].start <= as_at and p.hours_attended > 0
    ]
    meaningful = sum(counts(world, p, criteria) for p in window)
    all_seven = sum(counts(world, p, ALL_SEVEN) for p in window)
    reflected = sum(p.reflected for p in window)
    return {
        "participations": len(window),
        "meaningful": meaningful,
        "all_seven": all_seven,
        "reflected": reflected,
        "t1": sum(experiences[p.experience].tier == 1 for p in window),
        "t2": sum(experiences[p.experience].tier == 2 for p in window),
        "t3": sum(experiences[p.experience].tier == 3 for p in window),
        "employers": len({e for p in window for e in experiences[p.experience].employers}),
        "sectors": len({s for p in window for s in experiences[p.experience].sectors}),
        "meaningful_pct": percent(meaningful, len(window)),
        "all_seven_pct": percent(all_seven, len(window)),
        "reflected_pct": percent(reflected, len(window)),
    }


def participations_of_school(world: World, school_id: int) -> list[Participation]:
    """A school's participations are its current pupils' (history moves with a pupil)."""
    pupils = {p.id for p in pupils_of_school(world, school_id)}
    return [p for p in world.participations if p.pupil in pupils]


def school_summary(world: World, school_id: int, as_at: date) -> dict:
    """The school Benchmark 6 report (kind school_b6): Years 7-11."""
    school = world.by_id("schools")[school_id]
    hub = world.by_id("hubs")[school.hub]
    pupils = pupils_of_school(world, school_id)
    progress = [pupil_progress(world, p, as_at) for p in pupils]
    years = []
    for year in range(7, 12):
        tally = _tally([p for p in progress if p.year_group == year])
        years.append(
            {
                "year_group": year,
                "pupils": tally["pupils"],
                "on_track": tally["pupils"] - tally["behind"],
                "behind": tally["behind"],
                "on_track_pct": percent(tally["pupils"] - tally["behind"], tally["pupils"]),
                "ks3_met": tally["ks3_met"],
                "ks4_met": tally["ks4_met"],
                "fsm_gap": gap(tally["fsm"], tally["fsm_behind"], tally["pupils"], tally["behind"]),
            }
        )
    t = _tally([p for p in progress if 7 <= p.year_group <= 11])  # the headline: Years 7-11
    return {
        "school": {"id": school.id, "name": school.name, "urn": school.urn},
        "as_at": as_at,
        "headline": {
            "pupils": t["pupils"],
            "on_track_pct": percent(t["pupils"] - t["behind"], t["pupils"]),
            "fsm_gap": gap(t["fsm"], t["fsm_behind"], t["pupils"], t["behind"]),
            "send_gap": gap(t["send"], t["send_behind"], t["pupils"], t["behind"]),
        },
        "compass": compass(world, pupils, as_at),
        "years": years,
        "experiences": experience_mix(
            world, participations_of_school(world, school_id), hub.meaningful_criteria, as_at
        ),
        "skills": school_self_rated_skills(world, school_id, as_at),
        "programme": school_programme(world, school_id, as_at),
    }


def days_per_pupil(hours, pupils: int) -> Decimal | None:
    """Hours shared among pupils, in days, rounded half up to two places; None for nobody."""
    return half_up(Fraction(hours) / (pupils * HOURS_PER_DAY), 2) if pupils else None


def in_audience(world: World, activity: PlannedActivity, pupil: Pupil, as_at: date) -> bool:
    """Whether a pupil of the plan's cohort is one of those the activity is for."""
    return {
        "whole_year": lambda: True,
        # A leaver is in no registration group (pseudonymising empties it).
        "groups": lambda: pupil.left_on is None and pupil.registration_group in activity.groups,
        "disadvantaged": lambda: pupil.disadvantaged,
        "fsm": lambda: pupil.fsm,
        "send": lambda: pupil.send != "N",
        "behind": lambda: pupil_progress(world, pupil, as_at).behind,
    }[activity.audience]()


def school_programme(world: World, school_id: int, as_at: date) -> dict:
    """The school report's programme page. For each of Years 7-11 the school's published
    plan of the cohort then in it (a draft is no plan) and the plan's activities of that
    year: how many, how many delivered (an experience logged against it started on or
    before the reading), and per pupil of the cohort (the report's year rows' pupils:
    current pupils, leavers included) the days planned (each activity counting toward the
    ten days, by its setting, times the pupils it is for: in_audience) and delivered (hours the
    cohort's pupils attended, not absent, in experiences logged against those activities
    by the reading). Objectives: the distinct ones of any activity of those plans, and of
    the delivered ones, out of the framework's."""
    experiences = world.by_id("experiences")
    delivered = {
        x.planned_activity
        for x in world.experiences
        if x.planned_activity is not None and x.start <= as_at
    }
    pupils = pupils_of_school(world, school_id)
    years, plans = [], []
    for year in range(7, 12):
        cohort = academic_year(as_at) - (year - 7)
        plan = next(
            (
                p
                for p in world.plans
                if p.school == school_id and p.cohort == cohort and p.status == "published"
            ),
            None,
        )
        row = {
            "year_group": year,
            "cohort": cohort,
            "plan": None,
            "pupils": sum(p.cohort == cohort for p in pupils),
            "activities_planned": 0,
            "activities_delivered": 0,
            "planned_days_per_pupil": None,
            "delivered_days_per_pupil": None,
        }
        years.append(row)
        if plan is None:
            continue
        plans.append(plan.id)
        cohort_pupils = [p for p in pupils if p.cohort == cohort]
        mine = [a for a in world.activities if a.plan == plan.id and a.year_group == year]
        ids = {a.id for a in mine}
        planned = sum(
            a.expected_hours * sum(in_audience(world, a, p, as_at) for p in cohort_pupils)
            for a in mine
            if a.setting in COUNTING_SETTINGS
        )
        attended = sum(
            part.hours_attended
            for p in cohort_pupils
            for part in world.participations_of(p.id)
            if not part.absent
            and experiences[part.experience].planned_activity in ids
            and experiences[part.experience].start <= as_at
        )
        row.update(
            plan=plan.title,
            activities_planned=len(mine),
            activities_delivered=len(ids & delivered),
            planned_days_per_pupil=days_per_pupil(planned, len(cohort_pupils)),
            delivered_days_per_pupil=days_per_pupil(attended, len(cohort_pupils)),
        )
    covered = [a for a in world.activities if a.plan in plans]
    return {
        "years": years,
        "objectives_total": len(OBJECTIVES),
        "objectives_planned": len({o for a in covered for o in a.objectives}),
        "objectives_delivered": len(
            {o for a in covered if a.id in delivered for o in a.objectives}
        ),
    }


def self_rated_change(world: World, pupils, as_at: date) -> list[dict]:
    """Per skill, in SKILLS order: the pupils' pairs of own ratings (before and after the
    same experience, both given on or before `as_at`), the average change in steps rounded
    half up to one place, and how many pairs went up."""
    ids = {p.id for p in pupils}
    steps: dict[tuple, dict[str, int]] = {}
    for r in sorted(world.self_ratings, key=lambda r: r.id):
        if r.pupil in ids and r.rated_on <= as_at:
            steps.setdefault((r.pupil, r.experience, r.skill), {})[r.moment] = r.step
    rows = []
    for skill, name in enumerate(SKILLS):
        changes = [
            s["after"] - s["before"]
            for (_, _, k), s in steps.items()
            if k == skill and "before" in s and "after" in s
        ]
        rows.append(
            {
                "skill": name,
                "pairs": len(changes),
                "average_change": half_up(Fraction(sum(changes), len(changes)), 1)
                if changes
                else None,
                "improved": sum(c > 0 for c in changes),
            }
        )
    return rows


def school_self_rated_skills(world: World, school_id: int, as_at: date) -> dict:
    """The school report's self-rated change per skill, for each of Years 7-11."""
    pupils = pupils_of_school(world, school_id)
    columns = [
        self_rated_change(
            world, [p for p in pupils if p.cohort == academic_year(as_at) - (year - 7)], as_at
        )
        for year in range(7, 12)
    ]
    return {
        "years": list(range(7, 12)),
        "rows": [
            {"skill": name, "by_year": [column[n] for column in columns]}
            for n, name in enumerate(SKILLS)
        ],
    }


def hub_self_rated_skills(world: World, hub_id: int, as_at: date) -> list[dict]:
    """The hub home's self-rated change per skill across the hub's schools."""
    schools = {s.id for s in world.schools if s.hub == hub_id}
    return self_rated_change(world, [p for p in world.pupils if p.school in schools], as_at)


def school_year_table(world: World, school_id: int, as_at: date) -> list[dict]:
    """The school summary page's table: Years 7-11 always, 12-13 when it has such pupils;
    FSM and other pupils' on-track shares as whole percentages."""
    progress = [pupil_progress(world, p, as_at) for p in pupils_of_school(world, school_id)]
    rows = []
    for year in range(7, 14):
        group = [p for p in progress if p.year_group == year]
        if not group and year > 11:
            continue
        t = _tally(group)
        others, others_behind = t["pupils"] - t["fsm"], t["behind"] - t["fsm_behind"]
        rows.append(
            {
                "year_group": year,
                "pupils": t["pupils"],
                "on_track": t["pupils"] - t["behind"],
                "behind": t["behind"],
                "ks3_met": t["ks3_met"],
                "ks4_met": t["ks4_met"],
                "fsm_on_track_pct": percent(t["fsm"] - t["fsm_behind"], t["fsm"], 0),
                "others_on_track_pct": percent(others - others_behind, others, 0),
            }
        )
    return rows


def cohort_rows(world: World, school_id: int, year: int, as_at: date) -> list[dict]:
    """A year group's pupils, disadvantaged-and-behind first, then behind, then the rest."""
    cohort = academic_year(as_at) - (year - 7)
    progress = [
        pupil_progress(world, p, as_at)
        for p in pupils_of_school(world, school_id)
        if p.cohort == cohort
    ]

    def priority(p: PupilProgress):
        rank = 0 if p.behind and p.pupil.disadvantaged else 1 if p.behind else 2
        return (rank, p.pupil.surname, p.pupil.first_name, p.pupil.id)

    return [
        {
            "upn": p.pupil.upn,
            "first_name": p.pupil.first_name,
            "surname": p.pupil.surname,
            "fsm": p.pupil.fsm,
            "disadvantaged": p.pupil.disadvantaged,
            "send": p.pupil.send,
            "ks3_days": days(p.ks3_hours),
            "ks3_employers": p.ks3_employers,
            "ks4_placement_days": days(p.ks4_placement_hours),
            "total_days": days(p.total_hours),
            "ks3_week_met": p.ks3_week_met,
            "ks4_week_met": p.ks4_week_met,
            "behind": p.behind,
        }
        for p in sorted(progress, key=priority)
    ]


def pupil_record(world: World, pupil: Pupil, as_at: date) -> dict:
    progress = pupil_progress(world, pupil, as_at)
    experiences = world.by_id("experiences")
    employers = world.by_id("employers")
    criteria = world.hub_of_pupil(pupil).meaningful_criteria
    entries = sorted(
        (p for p in world.participations_of(pupil.id) if experiences[p.experience].start <= as_at),
        key=lambda p: (experiences[p.experience].start, p.id),
    )
    return {
        "totals": {
            "ks3_days": days(progress.ks3_hours),
            "ks4_placement_days": days(progress.ks4_placement_hours),
            "total_days": days(progress.total_hours),
            "ten_days_met": progress.ten_days_met,
        },
        "experiences": [
            {
                "date": experiences[p.experience].start,
                "title": experiences[p.experience].title,
                "tier": f"T{experiences[p.experience].tier}",
                "employers": ", ".join(
                    sorted(employers[e].name for e in experiences[p.experience].employers)
                ),
                "days": days(p.hours_attended),
                "counted": counts(world, p, criteria),
            }
            for p in entries
        ],
    }


# -- Per hub


def _places(world: World, hub: Hub, as_at: date) -> dict:
    """Opportunities offered to the hub starting this academic year (drafts excluded), their
    capacity, and the hub's pupils holding a place on them (offered or accepted)."""
    year = academic_year(as_at)
    offered = [
        o
        for o in world.opportunities
        if hub.id in o.visible_to_hubs and o.status != "draft" and academic_year(o.start) == year
    ]
    ids = {o.id for o in offered}
    pupils = world.by_id("pupils")
    filled = sum(
        n.opportunity in ids
        and n.status in HOLDS_A_PLACE
        and world.hub_of_pupil(pupils[n.pupil]).id == hub.id
        for n in world.nominations
    )
    places = sum(o.capacity for o in offered)
    return {
        "opportunities": len(offered),
        "places_offered": places,
        "places_filled": filled,
        "filled_pct": percent(filled, places),
    }


def _shares(agg: dict) -> dict:
    return {
        **agg,
        "on_track_pct": percent(agg["pupils"] - agg["behind"], agg["pupils"]),
        "ks3_met_pct": percent(agg["y9_ks3_met"], agg["y9"]),
        "ks4_met_pct": percent(agg["y11_ks4_met"], agg["y11"]),
    }


BUCKET_FIELDS = ("pupils", "behind", "y9", "y9_ks3_met", "y11", "y11_ks4_met")


def hub_summary(world: World, hub_id: int, as_at: date) -> dict:
    """The hub dashboard (kind hub_dashboard): pupils of Years 7-11 in the hub's schools."""
    hub = world.by_id("hubs")[hub_id]
    schools = sorted((s for s in world.schools if s.hub == hub_id), key=lambda s: (s.name, s.id))
    sectors = world.by_id("sectors")
    experiences = world.by_id("experiences")

    def tally_of(pupils, day):
        progress = [pupil_progress(world, p, day) for p in pupils]
        return _tally([p for p in progress if 7 <= p.year_group <= 11])

    tallies = {s.id: tally_of(pupils_of_school(world, s.id), as_at) for s in schools}
    ranked = sorted(schools, key=lambda s: (s.fsm_percent, s.name, s.id))
    quartile = {s.id: 1 + (4 * i) // len(ranked) for i, s in enumerate(ranked)}
    rows, by_type, by_quartile = [], {}, {}
    for s in schools:
        t = tallies[s.id]
        rows.append(
            {
                "id": s.id,
                "name": s.name,
                "type": SCHOOL_TYPE_NAMES[s.type],
                "fsm_percent": s.fsm_percent,
                "pupils": t["pupils"],
                "on_track_pct": percent(t["pupils"] - t["behind"], t["pupils"]),
                "ks3_met_pct": percent(t["y9_ks3_met"], t["y9"]),
                "ks4_met_pct": percent(t["y11_ks4_met"], t["y11"]),
                "q1_band": band(t["y9_ks3_met"], t["y9"]),
                "q3_band": band(t["y11_ks4_met"], t["y11"]),
                "fsm_gap": gap(t["fsm"], t["fsm_behind"], t["pupils"], t["behind"]),
                "send_gap": gap(t["send"], t["send_behind"], t["pupils"], t["behind"]),
            }
        )
        for bucket, key in (
            (by_type, SCHOOL_TYPE_NAMES[s.type]),
            (by_quartile, f"Q{quartile[s.id]}"),
        ):
            agg = bucket.setdefault(key, {"schools": 0, **dict.fromkeys(BUCKET_FIELDS, 0)})
            agg["schools"] += 1
            for name in BUCKET_FIELDS:
                agg[name] += t[name]
    hub_pupils = [p for p in world.pupils if world.hub_of_pupil(p).id == hub_id]
    total = tally_of(hub_pupils, as_at)
    trend = []
    year = academic_year(as_at)
    for reading in (date(year, 12, 31), date(year + 1, 3, 31), date(year + 1, 7, 31)):
        if reading <= as_at:
            t = tally_of(hub_pupils, reading)
            trend.append(
                {
                    "date": reading,
                    "on_track_pct": percent(t["pupils"] - t["behind"], t["pupils"]),
                    "q1_pct": percent(t["y9_ks3_met"], t["y9"]),
                    "q3_pct": percent(t["y11_ks4_met"], t["y11"]),
                }
            )
    hub_participations = [
        p
        for p in world.participations
        if world.hub_of_pupil(world.by_id("pupils")[p.pupil]).id == hub_id
    ]
    year_start = date(year, 9, 1)
    # Engaged this year: experiences the hub's pupils attended (absent pupils engage nobody).
    attended = [
        experiences[p.experience]
        for p in hub_participations
        if year_start <= experiences[p.experience].start <= as_at and p.hours_attended > 0
    ]
    covered = {sectors[s].name for e in attended for s in e.sectors}
    growth = {sectors[s].name for s in hub.growth_sectors}
    employers = world.by_id("employers")
    # "Employers engaged of partners": the hub's partners among the employers of those
    # experiences. A pupil who moved in from another hub met employers that may partner
    # only the old hub: they count in the mix's distinct employers, not here.
    engaged = {e for x in attended for e in x.employers if hub_id in employers[e].hubs}
    sme = sum(employers[e].size_band in SME_BANDS for e in engaged)
    return {
        "hub": {"id": hub.id, "name": hub.name, "region": hub.region},
        "as_at": as_at,
        "totals": {
            "schools": len(schools),
            "pupils": total["pupils"],
            "on_track_pct": percent(total["pupils"] - total["behind"], total["pupils"]),
            "ks3_met_pct": percent(total["y9_ks3_met"], total["y9"]),
            "ks4_met_pct": percent(total["y11_ks4_met"], total["y11"]),
            "fsm_gap": gap(total["fsm"], total["fsm_behind"], total["pupils"], total["behind"]),
            "send_gap": gap(total["send"], total["send_behind"], total["pupils"], total["behind"]),
        },
        "schools": rows,
        "by_type": {k: _shares(v) for k, v in sorted(by_type.items())},
        "by_fsm_quartile": {k: _shares(v) for k, v in sorted(by_quartile.items())},
        "sectors": {
            "growth": sorted(growth),
            "covered": sorted(covered),
            "growth_covered": sorted(growth & covered),
        },
        "employers": {
            "partners": sum(hub_id in e.hubs for e in world.employers),
            "engaged": len(engaged),
            "sme": sme,
            "sme_pct": percent(sme, len(engaged)),
            **_places(world, hub, as_at),
        },
        "experiences": experience_mix(world, hub_participations, hub.meaningful_criteria, as_at),
        "trend": trend,
    }


def national(world: World, as_at: date) -> list[dict]:
    """Each hub's totals (from its dashboard as at `as_at`), hubs by name. England's view
    publishes the FSM gap; the SEND gap is the hub's own (its home and dashboard)."""
    return [
        {
            "name": h.name,
            "region": h.region,
            "totals": {
                k: v
                for k, v in hub_summary(world, h.id, as_at)["totals"].items()
                if k != "send_gap"
            },
        }
        for h in sorted(world.hubs, key=lambda h: h.name)
    ]

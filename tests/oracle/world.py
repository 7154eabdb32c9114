"""A seeded generator of messy, realistic plain worlds (no Django).

Two hubs with different counting rules; schools of every type and FSM share; pupils of
Years 7-13 with FSM/SEND/disadvantaged flags; experiences of every kind and setting with
zero to four employers and sectors, partial criteria, absences and part attendance, virtual
time beyond the cap, dates on 31 August and 1 September; pupils who moved school with their
history, within a hub and across hubs (the old employers need not partner the new hub);
leavers (recorded as left, still in every figure today: issue 13 decides how they appear);
opportunities and nominations; programme plans (published, draft, hub templates) with
activities of every audience and experiences logged against them; an "as at" in the past.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from . import model as m

KINDS = (
    "workplace_visit",
    "virtual_experience",
    "work_shadowing",
    "placement",
    "insight_day",
    "employer_project",
    "mock_interview",
    "other",
)
SETTINGS = ("workplace", "virtual", "community", "in_school")
SCHOOL_TYPES = tuple(m.SCHOOL_TYPE_NAMES)
SIZE_BANDS = ("micro", "small", "medium", "large")
SECTOR_NAMES = (
    "Oracle Construction",
    "Oracle Creative",
    "Oracle Digital",
    "Oracle Energy",
    "Oracle Health",
    "Oracle Hospitality",
    "Oracle Manufacturing",
    "Oracle Public services",
)
SURNAMES = ("Ahmed", "Brown", "Clarke", "Davies", "Evans", "Khan", "Patel", "Smith", "Taylor")
FIRST_NAMES = ("Amelia", "Ava", "Isla", "Jack", "Leo", "Muhammad", "Noah", "Olivia", "Zara")
SECTORS = range(1, len(SECTOR_NAMES) + 1)
PLACEMENT_HOURS = (Decimal(25), Decimal(15), Decimal(10), Decimal(5))
CRITERIA_CHOICES = (
    frozenset({"M1", "M2", "M3", "M4", "M5"}),
    frozenset({"M1", "M2", "M3", "M4", "M5", "M6", "M7"}),
    frozenset({"M1", "M2", "M3", "M6"}),
    frozenset({"M1", "M2", "M3", "M7"}),
)
CAPS = (Decimal("0"), Decimal("1.5"), Decimal("2.5"), Decimal("3.0"), Decimal("5.0"))


def _as_at(rng: random.Random) -> date:
    """A past reading: a formal Compass date, an academic-year boundary, or any day."""
    year = rng.choice((2023, 2024, 2025))
    return rng.choice(
        (
            date(year, 12, 31),
            date(year + 1, 3, 31),
            date(year + 1, 7, 31),
            date(year + 1, 8, 31),
            date(year, 9, 1),
            # 12 September: a Year 7's exact share is 0.2509 hours, above 0.25 (rounded).
            date(year, 9, 12),
            date(year, 9, 1) + timedelta(days=rng.randrange(365)),
        )
    )


def _hours(rng: random.Random) -> Decimal:
    """Durations to the quarter hour: days, half days, odd hours, long virtual courses."""
    return rng.choice(
        (
            Decimal("5"),
            Decimal("2.5"),
            Decimal("7.5"),
            Decimal("10"),
            Decimal("12.5"),
            Decimal("25"),
            Decimal("3.25"),
            Decimal("0.25"),
            Decimal("15"),
            Decimal("1.75"),
        )
    )


def _experience_date(rng: random.Random, cohort: int, as_at: date) -> date:
    """A day in the pupil's school life up to a little after `as_at`, often a boundary."""
    year = rng.randrange(cohort, max(cohort, m.academic_year(as_at)) + 1)
    choice = rng.random()
    if choice < 0.12:
        return date(year + 1, 8, 31)  # last day of the academic year
    if choice < 0.24:
        return date(year, 9, 1)  # first day of the next one
    if choice < 0.3:
        return as_at + timedelta(days=rng.choice((0, 1, 30)))  # on and after the reading
    return date(year, 9, 1) + timedelta(days=rng.randrange(365))


def generate(seed: int, *, schools_per_hub: int = 2, pupils_per_school: int = 12) -> m.World:
    rng = random.Random(seed)
    as_at = _as_at(rng)
    year = m.academic_year(as_at)
    sectors = tuple(m.Sector(i + 1, name) for i, name in enumerate(SECTOR_NAMES))
    hubs = (
        m.Hub(
            1, f"Oracle hub {seed} A", "North", growth_sectors=frozenset(rng.sample(range(1, 9), 3))
        ),
        m.Hub(
            2,
            f"Oracle hub {seed} B",
            "South",
            meaningful_criteria=rng.choice(CRITERIA_CHOICES),
            ks3_virtual_cap_days=rng.choice(CAPS),
            growth_sectors=frozenset(rng.sample(SECTORS, rng.randrange(0, 5))),
        ),
    )
    schools = []
    for hub in hubs:
        for n in range(schools_per_hub):
            school_id = len(schools) + 1
            schools.append(
                m.School(
                    school_id,
                    hub.id,
                    f"Oracle school {school_id:02d} {rng.choice(SURNAMES)}",
                    f"9{seed % 1000:03d}{school_id:02d}",
                    rng.choice(SCHOOL_TYPES) if n else "mainstream",
                    Decimal(rng.choice((0, 8, 12.5, 22.5, 22.5, 41, 60))).quantize(Decimal("0.01")),
                )
            )
    employers = tuple(
        m.Employer(
            i + 1,
            f"Oracle employer {i + 1:02d}",
            rng.choice(SIZE_BANDS),
            # Each partners its "home" hub and perhaps the other one too.
            frozenset(h.id for h in hubs if h.id == 1 + i % 2 or rng.random() < 0.4),
        )
        for i in range(rng.randrange(8, 13))
    )
    pupils = []
    for school in schools:
        # A school's pupils sit in a few year groups, so each year has several experiences.
        cohorts = rng.sample(range(year - 6, year + 1), rng.randrange(2, 5))
        # Sometimes a whole year group of 16 or 8: shares such as 1/16 = 6.25% are ties.
        size = rng.choice((pupils_per_school, pupils_per_school, 16, 8))
        for _ in range(size):
            pupil_id = len(pupils) + 1
            pupils.append(
                m.Pupil(
                    pupil_id,
                    school.id,
                    rng.choice(cohorts),  # Years 7-13 at the reading
                    upn="",
                    first_name=rng.choice(FIRST_NAMES),
                    surname=rng.choice(SURNAMES),
                    fsm=rng.random() < 0.3,
                    disadvantaged=rng.random() < 0.35,
                    send=rng.choice("NNNNKE"),
                )
            )
    partners = {h.id: [e.id for e in employers if h.id in e.hubs] for h in hubs}
    experiences, participations = [], []
    for school in schools:
        school_pupils = [p for p in pupils if p.school == school.id]
        for _ in range(rng.randrange(10, 22)):
            cohort = rng.choice(school_pupils).cohort
            start = _experience_date(rng, cohort, as_at)
            in_ks4 = 3 <= m.academic_year(start) - cohort <= 4
            kind = "placement" if in_ks4 and rng.random() < 0.5 else rng.choice(KINDS)
            setting = "workplace" if kind == "placement" else rng.choice(SETTINGS)
            if kind == "virtual_experience" and rng.random() < 0.8:
                setting = "virtual"
            hours = (
                _hours(rng)
                if kind != "placement"
                else rng.choice((Decimal(25), Decimal(15), Decimal(10), Decimal(5)))
            )
            if setting == "virtual" and rng.random() < 0.4:
                hours = Decimal(rng.choice((10, 15, 20)))  # beyond most caps
            experience = m.Experience(
                len(experiences) + 1,
                school.id,
                f"Oracle experience {len(experiences) + 1}",
                kind,
                setting,
                rng.choice((1, 1, 2, 3)),
                start,
                start + timedelta(days=rng.choice((0, 0, 1, 4))),
                hours,
                # An experience's employers partner the organising school's hub.
                tuple(rng.sample(partners[school.hub], rng.choice((0, 1, 1, 2, 3, 4)))),
                tuple(rng.sample(SECTORS, rng.choice((0, 1, 2, 3, 4)))),
                frozenset(c for c in ("M1", "M2", "M3", "M4", "M5") if rng.random() < 0.85),
            )
            experiences.append(experience)
            same_year = [p for p in school_pupils if p.cohort == cohort]
            others = [p for p in school_pupils if p.cohort != cohort]
            chosen = set(rng.sample(same_year, max(1, int(len(same_year) * rng.uniform(0.4, 1)))))
            chosen |= set(rng.sample(others, min(len(others), rng.randrange(0, 3))))
            for pupil in sorted(chosen, key=lambda p: p.id):
                roll = rng.random()
                absent = roll < 0.1
                attended = (
                    Decimal(0)
                    if absent
                    else Decimal(int(hours * 2)) / 4  # half the time, to the quarter hour
                    if roll < 0.18
                    else hours
                )
                participations.append(
                    m.Participation(
                        len(participations) + 1,
                        pupil.id,
                        experience.id,
                        attended,
                        absent,
                        employer_feedback=rng.random() < 0.7,
                        reflected=rng.random() < 0.7,
                    )
                )
    # Moves: a few pupils now attend another school of the same hub; their history,
    # organised by the old school, travels with them.
    for index, pupil in enumerate(pupils):
        if rng.random() < 0.08:
            hub = next(s.hub for s in schools if s.id == pupil.school)
            others = [s.id for s in schools if s.hub == hub and s.id != pupil.school]
            pupils[index] = replace(pupil, school=rng.choice(others))
    # From their own stream, so the rest of each seed's world is as it was before.
    _moves_across_hubs_and_leavers(
        random.Random(f"oracle {seed} moves"),
        pupils,
        schools,
        {p.pupil for p in participations},
        as_at,
    )
    pupils = [replace(p, upn=_upn(seed, p.id)) for p in pupils]
    opportunities, nominations = [], []
    for _ in range(rng.randrange(2, 6)):
        opportunities.append(
            m.Opportunity(
                len(opportunities) + 1,
                rng.choice(employers).id,
                date(rng.choice((year - 1, year, year)), 9, 1) + timedelta(days=rng.randrange(365)),
                rng.choice(("draft", "published", "published", "closed")),
                rng.randrange(1, 12),
                frozenset(h.id for h in hubs if rng.random() < 0.6),
            )
        )
    for opportunity in opportunities:
        for pupil in rng.sample(pupils, rng.randrange(0, 5)):
            nominations.append(
                m.Nomination(
                    len(nominations) + 1,
                    opportunity.id,
                    pupil.id,
                    rng.choice(("nominated", "offered", "accepted", "declined", "refused_full")),
                )
            )
    self_ratings = _self_ratings(
        random.Random(f"oracle {seed} self ratings"),
        participations,
        {x.id: x for x in experiences},
        as_at,
    )
    pupils, experiences, plans, activities = _programmes(
        random.Random(f"oracle {seed} programmes"),
        hubs,
        schools,
        pupils,
        experiences,
        participations,
        as_at,
    )
    return m.World(
        self_ratings=self_ratings,
        plans=plans,
        activities=activities,
        hubs=hubs,
        schools=tuple(schools),
        pupils=tuple(pupils),
        employers=employers,
        sectors=sectors,
        experiences=tuple(experiences),
        participations=tuple(participations),
        opportunities=tuple(opportunities),
        nominations=tuple(nominations),
        as_at=as_at,
    )


def _self_ratings(rng: random.Random, participations, experiences, as_at: date) -> tuple:
    """Pupils' own ratings on some of their experiences: a random few skills each, before
    (the day before) and after (up to a month after, some past the reading), often only
    one of the two, absences rated too. One rating per moment: rating again replaces it
    (pupils.services.self_ratings_record), so the store never holds two."""
    ratings = []
    for p in participations:
        if rng.random() >= 0.35:
            continue
        experience = experiences[p.experience]
        for skill in rng.sample(range(8), rng.randrange(1, 9)):
            for moment, day in (
                ("before", experience.start - timedelta(days=1)),
                ("after", experience.end + timedelta(days=rng.randrange(0, 31))),
            ):
                if rng.random() < 0.8:
                    ratings.append(
                        m.SelfRating(
                            len(ratings) + 1,
                            p.pupil,
                            p.experience,
                            skill,
                            moment,
                            rng.randrange(16),
                            day,
                        )
                    )
    return tuple(ratings)


REGISTRATION_GROUPS = ("R1", "R2", "R3", "")
AUDIENCES = ("whole_year", "groups", "disadvantaged", "fsm", "send", "behind")
TERMS = ("autumn", "spring", "summer")


def _programmes(rng: random.Random, hubs, schools, pupils, experiences, participations, as_at):
    """Registration groups for the pupils; each school's plans for its cohorts (Years 7-13
    at the reading and next September's Year 7): published, draft or none, the largest
    year group's always published; a published template per hub; activities of every
    kind, setting and audience (groups nobody is in too), mostly in the year the cohort
    is in at the reading; and experiences logged against activities of their school's
    plans, mostly of their pupils' cohort's plan and the year it was in on the day (pupils
    of other years came along to some), drafts' too, some after the reading, with
    absences and pupils who have since moved school. Returns the pupils and experiences
    again (with their groups and activities), the plans and the activities."""
    pupils = [replace(p, registration_group=rng.choice(REGISTRATION_GROUPS)) for p in pupils]
    year = m.academic_year(as_at)
    plans, activities = [], []

    def add_activities(plan: m.Plan, how_many: int, year_now: int | None) -> None:
        for _ in range(how_many):
            kind = rng.choice(KINDS)
            setting = "workplace" if kind == "placement" else rng.choice(SETTINGS)
            audience = rng.choice(AUDIENCES)
            in_year = year_now is not None and 7 <= year_now <= 11 and rng.random() < 0.7
            activities.append(
                m.PlannedActivity(
                    len(activities) + 1,
                    plan.id,
                    f"Oracle activity {len(activities) + 1}",
                    kind,
                    setting,
                    rng.choice((1, 2, 3)),
                    year_now if in_year else rng.randrange(7, 12),
                    rng.choice(TERMS),
                    _hours(rng),
                    audience,
                    tuple(rng.sample(("R1", "R2", "R3", "R9"), rng.randrange(1, 3)))
                    if audience == "groups"
                    else (),
                    tuple(rng.sample(m.OBJECTIVES, rng.randrange(0, 4))),
                )
            )

    for hub in hubs:
        template = m.Plan(
            len(plans) + 1, hub.id, None, None, f"Oracle template {hub.id}", "published"
        )
        plans.append(template)
        add_activities(template, 3, None)
    for school in schools:
        mine = [p.cohort for p in pupils if p.school == school.id]
        largest = max(set(mine), key=lambda c: (mine.count(c), c)) if mine else None
        for cohort in range(year - 6, year + 2):
            roll = rng.random()
            status = "published" if cohort == largest or roll < 0.5 else "draft"
            if cohort != largest and roll >= 0.75:
                continue
            plan = m.Plan(
                len(plans) + 1,
                school.hub,
                school.id,
                cohort,
                f"Oracle plan {len(plans) + 1} for the {cohort} cohort",
                status,
            )
            plans.append(plan)
            add_activities(plan, rng.randrange(0, 10), 7 + year - cohort)
    plan_of = {p.id: p for p in plans}
    by_school: dict[int, list] = {}
    for a in activities:
        plan = plan_of[a.plan]
        if plan.school is not None:
            by_school.setdefault(plan.school, []).append(a)
    cohort_of = {p.id: p.cohort for p in pupils}
    cohorts: dict[int, set] = {}
    for part in participations:
        cohorts.setdefault(part.experience, set()).add(cohort_of[part.pupil])
    linked = []
    for x in experiences:
        choices = by_school.get(x.school, [])
        if choices and rng.random() < 0.45:
            # Mostly an activity of the year its pupils' cohort was in on the day; pupils
            # of other years came along to some.
            theirs = [a for a in choices if plan_of[a.plan].cohort in cohorts.get(x.id, ())]
            that_year = [
                a for a in theirs if a.year_group == m.year_group(plan_of[a.plan].cohort, x.start)
            ]
            pick = that_year if that_year and rng.random() < 0.8 else theirs or choices
            x = replace(x, planned_activity=rng.choice(pick).id)
        linked.append(x)
    return pupils, linked, tuple(plans), tuple(activities)


def _moves_across_hubs_and_leavers(
    rng: random.Random, pupils: list, schools: list, with_history: set[int], as_at: date
) -> None:
    """In place: a few pupils with history (at least one) move to a school of the other hub,
    taking their participations along (the loader gives them the new school and hub, as a
    release does); a few pupils are recorded as left, on or before the reading."""
    hub_of = {s.id: s.hub for s in schools}
    candidates = [i for i, p in enumerate(pupils) if p.id in with_history]
    for index in rng.sample(candidates, max(1, round(0.06 * len(candidates)))):
        pupil = pupils[index]
        others = [s.id for s in schools if s.hub != hub_of[pupil.school]]
        pupils[index] = replace(pupil, school=rng.choice(others))
    for index, pupil in enumerate(pupils):
        if rng.random() < 0.06:
            pupils[index] = replace(pupil, left_on=as_at - timedelta(days=rng.randrange(0, 400)))


def _upn(seed: int, pupil_id: int) -> str:
    """A valid UPN (the DfE check letter, from python-stdnum) unique to seed and pupil."""
    from stdnum.gb.upn import calc_check_digit

    body = f"999{seed % 10000:04d}{pupil_id // 1000 % 100:02d}{pupil_id % 1000:03d}"
    return calc_check_digit(body) + body


def without(world: m.World, *, pupils=(), experiences=()) -> m.World:
    """The same world less some pupils or experiences (and what hangs on them): for
    shrinking a disagreement to a minimal reproduction."""
    pupils, experiences = set(pupils), set(experiences)
    return replace(
        world,
        pupils=tuple(p for p in world.pupils if p.id not in pupils),
        experiences=tuple(e for e in world.experiences if e.id not in experiences),
        participations=tuple(
            p
            for p in world.participations
            if p.pupil not in pupils and p.experience not in experiences
        ),
        nominations=tuple(n for n in world.nominations if n.pupil not in pupils),
        self_ratings=tuple(
            r
            for r in world.self_ratings
            if r.pupil not in pupils and r.experience not in experiences
        ),
        _index={},
    )


def keep_referenced(world: m.World) -> m.World:
    """Only the rows the remaining participations need, for printing a reproduction."""
    experiences = {p.experience for p in world.participations}
    kept = tuple(e for e in world.experiences if e.id in experiences)
    employers = {e for x in kept for e in x.employers}
    return replace(
        world,
        experiences=kept,
        employers=tuple(e for e in world.employers if e.id in employers),
        _index={},
    )

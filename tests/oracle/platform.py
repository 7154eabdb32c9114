"""Read every figure the platform publishes through its functions (selectors, builders)
for a loaded world, and compare each with the oracle: the cheap surface, run on many seeds.
The pages, API, CSV and PDF are read in `surfaces`."""

from __future__ import annotations

from datetime import date

from access.actor import actor_for_user
from access.context import acting_as

from . import model as m
from .compare import differences
from .load import Loaded

PUPIL_FIGURES = (
    "ks3_in_person_hours",
    "ks3_virtual_hours",
    "ks3_hours",
    "ks4_hours",
    "ks4_placement_hours",
    "total_hours",
    "ks3_employers",
    "ks4_employers",
    "ks3_sectors",
    "ks4_sectors",
    "ks3_week_met",
    "ks4_week_met",
    "ten_days_met",
    "behind",
)


def oracle_pupil(progress: m.PupilProgress) -> dict:
    return {
        **{name: getattr(progress, name) for name in PUPIL_FIGURES},
        "tiers": list(progress.tiers),
    }


def platform_pupils(loaded: Loaded, school_id: int, as_at: date) -> dict[int, dict]:
    """with_progress for a school's pupils, keyed by the plain pupil id."""
    from learners.models import Learner
    from learners.progress import with_progress
    from learners.selectors import rules_for_school

    db_school = loaded.db("schools", school_id)
    actor = actor_for_user(loaded.leaders[school_id])
    with acting_as(actor):
        rules = rules_for_school(actor=actor, school_id=db_school)
        rows = with_progress(
            Learner.objects.filter(school_id=db_school), rules=rules, as_at=as_at, variety=True
        )
        plain = {v: k for k, v in loaded.ids["pupils"].items()}
        return {
            plain[row.pk]: {
                **{name: getattr(row, name) for name in PUPIL_FIGURES},
                "tiers": [t for t in (1, 2, 3) if getattr(row, f"reached_t{t}")],
            }
            for row in rows
        }


def pupil_disagreements(loaded: Loaded, as_at: date) -> list[str]:
    world, found = loaded.world, []
    for school in world.schools:
        actual = platform_pupils(loaded, school.id, as_at)
        for pupil in m.pupils_of_school(world, school.id):
            expected = oracle_pupil(m.pupil_progress(world, pupil, as_at))
            found += differences(expected, actual.get(pupil.id, {}), f"pupil {pupil.id}")
    return found


def timeline_disagreements(loaded: Loaded, pupils=None) -> list[str]:
    from learners.models import Learner
    from learners.progress import why_not_counted
    from learners.selectors import pupil_timeline, rules_for_school

    world, found = loaded.world, []
    for pupil in pupils or world.pupils:
        actor = actor_for_user(loaded.leaders[pupil.school])
        with acting_as(actor):
            row = Learner.objects.get(pk=loaded.db("pupils", pupil.id))
            rules = rules_for_school(actor=actor, school_id=row.school_id)
            actual = [
                {
                    "title": e.experience.title,
                    "year_group": 7 + e.offset,
                    "employers": sorted(x.name for x in e.experience.employers.all()),
                    "hours": e.hours_attended,
                    "counted": e.counts,
                    "reasons": [] if e.counts else why_not_counted(e, rules),
                }
                for e in pupil_timeline(actor=actor, pupil=row, rules=rules)
            ]
        found += differences(m.timeline(world, pupil), actual, f"timeline {pupil.id}")
    return found


def years_to_check(world: m.World, school_id: int, as_at: date, thorough: bool) -> list[int]:
    """Every year group (thorough), or those with pupils plus one without (cheaper)."""
    present = sorted({m.year_group(p.cohort, as_at) for p in m.pupils_of_school(world, school_id)})
    present = [y for y in present if 7 <= y <= 13]
    if thorough:
        return list(range(7, 14))
    return present + [y for y in range(7, 14) if y not in present][:1]


def moved_hub(world: m.World, pupil: m.Pupil) -> bool:
    """Has the pupil history from a school of another hub (a move across hubs)?"""
    experiences = world.by_id("experiences")
    hub = world.hub_of_pupil(pupil).id
    return any(
        world.hub_of_school(experiences[p.experience].school).id != hub
        for p in world.participations_of(pupil.id)
    )


def pupils_to_check(world: m.World, thorough: bool, how_many: int = 6) -> list[m.Pupil]:
    """Every pupil (thorough), or those with the longest histories and those who moved
    across hubs (cheaper)."""
    if thorough:
        return list(world.pupils)
    by_history = sorted(world.pupils, key=lambda p: (-len(world.participations_of(p.id)), p.id))
    chosen = by_history[:how_many]
    return chosen + [p for p in by_history[how_many:] if moved_hub(world, p)]


def school_disagreements(loaded: Loaded, as_at: date, thorough: bool = True) -> list[str]:
    from learners.selectors import school_progress_summary
    from reports.builders import cohort_rows, school_summary

    world, found = loaded.world, []
    for school in world.schools:
        db_school = loaded.db("schools", school.id)
        actor = actor_for_user(loaded.leaders[school.id])
        with acting_as(actor):
            built = school_summary(school_id=db_school, as_at=as_at)
            page = school_progress_summary(actor=actor, school_id=db_school, as_at=as_at)
            cohorts = {
                year: cohort_rows(school_id=db_school, year_group=year, as_at=as_at)["rows"]
                for year in years_to_check(world, school.id, as_at, thorough)
            }
        expected = m.school_summary(world, school.id, as_at)
        expected["school"]["id"] = db_school
        found += differences(expected, built, f"school_b6 {school.id}")
        found += differences(
            m.school_year_table(world, school.id, as_at), page["rows"], f"summary {school.id}"
        )
        page_compass = [
            {
                "code": a.code,
                "band": a.band,
                "numerator": a.numerator,
                "denominator": a.denominator,
                "percent": a.percent,
            }
            for a in page["compass"]
        ]
        found += differences(
            m.compass(world, m.pupils_of_school(world, school.id), as_at),
            page_compass,
            f"compass {school.id}",
        )
        for year, rows in cohorts.items():
            found += differences(
                m.cohort_rows(world, school.id, year, as_at), rows, f"cohort {school.id} Y{year}"
            )
    return found


def record_disagreements(loaded: Loaded, as_at: date, pupils=None) -> list[str]:
    from reports.builders import pupil_record

    world, found = loaded.world, []
    for pupil in pupils or world.pupils:
        with acting_as(actor_for_user(loaded.leaders[pupil.school])):
            built = pupil_record(pupil_id=loaded.db("pupils", pupil.id), as_at=as_at)
        found += differences(m.pupil_record(world, pupil, as_at), built, f"record {pupil.id}")
    return found


def hub_disagreements(loaded: Loaded, as_at: date) -> list[str]:
    from reports.builders import hub_summary

    world, found = loaded.world, []
    for hub in world.hubs:
        with acting_as(actor_for_user(loaded.hub_leads[hub.id])):
            built = hub_summary(hub_id=loaded.db("hubs", hub.id), as_at=as_at)
        expected = m.hub_summary(world, hub.id, as_at)
        expected["hub"]["id"] = loaded.db("hubs", hub.id)
        for row in expected["schools"]:
            row["id"] = loaded.db("schools", row["id"])
        found += differences(expected, built, f"hub_dashboard {hub.id}")
    return found


def function_disagreements(
    loaded: Loaded, as_at: date | None = None, *, thorough: bool = True
) -> list[str]:
    """Every figure of the selectors and builders against the oracle, as at the world's
    reading (or another date). Not thorough: every pupil's figures, every school and hub
    summary, but cohort lists of the year groups with pupils and the records and timelines
    of the pupils with the longest histories."""
    as_at = as_at or loaded.world.as_at
    sample = pupils_to_check(loaded.world, thorough)
    return (
        pupil_disagreements(loaded, as_at)
        + school_disagreements(loaded, as_at, thorough)
        + hub_disagreements(loaded, as_at)
        + record_disagreements(loaded, as_at, sample)
        + timeline_disagreements(loaded, sample)
    )

"""Seeds on which the platform once disagreed with the oracle, kept as named regressions,
and the smallest hand-made worlds showing the same faults. Each failed before its fix."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from access.actor import actor_for_user
from access.context import acting_as
from tests.conftest import ensure_reference_data
from tests.oracle import model as m
from tests.oracle import platform
from tests.oracle.load import load
from tests.oracle.world import generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded_seed(request):
    ensure_reference_data()
    return load(generate(request.param))


def _only(found: list[str], *words: str) -> list[str]:
    return [line for line in found if any(word in line for word in words)]


@pytest.mark.parametrize("loaded_seed", [2], indirect=True)
def test_seed_2_counts_each_participation_once_whatever_its_employers_and_sectors(loaded_seed):
    as_at = loaded_seed.world.as_at
    found = platform.school_disagreements(loaded_seed, as_at, thorough=False)
    found += platform.hub_disagreements(loaded_seed, as_at)
    assert _only(found, ".experiences.") == []


# Seeds 32 and 37 showed these faults until the generator's moves across hubs (issue 11)
# changed their worlds; 66 and 46 now have the same ties.
@pytest.mark.parametrize("loaded_seed", [66], indirect=True)
def test_seed_66_rounds_the_meaningful_share_half_up_from_the_exact_fraction(loaded_seed):
    # 9 of 16 participations meaningful: 56.25%, published 56.3 (float round() gives 56.2;
    # seed 32 had 5 of 16, 31.25%).
    found = platform.school_disagreements(loaded_seed, loaded_seed.world.as_at, thorough=False)
    assert _only(found, "_pct", "gap", "percent") == []


@pytest.mark.parametrize("loaded_seed", [46], indirect=True)
def test_seed_46_rounds_the_summary_pages_whole_percentages_half_up(loaded_seed):
    # Five of 8 others on track in a year group: 62.5%, shown 63% (round() gives 62; seed
    # 37 had one of 8, 12.5%).
    found = platform.school_disagreements(loaded_seed, loaded_seed.world.as_at, thorough=False)
    assert _only(found, "on_track_pct") == []


@pytest.mark.parametrize("loaded_seed", [198], indirect=True)
def test_seed_198_on_track_compares_the_exact_pro_rata_share(loaded_seed):
    # As at 12 September a Year 7 with 0.25 hours is behind: the exact share is 0.2509.
    found = platform.pupil_disagreements(loaded_seed, loaded_seed.world.as_at)
    assert _only(found, ".behind") == []


@pytest.mark.parametrize("loaded_seed", [44], indirect=True)
def test_seed_44_counts_employers_engaged_from_attended_participations_only(loaded_seed):
    found = platform.hub_disagreements(loaded_seed, loaded_seed.world.as_at)
    assert _only(found, ".employers.", ".sectors.") == []


# -- The smallest worlds showing the same faults


def _world(experiences, participations, pupils=None, as_at=date(2025, 12, 31), **hub):
    hubs = (m.Hub(1, "Oracle hub tiny A", "North", **hub), m.Hub(2, "Oracle hub tiny B", "South"))
    return m.World(
        hubs=hubs,
        schools=(
            m.School(1, 1, "Oracle tiny school", "990001", "mainstream", Decimal("20")),
            m.School(2, 2, "Oracle tiny school B", "990002", "mainstream", Decimal("20")),
        ),
        pupils=pupils
        or tuple(m.Pupil(n, 1, 2023, f"A99000000{n:04d}"[:13], "Ada", f"Pupil{n}") for n in (1, 2)),
        employers=tuple(
            m.Employer(n, f"Oracle tiny employer {n}", "small", frozenset({1})) for n in (1, 2, 3)
        ),
        sectors=(m.Sector(1, "Oracle Digital"), m.Sector(2, "Oracle Health")),
        experiences=experiences,
        participations=participations,
        as_at=as_at,
    )


def _upn(n: int) -> str:
    from stdnum.gb.upn import calc_check_digit

    body = f"999888{n:06d}"
    return calc_check_digit(body) + body


def _pupils(*cohorts):
    return tuple(
        m.Pupil(n, 1, cohort, _upn(n), "Ada", f"Pupil{n}") for n, cohort in enumerate(cohorts, 1)
    )


def test_two_pupils_at_an_experience_with_three_employers_and_two_sectors_are_two_participations():
    visit = m.Experience(
        1, 1, "Hospital visit", "workplace_visit", "workplace", 1, date(2025, 10, 1),
        date(2025, 10, 1), Decimal(5), (1, 2, 3), (1, 2), frozenset({"M1", "M2", "M3"}),
    )  # fmt: skip
    world = _world(
        (visit,),
        (m.Participation(1, 1, 1, Decimal(5)), m.Participation(2, 2, 1, Decimal(5))),
        pupils=_pupils(2023, 2023),
    )
    loaded = load(world)
    from reports.builders import school_summary

    with acting_as(actor_for_user(loaded.leaders[1])):
        mix = school_summary(school_id=loaded.db("schools", 1), as_at=world.as_at)["experiences"]
    assert (mix["participations"], mix["t1"], mix["employers"], mix["sectors"]) == (2, 2, 3, 2)
    assert mix == {**mix, **m.school_summary(world, 1, world.as_at)["experiences"]}


def test_a_year_7_with_a_quarter_hour_on_12_september_is_behind_the_exact_share():
    taster = m.Experience(
        1, 1, "Taster", "workplace_visit", "workplace", 1, date(2023, 9, 5), date(2023, 9, 5),
        Decimal("0.25"), (1,), (1,), frozenset({"M1", "M2", "M3"}),
    )  # fmt: skip
    world = _world(
        (taster,),
        (m.Participation(1, 1, 1, Decimal("0.25")),),
        pupils=_pupils(2023),
        as_at=date(2023, 9, 12),
    )
    assert m.pupil_progress(world, world.pupils[0], world.as_at).behind  # 0.25 < 0.2509
    assert platform.pupil_disagreements(load(world), world.as_at) == []


def test_a_compass_share_of_1_in_16_is_published_as_the_oracles_6_3_percent():
    from learners.progress import CompassAnswer

    answer = CompassAnswer("Q1", "", numerator=1, denominator=16)
    assert answer.percent == m.percent(1, 16) == Decimal("6.3")  # not 6.2 (half even)


def _moved_from_hub_a_to_hub_b():
    """A pupil now at hub B's school, with a visit organised by hub A's school whose two
    employers partner hub A only (tiny employers 1 and 2)."""
    visit = m.Experience(
        1, 1, "Factory visit", "workplace_visit", "workplace", 1, date(2025, 10, 1),
        date(2025, 10, 1), Decimal(5), (2, 1), (1,), frozenset({"M1", "M2", "M3"}),
    )  # fmt: skip
    pupil = m.Pupil(1, 2, 2023, _upn(1), "Ada", "Mover", left_on=date(2025, 12, 1))
    return _world((visit,), (m.Participation(1, 1, 1, Decimal(5)),), pupils=(pupil,))


def test_a_pupil_who_moved_hub_sees_every_employer_on_their_timeline():
    # The timeline prefetched the experience's employers through the scoped Employer
    # manager: hub B's school saw none of hub A's partners, so the names were missing.
    from learners.models import Learner
    from learners.selectors import pupil_timeline, rules_for_school

    world = _moved_from_hub_a_to_hub_b()
    loaded = load(world)
    actor = actor_for_user(loaded.leaders[2])
    with acting_as(actor):
        pupil = Learner.objects.get(pk=loaded.db("pupils", 1))
        rules = rules_for_school(actor=actor, school_id=pupil.school_id)
        (entry,) = pupil_timeline(actor=actor, pupil=pupil, rules=rules)
        names = [e.name for e in entry.experience.employers.all()]
        from employers.models import Employer

        assert not Employer.objects.filter(pk=loaded.db("employers", 1)).exists()  # scope kept
    assert names == ["Oracle tiny employer 1", "Oracle tiny employer 2"]
    assert platform.timeline_disagreements(loaded) == []


def test_a_pupil_who_moved_hub_has_every_employer_on_their_record_of_experience():
    world = _moved_from_hub_a_to_hub_b()
    loaded = load(world)
    record = m.pupil_record(world, world.pupils[0], world.as_at)
    assert record["experiences"][0]["employers"] == "Oracle tiny employer 1, Oracle tiny employer 2"
    assert platform.record_disagreements(loaded, world.as_at) == []


def test_a_moved_pupils_history_counts_under_the_current_hubs_rules():
    # Hub A (the old hub) asks for all seven criteria; hub B (the pupil's hub now) the
    # default M1-M3: the visit, meeting M1-M3 only, counts, because the current hub's
    # rules count the whole history (DESIGN: hubs choose the rules for their reports).
    world = _moved_from_hub_a_to_hub_b()
    strict = replace(world.hubs[0], meaningful_criteria=m.ALL_SEVEN)
    world = replace(world, hubs=(strict, world.hubs[1]), _index={})
    progress = m.pupil_progress(world, world.pupils[0], world.as_at)
    assert progress.total_hours == Decimal(5) and progress.ks3_employers == 2
    assert platform.pupil_disagreements(load(world), world.as_at) == []


def test_a_leaver_still_counts_in_their_schools_figures_today():
    # Issue 13 will define how leavers appear; until then they count as before.
    world = _moved_from_hub_a_to_hub_b()
    assert world.pupils[0].left_on is not None
    assert m.school_summary(world, 2, world.as_at)["headline"]["pupils"] == 1
    assert m.hub_summary(world, 2, world.as_at)["totals"]["pupils"] == 1
    loaded = load(world)
    assert platform.school_disagreements(loaded, world.as_at) == []
    assert platform.hub_disagreements(loaded, world.as_at) == []

"""The counting rules of DESIGN section 2, with exact expected numbers."""

from datetime import date
from decimal import Decimal

import pytest

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from learners.models import Experience, Learner
from learners.progress import (
    ProgressRules,
    compass_answers,
    compass_band,
    expected_hours,
    grouped_progress,
    with_progress,
)
from learners.services import duration_to_hours, experience_log, participation_update

pytestmark = pytest.mark.django_db

COHORT = 2023  # Year 7 in 2023/24, Year 9 in 2025/26, Year 10 in 2026/27
RULES = ProgressRules()
M123 = ("M1", "M2", "M3")


@pytest.fixture
def leader(world):
    with acting_as(actor_for_user(world.a.users[Role.CAREERS_LEADER])) as actor:
        yield actor


@pytest.fixture
def pupil(world):
    """A Year 7 starter of 2023 with no history yet."""
    from learners.upn import upn_with_check_letter

    with all_tenants_UNSAFE("test"):
        return Learner.objects.create(
            school=world.a.school,
            upn=upn_with_check_letter("888123425050"),
            legal_first_name="Isla",
            surname="Fresh",
            cohort=COHORT,
            fsm=True,
        )


def log(
    actor,
    pupils,
    *,
    on,
    hours,
    setting="workplace",
    kind="workplace_visit",
    employers=(),
    criteria=M123,
    tier=1,
):
    return experience_log(
        actor=actor,
        title="Visit",
        kind=kind,
        setting=setting,
        tier=tier,
        start_date=on,
        duration_hours=Decimal(hours),
        pupil_ids=[p.pk for p in pupils],
        employer_ids=[e.pk for e in employers],
        criteria=criteria,
    )


def progress(pupil, as_at=date(2028, 8, 31), rules=RULES):
    return with_progress(
        Learner.objects.filter(pk=pupil.pk), rules=rules, as_at=as_at, variety=True
    ).get()


def test_durations_are_entered_as_days_half_days_or_hours():
    assert duration_to_hours(1, "days") == Decimal(5)
    assert duration_to_hours(3, "half_days") == Decimal("7.5")
    assert duration_to_hours("1.25", "hours") == Decimal("1.25")


def test_two_half_days_at_two_employers_make_one_day(leader, world, pupil):
    log(leader, [pupil], on=date(2024, 10, 1), hours="2.5", employers=[world.a.employer])
    log(leader, [pupil], on=date(2024, 11, 1), hours="2.5", employers=[world.a.sibling_employer])
    result = progress(pupil)
    assert result.ks3_hours == Decimal(5)
    assert result.ks3_employers == 2
    assert result.ks3_week_met is False


def test_an_employer_project_done_in_school_counts_zero(leader, world, pupil):
    log(
        leader,
        [pupil],
        on=date(2024, 10, 1),
        hours=25,
        setting="in_school",
        kind="employer_project",
        employers=[world.a.employer],
        criteria=("M1", "M2", "M3", "M4", "M5"),
    )
    result = progress(pupil)
    assert (result.ks3_hours, result.total_hours) == (0, 0)
    assert result.reached_t1 == 1  # still recorded as an encounter


def test_an_experience_that_is_not_meaningful_counts_zero(leader, world, pupil):
    log(
        leader,
        [pupil],
        on=date(2024, 10, 1),
        hours=25,
        criteria=("M1", "M2"),
        employers=[world.a.employer],
    )
    assert progress(pupil).ks3_hours == 0


def test_virtual_time_is_capped_at_half_the_ks3_week(leader, world, pupil):
    a, b = world.a.employer, world.a.sibling_employer
    log(leader, [pupil], on=date(2024, 1, 10), hours=20, setting="virtual", employers=[a])
    log(leader, [pupil], on=date(2024, 2, 10), hours=10, employers=[b])
    result = progress(pupil)
    assert result.ks3_virtual_hours == 20
    assert result.ks3_in_person_hours == 10
    assert result.ks3_hours == Decimal("22.5")  # 10 in person + 12.5 of the 20 virtual
    assert result.ks3_week_met is False
    log(leader, [pupil], on=date(2024, 3, 10), hours=5, employers=[b])
    result = progress(pupil)
    assert result.ks3_hours == Decimal("27.5")
    assert result.ks3_week_met is True


def test_a_hub_can_change_the_virtual_cap(leader, world, pupil):
    log(
        leader,
        [pupil],
        on=date(2024, 1, 10),
        hours=20,
        setting="virtual",
        employers=[world.a.employer],
    )
    strict = ProgressRules(ks3_virtual_cap_hours=Decimal(5))
    assert progress(pupil, rules=strict).ks3_hours == 5


def test_a_week_at_one_employer_does_not_meet_the_ks3_variety_rule(leader, world, pupil):
    log(leader, [pupil], on=date(2025, 6, 2), hours=25, employers=[world.a.employer])
    result = progress(pupil)
    assert result.ks3_hours == 25
    assert result.ks3_employers == 1
    assert result.ks3_week_met is False


def test_31_august_of_year_9_is_ks3_and_1_september_is_ks4(leader, world, pupil):
    log(
        leader,
        [pupil],
        on=date(2026, 8, 31),
        hours=5,
        kind="placement",
        employers=[world.a.employer],
    )
    log(
        leader,
        [pupil],
        on=date(2026, 9, 1),
        hours=10,
        kind="placement",
        employers=[world.a.employer],
    )
    result = progress(pupil)
    assert result.ks3_hours == 5
    assert result.ks4_hours == 10
    assert result.ks4_placement_hours == 10


def test_virtual_work_in_ks4_counts_to_the_total_but_not_the_ks4_week(leader, world, pupil):
    # A placement is in person by definition (a virtual one is refused when logged), so
    # virtual KS4 work is logged as a virtual workplace experience.
    log(
        leader,
        [pupil],
        on=date(2026, 10, 5),
        hours=25,
        kind="virtual_experience",
        setting="virtual",
        employers=[world.a.employer],
    )
    result = progress(pupil)
    assert result.ks4_hours == 25
    assert result.ks4_placement_hours == 0
    assert result.total_hours == 25
    assert result.ks4_week_met is False


def test_ten_days_are_met_with_both_weeks(leader, world, pupil):
    a, b = world.a.employer, world.a.sibling_employer
    log(leader, [pupil], on=date(2025, 6, 2), hours=15, employers=[a])
    log(leader, [pupil], on=date(2025, 7, 2), hours=10, employers=[b])
    log(leader, [pupil], on=date(2027, 6, 7), hours=25, kind="placement", employers=[a])
    result = progress(pupil)
    assert (result.ks3_week_met, result.ks4_week_met, result.ten_days_met) == (True, True, True)
    assert result.total_hours == 50


def test_an_absent_pupil_gets_no_days(leader, world, pupil):
    from learners.upn import upn_with_check_letter

    with all_tenants_UNSAFE("test"):
        classmate = Learner.objects.create(
            school=world.a.school,
            upn=upn_with_check_letter("888123425099"),
            legal_first_name="Ava",
            surname="Classmate",
            cohort=COHORT,
        )
    experience = log(
        leader,
        [pupil, classmate],
        on=date(2024, 5, 1),
        hours=5,
        employers=[world.a.employer],
    )
    participation = experience.participations.get(learner=pupil)
    participation_update(actor=leader, participation_id=participation.pk, absent=True)
    assert progress(pupil).ks3_hours == 0
    assert progress(classmate).ks3_hours == 5


def test_part_attendance_counts_only_the_hours_attended(leader, world, pupil):
    experience = log(leader, [pupil], on=date(2024, 5, 1), hours=5, employers=[world.a.employer])
    participation_update(
        actor=leader,
        participation_id=experience.participations.get().pk,
        hours_attended=Decimal("2.5"),
    )
    assert progress(pupil).ks3_hours == Decimal("2.5")


def test_a_stricter_hub_rule_needs_reflection_too(leader, world, pupil):
    experience = log(leader, [pupil], on=date(2024, 5, 1), hours=5, employers=[world.a.employer])
    strict = ProgressRules(meaningful_criteria=("M1", "M2", "M3", "M7"))
    assert progress(pupil, rules=strict).ks3_hours == 0
    participation_update(
        actor=leader,
        participation_id=experience.participations.get().pk,
        reflection_text="I learnt how a kitchen runs.",
    )
    assert progress(pupil, rules=strict).ks3_hours == 5


def test_experiences_after_the_as_at_date_do_not_count(leader, world, pupil):
    log(leader, [pupil], on=date(2024, 5, 1), hours=5, employers=[world.a.employer])
    assert progress(pupil, as_at=date(2024, 4, 30)).ks3_hours == 0
    assert progress(pupil, as_at=date(2024, 5, 1)).ks3_hours == 5


def test_a_pupil_who_moved_school_keeps_their_days(leader, world, pupil):
    log(leader, [pupil], on=date(2024, 5, 1), hours=5, employers=[world.a.employer])
    with all_tenants_UNSAFE("test: the move itself is the import's job"):
        from learners.models import Participation

        Learner.objects.filter(pk=pupil.pk).update(school=world.b.school, hub=world.b.hub)
        Participation.objects.filter(learner=pupil).update(school=world.b.school, hub=world.b.hub)
    with acting_as(actor_for_user(world.b.users[Role.CAREERS_LEADER])):
        assert progress(pupil).ks3_hours == 5
    with acting_as(actor_for_user(world.a.users[Role.CAREERS_LEADER])):
        assert not Learner.objects.filter(pk=pupil.pk).exists()


def test_on_track_is_judged_against_the_pro_rata_share_of_the_stage(leader, world, pupil):
    # Halfway through KS3 (1 Sep 2023 - 31 Aug 2026) a pupil needs about 12.5 hours.
    midpoint = date(2025, 3, 2)
    ks3_expected, _ = expected_hours(COHORT, midpoint)
    assert Decimal("12.4") <= ks3_expected <= Decimal("12.6")
    assert progress(pupil, as_at=midpoint).behind is True
    log(leader, [pupil], on=date(2024, 5, 1), hours=15, employers=[world.a.employer])
    assert progress(pupil, as_at=midpoint).behind is False


def test_distinct_employers_and_sectors_are_counted_per_key_stage(leader, world, pupil):
    from hubs.models import Sector

    sectors = list(Sector.objects.all()[:2])
    for day, employer, sector in (
        (date(2024, 5, 1), world.a.employer, sectors[0]),
        (date(2024, 6, 1), world.a.employer, sectors[1]),
        (date(2026, 10, 1), world.a.sibling_employer, sectors[1]),
    ):
        experience = log(leader, [pupil], on=day, hours=5, employers=[employer])
        experience.sectors.set([sector])
    result = progress(pupil)
    assert (result.ks3_employers, result.ks3_sectors) == (1, 2)
    assert (result.ks4_employers, result.ks4_sectors) == (1, 1)


def test_tiers_reached_are_recorded(leader, world, pupil):
    log(leader, [pupil], on=date(2024, 5, 1), hours=5, tier=1, employers=[world.a.employer])
    log(leader, [pupil], on=date(2025, 5, 1), hours=5, tier=3, employers=[world.a.employer])
    result = progress(pupil)
    assert (result.reached_t1, result.reached_t2, result.reached_t3) == (1, 0, 1)


@pytest.mark.parametrize(
    ("numerator", "denominator", "band"),
    [
        (0, 10, "None"),
        (1, 4, "A few (1-25%)"),  # exactly 25%
        (26, 100, "Some (26-50%)"),  # just over 25%
        (251, 1000, "Some (26-50%)"),
        (9, 10, "Overwhelming majority (76-90%)"),  # exactly 90%
        (99, 100, "Almost All (91-99%)"),  # just under 100%
        (10, 10, "All (100%)"),
        (0, 0, "Don't know"),  # empty population
    ],
)
def test_compass_bands_at_their_edges(numerator, denominator, band):
    assert compass_band(numerator, denominator) == band


def test_compass_answers_count_year_9_and_year_11_as_at_a_date(leader, world, pupil):
    a, b = world.a.employer, world.a.sibling_employer
    # The pupil is in Year 9 in 2025/26; the world's pupils (Year 8 then) are not counted.
    log(leader, [pupil], on=date(2025, 10, 1), hours=15, employers=[a])
    log(leader, [pupil], on=date(2025, 11, 1), hours=10, employers=[b])
    school_pupils = Learner.objects.filter(school=world.a.school)
    answers = {
        a.code: a for a in compass_answers(school_pupils, rules=RULES, as_at=date(2025, 12, 31))
    }
    assert (answers["Q1"].numerator, answers["Q1"].denominator) == (1, 1)
    assert answers["Q1"].band == "All (100%)"
    assert (answers["Q2"].numerator, answers["Q2"].denominator) == (1, 1)  # pupil is FSM
    assert answers["Q3"].band == "Don't know"
    earlier = {
        a.code: a for a in compass_answers(school_pupils, rules=RULES, as_at=date(2025, 10, 31))
    }
    assert earlier["Q1"].band == "None"


def test_experience_rows_keep_the_academic_year_of_their_start(leader, world, pupil):
    experience = log(leader, [pupil], on=date(2026, 8, 31), hours=5, employers=[world.a.employer])
    assert Experience.objects.get(pk=experience.pk).academic_year == 2025


def test_group_totals_agree_whichever_measures_are_asked_for(leader, world, pupil):
    from learners.upn import upn_with_check_letter

    with all_tenants_UNSAFE("test"):
        older = Learner.objects.create(
            school=world.a.school,
            upn=upn_with_check_letter("888123425051"),
            legal_first_name="Noah",
            surname="Older",
            cohort=COHORT - 2,
        )
    a, b = world.a.employer, world.a.sibling_employer
    # 2023/24: the pupil's Year 7 and the older pupil's Year 9; both get a KS3 week.
    log(leader, [pupil, older], on=date(2024, 6, 3), hours=15, employers=[a])
    log(leader, [pupil, older], on=date(2024, 7, 1), hours=10, employers=[b])
    pupils = Learner.objects.filter(pk__in=[pupil.pk, older.pk])
    as_at = date(2026, 6, 30)  # the pupil is in Year 9, the older pupil in Year 11
    (full,) = grouped_progress(pupils, rules=RULES, as_at=as_at, by="school")
    (year_9_only,) = grouped_progress(
        pupils, rules=RULES, as_at=as_at, by="school", measures=("y9", "y9_ks3_met", "y9_fsm")
    )
    assert (full["ks3_met"], full["y9"], full["y9_ks3_met"], full["y11"]) == (2, 1, 1, 1)
    assert year_9_only == {"key": world.a.school.pk, "y9": 1, "y9_ks3_met": 1, "y9_fsm": 1}

from datetime import date

import pytest

from learners.academic import (
    academic_year_label,
    academic_year_of,
    cohort_for,
    key_stage_of,
    year_group_on,
)


def test_the_academic_year_turns_on_1_september():
    assert academic_year_of(date(2026, 8, 31)) == 2025
    assert academic_year_of(date(2026, 9, 1)) == 2026


def test_the_academic_year_is_named_by_its_start():
    assert academic_year_label(2025) == "2025/26"
    assert academic_year_label(2099) == "2099/00"


def test_a_year_9_pupil_on_31_august_is_in_year_10_the_next_day():
    cohort = cohort_for(9, date(2026, 8, 31))
    assert cohort == 2023
    assert year_group_on(cohort, date(2026, 8, 31)) == 9
    assert year_group_on(cohort, date(2026, 9, 1)) == 10


def test_the_cohort_is_the_year_the_pupil_started_year_7():
    assert cohort_for(7, date(2025, 9, 1)) == 2025
    assert cohort_for(11, date(2026, 3, 31)) == 2021


def test_an_import_on_1_september_and_on_31_august_gives_consistent_cohorts():
    # Year 10 on 1 Sep 2026 and Year 9 on 31 Aug 2026 are the same pupils.
    assert cohort_for(10, date(2026, 9, 1)) == cohort_for(9, date(2026, 8, 31))


@pytest.mark.parametrize(
    ("year_group", "stage"),
    [(7, "KS3"), (9, "KS3"), (10, "KS4"), (11, "KS4"), (12, "KS5"), (6, None)],
)
def test_year_groups_map_to_key_stages(year_group, stage):
    assert key_stage_of(year_group) == stage

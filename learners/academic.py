"""Academic years and year groups. Year groups are derived from a cohort, never stored."""

from datetime import date

KEY_STAGES = {"KS3": (7, 8, 9), "KS4": (10, 11), "KS5": (12, 13)}
YEAR_GROUPS = tuple(range(7, 14))


def academic_year_of(day: date) -> int:
    """The academic year (named by its start) containing the day: 1 Sep to 31 Aug."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def year_group_on(cohort: int, day: date) -> int:
    """National Curriculum year of a pupil whose Year 7 began in academic year `cohort`."""
    return 7 + (academic_year_of(day) - cohort)


def cohort_for(year_group: int, day: date) -> int:
    """The cohort of a pupil who is in `year_group` on `day` (as an import states it)."""
    return academic_year_of(day) - (year_group - 7)


def key_stage_of(year_group: int) -> str | None:
    for stage, years in KEY_STAGES.items():
        if year_group in years:
            return stage
    return None

"""The review step's "will it count?" (learners.progress.experience_verdict): the same rule
as the totals (counts_q), stated before an experience is logged."""

from datetime import date
from decimal import Decimal
from itertools import combinations

import pytest

from access.context import all_tenants_UNSAFE
from learners.models import Experience, Participation
from learners.progress import (
    IN_SCHOOL_REASON,
    ProgressRules,
    counts_q,
    duration_in_words,
    experience_verdict,
)

RULES = ProgressRules()
M123 = ("M1", "M2", "M3")
Kind, Setting = Experience.Kind, Experience.Setting


def test_a_meaningful_workplace_visit_counts_with_no_reasons():
    verdict = experience_verdict(
        kind=Kind.WORKPLACE_VISIT, setting=Setting.WORKPLACE, criteria=M123, rules=RULES
    )
    assert verdict.counts is True
    assert verdict.reasons == ()
    assert verdict.waits_for == ()


def test_a_project_done_in_school_does_not_count_and_says_why():
    verdict = experience_verdict(
        kind=Kind.PROJECT, setting=Setting.IN_SCHOOL, criteria=M123, rules=RULES
    )
    assert verdict.counts is False
    assert verdict.reasons == (IN_SCHOOL_REASON,)


def test_missing_criteria_are_named_in_the_hubs_order():
    verdict = experience_verdict(
        kind=Kind.WORKPLACE_VISIT, setting=Setting.WORKPLACE, criteria=("M2",), rules=RULES
    )
    assert verdict.counts is False
    assert verdict.reasons == ("not meaningful: does not meet M1, M3",)


def test_both_reasons_are_given_when_both_apply():
    verdict = experience_verdict(
        kind=Kind.PROJECT, setting=Setting.IN_SCHOOL, criteria=(), rules=RULES
    )
    assert verdict.reasons == (IN_SCHOOL_REASON, "not meaningful: does not meet M1, M2, M3")


def test_a_hub_that_requires_reflection_waits_for_each_pupils_record():
    strict = ProgressRules.of(["M1", "M2", "M3", "M7"], 2.5)
    verdict = experience_verdict(
        kind=Kind.WORKPLACE_VISIT, setting=Setting.WORKPLACE, criteria=M123, rules=strict
    )
    assert verdict.counts is True
    assert verdict.waits_for == ("the pupil reflected (M7)",)


def test_a_non_placement_for_year_10_counts_but_not_toward_the_ks4_week():
    verdict = experience_verdict(
        kind=Kind.INSIGHT_DAY,
        setting=Setting.WORKPLACE,
        criteria=M123,
        rules=RULES,
        year_groups={10},
    )
    assert verdict.counts is True
    assert "not to the KS4 week" in verdict.notes[-1]


def test_a_placement_for_year_10_says_it_counts_toward_the_ks4_placement_week():
    verdict = experience_verdict(
        kind=Kind.PLACEMENT,
        setting=Setting.WORKPLACE,
        criteria=M123,
        rules=RULES,
        year_groups={10, 11},
    )
    assert (verdict.counts, verdict.notes) == (
        True,
        ("For pupils in Years 10-11 it counts toward the KS4 placement week.",),
    )


def test_a_class_across_both_key_stages_is_told_which_week_each_gets():
    verdict = experience_verdict(
        kind=Kind.PLACEMENT,
        setting=Setting.WORKPLACE,
        criteria=M123,
        rules=RULES,
        year_groups={9, 10},
    )
    assert verdict.notes == (
        "For pupils in Years 7-9 it counts toward the KS3 week.",
        "For pupils in Years 10-11 it counts toward the KS4 placement week.",
    )


def test_an_experience_that_does_not_count_names_no_week():
    verdict = experience_verdict(
        kind=Kind.PROJECT, setting=Setting.IN_SCHOOL, criteria=M123, rules=RULES, year_groups={8}
    )
    assert (verdict.counts, verdict.notes) == (False, ())


def test_virtual_time_for_key_stage_3_mentions_the_hubs_cap():
    verdict = experience_verdict(
        kind=Kind.VIRTUAL, setting=Setting.VIRTUAL, criteria=M123, rules=RULES, year_groups={8}
    )
    assert verdict.notes == (
        "For pupils in Years 7-9 it counts toward the KS3 week.",
        "Virtual time counts toward the KS3 week up to 2.5 days (12.5 hours) per pupil.",
    )


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        ("10", "2 days (10 hours)"),
        ("5", "1 day (5 hours)"),
        ("2.5", "half a day (2.5 hours)"),
        ("7.5", "1.5 days (7.5 hours)"),
        ("1", "0.2 days (1 hour)"),
        ("3.25", "0.65 days (3.25 hours)"),
    ],
)
def test_durations_read_as_days_with_hours_in_brackets(hours, words):
    assert duration_in_words(Decimal(hours)) == words


CRITERIA_SETS = [c for n in range(4) for c in combinations(("M1", "M2", "M3", "M4"), n)]


@pytest.mark.django_db
def test_the_verdict_agrees_with_the_rule_the_totals_use(world):
    """Every setting and set of criteria: logged and attended, a participation counts in
    the database exactly when the review said it would."""
    said = {}
    with all_tenants_UNSAFE("test"):
        pupil = world.a.pupil
        for setting in Setting.values:
            for criteria in CRITERIA_SETS:
                experience = Experience.objects.create(
                    hub=world.a.hub,
                    school=world.a.school,
                    title=f"{setting} {criteria}",
                    kind=Kind.WORKPLACE_VISIT,
                    setting=setting,
                    tier=1,
                    start_date=date(2024, 10, 1),
                    end_date=date(2024, 10, 1),
                    duration_hours=Decimal(5),
                    **{f"meets_{c.lower()}": True for c in criteria},
                )
                participation = Participation.objects.create(
                    experience=experience,
                    learner=pupil,
                    hub=world.a.hub,
                    school=world.a.school,
                    hours_attended=Decimal(5),
                )
                verdict = experience_verdict(
                    kind=Kind.WORKPLACE_VISIT, setting=setting, criteria=criteria, rules=RULES
                )
                said[participation.pk] = verdict.counts
        counted = set(
            Participation.objects.filter(counts_q(RULES), pk__in=said).values_list("pk", flat=True)
        )
    assert counted == {pk for pk, counts in said.items() if counts}
    assert counted and len(counted) < len(said)

"""The oracle's own statements of the rules, on cases small enough to check by hand."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from tests.oracle import model as m
from tests.oracle.world import generate


def test_percentages_round_half_away_from_zero_from_the_exact_share():
    assert m.percent(1, 16) == Decimal("6.3")  # 6.25
    assert m.percent(1, 8, places=0) == Decimal("13")  # 12.5
    assert m.percent(0, 0) is None
    assert m.half_up(Fraction(-1, 20), 1) == Decimal("-0.1")


def test_the_gap_is_the_others_share_on_track_minus_the_groups_rounded_once():
    # Group: 1 of 3 on track (33.33...); others: 2 of 3 (66.66...): 33.33... points.
    assert m.gap(3, 2, 6, 3) == Decimal("33.3")
    assert m.gap(0, 0, 5, 1) is None and m.gap(5, 1, 5, 1) is None


def test_compass_bands_include_their_upper_bound():
    assert [m.band(n, 100) for n in (0, 1, 25, 26, 50, 75, 90, 91, 99, 100)] == [
        "None",
        "A few (1-25%)",
        "A few (1-25%)",
        "Some (26-50%)",
        "Some (26-50%)",
        "Most (51-75%)",
        "Overwhelming majority (76-90%)",
        "Almost All (91-99%)",
        "Almost All (91-99%)",
        "All (100%)",
    ]
    assert m.band(0, 0) == "Don't know"


def test_a_key_stage_share_runs_from_1_september_by_days():
    assert m.stage_fraction(2023, date(2023, 8, 31), 0, 3) == 0
    assert m.stage_fraction(2023, date(2023, 9, 12), 0, 3) == Fraction(11, 1096)
    assert m.stage_fraction(2023, date(2026, 9, 1), 0, 3) == 1


def test_the_same_seed_makes_the_same_world_and_another_seed_another():
    assert generate(5) == generate(5)
    assert generate(5) != generate(6)

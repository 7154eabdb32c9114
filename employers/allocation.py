"""The fair order for scarce places, as plain functions (no database): who is offered first
and the words that explain it to the school.

Order: disadvantaged (Pupil Premium) or SEND pupils first; then those furthest behind the
pro-rata share of their current key stage's week; then pupils who asked to try it
themselves (pupils/) or whom the careers leader marked as interested in the opportunity's
sector; ties go to the earlier nomination.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from learners.progress import HOURS_PER_DAY

SEND_WORDS = {"K": "SEN support", "E": "EHC plan"}


@dataclass(frozen=True)
class Candidate:
    nomination_id: int
    disadvantaged: bool
    send: str  # Learner.SEND code: "N", "K" or "E"
    days_behind: Decimal
    interested_in_sector: bool
    nominated_at: datetime
    # The pupil asked to try it themselves (pupils/): weighs as sector interest does.
    pupil_asked: bool = False

    @property
    def prioritised(self) -> bool:
        return self.disadvantaged or self.send in SEND_WORDS


@dataclass(frozen=True)
class Decision:
    candidate: Candidate
    offered: bool
    explanation: str


def days_behind(
    *,
    stage_offset: int,
    ks3_hours: Decimal,
    ks3_expected_hours: Decimal,
    ks4_placement_hours: Decimal,
    ks4_expected_hours: Decimal,
) -> Decimal:
    """Days short of the pro-rata share of the current stage's week (0 if on track), from
    the figures learners.progress.with_progress annotates: the same rule as `behind`."""
    if 0 <= stage_offset <= 2:
        short = ks3_expected_hours - ks3_hours
    elif 3 <= stage_offset <= 4:
        short = ks4_expected_hours - ks4_placement_hours
    else:  # KS5: the ten days are a Years 7-11 guarantee
        short = Decimal(0)
    return (max(short, Decimal(0)) / HOURS_PER_DAY).quantize(Decimal("0.01"))


def allocation_key(candidate: Candidate):
    return (
        not candidate.prioritised,
        -candidate.days_behind,
        not (candidate.interested_in_sector or candidate.pupil_asked),
        candidate.nominated_at,
        candidate.nomination_id,
    )


def allocation_order(candidates) -> list[Candidate]:
    return sorted(candidates, key=allocation_key)


def reasons(candidate: Candidate) -> str:
    """The facts the order used, in words: "Pupil Premium, 3.0 days behind, interested in
    the sector"."""
    words = []
    if candidate.disadvantaged:
        words.append("Pupil Premium")
    if candidate.send in SEND_WORDS:
        words.append(SEND_WORDS[candidate.send])
    if candidate.days_behind > 0:
        words.append(f"{candidate.days_behind:.1f} days behind")
    else:
        words.append("on track")
    if candidate.pupil_asked:
        words.append("asked to try it")
    words.append(
        "interested in the sector"
        if candidate.interested_in_sector
        else "no stated interest in the sector"
    )
    return ", ".join(words)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def allocate(candidates, places: int) -> list[Decision]:
    """Offer `places` places to the first candidates in the fair order; explain each."""
    ordered = allocation_order(candidates)
    places = max(places, 0)
    decisions = []
    for position, candidate in enumerate(ordered, start=1):
        if position <= places:
            decisions.append(Decision(candidate, True, f"Offered: {reasons(candidate)}."))
            continue
        if places == 0:
            why = "no places were left"
        else:
            went = "the place" if places == 1 else f"the {places} places"
            why = (
                f"{_ordinal(position)} of {len(ordered)} in the fair order; "
                f"{went} went to pupils ahead"
            )
        decisions.append(Decision(candidate, False, f"Not offered: {reasons(candidate)}; {why}."))
    return decisions

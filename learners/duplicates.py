"""The likely-duplicate rule for logging an experience.

A careers leader double-clicking, or two colleagues logging the same trip, must not give
every pupil a second day. An experience about to be logged is a likely duplicate of one
already on record when it is the same school's, starts on the same day, has the same kind
or the same title (ignoring case and spaces), and shares at least one pupil.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q, Value
from django.db.models.functions import Lower, Replace

from .models import Experience


@dataclass(frozen=True)
class DuplicateMatch:
    """An experience already on record that the new one looks like, and who logged it."""

    experience_id: int
    title: str
    start_date: date
    logged_by: str  # the colleague's name (or email); "" when nobody is on record
    logged_by_actor: bool
    logged_at: datetime
    from_employer_attendance: bool
    pupils_already_on_it: int  # of the pupils chosen now
    pupils_chosen: int

    @property
    def pupils_missing(self) -> int:
        return self.pupils_chosen - self.pupils_already_on_it

    @property
    def question(self) -> str:
        return duplicate_message(self)


class LikelyDuplicate(ValidationError):
    """Raised by experience_log instead of saving a likely duplicate; carries the matches,
    the most pupils in common first."""

    def __init__(self, matches: list[DuplicateMatch]):
        self.matches = matches
        super().__init__(duplicate_message(matches[0]), code="likely_duplicate")


def duplicate_message(match: DuplicateMatch) -> str:
    """The question in plain words: "Looks like “Jodrell Bank trip” on 3 March 2026 was
    already logged by A. Khan for 28 of these 30 pupils.\""""
    when = f"{match.start_date.day} {match.start_date:%B %Y}"
    if match.from_employer_attendance and not match.logged_by:
        who = "from the employer's confirmed attendance"
    elif match.logged_by_actor:
        who = "by you"
    else:
        who = f"by {match.logged_by or 'a colleague'}"
    return (
        f"Looks like “{match.title}” on {when} was already logged {who} for "
        f"{match.pupils_already_on_it} of these {match.pupils_chosen} "
        f"pupil{'s' * (match.pupils_chosen != 1)}."
    )


def _squashed(title: str) -> str:
    # Mirrors the database side below: lower case, every space removed.
    return title.lower().replace(" ", "")


def likely_duplicates(
    *,
    actor,
    start_date: date,
    kind: str,
    title: str,
    pupil_ids: Iterable[int],
    ignoring: Collection[int] = (),
) -> list[DuplicateMatch]:
    """The actor's school's experiences that the one about to be logged probably repeats,
    most pupils in common first. One query whatever the number of pupils; `ignoring` leaves
    out experiences the user has already been shown and said are different."""
    chosen = set(pupil_ids)
    if not chosen:
        return []
    candidates = (
        Experience.objects.filter(school_id=actor.school_id, start_date=start_date)
        .exclude(pk__in=list(ignoring))
        .annotate(squashed_title=Replace(Lower("title"), Value(" "), Value("")))
        .filter(Q(kind=kind) | Q(squashed_title=_squashed(title)))
        .annotate(
            pupils_on_it=Count(
                "participations", filter=Q(participations__learner_id__in=sorted(chosen))
            )
        )
        .filter(pupils_on_it__gt=0)
        .select_related("created_by")
        .order_by("-pupils_on_it", "created_at", "pk")
    )
    return [
        DuplicateMatch(
            experience_id=experience.pk,
            title=experience.title,
            start_date=experience.start_date,
            logged_by=str(experience.created_by) if experience.created_by else "",
            logged_by_actor=experience.created_by_id is not None
            and experience.created_by_id == actor.user_id,
            logged_at=experience.created_at,
            from_employer_attendance=experience.opportunity_id is not None,
            pupils_already_on_it=experience.pupils_on_it,
            pupils_chosen=len(chosen),
        )
        for experience in candidates
    ]


def lock_school_day(school_id: int, on: date) -> None:
    """Two confirmations of the same day's experience at once must not both pass the
    duplicate check: on PostgreSQL they queue on a lock named after the school and the day
    until the first commits (and the second then sees it). Released at the transaction's end.
    The one-command SQLite demo has no such lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"experience-day:{school_id}:{on.isoformat()}"],
            )

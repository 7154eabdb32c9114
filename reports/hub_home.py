"""The hub lead's home: the live hub dashboard (reports.builders.hub_summary, from the
progress ledger) arranged for a first look. Nothing here counts pupils: it sorts, filters
and words the figures the builder published, so the home and the dashboard always agree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from employers.models import Employer, EmployerVetting
from employers.selectors import employer_list
from learners.progress import COMPASS_BANDS

SCHOOLS_PER_PAGE = 25
EMPLOYERS_PER_PAGE = 20
FURTHEST_BEHIND = 5

# Sortable columns of the schools table: (query value, heading, key of the builder's row).
SORTS = {
    "name": ("School", "name"),
    "pupils": ("Pupils", "pupils"),
    "on_track": ("On track", "on_track_pct"),
    "ks3": ("KS3 week (Year 9)", "ks3_met_pct"),
    "ks4": ("KS4 week (Year 11)", "ks4_met_pct"),
    "fsm_gap": ("FSM gap", "fsm_gap"),
    "send_gap": ("SEND gap", "send_gap"),
}


def _points(value) -> str:
    number = Decimal(str(abs(value))).normalize()
    text = f"{number:f}"
    return f"{text} point" if number == 1 else f"{text} points"


def gap_sentence(gap, group: str) -> str:
    """A gap in percentage points on track (others minus the group, as the builder gives
    it: positive means the group is behind) in words."""
    if gap is None:
        return f"There are no {group} to compare with others yet."
    if gap > 0:
        return f"{group[0].upper()}{group[1:]} are {_points(gap)} behind others."
    if gap < 0:
        return f"{group[0].upper()}{group[1:]} are {_points(gap)} ahead of others."
    return f"{group[0].upper()}{group[1:]} are level with others."


@dataclass(frozen=True)
class SchoolsTable:
    page: Page
    sort: str
    descending: bool
    query: str
    type: str
    behind_only: bool
    types: list[str]
    matched: int

    def _query(self, **changes) -> str:
        values = {
            "q": self.query,
            "type": self.type,
            "behind": "1" if self.behind_only else "",
            "sort": ("-" if self.descending else "") + self.sort,
            **changes,
        }
        return "?" + urlencode({k: v for k, v in values.items() if v}) + "#schools"

    def headings(self) -> list[dict]:
        """Each sortable column: its heading, the link that sorts by it (the other way
        round when it is the current sort), and aria-sort for the current one."""
        found = []
        for key, (heading, _field) in SORTS.items():
            current = key == self.sort
            descending = not self.descending if current else key != "name"
            found.append(
                {
                    "key": key,
                    "heading": heading,
                    "url": self._query(sort=("-" if descending else "") + key),
                    "aria_sort": (
                        ("descending" if self.descending else "ascending") if current else ""
                    ),
                    "next": (
                        ("Z to A" if descending else "A to Z")
                        if key == "name"
                        else ("highest first" if descending else "lowest first")
                    ),
                }
            )
        return found

    @property
    def previous_url(self) -> str:
        return self._query(page=str(self.page.previous_page_number()))

    @property
    def next_url(self) -> str:
        return self._query(page=str(self.page.next_page_number()))


def schools_table(summary: dict, params) -> SchoolsTable:
    """The builder's school rows, filtered by name, type and "behind the hub", sorted by a
    column (schools without a figure last, either way) and cut into pages."""
    rows = summary["schools"]
    types = sorted({row["type"] for row in rows})
    query = params.get("q", "").strip()
    kind = params.get("type", "")
    behind_only = params.get("behind") == "1"
    sort = params.get("sort", "on_track")
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    if sort not in SORTS:
        sort, descending = "on_track", False
    hub_share = summary["totals"]["on_track_pct"]
    if query:
        rows = [row for row in rows if query.casefold() in row["name"].casefold()]
    if kind in types:
        rows = [row for row in rows if row["type"] == kind]
    if behind_only and hub_share is not None:
        rows = [
            row
            for row in rows
            if row["on_track_pct"] is not None and float(row["on_track_pct"]) < float(hub_share)
        ]
    field = SORTS[sort][1]
    present = [row for row in rows if row[field] is not None]
    missing = [row for row in rows if row[field] is None]
    if field == "name":
        present.sort(key=lambda row: row["name"].casefold(), reverse=descending)
    else:
        present.sort(key=lambda row: row["name"].casefold())
        present.sort(key=lambda row: float(row[field]), reverse=descending)
    rows = present + missing
    page = Paginator(rows, SCHOOLS_PER_PAGE).get_page(params.get("page", 1))
    return SchoolsTable(
        page=page,
        sort=sort,
        descending=descending,
        query=query,
        type=kind if kind in types else "",
        behind_only=behind_only,
        types=types,
        matched=len(rows),
    )


def furthest_behind(summary: dict) -> list[dict]:
    """The schools with the smallest share of pupils on track (schools with pupils only)."""
    rows = [row for row in summary["schools"] if row["on_track_pct"] is not None]
    rows.sort(key=lambda row: (float(row["on_track_pct"]), row["name"].casefold()))
    return rows[:FURTHEST_BEHIND]


def compass_spread(summary: dict) -> list[dict]:
    """How many schools give each answer to Compass questions 1 and 3 (the builder's bands),
    in the bands' own order."""
    spread = []
    for band in COMPASS_BANDS:
        q1 = sum(row["q1_band"] == band for row in summary["schools"])
        q3 = sum(row["q3_band"] == band for row in summary["schools"])
        if q1 or q3:
            spread.append({"band": band, "ks3": q1, "ks4": q3})
    return spread


def sectors_view(summary: dict) -> list[dict]:
    covered = set(summary["sectors"]["covered"])
    return [{"name": name, "covered": name in covered} for name in summary["sectors"]["growth"]]


@dataclass(frozen=True)
class EmployerCapacity:
    page: Page
    checks: dict


def employer_capacity(*, actor, page) -> EmployerCapacity:
    """The hub's partner employers a page at a time, each with the hub's safety check, and
    how many checks are approved or waiting: four queries whatever the number."""
    employers = Paginator(employer_list(actor=actor), EMPLOYERS_PER_PAGE).get_page(page)
    vetting_of = {
        v.employer_id: v
        for v in EmployerVetting.objects.filter(
            hub_id=actor.hub_id, employer_id__in=[e.pk for e in employers]
        )
    }
    for employer in employers:
        employer.hub_vetting = vetting_of.get(employer.pk)
    review = EmployerVetting.Review
    checks = EmployerVetting.objects.filter(
        hub_id=actor.hub_id, employer__in=Employer.objects.all()
    ).aggregate(
        approved=Count("pk", filter=Q(review=review.APPROVED)),
        waiting=Count("pk", filter=Q(review=review.WAITING)),
        returned=Count("pk", filter=Q(review__in=[review.CHANGES, review.REFUSED])),
    )
    return EmployerCapacity(page=employers, checks=checks)


def school_current(*, actor, school_id: int) -> dict:
    """A school's figures as at today (reports.builders.school_summary, the same figures a
    report built today would hold), with its gaps in words, for its page."""
    from django.utils import timezone

    from .builders import charts_for, jsonable, school_summary

    summary = jsonable(school_summary(school_id=school_id, as_at=timezone.localdate()))
    headline = summary["headline"]
    return {
        "live": summary,
        "live_charts": charts_for(summary),
        "fsm_words": gap_sentence(headline["fsm_gap"], "FSM pupils"),
        "send_words": gap_sentence(headline["send_gap"], "pupils with SEND"),
        "today": timezone.localdate(),
    }


def self_rated_skills(*, actor, as_at=None) -> list[dict]:
    """Self-rated change per skill across the hub's schools, as at today: totals only,
    counted as the hub lead's aggregates (pupils.selectors.self_rated_change)."""
    from django.utils import timezone

    from access.context import acting_as
    from learners.models import SkillRating
    from pupils.selectors import self_rated_change

    as_at = as_at or timezone.localdate()
    totals = actor.for_aggregates()
    with acting_as(totals):
        ratings = SkillRating.objects.filter(hub_id=actor.hub_id, rated_on__lte=as_at)
        return self_rated_change(ratings)

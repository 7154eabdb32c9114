from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from hubs.models import Hub

from .models import ReportRun


def latest_hub_readings() -> QuerySet:
    """Each hub's latest reading: pks of the done hub dashboard runs with the latest as-at
    date (ties: the one finished last), one per hub; NULL for a hub that has none yet.
    (Not filtered out here: that would run the subquery twice per hub. `pk IN` ignores the
    NULLs; `NOT IN` does not, so a caller excluding these must drop them first.)

    The latest *as-at*, not the latest *finished*: a hub lead who builds a report as at last
    July must not move their hub's national row back to July.

    Read with one lookup per hub on the index `report_run_latest_reading`
    (kind, hub, status, -as_at, -finished_at): the subquery fixes the first three columns by
    equality and orders by the last two exactly as the index stores them, so the database
    reads the first index entry for the hub and stops (LIMIT 1), whatever the number of runs.
    Plain DESC on both sides on purpose: PostgreSQL sorts NULLs first in a DESC index and a
    DESC ORDER BY alike, so they match (and a done run always has a finished_at).
    A correlated subquery rather than PostgreSQL's DISTINCT ON, so the SQLite demo runs it too.
    """
    latest_for_hub = ReportRun.objects.filter(
        kind=ReportRun.Kind.HUB_DASHBOARD, status=ReportRun.Status.DONE, hub_id=OuterRef("pk")
    ).order_by("-as_at", "-finished_at")
    return (
        Hub.objects.annotate(latest_run=Subquery(latest_for_hub.values("pk")[:1]))
        .order_by()
        .values("latest_run")
    )


def national_hub_totals(*, actor) -> list[dict]:
    """Each hub with the hub-level totals of its latest reading by as-at date (or none yet).

    Two queries whatever the number of hubs and runs: the hubs, then their latest readings.
    Only the "totals" part of a summary leaves here: school rows stay behind.
    """
    latest = {
        hub_id: {"totals": totals, "as_at": as_at}
        for hub_id, totals, as_at in ReportRun.objects.filter(pk__in=latest_hub_readings())
        .order_by()
        .values_list("hub_id", "summary__totals", "as_at")
    }
    return [
        {"name": name, "region": region, **latest.get(pk, {"totals": None, "as_at": None})}
        for pk, name, region in Hub.objects.order_by("name").values_list("pk", "name", "region")
    ]


def national_hub_totals_live(*, actor, as_at: date | None = None) -> list[dict]:
    """Each hub's totals as at today, counted now (from the progress ledger): the same
    shape as national_hub_totals, every row as at the same day."""
    from .builders import national_totals

    as_at = as_at or timezone.localdate()
    totals = national_totals(as_at=as_at)
    return [
        {"name": name, "region": region, "totals": totals[pk], "as_at": as_at}
        for pk, name, region in Hub.objects.order_by("name").values_list("pk", "name", "region")
    ]


def hub_dashboard_live(*, actor) -> dict:
    """The actor's hub's dashboard as at today, counted now (from the progress ledger)."""
    from .builders import hub_summary, jsonable

    return jsonable(hub_summary(hub_id=actor.hub_id, as_at=timezone.localdate(), live=True))

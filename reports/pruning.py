"""Pruning finished report runs, so a year of nightly dashboards does not pile up.

Kept: every formal-date reading (as at 31 Dec, 31 Mar, 31 Jul), the last N runs of each
report (kind and scope), each hub's reading that the national view shows, and anything
finished less than a day ago (someone may be downloading it). The rest go, files and all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from learners.progress import compass_dates

from .models import ReportRun
from .selectors import latest_hub_readings

logger = logging.getLogger(__name__)

FINISHED = (ReportRun.Status.DONE, ReportRun.Status.FAILED)
# A run finished more recently than this may still be on someone's screen or downloading.
GRACE = timedelta(days=1)
# Rows deleted per statement: bounds the lock held and the list of files kept in memory.
BATCH = 500


@dataclass(frozen=True)
class RunsPruned:
    runs: int
    files: int


def formal_date_readings() -> Q:
    """Runs as at a formal Compass date, in any year (the dates come from the one rule)."""
    condition = Q()
    for formal in compass_dates(timezone.localdate()):
        condition |= Q(as_at__month=formal.month, as_at__day=formal.day)
    return condition


def prunable_runs(*, keep_last: int, now: datetime):
    """Finished runs that none of the reasons in the module docstring keeps."""
    if keep_last < 1:
        # The report pages show each scope's latest run: it must survive.
        raise ValueError("EQUALEX_REPORT_RUNS_KEPT must be at least 1.")
    # Ranked among the finished runs of the same report: same kind, same scope (hub, school,
    # pupil, year group). Done and failed runs are ranked apart, so a string of failures
    # cannot push the last good readings out.
    ranked = ReportRun.objects.filter(status__in=FINISHED).annotate(
        recency=Window(
            RowNumber(),
            partition_by=[
                F("kind"),
                F("hub"),
                F("school"),
                F("learner"),
                F("year_group"),
                F("status"),
            ],
            order_by=[F("finished_at").desc(nulls_last=True), F("pk").desc()],
        )
    )
    # The rank is taken over all finished runs first (a subquery), and only then are the
    # young ones set aside: filtering them beside the window would rank the old ones alone.
    beyond_last_n = ranked.filter(recency__gt=keep_last).values("pk")
    return (
        ReportRun.objects.filter(pk__in=beyond_last_n, finished_at__lt=now - GRACE)
        .exclude(formal_date_readings())
        # Without the NULL of a hub with no reading yet, or NOT IN would keep every run.
        .exclude(pk__in=latest_hub_readings().filter(latest_run__isnull=False))
    )


def report_runs_prune(
    *, actor, keep_last: int | None = None, now: datetime | None = None
) -> RunsPruned:
    """Delete prunable runs and their stored CSV and PDF files. Run as the system.

    Idempotent: deleting runs ranked beyond the last N leaves the first N where they were,
    so a second pass finds nothing more.
    """
    if not actor.sees_everything:
        raise PermissionDenied("Report runs are pruned by the system.")
    keep_last = settings.REPORT_RUNS_KEPT if keep_last is None else keep_last
    doomed = prunable_runs(keep_last=keep_last, now=now or timezone.now()).order_by("pk")
    storage = ReportRun._meta.get_field("pdf").storage
    runs = files = 0
    after_pk = 0
    while batch := list(doomed.filter(pk__gt=after_pk).values_list("pk", "csv", "pdf")[:BATCH]):
        after_pk = batch[-1][0]
        with transaction.atomic():
            runs += ReportRun.objects.filter(pk__in=[pk for pk, _, _ in batch]).delete()[0]
        # Files after the rows: a failure here leaves a stray file, never a run whose
        # download link is broken.
        for name in (name for _, csv, pdf in batch for name in (csv, pdf) if name):
            if storage.exists(name):
                storage.delete(name)
                files += 1
    logger.info(
        "Pruned %d report runs and %d stored files (keeping the last %d per report).",
        runs,
        files,
        keep_last,
    )
    return RunsPruned(runs=runs, files=files)

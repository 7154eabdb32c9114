"""The progress ledger: each pupil's current figures, kept in step with every write.

Pages, the API and the dashboards read today's figures from `PupilProgress` rows instead of
re-aggregating every participation (learners.progress.with_progress decides). The rows are
filled by with_progress itself, counting from raw participations, so the rules keep one
definition; this module only says *when* a row is recounted and keeps that safe:

- **Every write that can move a figure** calls `ledger_refresh(pupils)` inside its own
  transaction (logging, editing and deleting experiences, attendance, feedback and
  reflection, adding pupils, imports, moves, leaving). The pupils' rows are recounted from
  raw and committed, or rolled back, with the write.
- **Concurrent writers**: ledger_refresh first locks the pupils' Learner rows (FOR NO KEY
  UPDATE, in primary-key order, so two writers never deadlock on each other) and only then
  counts. A second writer for an overlapping pupil waits for the first to commit; under READ
  COMMITTED its count then sees the first one's participations, so the last row written is
  always counted from everything committed. (FOR NO KEY UPDATE does not block the KEY SHARE
  locks that inserting a participation takes on its pupil.)
- **A hub's rule change** stores the new rules at once; from then on the hub's rules differ
  from `Hub.ledger_counted_by`, so every read counts from raw (correct, slower) and the
  pages say "recounting" while `ledger_recount` re-derives the hub's rows school by school
  in the background, each school under the same locks. Only when every row is counted by
  the rules still in force does it set `ledger_counted_by` and the ledger is read again.
- **The calendar**: a row is "as at" the day it was counted; an experience logged ahead
  starts counting on its first day without any write. `Hub.ledger_counted_on` says the day
  the hub's rows are current for; `ledger_roll_forward` (beat, just after midnight)
  recounts the pupils with experiences that started since, then moves the date on. Until it
  has, reads count from raw: the ledger is read only as at `ledger_counted_on`, and only
  when that is today.
- **Drift** from a write path that forgot to call ledger_refresh is found by
  `ledger_reconcile` (nightly), which recounts sampled schools from raw, repairs and records
  what it found (LedgerCheck, in the admin, and the log).
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connections, router, transaction
from django.utils import timezone

from access.rls import past_the_wall
from hubs.models import Hub
from schools.models import School

from .models import Learner, LedgerCheck, Participation, PupilProgress, SchoolLedgerVersion
from .progress import LEDGER_FIGURES, ProgressRules, with_progress

log = logging.getLogger(__name__)

RECONCILE_SCHOOLS = 20
DETAILS_KEPT = 20


def ledger_refresh(learner_ids: Iterable[int], *, on: date | None = None) -> int:
    """Recount these pupils' ledger rows from raw, in the caller's transaction (or its own).

    Three statements whatever the number of pupils: lock them, read their hubs' rules,
    recount and upsert (one more for a batch whose pupils sit in two hubs).
    """
    ids = sorted({int(pk) for pk in learner_ids})
    if not ids:
        return 0
    on = on or timezone.localdate()
    # No savepoint: inside a write's transaction this is part of it, and alone it is one.
    with transaction.atomic(savepoint=False):
        # The hubs' rules come with the locks (only the pupils' rows are locked), so a rule
        # change committed while this waited is seen.
        locked = list(
            Learner.all_tenants_UNSCOPED.select_for_update(no_key=True, of=("self",))
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "hub_id", "hub__meaningful_criteria", "hub__ks3_virtual_cap_days")
        )
        by_hub, rules = defaultdict(list), {}
        for pk, hub_id, criteria, cap_days in locked:
            by_hub[hub_id].append(pk)
            rules[hub_id] = ProgressRules.of(criteria, cap_days)
        _versions_move(ids)
        for hub_id, pupils in by_hub.items():
            _recount(Learner.all_tenants_UNSCOPED.filter(pk__in=pupils), rules[hub_id], on)
    return len(locked)


def _versions_move(learner_ids: list[int]) -> None:
    """One statement: the pupils' schools, and any school their rows are about to leave (a
    move), count one more change (SchoolLedgerVersion). The rows stay locked until this
    transaction ends, so readers see the new version with the new rows, never before;
    taken in school order, so two writers never deadlock on them."""
    connection = connections[router.db_for_write(SchoolLedgerVersion)]
    quote = connection.ops.quote_name
    pupils = ", ".join(["%s"] * len(learner_ids))
    versions = quote(SchoolLedgerVersion._meta.db_table)
    statement = (
        f"INSERT INTO {versions} (school_id, hub_id, version) "  # noqa: S608 - names are ours
        f"SELECT s.id, s.hub_id, 1 FROM {quote(School._meta.db_table)} s "
        f"WHERE s.id IN (SELECT school_id FROM {quote(Learner._meta.db_table)} "
        f"WHERE id IN ({pupils})) "
        f"OR s.id IN (SELECT school_id FROM {quote(PupilProgress._meta.db_table)} "
        f"WHERE learner_id IN ({pupils})) "
        f"ORDER BY s.id "
        f"ON CONFLICT (school_id) DO UPDATE SET version = {versions}.version + 1, "
        f"hub_id = EXCLUDED.hub_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*learner_ids, *learner_ids])


def school_versions(school_ids) -> dict[int, int]:
    """Each school's ledger version (0 for a school never written to)."""
    found = dict(
        SchoolLedgerVersion.objects.filter(school_id__in=school_ids).values_list(
            "school_id", "version"
        )
    )
    return {pk: found.get(pk, 0) for pk in school_ids}


def hub_versions() -> dict[int, str]:
    """Each hub's ledger version: the sum and number of its schools' versions, which moves
    whenever any of them does (and when a school joins or leaves the hub)."""
    from django.db.models import Count, Sum

    return {
        row["hub_id"]: f"{row['total']}-{row['schools']}"
        for row in SchoolLedgerVersion.objects.order_by()
        .values("hub_id")
        .annotate(total=Sum("version"), schools=Count("pk"))
    }


def _recount(pupils, rules: ProgressRules, on: date) -> None:
    """INSERT ... SELECT the pupils' figures, counted by with_progress from raw, in one
    statement (upserting, so a pupil's first write creates their row)."""
    counted = with_progress(pupils, rules=rules.raw, as_at=on, variety=True).values(
        "pk", "hub_id", "school_id", *LEDGER_FIGURES
    )
    sql, params = counted.query.sql_with_params()
    with past_the_wall("progress ledger: a pupil's figures count all their participations"):
        _upsert(sql, params, rules, on)


def _upsert(sql, params, rules: ProgressRules, on: date) -> None:
    connection = connections[router.db_for_write(PupilProgress)]
    quote = connection.ops.quote_name
    stored = ["hub_id", "school_id", *LEDGER_FIGURES, "counted_by", "counted_on", "updated_at"]
    selected = ", ".join(f"counted.{quote(c)}" for c in ("pk", "hub_id", "school_id"))
    selected += ", " + ", ".join(f"counted.{quote(c)}" for c in LEDGER_FIGURES)
    statement = (
        f"INSERT INTO {quote(PupilProgress._meta.db_table)} "  # noqa: S608 - names are ours
        f"({quote('learner_id')}, {', '.join(quote(c) for c in stored)}) "
        f"SELECT {selected}, %s, %s, %s FROM ({sql}) AS counted WHERE true "
        f"ON CONFLICT ({quote('learner_id')}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in stored)
    )
    with connection.cursor() as cursor:
        # The three stamps stand before the counting query's own placeholders.
        cursor.execute(statement, [rules.key, on, timezone.now(), *params])


@dataclass(frozen=True)
class RecountResult:
    hub_id: int
    schools: int
    pupils: int
    current: bool  # the hub's ledger was marked current at the end


def ledger_recount(hub_id: int, *, on: date | None = None) -> RecountResult:
    """Re-derive every row of one hub (after a rule change, or to build it the first time),
    a school per transaction, with progress on the hub; then mark the ledger current if
    the rules it counted by are still the hub's."""
    on = on or timezone.localdate()
    schools = list(
        Learner.all_tenants_UNSCOPED.filter(hub_id=hub_id)
        .order_by("school_id")
        .values_list("school_id", flat=True)
        .distinct()
    )
    Hub.all_tenants_UNSCOPED.filter(pk=hub_id).update(
        ledger_recount_done=0, ledger_recount_total=len(schools)
    )
    pupils = 0
    for done, school_id in enumerate(schools, start=1):
        pupils += ledger_refresh(
            Learner.all_tenants_UNSCOPED.filter(hub_id=hub_id, school_id=school_id).values_list(
                "pk", flat=True
            ),
            on=on,
        )
        Hub.all_tenants_UNSCOPED.filter(pk=hub_id).update(ledger_recount_done=done)
    with transaction.atomic():
        hub = Hub.all_tenants_UNSCOPED.select_for_update().get(pk=hub_id)
        key = ProgressRules.for_hub(hub).key
        # Every row this recount wrote was counted by the rules read at that moment; rows
        # a writer recounted meanwhile likewise. Current only if none is left on other
        # rules (a rule change during the recount queued another recount instead).
        stale = (
            PupilProgress.all_tenants_UNSCOPED.filter(hub_id=hub_id)
            .exclude(counted_by=key)
            .exists()
        )
        if not stale:
            hub.ledger_counted_by = key
            hub.ledger_counted_on = on
            hub.save(update_fields=["ledger_counted_by", "ledger_counted_on"])
    log.info("ledger recount of hub %s: %s schools, %s pupils", hub_id, len(schools), pupils)
    return RecountResult(hub_id, len(schools), pupils, current=not stale)


def ledger_rebuild(hub_ids: Iterable[int] | None = None, *, on: date | None = None) -> list:
    """Recount every hub's ledger (or these hubs'): first deployment, demo data, benches."""
    if hub_ids is None:
        hub_ids = Hub.all_tenants_UNSCOPED.order_by("pk").values_list("pk", flat=True)
    return [ledger_recount(hub_id, on=on) for hub_id in list(hub_ids)]


def hub_is_recounting(hub) -> bool:
    """The hub's rules differ from those its ledger holds: figures come from raw meanwhile."""
    return hub.ledger_counted_by != ProgressRules.for_hub(hub).key


def ledger_roll_forward(*, on: date | None = None) -> dict:
    """Move every current hub's ledger on to `on` (today): recount the pupils whose
    experiences started since the ledger's day (they begin to count without any write),
    then set the day. Hubs never built, or recounting, are recounted whole."""
    on = on or timezone.localdate()
    rolled, recounted = 0, []
    for hub in Hub.all_tenants_UNSCOPED.order_by("pk"):
        if hub_is_recounting(hub):
            recounted.append(ledger_recount(hub.pk, on=on).hub_id)
            continue
        if hub.ledger_counted_on is not None and hub.ledger_counted_on >= on:
            continue
        starting = (
            Participation.all_tenants_UNSCOPED.filter(
                learner__hub_id=hub.pk,
                hours_attended__gt=0,
                experience__start_date__gt=hub.ledger_counted_on,
                experience__start_date__lte=on,
            )
            .order_by()
            .values_list("learner_id", flat=True)
            .distinct()
        )
        rolled += ledger_refresh(starting, on=on)
        Hub.all_tenants_UNSCOPED.filter(pk=hub.pk, ledger_counted_by=hub.ledger_counted_by).update(
            ledger_counted_on=on
        )
    return {"pupils_recounted": rolled, "hubs_rebuilt": recounted}


def ledger_differences(pupils, *, on: date | None = None) -> dict[int, dict]:
    """Pupils (a Learner queryset, one hub) whose ledger row differs from a fresh count from
    raw: {learner id: {figure: [ledger, raw]}}. Two queries."""
    on = on or timezone.localdate()
    by_hub = defaultdict(list)
    for pk, hub_id in pupils.values_list("pk", "hub_id"):
        by_hub[hub_id].append(pk)
    hubs = Hub.all_tenants_UNSCOPED.in_bulk(by_hub)
    found = {}
    for hub_id, ids in by_hub.items():
        rules = ProgressRules.for_hub(hubs[hub_id]).raw
        fresh = with_progress(
            Learner.all_tenants_UNSCOPED.filter(pk__in=ids), rules=rules, as_at=on, variety=True
        ).values("pk", *LEDGER_FIGURES)
        stored = {
            row["learner_id"]: row
            for row in PupilProgress.all_tenants_UNSCOPED.filter(learner_id__in=ids).values(
                "learner_id", "counted_by", *LEDGER_FIGURES
            )
        }
        for row in fresh:
            mine = stored.get(row["pk"])
            if mine is None:
                # No row reads as zero: only a pupil with counted history is drift.
                if any(row[name] for name in LEDGER_FIGURES):
                    found[row["pk"]] = {"row": ["missing", "counted"]}
                continue
            diff = {
                name: [str(mine[name]), str(row[name])]
                for name in LEDGER_FIGURES
                if mine[name] != row[name]
            }
            if mine["counted_by"] != rules.key:
                diff["counted_by"] = [mine["counted_by"], rules.key]
            if diff:
                found[row["pk"]] = diff
    return found


def _repair_start_dates(school_ids) -> int:
    """Participations whose copy of the experience's first day (the dashboards' window)
    differs from it: set right, and counted."""
    from django.db.models import F, OuterRef, Subquery

    from .models import Experience

    wrong = Participation.all_tenants_UNSCOPED.filter(school_id__in=school_ids).exclude(
        start_date=F("experience__start_date")
    )
    first_day = Experience.all_tenants_UNSCOPED.filter(pk=OuterRef("experience_id"))
    return Participation.all_tenants_UNSCOPED.filter(
        pk__in=list(wrong.values_list("pk", flat=True))
    ).update(start_date=Subquery(first_day.values("start_date")[:1]))


def ledger_reconcile(*, schools: int = RECONCILE_SCHOOLS, seed: int | None = None) -> LedgerCheck:
    """Nightly: compare sampled schools' ledger rows with a fresh count from raw (hubs
    whose ledger is current only), repair any that drifted and record the check."""
    current = [
        hub.pk
        for hub in Hub.all_tenants_UNSCOPED.exclude(ledger_counted_by="")
        if not hub_is_recounting(hub)
    ]
    school_ids = sorted(
        set(
            Learner.all_tenants_UNSCOPED.filter(hub_id__in=current).values_list(
                "school_id", flat=True
            )
        )
    )
    sample = sorted(random.Random(seed).sample(school_ids, min(schools, len(school_ids))))
    drifted, pupils = {}, 0
    for school_id in sample:
        in_school = Learner.all_tenants_UNSCOPED.filter(school_id=school_id)
        pupils += in_school.count()
        found = ledger_differences(in_school)
        if found:
            ledger_refresh(found)
            drifted.update(found)
    details = [
        {"learner_id": pk, "differences": diff}
        for pk, diff in sorted(drifted.items())[:DETAILS_KEPT]
    ]
    dates = _repair_start_dates(sample)
    if dates:
        details.append({"participation_start_dates_repaired": dates})
    check = LedgerCheck.objects.create(
        schools=len(sample),
        pupils=pupils,
        drifted=len(drifted),
        repaired=len(drifted),
        details=details,
    )
    if drifted or dates:
        log.warning(
            "ledger drift repaired for %s pupils in %s schools: %s",
            len(drifted),
            len(sample),
            details[:3],
        )
    return check

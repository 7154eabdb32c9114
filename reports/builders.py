"""What each report says: summaries computed by the progress module, then CSV and PDF."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db import connections
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from access.context import acting_as, current_actor
from access.scoping import with_employers_of_pupils_own_history
from employers.models import Employer, Nomination, Opportunity
from hubs.models import Hub, Sector
from learners.academic import academic_year_of, cohort_for
from learners.ledger import hub_versions, school_versions
from learners.models import Experience, Learner, Participation
from learners.progress import (
    ProgressRules,
    compass_answers,
    compass_band,
    compass_dates,
    counts_q,
    grouped_progress,
    meaningful_q,
    percent,
    reads_ledger,
    round_half_up,
    with_progress,
)
from learners.templatetags.progress_tags import FSM_QUARTERS
from programmes.report import school_programme
from schools.models import School

from .charts import bar_chart_svg


def _pct(part, whole):
    return percent(part, whole)


def _gap(group, group_behind, everyone, everyone_behind):
    """On-track percentage points of the others minus the group's (positive = group behind),
    from the exact shares, rounded once (half away from zero) like every percentage."""
    others = everyone - group
    if not group or not others:
        return None
    group_on = Fraction(100 * (group - group_behind), group)
    others_on = Fraction(100 * (others - (everyone_behind - group_behind)), others)
    return float(round_half_up(others_on - group_on, 1))


def _years_7_to_11(as_at: date) -> list[int]:
    return [cohort_for(year, as_at) for year in range(7, 12)]


def school_summary(*, school_id: int, as_at: date) -> dict:
    actor = current_actor()
    school = School.objects.select_related("hub").get(pk=school_id)
    rules = ProgressRules.for_hub(school.hub)
    year_start = date(academic_year_of(as_at), 9, 1)
    with acting_as(actor.for_aggregates()):
        pupils = Learner.objects.filter(school_id=school.pk)
        by_cohort = {
            row["key"]: row
            for row in grouped_progress(
                pupils.filter(cohort__in=_years_7_to_11(as_at)),
                rules=rules,
                as_at=as_at,
                by="cohort",
            )
        }
        compass = compass_answers(pupils, rules=rules, as_at=as_at)
        skills = _self_rated_skills_by_year(school.pk, as_at)
        mix = _mix_of(
            _school_counts(school.hub_id, [school.pk], rules, as_at, year_start, cohorts=None)
        )
        # Its rows beside the year rows above: the same pupils of each cohort.
        programme = school_programme(school_id=school.pk, as_at=as_at, rules=rules)
    years = []
    totals = dict.fromkeys(("pupils", "behind", "fsm", "fsm_behind", "send", "send_behind"), 0)
    for year in range(7, 12):
        row = by_cohort.get(cohort_for(year, as_at), {})
        pupils_n = row.get("pupils", 0)
        years.append(
            {
                "year_group": year,
                "pupils": pupils_n,
                "on_track": pupils_n - row.get("behind", 0),
                "behind": row.get("behind", 0),
                "on_track_pct": _pct(pupils_n - row.get("behind", 0), pupils_n),
                "ks3_met": row.get("ks3_met", 0),
                "ks4_met": row.get("ks4_met", 0),
                "fsm_gap": _gap(
                    row.get("fsm", 0), row.get("fsm_behind", 0), pupils_n, row.get("behind", 0)
                ),
            }
        )
        for key in totals:
            totals[key] += row.get(key, 0)
    return {
        "kind": "school_b6",
        "school": {
            "id": school.pk,
            "name": school.name,
            "urn": school.urn,
            "type": school.get_type_display(),
            "hub": school.hub.name,
        },
        "as_at": as_at.isoformat(),
        "rules": {
            "meaningful_criteria": list(rules.meaningful_criteria),
            "ks3_virtual_cap_hours": str(rules.ks3_virtual_cap_hours),
        },
        "headline": {
            "pupils": totals["pupils"],
            "on_track_pct": _pct(totals["pupils"] - totals["behind"], totals["pupils"]),
            "fsm_gap": _gap(
                totals["fsm"], totals["fsm_behind"], totals["pupils"], totals["behind"]
            ),
            "send_gap": _gap(
                totals["send"], totals["send_behind"], totals["pupils"], totals["behind"]
            ),
        },
        "compass": [
            {
                "code": a.code,
                "question": a.question,
                "band": a.band,
                "numerator": a.numerator,
                "denominator": a.denominator,
                "percent": str(a.percent) if a.percent is not None else None,
            }
            for a in compass
        ],
        "years": years,
        "experiences": mix,
        "skills": skills,
        "programme": programme,
    }


# What the hub dashboard shows (grouped_progress then asks KS3 variety of Year 9 only).
HUB_MEASURES = ("pupils", "behind", "fsm", "fsm_behind", "y9", "y9_ks3_met", "y11", "y11_ks4_met")
# Each school's counts on the hub dashboard also give the SEND gap (the hub lead's home);
# England's view stays with HUB_MEASURES.
HUB_SCHOOL_MEASURES = (*HUB_MEASURES, "send", "send_behind")


def _places_offered_and_filled(hub_id: int, year_start: date) -> dict:
    """Places on opportunities offered to the hub's schools that start this academic year
    (drafts excluded), and how many the hub's pupils hold (offered or accepted). An
    opportunity offered to several hubs counts its whole capacity in each."""
    offered = Opportunity.objects.filter(
        visible_to_hubs=hub_id,
        start_date__gte=year_start,
        start_date__lt=year_start.replace(year=year_start.year + 1),
    ).exclude(status=Opportunity.Status.DRAFT)
    totals = offered.aggregate(opportunities=Count("pk"), places=Sum("capacity"))
    filled = Nomination.objects.filter(
        hub_id=hub_id, opportunity__in=offered.values("pk"), status__in=Nomination.HOLDS_A_PLACE
    ).count()
    return {
        "opportunities": totals["opportunities"],
        "places_offered": totals["places"] or 0,
        "places_filled": filled,
    }


def _stored_readings(hub_id: int, days: list[date]) -> dict[date, dict]:
    """Trend points for past formal dates from the hub's frozen snapshot of that date (the
    nightly build on 31 December, 31 March and 31 July), so each is counted once, then
    read. One query; a date without a snapshot is counted from raw by the caller."""
    if not days:
        return {}
    from .models import ReportRun

    found = {}
    runs = (
        ReportRun.objects.filter(
            kind=ReportRun.Kind.HUB_DASHBOARD,
            status=ReportRun.Status.DONE,
            hub_id=hub_id,
            as_at__in=days,
        )
        .order_by("as_at", "finished_at")
        .values_list("as_at", "summary__totals")
    )
    for day, totals in runs:  # the last finished of each day wins
        if totals:
            found[day] = {
                "date": day.isoformat(),
                "on_track_pct": totals["on_track_pct"],
                "q1_pct": totals["ks3_met_pct"],
                "q3_pct": totals["ks4_met_pct"],
            }
    return found


def _snapshot_queued(hub_id: int, day: date, actor) -> dict:
    """Ask for the formal date's snapshot (joining one already asked for) and say so."""
    from .services import report_request

    report_request(actor=actor, kind="hub_dashboard", as_at=day, hub_id=hub_id)
    return {
        "date": day.isoformat(),
        "on_track_pct": None,
        "q1_pct": None,
        "q3_pct": None,
        "pending": True,
    }


def _hub_totals(schools: int, total: dict) -> dict:
    """A hub's headline figures from its summed per-pupil counts (dashboard and England)."""
    return {
        "schools": schools,
        "pupils": total.get("pupils", 0),
        "on_track_pct": _pct(
            total.get("pupils", 0) - total.get("behind", 0), total.get("pupils", 0)
        ),
        "ks3_met_pct": _pct(total.get("y9_ks3_met", 0), total.get("y9", 0)),
        "ks4_met_pct": _pct(total.get("y11_ks4_met", 0), total.get("y11", 0)),
        "fsm_gap": _gap(
            total.get("fsm", 0),
            total.get("fsm_behind", 0),
            total.get("pupils", 0),
            total.get("behind", 0),
        ),
    }


def _current_hub_rows(hub_ids, versions, rules, as_at) -> dict[int, dict]:
    """Each ledger-current hub's per-pupil totals, counted once per version of its ledger
    (learners.ledger.hub_versions) and day (which moves who is behind): kept in the cache, so the
    national view counts again only the hubs where something was written since."""
    from django.core.cache import cache

    if not hub_ids:
        return {}
    keys = {pk: f"national:{pk}:{as_at.isoformat()}:{versions.get(pk)}" for pk in hub_ids}
    cached = cache.get_many(keys.values())
    found = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in hub_ids if pk not in found]
    if missing:
        # Read from the ledger, the rules only say it is current: each hub's rows were
        # counted by that hub's own rules.
        counted = {
            row["key"]: row
            for row in grouped_progress(
                Learner.objects.filter(hub_id__in=missing, cohort__in=_years_7_to_11(as_at)),
                rules=rules[missing[0]],
                as_at=as_at,
                by="hub",
                measures=HUB_MEASURES,
            )
        }
        fresh = {pk: counted.get(pk, {}) for pk in missing}
        cache.set_many({keys[pk]: row for pk, row in fresh.items()}, timeout=24 * 3600)
        found.update(fresh)
    return found


def national_totals(*, as_at: date) -> dict[int, dict]:
    """Every hub's headline figures as at a date, live: from the ledger for every hub whose
    ledger is current (each counted again only when its ledger has changed), from raw for
    each other hub (recounting, say)."""
    actor = current_actor()
    hubs = list(Hub.objects.order_by("pk"))
    rules = {hub.pk: ProgressRules.for_hub(hub) for hub in hubs}
    current = [pk for pk, r in rules.items() if reads_ledger(r, as_at)]
    cohorts = _years_7_to_11(as_at)
    with acting_as(actor.for_aggregates()):
        versions = hub_versions()
        found = _current_hub_rows(current, versions, rules, as_at)
        # A count per hub, no school's name or row leaves: the hub-level figure each
        # hub's dashboard publishes, which a national analyst may read (the School scope
        # itself shows analysts no schools).
        schools = dict(
            School.all_tenants_UNSCOPED.order_by()
            .values("hub_id")
            .annotate(n=Count("pk"))
            .values_list("hub_id", "n")
        )
        for pk in [pk for pk in rules if pk not in current]:
            for row in grouped_progress(
                Learner.objects.filter(hub_id=pk, cohort__in=cohorts),
                rules=rules[pk],
                as_at=as_at,
                by="hub",
                measures=HUB_MEASURES,
            ):
                found[row["key"]] = row
    return {hub.pk: _hub_totals(schools.get(hub.pk, 0), found.get(hub.pk, {})) for hub in hubs}


MIX_COUNTS = ("participations", "meaningful", "all_seven", "reflected", "t1", "t2", "t3")


def _school_counts(hub_id, school_ids, rules, as_at: date, year_start: date, cohorts) -> dict:
    """The hub dashboard's counted parts for each of these schools of the hub, in four
    grouped queries whatever their number: the school's progress totals (of the pupils of
    `cohorts`; left out when None), its pupils' participations attended this academic year
    up to `as_at` (the experience mix: each participation counted once), and the employers
    and sectors of those participations' experiences, as ids (a hub's are the union of its
    schools': an experience shared by two schools' pupils counts once)."""
    parts = {
        pk: {"progress": {}, "mix": dict.fromkeys(MIX_COUNTS, 0), "employers": [], "sectors": []}
        for pk in school_ids
    }
    if not school_ids:
        return parts
    if cohorts is not None:
        for row in grouped_progress(
            Learner.objects.filter(hub_id=hub_id, school_id__in=school_ids, cohort__in=cohorts),
            rules=rules,
            as_at=as_at,
            by="school",
            measures=HUB_SCHOOL_MEASURES,
        ):
            parts[row["key"]]["progress"] = row
    window = Participation.objects.filter(
        hub_id=hub_id,
        school_id__in=school_ids,
        # The participation's copy of its experience's first day: one index range.
        start_date__gte=year_start,
        start_date__lte=as_at,
        hours_attended__gt=0,
    ).order_by()
    seven = ProgressRules(meaningful_criteria=("M1", "M2", "M3", "M4", "M5", "M6", "M7"))
    # M7 as the progress rules state it: the pupil reflected (by their own words in
    # pupils/, or as the school recorded it for them).
    reflected = meaningful_q(ProgressRules(meaningful_criteria=("M7",)))
    for row in window.values("school_id").annotate(
        participations=Count("pk"),
        meaningful=Count("pk", filter=counts_q(rules)),
        all_seven=Count("pk", filter=counts_q(seven)),
        reflected=Count("pk", filter=reflected),
        t1=Count("pk", filter=Q(experience__tier=1)),
        t2=Count("pk", filter=Q(experience__tier=2)),
        t3=Count("pk", filter=Q(experience__tier=3)),
    ):
        parts[row.pop("school_id")]["mix"] = row
    # Through each school's distinct experiences of the window, not a join of every
    # participation with its experience's links: one statement for both link tables. The
    # link tables carry no tenant: they are read only through the scoped window.
    attended, params = (
        window.values("school_id", "experience_id").distinct().query.sql_with_params()
    )
    connection = connections[window.db]
    quote = connection.ops.quote_name
    links = " UNION ".join(
        f"SELECT a.school_id, '{name}', l.{column} FROM attended a "  # noqa: S608 - ours
        f"JOIN {quote(through._meta.db_table)} l ON l.experience_id = a.experience_id"
        for name, through, column in (
            ("employers", Experience.employers.through, "employer_id"),
            ("sectors", Experience.sectors.through, "sector_id"),
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH attended AS ({attended}) {links}", params)
        for school_id, name, linked in cursor.fetchall():
            parts[school_id][name].append(linked)
    for part in parts.values():
        part["employers"].sort()
        part["sectors"].sort()
    return parts


def _school_counts_cached(hub, schools, rules, as_at, year_start, cohorts) -> dict:
    """_school_counts for the live dashboard: each school's parts are kept in the cache
    under its ledger version (learners.ledger.school_versions; every write that can move
    them moves it, in the write's own transaction), so a write counts again only the
    schools it touched, and the rest are read back. Still exact: the version is read before
    anything is counted, so what is kept under it is never older than it."""
    from django.core.cache import cache

    from equalex.caching import counted_once

    versions = school_versions([school.pk for school in schools])
    keys = {
        # "m7": parts with the M7 count (parts kept before lack it).
        pk: f"hub-school:m7:{hub.pk}:{pk}:{as_at.isoformat()}:{rules.key}:{version}"
        for pk, version in versions.items()
    }
    found = cache.get_many(list(keys.values()))
    parts = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = sorted(pk for pk in keys if pk not in parts)
    if missing:
        # Requests that miss the same schools at once count them once between them.
        missed = ",".join(keys[pk] for pk in missing)
        fresh = counted_once(
            "hub-schools:" + hashlib.sha256(missed.encode()).hexdigest(),
            lambda: _school_counts(hub.pk, missing, rules, as_at, year_start, cohorts),
            timeout=60,
        )
        cache.set_many({keys[pk]: fresh[pk] for pk in missing}, timeout=24 * 3600)
        parts.update(fresh)
    return parts


def _mix_of(parts: dict) -> dict:
    """The experience mix of some schools from their parts: participations attended this
    academic year, meaningful, all seven criteria, by tier; distinct employers and sectors."""
    mix = dict.fromkeys(MIX_COUNTS, 0)
    for part in parts.values():
        for name in MIX_COUNTS:
            mix[name] += part["mix"][name]
    for name in ("employers", "sectors"):
        mix[name] = len({pk for part in parts.values() for pk in part[name]})
    mix["meaningful_pct"] = _pct(mix["meaningful"], mix["participations"])
    mix["all_seven_pct"] = _pct(mix["all_seven"], mix["participations"])
    mix["reflected_pct"] = _pct(mix["reflected"], mix["participations"])
    return mix


def _hub_counts(parts: dict) -> dict:
    """The hub dashboard's counted figures from its schools' parts: per-school progress,
    the experience mix, sectors covered and employers engaged (in the caller's aggregate
    scope)."""
    employers = {pk for part in parts.values() for pk in part["employers"]}
    sectors = {pk for part in parts.values() for pk in part["sectors"]}
    # "Employers engaged" counts the hub's partners among them (the scoped Employer
    # manager), so it is the mix's count less the employers a pupil who moved in from
    # another hub met there that do not partner this hub. Read on each view: a partnership
    # or an employer's size band may change without any pupil's figures moving.
    employer_counts = Employer.objects.filter(pk__in=sorted(employers)).aggregate(
        engaged=Count("pk"), sme=Count("pk", filter=Q(size_band__in=Employer.SME_BANDS))
    )
    covered = Sector.objects.filter(pk__in=sorted(sectors)).values_list("name", flat=True)
    return {
        "by_school": {pk: part["progress"] for pk, part in parts.items()},
        "mix": _mix_of(parts),
        "covered": sorted(covered),
        "employer_counts": employer_counts,
    }


def live_dashboards_warm(*, as_at: date | None = None) -> int:
    """Count the national view and every ledger-current hub's live dashboard as at `as_at`
    (today) into the cache (learners.ledger's versions key them), as the system. Returns
    the number of hubs counted."""
    as_at = as_at or timezone.localdate()
    national_totals(as_at=as_at)
    warmed = 0
    for hub in Hub.objects.order_by("pk"):
        if reads_ledger(ProgressRules.for_hub(hub), as_at):
            hub_summary(hub_id=hub.pk, as_at=as_at, live=True)
            warmed += 1
    return warmed


def school_progress_row(school, counts: dict) -> dict:
    """One school's row of the hub dashboard (and of its trust's home), from its summed
    per-pupil counts (HUB_MEASURES, grouped by school)."""
    r = counts
    return {
        "id": school.pk,
        "name": school.name,
        "type": school.get_type_display(),
        "fsm_percent": str(school.fsm_percent),
        "pupils": r.get("pupils", 0),
        "on_track_pct": _pct(r.get("pupils", 0) - r.get("behind", 0), r.get("pupils", 0)),
        "ks3_met_pct": _pct(r.get("y9_ks3_met", 0), r.get("y9", 0)),
        "ks4_met_pct": _pct(r.get("y11_ks4_met", 0), r.get("y11", 0)),
        "q1_band": compass_band(r.get("y9_ks3_met", 0), r.get("y9", 0)),
        "q3_band": compass_band(r.get("y11_ks4_met", 0), r.get("y11", 0)),
        "fsm_gap": _gap(
            r.get("fsm", 0), r.get("fsm_behind", 0), r.get("pupils", 0), r.get("behind", 0)
        ),
        "send_gap": _gap(
            r.get("send", 0), r.get("send_behind", 0), r.get("pupils", 0), r.get("behind", 0)
        ),
    }


def schools_progress(schools, *, as_at: date) -> list[dict]:
    """Each school's dashboard row as at a date, for schools that may sit in several hubs
    (a trust's): the same counts and row as the hub dashboard, in the caller's aggregate
    scope. Pass the schools with their hubs (select_related("hub")).

    Each hub counts by its own rules. Schools whose hub's ledger is current are read from
    the ledger in one query (each ledger row was counted by its own hub's rules; the rules
    passed only say "read the ledger", as in _current_hub_rows); the others are counted
    from raw, one query per distinct set of rules. So one query as at today, whatever the
    number of schools and pupils."""
    cohorts = _years_7_to_11(as_at)
    ledger, ledger_rules, raw, rules_of = [], None, {}, {}
    for school in schools:
        if school.hub_id not in rules_of:
            rules_of[school.hub_id] = ProgressRules.for_hub(school.hub)
        rules = rules_of[school.hub_id]
        if reads_ledger(rules, as_at):
            ledger.append(school.pk)
            ledger_rules = rules
        else:
            raw.setdefault(rules, []).append(school.pk)
    groups = [(ledger, ledger_rules)] if ledger else []
    groups += [(ids, rules) for rules, ids in raw.items()]
    counts = {}
    for ids, rules in groups:
        for row in grouped_progress(
            Learner.objects.filter(school_id__in=ids, cohort__in=cohorts),
            rules=rules,
            as_at=as_at,
            by="school",
            measures=HUB_SCHOOL_MEASURES,
        ):
            counts[row["key"]] = row
    return [school_progress_row(school, counts.get(school.pk, {})) for school in schools]


def hub_summary(*, hub_id: int, as_at: date, live: bool = False) -> dict:
    """The hub dashboard's figures as at a date. `live` (the page, as at today): a past
    formal date with no snapshot yet is queued to be built rather than counted from raw
    here, and shows as pending until it is."""
    actor = current_actor()
    hub = Hub.objects.prefetch_related("growth_sectors").get(pk=hub_id)
    rules = ProgressRules.for_hub(hub)
    year_start = date(academic_year_of(as_at), 9, 1)
    schools = list(School.objects.filter(hub_id=hub.pk).order_by("name"))
    cohorts = _years_7_to_11(as_at)
    with acting_as(actor.for_aggregates()):
        if reads_ledger(rules, as_at):
            # The page and a report as at today alike: exact under the schools' versions.
            parts = _school_counts_cached(hub, schools, rules, as_at, year_start, cohorts)
        else:
            parts = _school_counts(
                hub.pk, [school.pk for school in schools], rules, as_at, year_start, cohorts
            )
        counts = _hub_counts(parts)
        by_school, mix = counts["by_school"], counts["mix"]
        covered, employer_counts = set(counts["covered"]), counts["employer_counts"]
        trend = []
        stored = _stored_readings(hub.pk, [d for d in compass_dates(as_at) if d < as_at])
        for reading in compass_dates(as_at):
            if reading > as_at:
                continue
            if reading in stored:
                trend.append(stored[reading])
                continue
            if live:
                trend.append(_snapshot_queued(hub.pk, reading, actor))
                continue
            row = next(
                iter(
                    grouped_progress(
                        Learner.objects.filter(hub_id=hub.pk, cohort__in=_years_7_to_11(reading)),
                        rules=rules,
                        as_at=reading,
                        by="hub",
                        measures=HUB_MEASURES,
                    )
                ),
                {},
            )
            trend.append(
                {
                    "date": reading.isoformat(),
                    "on_track_pct": _pct(
                        row.get("pupils", 0) - row.get("behind", 0), row.get("pupils", 0)
                    ),
                    "q1_pct": _pct(row.get("y9_ks3_met", 0), row.get("y9", 0)),
                    "q3_pct": _pct(row.get("y11_ks4_met", 0), row.get("y11", 0)),
                }
            )
        places = _places_offered_and_filled(hub.pk, year_start)
    partners = Employer.objects.filter(hubs=hub).count()
    rows, by_type, by_quartile = [], {}, {}
    ranked = sorted(schools, key=lambda s: s.fsm_percent)
    quartile_of = {s.pk: 1 + (4 * index) // max(len(ranked), 1) for index, s in enumerate(ranked)}
    for school in schools:
        r = by_school.get(school.pk, {})
        row = school_progress_row(school, r)
        rows.append(row)
        for bucket, key in ((by_type, row["type"]), (by_quartile, f"Q{quartile_of[school.pk]}")):
            agg = bucket.setdefault(
                key,
                {
                    "schools": 0,
                    "pupils": 0,
                    "behind": 0,
                    "y9": 0,
                    "y9_ks3_met": 0,
                    "y11": 0,
                    "y11_ks4_met": 0,
                },
            )
            agg["schools"] += 1
            for field in ("pupils", "behind", "y9", "y9_ks3_met", "y11", "y11_ks4_met"):
                agg[field] += r.get(field, 0)
    for bucket in (by_type, by_quartile):
        for agg in bucket.values():
            agg["on_track_pct"] = _pct(agg["pupils"] - agg["behind"], agg["pupils"])
            agg["ks3_met_pct"] = _pct(agg["y9_ks3_met"], agg["y9"])
            agg["ks4_met_pct"] = _pct(agg["y11_ks4_met"], agg["y11"])
    growth = sorted(s.name for s in hub.growth_sectors.all())
    total = {
        field: sum(r.get(field, 0) for r in by_school.values())
        for field in (
            "pupils",
            "behind",
            "fsm",
            "fsm_behind",
            "y9",
            "y9_ks3_met",
            "y11",
            "y11_ks4_met",
            "send",
            "send_behind",
        )
    }
    return {
        "kind": "hub_dashboard",
        "hub": {"id": hub.pk, "name": hub.name, "region": hub.region},
        "as_at": as_at.isoformat(),
        # Hub-level figures only: what a national analyst may see.
        "totals": {
            **_hub_totals(len(schools), total),
            "send_gap": _gap(total["send"], total["send_behind"], total["pupils"], total["behind"]),
        },
        "schools": rows,
        "by_type": dict(sorted(by_type.items())),
        "by_fsm_quartile": dict(sorted(by_quartile.items())),
        "sectors": {
            "growth": growth,
            "covered": sorted(covered),
            "growth_covered": sorted(set(growth) & covered),
        },
        "employers": {
            "partners": partners,
            **employer_counts,
            "sme_pct": _pct(employer_counts["sme"], employer_counts["engaged"]),
            **places,
            "filled_pct": _pct(places["places_filled"], places["places_offered"]),
        },
        "experiences": mix,
        "trend": trend,
    }


def pupil_record(*, pupil_id: int, as_at: date) -> dict:
    from learners.progress import participations_with_verdict
    from learners.selectors import pupil_get

    pupil = pupil_get(actor=current_actor(), pupil_id=pupil_id)
    rules = ProgressRules.for_hub(Hub.objects.get(pk=pupil.hub_id))
    progress = with_progress(
        Learner.objects.filter(pk=pupil.pk), rules=rules, as_at=as_at, variety=True
    ).get()
    entries = participations_with_verdict(
        # The employers' names of every experience in the pupil's history, whichever hub
        # they partner (a pupil may have moved in from another hub).
        with_employers_of_pupils_own_history(
            Participation.objects.filter(learner=pupil, experience__start_date__lte=as_at)
            .select_related("experience", "reflection")
            # Same-day experiences in a stable order, as on the pupil's timeline.
            .order_by("experience__start_date", "pk")
        ),
        rules=rules,
    )
    from learners.models import SkillRating

    return {
        "kind": "pupil_record",
        "pupil": {"name": f"{pupil.first_name} {pupil.surname}", "school": pupil.school.name},
        "as_at": as_at.isoformat(),
        "totals": {
            "ks3_days": str(progress.ks3_hours / 5),
            "ks4_placement_days": str(progress.ks4_placement_hours / 5),
            "total_days": str(progress.total_hours / 5),
            "ten_days_met": progress.ten_days_met,
        },
        "experiences": [
            {
                "date": e.experience.start_date.isoformat(),
                "title": e.experience.title,
                "kind": e.experience.get_kind_display(),
                "tier": f"T{e.experience.tier}",
                "employers": ", ".join(x.name for x in e.experience.employers.all()),
                "days": str(e.hours_attended / 5),
                "counted": e.counts,
                "reflection": _reflection_words(e),
                "feedback": e.feedback_text,
            }
            for e in entries
        ],
        "skills": [
            {
                "skill": r.skill.name,
                "step": r.step,
                "rater": r.get_rater_display(),
                "date": r.rated_on.isoformat(),
            }
            for r in SkillRating.objects.filter(learner=pupil).select_related("skill")
        ],
    }


def _self_rated_skills_by_year(school_id: int, as_at: date) -> dict:
    """The school's self-rated change per skill for each of Years 7-11 as at the date (the
    pupils' own ratings before and after an experience, pupils/), in the caller's scope."""
    from learners.models import SkillRating
    from pupils.selectors import no_self_rated_change, self_rated_change

    ratings = SkillRating.objects.filter(school_id=school_id, rated_on__lte=as_at)
    by_cohort = self_rated_change(ratings, by_cohort=True)
    empty = no_self_rated_change()
    years = list(range(7, 12))
    columns = [by_cohort.get(cohort_for(year, as_at), empty) for year in years]
    return {
        "years": years,
        "rows": [
            {"skill": row["skill"], "by_year": [column[n] for column in columns]}
            for n, row in enumerate(empty)
        ],
    }


def _reflection_words(participation) -> str:
    """What the record says the pupil took from an experience: their own words (pupils/)
    unless the school hid them, else what the school recorded for them."""
    from pupils.models import Reflection

    try:
        own = participation.reflection
    except Reflection.DoesNotExist:
        own = None
    if own is not None and not own.hidden:
        return " ".join(t for t in (own.what_i_learned, own.what_next) if t)
    return participation.reflection_text


def cohort_rows(*, school_id: int, year_group: int, as_at: date) -> dict:
    from learners.selectors import cohort_progress

    pupils = cohort_progress(
        actor=current_actor(), school_id=school_id, year_group=year_group, as_at=as_at
    )
    rows = [
        {
            "upn": p["upn"],
            "first_name": p["first_name"],
            "surname": p["surname"],
            "fsm": p["fsm"],
            "disadvantaged": p["disadvantaged"],
            "send": p["send"],
            "ks3_days": str(p["ks3_hours"] / 5),
            "ks3_employers": p["ks3_employers"],
            "ks4_placement_days": str(p["ks4_placement_hours"] / 5),
            "total_days": str(p["total_hours"] / 5),
            "ks3_week_met": p["ks3_week_met"],
            "ks4_week_met": p["ks4_week_met"],
            "behind": p["behind"],
        }
        for p in pupils
    ]
    return {
        "kind": "cohort_csv",
        "year_group": year_group,
        "as_at": as_at.isoformat(),
        "pupils": len(rows),
        "rows": rows,
    }


def to_csv(summary: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if summary["kind"] == "school_b6":
        writer.writerow(
            [
                "Year group",
                "Pupils",
                "On track",
                "Behind",
                "On track %",
                "KS3 week met",
                "KS4 week met",
                "FSM gap (points)",
            ]
        )
        for y in summary["years"]:
            writer.writerow(
                [
                    y["year_group"],
                    y["pupils"],
                    y["on_track"],
                    y["behind"],
                    y["on_track_pct"],
                    y["ks3_met"],
                    y["ks4_met"],
                    y["fsm_gap"],
                ]
            )
        writer.writerow([])
        writer.writerow(["Compass question", "Band", "Pupils", "Of"])
        for a in summary["compass"]:
            writer.writerow([a["code"], a["band"], a["numerator"], a["denominator"]])
        programme = summary.get("programme")
        if programme:
            writer.writerow([])
            writer.writerow(
                [
                    "Programme year group",
                    "Published plan",
                    "Activities planned",
                    "Delivered",
                    "Planned days per pupil",
                    "Delivered days per pupil",
                ]
            )
            for y in programme["years"]:
                writer.writerow(
                    [
                        y["year_group"],
                        y["plan"],
                        y["activities_planned"],
                        y["activities_delivered"],
                        y["planned_days_per_pupil"],
                        y["delivered_days_per_pupil"],
                    ]
                )
            writer.writerow([])
            writer.writerow(
                [
                    "Objectives covered by the plans",
                    programme["objectives_planned"],
                    "of",
                    programme["objectives_total"],
                ]
            )
            writer.writerow(["Objectives delivered", programme["objectives_delivered"]])
    elif summary["kind"] == "hub_dashboard":
        writer.writerow(
            [
                "School",
                "Type",
                "FSM %",
                "Pupils",
                "On track %",
                "Q1 KS3 week %",
                "Q3 KS4 week %",
                "Q1 band",
                "Q3 band",
                "FSM gap (points)",
            ]
        )
        for s in summary["schools"]:
            writer.writerow(
                [
                    s["name"],
                    s["type"],
                    s["fsm_percent"],
                    s["pupils"],
                    s["on_track_pct"],
                    s["ks3_met_pct"],
                    s["ks4_met_pct"],
                    s["q1_band"],
                    s["q3_band"],
                    s["fsm_gap"],
                ]
            )
    elif summary["kind"] == "cohort_csv":
        columns = list(summary["rows"][0]) if summary["rows"] else ["upn"]
        writer.writerow(columns)
        for row in summary["rows"]:
            writer.writerow([row[c] for c in columns])
    elif summary["kind"] == "pupil_record":
        writer.writerow(["Date", "Experience", "Kind", "Tier", "Employers", "Days", "Counted"])
        for e in summary["experiences"]:
            writer.writerow(
                [
                    e["date"],
                    e["title"],
                    e["kind"],
                    e["tier"],
                    e["employers"],
                    e["days"],
                    "yes" if e["counted"] else "no",
                ]
            )
    return buffer.getvalue()


def charts_for(summary: dict) -> dict:
    if summary["kind"] == "school_b6":
        return {
            "on_track": bar_chart_svg(
                [(f"Year {y['year_group']}", y["on_track_pct"]) for y in summary.get("years", [])],
                title="Pupils on track by year group",
            )
        }
    if summary["kind"] == "hub_dashboard":
        return {
            "by_type": bar_chart_svg(
                [(k, v["on_track_pct"]) for k, v in summary["by_type"].items()],
                title="On track by school type",
            ),
            "by_quartile": bar_chart_svg(
                [
                    (FSM_QUARTERS.get(k, k), v["on_track_pct"])
                    for k, v in summary.get("by_fsm_quartile", {}).items()
                ],
                title="On track by FSM quarter of the hub's schools",
            ),
        }
    return {}


def to_pdf(summary: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        f"reports/pdf/{summary['kind']}.html",
        {
            "s": summary,
            "charts": charts_for(summary),
            "built_at": timezone.now(),
        },
    )
    return HTML(string=html).write_pdf()


def jsonable(value):
    """Decimals and dates inside a summary, as JSON-safe values."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value

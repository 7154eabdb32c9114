"""Benchmark: the hub report at hub scale (150 schools x 1,000 pupils, ~8 participations each).

Prints the hub report's compute time, and one school's summary page on these hub-sized
tables, beside one hand-written SQL query computing the same
per-school figures on the same data (the floor), their ratio, and the PDF render time.

    .venv/bin/python bench/hub_report.py [--schools 150] [--pupils 1000] [--rebuild] [--repeat 3]
        [--jit settings|on|off|both] [--rls settings|on|off|both] [--no-pdf]

--jit both runs the compute and the floor with jit on and with jit off, alternating run by
run, and prints both sides (and the compute's slowest query) in one table. --rls both does
the same with row-level security on and off (docs/row-level-security.md); the floor SQL
then runs as the hub lead counting totals, so the policies apply to it too.

Uses PostgreSQL (DATABASE_URL, default database equalex_bench_hub on 127.0.0.1).
"""

import argparse
import time
from datetime import date

from _setup import (
    add_jit_argument,
    add_rls_argument,
    analyze,
    bench_sides,
    django_on_bench_database,
    print_sides,
    slowest_query,
    timed,
    timed_sides,
)

FLOOR_SQL = """
WITH per_pupil AS (
  SELECT l.id, l.school_id, l.cohort, l.fsm,
    COALESCE(SUM(p.hours_attended) FILTER (WHERE e.academic_year - l.cohort BETWEEN 0 AND 2
                                           AND e.setting <> 'virtual'), 0)
    + LEAST(COALESCE(SUM(p.hours_attended) FILTER (WHERE e.academic_year - l.cohort BETWEEN 0 AND 2
                                                   AND e.setting = 'virtual'), 0), 12.5) AS ks3,
    COALESCE(SUM(p.hours_attended) FILTER (WHERE e.academic_year - l.cohort BETWEEN 3 AND 4
      AND e.kind = 'placement' AND e.setting = 'workplace'), 0) AS ks4_placement
  FROM learners_learner l
  LEFT JOIN learners_participation p ON p.learner_id = l.id AND p.hours_attended > 0
  LEFT JOIN learners_experience e ON e.id = p.experience_id
    AND e.setting IN ('workplace', 'virtual', 'community') AND e.start_date <= %(as_at)s
    AND e.meets_m1 AND e.meets_m2 AND e.meets_m3
  WHERE l.hub_id = %(hub)s AND l.cohort = ANY(%(cohorts)s)
  GROUP BY l.id
), verdicts AS (
  -- Employer variety is only looked up for pupils who already have the five days.
  SELECT *, ks3 >= 25 AND (
    SELECT COUNT(DISTINCT ee.employer_id) FROM learners_participation p2
      JOIN learners_experience e2 ON e2.id = p2.experience_id
      JOIN learners_experience_employers ee ON ee.experience_id = e2.id
     WHERE p2.learner_id = per_pupil.id AND p2.hours_attended > 0
       AND e2.start_date <= %(as_at)s AND e2.meets_m1 AND e2.meets_m2 AND e2.meets_m3
       AND e2.setting IN ('workplace', 'virtual', 'community')
       AND e2.academic_year - per_pupil.cohort BETWEEN 0 AND 2) >= 2 AS ks3_met
  FROM per_pupil
)
SELECT school_id, COUNT(*),
  COUNT(*) FILTER (WHERE cohort = %(y9)s),
  COUNT(*) FILTER (WHERE cohort = %(y9)s AND ks3_met),
  COUNT(*) FILTER (WHERE cohort = %(y11)s),
  COUNT(*) FILTER (WHERE cohort = %(y11)s AND ks4_placement >= 25),
  COUNT(*) FILTER (WHERE fsm)
FROM verdicts GROUP BY school_id
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=150)
    parser.add_argument("--pupils", type=int, default=1000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF render timing")
    add_jit_argument(parser)
    add_rls_argument(parser)
    args = parser.parse_args()
    django_on_bench_database("equalex_bench_hub")

    from django.core.management import call_command
    from django.db import connection

    from access.actor import actor_for_user
    from access.context import acting_as, all_tenants_UNSAFE
    from hubs.models import Hub, Membership
    from learners.academic import cohort_for
    from learners.models import Learner, Participation
    from reports import builders
    from schools.models import School

    with all_tenants_UNSAFE("benchmark"):
        have = Learner.objects.count()
        have_schools = School.objects.count()
    # demo_data varies each school's roll (30 x 1,000 gives about 23,600 pupils), so a hub of
    # the asked number of schools with at least 70% of the nominal pupils is kept.
    if args.rebuild or have_schools != args.schools or have < args.schools * args.pupils * 0.7:
        started = time.perf_counter()
        call_command(
            "demo_data",
            "--reset",
            "--hubs",
            "1",
            "--schools-per-hub",
            str(args.schools),
            "--pupils-per-school",
            str(args.pupils),
        )
        print(f"built the hub in {time.perf_counter() - started:.0f} s")
        analyze()
    with all_tenants_UNSAFE("benchmark"):
        hub = Hub.objects.get()
        lead = Membership.objects.get(role="hub_lead", hub=hub).user
        leaders = Membership.objects.filter(role="careers_leader", school__hub=hub)
        leader = leaders.select_related("user", "school").order_by("pk").first()
        have_schools = School.objects.count()
        pupils = Learner.objects.count()
        participations = Participation.objects.count()
    actor = actor_for_user(lead)
    today = date.today()
    cohorts = [cohort_for(y, today) for y in range(7, 12)]

    def compute():
        with acting_as(actor):
            return builders.hub_summary(hub_id=hub.pk, as_at=today)

    def floor():
        with acting_as(actor.for_aggregates()), connection.cursor() as cursor:
            cursor.execute(
                FLOOR_SQL,
                {
                    "as_at": today,
                    "hub": hub.pk,
                    "cohorts": cohorts,
                    "y9": cohort_for(9, today),
                    "y11": cohort_for(11, today),
                },
            )
            return cursor.fetchall()

    sides = bench_sides(args)
    from django.test import Client

    # One school's summary page on hub-sized tables: the web request the JIT choice is for.
    client = Client()
    client.force_login(leader.user)

    def school_summary():
        response = client.get("/progress/")
        assert response.status_code == 200, response.status_code

    rows = [
        ("hub report compute", compute),
        ("  its slowest query", slowest_query(compute)),
        ("hand-written SQL floor", floor),
        (f"school summary page ({leader.school.name[:12]})", school_summary),
        ("  its slowest query", slowest_query(school_summary)),
    ]
    results = [(label, timed_sides(run, sides, args.repeat)) for label, run in rows]
    print(
        f"hub: {have_schools} schools, {pupils} pupils, {participations} participations "
        f"({participations / max(pupils, 1):.1f} each), PostgreSQL, "
        f"median of {args.repeat} runs per side"
    )
    print_sides(results, sides, first_column="step", width=34, decimals=0)
    for side in sides:
        compute_ms, floor_ms = results[0][1][side], results[2][1][side]
        print(f"{'ratio compute/floor, ' + side:<34}{compute_ms / floor_ms:>16.2f}")
    if not args.no_pdf:
        summary = builders.jsonable(compute())
        pdf_ms = timed(lambda: builders.to_pdf(summary), repeat=3)
        print(f"{'PDF render (WeasyPrint)':<34}{pdf_ms:>16.0f}")


if __name__ == "__main__":
    main()

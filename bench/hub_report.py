"""Benchmark: the hub report at hub scale (150 schools x 1,000 pupils, ~8 participations each).

Prints the hub report's compute time beside one hand-written SQL query computing the same
per-school figures on the same data (the floor), their ratio, and the PDF render time.

    .venv/bin/python bench/hub_report.py [--schools 150] [--pupils 1000] [--rebuild]

Uses PostgreSQL (DATABASE_URL, default database equalex_bench_hub on 127.0.0.1).
"""

import argparse
import time
from datetime import date

from _setup import django_on_bench_database, timed

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

    with all_tenants_UNSAFE("benchmark"):
        have = Learner.objects.count()
    if args.rebuild or have < args.schools * args.pupils * 0.8:
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
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with all_tenants_UNSAFE("benchmark"):
        hub = Hub.objects.get()
        lead = Membership.objects.get(role="hub_lead", hub=hub).user
        pupils = Learner.objects.count()
        participations = Participation.objects.count()
    actor = actor_for_user(lead)
    today = date.today()
    cohorts = [cohort_for(y, today) for y in range(7, 12)]

    def compute():
        with acting_as(actor):
            return builders.hub_summary(hub_id=hub.pk, as_at=today)

    def floor():
        with connection.cursor() as cursor:
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

    compute_ms = timed(compute, repeat=3)
    floor_ms = timed(floor, repeat=3)
    summary = builders.jsonable(compute())
    pdf_ms = timed(lambda: builders.to_pdf(summary), repeat=3)
    print(
        f"hub: {args.schools} schools, {pupils} pupils, {participations} participations "
        f"({participations / max(pupils, 1):.1f} each), PostgreSQL"
    )
    print(f"{'step':<34}{'ms':>10}")
    print(f"{'hub report compute':<34}{compute_ms:>10.0f}")
    print(f"{'hand-written SQL floor':<34}{floor_ms:>10.0f}")
    print(f"{'ratio':<34}{compute_ms / floor_ms:>10.2f}")
    print(f"{'PDF render (WeasyPrint)':<34}{pdf_ms:>10.0f}")


if __name__ == "__main__":
    main()

"""Benchmark: one school of 1,500 pupils with realistic histories.

Prints the cohort page's and the school summary's server time beside one hand-written SQL
query computing the same per-pupil days on the same data (the floor), and their ratio.

    .venv/bin/python bench/school_progress.py [--pupils 1500] [--rebuild] [--repeat 5]
        [--jit settings|on|off|both] [--rls settings|on|off|both]

--jit both runs every measurement with jit on and with jit off, alternating run by run, and
prints both sides (and each page's slowest query, its main one) in one table. --rls both
does the same with row-level security on and off (docs/row-level-security.md); the floor
SQL then runs as the school's careers leader, so the policies apply to it too.

Uses PostgreSQL (DATABASE_URL, default database equalex_bench on 127.0.0.1).
"""

import argparse
import random
from datetime import date, timedelta

from _setup import (
    add_jit_argument,
    add_rls_argument,
    analyze,
    bench_sides,
    django_on_bench_database,
    print_sides,
    slowest_query,
    timed_sides,
)

FLOOR_SQL = """
SELECT l.id,
  COALESCE(SUM(p.hours_attended) FILTER (WHERE k.ks3 AND e.setting <> 'virtual'), 0)
    + LEAST(COALESCE(SUM(p.hours_attended) FILTER (WHERE k.ks3 AND e.setting = 'virtual'), 0),
            12.5) AS ks3_hours,
  COALESCE(SUM(p.hours_attended) FILTER (
    WHERE k.ks4 AND e.kind = 'placement' AND e.setting = 'workplace'), 0) AS ks4_placement,
  COALESCE(SUM(p.hours_attended), 0) AS total
FROM learners_learner l
LEFT JOIN learners_participation p ON p.learner_id = l.id AND p.hours_attended > 0
LEFT JOIN learners_experience e ON e.id = p.experience_id
  AND e.setting IN ('workplace', 'virtual', 'community')
  AND e.meets_m1 AND e.meets_m2 AND e.meets_m3 AND e.start_date <= %(as_at)s
CROSS JOIN LATERAL (SELECT e.academic_year - l.cohort BETWEEN 0 AND 2 AS ks3,
                           e.academic_year - l.cohort BETWEEN 3 AND 4 AS ks4) k
WHERE l.school_id = %(school)s AND l.cohort = ANY(%(cohorts)s)
GROUP BY l.id
"""


def build(pupils: int, seed: int = 7):
    from access.context import all_tenants_UNSAFE
    from accounts.models import User
    from employers.models import Employer
    from hubs.models import Hub, Membership, Sector
    from learners.academic import academic_year_of, cohort_for
    from learners.models import Experience, Learner, Participation
    from learners.upn import upn_with_check_letter
    from schools.models import School

    rng = random.Random(seed)
    today = date.today()
    with all_tenants_UNSAFE("benchmark data"):
        for model in (Participation, Experience, Learner, Membership):
            model.objects.all().delete()
        School.objects.all().delete()
        Employer.objects.all().delete()
        Hub.objects.all().delete()
        User.objects.filter(email="bench@example.org").delete()
        hub = Hub.objects.create(name="Bench Hub")
        school = School.objects.create(
            hub=hub, urn="999001", name="Bench Academy", local_authority="Bench", fsm_percent="24"
        )
        sectors = list(Sector.objects.all())
        employers = Employer.objects.bulk_create(
            Employer(
                name=f"Employer {n}",
                size_band=rng.choice(["micro", "small", "large"]),
                sector=rng.choice(sectors),
            )
            for n in range(60)
        )
        hub.partner_employers.add(*employers)
        user = User.objects.create_user("bench@example.org", "bench-password-123")
        Membership.objects.create(user=user, role="careers_leader", school=school)

        per_year = pupils // 5
        learners = Learner.all_tenants_UNSCOPED.bulk_create(
            Learner(
                hub=hub,
                school=school,
                legal_first_name=f"P{n}",
                surname=f"S{n:05d}",
                upn=upn_with_check_letter(f"999{n:09d}"),
                cohort=cohort_for(7 + n // per_year, today),
                registration_group=f"{7 + n // per_year}{'ABCDEFGH'[n % 8]}",
                fsm=rng.random() < 0.24,
                disadvantaged=rng.random() < 0.28,
                send=rng.choices("NKE", weights=[85, 12, 3])[0],
            )
            for n in range(per_year * 5)
        )
        by_cohort = {}
        for learner in learners:
            by_cohort.setdefault(learner.cohort, []).append(learner)

        # Each year a cohort has been in school: visits, virtual sessions, a project in
        # school, and in Years 10-11 placements; each for a class-sized subset.
        participations = []
        for cohort, members in by_cohort.items():
            for academic_year in range(cohort, academic_year_of(today) + 1):
                year_group = 7 + academic_year - cohort
                plans = [
                    ("workplace_visit", "workplace", 5),
                    ("virtual_experience", "virtual", 2.5),
                    ("employer_project", "in_school", 5),
                    ("insight_day", "community", 5),
                ]
                if year_group >= 10:
                    plans.append(("placement", "workplace", 25))
                for kind, setting, hours in plans:
                    day = date(academic_year, 10, 1) + timedelta(days=rng.randrange(240))
                    if day > today:
                        continue
                    experience = Experience.objects.create(
                        school=school,
                        title=f"{kind} Y{year_group}",
                        kind=kind,
                        setting=setting,
                        tier=min(3, 1 + (year_group - 7) // 2),
                        start_date=day,
                        end_date=day,
                        duration_hours=hours,
                        meets_m1=True,
                        meets_m2=True,
                        meets_m3=rng.random() < 0.85,
                    )
                    experience.employers.add(*rng.sample(employers, 2))
                    share = 0.9 if kind == "placement" else 0.6
                    for learner in members:
                        if rng.random() < share:
                            absent = rng.random() < 0.05
                            participations.append(
                                Participation(
                                    hub=hub,
                                    school=school,
                                    experience=experience,
                                    learner=learner,
                                    start_date=experience.start_date,
                                    hours_attended=0 if absent else hours,
                                    absent=absent,
                                )
                            )
        Participation.all_tenants_UNSCOPED.bulk_create(participations, batch_size=5000)
    return school, user, len(learners), len(participations)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=1500)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    add_jit_argument(parser)
    add_rls_argument(parser)
    args = parser.parse_args()
    django_on_bench_database()

    from django.db import connection
    from django.test import Client

    from access.context import all_tenants_UNSAFE
    from learners.academic import cohort_for
    from learners.models import Learner, Participation
    from schools.models import School

    with all_tenants_UNSAFE("benchmark"):
        school = School.objects.filter(urn="999001").first()
        have = Learner.objects.filter(school=school).count() if school else 0
    if args.rebuild or have != args.pupils:
        school, _user, pupil_count, participation_count = build(args.pupils)
    # Planner statistics, as autovacuum would leave them (it may be off on a bench server):
    # without them every estimate is a default guess, and so is whether JIT triggers.
    analyze()
    with all_tenants_UNSAFE("benchmark"):
        pupil_count = Learner.objects.filter(school=school).count()
        participation_count = Participation.objects.filter(school=school).count()
    from access.actor import actor_for_user
    from access.context import acting_as
    from accounts.models import User

    user = User.objects.get(email="bench@example.org")
    client = Client()
    client.force_login(user)
    leader = actor_for_user(user)
    today = date.today()

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return get

    def floor(cohorts):
        def run():
            with acting_as(leader), connection.cursor() as cursor:
                cursor.execute(
                    FLOOR_SQL, {"as_at": today, "school": school.pk, "cohorts": list(cohorts)}
                )
                cursor.fetchall()

        return run

    year9 = [cohort_for(9, today)]
    all_years = [cohort_for(y, today) for y in range(7, 12)]
    sides = bench_sides(args)
    rows = [
        ("cohort page (Year 9)", page("/progress/year/9/")),
        ("  its slowest query", slowest_query(page("/progress/year/9/"))),
        ("  floor SQL (Year 9)", floor(year9)),
        ("school summary (Y7-11)", page("/progress/")),
        ("  its slowest query", slowest_query(page("/progress/"))),
        ("  floor SQL (Y7-11)", floor(all_years)),
    ]
    results = [(label, timed_sides(run, sides, args.repeat)) for label, run in rows]
    print(
        f"school: {pupil_count} pupils, {participation_count} participations "
        f"({participation_count / pupil_count:.1f} each), PostgreSQL, "
        f"median of {args.repeat} runs per side"
    )
    print_sides(results, sides, first_column="measure", width=28, decimals=1)


if __name__ == "__main__":
    main()

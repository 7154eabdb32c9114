"""Benchmark: the programme plan page for a 300-pupil cohort with 40 planned activities.

The school of bench/school_progress.py (1,500 pupils, 300 a year, five years of histories);
its Year 9 cohort gets a published plan of 40 activities across Years 7-11, every kind of
audience, a quarter of them with experiences logged against them. Prints the plan page's
and the pupils page's server time (median), their query counts, and their slowest query.
Target (issue 16): the plan page under 300 ms on this machine.

    .venv/bin/python bench/programme_page.py [--rebuild] [--repeat 7]

Uses PostgreSQL (DATABASE_URL, default database equalex_bench on 127.0.0.1).
"""

import argparse
import random
from datetime import date
from decimal import Decimal

from _setup import analyze, django_on_bench_database, slowest_query, timed

KINDS = (
    ("workplace_visit", "workplace"),
    ("virtual_experience", "virtual"),
    ("insight_day", "community"),
    ("employer_project", "in_school"),
    ("work_shadowing", "workplace"),
    ("placement", "workplace"),
)
AUDIENCES = ("whole_year", "whole_year", "groups", "disadvantaged", "fsm", "send", "behind")


def plan_build(school, user, activities: int = 40, seed: int = 16):
    """A published plan for the school's Year 9 cohort; a quarter of its activities in past
    terms delivered by an experience logged against them (through the services)."""
    from access.actor import actor_for_user
    from access.context import acting_as, all_tenants_UNSAFE
    from learners.academic import cohort_for
    from learners.models import Experience, Learner, Participation
    from outcomes.models import Objective
    from programmes import rules, services
    from programmes.models import ProgrammePlan

    rng = random.Random(seed)
    today = date.today()
    cohort = cohort_for(9, today)
    with all_tenants_UNSAFE("benchmark"):
        Experience.objects.filter(school=school, planned_activity__isnull=False).delete()
        ProgrammePlan.objects.filter(school=school).delete()
    objectives = list(
        Objective.objects.filter(outcome__tier__framework__is_current=True).values_list(
            "pk", flat=True
        )
    )
    leader = actor_for_user(user)
    with acting_as(leader):
        plan = services.plan_create(actor=leader, title="Bench programme", cohort=cohort)
        made = []
        for n in range(activities):
            kind, setting = KINDS[n % len(KINDS)]
            year = 10 + n % 2 if kind == "placement" else 7 + n % 5
            made.append(
                services.activity_save(
                    actor=leader,
                    plan_id=plan.pk,
                    title=f"Activity {n}",
                    kind=kind,
                    setting=setting,
                    tier=1 + min(2, (year - 7) // 2),
                    year_group=year,
                    term=("autumn", "spring", "summer")[n % 3],
                    expected_hours=Decimal(rng.choice(("2.5", "5", "10", "25"))),
                    audience=AUDIENCES[n % len(AUDIENCES)],
                    groups=["9A", "9C", "9E"] if AUDIENCES[n % len(AUDIENCES)] == "groups" else [],
                    objective_ids=rng.sample(objectives, 3),
                )
            )
        services.plan_publish(actor=leader, plan_id=plan.pk)
    pupils = list(
        Learner.all_tenants_UNSCOPED.filter(school=school, cohort=cohort).values_list(
            "pk", flat=True
        )
    )
    past = [a for a in made if rules.term_end(cohort, a.year_group, a.term) < today]
    with all_tenants_UNSAFE("benchmark"):
        for activity in past[: max(1, len(made) // 4)]:
            day = rules.term_start(cohort, activity.year_group, activity.term)
            experience = Experience.objects.create(
                school=school,
                title=activity.title,
                kind=activity.kind,
                setting=activity.setting,
                tier=activity.tier,
                start_date=day,
                end_date=day,
                duration_hours=activity.expected_hours,
                meets_m1=True,
                meets_m2=True,
                meets_m3=True,
                planned_activity=activity,
            )
            Participation.all_tenants_UNSCOPED.bulk_create(
                Participation(
                    hub_id=school.hub_id,
                    school=school,
                    experience=experience,
                    learner_id=pk,
                    start_date=day,
                    hours_attended=activity.expected_hours,
                )
                for pk in rng.sample(pupils, len(pupils) * 3 // 4)
            )
    # Live pages read the progress ledger (learners.ledger), as in production.
    from learners.ledger import ledger_rebuild

    with all_tenants_UNSAFE("benchmark"):
        ledger_rebuild([school.hub_id])
    return plan, len(pupils)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    django_on_bench_database()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from school_progress import build

    from access.context import all_tenants_UNSAFE
    from accounts.models import User
    from learners.models import Learner
    from schools.models import School

    with all_tenants_UNSAFE("benchmark"):
        school = School.objects.filter(urn="999001").first()
        have = Learner.objects.filter(school=school).count() if school else 0
    if args.rebuild or have != 1500:
        school, _user, _pupils, _participations = build(1500)
    user = User.objects.get(email="bench@example.org")
    plan, cohort_size = plan_build(school, user)
    analyze()
    client = Client()
    client.force_login(user)

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return get

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            page(url)()
        return len(captured)

    print(f"plan: 40 activities, cohort of {cohort_size} pupils; median of {args.repeat} runs")
    for label, url in (
        ("plan page", f"/programme/{plan.pk}/"),
        ("pupils page", f"/programme/{plan.pk}/pupils/"),
        ("hub view", "/programme/hub/"),
    ):
        if label == "hub view":
            # The hub lead's page (a bench hub lead, made once).
            from hubs.models import Membership

            lead, _ = User.objects.get_or_create(email="bench.lead@example.org")
            with all_tenants_UNSAFE("benchmark"):
                Membership.objects.get_or_create(user=lead, role="hub_lead", hub_id=school.hub_id)
            client.force_login(lead)
        median = timed(page(url), args.repeat)
        slowest = slowest_query(page(url))()
        print(
            f"  {label:<12} {median:7.1f} ms  {queries(url):3d} queries  "
            f"(slowest query {slowest:6.1f} ms)"
        )


if __name__ == "__main__":
    main()

"""Home pages run a fixed number of queries however much data a tenant has."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.context import all_tenants_UNSAFE
from access.roles import Role
from employers.models import Employer
from learners.academic import cohort_for
from learners.models import Learner
from learners.upn import upn_with_check_letter
from schools.models import School

pytestmark = pytest.mark.django_db


def grow(side, *, schools: int, start: int):
    """Add schools, pupils and employers to one side of the world."""
    with all_tenants_UNSAFE("test data"):
        for i in range(schools):
            school = School.objects.create(
                hub=side.hub,
                urn=str(start + i),
                name=f"Extra school {start + i}",
                local_authority="Somewhere",
                fsm_percent="10",
            )
            Learner.all_tenants_UNSCOPED.bulk_create(
                Learner(
                    hub_id=side.hub.pk,
                    school=school,
                    legal_first_name="P",
                    surname=f"S{n}",
                    upn=upn_with_check_letter(f"9{start + i:06d}{n:05d}"[:12]),
                    cohort=cohort_for(7 + n % 5, date.today()),
                    fsm=n % 3 == 0,
                )
                for n in range(10)
            )
            employer = Employer.objects.create(
                name=f"Extra employer {start + i}", size_band="micro"
            )
            employer.hubs.add(side.hub)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.HUB_LEAD, "home"),
        (Role.CAREERS_LEADER, "home"),
        (Role.NATIONAL_ANALYST, "home"),
        (Role.EMPLOYER, "home"),
        (Role.TRUST_LEAD, "home"),
        (Role.HUB_LEAD, "framework"),
    ],
)
def test_home_page_query_count_does_not_grow_with_the_data(client, world, role, url):
    client.force_login(world.a.users[role])
    small = queries_for(client, reverse(url))
    grow(world.a, schools=12, start=300000)
    grow(world.b, schools=5, start=400000)
    assert queries_for(client, reverse(url)) == small


def add_year_9_with_history(side, count: int, start: int):
    """`count` Year 9 pupils at the side's school, each on two logged experiences."""
    from learners.models import Experience, Participation

    with all_tenants_UNSAFE("test data"):
        cohort = cohort_for(9, date.today())
        pupils = Learner.all_tenants_UNSCOPED.bulk_create(
            Learner(
                hub_id=side.hub.pk,
                school=side.school,
                legal_first_name="P",
                surname=f"N{n}",
                upn=upn_with_check_letter(f"8{start + n:011d}"),
                cohort=cohort,
                fsm=n % 4 == 0,
                disadvantaged=n % 3 == 0,
            )
            for n in range(count)
        )
        for setting, employer in (("workplace", side.employer), ("virtual", side.sibling_employer)):
            experience = Experience.objects.create(
                school=side.school,
                title=f"{setting} visit",
                kind="workplace_visit",
                setting=setting,
                tier=1,
                start_date=date(2025, 6, 1),
                end_date=date(2025, 6, 1),
                duration_hours=5,
                meets_m1=True,
                meets_m2=True,
                meets_m3=True,
            )
            experience.employers.add(employer)
            Participation.all_tenants_UNSCOPED.bulk_create(
                Participation(
                    hub_id=side.hub.pk,
                    school=side.school,
                    experience=experience,
                    learner=pupil,
                    start_date=experience.start_date,
                    hours_attended=5,
                )
                for pupil in pupils
            )


@pytest.mark.parametrize(
    "url",
    [
        "/progress/year/9/",
        "/progress/?as_at=2026-12-31",
        "/experiences/",
        "/progress/year/9/?behind=1&fsm=1",
    ],
)
def test_progress_pages_run_the_same_queries_for_10_and_500_pupils(client, world, url):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    add_year_9_with_history(world.a, 10, start=1000)
    at_10 = queries_for(client, url)
    add_year_9_with_history(world.a, 490, start=5000)
    at_500 = queries_for(client, url)
    assert at_10 == at_500
    assert at_500 <= 12


def test_the_cohort_page_lists_every_pupil_with_their_days(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    add_year_9_with_history(world.a, 25, start=1000)
    page = client.get("/progress/year/9/").content.decode()
    import re

    # 25 new pupils and the world's Year 9 pupil
    assert len(re.findall(r'href="/pupils/\d+/"', page)) == 26


def test_the_trust_home_runs_the_same_queries_for_more_schools_and_pupils(client, world):
    """Its schools in two hubs, then more schools in both and more pupils: one count of
    the ledger for all of them, whatever their number."""
    from learners.ledger import ledger_rebuild

    with all_tenants_UNSAFE("test: the trust spans both hubs"):
        School.objects.filter(pk=world.b.school.pk).update(trust_id=world.a.school.trust_id)
    client.force_login(world.a.users[Role.TRUST_LEAD])
    with all_tenants_UNSAFE("test: build the ledger"):
        ledger_rebuild()
    small = queries_for(client, reverse("home"))
    add_year_9_with_history(world.a, 40, start=3000)
    with all_tenants_UNSAFE("test: more schools in the trust, in both hubs"):
        for n, side in enumerate([world.a, world.b, world.b]):
            School.objects.create(
                hub=side.hub,
                trust_id=world.a.school.trust_id,
                urn=str(500000 + n),
                name=f"Trust school {n}",
                local_authority="Somewhere",
                fsm_percent="12",
            )
        ledger_rebuild()
    assert queries_for(client, reverse("home")) == small

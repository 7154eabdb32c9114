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
        (Role.HUB_LEAD, "framework"),
    ],
)
def test_home_page_query_count_does_not_grow_with_the_data(client, world, role, url):
    client.force_login(world.a.users[role])
    small = queries_for(client, reverse(url))
    grow(world.a, schools=12, start=300000)
    grow(world.b, schools=5, start=400000)
    assert queries_for(client, reverse(url)) == small

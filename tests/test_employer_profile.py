"""The employer page a hub lead opens: contacts, the hub's safety check, what is offered
and filled, the schools served; a fixed number of queries however much there is."""

import pytest
from django.urls import reverse

from access.context import all_tenants_UNSAFE
from access.roles import Role
from employers.models import EmployerRequest

from .employer_world import make_nomination, make_opportunity, make_pupils, make_vetting
from .test_query_counts import queries_for

pytestmark = pytest.mark.django_db


def _page(client, world):
    client.force_login(world.a.users[Role.HUB_LEAD])
    return client.get(reverse("employer_detail", args=[world.a.employer.pk])).content.decode()


def test_the_hub_lead_sees_contacts_check_places_and_schools_served(client, world):
    make_vetting(world.a.employer, world.a.hub)
    opportunity = make_opportunity(world.a.employer, [world.a.hub], capacity=3, title="Lab week")
    pupils = make_pupils(world.a.school, 2) + make_pupils(world.a.sibling_school, 1)
    make_nomination(opportunity, pupils[0], status="accepted")
    make_nomination(opportunity, pupils[1], status="nominated")
    make_nomination(opportunity, pupils[2], status="offered")
    with all_tenants_UNSAFE("test"):
        EmployerRequest.objects.create(
            hub=world.a.hub,
            employer=world.a.employer,
            kind="partner",
            name=world.a.employer.name,
            size_band="small",
            contact_name="Priya Shah",
            contact_email="priya@example.org",
        )
    page = _page(client, world)
    assert "employer.a@example.org" in page  # the employer's own account
    assert "Priya Shah" in page and "Asked to partner with the hub" in page
    assert "Approved on" in page
    assert "Lab week" in page
    assert "3 places in 1 opportunity; 2 filled by your hub" in page
    assert '<th scope="row">School A1</th><td class="num">2</td><td class="num">1</td>' in page
    assert '<th scope="row">School A2</th><td class="num">1</td><td class="num">1</td>' in page


def test_a_refused_check_shows_its_state_and_reason(client, world):
    vetting = make_vetting(world.a.employer, world.a.hub, approved=False)
    with all_tenants_UNSAFE("test"):
        vetting.review, vetting.review_reason = "refused", "Wrong company on the certificate."
        vetting.save()
    page = _page(client, world)
    assert "Refused" in page and "Wrong company on the certificate." in page


def test_another_hubs_employer_is_not_found(client, world):
    client.force_login(world.a.users[Role.HUB_LEAD])
    response = client.get(reverse("employer_detail", args=[world.b.employer.pk]))
    assert response.status_code == 404


def test_it_runs_the_same_queries_for_one_opportunity_and_thirty(client, world):
    make_vetting(world.a.employer, world.a.hub)
    first = make_opportunity(world.a.employer, [world.a.hub], capacity=40)
    make_nomination(first, make_pupils(world.a.school, 1)[0], status="accepted")
    client.force_login(world.a.users[Role.HUB_LEAD])
    url = reverse("employer_detail", args=[world.a.employer.pk])
    small = queries_for(client, url)
    for n in range(29):
        make_opportunity(world.a.employer, [world.a.hub], title=f"Visit {n}")
    for pupil in make_pupils(world.a.school, 5) + make_pupils(
        world.a.sibling_school, 5, la_code="889"
    ):
        make_nomination(first, pupil, status="offered")
    assert queries_for(client, url) == small
    assert "Page 1 of 2" in client.get(url).content.decode()

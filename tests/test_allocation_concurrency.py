"""Simultaneous allocations against PostgreSQL: each request in its own thread, its own
connection and its own real transaction. Capacity must hold without any help from the test."""

from collections import Counter

import pytest
from django.db import connection

from access.actor import actor_for_user
from access.context import all_tenants_UNSAFE
from access.roles import Role
from employers.models import Nomination
from employers.services import NoPlaceLeft, place_allocate

from .concurrently import at_once
from .conftest import build_world
from .employer_world import make_nomination, make_opportunity, make_pupils, make_vetting

REQUESTS = 20
PLACES = 5


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_allocations_fill_five_places_and_refuse_fifteen_clearly():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    world = build_world()
    make_vetting(world.a.employer, world.a.hub)
    opportunity = make_opportunity(world.a.employer, [world.a.hub], capacity=PLACES)
    nominations = [
        make_nomination(opportunity, pupil)
        for pupil in make_pupils(world.a.school, REQUESTS // 2)
        + make_pupils(world.a.sibling_school, REQUESTS // 2)
    ]
    employer = actor_for_user(world.a.users[Role.EMPLOYER])

    def request(nomination):
        def attempt():
            try:
                place_allocate(actor=employer, nomination=nomination)
            except NoPlaceLeft as refusal:
                return refusal.messages[0]
            return "allocated"

        return attempt

    outcomes = at_once([(employer, request(n)) for n in nominations])

    assert Counter(outcomes) == {"allocated": 5, "All 5 places are taken.": 15}
    with all_tenants_UNSAFE("test assertions"):
        statuses = Counter(
            Nomination.objects.filter(opportunity=opportunity).values_list("status", flat=True)
        )
    assert statuses == {"offered": 5, "refused_full": 15}

"""UK postcodes and the distance bands schools filter opportunities by."""

import pytest

from access.context import all_tenants_UNSAFE
from access.roles import Role
from hubs.postcodes import area, district, postcode_clean

from .employer_world import make_opportunity


def test_a_postcode_is_cleaned_to_its_usual_form():
    assert postcode_clean(" ls61an ") == "LS6 1AN"
    assert postcode_clean("SW1A1AA") == "SW1A 1AA"
    assert postcode_clean("b1 1bb") == "B1 1BB"


@pytest.mark.parametrize("text", ["", "LS6", "123 456", "LS6 1AN X", "L$6 1AN"])
def test_anything_else_is_refused_with_an_example(text):
    with pytest.raises(ValueError, match="for example SW1A 1AA"):
        postcode_clean(text)


def test_district_and_area_come_from_the_postcode_itself():
    assert (district("LS12 3AB"), area("LS12 3AB")) == ("LS12", "LS")
    assert (district("B1 1BB"), area("B1 1BB")) == ("B1", "B")


@pytest.mark.django_db
def test_schools_filter_opportunities_by_distance_band(client, world):
    with all_tenants_UNSAFE("test"):
        world.a.school.postcode = "PR1 2AB"
        world.a.school.save()
    for title, postcode in [
        ("Near", "PR1 5XY"),
        ("Same area", "PR7 1AA"),
        ("Lookalike", "PR12 1AA"),  # PR12 is another district, in the same area
        ("Far", "TS1 1AA"),
    ]:
        make_opportunity(world.a.employer, [world.a.hub], title=title, postcode=postcode)
    client.force_login(world.a.users[Role.CAREERS_LEADER])

    def titles(distance):
        response = client.get("/opportunities/", {"distance": distance})
        return sorted(o.title for o in response.context["opportunities"])

    assert titles("district") == ["Near"]
    assert titles("area") == ["Lookalike", "Near", "Same area"]
    assert titles("") == ["Far", "Lookalike", "Near", "Same area"]


@pytest.mark.django_db
def test_an_employer_gets_a_clear_error_for_a_bad_postcode(world):
    from django.core.exceptions import ValidationError

    from access.actor import actor_for_user
    from access.context import acting_as
    from employers.services import opportunity_create

    from .employer_world import soon

    employer = actor_for_user(world.a.users[Role.EMPLOYER])
    with acting_as(employer), pytest.raises(ValidationError) as refused:
        opportunity_create(
            actor=employer,
            title="Visit",
            kind="workplace_visit",
            setting="workplace",
            tier=1,
            start_date=soon(),
            capacity=3,
            year_groups=[9],
            hub_ids=[world.a.hub.pk],
            postcode="nowhere",
        )
    assert refused.value.message_dict == {
        "postcode": ["Enter a UK postcode, for example SW1A 1AA."]
    }

"""Issue 11 finding 4: the API refuses what the pages refuse, says which field is wrong, and
writes one datetime form a client can paste back."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from access.actor import actor_for_user
from access.context import acting_as
from access.roles import Role
from employers.services import opportunity_create
from learners.models import Experience, Learner
from learners.services import PLACEMENT_NOT_IN_PERSON

from .api_helpers import bearer, token_for

pytestmark = pytest.mark.django_db
R = Role
QUARTER_HOURS = "Give the duration to the nearest quarter hour."
UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@pytest.fixture
def api(client, world):
    """A client holding a read-write token of side A's careers leader."""
    return _api(client, world.a.users[R.CAREERS_LEADER])


def _api(client, user):
    headers = bearer(token_for(user))

    class Api:
        def get(self, url, **params):
            return client.get(url, data=params, **headers)

        def send(self, method, url, data=None):
            return client.generic(
                method, url, _json(data), content_type="application/json", **headers
            )

        def post(self, url, data):
            return self.send("POST", url, data)

        def patch(self, url, data):
            return self.send("PATCH", url, data)

    return Api()


def _json(data):
    import json

    return json.dumps(data if data is not None else {})


def _visit(world, **fields):
    return {
        "title": "Port visit",
        "kind": "workplace_visit",
        "setting": "workplace",
        "tier": 1,
        "start_date": "2025-11-03",
        "duration_hours": "5",
        "pupils": [world.a.pupil.pk],
        "criteria": ["M1", "M2", "M3"],
        **fields,
    }


def _errors(response) -> list[tuple[str, str]]:
    return [(error["attr"], error["detail"]) for error in response.json()["errors"]]


# Quarter hours


def test_a_duration_not_in_quarter_hours_is_refused_in_the_forms_words(api, world, unscoped):
    before = Experience.objects.count()
    response = api.post(reverse("api:experience-list"), _visit(world, duration_hours="1.1"))
    assert response.status_code == 400
    assert _errors(response) == [("duration_hours", QUARTER_HOURS)]
    assert Experience.objects.count() == before


def test_a_duration_with_more_decimals_than_cents_gets_the_same_words(api, world):
    response = api.post(reverse("api:experience-list"), _visit(world, duration_hours="1.125"))
    assert _errors(response) == [("duration_hours", QUARTER_HOURS)]


def test_changing_an_experience_to_a_non_quarter_duration_is_refused(api, world, unscoped):
    url = reverse("api:experience-detail", args=[world.a.experience.pk])
    response = api.patch(url, {"duration_hours": "2.1"})
    assert response.status_code == 400
    assert _errors(response) == [("duration_hours", QUARTER_HOURS)]
    world.a.experience.refresh_from_db()
    assert world.a.experience.duration_hours != 2.1


def test_a_quarter_hour_duration_is_accepted(api, world):
    response = api.post(reverse("api:experience-list"), _visit(world, duration_hours="1.25"))
    assert response.status_code == 201, response.content
    assert response.json()["duration_hours"] == "1.25"


# Placements are in person at a workplace


@pytest.mark.parametrize("setting", ["virtual", "in_school", "community"])
def test_a_placement_anywhere_but_a_workplace_is_refused_by_the_api(api, world, setting):
    placement = _visit(world, kind="placement", setting=setting, duration_hours="25")
    response = api.post(reverse("api:experience-list"), placement)
    assert response.status_code == 400
    assert _errors(response) == [("setting", PLACEMENT_NOT_IN_PERSON)]


def test_an_experience_cannot_be_changed_into_a_virtual_placement(api, world):
    url = reverse("api:experience-detail", args=[world.a.experience.pk])
    response = api.patch(url, {"kind": "placement", "setting": "virtual"})
    assert _errors(response) == [("setting", PLACEMENT_NOT_IN_PERSON)]


@pytest.mark.parametrize("step", ["_review", "_confirm"])
def test_the_class_logging_form_shows_the_placement_rule_on_the_setting_field(client, world, step):
    client.force_login(world.a.users[R.CAREERS_LEADER])
    response = client.post(
        reverse("experience_new"),
        {
            "title": "Remote placement",
            "kind": "placement",
            "setting": "virtual",
            "tier": "3",
            "start_date": "2025-11-03",
            "duration_amount": "5",
            "duration_unit": "days",
            "pupils": [world.a.pupil.pk],
            step: "1",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["setting"] == [PLACEMENT_NOT_IN_PERSON]


def test_an_employer_cannot_offer_a_virtual_placement(world):
    from django.core.exceptions import ValidationError

    employer = actor_for_user(world.a.users[R.EMPLOYER])
    with acting_as(employer) as actor, pytest.raises(ValidationError) as refused:
        opportunity_create(
            actor=actor,
            title="Remote week",
            kind="placement",
            setting="virtual",
            tier=3,
            start_date=datetime(2027, 1, 4).date(),
            capacity=3,
            year_groups=[10],
            hub_ids=[world.a.hub.pk],
        )
    assert refused.value.message_dict == {"setting": [PLACEMENT_NOT_IN_PERSON]}


# Tenant fields in a body


def test_a_school_in_a_body_is_refused_naming_the_field_and_nothing_is_saved(api, world, unscoped):
    before = Experience.objects.count()
    body = _visit(world, school=world.a.sibling_school.pk)
    response = api.post(reverse("api:experience-list"), body)
    assert response.status_code == 400
    assert _errors(response) == [
        ("school", "`school` cannot be set: records are saved to your token's school.")
    ]
    assert Experience.objects.count() == before


def test_an_update_may_send_back_the_records_own_school_but_not_another(api, world):
    url = reverse("api:experience-detail", args=[world.a.experience.pk])
    same = api.patch(url, {"title": "Renamed", "school": world.a.school.pk})
    assert same.status_code == 200, same.content
    other = api.patch(url, {"title": "Moved", "school": world.a.sibling_school.pk})
    assert [attr for attr, _ in _errors(other)] == ["school"]


@pytest.mark.parametrize("field", ["hub", "trust", "employer", "learner", "pupil"])
def test_every_tenant_field_is_refused_on_an_experience(api, world, field):
    url = reverse("api:experience-detail", args=[world.a.experience.pk])
    response = api.patch(url, {"title": "Renamed", field: 10**9})
    assert response.status_code == 400
    assert [attr for attr, _ in _errors(response)] == [field]


def test_a_tenant_field_in_one_pupil_of_a_bulk_upsert_names_that_record(api, world, unscoped):
    from learners.upn import upn_with_check_letter

    record = {
        "upn": upn_with_check_letter("888000000777"),
        "legal_first_name": "Ada",
        "surname": "Lovelace",
        "year_group": 8,
        "school": world.a.sibling_school.pk,
    }
    response = api.post(reverse("api:pupil-bulk-upsert"), {"pupils": [record]})
    assert response.status_code == 400
    assert [attr for attr, _ in _errors(response)] == ["pupils.0.school"]
    assert not Learner.objects.filter(upn=record["upn"]).exists()


def test_an_employer_in_an_opportunity_is_refused_but_its_hubs_are_accepted(client, world):
    from .employer_world import soon

    employer = _api(client, world.a.users[R.EMPLOYER])
    offer = {
        "title": "Week at the depot",
        "kind": "placement",
        "setting": "workplace",
        "tier": 3,
        "start_date": str(soon()),
        "capacity": 1,
        "year_groups": [10],
        "hubs": [world.a.hub.pk],
    }
    refused = employer.post(
        reverse("api:opportunity-list"), {**offer, "employer": world.a.sibling_employer.pk}
    )
    assert [attr for attr, _ in _errors(refused)] == ["employer"]
    assert employer.post(reverse("api:opportunity-list"), offer).status_code == 201


def test_a_report_request_still_names_its_school(api, world):
    body = {"kind": "school_b6", "school": world.a.school.pk}
    assert api.post(reverse("api:report-list"), body).status_code == 202


# updated_since and the datetime form


def test_updated_since_with_an_offset_beyond_postgres_range_is_normalised_to_utc(api, world):
    url = reverse("api:pupil-list")
    # 2000-01-01T16:00+16:00 is midnight UTC: every pupil changed after it.
    far_east = api.get(url, updated_since="2000-01-01T16:00:00+16:00")
    assert far_east.status_code == 200
    assert [p["upn"] for p in far_east.json()["results"]] == [world.a.pupil.upn]
    in_utc = api.get(url, updated_since="2000-01-01T00:00:00Z")
    assert far_east.json()["results"] == in_utc.json()["results"]


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "yesterday", "2026-02-30T00:00"],
)
def test_updated_since_that_is_no_moment_answers_400(api, value):
    for name in ("api:pupil-list", "api:experience-list", "api:pupil-progress-list"):
        response = api.get(reverse(name), updated_since=value)
        assert response.status_code == 400, (name, value)
        assert [attr for attr, _ in _errors(response)] == ["updated_since"]


def test_every_datetime_the_api_writes_is_utc_with_z(api, world):
    pupils = api.get(reverse("api:pupil-list")).json()
    experiences = api.get(reverse("api:experience-list")).json()
    written = [pupils["as_of"], experiences["as_of"]]
    written += [p["updated_at"] for p in pupils["results"]]
    for experience in experiences["results"]:
        written += [experience["created_at"], experience["updated_at"]]
        written += [p["updated_at"] for p in experience["participations"]]
    assert written and all(UTC_Z.match(value) for value in written), written


def test_as_of_pasted_back_into_updated_since_finds_the_changes_after_it(api, world, unscoped):
    as_of = api.get(reverse("api:pupil-list")).json()["as_of"]
    assert datetime.fromisoformat(as_of).tzinfo == UTC
    assert api.get(reverse("api:pupil-list"), updated_since=as_of).json()["results"] == []
    world.a.pupil.registration_group = "9Z"
    world.a.pupil.save()
    again = api.get(reverse("api:pupil-list"), updated_since=as_of).json()["results"]
    assert [p["upn"] for p in again] == [world.a.pupil.upn]


# Methods a route does not have


def test_a_method_a_route_does_not_implement_answers_405_with_allow(api, world):
    response = api.send("DELETE", reverse("api:pupil-detail", args=[world.a.pupil.pk]))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    me = api.send("POST", reverse("api:me"))
    assert (me.status_code, me["Allow"]) == (405, "GET, HEAD")


def test_a_role_without_the_capability_for_an_implemented_method_still_gets_404(client, world):
    employer = _api(client, world.a.users[R.EMPLOYER])
    assert employer.get(reverse("api:pupil-list")).status_code == 404
    assert employer.send("DELETE", reverse("api:pupil-list")).status_code == 405

"""The REST API as integrations use it: tokens, pupils, experiences, progress, reports,
sync, and the conventions (errors, ETags, throttling, constant query counts)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from api.models import ApiToken
from learners.academic import cohort_for
from learners.models import Experience, Learner, Participation, PupilProgress
from learners.progress import ProgressRules, days, with_progress
from learners.upn import upn_with_check_letter
from reports.models import ReportRun

from .api_helpers import bearer, token_for

pytestmark = pytest.mark.django_db
R = Role


@pytest.fixture
def leader(world):
    return world.a.users[R.CAREERS_LEADER]


@pytest.fixture
def api(client, leader):
    """A client holding a read-write token of side A's careers leader."""
    headers = bearer(token_for(leader))

    class Api:
        def get(self, url, **extra):
            return client.get(url, **headers, **extra)

        def post(self, url, data):
            return client.post(url, data, content_type="application/json", **headers)

        def patch(self, url, data):
            return client.patch(url, data, content_type="application/json", **headers)

        def delete(self, url):
            return client.delete(url, **headers)

    return Api()


def _pupil_record(n: int, **overrides) -> dict:
    return {
        "upn": upn_with_check_letter(f"888{n:09d}"),
        "legal_first_name": "Ada",
        "surname": f"Pupil{n}",
        "year_group": 9,
        "fsm": n % 2 == 0,
        **overrides,
    }


# Tokens


def test_a_token_is_shown_once_and_stored_only_as_a_digest(client, leader, unscoped):
    client.force_login(leader)
    page = client.post(reverse("api_tokens"), {"name": "SIMS sync", "membership": ""})
    assert page.status_code == 200
    membership = leader.memberships.get()
    page = client.post(
        reverse("api_tokens"), {"name": "SIMS sync", "membership": membership.pk, "can_write": "on"}
    )
    secret = page.context["secret"]
    assert secret.startswith("eqx_") and page["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    assert token.digest != secret and secret not in token.digest and not token.read_only
    assert secret not in client.get(reverse("api_tokens")).content.decode()
    me = client.get(reverse("api:me"), **bearer(secret)).json()
    assert me["role"] == "careers_leader" and me["token"]["read_only"] is False


def test_a_revoked_token_stops_working_at_once(client, leader):
    secret = token_for(leader)
    assert client.get(reverse("api:me"), **bearer(secret)).status_code == 200
    client.force_login(leader)
    with all_tenants_UNSAFE("test"):
        token = ApiToken.objects.get()
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    client.logout()
    response = client.get(reverse("api:me"), **bearer(secret))
    assert response.status_code == 401
    assert response.json()["errors"][0]["detail"] == "The token is unknown or has been revoked."


def test_nobody_can_revoke_someone_elses_token(client, world, leader):
    token_for(leader)
    with all_tenants_UNSAFE("test"):
        token = ApiToken.objects.get()
    client.force_login(world.a.users[R.SCHOOL_STAFF])
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    with all_tenants_UNSAFE("test"):
        assert ApiToken.objects.get().revoked_at is None


def test_a_read_only_token_cannot_write(client, leader, world):
    headers = bearer(token_for(leader, read_only=True))
    response = client.post(
        reverse("api:pupil-bulk-upsert"),
        {"pupils": [_pupil_record(1)]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] == "This token is read-only."
    with all_tenants_UNSAFE("test"):
        assert not Learner.objects.filter(surname="Pupil1").exists()


def test_a_school_token_sees_one_school(api, world):
    schools = api.get(reverse("api:school-list")).json()["results"]
    assert [school["id"] for school in schools] == [world.a.school.pk]


def test_a_hub_token_sees_its_hubs_schools_but_no_pupils(client, world):
    headers = bearer(token_for(world.a.users[R.HUB_LEAD]))
    schools = client.get(reverse("api:school-list"), **headers).json()["results"]
    assert {s["id"] for s in schools} == {world.a.school.pk, world.a.sibling_school.pk}
    assert client.get(reverse("api:pupil-list"), **headers).status_code == 404


def test_a_token_of_a_user_who_must_use_two_factors_is_refused_until_they_do(client, leader):
    secret = token_for(leader)
    with override_settings(EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS=True):
        response = client.get(reverse("api:me"), **bearer(secret))
    assert response.status_code == 401
    assert "two-factor" in response.json()["errors"][0]["detail"]


# Pupils


def test_bulk_upsert_creates_and_updates_by_upn_and_asks_for_pupils_on_other_rolls(
    api, world, unscoped
):
    # Known at the sibling school: stays there until released (tests/test_pupil_transfers).
    moving = world.a.sibling_pupil
    response = api.post(
        reverse("api:pupil-bulk-upsert"),
        {
            "pupils": [
                _pupil_record(1),
                _pupil_record(2, registration_group="9B", send="K"),
                {**_pupil_record(3), "upn": world.a.pupil.upn, "surname": "Renamed"},
                {**_pupil_record(4), "upn": moving.upn, "surname": moving.surname},
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 2,
        "updated": 1,
        "moved": 0,
        "awaiting_release": 1,
        "awaiting_release_upns": [moving.upn],
    }
    world.a.pupil.refresh_from_db()
    moving.refresh_from_db()
    assert world.a.pupil.surname == "Renamed"
    assert moving.school_id == world.a.sibling_school.pk
    second = Learner.objects.get(surname="Pupil2")
    assert (second.registration_group, second.send, second.school_id) == (
        "9B",
        "K",
        world.a.school.pk,
    )
    assert second.cohort == cohort_for(9, timezone.localdate())


def test_bulk_upsert_saves_nothing_and_names_every_bad_record(api, unscoped):
    before = Learner.objects.count()
    response = api.post(
        reverse("api:pupil-bulk-upsert"),
        {
            "pupils": [
                _pupil_record(1),
                _pupil_record(2, upn="NOT-A-UPN"),
                _pupil_record(3, year_group=5),
                _pupil_record(4, upn=_pupil_record(1)["upn"]),
            ]
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    attrs = sorted(error["attr"] for error in body["errors"])
    assert attrs == ["pupils.2.year_group"]  # the shape is checked first, field by field
    assert Learner.objects.count() == before

    response = api.post(
        reverse("api:pupil-bulk-upsert"),
        {
            "pupils": [
                _pupil_record(1),
                _pupil_record(2, upn="NOT-A-UPN"),
                _pupil_record(4, upn=_pupil_record(1)["upn"]),
            ]
        },
    )
    errors = {error["attr"]: error["detail"] for error in response.json()["errors"]}
    assert set(errors) == {"pupils.1.upn", "pupils.2.upn"}
    assert "duplicate UPN: also in record 0" in errors["pupils.2.upn"]
    assert Learner.objects.count() == before


def test_reading_pupils_is_audited(api, world, unscoped):
    api.get(reverse("api:pupil-list"))
    api.get(reverse("api:pupil-detail", args=[world.a.pupil.pk]))
    views = AuditEvent.objects.filter(action="view", model="learners.Learner")
    assert views.count() == 2
    assert set(views.values_list("object_pk", flat=True)) == {str(world.a.pupil.pk)}


# Experiences


def test_one_request_logs_an_experience_for_many_pupils(api, world, unscoped):
    pupils = [world.a.pupil.pk]
    response = api.post(
        reverse("api:experience-list"),
        {
            "title": "Hospital insight day",
            "kind": "insight_day",
            "setting": "workplace",
            "tier": 2,
            "start_date": "2025-11-03",
            "duration_hours": "5",
            "pupils": pupils,
            "employers": [world.a.employer.pk],
            "criteria": ["M1", "M2", "M3"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["criteria"] == ["M1", "M2", "M3"] and body["employers"] == [world.a.employer.pk]
    assert [(p["pupil"], p["hours_attended"]) for p in body["participations"]] == [
        (world.a.pupil.pk, "5.00")
    ]
    assert Participation.objects.filter(experience_id=body["id"]).count() == 1


def test_an_experience_cannot_name_another_schools_pupil(api, world, unscoped):
    before = Experience.objects.count()
    response = api.post(
        reverse("api:experience-list"),
        {
            "title": "Visit",
            "kind": "workplace_visit",
            "setting": "workplace",
            "tier": 1,
            "start_date": "2025-11-03",
            "duration_hours": "5",
            "pupils": [world.a.pupil.pk, world.b.pupil.pk],
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "detail": "Some of the chosen pupils are not available to you.",
            "attr": "pupils",
        }
    ]
    assert Experience.objects.count() == before


def test_changing_and_deleting_an_experience(api, world, unscoped):
    url = reverse("api:experience-detail", args=[world.a.experience.pk])
    response = api.patch(url, {"duration_hours": "10"})
    assert response.status_code == 200, response.content
    assert response.json()["participations"][0]["hours_attended"] == "10.00"
    assert api.delete(url).status_code == 204
    assert not Experience.objects.filter(pk=world.a.experience.pk).exists()


# Progress


def test_pupil_progress_is_the_progress_modules(api, world):
    as_at = date(2026, 7, 31)
    body = api.get(reverse("api:pupil-progress-list"), data={"as_at": as_at}).json()
    with acting_as(actor_for_user(world.a.users[R.CAREERS_LEADER])):
        expected = with_progress(
            Learner.objects.all(), rules=ProgressRules.for_hub(world.a.hub), as_at=as_at
        ).get(pk=world.a.pupil.pk)
    (row,) = body["results"]
    assert row["pupil"] == world.a.pupil.pk
    assert Decimal(row["ks3_days_counted"]) == days(expected.ks3_hours) == Decimal("1.00")
    assert row["ks3_week_met"] is expected.ks3_week_met is False
    assert row["behind"] is expected.behind
    assert row["reached_tiers"] == [1]


def test_school_progress_answers_the_compass_questions(api, world):
    # As at today the world's pupil is in Year 9 (the KS3 population) with one day.
    body = api.get(reverse("api:school-progress", args=[world.a.school.pk])).json()
    q1 = next(answer for answer in body["compass"] if answer["code"] == "Q1")
    assert (q1["numerator"], q1["denominator"], q1["band"]) == (0, 1, "None")


def test_a_bad_date_gets_a_field_error(api):
    response = api.get(reverse("api:pupil-progress-list"), data={"as_at": "31/07/2026"})
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"


# Reports


def test_asking_for_a_report_answers_202_with_where_to_poll(api, world, unscoped):
    wanted = {"kind": "school_b6", "school": world.a.school.pk, "as_at": "2026-07-31"}
    first = api.post(reverse("api:report-list"), wanted)
    second = api.post(reverse("api:report-list"), wanted)
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]  # the identical request joins
    assert first["Location"].endswith(reverse("api:report-detail", args=[first.json()["id"]]))
    status = api.get(first["Location"]).json()
    assert status["status"] == "queued" and status["downloads"] == {}
    download = reverse("api:report-download", kwargs={"pk": status["id"], "output": "pdf"})
    assert api.get(download).status_code == 404


def test_a_finished_report_can_be_downloaded(api, world):
    status = api.get(reverse("api:report-detail", args=[world.a.report.pk])).json()
    assert set(status["downloads"]) == {"json", "pdf"}
    pdf = api.get(status["downloads"]["pdf"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_school_cannot_ask_for_a_hub_dashboard(api):
    response = api.post(reverse("api:report-list"), {"kind": "hub_dashboard"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "kind"


def test_another_schools_report_cannot_be_asked_for(api, world, unscoped):
    response = api.post(
        reverse("api:report-list"), {"kind": "school_b6", "school": world.a.sibling_school.pk}
    )
    assert response.status_code == 404
    assert not ReportRun.objects.filter(school=world.a.sibling_school, status="queued").exists()


# Conventions


def test_reads_carry_an_etag_and_answer_304_when_unchanged(api):
    first = api.get(reverse("api:framework"))
    assert first.status_code == 200 and first["ETag"]
    again = api.get(reverse("api:framework"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    page = api.get(reverse("api:pupil-list"))
    assert api.get(reverse("api:pupil-list"), HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304


@override_settings(EQUALEX_API_RATE="3/minute")
def test_each_token_has_its_own_budget(client, world, leader):
    mine, theirs = bearer(token_for(leader)), bearer(token_for(world.a.users[R.SCHOOL_STAFF]))
    codes = [client.get(reverse("api:me"), **mine).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get(reverse("api:me"), **mine).json()["type"] == "client_error"
    assert client.get(reverse("api:me"), **theirs).status_code == 200


def test_the_schema_describes_every_route(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    assert "/api/v1/pupils/bulk-upsert/" in paths and "/api/v1/experiences/{id}/" in paths
    assert "apiToken" in schema.json()["components"]["securitySchemes"]


# Speed: serializers never query per row.


def _more_pupils(world, count, *, start, experience=None):
    with all_tenants_UNSAFE("test data"):
        pupils = Learner.all_tenants_UNSCOPED.bulk_create(
            Learner(
                hub_id=world.a.hub.pk,
                school=world.a.school,
                upn=upn_with_check_letter(f"888{start + n:09d}"),
                legal_first_name="P",
                surname=f"Extra{start + n}",
                cohort=cohort_for(7 + n % 5, date.today()),
            )
            for n in range(count)
        )
        experience = experience or world.a.experience
        Participation.all_tenants_UNSCOPED.bulk_create(
            Participation(
                hub_id=world.a.hub.pk,
                school=world.a.school,
                experience=experience,
                learner=pupil,
                start_date=experience.start_date,
                hours_attended=5,
            )
            for pupil in pupils
        )


def _queries(api, url, **params):
    api.get(reverse("api:me"))  # the token's first use of the minute writes last_used_at
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url, data=params)
        assert response.status_code == 200
    return len(captured), response.json()


def test_a_page_of_100_pupils_with_progress_takes_as_many_queries_as_a_page_of_10(api, world):
    _more_pupils(world, 9, start=1000)
    small, body = _queries(api, reverse("api:pupil-progress-list"))
    assert len(body["results"]) == 10
    _more_pupils(world, 150, start=2000)
    large, body = _queries(api, reverse("api:pupil-progress-list"))
    assert len(body["results"]) == 100
    assert small == large


def test_experiences_with_their_participations_take_a_fixed_number_of_queries(api, world):
    small, _ = _queries(api, reverse("api:experience-list"))
    for n in range(5):
        with all_tenants_UNSAFE("test data"):
            experience = Experience.objects.create(
                school=world.a.school,
                title=f"Extra {n}",
                kind="workplace_visit",
                setting="workplace",
                tier=1,
                start_date=date(2025, 11, 1) + timedelta(days=n),
                end_date=date(2025, 11, 1) + timedelta(days=n),
                duration_hours=5,
            )
            experience.employers.add(world.a.employer)
        _more_pupils(world, 20, start=3000 + 100 * n, experience=experience)
    large, body = _queries(api, reverse("api:experience-list"))
    assert sum(len(e["participations"]) for e in body["results"]) == 101
    assert small == large


# Sync


def _sync(api, since=None):
    seen, url = [], reverse("api:pupil-list")
    params = {"page_size": 100, **({"updated_since": since} if since else {})}
    first = api.get(url, data=params).json()
    as_of, page = first["as_of"], first
    while True:
        seen += [pupil["upn"] for pupil in page["results"]]
        if not page["next"]:
            return seen, as_of
        page = api.get(page["next"]).json()


def test_a_sync_sees_each_pupil_once_and_a_later_change_on_the_next(api, world, unscoped):
    _more_pupils(world, 999, start=5000)
    seen, as_of = _sync(api)
    assert len(seen) == len(set(seen)) == 1000

    nothing, _ = _sync(api, since=as_of)
    assert nothing == []

    changed = Learner.objects.get(surname="Extra5500")
    changed.registration_group = "10X"
    changed.save()
    later, _ = _sync(api, since=as_of)
    assert later == [changed.upn]


# Opportunities and nominations


def _client_for(client, user):
    headers = bearer(token_for(user))

    def post(url, data=None):
        return client.post(url, data or {}, content_type="application/json", **headers)

    def get(url, **params):
        return client.get(url, data=params, **headers)

    return get, post


def test_an_employer_offers_a_place_and_a_school_nominates_through_the_api(client, world):
    from .employer_world import make_pupils, make_vetting, soon

    side = world.a
    employer_get, employer_post = _client_for(client, side.users[R.EMPLOYER])
    school_get, school_post = _client_for(client, side.users[R.CAREERS_LEADER])
    offer = {
        "title": "Week at the depot",
        "kind": "placement",
        "setting": "workplace",
        "tier": 3,
        "start_date": str(soon()),
        "capacity": 1,
        "year_groups": [10],
        "hubs": [side.hub.pk],
        "starts_at": "08:30",
        "ends_at": "15:30",
        "address": "Unit 4, Depot Road, Leeds",
        "dress_code": "Safety boots (we lend them)",
        "onsite_contact_name": "Sam Foreman",
        "onsite_contact_phone": "0113 496 0000",
        "what_to_bring": "Packed lunch",
    }
    created = employer_post(reverse("api:opportunity-list"), offer)
    assert created.status_code == 201, created.content
    opportunity = created.json()
    assert (opportunity["status"], opportunity["places_left"]) == ("draft", 1)
    day = ("starts_at", "ends_at", "address", "dress_code", "onsite_contact_name")
    day += ("onsite_contact_phone", "what_to_bring")
    assert {k: opportunity[k] for k in day} == {
        **{k: offer[k] for k in day},
        "starts_at": "08:30:00",
        "ends_at": "15:30:00",
    }
    publish = reverse("api:opportunity-publish", args=[opportunity["id"]])
    refused = employer_post(publish)
    assert refused.status_code == 400
    assert "no safety check" in refused.json()["errors"][0]["detail"]

    make_vetting(side.employer, side.hub)
    assert employer_post(publish).json()["status"] == "published"
    listed = school_get(reverse("api:opportunity-list"))
    seen_by_school = {o["id"]: o for o in listed.json()["results"]}
    assert seen_by_school[opportunity["id"]]["address"] == "Unit 4, Depot Road, Leeds"

    first, second = make_pupils(side.school, 2, year_group=10, fsm=True)
    nominated = school_post(
        reverse("api:nomination-list"),
        {
            "opportunity": opportunity["id"],
            "pupils": [first.pk, second.pk],
            "shared_support_needs": {str(first.pk): "Uses a wheelchair"},
        },
    )
    assert nominated.status_code == 201, nominated.content

    seen = employer_get(reverse("api:nomination-list")).json()["results"]
    assert sorted(seen[0]) == [
        "decision_reason",
        "first_name",
        "id",
        "opportunity",
        "shared_support_needs",
        "status",
        "updated_at",
        "year_group",
    ]
    body = employer_get(reverse("api:nomination-list")).content.decode()
    assert first.surname not in body and first.upn not in body
    assert {(n["first_name"], n["year_group"]) for n in seen} == {
        (first.legal_first_name, 10),
        (second.legal_first_name, 10),
    }

    by_name = {n["first_name"]: n["id"] for n in seen}
    offered = employer_post(reverse("api:nomination-allocate", args=[by_name[first.first_name]]))
    assert offered.json()["status"] == "offered"
    full = employer_post(reverse("api:nomination-allocate", args=[by_name[second.first_name]]))
    assert full.status_code == 409
    assert full.json()["errors"][0]["detail"] == "The only place is taken."

    mine = school_get(reverse("api:nomination-list")).json()["results"]
    assert {n["pupil"]: n["status"] for n in mine} == {
        first.pk: "offered",
        second.pk: "refused_full",
    }


def test_logging_an_experience_for_30_pupils_takes_at_most_15_queries_ledger_included(
    api, world, unscoped
):
    _more_pupils(world, 30, start=3000)
    pupils = list(
        Learner.objects.filter(school=world.a.school).order_by("pk").values_list("pk", flat=True)
    )[:30]
    api.get(reverse("api:me"))  # the token's first use of the minute writes last_used_at
    with CaptureQueriesContext(connection) as captured:
        response = api.post(
            reverse("api:experience-list"),
            {
                "title": "Careers fair at the college",
                "kind": "workplace_visit",
                "setting": "workplace",
                "tier": 1,
                "start_date": "2026-11-03",
                "duration_hours": "5",
                "pupils": pupils,
                "employers": [world.a.employer.pk],
                "criteria": ["M1", "M2", "M3"],
            },
        )
    assert response.status_code == 201, response.content
    # The test's own transaction turns the service's BEGIN and COMMIT (not queries) into a
    # SAVEPOINT and its RELEASE (queries): those two are not counted.
    queries = [
        q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"].split()[0:2]
    ]
    assert len(queries) <= 15, "\n".join(sql[:120] for sql in queries)
    from learners.ledger import ledger_differences

    # Every pupil's ledger row was written in that same request, and says what raw says.
    assert PupilProgress.objects.filter(learner_id__in=pupils).count() == 30
    assert ledger_differences(Learner.objects.filter(pk__in=pupils)) == {}

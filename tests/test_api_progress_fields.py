"""Issue 11 finding 5: the API's pupil progress has every figure the pupil's timeline page
shows, under names that say what they count, documented in the schema, list and per pupil."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from api.schema import ScopedSchemaGenerator
from api.serializers import DEPRECATED_PROGRESS_FIELDS, PupilProgressSerializer
from hubs.models import Sector
from learners.models import Learner
from learners.progress import ProgressRules, with_progress
from learners.services import experience_log
from learners.upn import upn_with_check_letter

from .api_helpers import bearer, token_for

pytestmark = pytest.mark.django_db
R = Role
COHORT = 2023  # Year 7 in 2023/24, Year 9 in 2025/26, Year 10 in 2026/27
AS_AT = "2026-12-01"  # Year 10, 91 of KS4's 731 days gone


@pytest.fixture
def api(client, world):
    headers = bearer(token_for(world.a.users[R.CAREERS_LEADER]))

    class Api:
        def get(self, url, **params):
            return client.get(url, data=params, **headers)

    return Api()


@pytest.fixture
def history(world):
    """A Year 10 pupil: 2 in-person KS3 days (employer A), 3 virtual KS3 days (employer B,
    half a day beyond the 2.5-day cap), an in-school T3 project (counts zero) and a 5-day
    KS4 placement (employer A)."""
    with all_tenants_UNSAFE("test data"):
        pupil = Learner.objects.create(
            school=world.a.school,
            upn=upn_with_check_letter("888123426060"),
            legal_first_name="Nia",
            surname="History",
            cohort=COHORT,
        )
        first, second = Sector.objects.order_by("pk")[:2]
    a, b = world.a.employer, world.a.sibling_employer
    with acting_as(actor_for_user(world.a.users[R.CAREERS_LEADER])) as actor:

        def log(on, hours, kind, setting, tier, employers=(), sectors=()):
            experience_log(
                actor=actor,
                title=f"{kind} on {on}",
                kind=kind,
                setting=setting,
                tier=tier,
                start_date=on,
                duration_hours=Decimal(hours),
                pupil_ids=[pupil.pk],
                employer_ids=[e.pk for e in employers],
                sector_ids=[s.pk for s in sectors],
                criteria=["M1", "M2", "M3"],
            )

        log(date(2024, 3, 4), 10, "workplace_visit", "workplace", 1, [a], [first])
        log(date(2025, 2, 3), 15, "virtual_experience", "virtual", 2, [b], [second])
        log(date(2025, 5, 6), 5, "employer_project", "in_school", 3, [b], [second])
        log(date(2026, 10, 5), 25, "placement", "workplace", 3, [a], [first])
    return pupil


EXPECTED = {
    "year_group": 10,
    "as_at": AS_AT,
    "ks3_in_person_days": "2.00",
    "ks3_virtual_days_logged": "3.00",
    "ks3_virtual_days_counted": "2.50",
    "ks3_days_counted": "4.50",
    "ks3_expected_days": "5.00",
    "ks4_days_counted": "5.00",
    "ks4_placement_days_counted": "5.00",
    "ks4_expected_days": "0.62",  # 25 h x 91/731 = 3.11 h
    "total_days_uncapped": "10.00",  # 2 + 3 (virtual, not capped) + 5; in school is zero
    "ks3_employers": 2,
    "ks4_employers": 1,
    "ks3_sectors": 2,
    "ks4_sectors": 1,
    "ks3_tiers_reached": [1, 2, 3],  # T3 by the in-school project: attended, not counted
    "ks4_tiers_reached": [3],
    "tiers_reached": [1, 2, 3],
    "ks3_week_met": False,  # 4.5 counted days: the virtual cap keeps it short of 5
    "ks4_week_met": True,
    "ten_days_met": False,
    "behind": False,
    "status": "on_track",
    # Deprecated names, same figures for one release
    "ks3_days": "4.50",
    "ks3_virtual_days": "3.00",
    "ks4_days": "5.00",
    "ks4_placement_days": "5.00",
    "total_days": "10.00",
    "reached_tiers": [1, 2, 3],
}


def test_a_pupils_progress_has_every_figure_of_the_timeline_page_exactly(api, world, history):
    body = api.get(reverse("api:pupil-progress", args=[history.pk]), as_at=AS_AT).json()
    assert body == {
        "pupil": history.pk,
        "upn": history.upn,
        "school": world.a.school.pk,
        **EXPECTED,
    }


def test_the_list_gives_the_same_figures_as_the_per_pupil_endpoint(api, history):
    listed = api.get(reverse("api:pupil-progress-list"), as_at=AS_AT, cohort=COHORT).json()
    one = api.get(reverse("api:pupil-progress", args=[history.pk]), as_at=AS_AT).json()
    assert [row for row in listed["results"] if row["pupil"] == history.pk] == [one]


def test_status_says_behind_before_ten_days_met_and_on_track_otherwise(api, world):
    with all_tenants_UNSAFE("test data"):
        year_8 = Learner.objects.create(
            school=world.a.school,
            upn=upn_with_check_letter("888123426061"),
            legal_first_name="Lea",
            surname="Behind",
            cohort=2025,
        )
    body = api.get(reverse("api:pupil-progress", args=[year_8.pk]), as_at="2027-06-01").json()
    assert (body["behind"], body["status"], body["ks3_days_counted"]) == (True, "behind", "0.00")


def test_reading_one_pupils_progress_is_audited(api, world, history):
    api.get(reverse("api:pupil-progress", args=[history.pk]))
    with all_tenants_UNSAFE("test assertions"):
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.VIEW, model="learners.Learner", object_pk=str(history.pk)
        ).exists()


def test_another_schools_pupils_progress_is_not_found(api, world):
    assert api.get(reverse("api:pupil-progress", args=[world.b.pupil.pk])).status_code == 404
    sibling = world.a.sibling_pupil
    assert api.get(reverse("api:pupil-progress", args=[sibling.pk])).status_code == 404


def test_an_as_at_the_progress_rules_cannot_place_answers_400(api, history):
    url = reverse("api:pupil-progress", args=[history.pk])
    for value in ("0001-01-01", "9999-12-31", "2026-02-30"):
        response = api.get(url, as_at=value)
        assert response.status_code == 400, value
        assert response.json()["errors"][0]["attr"] == "as_at"


def _queries(api, url, **params):
    api.get(reverse("api:me"))  # the token's first use of the minute writes last_used_at
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url, data=params).status_code == 200
    return len(captured)


def test_one_pupils_progress_takes_a_fixed_number_of_queries_whatever_their_history(
    api, world, history
):
    with all_tenants_UNSAFE("test data"):
        fresh = Learner.objects.create(
            school=world.a.school,
            upn=upn_with_check_letter("888123426062"),
            legal_first_name="New",
            surname="Pupil",
            cohort=COHORT,
        )
    rich = _queries(api, reverse("api:pupil-progress", args=[history.pk]))
    empty = _queries(api, reverse("api:pupil-progress", args=[fresh.pk]))
    assert rich == empty


def test_hub_wide_totals_do_not_compute_the_per_pupil_extras(world):
    with acting_as(actor_for_user(world.a.users[R.CAREERS_LEADER])):
        plain = with_progress(Learner.objects.all(), rules=ProgressRules(), as_at=date.today())
        full = with_progress(
            Learner.objects.all(), rules=ProgressRules(), as_at=date.today(), variety=True
        )
    extras = {"ks3_reached_t1", "ks4_reached_t3", "ks4_employers", "ks3_virtual_counted_hours"}
    assert extras <= set(full.query.annotations)
    assert extras & set(plain.query.annotations) == set()


def _progress_schema():
    schema = ScopedSchemaGenerator().get_schema(request=None, public=True)
    return schema["components"]["schemas"]["PupilProgress"]["properties"]


def test_every_progress_field_is_described_in_the_schema():
    schema = ScopedSchemaGenerator().get_schema(request=None, public=True)
    component = schema["components"]["schemas"]["PupilProgress"]
    assert component["description"].startswith("A pupil's ten-day progress as at `as_at`")
    properties = component["properties"]
    assert set(properties) == set(PupilProgressSerializer.Meta.fields)
    undescribed = [name for name, field in properties.items() if not field.get("description")]
    assert undescribed == []


def test_the_old_progress_names_are_marked_deprecated_and_the_new_ones_are_not():
    properties = _progress_schema()
    deprecated = {name for name, field in properties.items() if field.get("deprecated")}
    assert deprecated == set(DEPRECATED_PROGRESS_FIELDS)


def test_both_progress_endpoints_share_one_schema_component():
    schema = ScopedSchemaGenerator().get_schema(request=None, public=True)
    one = schema["paths"]["/api/v1/pupils/{id}/progress/"]["get"]["responses"]["200"]
    listed = schema["components"]["schemas"]["PaginatedPupilProgressList"]
    assert one["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PupilProgress"
    }
    assert listed["properties"]["results"]["items"] == {
        "$ref": "#/components/schemas/PupilProgress"
    }


@pytest.mark.parametrize("from_ledger", [False, True])
def test_the_fast_representation_equals_drfs_field_by_field_one(world, history, from_ledger):
    from learners.ledger import ledger_rebuild

    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    today = date.today()
    with acting_as(leader):
        if from_ledger:
            with all_tenants_UNSAFE("test"):
                ledger_rebuild()
        rules = ProgressRules.for_hub(world.a.hub)
        progress = with_progress(Learner.objects.all(), rules=rules, as_at=today, variety=True)
        pupils = list(progress.values(*PupilProgressSerializer.row_names()))
    serializer = PupilProgressSerializer(context={"as_at": today})
    assert len(pupils) > 1
    for pupil in pupils:
        assert serializer.to_representation(pupil) == serializer.loop_representation(pupil)


@pytest.mark.parametrize("from_ledger", [False, True])
def test_rows_as_the_driver_types_them_equal_djangos_converted_rows(world, history, from_ledger):
    from django.db.models.query import ValuesIterable

    from api.views import pupils_with_progress
    from equalex.rows import DriverTypedValuesIterable
    from learners.ledger import ledger_rebuild

    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        if from_ledger:
            with all_tenants_UNSAFE("test"):
                ledger_rebuild()
        rows = pupils_with_progress(leader, Learner.objects.all(), date.today()).order_by("pk")
        assert rows._iterable_class is DriverTypedValuesIterable
        converted = rows._chain()
        converted._iterable_class = ValuesIterable
        driver_typed, django_typed = list(rows), list(converted)
    assert len(driver_typed) > 1
    assert driver_typed == django_typed
    for ours, djangos in zip(driver_typed, django_typed, strict=True):
        assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in djangos.items()}

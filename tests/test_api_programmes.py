"""The programme planner through the API (issue 16), read only: plans, their activities and
their coverage of the framework, for the school's and the hub lead's tokens. The figures
of a small plan are worked out by hand; who reads what follows access.rules."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from hubs.models import Sector
from learners.services import experience_log

from .api_helpers import bearer, token_for
from .programme_world import add_activities, make_plan, make_template

pytestmark = pytest.mark.django_db
R = Role

SMALL_PLAN = [
    {"title": "Visit", "year_group": 7, "term": "autumn", "expected_hours": 5,
     "objectives": ["T1.O1.a", "T1.O1.b"]},
    {"title": "Virtual week", "kind": "virtual_experience", "setting": "virtual",
     "year_group": 8, "term": "spring", "expected_hours": 10, "audience": "groups",
     "groups": ["7A", "7C"], "objectives": ["T1.O2.a"]},
    {"title": "Insight days", "kind": "insight_day", "tier": 2, "year_group": 9,
     "term": "summer", "expected_hours": 10, "audience": "disadvantaged",
     "objectives": ["T2.O1.a"]},
    {"title": "Placement week", "kind": "placement", "tier": 3, "year_group": 10,
     "term": "summer", "expected_hours": 25, "objectives": ["T3.O1.a", "T3.O1.b"]},
    {"title": "Supported placement", "kind": "placement", "tier": 3, "year_group": 11,
     "term": "spring", "expected_hours": "12.5", "audience": "send",
     "objectives": ["T3.O1.a"]},
]  # fmt: skip


def get(client, user, name, *args, **params):
    return client.get(reverse(name, args=args), params, **bearer(token_for(user)))


def ids(client, user, name, **params):
    response = get(client, user, name, **params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def small_plan(world):
    """The side A school's published plan for its Year 9 pupil's cohort."""
    return make_plan(world.a.school, world.a.pupil.cohort, activities=SMALL_PLAN)


def _coverage(client, user, plan):
    response = get(client, user, "api:plan-coverage", plan.pk)
    assert response.status_code == 200, response.content
    return response.json()


# -- The figures of a small plan --------------------------------------------------------


def test_coverage_counts_the_objectives_and_outcomes_the_plan_touches(client, world, small_plan):
    body = _coverage(client, world.a.users[R.CAREERS_LEADER], small_plan)
    assert body["plan"] == small_plan.pk
    assert body["totals"] == {
        "objectives": 20,
        "covered": 6,
        "delivered": 0,
        "outcomes": 7,
        "outcomes_covered": 4,
    }
    rows = {row["code"]: row for row in body["objectives"]}
    assert len(rows) == 20
    assert [code for code, row in rows.items() if row["covered"]] == [
        "T1.O1.a", "T1.O1.b", "T1.O2.a", "T2.O1.a", "T3.O1.a", "T3.O1.b",
    ]  # fmt: skip
    assert (rows["T3.O1.a"]["outcome"], rows["T3.O1.a"]["year_groups"]) == ("T3.O1", [10, 11])
    assert len(rows["T3.O1.a"]["activities"]) == 2
    assert rows["T1.O3.a"] == {
        "code": "T1.O3.a",
        "outcome": "T1.O3",
        "covered": False,
        "year_groups": [],
        "activities": [],
        "delivered": False,
    }


def test_the_tiers_progress_when_each_starts_after_the_one_below(client, world, small_plan):
    progression = _coverage(client, world.a.users[R.CAREERS_LEADER], small_plan)["progression"]
    assert progression == {
        "progresses": True,
        "starts": [
            {"tier": 1, "year_group": 7, "term": "autumn"},
            {"tier": 2, "year_group": 9, "term": "summer"},
            {"tier": 3, "year_group": 10, "term": "summer"},
        ],
        "out_of_order": [],
    }


def test_a_placement_before_any_tier_1_or_2_breaks_the_progression(client, world):
    template = make_template(
        world.a.hub,
        activities=[
            {"title": "Placement", "kind": "placement", "tier": 3, "year_group": 8},
            {"title": "Talk", "kind": "employer_talk", "tier": 1, "year_group": 9},
        ],
    )
    progression = _coverage(client, world.a.users[R.HUB_LEAD], template)["progression"]
    assert progression["progresses"] is False
    assert progression["starts"][1] == {"tier": 2, "year_group": None, "term": None}
    assert progression["out_of_order"] == [
        {"tier": 3, "starts_before": 1},
        {"tier": 3, "starts_before": 2},
    ]


def test_logging_an_experience_against_an_activity_marks_its_objectives_delivered(
    client, world, small_plan
):
    leader = actor_for_user(world.a.users[R.CAREERS_LEADER])
    with all_tenants_UNSAFE("test"):
        visit = small_plan.activities.get(title="Visit")
    with acting_as(leader):
        experience_log(
            actor=leader,
            title="Hospital visit",
            kind="workplace_visit",
            setting="workplace",
            tier=1,
            start_date=timezone.localdate() - timedelta(days=40),
            duration_hours=Decimal(5),
            pupil_ids=[world.a.pupil.pk],
            employer_ids=[world.a.employer.pk],
            planned_activity_id=visit.pk,
        )
    # The careers leader and the hub lead read the same figures, and no pupil in them.
    for role in (R.CAREERS_LEADER, R.HUB_LEAD):
        response = get(client, world.a.users[role], "api:plan-coverage", small_plan.pk)
        body = response.json()
        assert body["totals"]["delivered"] == 2, role
        delivered = [row["code"] for row in body["objectives"] if row["delivered"]]
        assert delivered == ["T1.O1.a", "T1.O1.b"], role
        text = response.content.decode()
        assert world.a.pupil.surname not in text and world.a.pupil.upn not in text


def test_a_plan_says_what_it_is_and_how_many_activities_it_has(client, world, small_plan):
    response = get(client, world.a.users[R.SCHOOL_STAFF], "api:plan-detail", small_plan.pk)
    body = response.json()
    assert {name: body[name] for name in ("school", "cohort", "status", "is_template")} == {
        "school": world.a.school.pk,
        "cohort": world.a.pupil.cohort,
        "status": "published",
        "is_template": False,
    }
    assert (body["activity_count"], body["copied_from"]) == (5, None)
    template = make_template(world.a.hub, activities=SMALL_PLAN[:2])
    body = get(client, world.a.users[R.SCHOOL_STAFF], "api:plan-detail", template.pk).json()
    assert (body["school"], body["cohort"], body["is_template"]) == (None, None, True)
    assert body["activity_count"] == 2


def test_an_activity_gives_its_days_its_audience_and_its_objectives(client, world, small_plan):
    sector = Sector.objects.order_by("name").first()
    with all_tenants_UNSAFE("test"):
        virtual = small_plan.activities.get(title="Virtual week")
        virtual.sectors.set([sector])
        virtual.employers.set([world.a.employer])
    body = get(
        client, world.a.users[R.CAREERS_LEADER], "api:planned-activity-detail", virtual.pk
    ).json()
    assert body == {
        "id": virtual.pk,
        "plan": small_plan.pk,
        "title": "Virtual week",
        "kind": "virtual_experience",
        "setting": "virtual",
        "tier": 1,
        "year_group": 8,
        "term": "spring",
        "expected_hours": "10.00",
        "expected_days": "2.00",
        "audience": "groups",
        "groups": ["7A", "7C"],
        "objectives": body["objectives"],
        "objective_codes": ["T1.O2.a"],
        "sectors": [sector.pk],
        "sector_names": [sector.name],
        "employers": [world.a.employer.pk],
        "updated_at": body["updated_at"],
    }
    assert len(body["objectives"]) == 1


def test_activities_filter_by_plan_and_year_group(client, world, small_plan):
    other = make_plan(world.a.school, world.a.pupil.cohort + 1, activities=SMALL_PLAN[:1])
    leader = world.a.users[R.CAREERS_LEADER]
    response = get(client, leader, "api:planned-activity-list", plan=small_plan.pk)
    rows = response.json()["results"]
    assert [(row["title"], row["expected_days"]) for row in rows] == [
        ("Visit", "1.00"),
        ("Virtual week", "2.00"),
        ("Insight days", "2.00"),
        ("Placement week", "5.00"),
        ("Supported placement", "2.50"),
    ]
    assert len(ids(client, leader, "api:planned-activity-list", plan=other.pk)) == 1
    titles = get(client, leader, "api:planned-activity-list", year_group=7).json()["results"]
    assert [row["plan"] for row in titles] == [small_plan.pk, other.pk]


def test_plans_changed_since_a_moment_are_all_a_sync_asks_for(client, world, small_plan):
    old = make_plan(world.a.school, world.a.pupil.cohort + 1)
    with all_tenants_UNSAFE("test"):
        type(old).objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    leader = world.a.users[R.CAREERS_LEADER]
    assert ids(client, leader, "api:plan-list", updated_since=since) == {small_plan.pk}


def test_plans_and_activities_cannot_be_written_through_the_api(client, world, small_plan):
    secret = bearer(token_for(world.a.users[R.CAREERS_LEADER]))
    for url in (reverse("api:plan-list"), reverse("api:planned-activity-list")):
        response = client.post(url, {"title": "x"}, content_type="application/json", **secret)
        assert response.status_code == 405
    response = client.delete(reverse("api:plan-detail", args=[small_plan.pk]), **secret)
    assert response.status_code == 405


# -- Who reads which plans ---------------------------------------------------------------


@pytest.fixture
def plans(world):
    """Every kind of plan in both hubs, by name."""
    a, b = world.a, world.b
    cohort = a.pupil.cohort
    made = {
        "own": make_plan(a.school, cohort, activities=[{"title": "Visit"}]),
        "own draft": make_plan(a.school, cohort + 1, status="draft", activities=[{}]),
        "sibling": make_plan(a.sibling_school, cohort, activities=[{"title": "Visit"}]),
        "sibling draft": make_plan(a.sibling_school, cohort + 1, status="draft"),
        "template": make_template(a.hub, activities=[{"title": "Visit"}]),
        "draft template": make_template(a.hub, status="draft", title="Draft", activities=[{}]),
        "foreign": make_plan(b.school, cohort, activities=[{"title": "Visit"}]),
        "foreign template": make_template(b.hub, activities=[{"title": "Visit"}]),
    }
    return made


def _names(plans, found):
    return sorted(name for name, plan in plans.items() if plan.pk in found)


def test_a_careers_leader_reads_the_schools_plans_drafts_too_and_the_hubs_templates(
    client, world, plans
):
    found = ids(client, world.a.users[R.CAREERS_LEADER], "api:plan-list")
    assert _names(plans, found) == ["own", "own draft", "template"]


def test_school_staff_read_only_published_plans_and_templates(client, world, plans):
    staff = world.a.users[R.SCHOOL_STAFF]
    assert _names(plans, ids(client, staff, "api:plan-list")) == ["own", "template"]
    draft = plans["own draft"]
    assert get(client, staff, "api:plan-detail", draft.pk).status_code == 404
    assert get(client, staff, "api:plan-coverage", draft.pk).status_code == 404
    activities = get(client, staff, "api:planned-activity-list").json()["results"]
    assert {row["plan"] for row in activities} == {plans["own"].pk, plans["template"].pk}


def test_a_hub_lead_reads_its_templates_drafts_too_and_its_schools_published_plans(
    client, world, plans
):
    lead = world.a.users[R.HUB_LEAD]
    found = ids(client, lead, "api:plan-list")
    assert _names(plans, found) == ["draft template", "own", "sibling", "template"]
    templates = ids(client, lead, "api:plan-list", template="true")
    assert _names(plans, templates) == ["draft template", "template"]
    activities = get(client, lead, "api:planned-activity-list").json()["results"]
    assert {row["plan"] for row in activities} == {
        plans[name].pk for name in ("own", "sibling", "template", "draft template")
    }
    assert get(client, lead, "api:plan-detail", plans["sibling draft"].pk).status_code == 404
    assert get(client, lead, "api:plan-coverage", plans["foreign"].pk).status_code == 404


@pytest.mark.parametrize("role", [R.TRUST_LEAD, R.EMPLOYER, R.NATIONAL_ANALYST, R.PUPIL])
def test_nobody_else_reads_any_plan(client, world, plans, role):
    user = world.a.users[role]
    client.force_login(user)  # a pupil cannot make a token; the API refuses their session
    for name in ("api:plan-list", "api:planned-activity-list"):
        assert client.get(reverse(name)).status_code == 404, (role, name)
    for name in ("api:plan-detail", "api:plan-coverage"):
        assert client.get(reverse(name, args=[plans["own"].pk])).status_code == 404


# -- The schema and the cost -------------------------------------------------------------


def test_the_schema_documents_the_planners_routes(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    body = schema.json()
    paths = body["paths"]
    for path in (
        "/api/v1/plans/",
        "/api/v1/plans/{id}/",
        "/api/v1/plans/{id}/coverage/",
        "/api/v1/planned-activities/",
        "/api/v1/planned-activities/{id}/",
    ):
        assert set(paths[path]) == {"get"}, path
    coverage = paths["/api/v1/plans/{id}/coverage/"]["get"]["responses"]["200"]
    assert coverage["content"]["application/json"]["schema"]["$ref"].endswith("/PlanCoverage")
    parameters = {p["name"] for p in paths["/api/v1/planned-activities/"]["get"]["parameters"]}
    assert {"plan", "updated_since", "cursor"} <= parameters
    assert "activity_count" in body["components"]["schemas"]["ProgrammePlan"]["properties"]


def _queries(client, secret, url):
    client.get(reverse("api:me"), **secret)  # the token's first use writes last_used_at
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **secret)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def _grow(world, plan, *, plans: int, activities: int):
    """More plans of the side's school and more activities (with objectives, sectors and
    employers) in the plan."""
    sector = Sector.objects.first()
    for n in range(plans):
        make_plan(world.a.school, 2000 + n, activities=SMALL_PLAN[:2])
    made = add_activities(
        plan,
        [
            {**SMALL_PLAN[n % 5], "title": f"More {n}", "sectors": [sector]}
            for n in range(activities)
        ],
    )
    with all_tenants_UNSAFE("test"):
        for activity in made:
            activity.employers.set([world.a.employer])


@pytest.mark.parametrize("role", [R.CAREERS_LEADER, R.HUB_LEAD])
def test_plans_activities_and_coverage_take_a_fixed_number_of_queries(
    client, world, small_plan, role
):
    secret = bearer(token_for(world.a.users[role]))
    urls = {
        "plans": reverse("api:plan-list"),
        "activities": reverse("api:planned-activity-list"),
        "coverage": reverse("api:plan-coverage", args=[small_plan.pk]),
    }
    small = {name: _queries(client, secret, url)[0] for name, url in urls.items()}
    _grow(world, small_plan, plans=12, activities=30)
    large = {name: _queries(client, secret, url) for name, url in urls.items()}
    assert {name: count for name, (count, _body) in large.items()} == small
    assert len(large["plans"][1]["results"]) == 13
    assert len(large["activities"][1]["results"]) == 5 + 12 * 2 + 30
    assert large["coverage"][1]["totals"]["covered"] == 6

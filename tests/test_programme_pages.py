"""The programme planner's pages: a careers leader plans from a hub template, adapts and
publishes; colleagues see only published plans; the hub sees its schools' published plans,
coverage across them and where many plan the same sector and term. Pages run a fixed
number of queries whatever the plan's and the cohort's size."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from hubs.models import Sector
from learners.academic import academic_year_of, cohort_for
from learners.models import Experience, Learner
from learners.upn import upn_with_check_letter
from programmes import selectors
from programmes.models import PlannedActivity, ProgrammePlan

from .programme_world import add_activities, make_plan, make_template

pytestmark = pytest.mark.django_db


def signed_in(client, side, role):
    client.force_login(side.users[role])
    return client


def year_9_cohort():
    return cohort_for(9, timezone.localdate())


def test_a_careers_leader_copies_a_template_adapts_and_publishes_it(client, world):
    template = make_template(
        world.a.hub,
        title="Growth sectors",
        activities=[
            {"title": "Fair", "year_group": 7, "objectives": ["T1.O1.a"]},
            {"title": "Placement", "kind": "placement", "tier": 3, "year_group": 10,
             "term": "summer", "expected_hours": 25, "audience": "disadvantaged"},
        ],
    )  # fmt: skip
    signed_in(client, world.a, Role.CAREERS_LEADER)
    response = client.post(
        reverse("programme_plan_new"),
        {"cohort": year_9_cohort(), "template": template.pk, "title": "", "summary": ""},
    )
    plan = ProgrammePlan.all_tenants_UNSCOPED.get(school=world.a.school)
    assert response.status_code == 302
    assert (plan.title, plan.status, plan.copied_from_id) == (
        "Growth sectors",
        "draft",
        template.pk,
    )
    with all_tenants_UNSAFE("test"):
        copied = {a.title: a for a in plan.activities.prefetch_related("objectives")}
    assert set(copied) == {"Fair", "Placement"}
    assert [o.code for o in copied["Fair"].objectives.all()] == ["T1.O1.a"]
    assert copied["Placement"].audience == "disadvantaged"
    # Adapt: a group-only activity, then publish.
    response = client.post(
        reverse("programme_activity_new", args=[plan.pk]),
        {"title": "Shadowing for 9A", "year_group": 9, "term": "spring", "kind": "work_shadowing",
         "setting": "workplace", "tier": 2, "duration_amount": "1", "duration_unit": "days",
         "audience": "groups", "groups": "9A, 9B"},
    )  # fmt: skip
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        shadowing = PlannedActivity.objects.get(plan=plan, title="Shadowing for 9A")
    assert (shadowing.groups, shadowing.expected_hours) == (["9A", "9B"], Decimal(5))
    client.post(reverse("programme_plan_publish", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == "published"
    # The template is untouched by the copy's changes.
    with all_tenants_UNSAFE("test"):
        assert template.activities.count() == 2


def test_a_second_plan_for_the_same_cohort_is_refused_with_a_reason(client, world):
    make_plan(world.a.school, year_9_cohort(), status="draft")
    signed_in(client, world.a, Role.CAREERS_LEADER)
    response = client.post(
        reverse("programme_plan_new"), {"cohort": year_9_cohort(), "title": "Again"}
    )
    assert response.status_code == 400
    assert "already has a plan" in response.content.decode()


def test_a_groups_activity_names_its_groups(client, world):
    plan = make_plan(world.a.school, year_9_cohort(), status="draft")
    signed_in(client, world.a, Role.CAREERS_LEADER)
    response = client.post(
        reverse("programme_activity_new", args=[plan.pk]),
        {"title": "Shadowing", "year_group": 9, "term": "spring", "kind": "work_shadowing",
         "setting": "workplace", "tier": 2, "duration_amount": "1", "duration_unit": "days",
         "audience": "groups", "groups": ""},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Name at least one registration group" in response.content.decode()
    with all_tenants_UNSAFE("test"):
        assert not plan.activities.exists()


def test_school_staff_see_published_plans_only(client, world):
    draft = make_plan(world.a.school, year_9_cohort(), status="draft")
    signed_in(client, world.a, Role.SCHOOL_STAFF)
    assert client.get(reverse("programme_plan", args=[draft.pk])).status_code == 404
    signed_in(client, world.a, Role.CAREERS_LEADER)
    assert client.get(reverse("programme_plan", args=[draft.pk])).status_code == 200


def test_templates_are_the_hubs_own_and_drafts_only_its_leads(client, world):
    published = make_template(world.a.hub, title="Ours")
    draft = make_template(world.a.hub, title="Ours, unfinished", status="draft")
    foreign = make_template(world.b.hub, title="Theirs")
    expected = {
        Role.HUB_LEAD: (200, 200, 404),
        Role.CAREERS_LEADER: (200, 404, 404),
        Role.SCHOOL_STAFF: (200, 404, 404),
        Role.TRUST_LEAD: (404, 404, 404),
        Role.EMPLOYER: (404, 404, 404),
    }
    for role, statuses in expected.items():
        signed_in(client, world.a, role)
        seen = tuple(
            client.get(reverse("programme_plan", args=[plan.pk])).status_code
            for plan in (published, draft, foreign)
        )
        assert seen == statuses, role


def test_a_hub_lead_reads_a_schools_plan_without_its_pupils(client, world):
    plan = make_plan(world.a.school, world.a.pupil.cohort, activities=[{"title": "Visit"}])
    signed_in(client, world.a, Role.HUB_LEAD)
    page = client.get(reverse("programme_plan", args=[plan.pk])).content.decode()
    assert "Visit" in page
    assert world.a.pupil.surname not in page
    assert "Days the plan gives each group" not in page
    assert client.get(reverse("programme_activity_new", args=[plan.pk])).status_code == 404


def test_the_hub_sees_demand_by_sector_and_term_across_its_schools(world):
    health, digital = Sector.objects.order_by("name")[:2]
    as_at = date(2026, 9, 10)
    cohort = academic_year_of(as_at) - 1  # in Year 8 in 2026/27
    spring = {"year_group": 8, "term": "spring"}
    make_plan(world.a.school, cohort, activities=[
        {"title": "A", "sectors": [health], "objectives": ["T1.O1.a"], **spring},
        {"title": "A2", "sectors": [health], **spring},
        {"title": "Old", "sectors": [digital], "year_group": 7},  # last year: not demand
    ])  # fmt: skip
    make_plan(world.a.sibling_school, cohort, activities=[
        {"title": "B", "sectors": [health], "objectives": ["T1.O1.a"], **spring},
        {"title": "B2", "sectors": [digital], "year_group": 9, "term": "autumn"},
    ])  # fmt: skip
    make_plan(world.a.school, cohort - 1, status="draft", activities=[
        {"title": "Draft", "sectors": [health], "year_group": 9, "term": "spring"},
    ])  # fmt: skip
    make_plan(world.b.school, cohort, activities=[{"title": "Theirs", "sectors": [health]}])
    lead = actor_for_user(world.a.users[Role.HUB_LEAD])
    with acting_as(lead):
        hub = selectors.hub_programmes(actor=lead, as_at=as_at)
    assert [(r.sector, r.academic_year, r.term, r.schools, r.activities) for r in hub.demand] == [
        (health.name, 2026, "spring", 2, 3),
        (digital.name, 2027, "autumn", 1, 1),
    ]
    assert (hub.school_count, hub.with_a_plan) == (2, 2)
    assert [row.published for row in hub.schools] == [1, 1]
    covered = {o.code: n for _outcome, rows in hub.coverage for o, n in rows}
    assert covered["T1.O1.a"] == 2
    assert covered["T1.O1.b"] == 0


def _grow(school, cohort, *, pupils: int, start: int):
    with all_tenants_UNSAFE("test"):
        Learner.all_tenants_UNSCOPED.bulk_create(
            Learner(
                hub_id=school.hub_id,
                school=school,
                legal_first_name="P",
                surname=f"Grown{n}",
                upn=upn_with_check_letter(f"888{start + n:09d}"),
                cohort=cohort,
                registration_group="9A" if n % 2 else "9B",
                disadvantaged=n % 3 == 0,
                send="K" if n % 7 == 0 else "N",
            )
            for n in range(pupils)
        )


def _activities(count: int, start: int):
    kinds = [
        {"kind": "workplace_visit", "setting": "workplace"},
        {"kind": "virtual_experience", "setting": "virtual", "audience": "behind"},
        {"kind": "placement", "setting": "workplace", "tier": 3, "year_group": 10},
        {"kind": "employer_project", "setting": "in_school", "audience": "groups",
         "groups": ["9A"]},
        {"kind": "insight_day", "setting": "workplace", "audience": "send", "year_group": 8},
    ]  # fmt: skip
    return [
        {"title": f"Activity {start + n}", "objectives": ["T1.O1.a", "T2.O1.b"],
         "term": ("autumn", "spring", "summer")[n % 3], **kinds[n % len(kinds)]}
        for n in range(count)
    ]  # fmt: skip


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("route", ["programme_plan", "programme_plan_pupils"])
def test_plan_pages_run_the_same_queries_for_a_bigger_plan_and_cohort(client, world, route):
    cohort = year_9_cohort()
    plan = make_plan(world.a.school, cohort, activities=_activities(3, 0))
    _grow(world.a.school, cohort, pupils=5, start=800000)
    signed_in(client, world.a, Role.CAREERS_LEADER)
    url = reverse(route, args=[plan.pk])
    client.get(url)  # warm the session and per-process caches
    small = _queries(client, url)
    add_activities(plan, _activities(25, 3))
    _grow(world.a.school, cohort, pupils=60, start=810000)
    assert _queries(client, url) == small


def test_the_hub_page_runs_the_same_queries_for_more_plans(client, world):
    signed_in(client, world.a, Role.HUB_LEAD)
    url = reverse("hub_programmes")
    make_plan(world.a.school, year_9_cohort(), activities=_activities(2, 0))
    client.get(url)
    small = _queries(client, url)
    make_plan(world.a.sibling_school, year_9_cohort(), activities=_activities(20, 2))
    make_plan(world.a.school, year_9_cohort() + 1, activities=_activities(20, 30))
    assert _queries(client, url) == small


def test_reading_the_pupils_of_a_plan_is_audited(client, world):
    plan = make_plan(world.a.school, world.a.pupil.cohort, activities=[{"title": "Visit"}])
    signed_in(client, world.a, Role.CAREERS_LEADER)
    client.get(reverse("programme_plan_pupils", args=[plan.pk]))
    assert AuditEvent.all_tenants_UNSCOPED.filter(
        action="view", model="learners.Learner", object_pk=str(world.a.pupil.pk)
    ).exists()


def test_log_it_fills_in_the_activity_and_its_pupils_and_links_the_experience(client, world):
    cohort = world.a.pupil.cohort
    with all_tenants_UNSAFE("test"):
        Learner.objects.filter(pk=world.a.pupil.pk).update(registration_group="9A")
    _grow(world.a.school, cohort, pupils=4, start=820000)  # 9A and 9B
    plan = make_plan(world.a.school, cohort)
    [activity] = add_activities(plan, [{
        "title": "Shadowing", "kind": "work_shadowing", "tier": 2, "year_group": 9,
        "expected_hours": Decimal("7.5"), "audience": "groups", "groups": ["9A"],
        "objectives": ["T2.O2.a"],
    }])  # fmt: skip
    signed_in(client, world.a, Role.CAREERS_LEADER)
    page = client.get(reverse("experience_new") + f"?activity={activity.pk}")
    form = page.context["form"]
    assert form.initial["planned_activity"] == activity.pk
    assert form.initial["duration_amount"] == Decimal("1.5")
    with all_tenants_UNSAFE("test"):
        group_9a = set(
            Learner.objects.filter(
                school=world.a.school, cohort=cohort, registration_group="9A"
            ).values_list("pk", flat=True)
        )
    assert page.context["chosen_ids"] == group_9a
    fields = {
        "title": "Shadowing at the council", "kind": "work_shadowing", "setting": "workplace",
        "tier": 2, "start_date": timezone.localdate().isoformat(), "duration_amount": "1.5",
        "duration_unit": "days", "planned_activity": activity.pk, "criteria": ["M1", "M2", "M3"],
        "pupils": sorted(group_9a), "_confirm": "1",
    }  # fmt: skip
    response = client.post(reverse("experience_new"), fields)
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        logged = Experience.objects.get(title="Shadowing at the council")
    assert logged.planned_activity_id == activity.pk
    plan_page = client.get(reverse("programme_plan", args=[plan.pk]))
    shadowing = plan_page.context["overview"].activities[0]
    assert (shadowing.planned_pupils, shadowing.delivered_pupils) == (len(group_9a),) * 2


def test_the_check_page_suggests_the_activity_an_experience_delivers(client, world):
    cohort = world.a.pupil.cohort
    plan = make_plan(world.a.school, cohort)
    today = timezone.localdate()
    from learners.academic import year_group_on
    from programmes.rules import term_of

    add_activities(plan, [{
        "title": "Visit this term", "year_group": year_group_on(cohort, today),
        "term": term_of(today),
    }])  # fmt: skip
    signed_in(client, world.a, Role.CAREERS_LEADER)
    fields = {
        "title": "Visit", "kind": "workplace_visit", "setting": "workplace", "tier": 1,
        "start_date": today.isoformat(), "duration_amount": "1", "duration_unit": "days",
        "criteria": ["M1", "M2", "M3"], "pupils": [world.a.pupil.pk], "_review": "1",
    }  # fmt: skip
    page = client.post(reverse("experience_new"), fields).content.decode()
    assert "Is it part of a cohort&#x27;s programme?" in page or "Is it part of a cohort" in page
    assert "Visit this term" in page


def test_editing_an_experience_can_unlink_it_from_the_plan(client, world):
    plan = make_plan(world.a.school, world.a.pupil.cohort)
    [activity] = add_activities(plan, [{"title": "Visit", "year_group": 9}])
    with all_tenants_UNSAFE("test"):
        Experience.objects.filter(pk=world.a.experience.pk).update(planned_activity=activity)
    signed_in(client, world.a, Role.CAREERS_LEADER)
    url = reverse("experience_edit", args=[world.a.experience.pk])
    form = client.get(url).context["form"]
    assert form.initial["planned_activity"] == activity.pk
    data = {
        name: value
        for name, value in {**form.initial, "planned_activity": ""}.items()
        if name not in ("employers", "sectors", "objectives", "criteria")
    }
    data.update(
        start_date=world.a.experience.start_date.isoformat(),
        end_date=world.a.experience.end_date.isoformat(),
        criteria=["M1", "M2", "M3"],
        pupils=[world.a.pupil.pk],
        _confirm="1",
    )
    assert client.post(url, data).status_code == 302
    world.a.experience.refresh_from_db()
    assert world.a.experience.planned_activity_id is None


def test_an_experience_cannot_deliver_another_schools_activity(world):
    from learners.services import experience_log

    plan = make_plan(world.a.sibling_school, world.a.pupil.cohort)
    [theirs] = add_activities(plan, [{"title": "Theirs"}])
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader), pytest.raises(ValidationError, match="not in your school's programme"):
        experience_log(
            actor=leader,
            title="Visit",
            kind="workplace_visit",
            setting="workplace",
            tier=1,
            start_date=date(2026, 10, 5),
            duration_hours=Decimal(5),
            pupil_ids=[world.a.pupil.pk],
            planned_activity_id=theirs.pk,
        )

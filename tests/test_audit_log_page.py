"""The audit log page and its CSV: who sees which events, the filters, the export's own
event, failed sign-ins, and a query count that does not grow with the events."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import AuditEvent
from access.roles import Role

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

A = AuditEvent.Action


def _event(side, *, school=True, action=A.VIEW, model="learners.Learner", pk=None, user=None):
    return AuditEvent.all_tenants_UNSCOPED.create(
        user=user,
        actor_description="test",
        action=action,
        model=model,
        object_pk=str(pk if pk is not None else side.pupil.pk),
        hub_id=side.hub.pk,
        school_id=side.school.pk if school else None,
    )


def _page_ids(client, **params):
    response = client.get(reverse("audit_log"), params)
    assert response.status_code == 200, response.content[:500]
    return [e.pk for e in response.context["page"]]


def _csv(client, **params):
    response = client.get(reverse("audit_log_csv"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def events(world):
    a, b = world.a, world.b
    leader = a.users[Role.CAREERS_LEADER]
    # Building the world wrote its own events (pupils created); start from a clean trail.
    AuditEvent.all_tenants_UNSCOPED.all().delete()
    return {
        "own": _event(a, user=leader),
        "own_update": _event(a, action=A.UPDATE, user=a.users[Role.SCHOOL_STAFF]),
        "sibling_school": AuditEvent.all_tenants_UNSCOPED.create(
            actor_description="test",
            action=A.VIEW,
            model="learners.Learner",
            object_pk=str(a.sibling_pupil.pk),
            hub_id=a.hub.pk,
            school_id=a.sibling_school.pk,
        ),
        "hub_level": _event(a, school=False, action=A.EXPORT, model="reports.ReportRun", pk=1),
        "other_hub": _event(b),
        "other_hub_level": _event(b, school=False, action=A.EXPORT, model="reports.ReportRun"),
    }


def test_a_careers_leader_sees_their_schools_events_only(client, world, events):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    assert set(_page_ids(client)) == {events["own"].pk, events["own_update"].pk}


def test_a_hub_lead_sees_hub_level_events_only(client, world, events):
    client.force_login(world.a.users[Role.HUB_LEAD])
    assert _page_ids(client) == [events["hub_level"].pk]


@pytest.mark.parametrize("role", [Role.SCHOOL_STAFF, Role.EMPLOYER, Role.NATIONAL_ANALYST])
def test_other_roles_get_not_found(client, world, role):
    client.force_login(world.a.users[role])
    assert client.get(reverse("audit_log")).status_code == 404
    assert client.get(reverse("audit_log_csv")).status_code == 404


def test_the_page_says_who_and_what_in_plain_words(client, world, events):
    leader = world.a.users[Role.CAREERS_LEADER]
    leader.full_name = "Jo Leader"
    leader.save()
    events["own_update"].changed_fields = ["cohort"]
    events["own_update"].save()
    client.force_login(leader)
    page = client.get(reverse("audit_log")).content.decode()
    assert "Jo Leader (careers_leader.a@example.org)" in page
    assert f"Changed pupil {world.a.pupil.pk} (cohort)" in page
    assert timezone.localtime(events["own"].at).strftime("%-d %B %Y %H:%M") in page
    assert "<caption>2 events, newest first</caption>" in page
    assert 'href="/audit/"' in page  # the nav links it


def test_each_filter_narrows(client, world, events):
    a = world.a
    leader = a.users[Role.CAREERS_LEADER]
    staff = a.users[Role.SCHOOL_STAFF]
    participation = _event(a, model="learners.Participation", pk=a.participation.pk)
    other_pupil = AuditEvent.all_tenants_UNSCOPED.create(
        actor_description="test",
        action=A.VIEW,
        model="learners.Learner",
        object_pk="999999",
        hub_id=a.hub.pk,
        school_id=a.school.pk,
    )
    old = _event(a, user=staff)
    AuditEvent.all_tenants_UNSCOPED.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    client.force_login(leader)
    everything = set(_page_ids(client))
    assert {participation.pk, other_pupil.pk, old.pk} < everything

    by_pupil = set(_page_ids(client, pupil=a.pupil.pk))
    assert participation.pk in by_pupil and events["own"].pk in by_pupil
    assert other_pupil.pk not in by_pupil

    assert set(_page_ids(client, person=staff.pk)) == {events["own_update"].pk, old.pk}
    assert set(_page_ids(client, action="update")) == {events["own_update"].pk}

    today = timezone.localdate()
    recent = set(_page_ids(client, since=today - timedelta(days=7)))
    assert old.pk not in recent and events["own"].pk in recent
    older = set(_page_ids(client, until=today - timedelta(days=30)))
    assert older == {old.pk}


def test_a_pupil_of_another_school_is_refused(client, world, events):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    response = client.get(reverse("audit_log"), {"pupil": world.b.pupil.pk})
    assert response.status_code == 400
    assert "no pupil with that number at your school" in response.content.decode()


def test_the_csv_has_the_pages_rows_and_is_itself_audited(client, world, events, unscoped):
    leader = world.a.users[Role.CAREERS_LEADER]
    client.force_login(leader)
    on_page = _page_ids(client, action="view")
    rows = _csv(client, action="view")
    assert rows[0][0] == "When"
    assert [r[5] for r in rows[1:]] == [AuditEvent.objects.get(pk=pk).object_pk for pk in on_page]
    assert len(rows) - 1 == len(on_page) == 1
    export = AuditEvent.objects.filter(action=A.EXPORT, model="access.AuditEvent").get()
    assert export.user_id == leader.pk
    assert export.school_id == world.a.school.pk
    assert export.changed_fields == ["action=view"]
    assert export.rows == 1
    # The export shows on the log it exported.
    assert export.pk in _page_ids(client)


def test_a_report_download_is_audited_as_an_export(client, world, unscoped):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    run = world.a.report
    response = client.get(reverse("report_run_download", args=[run.pk, "pdf"]))
    assert response.status_code == 200
    export = AuditEvent.objects.get(action=A.EXPORT, model="reports.ReportRun")
    assert (export.object_pk, export.school_id) == (str(run.pk), world.a.school.pk)
    assert export.changed_fields == ["pdf"]


def test_a_failed_sign_in_appears_for_the_accounts_school(client, world, unscoped):
    staff = world.a.users[Role.SCHOOL_STAFF]
    response = client.post(
        reverse("account_login"), {"login": staff.email.upper(), "password": "wrong-password"}
    )
    assert response.status_code == 200  # the form again, with its error
    event = AuditEvent.objects.get(action=A.SIGN_IN_FAILED)
    assert (event.model, event.object_pk) == ("accounts.User", str(staff.pk))
    assert (event.hub_id, event.school_id) == (world.a.hub.pk, world.a.school.pk)
    assert event.user_id is None
    assert "wrong-password" not in str(event.__dict__)
    assert PASSWORD not in str(event.__dict__)

    client.force_login(world.a.users[Role.CAREERS_LEADER])
    assert _page_ids(client, person=staff.pk) == [event.pk]
    page = client.get(reverse("audit_log")).content.decode()
    assert f"Failed sign-in to account {staff.pk}" in page
    assert f"sign-in attempt as {staff.email}" in page
    client.force_login(world.b.users[Role.CAREERS_LEADER])
    assert event.pk not in _page_ids(client)


def test_a_failed_sign_in_to_no_account_is_for_the_platform_admins(client, world, unscoped):
    client.post(reverse("account_login"), {"login": "nobody@example.org", "password": "x" * 12})
    event = AuditEvent.objects.get(action=A.SIGN_IN_FAILED)
    assert (event.hub_id, event.school_id, event.object_pk) == (None, None, "")
    assert "nobody@example.org" in event.actor_description


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("audit_log")).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_events(client, world):
    a = world.a
    leader = a.users[Role.CAREERS_LEADER]
    users = [leader, a.users[Role.SCHOOL_STAFF], None]
    client.force_login(leader)
    for i in range(5):
        _event(a, user=users[i % 3])
    few = _queries(client)
    for i in range(55):
        _event(a, user=users[i % 3])
    assert _queries(client) == few


def test_a_hub_leads_export_is_on_the_hubs_trail_not_a_schools(client, world, events):
    client.force_login(world.a.users[Role.HUB_LEAD])
    assert len(_csv(client)) == 2  # the header and the one hub-level event
    mine = _page_ids(client)
    assert len(mine) == 2 and events["hub_level"].pk in mine
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    assert not set(mine) - {events["hub_level"].pk} & set(_page_ids(client))

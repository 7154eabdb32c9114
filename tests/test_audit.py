import pytest
from django.urls import reverse

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role

pytestmark = pytest.mark.django_db


def _events(world):
    with all_tenants_UNSAFE("test"):
        return list(AuditEvent.objects.filter(model="learners.Learner").order_by("at", "pk"))


def test_reading_a_named_pupils_page_is_audited(client, world):
    leader = world.a.users[Role.CAREERS_LEADER]
    client.force_login(leader)
    before = len(_events(world))
    assert client.get(reverse("pupil_detail", args=[world.a.pupil.pk])).status_code == 200
    events = _events(world)
    assert len(events) == before + 1
    assert events[-1].action == "view"
    assert events[-1].user_id == leader.pk
    assert events[-1].object_pk == str(world.a.pupil.pk)
    assert events[-1].school_id == world.a.school.pk


def test_a_refused_read_writes_no_view_event(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    before = len(_events(world))
    assert client.get(reverse("pupil_detail", args=[world.b.pupil.pk])).status_code == 404
    assert len(_events(world)) == before


def test_changing_and_deleting_a_pupil_is_audited_with_the_actor(world):
    leader = world.a.users[Role.CAREERS_LEADER]
    with acting_as(actor_for_user(leader)):
        pupil = world.a.pupil
        pupil.surname = "Renamed"
        pupil.save(update_fields=["surname", "hub"])
        pupil.delete()
    events = _events(world)
    assert [e.action for e in events[-2:]] == ["update", "delete"]
    assert events[-2].changed_fields == ["hub", "surname"]
    assert all(e.user_id == leader.pk for e in events[-2:])


def test_many_rows_audited_at_once_are_one_event_each_with_their_tenant(world):
    from access.audit import audit_many
    from learners.models import Learner

    leader = world.a.users[Role.CAREERS_LEADER]
    actor = actor_for_user(leader)
    with all_tenants_UNSAFE("test"):
        pupils = list(Learner.objects.filter(pk__in=[world.a.pupil.pk, world.b.pupil.pk]))
        before = AuditEvent.objects.count()
        audit_many(actor, AuditEvent.Action.UPDATE, pupils, changed=["surname"])
        audit_many(actor, AuditEvent.Action.VIEW, [])
        events = list(AuditEvent.objects.order_by("-pk")[: len(pupils)])
        assert AuditEvent.objects.count() == before + len(pupils)
    assert {(e.object_pk, e.hub_id, e.school_id) for e in events} == {
        (str(p.pk), p.hub_id, p.school_id) for p in pupils
    }
    for event in events:
        assert (event.user_id, event.action, event.model) == (
            leader.pk,
            "update",
            "learners.Learner",
        )
        assert event.changed_fields == ["surname"]
        assert event.actor_description.startswith(f"user {leader.pk} (")
        assert event.at is not None and event.rows is None

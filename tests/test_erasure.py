"""Erasure by two people (privacy.erasure): a careers leader asks with a reason, a second
person confirms, the pupil is pseudonymised at once; both steps audited; the one who asked
sees it was done and cannot confirm their own request."""

import pytest
from django.urls import reverse

from access.context import all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from learners.models import Learner, Participation
from privacy.models import ErasureRequest

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def _second_leader(world):
    from accounts.models import User
    from hubs.models import Membership

    with all_tenants_UNSAFE("test"):
        user = User.objects.create_user("second.leader.a@example.org", PASSWORD)
        Membership.objects.create(user=user, role=Role.CAREERS_LEADER, school=world.a.school)
    return user


def _ask(client, world, reason="The family asked us to under UK GDPR article 17"):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    return client.post(reverse("pupil_erase", args=[world.a.pupil.pk]), {"reason": reason})


def _erasure():
    with all_tenants_UNSAFE("test"):
        return ErasureRequest.objects.get()


def _confirm(client, user, erasure):
    client.force_login(user)
    return client.post(reverse("erasure_confirm", args=[erasure.pk]))


def test_a_second_careers_leader_confirms_and_the_pupil_is_pseudonymised_at_once(client, world):
    pupil = world.a.pupil
    with all_tenants_UNSAFE("test"):
        Participation.objects.filter(pk=world.a.participation.pk).update(
            reflection_text="I liked it"
        )
    assert _ask(client, world).status_code == 302
    erasure = _erasure()
    assert erasure.status == "requested" and erasure.learner_id == pupil.pk
    with all_tenants_UNSAFE("test"):
        assert Learner.objects.get(pk=pupil.pk).surname == pupil.surname  # not yet

    assert _confirm(client, _second_leader(world), erasure).status_code == 302
    with all_tenants_UNSAFE("test"):
        after = Learner.objects.get(pk=pupil.pk)
        participation = Participation.objects.get(pk=world.a.participation.pk)
        events = AuditEvent.objects.filter(school_id=world.a.school.pk)
        requested = events.get(model="privacy.ErasureRequest", action="create")
        erased = events.get(model="learners.Learner", changed_fields__contains=["erased"])
    assert after.pseudonymised_on is not None and after.upn.startswith("#")
    assert after.surname == "(pseudonymised)" and participation.reflection_text == ""
    assert participation.hours_attended == 5  # the figures stay
    assert _erasure().status == "done" and _erasure().confirmed_by_role == "Careers leader"
    assert requested.user_id == world.a.users[Role.CAREERS_LEADER].pk
    assert erased.rows == 1 and erased.user_id != requested.user_id

    # The one who asked sees that it was done.
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    page = client.get(reverse("erasures")).content.decode()
    assert "Erased on" in page and "confirmed by a careers leader" in page


def test_the_person_who_asked_cannot_confirm_their_own_request(client, world):
    _ask(client, world)
    erasure = _erasure()
    page = client.get(reverse("erasures")).content.decode()
    assert "Waiting for a second person" in page and "Confirm erasure" not in page
    response = _confirm(client, world.a.users[Role.CAREERS_LEADER], erasure)
    assert response.status_code == 302
    assert _erasure().status == "requested"
    with all_tenants_UNSAFE("test"):
        assert Learner.objects.get(pk=world.a.pupil.pk).pseudonymised_on is None


def test_the_hub_lead_confirms_without_seeing_the_pupils_name(client, world):
    _ask(client, world)
    hub_lead = world.a.users[Role.HUB_LEAD]
    client.force_login(hub_lead)
    page = client.get(reverse("erasures")).content.decode()
    assert "Confirm erasure" in page and world.a.pupil.surname not in page
    assert "UK GDPR article 17" in page  # the reason, to judge it by
    assert _confirm(client, hub_lead, _erasure()).status_code == 302
    assert _erasure().confirmed_by_role == "Hub lead"
    with all_tenants_UNSAFE("test"):
        assert Learner.objects.get(pk=world.a.pupil.pk).pseudonymised_on is not None


def test_another_hubs_lead_cannot_see_or_confirm_it(client, world):
    _ask(client, world)
    other = world.b.users[Role.HUB_LEAD]
    client.force_login(other)
    assert "UK GDPR" not in client.get(reverse("erasures")).content.decode()
    assert _confirm(client, other, _erasure()).status_code == 404
    assert _erasure().status == "requested"


def test_a_request_needs_a_reason_and_a_pupil_of_ones_own_school(client, world):
    response = _ask(client, world, reason="  ")
    assert response.status_code == 422 and 'for="id_reason"' in response.content.decode()
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    other = client.post(reverse("pupil_erase", args=[world.b.pupil.pk]), {"reason": "x"})
    assert other.status_code == 404
    with all_tenants_UNSAFE("test"):
        assert not ErasureRequest.objects.exists()


def test_a_second_request_for_the_same_pupil_waits_for_the_first(client, world):
    _ask(client, world)
    response = _ask(client, world)
    assert response.status_code == 422 and "already waiting" in response.content.decode()

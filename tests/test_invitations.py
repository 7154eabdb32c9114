from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from access.context import all_tenants_UNSAFE
from access.roles import Role
from accounts.models import Invitation, User
from hubs.models import Membership

pytestmark = pytest.mark.django_db


def test_nobody_can_sign_themselves_up(client):
    response = client.get(reverse("account_signup"))
    assert "Sign Up Closed" in response.content.decode() or response.status_code != 200


def test_a_careers_leader_invites_a_teacher_who_joins_their_school(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitation_new"), {"email": "Teacher@Example.org", "role": "school_staff"}
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == ["teacher@example.org"]
    link = next(word for word in mail.outbox[0].body.split() if "/invitations/" in word)
    client.logout()
    response = client.post(
        link,
        {
            "full_name": "Tess Teacher",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        membership = Membership.objects.get(user__email="teacher@example.org")
    assert (membership.role, membership.school_id) == (Role.SCHOOL_STAFF, world.a.school.pk)
    # The link works once.
    assert client.get(link).status_code == 410


def test_a_careers_leader_cannot_invite_a_hub_lead(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    response = client.post(
        reverse("invitation_new"), {"email": "x@example.org", "role": "hub_lead"}
    )
    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()
    with all_tenants_UNSAFE("test"):
        assert not Invitation.objects.filter(email="x@example.org").exists()


def test_a_hub_lead_cannot_invite_into_another_hubs_school(client, world):
    client.force_login(world.a.users[Role.HUB_LEAD])
    response = client.post(
        reverse("invitation_new"),
        {"email": "y@example.org", "role": "careers_leader", "school": world.b.school.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_an_expired_invitation_cannot_be_used(client, world):
    with all_tenants_UNSAFE("test"):
        invitation = Invitation.objects.create(
            email="late@example.org",
            role=Role.SCHOOL_STAFF,
            school=world.a.school,
            expires_at=timezone.now() - timedelta(minutes=1),
        )
    response = client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {"full_name": "Late", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"},
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="late@example.org").exists()

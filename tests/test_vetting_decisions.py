"""The hub lead's decision on an employer's safety check: approve, refuse with a reason, or
send back for changes; the employer reads why; every decision is on the audit trail."""

import pytest
from django.core import mail
from django.urls import reverse

from access.context import all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from employers.models import EmployerVetting

from .employer_world import make_vetting

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(world):
    return make_vetting(world.a.employer, world.a.hub, approved=False)


def _decide(client, world, vetting, decision, reason=""):
    client.force_login(world.a.users[Role.HUB_LEAD])
    return client.post(
        reverse("vetting_review"), {"vetting": vetting.pk, "decision": decision, "reason": reason}
    )


def test_a_refused_check_says_why_on_the_employers_page_and_by_email(
    client, world, waiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _decide(client, world, waiting, "refused", "The certificate names another firm.")
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.review, waiting.approved_at) == ("refused", None)
    assert "The certificate names another firm." in mail.outbox[-1].body
    client.force_login(world.a.users[Role.EMPLOYER])
    page = client.get(reverse("vetting_for_employer")).content.decode()
    assert "Refused" in page
    assert "The hub lead's reason: The certificate names another firm." in page


def test_a_check_sent_back_for_changes_asks_for_a_corrected_one(client, world, waiting):
    _decide(client, world, waiting, "changes", "Add the risk assessment for under-18s.")
    client.force_login(world.a.users[Role.EMPLOYER])
    page = client.get(reverse("vetting_for_employer")).content.decode()
    assert "Sent back for changes" in page
    assert "Add the risk assessment for under-18s." in page
    assert "Send the corrected check below." in page


def test_refusing_without_a_reason_is_refused_and_changes_nothing(client, world, waiting):
    response = _decide(client, world, waiting, "refused", "  ")
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.review == "waiting"


def test_approving_makes_the_check_valid_and_clears_the_last_reason(client, world, waiting):
    _decide(client, world, waiting, "changes", "Upload the certificate.")
    _decide(client, world, waiting, "approved")
    waiting.refresh_from_db()
    assert waiting.review == "approved"
    assert waiting.review_reason == ""
    assert waiting.approved_by == world.a.users[Role.HUB_LEAD]
    assert waiting.is_valid_on(waiting.insurance_expires)


def test_a_check_sent_again_goes_back_to_waiting(world, waiting, client):
    from access.actor import actor_for_user
    from access.context import acting_as
    from employers.services import vetting_submit

    _decide(client, world, waiting, "refused", "Wrong company.")
    employer = actor_for_user(world.a.users[Role.EMPLOYER])
    with acting_as(employer):
        vetting_submit(
            actor=employer,
            hub_id=world.a.hub.pk,
            insurance_expires=waiting.insurance_expires,
            supervisor_name="Sam",
        )
    waiting.refresh_from_db()
    assert (waiting.review, waiting.review_reason) == ("waiting", "")


def test_every_decision_is_audited_with_who_and_which(client, world, waiting):
    _decide(client, world, waiting, "changes", "Upload the certificate.")
    _decide(client, world, waiting, "approved")
    with all_tenants_UNSAFE("test"):
        events = list(
            AuditEvent.objects.filter(
                model="employers.EmployerVetting", object_pk=str(waiting.pk)
            ).values_list("user_id", "changed_fields", "hub_id")
        )
    lead = world.a.users[Role.HUB_LEAD].pk
    assert (lead, ["review:changes"], world.a.hub.pk) in events
    assert (lead, ["review:approved"], world.a.hub.pk) in events


def test_another_hubs_lead_cannot_decide(client, world, waiting):
    client.force_login(world.b.users[Role.HUB_LEAD])
    response = client.post(
        reverse("vetting_review"), {"vetting": waiting.pk, "decision": "refused", "reason": "x"}
    )
    assert response.status_code == 404
    with all_tenants_UNSAFE("test"):
        assert EmployerVetting.objects.get(pk=waiting.pk).review == "waiting"

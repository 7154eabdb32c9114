"""Employer accounts (issue 5, item 1): a hub lead adds an employer, an organisation asks
to join, an employer asks one more hub to partner, and employer staff invite colleagues.
Each flow goes through the pages, with the emails it sends."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from accounts.models import Invitation
from accounts.services import invitation_create
from employers.models import Employer, EmployerRequest
from hubs.models import Membership, Sector

pytestmark = pytest.mark.django_db

PASSPHRASE = "a-long-pass-phrase"


def organisation(**changes):
    with all_tenants_UNSAFE("test"):
        sector = Sector.objects.order_by("pk").first()
    return {
        "name": "Riverside Engineering",
        "size_band": "medium",
        "sector": sector.pk,
        "postcode": "m1 1ae",
        "companies_house_number": "1234567",
        **changes,
    }


def join_request(hub, **changes):
    return {
        **organisation(),
        "contact_name": "Jo Joiner",
        "contact_email": "Jo@Riverside.example",
        "hub": hub.pk,
        "message": "We can host Year 10 placements.",
        "website": "",
        **changes,
    }


def link_in(message, marker="/invitations/"):
    return next(word for word in message.body.split() if marker in word)


def accept(client, link, name="New Person"):
    client.logout()
    response = client.post(
        link, {"full_name": name, "password1": PASSPHRASE, "password2": PASSPHRASE}
    )
    assert response.status_code == 302, response.content.decode()[:500]


def membership_of(email):
    with all_tenants_UNSAFE("test"):
        return Membership.objects.select_related("employer").get(user__email=email)


def employer_requests():
    with all_tenants_UNSAFE("test"):
        return list(EmployerRequest.objects.order_by("pk"))


def partner_hub_ids(employer):
    with all_tenants_UNSAFE("test"):
        return set(Employer.objects.get(pk=employer.pk).hubs.values_list("pk", flat=True))


# -- A hub lead adds an employer


def test_a_hub_lead_adds_a_new_employer_whose_contact_joins_it(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.a.users[Role.HUB_LEAD])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("employer_add"), {**organisation(), "contact_email": "Boss@Riverside.example"}
        )
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        employer = Employer.objects.get(name="Riverside Engineering")
        assert list(employer.hubs.all()) == [world.a.hub]
    assert (employer.postcode, employer.companies_house_number) == ("M1 1AE", "01234567")
    assert [m.to for m in mail.outbox] == [["boss@riverside.example"]]
    assert "Riverside Engineering" in mail.outbox[0].body
    page = client.get(response["Location"]).content.decode()
    assert "sent an invitation to boss@riverside.example" in page

    accept(client, link_in(mail.outbox[0]))
    membership = membership_of("boss@riverside.example")
    assert (membership.role, membership.employer_id) == (Role.EMPLOYER, employer.pk)
    assert "Riverside Engineering" in client.get(reverse("home")).content.decode()


def test_adding_an_employer_already_on_equalex_partners_it_instead_of_copying_it(
    client, world, django_capture_on_commit_callbacks
):
    # Hub B's employer, with staff, is known by its Companies House number.
    with all_tenants_UNSAFE("test"):
        Employer.objects.filter(pk=world.b.employer.pk).update(companies_house_number="SC123456")
    client.force_login(world.a.users[Role.HUB_LEAD])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("employer_add"),
            {
                **organisation(name="A different name", companies_house_number="sc 123456"),
                "contact_email": "stranger@example.org",
            },
            follow=True,
        )
    page = response.content.decode()
    assert "already on equalex" in page
    with all_tenants_UNSAFE("test"):
        assert not Employer.objects.filter(name="A different name").exists()
        # Its stored details are not the hub lead's to change.
        assert Employer.objects.get(pk=world.b.employer.pk).name == "Employer B"
        # Nobody is invited into an employer that has staff: its staff are told instead.
        assert not Invitation.objects.filter(email="stranger@example.org").exists()
    assert partner_hub_ids(world.b.employer) == {world.a.hub.pk, world.b.hub.pk}
    assert [m.to for m in mail.outbox] == [[world.b.users[Role.EMPLOYER].email]]
    assert "stranger@example.org" in mail.outbox[0].body
    assert "Hub A" in mail.outbox[0].subject


def test_an_employer_without_staff_matched_by_name_gets_the_contact_invited(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.a.users[Role.HUB_LEAD])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("employer_add"),
            {
                **organisation(name="  other EMPLOYER b ", companies_house_number=""),
                "contact_email": "first@other-b.example",
            },
            follow=True,
        )
    page = response.content.decode()
    # The hub lead reads the same words as when the employer has staff.
    assert "already on equalex" in page
    assert partner_hub_ids(world.b.sibling_employer) == {world.a.hub.pk, world.b.hub.pk}
    assert [m.to for m in mail.outbox] == [["first@other-b.example"]]
    accept(client, link_in(mail.outbox[0]))
    assert membership_of("first@other-b.example").employer_id == world.b.sibling_employer.pk


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"postcode": "XY1 23"}, "Enter a UK postcode"),
        ({"companies_house_number": "123456789"}, "A Companies House number is 8 characters"),
        ({"name": "   "}, "This field is required"),
        ({"size_band": "huge"}, "Select a valid choice"),
        ({"contact_email": "not-an-email"}, "Enter a valid email address"),
    ],
)
def test_invalid_employer_details_change_nothing(client, world, changes, problem):
    client.force_login(world.a.users[Role.HUB_LEAD])
    with all_tenants_UNSAFE("test"):
        employers_before = Employer.objects.count()
    response = client.post(
        reverse("employer_add"),
        {**organisation(), "contact_email": "boss@riverside.example", **changes},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert problem in page
    with all_tenants_UNSAFE("test"):
        assert Employer.objects.count() == employers_before
        assert not Invitation.objects.exists()
    assert mail.outbox == []


# -- An organisation asks to join


def test_the_public_request_page_explains_each_problem(client, world):
    response = client.get(reverse("employer_request_new"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Offer work experience through equalex</h1>" in page
    assert '<label for="id_contact_email">Your work email address</label>' in page
    assert "Hub A" in page and "Hub B" in page  # hub names are public

    response = client.post(
        reverse("employer_request_new"),
        {"name": "", "postcode": "12345", "contact_email": "nope", "hub": "999999"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page
    for problem in (
        'href="#id_name">Organisation name: This field is required.',
        "Postcode: Enter a UK postcode, for example SW1A 1AA.",
        "Your name: This field is required.",
        "Your work email address: Enter a valid email address.",
        "Careers Hub: Select a valid choice.",
        "Size: This field is required.",
    ):
        assert problem in page
    assert employer_requests() == []
    assert mail.outbox == []


def test_an_organisation_asks_to_join_and_the_hub_lead_approves(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("employer_request_new"), join_request(world.a.hub))
    assert response.status_code == 200
    assert "your request is with Hub A" in response.content.decode()
    [request] = employer_requests()
    assert (request.status, request.hub_id, request.contact_email) == (
        "pending",
        world.a.hub.pk,
        "jo@riverside.example",
    )
    # Only the hub's leads hear of it; nothing is mailed to an address typed into the form.
    assert [m.to for m in mail.outbox] == [[world.a.users[Role.HUB_LEAD].email]]
    mail.outbox.clear()

    client.force_login(world.a.users[Role.HUB_LEAD])
    listing = client.get(reverse("employer_requests")).content.decode()
    assert "Riverside Engineering" in listing
    detail_url = reverse("employer_request_detail", args=[request.pk])
    detail = client.get(detail_url).content.decode()
    assert "We can host Year 10 placements." in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url, {"action": "approve"})
    assert response.status_code == 302
    [request] = employer_requests()
    assert request.status == "approved"
    assert request.decided_by_id == world.a.users[Role.HUB_LEAD].pk
    with all_tenants_UNSAFE("test"):
        employer = Employer.objects.get(name="Riverside Engineering")
    assert request.employer_id == employer.pk
    assert partner_hub_ids(employer) == {world.a.hub.pk}
    assert [m.to for m in mail.outbox] == [["jo@riverside.example"]]
    accept(client, link_in(mail.outbox[0]), name="Jo Joiner")
    assert membership_of("jo@riverside.example").employer_id == employer.pk

    # Decided once: a second approval changes nothing.
    client.force_login(world.a.users[Role.HUB_LEAD])
    response = client.post(detail_url, {"action": "approve"})
    assert response.status_code == 400
    assert "already approved" in response.content.decode()
    with all_tenants_UNSAFE("test"):
        assert Employer.objects.filter(name="Riverside Engineering").count() == 1


def test_a_refusal_needs_a_reason_and_tells_the_contact(
    client, world, django_capture_on_commit_callbacks
):
    client.post(reverse("employer_request_new"), join_request(world.a.hub))
    [request] = employer_requests()
    client.force_login(world.a.users[Role.HUB_LEAD])
    url = reverse("employer_request_detail", args=[request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "refuse", "reason": "   "})
    assert response.status_code == 400
    assert "Reason: Say why, so the organisation knows what to do next." in (
        response.content.decode()
    )
    assert employer_requests()[0].status == "pending"
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "refuse", "reason": "We cover Greater Manchester only."}
        )
    assert response.status_code == 302
    [request] = employer_requests()
    assert (request.status, request.refusal_reason) == (
        "refused",
        "We cover Greater Manchester only.",
    )
    assert [m.to for m in mail.outbox] == [["jo@riverside.example"]]
    assert "We cover Greater Manchester only." in mail.outbox[0].body
    with all_tenants_UNSAFE("test"):
        assert not Employer.objects.filter(name="Riverside Engineering").exists()


def test_another_hubs_lead_can_neither_see_nor_decide_a_request(client, world):
    client.post(reverse("employer_request_new"), join_request(world.a.hub))
    [request] = employer_requests()
    client.force_login(world.b.users[Role.HUB_LEAD])
    assert "Riverside Engineering" not in client.get(reverse("employer_requests")).content.decode()
    url = reverse("employer_request_detail", args=[request.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "approve"}).status_code == 404
    assert client.post(url, {"action": "refuse", "reason": "Not ours"}).status_code == 404
    assert employer_requests()[0].status == "pending"
    assert mail.outbox == []
    # Nor can the requested hub's schools or employers.
    for role in (Role.CAREERS_LEADER, Role.EMPLOYER):
        client.force_login(world.a.users[role])
        assert client.get(url).status_code == 404


def test_a_robot_filling_the_hidden_field_is_thanked_and_forgotten(client, world):
    response = client.post(
        reverse("employer_request_new"), join_request(world.a.hub, website="http://spam")
    )
    assert response.status_code == 200
    assert employer_requests() == []
    assert mail.outbox == []


def test_the_public_page_takes_a_few_requests_an_hour_from_one_address(client, world):
    for number in range(5):
        client.post(
            reverse("employer_request_new"),
            join_request(world.a.hub, contact_email=f"p{number}@example.org"),
        )
    response = client.post(
        reverse("employer_request_new"),
        join_request(world.a.hub, contact_email="p6@example.org"),
    )
    assert response.status_code == 400
    assert "try again in an hour" in response.content.decode()
    assert len(employer_requests()) == 5


def test_asking_twice_while_waiting_makes_one_request(client, world):
    client.post(reverse("employer_request_new"), join_request(world.a.hub))
    client.post(reverse("employer_request_new"), join_request(world.a.hub))
    assert len(employer_requests()) == 1


# -- Employer staff invite colleagues


def test_employer_staff_invite_a_colleague_into_their_own_employer_only(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.a.users[Role.EMPLOYER])
    page = client.get(reverse("invitation_new")).content.decode()
    assert 'href="/invitations/new/"' in page  # the nav link shows for employers
    assert 'name="employer"' not in page  # no choice of employer
    with django_capture_on_commit_callbacks(execute=True):
        # An employer field smuggled into the form is ignored.
        response = client.post(
            reverse("invitation_new"),
            {"email": "colleague@example.org", "role": "employer", "employer": world.b.employer.pk},
        )
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        invitation = Invitation.objects.get(email="colleague@example.org")
    assert invitation.employer_id == world.a.employer.pk
    accept(client, link_in(mail.outbox[0]))
    assert membership_of("colleague@example.org").employer_id == world.a.employer.pk

    # Other roles are not theirs to give.
    client.force_login(world.a.users[Role.EMPLOYER])
    response = client.post(
        reverse("invitation_new"), {"email": "x@example.org", "role": "careers_leader"}
    )
    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()


def test_the_invitation_service_refuses_an_employer_inviting_into_another(world):
    actor = actor_for_user(world.a.users[Role.EMPLOYER])
    with acting_as(actor), pytest.raises(PermissionDenied):
        invitation_create(
            actor=actor,
            email="spy@example.org",
            role=Role.EMPLOYER,
            employer=world.a.sibling_employer,
        )
    with all_tenants_UNSAFE("test"):
        assert not Invitation.objects.filter(email="spy@example.org").exists()


def test_a_hub_lead_invites_an_employers_first_person_only(client, world):
    client.force_login(world.a.users[Role.HUB_LEAD])
    response = client.post(
        reverse("invitation_new"),
        {"email": "extra@example.org", "role": "employer", "employer": world.a.employer.pk},
    )
    assert response.status_code == 200
    assert "already has staff on equalex: ask one of them to invite" in response.content.decode()
    response = client.post(
        reverse("invitation_new"),
        {"email": "first@example.org", "role": "employer", "employer": world.a.sibling_employer.pk},
    )
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        assert list(Invitation.objects.values_list("email", flat=True)) == ["first@example.org"]


# -- An employer asks another hub to partner


def test_an_employer_asks_another_hub_to_partner_and_its_lead_approves(
    client, world, django_capture_on_commit_callbacks
):
    employer_user = world.a.users[Role.EMPLOYER]
    client.force_login(employer_user)
    detail = client.get(reverse("employer_detail", args=[world.a.employer.pk])).content.decode()
    assert reverse("employer_partners") in detail
    page = client.get(reverse("employer_partners")).content.decode()
    assert "<li>Hub A</li>" in page
    assert f'<option value="{world.b.hub.pk}">Hub B</option>' in page
    assert f'<option value="{world.a.hub.pk}">' not in page  # already a partner

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("employer_partners"), {"hub": world.b.hub.pk, "message": "Near your schools"}
        )
    assert response.status_code == 302
    [request] = employer_requests()
    assert (request.kind, request.employer_id, request.contact_email) == (
        "partner",
        world.a.employer.pk,
        employer_user.email,
    )
    assert [m.to for m in mail.outbox] == [[world.b.users[Role.HUB_LEAD].email]]
    mail.outbox.clear()
    # Asking again while waiting is refused; a partner hub is not on offer.
    response = client.post(reverse("employer_partners"), {"hub": world.b.hub.pk})
    assert response.status_code == 400
    assert "You have already asked Hub B" in response.content.decode()
    response = client.post(reverse("employer_partners"), {"hub": world.a.hub.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "Waiting for the hub lead" in client.get(reverse("employer_partners")).content.decode()

    # Hub A's lead does not see a request made to hub B.
    url = reverse("employer_request_detail", args=[request.pk])
    client.force_login(world.a.users[Role.HUB_LEAD])
    assert client.get(url).status_code == 404
    # Hub B's lead does, and approves it.
    client.force_login(world.b.users[Role.HUB_LEAD])
    assert "Near your schools" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve"})
    assert response.status_code == 302
    assert partner_hub_ids(world.a.employer) == {world.a.hub.pk, world.b.hub.pk}
    assert [m.to for m in mail.outbox] == [[employer_user.email]]
    assert reverse("vetting_for_employer") in mail.outbox[0].body
    # The employer can now send its safety check to hub B.
    client.force_login(employer_user)
    checks = client.get(reverse("vetting_for_employer")).content.decode()
    assert f'<option value="{world.b.hub.pk}">Hub B</option>' in checks


def test_an_employer_sees_its_own_partnership_requests_only(client, world):
    client.force_login(world.a.users[Role.EMPLOYER])
    client.post(reverse("employer_partners"), {"hub": world.b.hub.pk})
    client.force_login(world.b.users[Role.EMPLOYER])
    page = client.get(reverse("employer_partners")).content.decode()
    assert "No requests yet." in page

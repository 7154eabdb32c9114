"""The employer's and the careers leader's pages, end to end through the client."""

import pytest
from django.urls import reverse

from access.context import all_tenants_UNSAFE
from access.roles import Role
from employers.models import Nomination, Opportunity
from learners.academic import year_group_on

from .employer_world import make_nomination, make_opportunity, make_pupils, make_vetting, soon

pytestmark = pytest.mark.django_db


def _signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def employer_client(client, world):
    return _signed_in(client, world.a.users[Role.EMPLOYER])


@pytest.fixture
def leader_client(client, world):
    return _signed_in(client, world.a.users[Role.CAREERS_LEADER])


def _opportunity_form(world, **overrides):
    return {
        "title": "Engineering week",
        "description": "Build a bridge.",
        "kind": "placement",
        "setting": "workplace",
        "tier": "3",
        "start_date": soon(30).isoformat(),
        "capacity": "4",
        "year_groups": ["9", "10"],
        "postcode": "ls1 4ap",
        "accessibility_notes": "Step-free access.",
        "hubs": [str(world.a.hub.pk)],
        **overrides,
    }


def test_an_employer_saves_a_draft_then_publishes_it_once_vetted(employer_client, world):
    response = employer_client.post(reverse("opportunity_new"), _opportunity_form(world))
    with all_tenants_UNSAFE("test assertions"):
        draft = Opportunity.objects.get(title="Engineering week")
    assert response.status_code == 302
    assert response["Location"] == reverse("opportunity_publish", args=[draft.pk])
    assert (draft.status, draft.capacity, draft.year_groups, draft.postcode) == (
        "draft",
        4,
        [9, 10],
        "LS1 4AP",
    )

    refused = employer_client.post(reverse("opportunity_publish", args=[draft.pk]))
    assert refused.status_code == 400
    assert "Employer A has no safety check for Hub A" in refused.content.decode()

    make_vetting(world.a.employer, world.a.hub)
    published = employer_client.post(reverse("opportunity_publish", args=[draft.pk]))
    assert published["Location"] == reverse("opportunity_nominations", args=[draft.pk])
    with all_tenants_UNSAFE("test assertions"):
        assert Opportunity.objects.get(pk=draft.pk).status == "published"


def test_an_employer_offers_only_to_its_partner_hubs(employer_client, world):
    response = employer_client.post(
        reverse("opportunity_new"), _opportunity_form(world, hubs=[str(world.b.hub.pk)])
    )
    assert response.status_code == 400
    with all_tenants_UNSAFE("test assertions"):
        assert not Opportunity.objects.exists()


@pytest.fixture
def offers(world):
    make_vetting(world.a.employer, world.a.hub)
    from hubs.models import Sector

    sectors = list(Sector.objects.order_by("pk")[:2])
    return {
        "placement": make_opportunity(
            world.a.employer,
            [world.a.hub],
            title="Placement",
            sector=sectors[0],
            tier=3,
            year_groups=[9, 10, 11, 12],
        ),
        "visit": make_opportunity(
            world.a.sibling_employer,
            [world.a.hub],
            title="Visit",
            sector=sectors[1],
            tier=1,
            year_groups=[7, 8],
        ),
        "draft": make_opportunity(world.a.employer, [world.a.hub], status="draft", title="Draft"),
        "foreign": make_opportunity(world.b.employer, [world.b.hub], title="Foreign"),
    }


def _titles(response):
    return [o.title for o in response.context["opportunities"]]


def test_a_careers_leader_browses_the_hubs_published_opportunities_with_filters(
    leader_client, offers
):
    url = reverse("opportunity_browse")
    assert _titles(leader_client.get(url)) == ["Placement", "Visit"]
    sector = offers["visit"].sector_id
    assert _titles(leader_client.get(url, {"sector": sector})) == ["Visit"]
    assert _titles(leader_client.get(url, {"tier": 3})) == ["Placement"]
    assert _titles(leader_client.get(url, {"year_group": 8})) == ["Visit"]
    assert _titles(leader_client.get(url, {"year_group": 12, "tier": 3})) == ["Placement"]


def test_a_careers_leader_nominates_pupils_and_sees_why_each_was_or_was_not_offered(
    leader_client, world, offers
):
    opportunity = offers["placement"]
    url = reverse("opportunity_nominate", args=[opportunity.pk])
    page = leader_client.get(url)
    assert [p.pk for p in page.context["pupils"]] == [world.a.pupil.pk]
    response = leader_client.post(
        url,
        {
            "pupils": [str(world.a.pupil.pk)],
            f"needs-{world.a.pupil.pk}": "Uses a wheelchair.",
            "interested": [str(world.a.pupil.pk)],
        },
    )
    assert response.status_code == 302
    with all_tenants_UNSAFE("test assertions"):
        nomination = Nomination.objects.get(opportunity=opportunity)
    assert (nomination.learner, nomination.shared_support_needs) == (
        world.a.pupil,
        "Uses a wheelchair.",
    )
    assert nomination.interested_in_sector
    with all_tenants_UNSAFE("test"):
        Nomination.objects.filter(pk=nomination.pk).update(
            status="offered", explanation="Offered: on track, interested in the sector."
        )
    body = leader_client.get(url).content.decode()
    assert "Offered: on track, interested in the sector." in body


def test_a_second_nomination_of_the_same_pupil_is_refused_in_words(leader_client, world, offers):
    make_nomination(offers["placement"], world.a.pupil)
    response = leader_client.post(
        reverse("opportunity_nominate", args=[offers["placement"].pk]),
        {"pupils": [str(world.a.pupil.pk)]},
    )
    assert response.status_code == 400
    assert "Already nominated: Amelia." in response.content.decode()


def test_the_employer_sees_first_name_year_group_and_shared_needs_only(
    employer_client, world, offers
):
    (pupil,) = make_pupils(world.a.school, 1, year_group=10, disadvantaged=True, send="E")
    make_nomination(
        offers["placement"],
        pupil,
        shared_support_needs="Needs a quiet room.",
        explanation="Offered: Pupil Premium, EHC plan, 2.0 days behind",
    )
    body = employer_client.get(
        reverse("opportunity_nominations", args=[offers["placement"].pk])
    ).content.decode()
    assert pupil.first_name in body
    assert "Needs a quiet room." in body
    first_day_year = year_group_on(pupil.cohort, offers["placement"].start_date)
    assert f"<td>Year {first_day_year}</td>" in body
    for never in (pupil.surname, pupil.upn, "Pupil Premium", "EHC plan", "days behind"):
        assert never not in body


def test_an_employer_cannot_decide_on_another_employers_nomination(employer_client, world):
    make_vetting(world.a.sibling_employer, world.a.hub)
    theirs = make_opportunity(world.a.sibling_employer, [world.a.hub])
    nomination = make_nomination(theirs, world.a.pupil)
    ours = make_opportunity(world.a.employer, [world.a.hub])
    for url in (
        reverse("opportunity_nominations", args=[theirs.pk]),
        reverse("opportunity_nominations", args=[ours.pk]),
    ):
        response = employer_client.post(url, {"action": "accept", "nomination": nomination.pk})
        assert response.status_code == 404
    with all_tenants_UNSAFE("test assertions"):
        assert Nomination.objects.get(pk=nomination.pk).status == "nominated"


def test_the_employer_allocates_accepts_and_declines_from_one_page(employer_client, world, offers):
    opportunity = offers["placement"]
    with all_tenants_UNSAFE("test"):
        Opportunity.objects.filter(pk=opportunity.pk).update(capacity=1)
    first, second = (make_nomination(opportunity, p) for p in make_pupils(world.a.school, 2))
    url = reverse("opportunity_nominations", args=[opportunity.pk])
    response = employer_client.post(url, {"action": "allocate"}, follow=True)
    assert "Offered 1 place in the fair order; 1 pupil still waiting." in response.content.decode()
    response = employer_client.post(url, {"action": "accept", "nomination": second.pk}, follow=True)
    assert "The only place is taken." in response.content.decode()
    employer_client.post(
        url, {"action": "decline", "nomination": first.pk, "reason": "Cannot supervise."}
    )
    employer_client.post(url, {"action": "accept", "nomination": second.pk})
    with all_tenants_UNSAFE("test assertions"):
        statuses = dict(
            Nomination.objects.filter(opportunity=opportunity).values_list("pk", "status")
        )
    assert statuses == {first.pk: "declined", second.pk: "accepted"}


def test_an_employer_sends_a_check_with_documents_and_the_hub_lead_approves_it(
    client, world, unscoped
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from employers.models import EmployerVetting

    _signed_in(client, world.a.users[Role.EMPLOYER])
    response = client.post(
        reverse("vetting_for_employer"),
        {
            "hub": world.a.hub.pk,
            "insurance_expires": soon(365).isoformat(),
            "supervisor_name": "Sam Okafor",
            "insurance_certificate": SimpleUploadedFile("elh.pdf", b"%PDF-1.4 cover"),
        },
    )
    assert response.status_code == 302
    vetting = EmployerVetting.objects.get(employer=world.a.employer, hub=world.a.hub)
    assert vetting.approved_at is None
    document = client.get(reverse("vetting_document", args=[vetting.pk, "insurance"]))
    assert b"".join(document.streaming_content) == b"%PDF-1.4 cover"

    _signed_in(client, world.b.users[Role.HUB_LEAD])
    assert client.post(reverse("vetting_review"), {"vetting": vetting.pk}).status_code == 404
    _signed_in(client, world.a.users[Role.HUB_LEAD])
    assert client.post(reverse("vetting_review"), {"vetting": vetting.pk}).status_code == 302
    vetting.refresh_from_db()
    assert vetting.approved_by == world.a.users[Role.HUB_LEAD]


def test_an_employer_gets_404_for_another_employers_documents(client, world):
    from .employer_world import make_vetting_with_document

    theirs = make_vetting_with_document(world.a.sibling_employer, world.a.hub)
    _signed_in(client, world.a.users[Role.EMPLOYER])
    url = reverse("vetting_document", args=[theirs.pk, "insurance"])
    assert client.get(url).status_code == 404
    _signed_in(client, world.a.users[Role.CAREERS_LEADER])
    assert client.get(url).status_code == 404


def test_a_check_cannot_be_sent_to_a_hub_the_employer_does_not_partner(client, world, unscoped):
    from employers.models import EmployerVetting

    _signed_in(client, world.a.users[Role.EMPLOYER])
    response = client.post(
        reverse("vetting_for_employer"),
        {"hub": world.b.hub.pk, "insurance_expires": soon(365).isoformat(), "supervisor_name": "S"},
    )
    assert response.status_code == 400
    assert not EmployerVetting.objects.exists()


def test_an_employer_gets_404_for_pupils_whether_or_not_it_was_sent_them(employer_client, world):
    """Nominations share a first name, year group and chosen needs; a pupil's own record,
    page or API resource, is never the employer's."""
    opportunity = make_opportunity(world.a.employer, [world.a.hub])
    make_nomination(opportunity, world.a.pupil, status=Nomination.Status.ACCEPTED)
    for pupil in (world.a.pupil, world.a.sibling_pupil, world.b.pupil):
        assert employer_client.get(reverse("pupil_detail", args=[pupil.pk])).status_code == 404
        assert employer_client.get(f"/api/v1/pupils/{pupil.pk}/").status_code == 404
        assert employer_client.get(reverse("pupil_record", args=[pupil.pk])).status_code == 404

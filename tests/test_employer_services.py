"""Publishing, nominating and allocating places: the services and the rules they enforce."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from access.actor import actor_for_user
from access.context import acting_as
from access.models import AuditEvent
from access.roles import Role
from employers.models import Nomination, Opportunity
from employers.services import (
    NoPlaceLeft,
    PlacementBlocked,
    nomination_create,
    nomination_decide,
    opportunity_create,
    opportunity_publish,
    place_allocate,
    vetting_approve,
    vetting_submit,
)

from .employer_world import make_nomination, make_opportunity, make_pupils, make_vetting, soon

pytestmark = pytest.mark.django_db


def _as(user):
    return acting_as(actor_for_user(user))


@pytest.fixture
def employer(world):
    with _as(world.a.users[Role.EMPLOYER]) as actor:
        yield actor


def _draft(actor, world, **fields):
    values = {
        "title": "Engineering week",
        "kind": "placement",
        "setting": "workplace",
        "tier": 3,
        "start_date": soon(30),
        "capacity": 5,
        "year_groups": [9, 10],
        "hub_ids": [world.a.hub.pk],
        **fields,
    }
    return opportunity_create(actor=actor, **values)


# -- Vetting and publishing


def test_an_employer_cannot_publish_without_a_check_for_the_hub(employer, world):
    draft = _draft(employer, world)
    with pytest.raises(PlacementBlocked) as refused:
        opportunity_publish(actor=employer, opportunity=draft)
    assert refused.value.messages == [
        "Employer A has no safety check for Hub A: ask the hub lead to vet it."
    ]
    assert Opportunity.objects.get(pk=draft.pk).status == "draft"


def test_a_check_waiting_for_the_hub_lead_blocks_publishing(employer, world):
    vetting_submit(
        actor=employer, hub_id=world.a.hub.pk, insurance_expires=soon(400), supervisor_name="Sam"
    )
    with pytest.raises(PlacementBlocked, match="waiting for the hub lead"):
        opportunity_publish(actor=employer, opportunity=_draft(employer, world))


def test_insurance_that_expires_before_the_first_day_blocks_publishing(employer, world):
    make_vetting(world.a.employer, world.a.hub, expires=soon(29))
    with pytest.raises(PlacementBlocked, match=r"expires on .* before the opportunity starts"):
        opportunity_publish(actor=employer, opportunity=_draft(employer, world))


def test_a_check_approved_by_the_hub_lead_lets_the_employer_publish(employer, world):
    vetting = vetting_submit(
        actor=employer, hub_id=world.a.hub.pk, insurance_expires=soon(30), supervisor_name="Sam"
    )
    with _as(world.a.users[Role.HUB_LEAD]) as lead:
        vetting_approve(actor=lead, vetting_id=vetting.pk)
    published = opportunity_publish(actor=employer, opportunity=_draft(employer, world))
    assert published.status == "published"


def test_only_the_hub_lead_of_that_hub_approves_a_check(employer, world):
    vetting = vetting_submit(
        actor=employer, hub_id=world.a.hub.pk, insurance_expires=soon(30), supervisor_name="Sam"
    )
    with pytest.raises(PermissionDenied):
        vetting_approve(actor=employer, vetting_id=vetting.pk)
    with _as(world.b.users[Role.HUB_LEAD]) as other_lead, pytest.raises(Exception, match="exist"):
        vetting_approve(actor=other_lead, vetting_id=vetting.pk)


def test_an_employer_offers_opportunities_to_its_partner_hubs_only(employer, world):
    with pytest.raises(ValidationError, match="partner hubs"):
        _draft(employer, world, hub_ids=[world.b.hub.pk])


def test_schools_never_create_opportunities(world):
    with _as(world.a.users[Role.CAREERS_LEADER]) as leader, pytest.raises(PermissionDenied):
        _draft(leader, world)


# -- Nominations


@pytest.fixture
def published(world):
    make_vetting(world.a.employer, world.a.hub)
    return make_opportunity(world.a.employer, [world.a.hub], capacity=2)


@pytest.fixture
def leader(world):
    with _as(world.a.users[Role.CAREERS_LEADER]) as actor:
        yield actor


def test_a_careers_leader_nominates_pupils_with_the_needs_they_choose_to_share(
    leader, world, published
):
    (created,) = nomination_create(
        actor=leader,
        opportunity=published,
        learners=[world.a.pupil],
        shared_support_needs={world.a.pupil.pk: " Needs a quiet space at lunch. "},
        interested_in_sector=[world.a.pupil.pk],
    )
    assert created.status == "nominated"
    assert created.shared_support_needs == "Needs a quiet space at lunch."
    assert created.interested_in_sector is True
    assert (created.hub_id, created.school_id) == (world.a.hub.pk, world.a.school.pk)
    assert AuditEvent.objects.filter(model="employers.Nomination", action="create").count() == 1


def test_a_pupil_is_not_nominated_twice(leader, world, published):
    nomination_create(actor=leader, opportunity=published, learners=[world.a.pupil])
    with pytest.raises(ValidationError, match="Already nominated: Amelia"):
        nomination_create(actor=leader, opportunity=published, learners=[world.a.pupil])


def test_a_school_cannot_nominate_another_schools_pupil(leader, world, published):
    with pytest.raises(ValidationError, match="not available to you"):
        nomination_create(actor=leader, opportunity=published, learners=[world.a.sibling_pupil])


def test_only_eligible_year_groups_can_be_nominated(leader, world):
    make_vetting(world.a.employer, world.a.hub)
    sixth_form = make_opportunity(world.a.employer, [world.a.hub], year_groups=[12, 13])
    with pytest.raises(ValidationError, match="Only Years 12, 13 can take part: Amelia cannot"):
        nomination_create(actor=leader, opportunity=sixth_form, learners=[world.a.pupil])


def test_drafts_and_other_hubs_opportunities_cannot_be_nominated_to(leader, world):
    draft = make_opportunity(world.a.employer, [world.a.hub], status="draft")
    foreign = make_opportunity(world.b.employer, [world.b.hub])
    for hidden in (draft, foreign):
        with pytest.raises(Opportunity.DoesNotExist):
            nomination_create(actor=leader, opportunity=hidden, learners=[world.a.pupil])


# -- Allocating one place at a time


def test_places_are_offered_until_the_opportunity_is_full(employer, world, published):
    first, second, third = (
        make_nomination(published, pupil) for pupil in make_pupils(world.a.school, 3)
    )
    assert place_allocate(actor=employer, nomination=first).status == "offered"
    assert place_allocate(actor=employer, nomination=second).status == "offered"
    with pytest.raises(NoPlaceLeft) as refused:
        place_allocate(actor=employer, nomination=third)
    assert refused.value.messages == ["All 2 places are taken."]
    third = Nomination.objects.get(pk=third.pk)
    assert third.status == "refused_full"
    assert third.explanation == "Not offered: All 2 places are taken."


def test_a_declined_pupil_frees_the_place_for_the_next(employer, world, published):
    first, second, third = (
        make_nomination(published, pupil) for pupil in make_pupils(world.a.school, 3)
    )
    place_allocate(actor=employer, nomination=first)
    place_allocate(actor=employer, nomination=second)
    with pytest.raises(ValidationError, match="Say why"):
        nomination_decide(actor=employer, nomination=first, accept=False)
    declined = nomination_decide(
        actor=employer, nomination=first, accept=False, reason="The site needs Year 10+."
    )
    assert (declined.status, declined.decision_reason) == ("declined", "The site needs Year 10+.")
    assert place_allocate(actor=employer, nomination=third).status == "offered"


def test_accepting_a_pupil_without_an_offer_takes_a_place_or_says_it_is_full(
    employer, world, published
):
    first, second, third = (
        make_nomination(published, pupil) for pupil in make_pupils(world.a.school, 3)
    )
    assert nomination_decide(actor=employer, nomination=first, accept=True).status == "accepted"
    place_allocate(actor=employer, nomination=second)
    assert nomination_decide(actor=employer, nomination=second, accept=True).status == "accepted"
    with pytest.raises(NoPlaceLeft, match=r"All 2 places are taken\."):
        nomination_decide(actor=employer, nomination=third, accept=True)


def test_allocating_twice_does_not_take_two_places(employer, world, published):
    first, second = (make_nomination(published, p) for p in make_pupils(world.a.school, 2))
    place_allocate(actor=employer, nomination=first)
    place_allocate(actor=employer, nomination=first)
    assert place_allocate(actor=employer, nomination=second).status == "offered"


def test_an_expired_check_blocks_allocation_with_a_clear_message(employer, world):
    make_vetting(world.a.employer, world.a.hub, expires=soon(20))
    opportunity = make_opportunity(world.a.employer, [world.a.hub], start_date=soon(21))
    nomination = make_nomination(opportunity, world.a.pupil)
    with pytest.raises(PlacementBlocked) as blocked:
        place_allocate(actor=employer, nomination=nomination)
    expires = soon(20)
    assert blocked.value.messages == [
        f"Employer A's employer's liability insurance for Hub A expires on "
        f"{expires:%-d %B %Y}, before the opportunity starts on "
        f"{expires + timedelta(days=1):%-d %B %Y}."
    ]
    assert Nomination.objects.get(pk=nomination.pk).status == "nominated"


def test_a_closed_opportunity_allocates_no_more_places(employer, world):
    make_vetting(world.a.employer, world.a.hub)
    closed = make_opportunity(world.a.employer, [world.a.hub], status="closed")
    nomination = make_nomination(closed, world.a.pupil)
    with pytest.raises(PlacementBlocked, match="is closed"):
        place_allocate(actor=employer, nomination=nomination)


def test_another_employers_nomination_is_not_found(world):
    make_vetting(world.a.sibling_employer, world.a.hub)
    theirs = make_nomination(
        make_opportunity(world.a.sibling_employer, [world.a.hub]), world.a.pupil
    )
    with _as(world.a.users[Role.EMPLOYER]) as employer:
        with pytest.raises(Opportunity.DoesNotExist):
            place_allocate(actor=employer, nomination=theirs)
        with pytest.raises(Opportunity.DoesNotExist):
            nomination_decide(actor=employer, nomination=theirs, accept=True)


def test_schools_cannot_allocate_places(leader, world, published):
    nomination = make_nomination(published, world.a.pupil)
    with pytest.raises(PermissionDenied):
        place_allocate(actor=leader, nomination=nomination)

"""Vetting, opportunities and nominations: the rules on the rows and who may see them."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from access.actor import actor_for_user
from access.context import acting_as
from access.roles import Role
from employers.models import EmployerVetting, Nomination, Opportunity
from employers.rules import (
    eligible_year_group,
    no_place_left,
    valid_vetting_q,
    vetting_problem,
    vetting_valid_on,
    year_groups_clean,
)

from .employer_world import make_nomination, make_opportunity, make_vetting, soon

DAY = date(2026, 3, 2)


def _vetting(expires, approved=True):
    return SimpleNamespace(
        insurance_expires=expires, approved_at="2026-01-05" if approved else None
    )


# -- The vetting rule (no database)


def test_a_check_is_valid_on_the_day_its_insurance_expires():
    assert vetting_valid_on(_vetting(DAY), DAY)


def test_a_check_is_not_valid_the_day_after_its_insurance_expires():
    assert not vetting_valid_on(_vetting(DAY - timedelta(days=1)), DAY)


def test_an_unapproved_or_missing_check_is_never_valid():
    assert not vetting_valid_on(_vetting(DAY, approved=False), DAY)
    assert not vetting_valid_on(None, DAY)


def test_each_vetting_problem_is_said_in_words():
    say = {"employer_name": "Acme", "hub_name": "Hub A", "day": DAY}
    assert vetting_problem(None, **say) == (
        "Acme has no safety check for Hub A: ask the hub lead to vet it."
    )
    assert vetting_problem(_vetting(DAY, approved=False), **say) == (
        "Acme's safety check for Hub A is waiting for the hub lead."
    )
    assert vetting_problem(_vetting(date(2026, 3, 1)), **say) == (
        "Acme's employer's liability insurance for Hub A expires on 1 March 2026, "
        "before the opportunity starts on 2 March 2026."
    )
    assert vetting_problem(_vetting(DAY), **say) is None


def test_year_groups_are_distinct_years_7_to_13():
    assert year_groups_clean(["11", 10, 10]) == [10, 11]
    for bad in ([], [6], [14], ["ten"]):
        with pytest.raises(ValidationError, match=r"[Yy]ear group"):
            year_groups_clean(bad)


def test_a_pupil_is_eligible_by_their_year_group_on_the_first_day():
    opportunity = SimpleNamespace(start_date=date(2026, 9, 1), year_groups=[10, 11])
    # Year 9 in 2025/26 is Year 10 when a September 2026 placement starts.
    assert eligible_year_group(2023, opportunity) == 10
    assert eligible_year_group(2024, opportunity) is None


def test_a_full_opportunity_says_how_many_places_it_had():
    assert no_place_left(5) == "All 5 places are taken."
    assert no_place_left(1) == "The only place is taken."


# -- Rows


@pytest.mark.django_db
def test_the_database_query_for_valid_checks_agrees_with_the_rule(world, unscoped):
    valid = make_vetting(world.a.employer, world.a.hub, expires=DAY)
    make_vetting(world.a.sibling_employer, world.a.hub, expires=DAY - timedelta(days=1))
    make_vetting(world.b.employer, world.b.hub, expires=DAY, approved=False)
    assert list(EmployerVetting.objects.filter(valid_vetting_q(DAY))) == [valid]


@pytest.mark.django_db
def test_an_employer_has_one_check_per_hub(world):
    make_vetting(world.a.employer, world.a.hub)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_vetting(world.a.employer, world.a.hub)


@pytest.mark.django_db
def test_a_pupil_is_nominated_once_per_opportunity(world):
    opportunity = make_opportunity(world.a.employer, [world.a.hub])
    make_nomination(opportunity, world.a.pupil)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_nomination(opportunity, world.a.pupil)


@pytest.mark.django_db
def test_an_opportunity_needs_places_and_cannot_end_before_it_starts(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_opportunity(world.a.employer, [world.a.hub], capacity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_opportunity(world.a.employer, [world.a.hub], start_date=soon(10), end_date=soon(9))


# -- Scoping


@pytest.fixture
def offers(world):
    """Employer A's opportunities (a draft and a published one), its sibling's and hub B's,
    with nominations from both schools of hub A."""
    a, b = world.a, world.b
    offers = SimpleNamespace(
        draft=make_opportunity(a.employer, [a.hub], status="draft", title="Draft"),
        own=make_opportunity(a.employer, [a.hub], title="Own"),
        sibling=make_opportunity(a.sibling_employer, [a.hub], title="Sibling"),
        foreign=make_opportunity(b.employer, [b.hub], title="Foreign"),
        closed=make_opportunity(a.employer, [a.hub], status="closed", title="Closed"),
    )
    offers.own_nomination = make_nomination(offers.own, a.pupil)
    offers.sibling_school_nomination = make_nomination(offers.own, a.sibling_pupil)
    offers.sibling_employer_nomination = make_nomination(offers.sibling, a.sibling_pupil)
    offers.foreign_nomination = make_nomination(offers.foreign, b.pupil)
    return offers


def _as(user):
    return acting_as(actor_for_user(user))


def _titles(queryset):
    return sorted(queryset.values_list("title", flat=True))


@pytest.mark.django_db
def test_an_employer_sees_its_own_opportunities_drafts_included(world, offers):
    with _as(world.a.users[Role.EMPLOYER]):
        assert _titles(Opportunity.objects.all()) == ["Closed", "Draft", "Own"]


@pytest.mark.django_db
def test_an_employer_sees_only_nominations_to_its_own_opportunities(world, offers):
    with _as(world.a.users[Role.EMPLOYER]):
        assert set(Nomination.objects.all()) == {
            offers.own_nomination,
            offers.sibling_school_nomination,
        }
        with pytest.raises(Nomination.DoesNotExist):
            Nomination.objects.get(pk=offers.sibling_employer_nomination.pk)
        with pytest.raises(Opportunity.DoesNotExist):
            Opportunity.objects.get(pk=offers.sibling.pk)


@pytest.mark.django_db
def test_a_school_sees_published_opportunities_of_its_hub_and_its_own_nominations(world, offers):
    with _as(world.a.users[Role.CAREERS_LEADER]):
        assert _titles(Opportunity.objects.all()) == ["Own", "Sibling"]
        assert list(Nomination.objects.all()) == [offers.own_nomination]


@pytest.mark.django_db
def test_a_school_keeps_sight_of_a_closed_opportunity_it_nominated_to(world, offers):
    make_nomination(offers.closed, world.a.pupil)
    with _as(world.a.users[Role.SCHOOL_STAFF]):
        assert _titles(Opportunity.objects.all()) == ["Closed", "Own", "Sibling"]


@pytest.mark.django_db
def test_a_hub_lead_sees_their_hubs_offers_but_nominations_only_as_totals(world, offers):
    with _as(world.a.users[Role.HUB_LEAD]) as actor:
        assert _titles(Opportunity.objects.all()) == ["Closed", "Own", "Sibling"]
        assert Nomination.objects.count() == 0
    with acting_as(actor.for_aggregates()):
        assert Nomination.objects.count() == 3


@pytest.mark.django_db
def test_an_opportunity_offered_to_two_hubs_appears_once(world, offers):
    offers.own.visible_to_hubs.add(world.b.hub)
    with _as(world.b.users[Role.CAREERS_LEADER]):
        assert _titles(Opportunity.objects.all()) == ["Foreign", "Own"]
    with _as(world.a.users[Role.CAREERS_LEADER]):
        assert _titles(Opportunity.objects.all()) == ["Own", "Sibling"]


@pytest.mark.django_db
def test_checks_are_seen_by_their_employer_and_the_hubs_staff_only(world):
    own = make_vetting(world.a.employer, world.a.hub)
    make_vetting(world.a.employer, world.b.hub)
    make_vetting(world.b.employer, world.b.hub)
    with _as(world.a.users[Role.HUB_LEAD]):
        assert list(EmployerVetting.objects.all()) == [own]
    with _as(world.a.users[Role.CAREERS_LEADER]):
        assert list(EmployerVetting.objects.all()) == [own]
    with _as(world.a.users[Role.EMPLOYER]):
        assert EmployerVetting.objects.count() == 2
    with _as(world.national_analyst):
        assert EmployerVetting.objects.count() == 0


@pytest.mark.django_db
def test_an_employer_reads_a_nominated_pupil_as_first_name_year_group_and_shared_needs(
    world, offers
):
    from dataclasses import fields

    from employers.selectors import nominations_received

    with _as(world.a.users[Role.EMPLOYER]) as employer:
        shared = nominations_received(actor=employer, opportunity=offers.own)
    assert {f.name for f in fields(shared[0])} == {
        "nomination_id",
        "first_name",
        "year_group",
        "school_name",
        "shared_support_needs",
        "status",
        "status_label",
        "decision_reason",
    }
    assert [(p.nomination_id, p.first_name) for p in shared] == [
        (offers.own_nomination.pk, "Amelia"),
        (offers.sibling_school_nomination.pk, "Oliver"),
    ]
    with _as(world.a.users[Role.EMPLOYER]) as employer:
        assert nominations_received(actor=employer, opportunity=offers.sibling) == []

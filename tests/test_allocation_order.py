"""The fair order for scarce places: first as plain functions, then as a run over real
pupils' progress with exact outcomes and explanations."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from employers.allocation import Candidate, allocate, allocation_order, days_behind, reasons
from employers.models import Nomination
from employers.services import allocation_run, nomination_decide

from .employer_world import make_nomination, make_opportunity, make_pupils, make_vetting

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def _candidate(n, *, pp=False, send="N", behind="0", interested=False, minute=None):
    return Candidate(
        nomination_id=n,
        disadvantaged=pp,
        send=send,
        days_behind=Decimal(behind),
        interested_in_sector=interested,
        nominated_at=T0 + timedelta(minutes=n if minute is None else minute),
    )


def _ids(candidates):
    return [c.nomination_id for c in candidates]


# -- The order, as plain functions


def test_disadvantaged_and_send_pupils_come_before_pupils_further_behind():
    order = allocation_order(
        [
            _candidate(1, behind="4.5", interested=True),
            _candidate(2, send="K", behind="0.5"),
            _candidate(3, pp=True),
            _candidate(4, send="E", behind="1"),
        ]
    )
    assert _ids(order) == [4, 2, 3, 1]


def test_within_a_group_the_pupil_furthest_behind_comes_first():
    order = allocation_order(
        [_candidate(1, behind="0.5"), _candidate(2, behind="3"), _candidate(3, behind="1.25")]
    )
    assert _ids(order) == [2, 3, 1]


def test_sector_interest_decides_between_pupils_equally_behind():
    order = allocation_order(
        [_candidate(1, behind="2"), _candidate(2, behind="2", interested=True), _candidate(3)]
    )
    assert _ids(order) == [2, 1, 3]


def test_interest_never_outweighs_being_further_behind():
    order = allocation_order(
        [_candidate(1, behind="1", interested=True), _candidate(2, behind="2")]
    )
    assert _ids(order) == [2, 1]


def test_full_ties_go_to_the_earlier_nomination():
    order = allocation_order([_candidate(1, minute=30), _candidate(2, minute=10)])
    assert _ids(order) == [2, 1]


def test_the_reasons_name_every_fact_the_order_used():
    assert reasons(_candidate(1, pp=True, behind="3", interested=True)) == (
        "Pupil Premium, 3.0 days behind, interested in the sector"
    )
    assert reasons(_candidate(1, pp=True, send="E")) == (
        "Pupil Premium, EHC plan, on track, no stated interest in the sector"
    )


def test_each_decision_is_explained_with_the_pupils_place_in_the_order():
    decisions = allocate(
        [_candidate(1, behind="1"), _candidate(2, pp=True, behind="3", interested=True)], 1
    )
    assert [(d.candidate.nomination_id, d.offered, d.explanation) for d in decisions] == [
        (2, True, "Offered: Pupil Premium, 3.0 days behind, interested in the sector."),
        (
            1,
            False,
            "Not offered: 1.0 days behind, no stated interest in the sector; "
            "2nd of 2 in the fair order; the place went to pupils ahead.",
        ),
    ]


def test_with_no_places_left_nobody_is_offered_one():
    (decision,) = allocate([_candidate(1)], 0)
    assert not decision.offered
    assert decision.explanation.endswith("; no places were left.")


def test_days_behind_read_the_current_key_stages_week():
    figures = {
        "ks3_hours": Decimal(5),
        "ks3_expected_hours": Decimal(20),
        "ks4_placement_hours": Decimal(0),
        "ks4_expected_hours": Decimal("12.5"),
    }
    assert days_behind(stage_offset=2, **figures) == Decimal("3.00")  # Year 9: KS3 week
    assert days_behind(stage_offset=4, **figures) == Decimal("2.50")  # Year 11: placements
    assert days_behind(stage_offset=5, **figures) == Decimal(0)  # Year 12
    ahead = {**figures, "ks3_hours": Decimal(25)}
    assert days_behind(stage_offset=0, **ahead) == Decimal(0)  # never negative


# -- A run over real pupils

# On 1 September 2026 pupils of the 2022 cohort start Year 11, half way through KS4: the
# pro-rata share of the placement week is 12.5 hours, 2.5 days.
AS_AT = date(2026, 9, 1)
YEAR_10_IN_2025 = {"year_group": 10, "on": date(2026, 1, 15)}


def _placement_hours(pupil, hours):
    from learners.models import Experience, Participation

    with all_tenants_UNSAFE("test"):
        experience = Experience.objects.create(
            school=pupil.school,
            title="Earlier placement",
            kind="placement",
            setting="workplace",
            tier=3,
            start_date=date(2026, 6, 1),
            end_date=date(2026, 6, 3),
            duration_hours=hours,
            meets_m1=True,
            meets_m2=True,
            meets_m3=True,
        )
        Participation.objects.create(
            hub_id=pupil.hub_id,
            school=pupil.school,
            experience=experience,
            learner=pupil,
            hours_attended=hours,
        )


@pytest.fixture
def oversubscribed(world):
    """Two places, five pupils nominated in the order Ada, Ben, Cal, Dee, Eve."""
    school = world.a.school
    make_vetting(world.a.employer, world.a.hub)
    opportunity = make_opportunity(world.a.employer, [world.a.hub], capacity=2)
    (ada, dee, eve) = make_pupils(school, 3, **YEAR_10_IN_2025)
    (ben,) = make_pupils(school, 1, send="K", **YEAR_10_IN_2025)
    (cal,) = make_pupils(school, 1, disadvantaged=True, **YEAR_10_IN_2025)
    _placement_hours(ben, 5)
    _placement_hours(eve, 15)
    nominations = {}
    for minute, (name, pupil, interested) in enumerate(
        [
            ("Ada", ada, True),
            ("Ben", ben, False),
            ("Cal", cal, False),
            ("Dee", dee, False),
            ("Eve", eve, True),
        ]
    ):
        nominations[name] = make_nomination(opportunity, pupil, interested_in_sector=interested)
        with all_tenants_UNSAFE("test"):  # nomination times a minute apart
            Nomination.objects.filter(pk=nominations[name].pk).update(
                created_at=T0 + timedelta(minutes=minute)
            )
    return opportunity, nominations


def _outcomes(nominations):
    with all_tenants_UNSAFE("test assertions"):
        return {
            name: Nomination.objects.values_list("status", "explanation").get(pk=n.pk)
            for name, n in nominations.items()
        }


@pytest.mark.django_db
def test_an_allocation_run_offers_scarce_places_fairly_and_explains_each_choice(
    world, oversubscribed
):
    opportunity, nominations = oversubscribed
    with acting_as(actor_for_user(world.a.users[Role.EMPLOYER])) as employer:
        decisions = allocation_run(actor=employer, opportunity=opportunity, as_at=AS_AT)
    names = {n.pk: name for name, n in nominations.items()}
    assert [names[d.candidate.nomination_id] for d in decisions] == [
        "Cal",  # Pupil Premium, 2.5 days behind
        "Ben",  # SEN support, 1.5 days behind
        "Ada",  # 2.5 days behind, interested
        "Dee",  # 2.5 days behind, not interested
        "Eve",  # on track
    ]
    tail = "in the fair order; the 2 places went to pupils ahead."
    assert _outcomes(nominations) == {
        "Cal": (
            "offered",
            "Offered: Pupil Premium, 2.5 days behind, no stated interest in the sector.",
        ),
        "Ben": (
            "offered",
            "Offered: SEN support, 1.5 days behind, no stated interest in the sector.",
        ),
        "Ada": (
            "refused_full",
            f"Not offered: 2.5 days behind, interested in the sector; 3rd of 5 {tail}",
        ),
        "Dee": (
            "refused_full",
            f"Not offered: 2.5 days behind, no stated interest in the sector; 4th of 5 {tail}",
        ),
        "Eve": (
            "refused_full",
            f"Not offered: on track, interested in the sector; 5th of 5 {tail}",
        ),
    }


@pytest.mark.django_db
def test_a_place_freed_by_a_decline_goes_to_the_next_pupil_in_the_order(world, oversubscribed):
    opportunity, nominations = oversubscribed
    with acting_as(actor_for_user(world.a.users[Role.EMPLOYER])) as employer:
        allocation_run(actor=employer, opportunity=opportunity, as_at=AS_AT)
        nomination_decide(
            actor=employer, nomination=nominations["Cal"], accept=False, reason="Site closed."
        )
        decisions = allocation_run(actor=employer, opportunity=opportunity, as_at=AS_AT)
    assert [(d.candidate.nomination_id, d.offered) for d in decisions] == [
        (nominations["Ada"].pk, True),
        (nominations["Dee"].pk, False),
        (nominations["Eve"].pk, False),
    ]
    statuses = {name: status for name, (status, _) in _outcomes(nominations).items()}
    assert statuses == {
        "Cal": "declined",
        "Ben": "offered",
        "Ada": "offered",
        "Dee": "refused_full",
        "Eve": "refused_full",
    }


@pytest.mark.django_db
def test_pupils_of_a_hub_the_employer_is_not_vetted_for_keep_waiting_with_the_reason(world):
    make_vetting(world.a.employer, world.a.hub)
    world.a.employer.hubs.add(world.b.hub)
    opportunity = make_opportunity(world.a.employer, [world.a.hub, world.b.hub], capacity=5)
    ours = make_nomination(opportunity, world.a.pupil)
    theirs = make_nomination(opportunity, world.b.pupil)
    with acting_as(actor_for_user(world.a.users[Role.EMPLOYER])) as employer:
        decisions = allocation_run(actor=employer, opportunity=opportunity)
    assert [d.candidate.nomination_id for d in decisions] == [ours.pk]
    with all_tenants_UNSAFE("test assertions"):
        theirs = Nomination.objects.get(pk=theirs.pk)
    assert theirs.status == "nominated"
    assert theirs.explanation == (
        "Waiting: Employer A has no safety check for Hub B: ask the hub lead to vet it."
    )


@pytest.mark.django_db
def test_only_the_employer_runs_an_allocation(world, oversubscribed):
    opportunity, _ = oversubscribed
    for role in (Role.CAREERS_LEADER, Role.HUB_LEAD):
        with (
            acting_as(actor_for_user(world.a.users[role])) as actor,
            pytest.raises(PermissionDenied),
        ):
            allocation_run(actor=actor, opportunity=opportunity)

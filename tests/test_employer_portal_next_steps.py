"""The employer's week: the home page says what to do next, nominations show the school
and a waiting list, a full opportunity offers nothing that cannot succeed, the details of
the day are given, and after a placement the employer says whether it would host again."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from employers.models import Opportunity, ParentalConsent
from employers.selectors import employer_next_steps, hub_hosting_capacity
from employers.services import host_again_record
from outcomes.models import Skill

from .employer_world import make_nomination, make_opportunity, make_pupils, make_vetting, soon

pytestmark = pytest.mark.django_db


def _as(user):
    return acting_as(actor_for_user(user))


def _texts(world):
    with _as(world.a.users[Role.EMPLOYER]) as employer:
        return [step.text for step in employer_next_steps(actor=employer)]


def test_a_draft_without_a_safety_check_asks_for_one_with_a_link(client, world):
    make_opportunity(world.a.employer, [world.a.hub], status="draft", title="Site visit")
    assert _texts(world) == [
        f"Send your safety check for {world.a.hub.name} before you publish “Site visit”."
    ]
    client.force_login(world.a.users[Role.EMPLOYER])
    page = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("vetting_for_employer")}">Send a safety check</a>' in page


def test_a_vetted_draft_is_ready_to_publish_and_a_pending_check_says_it_waits(world):
    draft = make_opportunity(world.a.employer, [world.a.hub], status="draft", title="Visit")
    vetting = make_vetting(world.a.employer, world.a.hub, approved=False)
    assert _texts(world) == [
        f"“Visit” cannot be published yet: {world.a.employer.name}'s safety check for "
        f"{world.a.hub.name} is waiting for the hub lead."
    ]
    with all_tenants_UNSAFE("test"):
        vetting.approved_at = timezone.now()
        vetting.save()
    with _as(world.a.users[Role.EMPLOYER]) as employer:
        [step] = employer_next_steps(actor=employer)
    assert step.text == "“Visit” is ready to publish."
    assert step.url == reverse("opportunity_publish", args=[draft.pk])


def test_nominations_waiting_and_attendance_due_are_next_steps(world):
    make_vetting(world.a.employer, world.a.hub)
    waiting = make_opportunity(world.a.employer, [world.a.hub], title="Open day")
    for pupil in make_pupils(world.a.school, 2):
        make_nomination(waiting, pupil)
    today = timezone.localdate()
    started = make_opportunity(
        world.a.employer, [world.a.hub], title="Started", start_date=today - timedelta(days=1)
    )
    make_nomination(started, world.a.pupil, status="accepted")
    assert _texts(world) == [
        "2 nominations waiting for “Open day”.",
        f"Attendance is due for “Started” ({started.start_date:%-d %B %Y}).",
    ]


def test_after_attendance_the_employer_is_asked_whether_it_would_host_again(world):
    started = make_opportunity(
        world.a.employer,
        [world.a.hub],
        title="Done",
        start_date=timezone.localdate() - timedelta(days=3),
    )
    make_nomination(started, world.a.pupil, status="accepted")
    with all_tenants_UNSAFE("test"):
        Opportunity.objects.filter(pk=started.pk).update(attendance_confirmed_at=timezone.now())
    assert _texts(world) == ["Would you host pupils again after “Done”?"]
    with _as(world.a.users[Role.EMPLOYER]) as employer:
        host_again_record(actor=employer, opportunity=started, host_again=True, places=4)
    assert _texts(world) == []


def test_the_employer_home_runs_the_same_queries_for_2_and_20_opportunities(client, world):
    client.force_login(world.a.users[Role.EMPLOYER])

    def add(count, start):
        for n in range(count):
            opportunity = make_opportunity(
                world.a.employer,
                [world.a.hub, world.b.hub],
                status=("draft", "published")[n % 2],
                title=f"Opportunity {start + n}",
            )
            make_nomination(opportunity, make_pupils(world.a.school, 1)[0])

    add(2, 0)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home")).status_code == 200
    add(18, 100)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("home")).status_code == 200
    assert len(large) == len(small)


# -- Nominations: the school's name, a waiting list, nothing impossible when full


@pytest.fixture
def full(world):
    """A published opportunity with 2 places, both taken, and 2 pupils waiting."""
    make_vetting(world.a.employer, world.a.hub)
    opportunity = make_opportunity(world.a.employer, [world.a.hub], capacity=2)
    pupils = make_pupils(world.a.school, 4)
    holders = [make_nomination(opportunity, p, status="accepted") for p in pupils[:2]]
    waiting = [make_nomination(opportunity, p) for p in pupils[2:]]
    return opportunity, holders, waiting


def _page(client, world, opportunity):
    client.force_login(world.a.users[Role.EMPLOYER])
    return client.get(reverse("opportunity_nominations", args=[opportunity.pk])).content.decode()


def test_nominations_show_the_schools_name(client, world, full):
    opportunity, *_ = full
    make_nomination(opportunity, world.a.sibling_pupil)
    page = _page(client, world, opportunity)
    assert f"<td>{world.a.school.name}</td>" in page
    assert f"<td>{world.a.sibling_school.name}</td>" in page


def test_a_full_opportunity_offers_no_accept_and_no_allocation_but_a_waiting_list(
    client, world, full
):
    opportunity, *_ = full
    page = _page(client, world, opportunity)
    assert "Offer the free places in the fair order" not in page
    assert page.count('value="accept"') == 0  # the holders are accepted; the others cannot be
    assert "Waiting list, number 1" in page and "Waiting list, number 2" in page
    assert page.count('value="decline"') == 4  # declining can always succeed
    assert "2 pupils are on the waiting list" in page


def test_a_decline_frees_a_place_and_the_waiting_list_can_be_offered_it_without_overbooking(
    client, world, full
):
    opportunity, holders, _ = full
    client.force_login(world.a.users[Role.EMPLOYER])
    client.post(
        reverse("opportunity_nominations", args=[opportunity.pk]),
        {"action": "decline", "nomination": holders[0].pk, "reason": "Site closed that day."},
    )
    page = _page(client, world, opportunity)
    assert "Offer the free places in the fair order" in page
    # The two waiting, and the declined pupil, who could be taken back.
    assert page.count('value="accept"') == 3
    client.post(reverse("opportunity_nominations", args=[opportunity.pk]), {"action": "allocate"})
    with all_tenants_UNSAFE("test"):
        held = opportunity.nominations.filter(status__in=("offered", "accepted")).count()
    assert held == 2
    page = _page(client, world, opportunity)
    assert "Waiting list, number 1" in page and "Waiting list, number 2" not in page


def test_a_closed_opportunity_offers_no_decisions(client, world, full):
    opportunity, *_ = full
    with all_tenants_UNSAFE("test"):
        Opportunity.objects.filter(pk=opportunity.pk).update(status="closed")
    page = _page(client, world, opportunity)
    assert 'value="accept"' not in page and 'value="decline"' not in page
    assert "nominations cannot change" in page


# -- The details of the day


def test_an_opportunity_gives_times_address_dress_code_contact_and_what_to_bring(client, world):
    client.force_login(world.a.users[Role.EMPLOYER])
    response = client.post(
        reverse("opportunity_new"),
        {
            "title": "Engineering day",
            "kind": "placement",
            "setting": "workplace",
            "tier": "3",
            "start_date": soon(30).isoformat(),
            "capacity": "4",
            "year_groups": ["9", "10"],
            "hubs": [str(world.a.hub.pk)],
            "starts_at": "09:00",
            "ends_at": "15:30",
            "address": "Unit 4, Riverside Works\nLeeds",
            "dress_code": "Smart casual; closed-toe shoes",
            "onsite_contact_name": "Jo Supervisor",
            "onsite_contact_phone": "0113 496 0000",
            "what_to_bring": "Packed lunch",
        },
    )
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        opportunity = Opportunity.objects.get(title="Engineering day")
    assert (opportunity.starts_at, opportunity.ends_at) == (time(9), time(15, 30))
    assert opportunity.onsite_contact_phone == "0113 496 0000"
    make_vetting(world.a.employer, world.a.hub)
    with all_tenants_UNSAFE("test"):
        Opportunity.objects.filter(pk=opportunity.pk).update(status="published")
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    page = client.get(reverse("opportunity_nominate", args=[opportunity.pk])).content.decode()
    for text in (
        "Arrive by 9:00 a.m., finish at 3:30 p.m.",
        "Unit 4, Riverside Works<br>Leeds",
        "Smart casual; closed-toe shoes",
        "Jo Supervisor",
        'href="tel:01134960000"',
        "Packed lunch",
    ):
        assert text in page


def test_a_finishing_time_before_the_arrival_time_is_refused(client, world):
    from employers.services import opportunity_create

    with (
        _as(world.a.users[Role.EMPLOYER]) as employer,
        pytest.raises(ValidationError, match="finishing time"),
    ):
        opportunity_create(
            actor=employer,
            title="Backwards",
            kind="placement",
            setting="workplace",
            tier=3,
            start_date=soon(),
            capacity=2,
            year_groups=[10],
            hub_ids=[world.a.hub.pk],
            starts_at=time(15),
            ends_at=time(9),
        )


# -- After the placement


@pytest.fixture
def confirmed(client, world):
    """A placement that started yesterday, world.a's pupil attended with a skills rating."""
    today = timezone.localdate()
    opportunity = make_opportunity(
        world.a.employer, [world.a.hub], start_date=today - timedelta(days=1), end_date=today
    )
    nomination = make_nomination(opportunity, world.a.pupil, status="accepted")
    with all_tenants_UNSAFE("test"):
        ParentalConsent.objects.create(
            hub_id=nomination.hub_id,
            school_id=nomination.school_id,
            nomination=nomination,
            token_digest="c" * 64,
            answer="given",
            signed_by="Pat",
            answered_at=timezone.now(),
        )
    skill = Skill.objects.filter(framework__is_current=True).order_by("pk").last()
    client.force_login(world.a.users[Role.EMPLOYER])
    response = client.post(
        reverse("opportunity_attendance", args=[opportunity.pk]),
        {
            "duration_hours": "5",
            f"attended-{nomination.pk}": "yes",
            f"skill-{nomination.pk}": skill.pk,
            f"step-{nomination.pk}": "7",
        },
    )
    assert response.status_code == 302
    return opportunity, nomination, skill


def test_the_saved_skills_rating_shows_after_confirming(client, confirmed):
    opportunity, nomination, skill = confirmed
    page = client.get(reverse("opportunity_attendance", args=[opportunity.pk])).content.decode()
    assert f'<option value="{skill.pk}" selected>' in page
    assert f'name="step-{nomination.pk}" id="step-{nomination.pk}"' in page
    assert 'value="7"' in page
    assert f"Saved: {skill.name}, step 7" in page


def test_the_employer_says_it_would_host_again_and_how_many(client, world, confirmed):
    opportunity, *_ = confirmed
    url = reverse("opportunity_attendance", args=[opportunity.pk])
    assert "Would you host pupils again, after" in client.get(url).content.decode()
    response = client.post(url, {"action": "host_again", "host_again": "yes"})
    assert response.status_code == 400
    assert "how many pupils" in response.content.decode()
    response = client.post(
        url, {"action": "host_again", "host_again": "yes", "host_again_places": "6"}
    )
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        opportunity.refresh_from_db()
    assert (opportunity.host_again, opportunity.host_again_places) == (True, 6)
    assert "You said yes, for 6 pupils" in client.get(url).content.decode()


def test_host_again_is_asked_only_once_attendance_is_confirmed(world):
    opportunity = make_opportunity(world.a.employer, [world.a.hub])
    with (
        _as(world.a.users[Role.EMPLOYER]) as employer,
        pytest.raises(ValidationError, match="Confirm attendance first"),
    ):
        host_again_record(actor=employer, opportunity=opportunity, host_again=False)


def test_the_hubs_capacity_adds_each_employers_latest_answer(world):
    def answered(employer, hubs, host_again, places, days_ago):
        opportunity = make_opportunity(employer, hubs)
        with all_tenants_UNSAFE("test"):
            Opportunity.objects.filter(pk=opportunity.pk).update(
                host_again=host_again,
                host_again_places=places,
                host_again_answered_at=timezone.now() - timedelta(days=days_ago),
            )

    answered(world.a.employer, [world.a.hub], True, 3, days_ago=30)
    answered(world.a.employer, [world.a.hub], True, 5, days_ago=1)  # the latest counts
    answered(world.a.sibling_employer, [world.a.hub], False, 0, days_ago=1)
    answered(world.b.employer, [world.b.hub], True, 40, days_ago=1)  # another hub's
    make_opportunity(world.a.sibling_employer, [world.a.hub])  # not answered
    with _as(world.a.users[Role.HUB_LEAD]) as hub_lead:
        assert hub_hosting_capacity(actor=hub_lead, hub_id=world.a.hub.pk) == 5

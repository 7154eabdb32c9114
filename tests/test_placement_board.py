"""The careers leader's placement board: one rule for each pupil's state, one query for the
board however many pupils, and consent requests and reminders for many pupils at once."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from employers.consent import consent_remind, consent_request, consent_request_many
from employers.models import Nomination, ParentalConsent
from employers.rules import placement_state
from employers.selectors import placement_board

from .employer_world import make_nomination, make_opportunity, make_pupils, soon

TODAY = date(2026, 3, 10)
LATER = date(2026, 3, 20)


def _state(**overrides):
    values = {
        "status": "accepted",
        "consent_needed": True,
        "consent_answer": None,
        "attendance_recorded": False,
        "absent": False,
        "feedback_given": False,
        "start_date": LATER,
        "today": TODAY,
    }
    return placement_state(**{**values, **overrides})


# -- The rule, without a database


def test_a_nominated_pupil_waits_on_the_employer():
    state = _state(status="nominated")
    assert (state.key, state.waiting_on) == ("nominated", "employer")


def test_a_pupil_not_offered_for_want_of_places_is_on_the_waiting_list():
    assert _state(status="refused_full").key == "waiting_list"


def test_a_declined_pupil_waits_on_nobody():
    state = _state(status="declined")
    assert (state.key, state.waiting_on, state.can_ask_for_consent) == ("declined", "", False)


def test_an_offered_or_accepted_pupil_without_consent_waits_on_the_school_to_ask():
    offered = _state(status="offered")
    accepted = _state(status="accepted")
    assert (offered.key, offered.waiting_on) == ("offered", "school")
    assert (accepted.key, accepted.waiting_on) == ("accepted", "school")
    assert offered.can_ask_for_consent and accepted.can_ask_for_consent
    assert accepted.next_step == "ask the parent or carer for consent"


def test_consent_asked_waits_on_the_parent_and_can_be_reminded():
    state = _state(consent_answer="waiting")
    assert (state.key, state.waiting_on, state.can_remind) == ("consent_asked", "parent", True)
    assert not state.can_ask_for_consent


def test_consent_refused_goes_back_to_the_school_which_can_ask_again():
    state = _state(consent_answer="refused")
    assert (state.key, state.waiting_on, state.can_ask_for_consent) == (
        "consent_refused",
        "school",
        True,
    )


def test_consent_given_waits_on_nobody_until_the_first_day_then_on_the_employer():
    before = _state(consent_answer="given")
    assert (before.key, before.waiting_on, before.next_step) == (
        "consent_given",
        "",
        "starts 20 March 2026",
    )
    on_the_day = _state(consent_answer="given", today=LATER)
    assert (on_the_day.waiting_on, on_the_day.next_step) == ("employer", "confirm attendance")


def test_an_in_school_project_needs_no_consent_and_waits_for_attendance():
    state = _state(consent_needed=False, today=LATER)
    assert (state.key, state.waiting_on, state.can_ask_for_consent) == (
        "accepted",
        "employer",
        False,
    )


def test_attendance_without_feedback_waits_on_the_employer_for_feedback():
    state = _state(consent_answer="given", attendance_recorded=True, today=LATER)
    assert (state.key, state.waiting_on, state.next_step) == (
        "attended",
        "employer",
        "give feedback",
    )


def test_feedback_received_ends_the_chain():
    state = _state(
        consent_answer="given", attendance_recorded=True, feedback_given=True, today=LATER
    )
    assert (state.key, state.label, state.waiting_on) == (
        "feedback_received",
        "Feedback received",
        "",
    )


def test_an_absent_pupil_is_shown_as_absent():
    assert _state(consent_answer="given", attendance_recorded=True, absent=True).key == "absent"


# -- The board, from the database


def _as(user):
    return acting_as(actor_for_user(user))


def _consent(nomination, answer="waiting", sent_to="parent@example.org"):
    with all_tenants_UNSAFE("test"):
        return ParentalConsent.objects.create(
            hub_id=nomination.hub_id,
            school_id=nomination.school_id,
            nomination=nomination,
            token_digest=f"digest-{nomination.pk}",
            sent_to=sent_to if answer == "waiting" else "",
            answer=answer,
            signed_by="" if answer == "waiting" else "Pat Parent",
            emergency_contact_name="Pat Parent" if answer == "given" else "",
            emergency_contact_phone="07700 900123" if answer == "given" else "",
            answered_at=None if answer == "waiting" else timezone.now(),
        )


def _nominations_in_every_state(world, year_group=10):
    """Year `year_group` pupils of world.a's school, one per state of the chain."""
    opportunity = make_opportunity(world.a.employer, [world.a.hub], start_date=soon())
    pupils = make_pupils(world.a.school, 6, year_group=year_group)
    statuses = ["nominated", "refused_full", "offered", "accepted", "accepted", "accepted"]
    nominations = [
        make_nomination(opportunity, pupil, status=status)
        for pupil, status in zip(pupils, statuses, strict=True)
    ]
    _consent(nominations[4], "waiting")
    _consent(nominations[5], "given")
    return opportunity, nominations


@pytest.mark.django_db
def test_the_board_shows_each_pupil_of_the_year_group_in_their_state(world):
    _, nominations = _nominations_in_every_state(world)
    # Another school's pupil in the same hub, and another year group: not on this board.
    other = make_opportunity(world.a.employer, [world.a.hub])
    make_nomination(other, make_pupils(world.a.sibling_school, 1, year_group=10)[0])
    make_nomination(other, make_pupils(world.a.school, 1, year_group=11)[0])
    with _as(world.a.users[Role.CAREERS_LEADER]) as actor:
        board = placement_board(actor=actor, year_group=10)
    states = {row.nomination_id: row.state.key for row in board.rows}
    assert states == {
        nominations[0].pk: "nominated",
        nominations[1].pk: "waiting_list",
        nominations[2].pk: "offered",
        nominations[3].pk: "accepted",
        nominations[4].pk: "consent_asked",
        nominations[5].pk: "consent_given",
    }
    assert board.counts["consent_asked"] == 1
    assert [row.nomination_id for row in board.not_answered] == [nominations[4].pk]
    assert {row.nomination_id for row in board.to_ask} == {nominations[2].pk, nominations[3].pk}


@pytest.mark.django_db
def test_the_board_runs_the_same_queries_for_6_and_300_pupils(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    url = reverse("placement_board") + "?year=10"
    _nominations_in_every_state(world)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    opportunity = make_opportunity(world.a.employer, [world.a.hub], capacity=500)
    pupils = make_pupils(world.a.school, 294, year_group=10)
    with all_tenants_UNSAFE("test"):
        created = Nomination.objects.bulk_create(
            Nomination(
                hub_id=p.hub_id,
                school_id=p.school_id,
                opportunity=opportunity,
                learner=p,
                status=("accepted", "nominated", "offered")[n % 3],
            )
            for n, p in enumerate(pupils)
        )
        ParentalConsent.objects.bulk_create(
            ParentalConsent(
                hub_id=n.hub_id,
                school_id=n.school_id,
                nomination=n,
                token_digest=f"bulk-{n.pk}",
                sent_to="p@example.org",
            )
            for n in created[::3]
        )
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('scope="row"') > 300
    assert len(large) == len(small)


@pytest.mark.django_db
def test_the_board_page_says_who_each_pupil_waits_on_and_shows_the_parents_details(client, world):
    _nominations_in_every_state(world)
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    page = client.get(reverse("placement_board") + "?year=10").content.decode()
    assert "The parent or carer: answer the consent request" in page
    assert "You: ask the parent or carer for consent" in page
    assert "The employer: offer a place or decline" in page
    assert "Emergency contact" in page and "07700 900123" in page
    assert "Not answered yet (1)" in page


@pytest.mark.django_db
def test_consent_is_asked_for_many_pupils_at_once_and_each_problem_stays_with_its_pupil(
    client, world, django_capture_on_commit_callbacks
):
    _, nominations = _nominations_in_every_state(world)
    offered, accepted = nominations[2], nominations[3]
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("placement_board"),
            {
                "action": "ask",
                "year": "10",
                f"email-{offered.pk}": "one@example.org",
                f"email-{accepted.pk}": "not an address",
            },
        )
    assert response.status_code == 400
    assert "Enter the parent" in response.content.decode()
    assert 'value="not an address"' in response.content.decode()
    assert [m.to for m in mail.outbox] == [["one@example.org"]]
    with all_tenants_UNSAFE("test"):
        assert ParentalConsent.objects.get(nomination=offered).answer == "waiting"
        assert not ParentalConsent.objects.filter(nomination=accepted).exists()


@pytest.mark.django_db
def test_the_service_sends_every_valid_request_and_returns_the_others_problems(
    world, django_capture_on_commit_callbacks
):
    _, nominations = _nominations_in_every_state(world)
    with (
        django_capture_on_commit_callbacks(execute=True),
        _as(world.a.users[Role.CAREERS_LEADER]) as actor,
    ):
        result = consent_request_many(
            actor=actor,
            emails={
                nominations[2].pk: "a@example.org",
                nominations[3].pk: "b@example.org",
                nominations[0].pk: "c@example.org",  # no place yet
            },
        )
    assert len(result.sent) == 2
    assert list(result.problems) == [nominations[0].pk]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]


@pytest.mark.django_db
def test_a_reminder_sends_a_fresh_link_and_the_old_one_stops_working(
    client, world, django_capture_on_commit_callbacks
):
    opportunity = make_opportunity(world.a.employer, [world.a.hub], start_date=soon())
    nomination = make_nomination(opportunity, world.a.pupil, status="accepted")
    leader = world.a.users[Role.CAREERS_LEADER]
    with django_capture_on_commit_callbacks(execute=True), _as(leader) as actor:
        consent = consent_request(
            actor=actor, nomination_id=nomination.pk, parent_email="pat@example.org"
        )
    first = _link(mail.outbox[-1])
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("placement_board"),
            {"action": "remind", "year": "9", "consent": [str(consent.pk)]},
        )
    assert response.status_code == 302
    reminder = mail.outbox[-1]
    assert reminder.subject.startswith("Reminder: consent needed")
    assert reminder.to == ["pat@example.org"]
    client.logout()
    assert client.get(first).status_code == 410
    assert client.get(_link(reminder)).status_code == 200
    with all_tenants_UNSAFE("test"):
        consent.refresh_from_db()
    assert consent.reminders_sent == 1 and consent.reminded_at is not None


@pytest.mark.django_db
def test_answered_consents_and_other_schools_consents_are_not_reminded(
    world, django_capture_on_commit_callbacks
):
    opportunity = make_opportunity(world.a.employer, [world.a.hub], start_date=soon())
    given = _consent(make_nomination(opportunity, world.a.pupil, status="accepted"), "given")
    other = _consent(make_nomination(opportunity, world.a.sibling_pupil, status="accepted"))
    with (
        django_capture_on_commit_callbacks(execute=True),
        _as(world.a.users[Role.CAREERS_LEADER]) as actor,
    ):
        assert consent_remind(actor=actor, consent_ids=[given.pk, other.pk]) == 0
    assert mail.outbox == []


def _link(message) -> str:
    url = next(word for word in message.body.split() if "/consent/" in word)
    return url.split("8000", 1)[-1] if "://" in url else url


@pytest.mark.django_db
def test_the_board_is_the_careers_leaders_only(client, world):
    for role in (Role.SCHOOL_STAFF, Role.EMPLOYER, Role.HUB_LEAD):
        client.force_login(world.a.users[role])
        assert client.get(reverse("placement_board")).status_code == 404


def test_dates_on_the_board_are_in_the_uk_form():
    assert _state(consent_answer="given", start_date=TODAY + timedelta(days=1)).next_step == (
        "starts 11 March 2026"
    )

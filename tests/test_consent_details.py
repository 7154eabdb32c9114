"""What a parent gives with consent: an emergency contact, medical or access needs (shared
with the employer only if they choose) and travel; seen by the careers leader, and by the
employer's supervisor where agreed; deleted on the retention schedule."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user, system_actor
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from employers.consent import ConsentDetails, consent_answer, consent_request, phone_clean
from employers.models import ParentalConsent
from employers.selectors import consent_details_for_employer
from privacy import retention

from .employer_world import make_nomination, make_opportunity

pytestmark = pytest.mark.django_db

DETAILS = {
    "emergency_contact_name": "Sam Parent",
    "emergency_contact_phone": "07700 900123",
    "medical_needs": "Asthma: inhaler in the front pocket.",
    "travel_arrangements": "Dropped off and collected by Sam.",
}


def _as(user):
    return acting_as(actor_for_user(user))


@pytest.fixture
def asked(world, django_capture_on_commit_callbacks):
    """world.a's pupil holds a place on a placement that starts today (so attendance is
    open); the parent is asked. Returns (nomination, token)."""
    today = timezone.localdate()
    opportunity = make_opportunity(
        world.a.employer, [world.a.hub], start_date=today, end_date=today + timedelta(days=2)
    )
    nomination = make_nomination(opportunity, world.a.pupil, status="accepted")
    with (
        django_capture_on_commit_callbacks(execute=True),
        _as(world.a.users[Role.CAREERS_LEADER]) as actor,
    ):
        consent_request(actor=actor, nomination_id=nomination.pk, parent_email="p@example.org")
    url = next(word for word in mail.outbox[-1].body.split() if "/consent/" in word)
    return nomination, url.rstrip("/").rsplit("/", 1)[-1]


def _consent(nomination):
    with all_tenants_UNSAFE("test"):
        return ParentalConsent.objects.get(nomination=nomination)


def test_giving_consent_keeps_the_emergency_contact_needs_and_travel(asked):
    nomination, token = asked
    consent_answer(
        token=token,
        give=True,
        signed_by="Sam Parent",
        details=ConsentDetails(**DETAILS, share_needs_with_employer=True),
    )
    consent = _consent(nomination)
    assert consent.answer == "given"
    assert {name: getattr(consent, name) for name in DETAILS} == DETAILS
    assert consent.share_needs_with_employer is True


def test_giving_consent_needs_an_emergency_contact_with_a_real_phone_number(asked):
    _, token = asked
    with pytest.raises(ValidationError) as refused:
        consent_answer(token=token, give=True, signed_by="Sam Parent")
    assert set(refused.value.message_dict) == {
        "emergency_contact_name",
        "emergency_contact_phone",
    }
    with pytest.raises(ValidationError, match="Enter a phone number"):
        consent_answer(
            token=token,
            give=True,
            signed_by="Sam Parent",
            details=ConsentDetails(emergency_contact_name="Sam", emergency_contact_phone="call me"),
        )


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("07700 900123", "07700 900123"), ("+44 (0)7700-900123", "+44 (0)7700-900123")],
)
def test_a_phone_number_is_kept_as_typed_with_its_spaces_tidied(typed, kept):
    assert phone_clean(f"  {typed}  ") == kept


@pytest.mark.parametrize("typed", ["12345", "0770090012345678", "07700 9001x3"])
def test_a_phone_number_without_10_to_15_digits_or_with_letters_is_refused(typed):
    with pytest.raises(ValidationError):
        phone_clean(typed)


def test_a_refusal_keeps_no_details(asked):
    nomination, token = asked
    consent_answer(
        token=token,
        give=False,
        signed_by="Sam Parent",
        details=ConsentDetails(**DETAILS, share_needs_with_employer=True),
    )
    consent = _consent(nomination)
    assert consent.answer == "refused"
    assert [getattr(consent, name) for name in DETAILS] == ["", "", "", ""]
    assert consent.share_needs_with_employer is False


def test_needs_cannot_be_shared_when_none_were_given(asked):
    nomination, token = asked
    details = {**DETAILS, "medical_needs": "  "}
    consent_answer(
        token=token,
        give=True,
        signed_by="Sam",
        details=ConsentDetails(**details, share_needs_with_employer=True),
    )
    assert _consent(nomination).share_needs_with_employer is False


def test_the_form_keeps_what_was_typed_and_marks_the_field_with_a_problem(client, asked):
    _, token = asked
    response = client.post(
        reverse("consent_answer", args=[token]),
        {
            "answer": "give",
            "signed_by": "Sam Parent",
            "emergency_contact_name": "Sam Parent",
            "emergency_contact_phone": "not a number",
            "travel_arrangements": "Bus",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="emergency_contact_phone-error"' in page and 'aria-invalid="true"' in page
    assert 'value="Sam Parent"' in page and ">Bus</textarea>" in page


def test_the_form_asks_for_nothing_more_than_the_placement_needs(client, asked):
    _, token = asked
    page = client.get(reverse("consent_answer", args=[token])).content.decode()
    form = page[page.index('<form method="post" aria-labelledby="answer-heading"') :]
    names = set(re.findall(r'name="([a-z_]+)"', form[: form.index("</form>")]))
    assert names == {
        "csrfmiddlewaretoken",
        "answer",
        "emergency_contact_name",
        "emergency_contact_phone",
        "medical_needs",
        "share_needs_with_employer",
        "travel_arrangements",
        "signed_by",
    }


def test_the_careers_leader_sees_the_details_and_the_email_carries_none(
    client, world, asked, django_capture_on_commit_callbacks
):
    nomination, token = asked
    with django_capture_on_commit_callbacks(execute=True):
        consent_answer(
            token=token, give=True, signed_by="Sam Parent", details=ConsentDetails(**DETAILS)
        )
    answered = mail.outbox[-1]
    assert "Asthma" not in answered.body and "07700" not in answered.body
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    for url in (
        reverse("placement_board") + "?year=9",
        reverse("opportunity_nominate", args=[nomination.opportunity_id]),
    ):
        page = client.get(url).content.decode()
        assert "Asthma: inhaler" in page and "07700 900123" in page
        assert "Dropped off and collected by Sam." in page
        assert "Not shared with the employer" in page


@pytest.mark.parametrize("shared", [True, False])
def test_the_employers_supervisor_sees_needs_only_where_the_parent_agreed(
    client, world, asked, shared
):
    nomination, token = asked
    consent_answer(
        token=token,
        give=True,
        signed_by="Sam Parent",
        details=ConsentDetails(**DETAILS, share_needs_with_employer=shared),
    )
    with _as(world.a.users[Role.EMPLOYER]) as employer:
        details = consent_details_for_employer(actor=employer, opportunity=nomination.opportunity)
    assert details[nomination.pk]["emergency_contact_phone"] == "07700 900123"
    assert bool(details[nomination.pk]["medical_needs"]) is shared
    assert "travel_arrangements" not in details[nomination.pk]
    client.force_login(world.a.users[Role.EMPLOYER])
    for name in ("opportunity_nominations", "opportunity_attendance"):
        page = client.get(reverse(name, args=[nomination.opportunity_id])).content.decode()
        assert "07700 900123" in page
        assert ("Asthma: inhaler" in page) is shared
        assert "Dropped off" not in page


def test_another_employer_sees_no_details(world, asked):
    nomination, token = asked
    consent_answer(
        token=token,
        give=True,
        signed_by="Sam Parent",
        details=ConsentDetails(**DETAILS, share_needs_with_employer=True),
    )
    other = world.b.users[Role.EMPLOYER]
    with _as(other) as employer:
        assert (
            consent_details_for_employer(actor=employer, opportunity=nomination.opportunity) == {}
        )


def test_the_new_details_go_on_the_retention_schedule_and_the_answer_stays(world):
    days = 30
    today = timezone.localdate()
    ended = today - timedelta(days=days + 1)
    opportunity = make_opportunity(
        world.a.employer, [world.a.hub], start_date=ended - timedelta(days=1), end_date=ended
    )
    nomination = make_nomination(opportunity, world.a.pupil, status="accepted")
    with all_tenants_UNSAFE("test"):
        consent = ParentalConsent.objects.create(
            hub_id=nomination.hub_id,
            school_id=nomination.school_id,
            nomination=nomination,
            token_digest="d" * 64,
            answer="given",
            signed_by="Sam Parent",
            share_needs_with_employer=True,
            answered_at=timezone.now() - timedelta(days=60),
            **DETAILS,
        )
    with acting_as(system_actor("test retention")):
        assert retention.consent_details_clear(today=today - timedelta(days=1), days=days) == 0
        assert retention.consent_details_clear(today=today, days=days) == 1
        assert retention.consent_details_clear(today=today, days=days) == 0
    with all_tenants_UNSAFE("test"):
        consent.refresh_from_db()
    assert [getattr(consent, name) for name in DETAILS] == ["", "", "", ""]
    assert consent.share_needs_with_employer is False
    assert (consent.answer, consent.signed_by) == ("given", "")


def test_a_leavers_consent_details_are_emptied_with_their_other_words():
    from privacy.leavers import FREE_TEXT

    assert set(DETAILS) <= set(FREE_TEXT["employers.ParentalConsent"])

"""The pupil page shows the pupil's nominations, places, consent and the parent's notes
(issue 14), to the careers leader; the read is audited and the queries do not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.context import all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from employers.models import ParentalConsent

from .employer_world import make_nomination, make_opportunity, make_vetting

pytestmark = pytest.mark.django_db


def consent(nomination, *, answer=ParentalConsent.Answer.GIVEN, note="", **details):
    with all_tenants_UNSAFE("test"):
        return ParentalConsent.objects.create(
            hub_id=nomination.hub_id,
            school_id=nomination.school_id,
            nomination=nomination,
            token_digest=f"digest-{nomination.pk}",
            answer=answer,
            signed_by="Pat Parent" if answer != ParentalConsent.Answer.WAITING else "",
            note=note,
            answered_at=timezone.now() if answer != ParentalConsent.Answer.WAITING else None,
            **details,
        )


def nominate(world, title, **fields):
    opportunity = make_opportunity(world.a.employer, [world.a.hub], title=title)
    return make_nomination(opportunity, world.a.pupil, **fields)


@pytest.fixture
def placed(world):
    make_vetting(world.a.employer, world.a.hub)
    accepted = nominate(world, "Week at the hospital", status="accepted")
    consent(
        accepted,
        note="Asthma: carries an inhaler.\nEmergency: Pat, 07700 900123",
        emergency_contact_name="Sam Carer",
        emergency_contact_phone="07700 900456",
        medical_needs="Nut allergy",
        travel_arrangements="Dropped off by car",
    )
    waiting = nominate(world, "Day at the garage", status="offered")
    consent(waiting, answer=ParentalConsent.Answer.WAITING)
    nominate(world, "Bank insight day")
    nominate(world, "Office week", status="accepted")
    return accepted


def pupil_page(client, world, role=Role.CAREERS_LEADER):
    client.force_login(world.a.users[role])
    return client.get(reverse("pupil_detail", args=[world.a.pupil.pk]))


def test_the_careers_leader_sees_places_consent_and_the_parents_note(client, world, placed):
    text = pupil_page(client, world).content.decode()
    assert "Placements and nominations" in text
    assert "Week at the hospital" in text and "Accepted by the employer" in text
    assert "Given by Pat Parent" in text
    assert "Asked on" in text and "no answer yet" in text
    assert "Asked once a place is offered" in text  # the bank: no place yet
    assert "Not asked yet" in text  # the office: a place, and nobody asked the parent
    assert "Asthma: carries an inhaler." in text
    assert "Emergency: Pat, 07700 900123" in text
    # What the consent form now asks for, from the parent's answer.
    assert "Sam Carer" in text and "07700 900456" in text
    assert "Nut allergy" in text and "Not shared with the employer" in text
    assert "Dropped off by car" in text


def test_reading_the_parents_answers_is_audited(client, world, placed):
    pupil_page(client, world)
    with all_tenants_UNSAFE("test"):
        events = AuditEvent.objects.filter(
            model="employers.ParentalConsent", action=AuditEvent.Action.VIEW
        )
        # The answered one; the unanswered one has no details to read.
        assert list(events.values_list("object_pk", flat=True)) == [str(placed.consent.pk)]


def test_school_staff_see_the_state_but_not_the_parents_note(client, world, placed):
    text = pupil_page(client, world, Role.SCHOOL_STAFF).content.decode()
    assert "Given by Pat Parent" in text
    assert "Asthma" not in text
    assert "Sam Carer" not in text and "Nut allergy" not in text


def test_a_pupil_with_no_nominations_says_so(client, world):
    text = pupil_page(client, world).content.decode()
    assert "Not put forward for any opportunity yet." in text


def test_the_pupil_page_runs_the_same_queries_for_one_or_many_placements(client, world):
    make_vetting(world.a.employer, world.a.hub)
    first = nominate(world, "First", status="accepted")
    consent(first, note="Hay fever")
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    url = reverse("pupil_detail", args=[world.a.pupil.pk])
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(4):
        more = nominate(world, f"More {n}", status="accepted")
        consent(more, note=f"Note {n}")
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert "Note 3" in response.content.decode()
    assert len(five.captured_queries) == len(one.captured_queries)


def test_attendance_confirmed_by_the_employer_reads_in_days(client, world):
    make_vetting(world.a.employer, world.a.hub)
    nominate(world, "Attended day", status="accepted", participation=world.a.participation)
    text = pupil_page(client, world).content.decode()
    assert "Attended: 1 day (5 hours)" in text

"""Parental consent by emailed link, attendance and feedback that become each school's
record, and the emails and reminders around them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user, system_actor
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from employers.attendance import Attendance, attendance_confirm
from employers.consent import consent_request
from employers.models import EmployerVetting, Nomination, Opportunity, ParentalConsent
from employers.reminders import reminders_send
from employers.rules import default_duration_hours, needs_parental_consent, reminder_due
from learners.models import Experience, Learner, Participation, SkillRating
from learners.progress import ProgressRules, with_progress
from outcomes.models import Skill

from .employer_world import make_nomination, make_opportunity, make_pupils, make_vetting

pytestmark = pytest.mark.django_db

CRITERIA = {"meets_m1": True, "meets_m2": True, "meets_m3": True}


def _as(user):
    return acting_as(actor_for_user(user))


def _yesterday():
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture
def placement(world):
    """A placement that started yesterday and ends tomorrow, with world.a's pupil holding a
    place."""
    today = timezone.localdate()
    opportunity = make_opportunity(
        world.a.employer,
        [world.a.hub],
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
        **CRITERIA,
    )
    nomination = make_nomination(
        opportunity, world.a.pupil, status=Nomination.Status.ACCEPTED, nominated_by=None
    )
    return opportunity, nomination


def _give_consent(nomination):
    with all_tenants_UNSAFE("test"):
        return ParentalConsent.objects.create(
            hub_id=nomination.hub_id,
            school_id=nomination.school_id,
            nomination=nomination,
            token_digest=f"digest-{nomination.pk}",
            answer=ParentalConsent.Answer.GIVEN,
            signed_by="Pat Parent",
            answered_at=timezone.now(),
        )


def _link(message) -> str:
    url = next(word for word in message.body.split() if "/consent/" in word)
    return url.split("8000", 1)[-1] if "://" in url else url


# -- The rules


def test_only_opportunities_in_school_need_no_parental_consent():
    assert needs_parental_consent(Opportunity(setting="workplace"))
    assert needs_parental_consent(Opportunity(setting="virtual"))
    assert not needs_parental_consent(Opportunity(setting="in_school"))


def test_the_suggested_length_is_five_hours_for_each_weekday():
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    week = Opportunity(start_date=monday, end_date=monday + timedelta(days=6))
    assert default_duration_hours(week) == Decimal(25)
    assert default_duration_hours(Opportunity(start_date=monday, end_date=monday)) == 5


def test_an_expiry_reminder_is_due_once_per_expiry_date():
    today = timezone.localdate()
    vetting = EmployerVetting(approved_at=timezone.now(), insurance_expires=today + timedelta(10))
    assert reminder_due(vetting, today, 30)
    assert not reminder_due(vetting, today, 5)
    vetting.reminded_of_expiry = vetting.insurance_expires
    assert not reminder_due(vetting, today, 30)
    vetting.insurance_expires += timedelta(days=5)  # renewed, then expiring again
    assert reminder_due(vetting, today, 30)


# -- Consent


def test_a_parent_gives_consent_through_the_emailed_link_without_an_account(
    client, world, placement, django_capture_on_commit_callbacks
):
    opportunity, nomination = placement
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(world.a.users[Role.CAREERS_LEADER])
        response = client.post(
            reverse("opportunity_nominate", args=[opportunity.pk]),
            {"action": "consent", "nomination": nomination.pk, "parent_email": "Pat@Example.org"},
        )
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == ["pat@example.org"]
    assert "Amelia" in email.body and world.a.pupil.surname not in email.body
    link = _link(email)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    with all_tenants_UNSAFE("test"):
        consent = ParentalConsent.objects.get(nomination=nomination)
    assert token not in consent.token_digest  # only the digest is kept

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "Consent for Amelia" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            link,
            {
                "answer": "give",
                "signed_by": "Pat Parent",
                "emergency_contact_name": "Pat Parent",
                "emergency_contact_phone": "07700 900123",
            },
        )
    assert response.status_code == 200
    assert "Consent given" in response.content.decode()
    consent.refresh_from_db()
    assert (consent.answer, consent.signed_by, consent.sent_to) == ("given", "Pat Parent", "")
    # The school hears the answer.
    assert mail.outbox[-1].to == [world.a.users[Role.CAREERS_LEADER].email]


@pytest.fixture
def ask_parents(world, django_capture_on_commit_callbacks):
    """The careers leader asks each address in turn; returns the emailed links."""

    def ask(nomination, *addresses):
        with (
            django_capture_on_commit_callbacks(execute=True),
            _as(world.a.users[Role.CAREERS_LEADER]) as actor,
        ):
            for address in addresses:
                consent_request(actor=actor, nomination_id=nomination.pk, parent_email=address)
        return [_link(message) for message in mail.outbox[-len(addresses) :]]

    return ask


def test_a_parent_must_sign_with_their_name(client, placement, ask_parents):
    _, nomination = placement
    [link] = ask_parents(nomination, "p@example.org")
    response = client.post(link, {"answer": "refuse", "signed_by": "  "})
    assert response.status_code == 400
    assert "Type your full name" in response.content.decode()
    with all_tenants_UNSAFE("test"):
        assert ParentalConsent.objects.get(nomination=nomination).answer == "waiting"


def test_asking_again_replaces_the_old_link(client, placement, ask_parents):
    _, nomination = placement
    first, second = ask_parents(nomination, "a@example.org", "b@example.org")
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_consent_is_asked_only_for_a_pupil_holding_a_place_and_a_real_address(world, placement):
    opportunity, nomination = placement
    waiting = make_nomination(opportunity, world.a.sibling_pupil)  # other school: not visible
    own_waiting = make_nomination(opportunity, make_pupils(world.a.school, 1)[0])
    with _as(world.a.users[Role.CAREERS_LEADER]) as actor:
        with pytest.raises(ValidationError, match="does not hold a place"):
            consent_request(actor=actor, nomination_id=own_waiting.pk, parent_email="p@ex.org")
        with pytest.raises(ValidationError) as bad:
            consent_request(actor=actor, nomination_id=nomination.pk, parent_email="not an email")
        assert "parent_email" in bad.value.message_dict
        with pytest.raises(Nomination.DoesNotExist):
            consent_request(actor=actor, nomination_id=waiting.pk, parent_email="p@example.org")
    with all_tenants_UNSAFE("test"):
        assert not ParentalConsent.objects.exists()


def test_the_careers_leader_sees_who_is_missing_consent(client, world, placement):
    opportunity, nomination = placement
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    page = client.get(reverse("opportunity_nominate", args=[opportunity.pk])).content.decode()
    assert "Missing</strong>: not asked yet" in page
    assert "1 pupil with a place has no parental consent yet" in page
    _give_consent(nomination)
    page = client.get(reverse("opportunity_nominate", args=[opportunity.pk])).content.decode()
    assert "Given</strong> by Pat Parent" in page
    assert "no parental consent yet" not in page


# -- Attendance and feedback


def test_a_pupil_without_consent_cannot_be_recorded_as_attending(world, placement):
    opportunity, nomination = placement
    with _as(world.a.users[Role.EMPLOYER]) as actor, pytest.raises(ValidationError) as refused:
        attendance_confirm(
            actor=actor,
            opportunity_id=opportunity.pk,
            duration_hours=5,
            records=[Attendance(nomination_id=nomination.pk, attended=True)],
        )
    assert refused.value.messages == [
        "Amelia cannot be recorded as attending: no parental consent yet."
    ]
    with all_tenants_UNSAFE("test"):
        assert not Experience.objects.filter(opportunity=opportunity).exists()


def test_confirming_attendance_records_each_schools_experience_and_the_pupils_days(
    client, world, placement
):
    opportunity, nomination = placement
    _give_consent(nomination)
    # A second school of the hub has a pupil on the same placement, who was absent.
    other = make_nomination(opportunity, world.a.sibling_pupil, status="accepted")
    _give_consent(other)
    rules = ProgressRules.for_hub(world.a.hub)
    today = timezone.localdate()

    def counted_hours():
        with all_tenants_UNSAFE("test"):
            pupil = with_progress(
                Learner.objects.filter(pk=world.a.pupil.pk), rules=rules, as_at=today
            ).get()
        return pupil.ks3_hours + pupil.ks4_placement_hours

    before = counted_hours()
    skill = Skill.objects.filter(framework__is_current=True).first()
    client.force_login(world.a.users[Role.EMPLOYER])
    response = client.post(
        reverse("opportunity_attendance", args=[opportunity.pk]),
        {
            "duration_hours": "5",
            f"attended-{nomination.pk}": "yes",
            f"feedback-{nomination.pk}": "Asked sharp questions.",
            f"skill-{nomination.pk}": skill.pk,
            f"step-{nomination.pk}": "7",
        },
    )
    assert response.status_code == 302
    assert counted_hours() == before + 5
    with all_tenants_UNSAFE("test"):
        experiences = Experience.objects.filter(opportunity=opportunity).order_by("school_id")
        assert [e.school_id for e in experiences] == sorted(
            [world.a.school.pk, world.a.sibling_school.pk]
        )
        mine = experiences.get(school=world.a.school)
        assert (mine.kind, mine.tier, mine.duration_hours, mine.meets_m3) == (
            "placement",
            3,
            Decimal(5),
            True,
        )
        assert list(mine.employers.all()) == [world.a.employer]
        attended = Participation.objects.get(experience=mine, learner=world.a.pupil)
        assert (attended.hours_attended, attended.employer_feedback_given) == (Decimal(5), True)
        assert attended.feedback_text == "Asked sharp questions."
        absent = Participation.objects.get(
            learner=world.a.sibling_pupil, experience__in=experiences
        )
        assert (absent.absent, absent.hours_attended, absent.employer_feedback_given) == (
            True,
            0,
            False,
        )
        rating = SkillRating.objects.get(learner=world.a.pupil, experience=mine)
        assert (rating.skill_id, rating.step, rating.rater) == (skill.pk, 7, "employer")
        nomination.refresh_from_db()
        assert nomination.participation_id == attended.pk

    # The school sees the new record on the pupil's page without typing it.
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    page = client.get(reverse("pupil_detail", args=[world.a.pupil.pk])).content.decode()
    assert opportunity.title in page


def test_confirming_again_corrects_the_same_records(world, placement):
    opportunity, nomination = placement
    _give_consent(nomination)
    with _as(world.a.users[Role.EMPLOYER]) as actor:
        for hours, feedback in ((Decimal(5), "Good"), (Decimal("2.5"), "")):
            attendance_confirm(
                actor=actor,
                opportunity_id=opportunity.pk,
                duration_hours=5,
                records=[
                    Attendance(
                        nomination_id=nomination.pk, attended=True, hours=hours, feedback=feedback
                    )
                ],
            )
    with all_tenants_UNSAFE("test"):
        assert Experience.objects.filter(opportunity=opportunity).count() == 1
        [participation] = Participation.objects.filter(experience__opportunity=opportunity)
    assert participation.hours_attended == Decimal("2.5")
    assert participation.employer_feedback_given is False


def test_every_problem_is_reported_and_nothing_saved(world, placement):
    opportunity, nomination = placement
    _give_consent(nomination)
    second = make_nomination(opportunity, make_pupils(world.a.school, 1)[0], status="offered")
    with _as(world.a.users[Role.EMPLOYER]) as actor, pytest.raises(ValidationError) as refused:
        attendance_confirm(
            actor=actor,
            opportunity_id=opportunity.pk,
            duration_hours=5,
            records=[
                Attendance(nomination_id=nomination.pk, attended=True, hours=Decimal(9)),
            ],
        )
    first_name = "Amelia"
    with all_tenants_UNSAFE("test"):
        second_name = second.learner.first_name
    assert refused.value.messages == [
        f"{first_name}: hours attended must be more than 0 and at most 5.",
        f"{second_name}: say whether they attended.",
    ]
    with all_tenants_UNSAFE("test"):
        assert not Participation.objects.filter(experience__opportunity=opportunity).exists()


def test_attendance_cannot_be_confirmed_before_the_first_day(world):
    opportunity = make_opportunity(world.a.employer, [world.a.hub])  # starts in 3 weeks
    nomination = make_nomination(opportunity, world.a.pupil, status="accepted")
    with _as(world.a.users[Role.EMPLOYER]) as actor, pytest.raises(ValidationError) as refused:
        attendance_confirm(
            actor=actor,
            opportunity_id=opportunity.pk,
            duration_hours=5,
            records=[Attendance(nomination_id=nomination.pk, attended=True)],
        )
    assert "from the first day" in refused.value.messages[0]


def test_an_employer_cannot_confirm_attendance_at_another_employers_opportunity(
    client, world, placement
):
    opportunity, _ = placement
    client.force_login(world.b.users[Role.EMPLOYER])
    url = reverse("opportunity_attendance", args=[opportunity.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"duration_hours": "5"}).status_code == 404


def test_the_attendance_screen_shows_first_names_and_never_surname_or_upn(client, world, placement):
    opportunity, _ = placement
    client.force_login(world.a.users[Role.EMPLOYER])
    page = client.get(reverse("opportunity_attendance", args=[opportunity.pk])).content.decode()
    assert "Amelia" in page
    assert world.a.pupil.surname not in page and world.a.pupil.upn not in page
    assert "Cannot attend: no parental consent yet" in page


# -- Emails and reminders


def test_a_nomination_and_its_decision_email_the_other_side(
    world, django_capture_on_commit_callbacks
):
    from employers.services import nomination_create, nomination_decide

    opportunity = make_opportunity(world.a.employer, [world.a.hub])
    make_vetting(world.a.employer, world.a.hub)
    leader = world.a.users[Role.CAREERS_LEADER]
    with django_capture_on_commit_callbacks(execute=True), _as(leader) as actor:
        [nomination] = nomination_create(
            actor=actor, opportunity=opportunity, learners=[world.a.pupil]
        )
    assert mail.outbox[-1].to == [world.a.users[Role.EMPLOYER].email]
    assert "1 new nomination" in mail.outbox[-1].subject
    assert world.a.pupil.surname not in mail.outbox[-1].body
    with (
        django_capture_on_commit_callbacks(execute=True),
        _as(world.a.users[Role.EMPLOYER]) as actor,
    ):
        nomination_decide(actor=actor, nomination=nomination, accept=True)
    assert mail.outbox[-1].to == [leader.email]
    assert "- Amelia: accepted by the employer" in mail.outbox[-1].body
    assert "ask a parent or carer for consent" in mail.outbox[-1].body


def test_reminders_go_once_for_expiring_insurance_and_for_feedback_owed(
    world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    make_vetting(world.a.employer, world.a.hub, expires=today + timedelta(days=10))
    make_vetting(world.b.employer, world.b.hub, expires=today + timedelta(days=200))
    finished = make_opportunity(
        world.a.employer, [world.a.hub], start_date=today - timedelta(3), end_date=_yesterday()
    )
    make_nomination(finished, world.a.pupil, status="accepted")
    make_opportunity(  # finished, but nobody held a place: nothing to confirm
        world.b.employer, [world.b.hub], start_date=_yesterday(), end_date=_yesterday()
    )
    system = system_actor("test reminders")
    with django_capture_on_commit_callbacks(execute=True), acting_as(system):
        sent = reminders_send(actor=system)
    assert (sent.vetting_expiring, sent.feedback_requested) == (1, 1)
    recipients = sorted(tuple(message.to) for message in mail.outbox)
    assert recipients == sorted(
        [
            (world.a.users[Role.EMPLOYER].email,),  # insurance
            (world.a.users[Role.HUB_LEAD].email,),  # insurance, for the hub lead
            (world.a.users[Role.EMPLOYER].email,),  # feedback
        ]
    )
    with django_capture_on_commit_callbacks(execute=True), acting_as(system):
        again = reminders_send(actor=system)
    assert (again.vetting_expiring, again.feedback_requested) == (0, 0)
    assert len(mail.outbox) == 3

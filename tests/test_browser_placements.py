"""Placements in headless Chromium: the careers leader's board at a school of 1,500 pupils
(consent asked for many at once), the parent's consent form on a phone by keyboard alone,
and the employer's next steps, a full opportunity and the host-again question. axe finds
no violation on any of them; full-page screenshots go to var/screenshots/placements/."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from access.context import all_tenants_UNSAFE
from access.roles import Role

from .employer_world import make_nomination, make_opportunity, make_pupils, make_vetting, soon
from .shots import shot as screenshot
from .test_browser import axe_violations, sign_in

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def shot(page, name):
    screenshot(page, "placements", name)


def _school_of_1500(world):
    """World.a's school grows to 1,500 pupils, 300 a year group (Years 7-11)."""
    from learners.academic import cohort_for
    from learners.models import Learner
    from learners.upn import upn_with_check_letter

    today = date.today()
    with all_tenants_UNSAFE("test: a school at real size"):
        Learner.all_tenants_UNSCOPED.bulk_create(
            Learner(
                hub_id=world.a.hub.pk,
                school=world.a.school,
                legal_first_name=f"Pupil{n}",
                surname=f"Surname{n:04d}",
                registration_group=f"{7 + n % 5}{'ABCDEF'[n % 6]}",
                upn=upn_with_check_letter(f"777{n:09d}"),
                cohort=cohort_for(7 + n % 5, today),
                fsm=n % 4 == 0,
            )
            for n in range(1500)
        )


def _consent(nomination, answer, **fields):
    from employers.models import ParentalConsent

    with all_tenants_UNSAFE("test"):
        return ParentalConsent.objects.create(
            hub_id=nomination.hub_id,
            school_id=nomination.school_id,
            nomination=nomination,
            token_digest=f"browser-{nomination.pk}",
            answer=answer,
            sent_to="parent@example.org" if answer == "waiting" else "",
            signed_by="" if answer == "waiting" else "Pat Parent",
            **fields,
        )


def test_the_careers_leader_sees_the_board_and_asks_many_parents_at_once(page, live_server, world):
    from django.core import mail
    from django.utils import timezone

    _school_of_1500(world)
    make_vetting(world.a.employer, world.a.hub)
    engineering = make_opportunity(
        world.a.employer, [world.a.hub], title="Engineering week", capacity=30
    )
    started = make_opportunity(
        world.a.sibling_employer,
        [world.a.hub],
        title="Hospital visit",
        start_date=timezone.localdate() - timedelta(days=2),
        end_date=timezone.localdate() - timedelta(days=2),
    )
    pupils = make_pupils(world.a.school, 10, year_group=10)
    states = ["nominated", "refused_full", "offered", "accepted", "accepted", "accepted"]
    nominations = [
        make_nomination(engineering, pupil, status=status)
        for pupil, status in zip(pupils, states, strict=False)
    ]
    _consent(nominations[4], "waiting")
    _consent(
        nominations[5],
        "given",
        emergency_contact_name="Pat Parent",
        emergency_contact_phone="07700 900123",
        medical_needs="Nut allergy: carries an adrenaline pen.",
        share_needs_with_employer=True,
        travel_arrangements="Dropped off by car.",
        answered_at=timezone.now(),
    )
    attended = make_nomination(started, pupils[6], status="accepted")
    _consent(attended, "given", answered_at=timezone.now())
    with all_tenants_UNSAFE("test"):
        from learners.models import Experience, Participation

        experience = Experience.objects.create(
            school=world.a.school,
            opportunity=started,
            title=started.title,
            kind="placement",
            setting="workplace",
            tier=3,
            start_date=started.start_date,
            end_date=started.end_date,
            duration_hours=5,
        )
        attended.participation = Participation.objects.create(
            hub_id=world.a.hub.pk,
            school=world.a.school,
            experience=experience,
            learner=pupils[6],
            start_date=experience.start_date,
            hours_attended=5,
        )
        attended.save()
    # Three more pupils with places, to ask at once.
    to_ask = [make_nomination(engineering, p, status="offered") for p in pupils[7:10]]

    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    page.goto(f"{live_server.url}/opportunities/")
    page.get_by_role("link", name="Placement board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Placement board: Year 10")
    board = page.get_by_role("table", name="Every nominated pupil")
    expect(board.get_by_role("row")).to_have_count(11)  # a header and 10 pupils
    row = board.get_by_role("row").filter(has_text=pupils[4].surname)
    expect(row).to_contain_text("Consent asked")
    expect(row).to_contain_text("The parent or carer: answer the consent request")
    row = board.get_by_role("row").filter(has_text=pupils[6].surname)
    expect(row).to_contain_text("Attended")
    expect(row).to_contain_text("The employer: give feedback")
    row = board.get_by_role("row").filter(has_text=pupils[0].surname)
    expect(row).to_contain_text("The employer: offer a place or decline")
    board.get_by_text(f"Details from Pat Parent for {pupils[5].first_name}").click()
    expect(board.get_by_text("Nut allergy: carries an adrenaline pen.")).to_be_visible()
    expect(page.get_by_role("heading", name="Not answered yet (1)")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "board-year-10")

    # Consent for four pupils at once: one address is mistyped and stays with its pupil.
    for n, nomination in enumerate([nominations[2], *to_ask]):
        first_name = nomination.learner.first_name
        address = "parent-at-example" if n == 3 else f"parent{n}@example.org"
        page.get_by_label(f"Parent or carer's email for {first_name} (Engineering week)").fill(
            address
        )
    page.get_by_role("button", name="Email the consent requests").click()
    expect(page.get_by_text("Consent requests emailed for 3 pupils.")).to_be_visible()
    expect(page.get_by_text("Enter the parent's or carer's email address")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "board-after-asking")
    assert sorted(m.to[0] for m in mail.outbox) == [
        "parent0@example.org",
        "parent1@example.org",
        "parent2@example.org",
    ]
    expect(page.get_by_role("heading", name="Not answered yet (4)")).to_be_visible()

    # Everyone who has not answered gets a reminder in one go.
    page.get_by_role("button", name="Send reminders to the chosen parents").click()
    expect(page.get_by_text("Reminders emailed for 4 pupils.")).to_be_visible()
    assert sum(m.subject.startswith("Reminder:") for m in mail.outbox) == 4


def test_a_parent_answers_on_a_phone_by_keyboard_alone(page, live_server, world):
    from django.core import mail

    from employers.consent import consent_request
    from employers.models import ParentalConsent

    from .test_consent_details import _as

    opportunity = make_opportunity(
        world.a.employer,
        [world.a.hub],
        title="Bridge design day",
        start_date=soon(),
        starts_at="09:00",
        ends_at="15:00",
        address="Unit 4, Riverside Works, Leeds",
        postcode="LS1 4AP",
        dress_code="Smart casual",
        onsite_contact_name="Jo Supervisor",
        onsite_contact_phone="0113 496 0000",
        what_to_bring="Packed lunch and a pen",
    )
    nomination = make_nomination(opportunity, world.a.pupil, status="accepted")
    with _as(world.a.users[Role.CAREERS_LEADER]) as actor:
        consent_request(actor=actor, nomination_id=nomination.pk, parent_email="p@example.org")
    [email] = mail.outbox
    path = next(word for word in email.body.split() if "/consent/" in word).split("8000", 1)[1]

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Consent for Amelia's work experience"
    )
    expect(page.get_by_text("Arrive by 9:00 a.m., finish at 3:00 p.m.")).to_be_visible()
    assert axe_violations(page) == []
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "consent-form-390")

    # Keyboard alone: Tab to the first choice, then through the form in order.
    for _ in range(60):
        if page.evaluate("document.activeElement.id") == "answer-give":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "answer-give"
    page.keyboard.press("Space")
    steps = [
        ("emergency_contact_name", "Pat PupilA"),
        ("emergency_contact_phone", "07700 900123"),
        ("medical_needs", "Asthma: inhaler in the front pocket."),
        ("share_needs_with_employer", None),
        ("travel_arrangements", "I will drop off and collect."),
        ("signed_by", "Pat PupilA"),
    ]
    for field, text in steps:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == field
        if text is None:
            page.keyboard.press("Space")
        else:
            page.keyboard.type(text)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Send your answer"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Consent given by Pat PupilA")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "consent-given-390")
    with all_tenants_UNSAFE("test"):
        consent = ParentalConsent.objects.get(nomination=nomination)
    assert (consent.emergency_contact_phone, consent.share_needs_with_employer) == (
        "07700 900123",
        True,
    )
    assert consent.travel_arrangements == "I will drop off and collect."


def test_a_parent_sees_what_to_put_right_on_a_phone(page, live_server, world):
    from django.core import mail

    from employers.consent import consent_request

    from .test_consent_details import _as

    opportunity = make_opportunity(world.a.employer, [world.a.hub], start_date=soon())
    nomination = make_nomination(opportunity, world.a.pupil, status="accepted")
    with _as(world.a.users[Role.CAREERS_LEADER]) as actor:
        consent_request(actor=actor, nomination_id=nomination.pk, parent_email="p@example.org")
    path = next(w for w in mail.outbox[0].body.split() if "/consent/" in w).split("8000", 1)[1]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("Yes, I give consent").check()
    page.get_by_label("Emergency contact's phone number").fill("call me")
    page.get_by_label("Your full name").fill("Pat PupilA")
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a phone number")
    expect(page.get_by_label("Emergency contact's phone number")).to_have_value("call me")
    assert axe_violations(page) == []
    shot(page, "consent-problem-390")
    # Each problem in the summary links to its field, as GOV.UK's error summary does.
    page.get_by_role("alert").get_by_role("link", name="Enter a phone number").click()
    expect(page.get_by_label("Emergency contact's phone number")).to_be_focused()


def test_the_employer_sees_next_steps_a_full_opportunity_and_the_host_again_question(
    page, live_server, world
):
    from django.utils import timezone

    from employers.models import Opportunity

    make_vetting(world.a.employer, world.a.hub)
    today = timezone.localdate()
    # A draft for a hub with no safety check yet.
    world.a.employer.hubs.add(world.b.hub)
    make_opportunity(world.a.employer, [world.b.hub], status="draft", title="Open evening")
    # Full: 2 places taken, 2 pupils waiting.
    full = make_opportunity(world.a.employer, [world.a.hub], title="Lab week", capacity=2)
    pupils = make_pupils(world.a.school, 3, year_group=10)
    for pupil in pupils[:2]:
        make_nomination(full, pupil, status="accepted")
    make_nomination(full, pupils[2])
    make_nomination(full, world.a.sibling_pupil)
    # Attendance confirmed yesterday, the host-again question not answered yet.
    done = make_opportunity(
        world.a.employer,
        [world.a.hub],
        title="Site tour",
        start_date=today - timedelta(days=1),
        end_date=today - timedelta(days=1),
    )
    _consent(make_nomination(done, world.a.pupil, status="accepted"), "given")
    with all_tenants_UNSAFE("test"):
        Opportunity.objects.filter(pk=done.pk).update(attendance_confirmed_at=timezone.now())

    sign_in(page, live_server, world.a.users[Role.EMPLOYER].email)
    steps = page.get_by_role("list", name="What to do next")
    expect(steps).to_contain_text(
        f"Send your safety check for {world.b.hub.name} before you publish “Open evening”."
    )
    expect(steps).to_contain_text("2 nominations waiting for “Lab week”.")
    expect(steps).to_contain_text("Would you host pupils again after “Site tour”?")
    assert axe_violations(page) == []
    shot(page, "employer-home")
    steps.get_by_role("link", name="Send a safety check").click()
    expect(page).to_have_url(f"{live_server.url}/employers/checks/")

    page.goto(f"{live_server.url}/employers/opportunities/{full.pk}/nominations/")
    expect(page.get_by_text("2 places, 2 taken: full")).to_be_visible()
    expect(
        page.get_by_role("button", name="Offer the free places in the fair order")
    ).to_have_count(0)
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    table = page.get_by_role("table")
    expect(table).to_contain_text(world.a.school.name)
    expect(table).to_contain_text(world.a.sibling_school.name)
    expect(table).to_contain_text("Waiting list, number 1")
    expect(table).to_contain_text("Waiting list, number 2")
    assert axe_violations(page) == []
    shot(page, "employer-full-opportunity")

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Answer for “Site tour”").click()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("If yes, how many pupils could you host?").fill("4")
    page.get_by_role("button", name="Save your answer").click()
    expect(page.get_by_text("You said yes, for 4 pupils")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "employer-host-again")

"""A pupil's own pages (issue 15): their ten days, reflections (M7), skills before and
after, what they'd like to try; and what their school's staff see of it."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from hubs.models import Hub
from learners.models import Experience, Learner, Participation, SkillRating
from learners.progress import ProgressRules, with_progress
from outcomes.models import Skill
from pupils.models import OpportunityInterest, PupilAccount, Reflection

from .employer_world import make_opportunity

pytestmark = pytest.mark.django_db


def as_pupil(client, side):
    client.force_login(side.users[Role.PUPIL])
    return client


def reflect(client, participation, **fields):
    data = {
        "what_i_did": "Helped the engineers test a pump.",
        "what_i_learned": "Engineers write everything down.",
        "skills": [s.pk for s in Skill.objects.order_by("position")[:2]],
        "what_next": "Try a design project.",
        **fields,
    }
    return client.post(reverse("pupil_reflect", args=[participation.pk]), data)


def require_m7(hub):
    with all_tenants_UNSAFE("test: the hub requires reflection"):
        Hub.objects.filter(pk=hub.pk).update(meaningful_criteria=["M1", "M2", "M3", "M7"])


def counted_days(pupil):
    with all_tenants_UNSAFE("test"):
        hub = Hub.objects.get(pk=pupil.hub_id)
        rules = ProgressRules.for_hub(hub)
        row = with_progress(
            Learner.objects.filter(pk=pupil.pk), rules=rules, as_at=timezone.localdate()
        ).get()
    return row.total_hours / 5


# -- My ten days


def test_my_ten_days_shows_the_pupils_own_figures_in_words(client, world):
    page = as_pupil(client, world.a).get(reverse("pupil_home")).content.decode()
    assert "Hello Amelia" in page
    assert f"So far <strong>{counted_days(world.a.pupil).normalize():f} day" in page
    assert world.a.experience.title in page
    # Nobody else's experience, name or record.
    for other in (world.a.sibling_experience, world.b.experience):
        assert other.title not in page
    for name in (world.a.sibling_pupil.surname, world.b.pupil.surname):
        assert name not in page


def test_my_ten_days_says_why_an_experience_does_not_count_yet_in_a_pupils_words(client, world):
    require_m7(world.a.hub)
    page = as_pupil(client, world.a).get(reverse("pupil_home")).content.decode()
    assert "it counts once you wrote what you got out of it" in page
    assert "Tell us what you got out of it" in page


def test_my_ten_days_runs_in_the_same_queries_however_long_the_history(client, world):
    as_pupil(client, world.a)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("pupil_home")).status_code == 200
    with all_tenants_UNSAFE("test: a longer history"):
        for n in range(6):
            experience = Experience.objects.create(
                school=world.a.school,
                title=f"Visit {n}",
                kind="workplace_visit",
                setting="workplace",
                tier=1 + n % 3,
                start_date=date(2025, 11, 1 + n),
                end_date=date(2025, 11, 1 + n),
                duration_hours=5,
            )
            experience.employers.add(world.a.employer)
            Participation.objects.create(
                hub_id=world.a.hub.pk,
                school=world.a.school,
                experience=experience,
                learner=world.a.pupil,
                hours_attended=5,
            )
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("pupil_home")).status_code == 200
    assert len(many) == len(few)


def test_the_pupil_downloads_their_own_record_of_experience(client, world):
    response = as_pupil(client, world.a).get(reverse("pupil_record_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# -- Reflection (M7)


def test_a_reflection_is_m7_evidence_and_the_ten_days_count_it_at_once(client, world, unscoped):
    require_m7(world.a.hub)
    before = counted_days(world.a.pupil)
    response = reflect(as_pupil(client, world.a), world.a.participation)
    assert response.status_code == 302
    participation = Participation.all_tenants_UNSCOPED.get(pk=world.a.participation.pk)
    assert participation.reflection_done
    reflection = Reflection.all_tenants_UNSCOPED.get(participation=participation)
    assert reflection.written_by == Reflection.Author.PUPIL
    assert len(reflection.skills_used) == 2
    assert counted_days(world.a.pupil) == before + 1
    # The ledger moved with it (the pages read it).
    from learners.models import PupilProgress

    assert PupilProgress.all_tenants_UNSCOPED.get(learner=world.a.pupil).total_hours == 5


def test_a_reflection_needs_what_they_did_and_learned_and_changes_nothing_without(
    client, world, unscoped
):
    response = reflect(as_pupil(client, world.a), world.a.participation, what_i_learned="")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Reflection.all_tenants_UNSCOPED.exists()
    assert not Participation.all_tenants_UNSCOPED.get(pk=world.a.participation.pk).reflection_done


def test_a_pupil_cannot_reflect_on_anyone_elses_experience(client, world, unscoped):
    as_pupil(client, world.a)
    for other in (world.a.sibling_participation, world.b.participation):
        assert reflect(client, other).status_code == 404
    assert not Reflection.all_tenants_UNSCOPED.exists()


def test_staff_see_the_reflection_on_the_timeline_and_reading_it_is_audited(
    client, world, unscoped
):
    reflect(as_pupil(client, world.a), world.a.participation)
    client.force_login(world.a.users[Role.SCHOOL_STAFF])
    page = client.get(reverse("pupil_detail", args=[world.a.pupil.pk])).content.decode()
    assert "Helped the engineers test a pump." in page
    reflection = Reflection.all_tenants_UNSCOPED.get()
    assert AuditEvent.all_tenants_UNSCOPED.filter(
        action="view", model="pupils.Reflection", object_pk=str(reflection.pk)
    ).exists()
    # Only the careers leader may hide it.
    assert "Hide this reflection" not in page


def test_a_hidden_reflection_shows_only_that_it_was_hidden_and_stops_counting(
    client, world, unscoped
):
    require_m7(world.a.hub)
    reflect(as_pupil(client, world.a), world.a.participation)
    reflection = Reflection.all_tenants_UNSCOPED.get()
    leader = client.force_login(world.a.users[Role.CAREERS_LEADER]) or client
    page = leader.get(reverse("pupil_detail", args=[world.a.pupil.pk])).content.decode()
    assert "Hide this reflection" in page
    response = leader.post(reverse("reflection_hide", args=[reflection.pk]), {"hide": "1"})
    assert response.status_code == 302
    page = leader.get(reverse("pupil_detail", args=[world.a.pupil.pk])).content.decode()
    assert "Helped the engineers test a pump." not in page
    assert "(hidden on" in page
    assert not Participation.all_tenants_UNSCOPED.get(pk=world.a.participation.pk).reflection_done
    assert counted_days(world.a.pupil) == 0
    leader.post(reverse("reflection_hide", args=[reflection.pk]), {"hide": "0"})
    assert Participation.all_tenants_UNSCOPED.get(pk=world.a.participation.pk).reflection_done


def test_the_school_reports_m7_share_follows_pupils_reflections(client, world):
    from reports.builders import school_summary

    def reflected_share():
        leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
        with acting_as(leader):
            mix = school_summary(school_id=world.a.school.pk, as_at=date(2026, 7, 31))
        return mix["experiences"]["reflected"], mix["experiences"]["reflected_pct"]

    assert reflected_share()[0] == 0
    reflect(as_pupil(client, world.a), world.a.participation)
    reflected, pct = reflected_share()
    with all_tenants_UNSAFE("test"):
        # The progress rules' own statement of M7, counted directly.
        from learners.progress import meaningful_q

        window = Participation.objects.filter(
            school_id=world.a.school.pk, start_date__gte=date(2025, 9, 1), hours_attended__gt=0
        )
        expected = window.filter(meaningful_q(ProgressRules(meaningful_criteria=("M7",))))
        assert reflected == expected.count() == 1
    assert pct == 100.0


# -- Skills before and after


def rate(client, participation, moment, steps):
    data = {f"skill_{skill.pk}": step for skill, step in steps.items()}
    return client.post(reverse("pupil_rate_skills", args=[participation.pk, moment]), data)


def test_skills_before_and_after_sit_beside_the_employers_rating(client, world, unscoped):
    skills = list(Skill.objects.order_by("position")[:3])
    as_pupil(client, world.a)
    before = dict(zip(skills, (3, 5, 7), strict=True))
    after = dict(zip(skills, (6, 5, 9), strict=True))
    assert rate(client, world.a.participation, "before", before).status_code == 302
    assert rate(client, world.a.participation, "after", after).status_code == 302
    SkillRating.all_tenants_UNSCOPED.create(
        hub=world.a.hub,
        school=world.a.school,
        learner=world.a.pupil,
        skill=skills[0],
        step=8,
        rater="employer",
        rated_on=date(2025, 10, 1),
        experience=world.a.experience,
    )
    page = client.get(reverse("pupil_skills_compare", args=[world.a.participation.pk]))
    rows = page.content.decode()
    assert "+3" in rows and "+0" in rows and "+2" in rows
    assert ">8<" in rows  # the employer's step beside the pupil's
    ratings = SkillRating.all_tenants_UNSCOPED.filter(learner=world.a.pupil, rater="self")
    assert ratings.count() == 6
    # Rating the same moment again replaces it.
    rate(client, world.a.participation, "after", {skills[0]: 10})
    assert ratings.filter(moment="after").count() == 1


def test_a_step_outside_0_to_15_is_refused_and_nothing_is_saved(client, world, unscoped):
    skill = Skill.objects.order_by("position").first()
    response = rate(as_pupil(client, world.a), world.a.participation, "before", {skill: 16})
    assert response.status_code == 200
    assert not SkillRating.all_tenants_UNSCOPED.filter(rater="self").exists()


def test_self_rated_change_per_skill_across_a_year_group(client, world, unscoped):
    from pupils.selectors import self_rated_change

    skills = list(Skill.objects.order_by("position")[:2])
    as_pupil(client, world.a)
    rate(client, world.a.participation, "before", {skills[0]: 3, skills[1]: 9})
    rate(client, world.a.participation, "after", {skills[0]: 6, skills[1]: 8})
    rows = {r["skill"]: r for r in self_rated_change(SkillRating.all_tenants_UNSCOPED.all())}
    assert (rows[skills[0].name]["pairs"], str(rows[skills[0].name]["average_change"])) == (
        1,
        "3.0",
    )
    assert str(rows[skills[1].name]["average_change"]) == "-1.0"
    assert rows[skills[1].name]["improved"] == 0


# -- What I'd like to try


def test_pupils_see_only_what_their_school_could_put_them_forward_for(client, world):
    later = timezone.localdate() + timedelta(days=30)
    mine = make_opportunity(world.a.employer, [world.a.hub], title="Lab week", start_date=later)
    make_opportunity(world.b.employer, [world.b.hub], title="Other hub week", start_date=later)
    make_opportunity(
        world.a.employer, [world.a.hub], title="Sixth form only", start_date=later, year_groups=[12]
    )
    make_opportunity(
        world.a.employer, [world.a.hub], title="Draft week", start_date=later, status="draft"
    )
    page = as_pupil(client, world.a).get(reverse("pupil_opportunities")).content.decode()
    assert mine.title in page
    for hidden in ("Other hub week", "Sixth form only", "Draft week"):
        assert hidden not in page


def test_a_pupils_interest_reaches_the_careers_leader_and_weighs_in_allocation(
    client, world, unscoped
):
    later = timezone.localdate() + timedelta(days=30)
    opportunity = make_opportunity(
        world.a.employer, [world.a.hub], title="Lab week", start_date=later
    )
    response = as_pupil(client, world.a).post(
        reverse("pupil_interest", args=[opportunity.pk]), {"why": "I love chemistry."}
    )
    assert response.status_code == 302
    interest = OpportunityInterest.all_tenants_UNSCOPED.get()
    assert (interest.learner_id, interest.why) == (world.a.pupil.pk, "I love chemistry.")
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    page = client.get(reverse("opportunity_nominate", args=[opportunity.pk])).content.decode()
    assert "Asked to try this" in page and "I love chemistry." in page
    client.post(
        reverse("opportunity_nominate", args=[opportunity.pk]), {"pupils": [world.a.pupil.pk]}
    )
    from employers.models import Nomination

    assert Nomination.all_tenants_UNSCOPED.get(opportunity=opportunity).pupil_asked
    # The employer sees nothing of it.
    client.force_login(world.a.users[Role.EMPLOYER])
    page = client.get(reverse("opportunity_nominations", args=[opportunity.pk])).content.decode()
    assert "I love chemistry." not in page


def test_a_pupil_cannot_say_they_are_interested_in_another_hubs_opportunity(
    client, world, unscoped
):
    later = timezone.localdate() + timedelta(days=30)
    foreign = make_opportunity(world.b.employer, [world.b.hub], start_date=later)
    response = as_pupil(client, world.a).post(reverse("pupil_interest", args=[foreign.pk]))
    assert response.status_code == 404
    assert not OpportunityInterest.all_tenants_UNSCOPED.exists()


def test_an_employer_never_sees_a_pupils_account_or_words(world, unscoped):
    employer = actor_for_user(world.a.users[Role.EMPLOYER])
    with acting_as(employer):
        assert not PupilAccount.objects.exists()
        assert not Reflection.objects.exists()
        assert not OpportunityInterest.objects.exists()


# -- Staff: opening access for a class


def test_the_careers_leader_opens_access_for_a_year_and_gets_a_slip_per_pupil(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    year = 9
    listing = client.get(reverse("pupil_access"), {"year": year}).content.decode()
    assert world.a.pupil.surname in listing and world.a.sibling_pupil.surname not in listing
    response = client.post(
        reverse("pupil_access"),
        {"year": year, "pupils": [world.a.pupil.pk], "valid_days": 7, "action": "open"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sign-in codes to print" in page and world.a.pupil.surname in page
    code = page.split('class="code"')[1].split(">")[1].split("<")[0]
    client.logout()
    assert client.post(reverse("pupil_sign_in"), {"code": code}).status_code == 302


def test_a_careers_leader_cannot_open_access_for_another_schools_pupil(client, world, unscoped):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    response = client.post(
        reverse("pupil_access"),
        {"year": 9, "pupils": [world.b.pupil.pk], "valid_days": 7, "action": "open"},
    )
    assert response.status_code == 400
    assert "not on your school&#x27;s roll" in response.content.decode()
    assert PupilAccount.all_tenants_UNSCOPED.get(learner=world.b.pupil).code_digest is None


def test_a_leaver_cannot_sign_in_and_pseudonymising_removes_their_account(client, world, unscoped):
    from access.actor import system_actor
    from privacy.leavers import pupils_pseudonymise

    as_pupil(client, world.a)
    assert client.get(reverse("pupil_home")).status_code == 200
    Learner.all_tenants_UNSCOPED.filter(pk=world.a.pupil.pk).update(left_on=date(2026, 7, 20))
    response = client.get(reverse("account_set_password"))
    # Signed out at once, not left signed in as nobody (where a password could be set).
    assert (response.status_code, response["Location"]) == (302, reverse("pupil_sign_in"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("pupil_home")).status_code == 302
    system = system_actor("test: retention")
    with acting_as(system):
        pupils_pseudonymise(actor=system, pupil_ids=[world.a.pupil.pk], today=date(2026, 8, 1))
    assert not PupilAccount.all_tenants_UNSCOPED.filter(learner=world.a.pupil).exists()


def test_a_pupils_own_request_weighs_in_the_fair_order_as_sector_interest_does():
    from datetime import UTC, datetime
    from decimal import Decimal

    from employers.allocation import Candidate, allocation_order, reasons

    def candidate(n, **flags):
        return Candidate(
            nomination_id=n,
            disadvantaged=False,
            send="N",
            days_behind=Decimal(0),
            interested_in_sector=flags.get("sector", False),
            pupil_asked=flags.get("asked", False),
            nominated_at=datetime(2026, 2, 1, 9, n, tzinfo=UTC),
        )

    first, asked, sector = candidate(1), candidate(2, asked=True), candidate(3, sector=True)
    assert [c.nomination_id for c in allocation_order([first, asked, sector])] == [2, 3, 1]
    assert "asked to try it" in reasons(asked)


def test_the_record_of_experience_carries_the_pupils_own_words_unless_hidden(client, world):
    from reports.builders import pupil_record

    reflect(as_pupil(client, world.a), world.a.participation)
    pupil_actor = actor_for_user(world.a.users[Role.PUPIL])

    def words():
        with acting_as(pupil_actor):
            record = pupil_record(pupil_id=world.a.pupil.pk, as_at=date(2026, 7, 31))
        return [e["reflection"] for e in record["experiences"]]

    assert words() == ["Engineers write everything down. Try a design project."]
    with all_tenants_UNSAFE("test"):
        Reflection.objects.update(hidden_at=timezone.now())
    assert words() == [""]


def test_a_platform_admin_is_not_a_pupil_on_the_pupils_pages(client, world, unscoped):
    later = timezone.localdate() + timedelta(days=30)
    opportunity = make_opportunity(world.a.employer, [world.a.hub], start_date=later)
    as_pupil(client, world.a).post(reverse("pupil_interest", args=[opportunity.pk]))
    assert OpportunityInterest.all_tenants_UNSCOPED.count() == 1
    client.force_login(world.superuser)
    assert client.get(reverse("pupil_home")).status_code == 403
    withdraw = client.post(reverse("pupil_interest", args=[opportunity.pk]), {"withdraw": "1"})
    assert withdraw.status_code == 403
    assert reflect(client, world.a.participation).status_code == 403
    assert OpportunityInterest.all_tenants_UNSCOPED.count() == 1
    assert not Reflection.all_tenants_UNSCOPED.exists()


def test_a_pupil_cannot_ask_for_an_opportunity_not_open_to_their_year(client, world, unscoped):
    later = timezone.localdate() + timedelta(days=30)
    sixth_form = make_opportunity(
        world.a.employer, [world.a.hub], start_date=later, year_groups=[12, 13]
    )
    response = as_pupil(client, world.a).post(reverse("pupil_interest", args=[sixth_form.pk]))
    assert response.status_code == 404
    assert not OpportunityInterest.all_tenants_UNSCOPED.exists()


def test_closing_access_first_says_who_and_closes_only_when_confirmed(client, world, unscoped):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    ask = client.post(
        reverse("pupil_access"), {"year": 9, "pupils": [world.a.pupil.pk], "action": "close"}
    )
    assert "Close pupil access?" in ask.content.decode()
    assert world.a.pupil.surname in ask.content.decode()
    assert PupilAccount.all_tenants_UNSCOPED.filter(learner=world.a.pupil).exists()
    done = client.post(
        reverse("pupil_access"),
        {"year": 9, "pupils": [world.a.pupil.pk], "action": "close_confirmed"},
    )
    assert done.status_code == 302
    assert not PupilAccount.all_tenants_UNSCOPED.filter(learner=world.a.pupil).exists()


def test_the_hub_home_shows_self_rated_change_across_schools_once_there_is_some(client, world):
    client.force_login(world.a.users[Role.HUB_LEAD])
    assert "No pupil has rated themselves both before" in client.get("/").content.decode()
    skill = Skill.objects.order_by("position").first()
    as_pupil(client, world.a)
    rate(client, world.a.participation, "before", {skill: 2})
    rate(client, world.a.participation, "after", {skill: 7})
    client.force_login(world.a.users[Role.HUB_LEAD])
    page = client.get("/").content.decode()
    assert "Self-rated change per skill across your schools" in page
    assert (
        f'<th scope="row">{skill.name}</th><td class="num">1</td><td class="num">+5.0</td>' in page
    )
    # Totals only: no pupil named.
    assert world.a.pupil.surname not in page

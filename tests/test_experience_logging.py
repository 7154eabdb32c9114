from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from learners.models import Experience, Learner, Participation
from learners.progress import ProgressRules, with_progress
from learners.services import experience_delete, experience_log, experience_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(world):
    with acting_as(actor_for_user(world.a.users[Role.CAREERS_LEADER])) as actor:
        yield actor


def _log(leader, world, pupils, hours=5):
    return experience_log(
        actor=leader,
        title="Port visit",
        kind="workplace_visit",
        setting="workplace",
        tier=1,
        start_date=date(2025, 11, 3),
        duration_hours=Decimal(hours),
        pupil_ids=[p.pk for p in pupils],
        employer_ids=[world.a.employer.pk],
        criteria=["M1", "M2", "M3"],
    )


def _hours(pupil):
    return (
        with_progress(
            Learner.objects.filter(pk=pupil.pk), rules=ProgressRules(), as_at=date(2026, 8, 31)
        )
        .get()
        .total_hours
    )


def test_a_pupil_cannot_be_logged_twice_on_one_experience(leader, world):
    experience = _log(leader, world, [world.a.pupil, world.a.pupil])
    assert experience.participations.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(
            hub=world.a.hub,
            school=world.a.school,
            experience=experience,
            learner=world.a.pupil,
            hours_attended=1,
        )


def test_it_refuses_pupils_of_another_school_and_saves_nothing(leader, world):
    before = Experience.objects.count()
    with pytest.raises(ValidationError, match="not available"):
        _log(leader, world, [world.a.pupil, world.b.pupil])
    assert Experience.objects.count() == before


def test_editing_the_length_updates_every_full_attender_but_not_partial_ones(leader, world):
    with all_tenants_UNSAFE("test"):
        from learners.upn import upn_with_check_letter

        second = Learner.objects.create(
            school=world.a.school,
            upn=upn_with_check_letter("888123425077"),
            legal_first_name="Noah",
            surname="Second",
            cohort=world.a.pupil.cohort,
        )
    experience = _log(leader, world, [world.a.pupil, second])
    Participation.objects.filter(experience=experience, learner=second).update(
        hours_attended=Decimal("2.5")
    )
    first_before = _hours(world.a.pupil)
    experience_update(
        actor=leader,
        experience_id=experience.pk,
        pupil_ids=[world.a.pupil.pk, second.pk],
        duration_hours=Decimal(10),
    )
    assert _hours(world.a.pupil) == first_before + 5
    assert Participation.objects.get(
        experience=experience, learner=second
    ).hours_attended == Decimal("2.5")


def test_editing_who_took_part_adds_and_removes_pupils(leader, world):
    from learners.upn import upn_with_check_letter

    with all_tenants_UNSAFE("test"):
        other = Learner.objects.create(
            school=world.a.school,
            upn=upn_with_check_letter("888123425078"),
            legal_first_name="Mia",
            surname="Other",
            cohort=world.a.pupil.cohort,
        )
    experience = _log(leader, world, [world.a.pupil])
    experience_update(actor=leader, experience_id=experience.pk, pupil_ids=[other.pk])
    assert list(experience.participations.values_list("learner_id", flat=True)) == [other.pk]


def test_deleting_an_experience_is_audited_and_removes_its_days(leader, world):
    experience = _log(leader, world, [world.a.pupil])
    before = _hours(world.a.pupil)
    experience_delete(actor=leader, experience_id=experience.pk)
    assert _hours(world.a.pupil) == before - 5
    with all_tenants_UNSAFE("test"):
        deleted = AuditEvent.objects.filter(action="delete", user_id=leader.user_id)
        assert set(deleted.values_list("model", flat=True)) == {
            "learners.Experience",
            "learners.Participation",
        }


def test_the_delete_page_asks_first(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    url = reverse("experience_delete", args=[world.a.experience.pk])
    assert "Yes, delete it" in client.get(url).content.decode()
    with all_tenants_UNSAFE("test"):
        assert Experience.objects.filter(pk=world.a.experience.pk).exists()
    assert client.post(url).status_code == 302
    with all_tenants_UNSAFE("test"):
        assert not Experience.objects.filter(pk=world.a.experience.pk).exists()


def test_school_staff_cannot_delete_experiences(client, world):
    client.force_login(world.a.users[Role.SCHOOL_STAFF])
    url = reverse("experience_delete", args=[world.a.experience.pk])
    assert client.post(url).status_code == 404
    with all_tenants_UNSAFE("test"):
        assert Experience.objects.filter(pk=world.a.experience.pk).exists()


def test_the_form_reports_a_duration_not_in_quarter_hours(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    response = client.post(
        reverse("experience_new"),
        {
            "title": "Odd",
            "kind": "workplace_visit",
            "setting": "workplace",
            "tier": "1",
            "start_date": "2025-11-03",
            "duration_amount": "1.1",
            "duration_unit": "hours",
            "pupils": [world.a.pupil.pk],
            "_review": "1",
        },
    )
    assert response.status_code == 400
    assert "nearest quarter hour" in response.content.decode()


def test_the_form_logs_after_confirmation_only(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    data = {
        "title": "Bakery",
        "kind": "workplace_visit",
        "setting": "workplace",
        "tier": "1",
        "start_date": "2025-11-03",
        "duration_amount": "3",
        "duration_unit": "half_days",
        "criteria": ["M1", "M2", "M3"],
        "employers": [world.a.employer.pk],
        "pupils": [world.a.pupil.pk],
    }
    with all_tenants_UNSAFE("test"):
        before = Experience.objects.count()
    review = client.post(reverse("experience_new"), {**data, "_review": "1"})
    assert "Confirm and log for 1 pupil" in review.content.decode()
    with all_tenants_UNSAFE("test"):
        assert Experience.objects.count() == before
    done = client.post(reverse("experience_new"), {**data, "_confirm": "1"})
    assert done.status_code == 302
    with all_tenants_UNSAFE("test"):
        bakery = Experience.objects.get(title="Bakery")
        assert bakery.duration_hours == Decimal("7.5")
        assert bakery.participations.get().hours_attended == Decimal("7.5")


def test_a_reflection_marks_m7_and_shows_on_the_timeline(client, world):
    client.force_login(world.a.users[Role.SCHOOL_STAFF])
    url = reverse("participation_edit", args=[world.a.participation.pk])
    response = client.post(url, {"hours_attended": "5", "reflection_text": "I liked the lab."})
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        assert Participation.objects.get(pk=world.a.participation.pk).reflection_done
    timeline = client.get(reverse("pupil_detail", args=[world.a.pupil.pk])).content.decode()
    assert "I liked the lab." in timeline


def test_a_skill_rating_is_recorded_from_the_pupils_page(client, world):
    from outcomes.models import Skill

    client.force_login(world.a.users[Role.CAREERS_LEADER])
    skill = Skill.objects.get(name="Teamwork")
    response = client.post(
        reverse("pupil_skill_new", args=[world.a.pupil.pk]),
        {
            "skill": skill.pk,
            "step": "6",
            "rater": "self",
            "rated_on": "2025-11-04",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("pupil_detail", args=[world.a.pupil.pk])).content.decode()
    assert "Teamwork" in page and "Pupil (self)" in page


def test_a_skill_step_above_15_is_refused(client, world):
    from outcomes.models import Skill

    client.force_login(world.a.users[Role.CAREERS_LEADER])
    response = client.post(
        reverse("pupil_skill_new", args=[world.a.pupil.pk]),
        {
            "skill": Skill.objects.first().pk,
            "step": "16",
            "rater": "self",
            "rated_on": "2025-11-04",
        },
    )
    assert response.status_code == 200
    assert "less than or equal to 15" in response.content.decode()


def test_a_hub_lead_makes_the_meaningful_rule_stricter_and_pupils_days_follow(client, world):
    client.force_login(world.a.users[Role.HUB_LEAD])
    response = client.post(
        reverse("hub_rules"),
        {
            "meaningful_criteria": ["M1", "M2", "M3", "M7"],
            "ks3_virtual_cap_days": "2.5",
        },
    )
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        from hubs.models import Hub

        rules = ProgressRules.for_hub(Hub.objects.get(pk=world.a.hub.pk))
        total = (
            with_progress(
                Learner.objects.filter(pk=world.a.pupil.pk), rules=rules, as_at=date(2026, 8, 31)
            )
            .get()
            .total_hours
        )
    assert rules.meaningful_criteria == ("M1", "M2", "M3", "M7")
    assert total == 0  # the world's visit has no reflection yet


def test_a_hub_cannot_drop_below_m1_m2_m3(client, world):
    client.force_login(world.a.users[Role.HUB_LEAD])
    response = client.post(
        reverse("hub_rules"),
        {
            "meaningful_criteria": ["M1", "M2"],
            "ks3_virtual_cap_days": "2.5",
        },
    )
    assert "must stay" in response.content.decode()


def test_the_school_summary_counts_each_year_group_from_the_progress_rules(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    response = client.get(reverse("school_summary"))
    rows = {row["year_group"]: row for row in response.context["rows"]}
    assert [y for y in rows] == [7, 8, 9, 10, 11]
    # The world's one Year 9 pupil has a single 5-hour KS3 day: behind the pro-rata share.
    assert (rows[9]["pupils"], rows[9]["behind"], rows[9]["ks3_met"]) == (1, 1, 0)
    assert rows[9]["fsm_on_track_pct"] == 0 and rows[9]["others_on_track_pct"] is None
    assert rows[8]["pupils"] == 0

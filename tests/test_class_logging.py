"""Class logging (issue 14): starts from a filter, picks employers from a searchable list,
and the review says in plain words whether the experience will count and why not."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from access.context import all_tenants_UNSAFE
from access.roles import Role
from learners.academic import cohort_for
from learners.models import Learner
from learners.upn import upn_with_check_letter

pytestmark = pytest.mark.django_db

YESTERDAY = date.today() - timedelta(days=1)


@pytest.fixture
def leader_client(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    return client


@pytest.fixture
def classes(world):
    """Year 8 in 8B and 8A, Year 10 in 10A: registration groups a school would write."""
    today = date.today()
    with all_tenants_UNSAFE("test"):
        rows = [
            Learner(
                hub=world.a.hub,
                school=world.a.school,
                upn=upn_with_check_letter(f"801200{n:06d}"),
                legal_first_name=f"Kid{n}",
                surname=f"Class{n:02d}",
                cohort=cohort_for(year, today),
                registration_group=group,
            )
            for n, (year, group) in enumerate(
                [(8, "8B"), (8, "8B"), (8, "8A"), (10, "10A"), (10, "10A")]
            )
        ]
        return Learner.objects.bulk_create(rows)


def review_data(world, pupils, **changes):
    data = {
        "title": "Hospital insight day",
        "kind": "insight_day",
        "setting": "workplace",
        "tier": "2",
        "start_date": f"{YESTERDAY:%Y-%m-%d}",
        "duration_amount": "1.5",
        "duration_unit": "days",
        "criteria": ["M1", "M2", "M3"],
        "employers": [world.a.employer.pk],
        "pupils": [p.pk for p in pupils],
        "_review": "1",
    }
    data.update(changes)
    return data


def test_the_form_lists_no_pupils_until_a_year_or_group_is_chosen(leader_client, world, classes):
    page = leader_client.get(reverse("experience_new")).content.decode()
    assert "choose a year group or a registration group first" in page
    assert "Class00" not in page and world.a.pupil.surname not in page


def test_a_year_group_lists_that_year_only(leader_client, classes):
    page = leader_client.get(reverse("experience_new"), {"year": "8", "_find": "1"})
    text = page.content.decode()
    assert "3 pupils shown" in text
    assert "Class00" in text and "Class03" not in text


def test_registration_groups_are_offered_in_the_order_a_school_reads_them(leader_client, classes):
    text = leader_client.get(reverse("experience_new")).content.decode()
    options = re.findall(r'<option value="(\d+[AB])"', text)
    assert options == ["8A", "8B", "10A"]
    page = leader_client.get(reverse("experience_new"), {"group": "10A"}).content.decode()
    assert "2 pupils shown" in page


def test_employers_and_sectors_are_one_searchable_list_each_not_checkboxes(leader_client, world):
    text = leader_client.get(reverse("experience_new")).content.decode()
    assert re.search(r'<select name="employers"[^>]*data-picker="employers"[^>]*multiple', text)
    assert re.search(r'<select name="sectors"[^>]*data-picker="sectors"[^>]*multiple', text)
    assert 'type="checkbox" name="employers"' not in text
    assert "js/multi-picker.js" in text


def test_learning_objectives_show_their_words_not_codes(leader_client):
    text = leader_client.get(reverse("experience_new")).content.decode()
    assert "Learners understand that there are different types of workplaces" in text
    assert not re.search(r">\s*T1\.O1\.a\s*<", text)


def test_the_review_says_it_counts_in_days_with_hours(leader_client, world, classes):
    with all_tenants_UNSAFE("test"):
        from outcomes.models import Objective

        objective = Objective.objects.filter(code="T2.O1.a").first() or Objective.objects.first()
    text = leader_client.post(
        reverse("experience_new"),
        review_data(world, classes[:3], objectives=[objective.pk]),
    ).content.decode()
    assert "Will it count toward the ten days?" in text
    assert "<strong>Yes.</strong> Each pupil who attends gets 1.5 days (7.5 hours)" in text
    assert "Insight day" in text and "At a workplace, in person" in text
    assert "T2 Investigate &amp; Explore" in text and world.a.employer.name in text
    assert "3 in Year 8" in text
    assert objective.text in text


def test_the_review_says_why_an_in_school_project_does_not_count(leader_client, world, classes):
    text = leader_client.post(
        reverse("experience_new"),
        review_data(
            world, classes[:3], kind="employer_project", setting="in_school", criteria=["M1"]
        ),
    ).content.decode()
    assert "No: it will be recorded, but it counts zero days." in text
    assert "Done in school: a valuable encounter, but it counts zero days" in text
    assert "Not meaningful: does not meet M2, M3" in text
    assert "M2 is underpinned by learning outcomes suited to the young person" in text


def test_the_review_warns_that_year_10_needs_a_placement_for_the_ks4_week(
    leader_client, world, classes
):
    text = leader_client.post(
        reverse("experience_new"), review_data(world, classes[3:])
    ).content.decode()
    assert "<strong>Yes.</strong>" in text
    assert "not to the KS4 week" in text


def test_the_review_says_when_the_hub_waits_for_reflections(leader_client, world, classes):
    with all_tenants_UNSAFE("test"):
        world.a.hub.meaningful_criteria = ["M1", "M2", "M3", "M7"]
        world.a.hub.save()
    text = leader_client.post(
        reverse("experience_new"), review_data(world, classes[:1])
    ).content.decode()
    assert "once their record shows that the pupil reflected (M7)" in text

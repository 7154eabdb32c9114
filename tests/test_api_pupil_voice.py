"""Reflections and skill ratings through the API (issue 15): read by the school's tokens
for an MIS or reporting, written only by the pupil on their pages."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from access.context import all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from learners.models import SkillRating
from outcomes.models import Skill

from .api_helpers import bearer, token_for, token_made_directly
from .matrix import reflection_on

pytestmark = pytest.mark.django_db


def test_a_school_token_reads_its_pupils_reflections_and_each_read_is_audited(client, world):
    reflection = reflection_on(world.a.participation)
    reflection_on(world.b.participation)  # the other hub's: never listed
    secret = token_for(world.a.users[Role.CAREERS_LEADER], read_only=True)
    body = client.get(reverse("api:reflection-list"), **bearer(secret)).json()
    assert [r["id"] for r in body["results"]] == [reflection.pk]
    row = body["results"][0]
    assert (row["pupil"], row["experience"], row["what_i_did"]) == (
        world.a.pupil.pk,
        world.a.experience.pk,
        "Helped on the ward",
    )
    with all_tenants_UNSAFE("test"):
        assert AuditEvent.objects.filter(
            action="view", model="pupils.Reflection", object_pk=str(reflection.pk)
        ).exists()


def test_a_hidden_reflection_comes_without_its_words(client, world):
    reflection = reflection_on(world.a.participation)
    with all_tenants_UNSAFE("test"):
        type(reflection).objects.filter(pk=reflection.pk).update(hidden_at=timezone.now())
    secret = token_for(world.a.users[Role.SCHOOL_STAFF], read_only=True)
    row = client.get(reverse("api:reflection-detail", args=[reflection.pk]), **bearer(secret))
    data = row.json()
    assert data["hidden"] is True
    assert data["what_i_did"] is None and data["what_i_learned"] is None
    assert data["skills_used"] is None


def test_reflections_cannot_be_written_through_the_api(client, world):
    secret = token_for(world.a.users[Role.CAREERS_LEADER])
    response = client.post(
        reverse("api:reflection-list"),
        {"participation": world.a.participation.pk, "what_i_did": "x", "what_i_learned": "y"},
        content_type="application/json",
        **bearer(secret),
    )
    assert response.status_code == 405


def test_skill_ratings_list_the_pupils_own_before_and_after(client, world):
    skill = Skill.objects.order_by("position").first()
    with all_tenants_UNSAFE("test"):
        for moment, step in (("before", 4), ("after", 7)):
            SkillRating.objects.create(
                hub=world.a.hub,
                school=world.a.school,
                learner=world.a.pupil,
                skill=skill,
                step=step,
                rater="self",
                moment=moment,
                rated_on=date(2025, 10, 2),
                experience=world.a.experience,
            )
    secret = token_for(world.a.users[Role.CAREERS_LEADER], read_only=True)
    body = client.get(reverse("api:skill-rating-list"), {"rater": "self"}, **bearer(secret)).json()
    assert [(r["skill"], r["moment"], r["step"]) for r in body["results"]] == [
        (skill.name, "before", 4),
        (skill.name, "after", 7),
    ]


def test_a_pupil_has_no_api_not_even_with_a_token_made_for_them(client, world):
    secret = token_made_directly(world.a.users[Role.PUPIL])
    for name in ("api:reflection-list", "api:skill-rating-list", "api:pupil-list", "api:me"):
        assert client.get(reverse(name), **bearer(secret)).status_code == 404
    client.force_login(world.a.users[Role.PUPIL])
    assert client.get(reverse("api:reflection-list")).status_code == 404

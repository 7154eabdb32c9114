"""Issue 11, finding 2: logging the same class experience twice must not give every pupil a
second day. The rule (learners.duplicates), the service, the page's question and the API's
409."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from learners.academic import cohort_for
from learners.duplicates import LikelyDuplicate, likely_duplicates
from learners.models import Experience, Learner, Participation
from learners.progress import ProgressRules, with_progress
from learners.services import experience_add_pupils, experience_log
from learners.upn import upn_with_check_letter

from .api_helpers import bearer, token_for
from .concurrently import at_once

pytestmark = pytest.mark.django_db

TRIP_DAY = date(2026, 3, 3)


def make_class(school, count, *, start=0, group="9K"):
    with all_tenants_UNSAFE("test class"):
        return Learner.objects.bulk_create(
            Learner(
                hub_id=school.hub_id,
                school=school,
                legal_first_name=f"Kid{n:03d}",
                surname=f"Class{n:03d}",
                registration_group=group,
                upn=upn_with_check_letter(f"888444{n:06d}"),
                cohort=cohort_for(9, TRIP_DAY),
            )
            for n in range(start, start + count)
        )


@pytest.fixture
def leader(world):
    world.a.users[Role.CAREERS_LEADER].full_name = "A. Khan"
    world.a.users[Role.CAREERS_LEADER].save()
    with acting_as(actor_for_user(world.a.users[Role.CAREERS_LEADER])) as actor:
        yield actor


@pytest.fixture
def colleague(world):
    """The school's teacher, who logs trips too."""
    world.a.users[Role.SCHOOL_STAFF].full_name = "B. Jones"
    world.a.users[Role.SCHOOL_STAFF].save()
    return actor_for_user(world.a.users[Role.SCHOOL_STAFF])


@pytest.fixture
def pupils(world):
    return make_class(world.a.school, 30)


def log_trip(actor, pupils, *, title="Jodrell Bank trip", kind="workplace_visit", **extra):
    return experience_log(
        actor=actor,
        title=title,
        kind=kind,
        setting="workplace",
        tier=1,
        start_date=extra.pop("start_date", TRIP_DAY),
        duration_hours=Decimal(5),
        pupil_ids=[p.pk for p in pupils],
        criteria=["M1", "M2", "M3"],
        **extra,
    )


def matches(actor, pupils, *, title="Jodrell Bank trip", kind="workplace_visit", on=TRIP_DAY):
    return likely_duplicates(
        actor=actor, start_date=on, kind=kind, title=title, pupil_ids=[p.pk for p in pupils]
    )


def hours_of(pupil):
    with all_tenants_UNSAFE("test assertions"):
        return (
            with_progress(
                Learner.objects.filter(pk=pupil.pk), rules=ProgressRules(), as_at=date(2026, 8, 31)
            )
            .get()
            .total_hours
        )


def participations_on(experience_id):
    with all_tenants_UNSAFE("test assertions"):
        return Participation.objects.filter(experience_id=experience_id).count()


# The rule


def test_same_day_same_title_other_kind_and_some_pupils_in_common_is_a_likely_duplicate(
    leader, pupils
):
    existing = log_trip(leader, pupils[:28])
    (match,) = matches(leader, pupils, title="  JODRELL bank  Trip ", kind="insight_day")
    assert match.experience_id == existing.pk
    assert (match.pupils_already_on_it, match.pupils_chosen, match.pupils_missing) == (28, 30, 2)
    assert match.logged_by == "A. Khan" and match.logged_by_actor


def test_same_day_same_kind_other_title_is_a_likely_duplicate(leader, pupils):
    existing = log_trip(leader, pupils)
    (match,) = matches(leader, pupils[:3], title="Telescope visit")
    assert match.experience_id == existing.pk and match.pupils_already_on_it == 3


def test_other_kind_and_other_title_on_the_same_day_is_not(leader, pupils):
    log_trip(leader, pupils)
    assert matches(leader, pupils, title="Bank careers talk", kind="insight_day") == []


def test_another_day_is_not(leader, pupils):
    log_trip(leader, pupils)
    assert matches(leader, pupils, on=date(2026, 3, 4)) == []


def test_no_pupil_in_common_is_not(leader, pupils):
    log_trip(leader, pupils[:15])
    assert matches(leader, pupils[15:]) == []


def test_another_schools_experience_never_matches(world, leader):
    sibling_pupils = make_class(world.a.sibling_school, 3, start=500)
    with all_tenants_UNSAFE("test: the sibling school logged the same trip"):
        other = Experience.objects.create(
            school=world.a.sibling_school,
            title="Jodrell Bank trip",
            kind="workplace_visit",
            setting="workplace",
            tier=1,
            start_date=TRIP_DAY,
            end_date=TRIP_DAY,
            duration_hours=5,
        )
        Participation.objects.create(
            hub_id=world.a.hub.pk,
            school=world.a.sibling_school,
            experience=other,
            learner=sibling_pupils[0],
            hours_attended=5,
        )
    # Even naming the other school's pupil finds nothing (and logging refuses them).
    assert matches(leader, [*make_class(world.a.school, 2), sibling_pupils[0]]) == []


def test_the_rule_takes_one_query_for_10_or_100_pupils(leader, world):
    class_of_100 = make_class(world.a.school, 100)
    log_trip(leader, class_of_100)
    log_trip(leader, class_of_100, title="Second trip", kind="insight_day", allow_duplicate=True)
    counts = []
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            found = matches(leader, class_of_100[:size])
        counts.append(len(queries))
        assert [m.pupils_already_on_it for m in found] == [size]
    assert counts == [1, 1]


def test_logging_takes_the_same_queries_for_10_or_100_pupils(leader, world):
    class_of_100 = make_class(world.a.school, 100)
    counts = []
    for size, day in ((10, date(2026, 3, 9)), (100, date(2026, 3, 10))):
        with CaptureQueriesContext(connection) as queries:
            log_trip(leader, class_of_100[:size], start_date=day)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_review_page_asks_with_the_same_queries_for_10_or_100_pupils(client, world, leader):
    class_of_100 = make_class(world.a.school, 100)
    log_trip(leader, class_of_100)
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    counts = []
    for size in (10, 100):
        data = {**FORM, "pupils": [p.pk for p in class_of_100[:size]], "_review": "1"}
        with CaptureQueriesContext(connection) as queries:
            review = client.post(reverse("experience_new"), data)
        assert f"for {size} of these {size} pupils" in review.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]


# The service


def test_confirming_the_same_class_experience_twice_saves_nothing_the_second_time(leader, pupils):
    first = log_trip(leader, pupils)
    before = hours_of(pupils[0])
    with pytest.raises(LikelyDuplicate) as refused:
        log_trip(leader, pupils)
    assert [m.experience_id for m in refused.value.matches] == [first.pk]
    assert refused.value.messages == [
        "Looks like “Jodrell Bank trip” on 3 March 2026 was already logged by you "
        "for 30 of these 30 pupils."
    ]
    with all_tenants_UNSAFE("test assertions"):
        assert Experience.objects.filter(title="Jodrell Bank trip").count() == 1
    assert hours_of(pupils[0]) == before == Decimal(5)


def test_a_colleague_logging_the_same_trip_is_told_who_logged_it(leader, colleague, pupils):
    log_trip(leader, pupils[:28])
    with acting_as(colleague), pytest.raises(LikelyDuplicate, match=r"by A\. Khan for 28 of these"):
        log_trip(colleague, pupils)


def test_a_separate_event_the_same_day_is_saved_when_allowed(leader, pupils):
    first = log_trip(leader, pupils)
    second = log_trip(leader, pupils, title="Afternoon trip", allow_duplicate=True)
    assert second.pk != first.pk
    assert participations_on(first.pk) == participations_on(second.pk) == 30
    assert hours_of(pupils[0]) == Decimal(10)


def test_adding_to_the_existing_experience_adds_only_the_missing_pupils(leader, pupils):
    existing = log_trip(leader, pupils[:28])
    added = experience_add_pupils(
        actor=leader, experience_id=existing.pk, pupil_ids=[p.pk for p in pupils]
    )
    assert sorted(p.learner_id for p in added) == sorted(p.pk for p in pupils[28:])
    assert participations_on(existing.pk) == 30
    assert [hours_of(p) for p in (pupils[0], pupils[29])] == [Decimal(5), Decimal(5)]
    again = experience_add_pupils(
        actor=leader, experience_id=existing.pk, pupil_ids=[p.pk for p in pupils]
    )
    assert again == [] and participations_on(existing.pk) == 30


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_confirmations_of_one_trip_save_it_once():
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock needs PostgreSQL")
    from .conftest import build_world

    world = build_world()
    class_of_30 = make_class(world.a.school, 30)
    people = [actor_for_user(world.a.users[role]) for role in (Role.CAREERS_LEADER,) * 4]
    people += [actor_for_user(world.a.users[Role.SCHOOL_STAFF])] * 4

    def confirm(actor):
        def attempt():
            try:
                log_trip(actor, class_of_30)
            except LikelyDuplicate:
                return "asked"
            return "saved"

        return attempt

    outcomes = at_once([(actor, confirm(actor)) for actor in people])

    assert Counter(outcomes) == {"saved": 1, "asked": 7}
    with all_tenants_UNSAFE("test assertions"):
        (trip,) = Experience.objects.filter(title="Jodrell Bank trip")
        assert trip.participations.count() == 30


# The page

FORM = {
    "title": "Jodrell Bank trip",
    "kind": "workplace_visit",
    "setting": "workplace",
    "tier": "1",
    "start_date": TRIP_DAY.isoformat(),
    "duration_amount": "1",
    "duration_unit": "days",
    "criteria": ["M1", "M2", "M3"],
}


@pytest.fixture
def form_again(client, world, leader, colleague, pupils):
    """A colleague logged the trip for 28 pupils; the careers leader is on the form."""
    with acting_as(colleague):
        existing = log_trip(colleague, pupils[:28])
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    data = {**FORM, "pupils": [p.pk for p in pupils]}

    def post(choice):
        return client.post(reverse("experience_new"), {**data, **choice})

    post.existing = existing
    return post


def test_the_review_asks_before_logging_a_likely_duplicate(form_again):
    review = form_again({"_review": "1"})
    html = review.content.decode()
    assert "Is this the same experience?" in html
    assert (
        "Looks like “Jodrell Bank trip” on 3 March 2026 was already logged by B. Jones "
        "for 28 of these 30 pupils." in html
    )
    assert "It is the same experience: add the 2 pupils not already on it" in html
    assert "It is a different experience: add it anyway for 30 pupils" in html
    assert "Confirm and log" not in html
    assert participations_on(form_again.existing.pk) == 28


def test_the_review_does_not_ask_when_there_is_no_duplicate(client, world, pupils):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    review = client.post(
        reverse("experience_new"), {**FORM, "pupils": [p.pk for p in pupils], "_review": "1"}
    )
    html = review.content.decode()
    assert "Confirm and log for 30 pupils" in html
    assert "Is this the same experience?" not in html


def test_same_experience_adds_the_two_missing_pupils_to_it_and_nothing_else(form_again, pupils):
    done = form_again({"_same_as": str(form_again.existing.pk)})
    assert done.status_code == 302
    assert done["Location"] == reverse("experience_detail", args=[form_again.existing.pk])
    assert participations_on(form_again.existing.pk) == 30
    with all_tenants_UNSAFE("test assertions"):
        assert Experience.objects.filter(title="Jodrell Bank trip").count() == 1
    assert {hours_of(p) for p in pupils} == {Decimal(5)}


def test_same_experience_with_nobody_missing_says_so_and_saves_nothing(form_again, pupils):
    form_again({"_same_as": str(form_again.existing.pk)})
    again = form_again({"_same_as": str(form_again.existing.pk)})
    followed = again.client.get(again["Location"]).content.decode()
    assert "All 30 pupils were already on “Jodrell Bank trip”: nothing was saved." in followed
    assert participations_on(form_again.existing.pk) == 30


def test_different_experience_logs_it_anyway_once(form_again, pupils):
    shown = {"different_from": [str(form_again.existing.pk)]}
    done = form_again({"_different": "1", **shown})
    assert done.status_code == 302
    with all_tenants_UNSAFE("test assertions"):
        trips = list(Experience.objects.filter(title="Jodrell Bank trip").order_by("pk"))
    assert [participations_on(t.pk) for t in trips] == [28, 30]
    assert hours_of(pupils[0]) == Decimal(10) and hours_of(pupils[29]) == Decimal(5)
    # A double-click on "add it anyway": the second click is asked about the first's save.
    second_click = form_again({"_different": "1", **shown})
    assert second_click.status_code == 200
    assert "Is this the same experience?" in second_click.content.decode()
    with all_tenants_UNSAFE("test assertions"):
        assert Experience.objects.filter(title="Jodrell Bank trip").count() == 2


def test_a_double_clicked_confirm_logs_the_experience_once(client, world, pupils):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    data = {**FORM, "pupils": [p.pk for p in pupils], "_confirm": "1"}
    first = client.post(reverse("experience_new"), data)
    second = client.post(reverse("experience_new"), data)
    assert first.status_code == 302
    assert second.status_code == 200
    assert "already logged by you for 30 of these 30 pupils" in second.content.decode()
    with all_tenants_UNSAFE("test assertions"):
        assert Experience.objects.filter(title="Jodrell Bank trip").count() == 1
    assert hours_of(pupils[0]) == Decimal(5)


def test_same_experience_cannot_reach_another_schools_experience_or_pupil(form_again, world):
    assert form_again({"_same_as": str(world.b.experience.pk)}).status_code == 404
    assert form_again({"_same_as": str(world.a.sibling_experience.pk)}).status_code == 404
    refused = form_again({"_same_as": str(form_again.existing.pk), "pupils": [world.b.pupil.pk]})
    assert refused.status_code == 400
    assert "not available to you" in refused.content.decode()
    assert participations_on(form_again.existing.pk) == 28


def test_going_back_saves_nothing(form_again):
    back = form_again({"_find": "1"})
    assert back.status_code == 200
    assert participations_on(form_again.existing.pk) == 28


# The API


def api_trip(client, user, pupils, **extra):
    return client.post(
        reverse("api:experience-list"),
        {
            "title": "Jodrell Bank trip",
            "kind": "workplace_visit",
            "setting": "workplace",
            "tier": 1,
            "start_date": TRIP_DAY.isoformat(),
            "duration_hours": "5",
            "pupils": [p.pk for p in pupils],
            **extra,
        },
        content_type="application/json",
        **bearer(token_for(user)),
    )


def test_the_api_answers_409_with_the_existing_experiences_id(client, world, pupils):
    user = world.a.users[Role.CAREERS_LEADER]
    first = api_trip(client, user, pupils[:28])
    assert first.status_code == 201, first.content
    second = api_trip(client, user, pupils)
    assert second.status_code == 409
    assert second.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "likely_duplicate",
                "detail": "Looks like “Jodrell Bank trip” on 3 March 2026 was already logged "
                "by you for 28 of these 30 pupils.",
                "attr": None,
            }
        ],
        "existing_experience": first.json()["id"],
        "existing_experiences": [first.json()["id"]],
    }
    assert participations_on(first.json()["id"]) == 28


def test_the_api_logs_a_separate_event_when_allowed(client, world, pupils):
    user = world.a.users[Role.CAREERS_LEADER]
    first = api_trip(client, user, pupils)
    second = api_trip(client, user, pupils, allow_duplicate=True)
    assert second.status_code == 201, second.content
    assert "allow_duplicate" not in second.json()
    assert second.json()["id"] != first.json()["id"]
    assert len(second.json()["participations"]) == 30


def test_the_openapi_schema_documents_allow_duplicate_and_the_409(client):
    schema = client.get(
        reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    create = schema["paths"]["/api/v1/experiences/"]["post"]
    conflict = create["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][conflict.rsplit("/", 1)[1]]
    assert {"existing_experience", "existing_experiences", "errors"} <= set(body["properties"])
    request = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][request.rsplit("/", 1)[1]]["properties"]
    assert fields["allow_duplicate"]["type"] == "boolean"

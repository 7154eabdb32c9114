"""A UPN alone never moves a pupil: the importing school asks, the pupil's school (or its
hub lead, while it has no active careers leader) releases or declines, and only then does
the history travel. A pupil the old school recorded as left is released at once.

Side A's first school asks throughout. Its pupil-to-be is either at the other school of
hub A (same hub; that school is given a careers leader unless a test needs it leaderless)
or at hub B's first school (across hubs)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.context import all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from accounts.models import User
from hubs.models import Membership
from learners.academic import cohort_for
from learners.models import Learner, Participation, PupilTransfer
from learners.upn import upn_with_check_letter

from .api_helpers import bearer, token_for
from .concurrently import at_once
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
R = Role
S = PupilTransfer.Status
HEADER = "UPN,Legal first name,Preferred first name,Surname,Year group,Registration group,FSM,Disadvantaged,SEND,Looked after\n"  # noqa: E501
WHERE = ["same hub", "across hubs"]
HOW = ["csv", "api"]


def careers_leader_at(school, tag: str):
    with all_tenants_UNSAFE("test"):
        user = User.objects.create_user(f"leader.{tag}@example.org", PASSWORD)
        Membership.objects.create(user=user, role=R.CAREERS_LEADER, school=school)
    return user


@pytest.fixture
def asking(world):
    """The careers leader of the school that imports the UPN."""
    return world.a.users[R.CAREERS_LEADER]


def pupil_and_holder(world, where: str):
    """The pupil on another school's roll and that school's careers leader."""
    if where == "same hub":
        return world.a.sibling_pupil, careers_leader_at(world.a.sibling_school, "sibling")
    return world.b.pupil, world.b.users[R.CAREERS_LEADER]


def unscoped_get(model, **lookup):
    with all_tenants_UNSAFE("test"):
        return model.objects.get(**lookup)


def events(**lookup) -> list[AuditEvent]:
    with all_tenants_UNSAFE("test"):
        return list(AuditEvent.objects.filter(**lookup).order_by("pk"))


def csv_line(upn, surname="Mover", group="9Z"):
    return f"{upn},Sam,,{surname},9,{group},Y,N,K,N\n"


def api_record(upn, surname="Mover", group="9Z"):
    return {
        "upn": upn,
        "legal_first_name": "Sam",
        "surname": surname,
        "year_group": 9,
        "registration_group": group,
        "fsm": True,
        "send": "K",
    }


def import_pupils(client, user, how: str, upns, captured, *, surname="Mover", group="9Z"):
    """Import the UPNs as `user`'s school would, by CSV (preview then confirm) or the API.
    Returns the preview page (CSV) or the API's JSON."""
    if how == "csv":
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.force_login(user)
        text = HEADER + "".join(csv_line(upn, surname, group) for upn in upns)
        preview = client.post(
            reverse("pupil_import"),
            {"file": SimpleUploadedFile("pupils.csv", text.encode(), "text/csv")},
        )
        assert preview.status_code == 200, preview.content
        with captured(execute=True):
            assert client.post(reverse("pupil_import_confirm")).status_code == 302
        return preview.content.decode()
    with captured(execute=True):
        response = client.post(
            reverse("api:pupil-bulk-upsert"),
            {"pupils": [api_record(upn, surname, group) for upn in upns]},
            content_type="application/json",
            **bearer(token_for(user)),
        )
    assert response.status_code == 200, response.content
    return response.json()


def decide(client, user, transfer, captured, **data):
    client.force_login(user)
    with captured(execute=True):
        return client.post(reverse("transfer_request", args=[transfer.pk]), data)


def open_transfer(pupil) -> PupilTransfer:
    return unscoped_get(PupilTransfer, learner=pupil, status=S.REQUESTED)


def mail_to(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


# -- Asking


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("where", WHERE)
def test_importing_a_upn_on_another_schools_roll_asks_that_school_and_moves_nothing(
    client, world, asking, how, where, django_capture_on_commit_callbacks
):
    pupil, holder = pupil_and_holder(world, where)
    old_school, old_surname = pupil.school_id, pupil.surname
    history = unscoped_get(Participation, learner=pupil)

    result = import_pupils(client, asking, how, [pupil.upn], django_capture_on_commit_callbacks)

    if how == "api":
        assert result == {
            "created": 0,
            "updated": 0,
            "moved": 0,
            "awaiting_release": 1,
            "awaiting_release_upns": [pupil.upn],
        }
    else:
        assert "Pupils on another school's roll</dt><dd>1" in result
    stayed = unscoped_get(Learner, pk=pupil.pk)
    assert (stayed.school_id, stayed.surname) == (old_school, old_surname)
    assert unscoped_get(Participation, pk=history.pk).school_id == old_school
    transfer = open_transfer(pupil)
    assert (transfer.from_school_id, transfer.to_school_id) == (old_school, world.a.school.pk)
    assert transfer.to_hub_id == world.a.hub.pk and transfer.from_hub_id == pupil.hub_id
    assert transfer.sent["surname"] == "Mover" and transfer.sent["registration_group"] == "9Z"

    # The asking school sees only what it sent, and nothing of the record or its history.
    client.force_login(asking)
    assert client.get(reverse("pupil_detail", args=[pupil.pk])).status_code == 404
    assert client.get(reverse("participation_edit", args=[history.pk])).status_code == 404
    headers = bearer(token_for(asking))
    assert client.get(reverse("api:pupil-detail", args=[pupil.pk]), **headers).status_code == 404
    arrivals = client.get(reverse("transfer_arrivals")).content.decode()
    assert "Sam Mover" in arrivals and "Waiting for the other school" in arrivals
    assert old_surname not in arrivals
    old_school_name = unscoped_get(Learner, pk=pupil.pk).school.name
    assert old_school_name not in arrivals

    # Audited for both schools; the pupil's school is asked by email.
    requested = events(model="learners.PupilTransfer", object_pk=str(transfer.pk))
    assert {(e.school_id, e.action, tuple(e.changed_fields)) for e in requested} == {
        (old_school, "create", ("status:requested",)),
        (world.a.school.pk, "create", ("status:requested",)),
    }
    assert all(e.user_id == asking.pk for e in requested)
    [asked] = mail_to(holder)
    assert "asks you to release 1 pupil" in asked.subject
    assert reverse("transfer_requests") in asked.body
    assert old_surname not in asked.body  # emails name no pupil

    # The pupil's school sees the request, with who asks.
    client.force_login(holder)
    page = client.get(reverse("transfer_requests")).content.decode()
    assert old_surname in page and world.a.school.name in page


def test_the_api_lists_the_schools_arrivals_with_only_what_it_sent(
    client, world, asking, django_capture_on_commit_callbacks
):
    pupil = world.b.pupil
    import_pupils(client, asking, "api", [pupil.upn], django_capture_on_commit_callbacks)
    listing = client.get(reverse("api:transfer-arrival-list"), **bearer(token_for(asking)))
    assert listing.status_code == 200
    [arrival] = listing.json()["results"]
    assert arrival["status"] == "requested" and arrival["pupil"] is None
    assert arrival["sent"]["surname"] == "Mover" and arrival["sent"]["upn"] == pupil.upn
    assert pupil.surname not in listing.content.decode()
    assert world.b.school.name not in listing.content.decode()
    # The pupil's school does not see the other school's arrivals as its own.
    holder = world.b.users[R.CAREERS_LEADER]
    theirs = client.get(reverse("api:transfer-arrival-list"), **bearer(token_for(holder)))
    assert theirs.json()["results"] == []


def test_the_preview_says_only_that_a_upn_is_on_another_roll(client, world, asking):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(asking)
    text = HEADER + csv_line(world.b.pupil.upn)
    page = client.post(
        reverse("pupil_import"),
        {"file": SimpleUploadedFile("pupils.csv", text.encode(), "text/csv")},
    ).content.decode()
    assert "we will ask that school to release them" in page
    assert world.b.pupil.surname not in page and world.b.school.name not in page
    assert world.b.pupil.legal_first_name not in page


def test_the_csv_result_says_we_have_asked_that_school_to_release_them(
    client, world, asking, django_capture_on_commit_callbacks
):
    import_pupils(client, asking, "csv", [world.b.pupil.upn], django_capture_on_commit_callbacks)
    page = client.get(reverse("transfer_arrivals")).content.decode()
    assert (
        "1 pupil is on another school&#x27;s roll: we have asked that school to release them"
        in page
    )


def test_importing_again_refreshes_the_open_request_with_the_fields_sent_now(
    client, world, asking, django_capture_on_commit_callbacks
):
    pupil = world.b.pupil
    import_pupils(client, asking, "api", [pupil.upn], django_capture_on_commit_callbacks)
    first = open_transfer(pupil)
    mail.outbox.clear()
    import_pupils(
        client, asking, "api", [pupil.upn], django_capture_on_commit_callbacks, group="10Q"
    )
    again = open_transfer(pupil)
    assert again.pk == first.pk and again.sent["registration_group"] == "10Q"
    import_pupils(
        client, asking, "api", [pupil.upn], django_capture_on_commit_callbacks, group="10Q"
    )
    # Sent twice unchanged is one change, audited once for each school.
    refreshed = events(object_pk=str(first.pk), action="update")
    assert {(e.school_id, tuple(e.changed_fields)) for e in refreshed} == {
        (world.b.school.pk, ("sent",)),
        (world.a.school.pk, ("sent",)),
    }
    assert mail.outbox == []  # the pupil's school was asked once already


# -- Releasing and declining


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("where", WHERE)
def test_when_the_old_school_releases_the_pupil_and_history_move_and_it_gets_404(
    client, world, asking, how, where, django_capture_on_commit_callbacks
):
    pupil, holder = pupil_and_holder(world, where)
    old_school = pupil.school_id
    history = unscoped_get(Participation, learner=pupil)
    import_pupils(client, asking, how, [pupil.upn], django_capture_on_commit_callbacks)
    transfer = open_transfer(pupil)
    mail.outbox.clear()

    response = decide(
        client, holder, transfer, django_capture_on_commit_callbacks, decision="release"
    )

    assert response.status_code == 302
    moved = unscoped_get(Learner, pk=pupil.pk)
    assert (moved.school_id, moved.hub_id) == (world.a.school.pk, world.a.hub.pk)
    assert (moved.surname, moved.registration_group, moved.send) == ("Mover", "9Z", "K")
    assert unscoped_get(Participation, pk=history.pk).school_id == world.a.school.pk
    assert unscoped_get(PupilTransfer, pk=transfer.pk).status == S.RELEASED
    assert client.get(reverse("pupil_detail", args=[pupil.pk])).status_code == 404
    client.force_login(asking)
    assert client.get(reverse("pupil_detail", args=[pupil.pk])).status_code == 200
    assert client.get(reverse("participation_edit", args=[history.pk])).status_code == 200
    assert "now on your roll" in client.get(reverse("transfer_arrivals")).content.decode()

    released = events(model="learners.PupilTransfer", object_pk=str(transfer.pk), action="update")
    assert {(e.school_id, tuple(e.changed_fields), e.user_id) for e in released} == {
        (old_school, ("status:released",), holder.pk),
        (world.a.school.pk, ("status:released",), holder.pk),
    }
    pupil_changes = events(model="learners.Learner", object_pk=str(pupil.pk), action="update")
    assert {e.school_id for e in pupil_changes} == {old_school, world.a.school.pk}
    assert all("released" in e.changed_fields for e in pupil_changes)
    assert len(mail_to(holder)) == 1 and "released" in mail_to(holder)[0].subject
    assert len(mail_to(asking)) == 1 and "released" in mail_to(asking)[0].subject


def test_a_release_moves_every_pupil_level_row_and_the_old_school_loses_sight_of_them(
    client, world, asking, django_capture_on_commit_callbacks
):
    # Nominations (and a parent's consent) and pupil record PDFs are the pupil's history
    # too: left behind, they would keep showing the old school the pupil's name.
    from employers.models import Nomination, ParentalConsent
    from reports.models import ReportRun

    from .employer_world import make_nomination, make_opportunity

    pupil, holder = world.b.pupil, world.b.users[R.CAREERS_LEADER]
    nomination = make_nomination(make_opportunity(world.b.employer, [world.b.hub]), pupil)
    with all_tenants_UNSAFE("test"):
        consent = ParentalConsent.objects.create(
            hub_id=pupil.hub_id, school_id=pupil.school_id, nomination=nomination, token_digest="x"
        )
        record = ReportRun.objects.create(
            kind=ReportRun.Kind.PUPIL_RECORD,
            hub_id=pupil.hub_id,
            school_id=pupil.school_id,
            learner=pupil,
            as_at=date(2026, 3, 3),
            status=ReportRun.Status.DONE,
        )
    import_pupils(client, asking, "api", [pupil.upn], django_capture_on_commit_callbacks)
    decide(
        client, holder, open_transfer(pupil), django_capture_on_commit_callbacks, decision="release"
    )
    with all_tenants_UNSAFE("test"):
        for model, pk in (
            (Nomination, nomination.pk),
            (ParentalConsent, consent.pk),
            (ReportRun, record.pk),
        ):
            row = model.objects.get(pk=pk)
            assert (row.school_id, row.hub_id) == (world.a.school.pk, world.a.hub.pk), model


@pytest.mark.parametrize("where", WHERE)
def test_declining_keeps_the_pupil_where_they_are_and_tells_both_schools_why(
    client, world, asking, where, django_capture_on_commit_callbacks
):
    pupil, holder = pupil_and_holder(world, where)
    old_school = pupil.school_id
    import_pupils(client, asking, "csv", [pupil.upn], django_capture_on_commit_callbacks)
    transfer = open_transfer(pupil)
    mail.outbox.clear()

    no_reason = decide(
        client, holder, transfer, django_capture_on_commit_callbacks, decision="decline"
    )
    assert no_reason.status_code == 422
    assert unscoped_get(PupilTransfer, pk=transfer.pk).status == S.REQUESTED
    response = decide(
        client,
        holder,
        transfer,
        django_capture_on_commit_callbacks,
        decision="decline",
        reason="Still on our roll: wrong UPN?",
    )

    assert response.status_code == 302
    assert unscoped_get(Learner, pk=pupil.pk).school_id == old_school
    declined = unscoped_get(PupilTransfer, pk=transfer.pk)
    assert (declined.status, declined.decline_reason) == (
        S.DECLINED,
        "Still on our roll: wrong UPN?",
    )
    assert {
        (e.school_id, tuple(e.changed_fields))
        for e in events(model="learners.PupilTransfer", object_pk=str(transfer.pk), action="update")
    } == {(old_school, ("status:declined",)), (world.a.school.pk, ("status:declined",))}
    assert "declined" in mail_to(holder)[0].subject and "declined" in mail_to(asking)[0].subject
    client.force_login(asking)
    assert client.get(reverse("pupil_detail", args=[pupil.pk])).status_code == 404
    arrivals = client.get(reverse("transfer_arrivals")).content.decode()
    assert "Still on our roll: wrong UPN?" in arrivals


def test_a_decided_request_cannot_be_decided_again(
    client, world, asking, django_capture_on_commit_callbacks
):
    holder = world.b.users[R.CAREERS_LEADER]
    import_pupils(client, asking, "api", [world.b.pupil.upn], django_capture_on_commit_callbacks)
    transfer = open_transfer(world.b.pupil)
    decide(
        client,
        holder,
        transfer,
        django_capture_on_commit_callbacks,
        decision="decline",
        reason="No",
    )
    again = decide(client, holder, transfer, django_capture_on_commit_callbacks, decision="release")
    assert again.status_code == 422 and "already been declined" in again.content.decode()
    assert unscoped_get(Learner, pk=world.b.pupil.pk).school_id == world.b.school.pk


def test_the_asking_school_cannot_release_the_pupil_to_itself(
    client, world, asking, django_capture_on_commit_callbacks
):
    import_pupils(client, asking, "api", [world.b.pupil.upn], django_capture_on_commit_callbacks)
    transfer = open_transfer(world.b.pupil)
    for who in (asking, world.a.users[R.SCHOOL_STAFF], world.a.users[R.HUB_LEAD]):
        response = decide(
            client, who, transfer, django_capture_on_commit_callbacks, decision="release"
        )
        assert response.status_code == 404
    assert unscoped_get(Learner, pk=world.b.pupil.pk).school_id == world.b.school.pk


def test_releasing_one_of_two_requests_for_a_pupil_cancels_the_other(
    client, world, asking, django_capture_on_commit_callbacks
):
    pupil, holder = world.b.pupil, world.b.users[R.CAREERS_LEADER]
    rival = careers_leader_at(world.b.sibling_school, "rival")
    import_pupils(client, asking, "api", [pupil.upn], django_capture_on_commit_callbacks)
    import_pupils(client, rival, "api", [pupil.upn], django_capture_on_commit_callbacks)
    with all_tenants_UNSAFE("test"):
        mine, theirs = PupilTransfer.objects.filter(learner=pupil).order_by("pk")
    mail.outbox.clear()

    decide(client, holder, mine, django_capture_on_commit_callbacks, decision="release")

    assert unscoped_get(PupilTransfer, pk=theirs.pk).status == S.CANCELLED
    assert unscoped_get(Learner, pk=pupil.pk).school_id == world.a.school.pk
    assert {e.school_id for e in events(object_pk=str(theirs.pk), action="update")} == {
        world.b.school.pk,
        world.b.sibling_school.pk,
    }
    assert "cancelled" in mail_to(rival)[0].subject
    client.force_login(rival)
    assert "joined another school" in client.get(reverse("transfer_arrivals")).content.decode()
    assert client.get(reverse("pupil_detail", args=[pupil.pk])).status_code == 404


# -- Leavers


def test_recording_a_pupil_as_left_is_the_careers_leaders_and_is_audited(client, world):
    pupil = world.a.pupil
    client.force_login(world.a.users[R.SCHOOL_STAFF])
    url = reverse("pupil_leave", args=[pupil.pk])
    assert client.post(url, {"left_on": "2026-03-03"}).status_code == 404
    leader = world.a.users[R.CAREERS_LEADER]
    client.force_login(leader)
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert client.post(url, {"left_on": tomorrow.isoformat()}).status_code == 200
    assert unscoped_get(Learner, pk=pupil.pk).left_on is None
    assert client.post(url, {"left_on": "2025-03-03"}).status_code == 302
    assert unscoped_get(Learner, pk=pupil.pk).left_on == date(2025, 3, 3)
    [change] = events(model="learners.Learner", object_pk=str(pupil.pk), action="update")
    assert change.changed_fields == ["left_on", "updated_at"] and change.user_id == leader.pk
    page = client.get(reverse("pupil_detail", args=[pupil.pk])).content.decode()
    assert "Recorded as left on 3 March 2025" in page


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("where", WHERE)
def test_a_pupil_the_old_school_recorded_as_left_is_released_at_once(
    client, world, asking, how, where, django_capture_on_commit_callbacks
):
    pupil, holder = pupil_and_holder(world, where)
    old_school = pupil.school_id
    history = unscoped_get(Participation, learner=pupil)
    client.force_login(holder)
    client.post(reverse("pupil_leave", args=[pupil.pk]), {"left_on": "2025-07-18"})

    result = import_pupils(client, asking, how, [pupil.upn], django_capture_on_commit_callbacks)

    if how == "api":
        assert result["moved"] == 1 and result["awaiting_release_upns"] == []
    moved = unscoped_get(Learner, pk=pupil.pk)
    assert (moved.school_id, moved.surname, moved.left_on) == (world.a.school.pk, "Mover", None)
    assert unscoped_get(Participation, pk=history.pk).school_id == world.a.school.pk
    transfer = unscoped_get(PupilTransfer, learner=pupil)
    assert (transfer.status, transfer.automatic) == (S.RELEASED, True)
    released = events(model="learners.PupilTransfer", object_pk=str(transfer.pk), action="update")
    assert {(e.school_id, tuple(e.changed_fields)) for e in released} == {
        (old_school, ("status:released", "automatic")),
        (world.a.school.pk, ("status:released", "automatic")),
    }
    pupil_changes = events(
        model="learners.Learner", object_pk=str(pupil.pk), changed_fields__contains=["school"]
    )
    assert {e.school_id for e in pupil_changes} == {old_school, world.a.school.pk}
    assert "recorded them as left" in mail_to(holder)[0].body
    assert "released" in mail_to(asking)[0].subject
    client.force_login(holder)
    assert client.get(reverse("pupil_detail", args=[pupil.pk])).status_code == 404
    client.force_login(asking)
    assert client.get(reverse("pupil_detail", args=[pupil.pk])).status_code == 200


# -- The hub lead decides for a school with no careers leader


def test_a_hub_lead_decides_only_for_a_school_of_their_hub_with_no_active_careers_leader(
    client, world, django_capture_on_commit_callbacks
):
    # Hub A's second school has no careers leader; hub B's first school asks for its pupil.
    pupil, hub_lead = world.a.sibling_pupil, world.a.users[R.HUB_LEAD]
    asking = world.b.users[R.CAREERS_LEADER]
    import_pupils(client, asking, "api", [pupil.upn], django_capture_on_commit_callbacks)
    transfer = open_transfer(pupil)
    [asked] = [m for m in mail.outbox if "asks you to release" in m.subject]
    assert asked.to == [hub_lead.email]
    assert "the roll of School A2, which has no active careers leader" in asked.body

    other_hub_lead = world.b.users[R.HUB_LEAD]
    response = decide(
        client, other_hub_lead, transfer, django_capture_on_commit_callbacks, decision="release"
    )
    assert response.status_code == 404

    # While the school has an active careers leader, the hub lead does not decide.
    leader = careers_leader_at(world.a.sibling_school, "sibling")
    client.force_login(hub_lead)
    assert client.get(reverse("transfer_request", args=[transfer.pk])).status_code == 404
    assert pupil.surname not in client.get(reverse("transfer_requests")).content.decode()
    with all_tenants_UNSAFE("test"):
        User.objects.filter(pk=leader.pk).update(is_active=False)

    page = client.get(reverse("transfer_requests")).content.decode()
    assert pupil.surname in page
    mail.outbox.clear()
    response = decide(
        client, hub_lead, transfer, django_capture_on_commit_callbacks, decision="release"
    )
    assert response.status_code == 302
    decided = unscoped_get(PupilTransfer, pk=transfer.pk)
    assert (decided.status, decided.decided_by_id, decided.decided_by_role) == (
        S.RELEASED,
        hub_lead.pk,
        "hub_lead",
    )
    assert unscoped_get(Learner, pk=pupil.pk).school_id == world.b.school.pk
    assert "The hub lead decided" in mail_to(asking)[0].body
    released = events(model="learners.PupilTransfer", object_pk=str(transfer.pk), action="update")
    assert {e.school_id for e in released} == {world.a.sibling_school.pk, world.b.school.pk}
    assert all(e.user_id == hub_lead.pk for e in released)
    # The hub lead's sight of the named pupil, to decide, is itself audited.
    assert events(
        model="learners.Learner", object_pk=str(pupil.pk), action="view", user_id=hub_lead.pk
    )


# -- The import's cost


def _pupils_at(school, start: int, count: int, left=False) -> list[str]:
    with all_tenants_UNSAFE("test"):
        pupils = Learner.objects.bulk_create(
            Learner(
                hub_id=school.hub_id,
                school=school,
                upn=upn_with_check_letter(f"806{start + n:09d}"),
                legal_first_name="Far",
                surname=f"Away{n}",
                cohort=cohort_for(9, timezone.localdate()),
                left_on=date(2025, 7, 1) if left else None,
            )
            for n in range(count)
        )
    return [p.upn for p in pupils]


def test_the_imports_queries_do_not_grow_with_pupils_on_other_rolls(
    client, world, asking, django_capture_on_commit_callbacks
):
    headers = bearer(token_for(asking))

    def queries_for(upns):
        with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks():
            response = client.post(
                reverse("api:pupil-bulk-upsert"),
                {"pupils": [api_record(upn) for upn in upns]},
                content_type="application/json",
                **headers,
            )
        assert response.status_code == 200, response.content
        return len(captured)

    # The first request warms per-process caches (content types, the token's last use).
    queries_for(
        _pupils_at(world.b.school, 500, 1) + _pupils_at(world.b.sibling_school, 600, 1, left=True)
    )
    few = _pupils_at(world.b.school, 1000, 1) + _pupils_at(
        world.b.sibling_school, 1100, 1, left=True
    )
    many = _pupils_at(world.b.school, 2000, 12) + _pupils_at(
        world.b.sibling_school, 2100, 12, left=True
    )
    assert queries_for(few) == queries_for(many)


# -- Two decisions at once


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_releases_of_one_pupil_to_two_schools_release_it_once():
    """Each release in its own thread and transaction: the pupil's row lock makes the
    second wait, then find its request cancelled by the first."""

    from django.core.exceptions import ValidationError

    from access.actor import actor_for_user
    from learners.transfers import transfer_release

    from .conftest import build_world

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    world = build_world()
    pupil, holder = world.b.pupil, actor_for_user(world.b.users[R.CAREERS_LEADER])
    now = timezone.now()
    with all_tenants_UNSAFE("test"):
        requests = [
            PupilTransfer.objects.create(
                learner=pupil,
                from_school=world.b.school,
                from_hub=world.b.hub,
                to_school=school,
                to_hub_id=school.hub_id,
                sent={"upn": pupil.upn, "surname": "Mover"},
                requested_at=now,
            )
            for school in (world.a.school, world.b.sibling_school)
        ]

    def release(transfer):
        def attempt():
            try:
                transfer_release(actor=holder, transfer_id=transfer.pk)
            except ValidationError as refusal:
                return refusal.messages[0]
            return "released"

        return attempt

    outcomes = at_once([(holder, release(t)) for t in requests])

    assert sorted(outcomes) == ["This request has already been cancelled.", "released"]
    with all_tenants_UNSAFE("test"):
        statuses = sorted(
            PupilTransfer.objects.filter(learner=pupil).values_list("status", flat=True)
        )
        winner = PupilTransfer.objects.get(learner=pupil, status=S.RELEASED)
        assert Learner.objects.get(pk=pupil.pk).school_id == winner.to_school_id
    assert statuses == [S.CANCELLED, S.RELEASED]

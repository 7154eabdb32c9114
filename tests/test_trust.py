"""The trust role: a trust's central careers lead sees its schools' totals (in any hub, by
each hub's own rules), and a school's named pupils only while that school grants it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from schools.models import School, TrustPupilAccess

from .api_helpers import bearer, token_for

pytestmark = pytest.mark.django_db


def _span_hubs(world):
    """The other hub's school joins trust A: the trust now spans both hubs."""
    with all_tenants_UNSAFE("test: a trust across hubs"):
        School.objects.filter(pk=world.b.school.pk).update(trust_id=world.a.school.trust_id)


def _grant(client, world, side):
    client.force_login(side.users[Role.CAREERS_LEADER])
    response = client.post(reverse("school_settings"), {"trust_pupil_access": "grant"})
    assert response.status_code == 302
    client.logout()


def _year_9_with_weeks(side, count: int, start: int):
    """`count` more Year 9 pupils at the side's school: every one on a three-day workplace
    visit, every other one also on a two-day visit to another employer (a KS3 week)."""
    from datetime import date

    from learners.academic import cohort_for
    from learners.models import Experience, Learner, Participation
    from learners.upn import upn_with_check_letter

    with all_tenants_UNSAFE("test data"):
        pupils = Learner.all_tenants_UNSCOPED.bulk_create(
            Learner(
                hub_id=side.hub.pk,
                school=side.school,
                legal_first_name="P",
                surname=f"W{n}",
                upn=upn_with_check_letter(f"7{start + n:011d}"),
                cohort=cohort_for(9, timezone.localdate()),
                fsm=n % 3 == 0,
            )
            for n in range(count)
        )
        for hours, employer, who in (
            (15, side.employer, pupils),
            (10, side.sibling_employer, pupils[::2]),
        ):
            experience = Experience.objects.create(
                school=side.school,
                title=f"{hours} hours at {employer.name}",
                kind="workplace_visit",
                setting="workplace",
                tier=2,
                start_date=date(2025, 6, 1),
                end_date=date(2025, 6, 1),
                duration_hours=hours,
                meets_m1=True,
                meets_m2=True,
                meets_m3=True,
            )
            experience.employers.add(employer)
            Participation.all_tenants_UNSCOPED.bulk_create(
                Participation(
                    hub_id=side.hub.pk,
                    school=side.school,
                    experience=experience,
                    learner=pupil,
                    start_date=experience.start_date,
                    hours_attended=hours,
                )
                for pupil in who
            )


def _history(world):
    """Pupils with different histories in both hubs, hub B counting by stricter rules."""
    _year_9_with_weeks(world.a, 7, start=1000)
    _year_9_with_weeks(world.b, 5, start=2000)
    with all_tenants_UNSAFE("test: hub B's own rules"):
        from hubs.models import Hub

        # Hub B also asks for M4, which no experience here meets: nothing counts there.
        Hub.objects.filter(pk=world.b.hub.pk).update(
            meaningful_criteria=["M1", "M2", "M3", "M4"], ks3_virtual_cap_days="1.0"
        )


@pytest.mark.parametrize("ledger", [True, False], ids=["ledger", "raw"])
def test_the_trust_homes_figures_equal_each_schools_hub_dashboard_and_own_report(world, ledger):
    from learners.ledger import ledger_rebuild
    from reports.builders import hub_summary, school_summary
    from schools.selectors import trust_school_progress

    _span_hubs(world)
    _history(world)
    if ledger:
        with all_tenants_UNSAFE("test: build the ledger"):
            ledger_rebuild()
    today = timezone.localdate()
    trust_lead = actor_for_user(world.a.users[Role.TRUST_LEAD])
    with acting_as(trust_lead):
        rows = {row["id"]: row for row in trust_school_progress(actor=trust_lead)}
    assert set(rows) == {world.a.school.pk, world.b.school.pk}
    assert rows[world.a.school.pk]["pupils"] == 8
    assert rows[world.b.school.pk]["pupils"] == 6
    for side in world.sides():
        mine = rows[side.school.pk]
        with acting_as(actor_for_user(side.users[Role.HUB_LEAD])):
            dashboard = hub_summary(hub_id=side.hub.pk, as_at=today)
        (theirs,) = [row for row in dashboard["schools"] if row["id"] == side.school.pk]
        assert {k: mine[k] for k in theirs} == theirs
        with acting_as(actor_for_user(side.users[Role.CAREERS_LEADER])):
            report = school_summary(school_id=side.school.pk, as_at=today)
        assert mine["on_track_pct"] == report["headline"]["on_track_pct"]
        assert mine["fsm_gap"] == report["headline"]["fsm_gap"]
        q1 = next(a for a in report["compass"] if a["code"] == "Q1")
        q3 = next(a for a in report["compass"] if a["code"] == "Q3")
        assert (mine["q1_band"], mine["q3_band"]) == (q1["band"], q3["band"])
    # Each hub's own rules: the same histories count in hub A and not in hub B.
    assert rows[world.a.school.pk]["ks3_met_pct"] == 50.0  # 4 of the 8 Year 9 pupils
    assert rows[world.b.school.pk]["ks3_met_pct"] == 0


def test_the_trust_home_lists_only_the_trusts_schools_with_totals_and_no_names(client, world):
    _span_hubs(world)
    client.force_login(world.a.users[Role.TRUST_LEAD])
    body = client.get(reverse("home")).content.decode()
    assert world.a.school.name in body and world.b.school.name in body
    assert world.a.hub.name in body and world.b.hub.name in body
    assert world.a.sibling_school.name not in body
    for pupil in (world.a.pupil, world.b.pupil):
        assert pupil.surname not in body
    assert "Totals only" in body
    assert reverse("trust_school_pupils", args=[world.a.school.pk]) not in body


def test_a_careers_leader_grants_then_revokes_the_trusts_named_access(client, world):
    lead = world.a.users[Role.TRUST_LEAD]
    pupil_page = reverse("pupil_detail", args=[world.a.pupil.pk])
    client.force_login(lead)
    assert client.get(pupil_page).status_code == 404

    _grant(client, world, world.a)
    client.force_login(lead)
    home = client.get(reverse("home")).content.decode()
    assert reverse("trust_school_pupils", args=[world.a.school.pk]) in home
    listing = client.get(reverse("trust_school_pupils", args=[world.a.school.pk]) + "?year=9")
    assert world.a.pupil.surname in listing.content.decode()
    assert world.a.sibling_pupil.surname not in listing.content.decode()
    page = client.get(pupil_page)
    assert page.status_code == 200
    body = page.content.decode()
    # Read only: no way to change the pupil from here.
    assert reverse("pupil_skill_new", args=[world.a.pupil.pk]) not in body
    assert reverse("participation_edit", args=[world.a.participation.pk]) not in body
    assert reverse("pupil_record", args=[world.a.pupil.pk]) not in body
    assert client.post(reverse("pupil_skill_new", args=[world.a.pupil.pk])).status_code == 404
    # Every read is on the school's own trail, seen by its careers leader.
    with all_tenants_UNSAFE("test assertions"):
        reads = AuditEvent.objects.filter(
            user=lead, action=AuditEvent.Action.VIEW, school_id=world.a.school.pk
        )
        assert reads.filter(object_pk=str(world.a.pupil.pk)).count() == 2  # list, page
        grants = AuditEvent.objects.filter(model="schools.TrustPupilAccess")
        assert list(grants.values_list("action", "school_id")) == [
            (AuditEvent.Action.CREATE, world.a.school.pk)
        ]
    client.logout()

    client.force_login(world.a.users[Role.CAREERS_LEADER])
    settings_page = client.get(reverse("school_settings")).content.decode()
    assert "Granted" in settings_page and world.a.school.trust.name in settings_page
    client.post(reverse("school_settings"), {"trust_pupil_access": "revoke"})
    client.logout()
    client.force_login(lead)
    assert client.get(pupil_page).status_code == 404
    assert client.get(reverse("trust_school_pupils", args=[world.a.school.pk])).status_code == 404
    # Totals stay.
    assert client.get(reverse("school_detail", args=[world.a.school.pk])).status_code == 200


def test_a_grant_stays_with_the_trust_it_was_given_to(client, world):
    """A school that moves trust does not hand its pupils to the new trust."""
    _grant(client, world, world.a)
    with all_tenants_UNSAFE("test: the school moves to trust B"):
        School.objects.filter(pk=world.a.school.pk).update(trust_id=world.b.school.trust_id)
    old = actor_for_user(world.a.users[Role.TRUST_LEAD])
    new = actor_for_user(world.b.users[Role.TRUST_LEAD])
    assert world.a.school.pk not in old.trust_school_ids
    assert world.a.school.pk in new.trust_school_ids
    assert new.trust_named_pupil_school_ids == ()
    client.force_login(world.b.users[Role.TRUST_LEAD])
    assert client.get(reverse("pupil_detail", args=[world.a.pupil.pk])).status_code == 404


def test_the_actor_exposes_the_trusts_scope_as_school_ids(world):
    _span_hubs(world)
    with all_tenants_UNSAFE("test"):
        TrustPupilAccess.objects.create(
            school=world.b.school, hub=world.b.hub, trust_id=world.a.school.trust_id
        )
    actor = actor_for_user(world.a.users[Role.TRUST_LEAD])
    assert actor.trust_id == world.a.school.trust_id
    assert actor.hub_id is None and actor.school_id is None
    assert set(actor.trust_school_ids) == {world.a.school.pk, world.b.school.pk}
    assert actor.trust_named_pupil_school_ids == (world.b.school.pk,)
    from learners.models import Learner

    with acting_as(actor):
        assert list(Learner.objects.values_list("pk", flat=True)) == [world.b.pupil.pk]
    with acting_as(actor.for_aggregates()):
        assert Learner.objects.count() == 2


def test_mfa_is_asked_of_a_trust_lead_only_while_a_school_grants_named_pupils(
    client, world, settings
):
    settings.EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS = True
    secret = token_for(world.a.users[Role.TRUST_LEAD])
    client.force_login(world.a.users[Role.TRUST_LEAD])
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("api:me"), **bearer(secret)).status_code == 200
    with all_tenants_UNSAFE("test"):
        TrustPupilAccess.objects.create(
            school=world.a.school, hub=world.a.hub, trust_id=world.a.school.trust_id
        )
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    client.logout()
    assert client.get(reverse("api:me"), **bearer(secret)).status_code == 401


def test_a_token_scoped_to_a_trust_reads_granted_pupils_and_its_schools_reports(client, world):
    _span_hubs(world)
    secret = token_for(world.a.users[Role.TRUST_LEAD])
    me = client.get(reverse("api:me"), **bearer(secret)).json()
    assert me["role"] == "trust_lead"
    assert me["trust"] == world.a.school.trust_id
    assert set(me["trust_schools"]) == {world.a.school.pk, world.b.school.pk}
    assert me["trust_schools_sharing_pupils"] == []
    assert client.get(reverse("api:pupil-list"), **bearer(secret)).json()["results"] == []
    with all_tenants_UNSAFE("test"):
        TrustPupilAccess.objects.create(
            school=world.b.school, hub=world.b.hub, trust_id=world.a.school.trust_id
        )
    pupils = client.get(reverse("api:pupil-list"), **bearer(secret)).json()["results"]
    assert [p["id"] for p in pupils] == [world.b.pupil.pk]
    reports = client.get(reverse("api:report-list"), **bearer(secret)).json()["results"]
    assert {r["id"] for r in reports} == {world.a.report.pk, world.b.report.pk}
    asked = client.post(
        reverse("api:report-list"),
        {"kind": "school_b6", "school": world.b.school.pk},
        content_type="application/json",
        **bearer(secret),
    )
    assert asked.status_code == 202
    refused = client.post(
        reverse("api:report-list"),
        {"kind": "cohort_csv", "school": world.b.school.pk, "year_group": 9},
        content_type="application/json",
        **bearer(secret),
    )
    assert refused.status_code == 400


def test_a_school_outside_any_trust_has_nobody_to_grant(client, world):
    from django.contrib.messages import get_messages

    with all_tenants_UNSAFE("test"):
        School.objects.filter(pk=world.a.school.pk).update(trust=None)
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    response = client.post(reverse("school_settings"), {"trust_pupil_access": "grant"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your school is not in a trust, so there is nobody to grant."
    ]
    with all_tenants_UNSAFE("test"):
        assert not TrustPupilAccess.objects.exists()


def test_a_report_the_trust_lead_asks_for_is_built_as_them_with_the_schools_own_figures(
    client, world, django_capture_on_commit_callbacks
):
    """The build runs as the asking trust lead (the task rebuilds the actor from its
    membership), in the other hub's school too, and says what the school's own report says."""
    from reports.builders import school_summary
    from reports.models import ReportRun
    from reports.tasks import build_report

    _span_hubs(world)
    _history(world)
    lead = world.a.users[Role.TRUST_LEAD]
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("school_report", args=[world.b.school.pk]))
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        run = ReportRun.objects.get(school=world.b.school, requested_by=lead)
    assert build_report(run.pk, actor=actor_for_user(lead).to_spec()) == "done"
    with all_tenants_UNSAFE("test"):
        run.refresh_from_db()
    with acting_as(actor_for_user(world.b.users[Role.CAREERS_LEADER])):
        own = school_summary(school_id=world.b.school.pk, as_at=run.as_at)
    assert run.summary["headline"] == own["headline"]
    assert run.summary["years"] == own["years"]
    assert run.summary["headline"]["pupils"] == 6
    # Downloading it is on the school's own trail.
    assert client.get(reverse("report_run_download", args=[run.pk, "csv"])).status_code == 200
    with all_tenants_UNSAFE("test"):
        assert AuditEvent.objects.filter(
            user=lead, action=AuditEvent.Action.EXPORT, school_id=world.b.school.pk
        ).exists()

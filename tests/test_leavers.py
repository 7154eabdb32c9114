"""Leavers (privacy.leavers): recorded by the school (page, CSV, API) or at the end of Year
11 plus the hub's grace, kept for the hub's retention period, then pseudonymised in place
with every past figure unchanged, idempotently, with a count in the audit log."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user, system_actor
from access.context import acting_as, all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from learners.academic import cohort_for
from learners.models import Learner, Participation, PupilTransfer
from learners.upn import upn_with_check_letter
from privacy import leavers
from privacy.catalogue import pupil_level_models
from tests.api_helpers import bearer, token_for
from tests.conftest import ensure_reference_data
from tests.oracle.load import load
from tests.oracle.platform import hub_disagreements, school_disagreements
from tests.oracle.world import generate

from .employer_world import make_nomination, make_opportunity, make_pupils

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("retention")
DAY = timedelta(days=1)
NAMES = {"upn", "first_name", "surname"}


def _get(pk):
    with all_tenants_UNSAFE("test assertions"):
        return Learner.objects.get(pk=pk)


def _left(pupil, on):
    with all_tenants_UNSAFE("test"):
        Learner.objects.filter(pk=pupil.pk).update(left_on=on)


# -- Figures stay identical


def _figures(loaded, as_at):
    """Every school's, hub's and England's figures as at a past date, as the report
    builders and the school summary page compute them."""
    from learners.selectors import school_progress_summary
    from reports.builders import cohort_rows, hub_summary, national_totals, school_summary

    found = {}
    for school in loaded.world.schools:
        school_id = loaded.db("schools", school.id)
        actor = actor_for_user(loaded.leaders[school.id])
        with acting_as(actor):
            found[f"school {school_id}"] = school_summary(school_id=school_id, as_at=as_at)
            page = school_progress_summary(actor=actor, school_id=school_id, as_at=as_at)
            found[f"page {school_id}"] = {"rows": page["rows"], "compass": page["compass"]}
            for year in range(7, 12):
                rows = cohort_rows(school_id=school_id, year_group=year, as_at=as_at)["rows"]
                # Names and UPNs are what pseudonymising removes (and the list is sorted by
                # name): every pupil's figures must stay, whatever order they come in.
                found[f"cohort {school_id} {year}"] = sorted(
                    repr({k: v for k, v in row.items() if k not in NAMES}) for row in rows
                )
    for hub in loaded.world.hubs:
        with acting_as(actor_for_user(loaded.hub_leads[hub.id])):
            found[f"hub {hub.id}"] = hub_summary(hub_id=loaded.db("hubs", hub.id), as_at=as_at)
    with acting_as(actor_for_user(loaded.analyst)):
        found["national"] = national_totals(as_at=as_at)
    return found


@pytest.mark.parametrize("seed", (3, 7))
def test_it_keeps_past_figures_identical_after_pseudonymising(seed):
    ensure_reference_data()
    world = generate(seed)
    loaded = load(world)
    as_at = world.as_at
    # Every pupil a leaver long enough ago: the whole world is pseudonymised.
    with all_tenants_UNSAFE("test"):
        Learner.objects.filter(left_on__isnull=True).update(left_on=as_at)
        before_names = set(Learner.objects.values_list("surname", flat=True))
    before = _figures(loaded, as_at)

    later = date(as_at.year + 6, 1, 1)
    with acting_as(SYSTEM):
        done = leavers.leavers_pseudonymise(actor=SYSTEM, today=later)

    with all_tenants_UNSAFE("test"):
        assert done == Learner.objects.count() == len(world.pupils)
        assert set(Learner.objects.values_list("surname", flat=True)) == {leavers.PSEUDONYM_SURNAME}
    assert before_names.isdisjoint({leavers.PSEUDONYM_SURNAME})
    assert _figures(loaded, as_at) == before
    # And still the oracle's figures (the specification), not merely unchanged ones, of
    # the same world: every pupil a leaver (a leaver is in no registration group).
    loaded.world = replace(
        world,
        pupils=tuple(replace(p, left_on=p.left_on or as_at) for p in world.pupils),
        _index={},
    )
    assert hub_disagreements(loaded, as_at) == []
    # (Cohort lists name pupils, so the oracle's names differ there now; their figures
    # were compared above.)
    found = school_disagreements(loaded, as_at, thorough=False)
    assert [d for d in found if not d.startswith("cohort ")] == []


# -- Who is pseudonymised, and what goes


def _with_free_text(world, pupil):
    """A pupil with every kind of free text the platform holds about them."""
    from employers.models import ParentalConsent
    from reports.models import ReportRun

    experience = world.a.experience
    opportunity = make_opportunity(world.a.employer, [world.a.hub])
    nomination = make_nomination(
        opportunity,
        pupil,
        shared_support_needs="Uses a wheelchair",
        decision_reason="Lovely letter",
        explanation="First come",
    )
    with all_tenants_UNSAFE("test"):
        Participation.objects.create(
            hub_id=pupil.hub_id,
            school_id=pupil.school_id,
            experience=experience,
            learner=pupil,
            hours_attended=5,
            reflection_text="I learned that I like engines",
            feedback_text="Asked great questions",
        )
        ParentalConsent.objects.create(
            hub_id=pupil.hub_id,
            school_id=pupil.school_id,
            nomination=nomination,
            token_digest=f"{pupil.pk:064d}",
            sent_to="parent@example.org",
            answer=ParentalConsent.Answer.GIVEN,
            signed_by="Pat Parent",
            note="Asthma",
        )
        PupilTransfer.objects.create(
            learner=pupil,
            from_school=world.a.school,
            from_hub=world.a.hub,
            to_school=world.b.school,
            to_hub=world.b.hub,
            status=PupilTransfer.Status.DECLINED,
            sent={"upn": pupil.upn, "surname": pupil.surname},
            requested_at=timezone.now(),
            decline_reason="She is still with us",
        )
        ReportRun.objects.create(
            kind=ReportRun.Kind.PUPIL_RECORD,
            hub_id=pupil.hub_id,
            school_id=pupil.school_id,
            learner=pupil,
            as_at=date(2025, 12, 31),
            status=ReportRun.Status.DONE,
        )
        Learner.objects.filter(pk=pupil.pk).update(registration_group="10B")


def test_a_leaver_is_pseudonymised_the_day_after_the_hubs_retention_period_ends(world):
    from hubs.models import Hub

    with all_tenants_UNSAFE("test"):
        Hub.objects.filter(pk=world.b.hub.pk).update(leavers_kept_academic_years=1)
    # Left on the last day of academic year 2021/22 and the first day of 2022/23.
    old, recent = make_pupils(world.a.school, 2)
    _left(old, date(2022, 8, 31))
    _left(recent, date(2022, 9, 1))
    on_roll = world.a.pupil
    short = make_pupils(world.b.school, 1, la_code="806")[0]
    _left(short, date(2024, 8, 31))  # 2023/24, kept for one year: 2024/25
    _with_free_text(world, old)

    # 2025/26 is the third academic year after 2021/22 ends: its last day keeps them.
    with acting_as(SYSTEM):
        assert leavers.leavers_pseudonymise(actor=SYSTEM, today=date(2025, 8, 31)) == 0
        assert leavers.leavers_pseudonymise(actor=SYSTEM, today=date(2025, 9, 1)) == 2
    upn = old.upn
    after = _get(old.pk)
    assert after.upn == leavers.pseudonym_of(upn) and after.upn.startswith("#")
    assert (after.legal_first_name, after.preferred_first_name, after.surname) == (
        "Former pupil",
        "",
        "(pseudonymised)",
    )
    assert after.registration_group == "" and after.pseudonymised_on == date(2025, 9, 1)
    # What figures rest on stays.
    assert (after.cohort, after.school_id, after.fsm, after.left_on) == (
        old.cohort,
        old.school_id,
        old.fsm,
        date(2022, 8, 31),
    )
    assert _get(short.pk).pseudonymised_on == date(2025, 9, 1)
    assert _get(recent.pk).pseudonymised_on is None and _get(recent.pk).surname == recent.surname
    assert _get(on_roll.pk).pseudonymised_on is None

    from employers.models import Nomination, ParentalConsent
    from reports.models import ReportRun

    with all_tenants_UNSAFE("test"):
        participation = Participation.objects.get(learner=old)
        assert (participation.reflection_text, participation.feedback_text) == ("", "")
        assert participation.hours_attended == 5
        nomination = Nomination.objects.get(learner=old)
        assert (
            nomination.shared_support_needs,
            nomination.decision_reason,
            nomination.explanation,
        ) == ("", "", "")
        consent = ParentalConsent.objects.get(nomination=nomination)
        assert (consent.signed_by, consent.note, consent.sent_to, consent.answer) == (
            "",
            "",
            "",
            "given",
        )
        transfer = PupilTransfer.objects.get(learner=old)
        assert (transfer.sent, transfer.decline_reason) == ({}, "")
        assert not ReportRun.objects.filter(learner=old).exists()
        # Other pupils' words are untouched.
        assert Participation.objects.get(pk=world.a.participation.pk).hours_attended == 5
        snapshot = list(Learner.objects.order_by("pk").values())

    with acting_as(SYSTEM):
        assert leavers.leavers_pseudonymise(actor=SYSTEM, today=date(2026, 9, 1)) == 1
        assert leavers.leavers_pseudonymise(actor=SYSTEM, today=date(2026, 9, 1)) == 0
    with all_tenants_UNSAFE("test"):
        now = {row["id"]: row for row in Learner.objects.values()}
    for row in snapshot:
        if row["id"] != recent.pk:  # the one pseudonymised this time
            assert {k: v for k, v in now[row["id"]].items() if k != "updated_at"} == {
                k: v for k, v in row.items() if k != "updated_at"
            }


def test_the_nightly_retention_counts_pseudonymised_leavers_in_the_audit_log_once(world):
    from privacy.retention import retention_apply

    pupils = make_pupils(world.a.school, 3)
    for pupil in pupils:
        _left(pupil, date(2020, 7, 20))
    with acting_as(SYSTEM):
        first = retention_apply(actor=SYSTEM)
        second = retention_apply(actor=SYSTEM)
    assert first["leavers pseudonymised"] == 3 and second["leavers pseudonymised"] == 0
    with all_tenants_UNSAFE("test"):
        events = AuditEvent.objects.filter(object_pk="retention: leavers pseudonymised")
        assert sorted(events.values_list("rows", flat=True)) == [0, 3]
        event = events.get(rows=3)
    assert event.model == "learners.Learner" and event.action == AuditEvent.Action.UPDATE
    assert "upn" in event.changed_fields and event.actor_description == "system: retention"


def test_only_the_system_pseudonymises(world):
    from django.core.exceptions import PermissionDenied

    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader), pytest.raises(PermissionDenied):
        leavers.pupil_pseudonymise(actor=leader, pupil_id=world.a.pupil.pk)
    with acting_as(SYSTEM):
        assert leavers.pupil_pseudonymise(actor=SYSTEM, pupil_id=world.a.pupil.pk) is True
        assert leavers.pupil_pseudonymise(actor=SYSTEM, pupil_id=world.a.pupil.pk) is False


def test_every_text_field_about_a_pupil_is_emptied_or_explained():
    text = (models.CharField, models.TextField, models.JSONField, models.FileField)
    listed = {(label, name) for label, names in leavers.FREE_TEXT.items() for name in names}
    unexplained = [
        f"{model._meta.label}.{field.name}"
        for model in pupil_level_models()
        for field in model._meta.concrete_fields
        if isinstance(field, text)
        and (model._meta.label, field.name) not in listed
        and (model._meta.label, field.name) not in leavers.NOT_FREE_TEXT
    ]
    assert unexplained == []


def test_the_pseudonym_is_keyed_so_a_upn_cannot_be_tested_without_the_key(settings):
    import hashlib

    upn = upn_with_check_letter("888123400001")
    first = leavers.pseudonym_of(upn)
    assert first == leavers.pseudonym_of(upn.lower())  # the same UPN however it is typed
    assert first.removeprefix("#") not in hashlib.sha256(upn.encode()).hexdigest()
    settings.PSEUDONYM_KEY = "another key"
    assert leavers.pseudonym_of(upn) != first


# -- Re-imports still collide


def _pseudonymised(world):
    pupil = make_pupils(world.a.school, 1)[0]
    with acting_as(SYSTEM):
        leavers.pupil_pseudonymise(actor=SYSTEM, pupil_id=pupil.pk)
    return pupil


def test_a_reimport_of_a_pseudonymised_upn_is_refused_as_a_duplicate(client, world):
    pupil = _pseudonymised(world)
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    header = "UPN,Legal first name,Surname,Year group\n"
    csv = f"{header}{pupil.upn},Ann,Again,10\n"
    page = client.post(
        reverse("pupil_import"), {"file": SimpleUploadedFile("p.csv", csv.encode(), "text/csv")}
    ).content.decode()
    assert "pseudonymised" in page and "Confirm import" not in page

    response = client.post(
        reverse("api:pupil-bulk-upsert"),
        {"pupils": [{"upn": pupil.upn, "legal_first_name": "A", "surname": "B", "year_group": 9}]},
        content_type="application/json",
        **bearer(token_for(world.a.users[Role.CAREERS_LEADER])),
    )
    assert response.status_code == 400 and "pseudonymised" in response.content.decode()
    with all_tenants_UNSAFE("test"):
        assert Learner.objects.filter(surname__in=["Again", "B"]).count() == 0


# -- Leaving: the school records it, or Year 11 ends


def test_the_csv_import_records_a_leaving_date_and_a_blank_one_puts_the_pupil_back(client, world):
    staying, going = make_pupils(world.a.school, 2)
    _left(staying, date(2025, 3, 1))  # recorded by mistake: the MIS says on roll
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    csv = (
        "UPN,Legal first name,Surname,Year group,Leaving date\n"
        f"{staying.upn},Stay,Ing,10,\n{going.upn},Go,Ing,10,18/07/2025\n"
    )
    upload = client.post(
        reverse("pupil_import"), {"file": SimpleUploadedFile("p.csv", csv.encode(), "text/csv")}
    )
    assert "Confirm import of 2 pupils" in upload.content.decode()
    assert client.post(reverse("pupil_import_confirm")).status_code == 302
    assert _get(staying.pk).left_on is None
    assert _get(going.pk).left_on == date(2025, 7, 18)

    future = (date.today() + DAY).strftime("%d/%m/%Y")
    csv = f"UPN,Legal first name,Surname,Year group,Date left\n{going.upn},Go,Ing,10,{future}\n"
    page = client.post(
        reverse("pupil_import"), {"file": SimpleUploadedFile("p.csv", csv.encode(), "text/csv")}
    ).content.decode()
    assert "cannot be in the future" in page


def test_the_api_records_a_leaving_date_and_keeps_it_when_none_is_sent(client, world):
    pupil = make_pupils(world.a.school, 1)[0]
    headers = bearer(token_for(world.a.users[Role.CAREERS_LEADER]))
    record = {"upn": pupil.upn, "legal_first_name": "A", "surname": "B", "year_group": 10}

    def upsert(**extra):
        return client.post(
            reverse("api:pupil-bulk-upsert"),
            {"pupils": [{**record, **extra}]},
            content_type="application/json",
            **headers,
        )

    assert upsert(left_on="2025-07-18").status_code == 200
    assert _get(pupil.pk).left_on == date(2025, 7, 18)
    assert upsert().status_code == 200
    assert _get(pupil.pk).left_on == date(2025, 7, 18)
    listed = client.get(reverse("api:pupil-detail", args=[pupil.pk]), **headers).json()
    assert (listed["left_on"], listed["pseudonymised_on"]) == ("2025-07-18", None)
    assert upsert(left_on=None).status_code == 200
    assert _get(pupil.pk).left_on is None


def test_pupils_still_on_the_roll_leave_when_year_11_and_the_hubs_grace_have_passed(world):
    from hubs.models import Hub
    from learners.models import PupilProgress

    with all_tenants_UNSAFE("test"):
        Hub.objects.filter(pk=world.b.hub.pk).update(year11_grace_days=0)
    today = date(2026, 9, 30)  # Year 11 of cohort 2021 ended on 31 August 2026
    finished = make_pupils(world.a.school, 1, year_group=12, on=today)[0]
    in_year_11 = make_pupils(world.a.school, 1, year_group=11, on=today)[0]
    older = make_pupils(world.a.school, 1, year_group=13, on=today)[0]
    elsewhere = make_pupils(world.b.school, 1, year_group=12, on=today, la_code="806")[0]
    assert finished.cohort == 2021 and older.cohort == 2020

    with acting_as(SYSTEM):
        # Hub A's default grace of 30 days runs to 30 September; hub B has none.
        assert leavers.year11_leavers_record(actor=SYSTEM, today=today) == sorted(
            [older.pk, elsewhere.pk]
        )
        assert leavers.year11_leavers_record(actor=SYSTEM, today=today + DAY) == [finished.pk]
        assert leavers.year11_leavers_record(actor=SYSTEM, today=today + DAY) == []
    assert _get(finished.pk).left_on == date(2026, 8, 31)
    assert _get(older.pk).left_on == date(2025, 8, 31)
    assert _get(in_year_11.pk).left_on is None
    with all_tenants_UNSAFE("test"):
        # Recorded like every write to a pupil: the ledger is recounted with it.
        assert PupilProgress.objects.filter(pk=finished.pk).exists()


def test_a_hub_lead_sets_the_grace_and_the_retention_period(client, world):
    from hubs.models import Hub

    assert world.a.hub.leavers_kept_academic_years == 3  # the platform's default
    client.force_login(world.a.users[Role.HUB_LEAD])
    page = client.get(reverse("hub_rules")).content.decode()
    assert 'for="id_year11_grace_days"' in page and 'for="id_leavers_kept_academic_years"' in page
    response = client.post(
        reverse("hub_rules"),
        {
            "meaningful_criteria": ["M1", "M2", "M3"],
            "ks3_virtual_cap_days": "2.5",
            "year11_grace_days": "60",
            "leavers_kept_academic_years": "5",
        },
    )
    assert response.status_code == 302
    with all_tenants_UNSAFE("test"):
        hub = Hub.objects.get(pk=world.a.hub.pk)
    assert (hub.year11_grace_days, hub.leavers_kept_academic_years) == (60, 5)


def test_leavers_are_shown_as_leavers_and_pseudonymised_pupils_as_former_pupils(client, world):
    gone = _pseudonymised(world)
    left = make_pupils(world.a.school, 1)[0]
    _left(left, date(2025, 7, 18))
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    listing = client.get(reverse("pupil_list"), {"year": 10}).content.decode()
    assert "left 18 July 2025" in listing and "Former pupil" in listing
    assert gone.surname not in listing
    detail = client.get(reverse("pupil_detail", args=[gone.pk])).content.decode()
    assert "pseudonymised on" in detail and gone.upn not in detail


def test_the_privacy_page_states_the_leavers_rule(client, world):
    page = client.get(reverse("privacy")).content.decode()
    assert "for 3 academic years after they leave" in page
    assert "Year 11 has ended" in page and "keyed hash" in page
    assert "reflection text" in page.lower()


def test_a_pupil_in_year_7_is_not_a_year_11_leaver(world):
    pupil = make_pupils(world.a.school, 1, year_group=7)[0]
    assert pupil.cohort == cohort_for(7, date.today())
    with acting_as(SYSTEM):
        assert pupil.pk not in leavers.year11_leavers_record(actor=SYSTEM, today=date.today())

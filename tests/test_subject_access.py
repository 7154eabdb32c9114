"""Subject access export (privacy.sar): every pupil-level row in the export, exactly what
it says, who may see it, its expiry and its audit trail."""

import io
import json
import subprocess
import tempfile
import zipfile
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from operator import or_

import pytest
from django.apps import apps
from django.db import connection, models
from django.db.models import Q
from django.test.utils import CaptureQueriesContext, isolate_apps
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user, system_actor
from access.context import acting_as, all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from learners.models import Learner
from privacy import sar
from privacy.catalogue import pupil_level_models
from privacy.models import SubjectAccessExport
from privacy.tasks import build_subject_access_export

from .employer_world import make_nomination, make_opportunity
from .sar_world import make_built_export, second_careers_leader

pytestmark = pytest.mark.django_db

SYSTEM = system_actor("test")
FILES = {
    "README.txt",
    "pupil.json",
    "participations.json",
    "experiences.json",
    "skill_ratings.json",
    "progress.json",
    "nominations.json",
    "parental_consents.json",
    "transfers.json",
    "reports.json",
    "pupil_account.json",
    "reflections.json",
    "opportunity_interests.json",
    "erasure_requests.json",
    "subject_access_exports.json",
    "audit_trail.json",
    "staff.json",
    "fields.json",
    "subject-access-export.pdf",
}


def full_history(world) -> dict:
    """One row or more of every pupil-level model about Amelia (world.a.pupil), with words
    to look for; and a read of her page by a teacher, for the audit trail."""
    from employers.models import ParentalConsent
    from learners.ledger import ledger_refresh
    from learners.models import Participation, PupilTransfer, SkillRating
    from outcomes.models import Skill
    from privacy.models import ErasureRequest
    from pupils.models import OpportunityInterest, Reflection
    from reports.models import ReportRun

    side = world.a
    pupil, leader = side.pupil, side.users[Role.CAREERS_LEADER]
    with all_tenants_UNSAFE("test"):
        Learner.objects.filter(pk=pupil.pk).update(
            preferred_first_name="Millie", registration_group="9R"
        )
        Participation.objects.filter(pk=side.participation.pk).update(
            reflection_done=True,
            reflection_text="I liked the lab.",
            employer_feedback_given=True,
            feedback_text="Asked good questions.",
        )
        skill = Skill.objects.order_by("position").first()
        rating = SkillRating.objects.create(
            hub=side.hub,
            school=side.school,
            learner=pupil,
            skill=skill,
            step=7,
            rater="employer",
            rated_on=date(2026, 3, 3),
            experience=side.experience,
        )
        ledger_refresh([pupil.pk], on=date(2026, 3, 4))
        opportunity = make_opportunity(
            side.employer,
            [side.hub],
            title="Lab placement",
            start_date=date(2026, 3, 3),
            end_date=date(2026, 3, 5),
        )
        # Linked to her participation too: a row reached through a participation.
        nomination = make_nomination(
            opportunity,
            pupil,
            shared_support_needs="A quiet room at lunch.",
            status="accepted",
            participation=side.participation,
        )
        consent = ParentalConsent.objects.create(
            hub=side.hub,
            school=side.school,
            nomination=nomination,
            token_digest="f" * 64,
            answer="given",
            signed_by="Pat Parent",
            note="Carries an inhaler.",
            answered_at=datetime(2026, 2, 20, 10, 0, tzinfo=UTC),
        )
        transfer = PupilTransfer.objects.create(
            learner=pupil,
            from_school=side.school,
            from_hub=side.hub,
            to_school=world.b.school,
            to_hub=world.b.hub,
            status="declined",
            sent={"upn": pupil.upn},
            requested_at=datetime(2026, 1, 12, 9, 0, tzinfo=UTC),
            decline_reason="She is staying with us.",
        )
        report = ReportRun.objects.create(
            kind="pupil_record",
            hub=side.hub,
            school=side.school,
            learner=pupil,
            as_at=date(2026, 3, 31),
            status="done",
            requested_by=leader,
        )
        # Pupil voice: her own account (the world's), reflection and an interest.
        reflection = Reflection.objects.create(
            participation=side.participation,
            learner=pupil,
            hub=side.hub,
            school=side.school,
            what_i_did="Ran tests in the lab.",
            what_i_learned="Science jobs need patience.",
            skills_used=[skill.pk],
        )
        interest = OpportunityInterest.objects.create(
            learner=pupil,
            opportunity=opportunity,
            hub=side.hub,
            school=side.school,
            why="I want to be a chemist.",
        )
        erasure = ErasureRequest.objects.create(
            hub=side.hub,
            school=side.school,
            learner=pupil,
            reason="The family asked.",
            requested_by=leader,
            requested_at=timezone.now(),
        )
    earlier = make_built_export(pupil, leader)
    teacher = actor_for_user(side.users[Role.SCHOOL_STAFF])
    with acting_as(teacher):
        from learners.selectors import pupil_get

        pupil_get(actor=teacher, pupil_id=pupil.pk)
    return {
        "rating": rating,
        "nomination": nomination,
        "consent": consent,
        "transfer": transfer,
        "report": report,
        "erasure": erasure,
        "earlier": earlier,
        "reflection": reflection,
        "interest": interest,
    }


def build(world, user=None):
    """Ask for Amelia's export as the careers leader and build it as a worker would."""
    user = user or world.a.users[Role.CAREERS_LEADER]
    leader = actor_for_user(user)
    with acting_as(leader):
        export = sar.sar_request(actor=leader, pupil_id=world.a.pupil.pk)
    assert build_subject_access_export(export.pk, actor=leader.to_spec()) == "done"
    with all_tenants_UNSAFE("test"):
        export.refresh_from_db()
    return export


def unzip(export) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(export.archive.open("rb").read())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        text = subprocess.run(
            ["pdftotext", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    return " ".join(text.split())


def _paths_to_pupil(model, pupil_level, seen=()) -> list[str]:
    """Every chain of foreign keys from the model to a pupil through pupil-level rows
    (found here independently of privacy.sar, so the export is checked, not copied)."""
    if model is Learner:
        return ["pk"]
    paths = []
    for field in model._meta.concrete_fields:
        target = field.related_model
        if not (field.many_to_one or field.one_to_one) or target not in pupil_level:
            continue
        if target is Learner:
            paths.append(field.name)
        elif target not in seen:
            paths += [
                f"{field.name}__{rest}"
                for rest in _paths_to_pupil(target, pupil_level, (*seen, model))
            ]
    return paths


# -- Completeness


def test_every_model_pointing_at_a_pupil_has_a_place_in_the_export():
    assert sar.sections_missing() == []
    labels = {m._meta.label for m in pupil_level_models()}
    assert labels == set(sar.SECTIONS)
    # Files are distinct: no model's rows overwrite another's in the ZIP.
    assert len({s.file for s in sar.SECTIONS.values()}) == len(sar.SECTIONS)


@isolate_apps("learners")
def test_a_new_model_about_a_pupil_directly_or_through_a_participation_fails_until_exported():
    from learners.models import Participation

    class PupilNote(models.Model):
        learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "learners"

    class AttendanceNote(models.Model):
        participation = models.ForeignKey(Participation, on_delete=models.CASCADE)

        class Meta:
            app_label = "learners"

    candidates = [*apps.get_models(), PupilNote, AttendanceNote]
    assert sar.sections_missing(candidates) == ["learners.AttendanceNote", "learners.PupilNote"]


def test_the_export_has_every_row_of_every_model_pointing_at_the_pupil(world):
    full_history(world)
    pupil = world.a.pupil
    pupil_level = pupil_level_models()
    expected = {}
    with all_tenants_UNSAFE("test"):
        for model in pupil_level:
            label = model._meta.label
            if label == "access.AuditEvent":
                continue
            paths = _paths_to_pupil(model, pupil_level)
            assert paths, f"{label} is pupil-level but no foreign key reaches a pupil"
            rows = model.all_tenants_UNSCOPED.filter(
                reduce(or_, (Q(**{p: pupil.pk}) for p in paths))
            )
            expected[label] = set(rows.values_list("pk", flat=True))
    export = build(world)
    expected["privacy.SubjectAccessExport"].add(export.pk)  # itself, asked for just now
    for label, pks in expected.items():
        # Empty would let the check pass whatever the export holds: the world needs a row.
        assert pks, f"the test world has no {label} row about the pupil: add one"
    # The audit trail: every event of the school on any of those rows.
    with all_tenants_UNSAFE("test"):
        events = AuditEvent.objects.filter(
            reduce(
                or_,
                (
                    Q(model=label, object_pk__in=[str(pk) for pk in pks])
                    for label, pks in expected.items()
                ),
            ),
            school_id=world.a.school.pk,
            at__lt=export.started_at,
        )
        expected["access.AuditEvent"] = set(events.values_list("pk", flat=True))
    assert expected["access.AuditEvent"]
    files = unzip(export)
    for label, pks in expected.items():
        model = apps.get_model(label)
        key = "id" if label == "access.AuditEvent" else model._meta.pk.attname
        exported = {row[key] for row in json.loads(files[sar.SECTIONS[label].file])}
        assert pks <= exported, f"{label}: rows {pks - exported} are not in the export"


# -- What it says


def test_the_zip_holds_every_record_as_stored_and_the_pdf_says_it_in_plain_words(world):
    rows = full_history(world)
    export = build(world)
    files = unzip(export)
    assert set(files) == FILES
    read = {name: json.loads(data) for name, data in files.items() if name.endswith(".json")}
    [pupil] = read["pupil.json"]
    assert (pupil["legal_first_name"], pupil["preferred_first_name"], pupil["surname"]) == (
        "Amelia",
        "Millie",
        "PupilA",
    )
    assert pupil["upn"] == world.a.pupil.upn and pupil["registration_group"] == "9R"
    assert pupil["fsm"] is True and pupil["send"] == "N"
    [participation] = read["participations.json"]
    assert participation["hours_attended"] == "5.00"
    assert participation["reflection_text"] == "I liked the lab."
    assert participation["feedback_text"] == "Asked good questions."
    [experience] = read["experiences.json"]
    assert experience == {
        "participation": world.a.participation.pk,
        "experience": world.a.experience.pk,
        "title": "Visit to Employer A",
        "kind": "Workplace visit",
        "setting": "At a workplace, in person",
        "tier": "T1",
        "start_date": "2025-10-01",
        "end_date": "2025-10-01",
        "duration_hours": "5.00",
        "hours_attended": "5.00",
        "days_attended": "1 day",
        "absent": False,
        "criteria_met": ["M1", "M2", "M3", "M6", "M7"],
        "counts_towards_ten_days": True,
        "employers": ["Employer A"],
        "sectors": [],
        "objectives": [],
        "reflection": "I liked the lab.",
        "feedback": "Asked good questions.",
    }
    [rating] = read["skill_ratings.json"]
    assert (rating["id"], rating["step"], rating["rater"], rating["rated_on"]) == (
        rows["rating"].pk,
        7,
        "employer",
        "2026-03-03",
    )
    [progress] = read["progress.json"]
    assert (progress["total_hours"], progress["counted_on"]) == ("5.00", "2026-03-04")
    [nomination] = read["nominations.json"]
    assert nomination["shared_support_needs"] == "A quiet room at lunch."
    assert nomination["participation_id"] == world.a.participation.pk
    [consent] = read["parental_consents.json"]
    assert (consent["signed_by"], consent["note"]) == ("Pat Parent", "Carries an inhaler.")
    assert "token_digest" not in consent  # a secret of the link, nothing about her
    [transfer] = read["transfers.json"]
    assert transfer["decline_reason"] == "She is staying with us."
    [report] = read["reports.json"]
    assert (report["kind"], report["as_at"]) == ("pupil_record", "2026-03-31")
    assert "claimed_by" not in report
    assert [e["reason"] for e in read["erasure_requests.json"]] == ["The family asked."]
    assert [e["id"] for e in read["subject_access_exports.json"]] == [
        rows["earlier"].pk,
        export.pk,
    ]
    leader, teacher = world.a.users[Role.CAREERS_LEADER], world.a.users[Role.SCHOOL_STAFF]
    assert {(s["id"], s["email"]) for s in read["staff.json"]} == {(leader.pk, leader.email)}
    trail = read["audit_trail.json"]
    # The teacher's read of her page, and the request for this export, oldest first.
    assert [(e["who"], e["what"]) for e in trail[-2:]] == [
        (teacher.email, f"Viewed pupil {world.a.pupil.pk}"),
        (leader.email, f"Created subject access export {export.pk} (subject access request)"),
    ]
    assert read["fields.json"]["parental_consents.json"]["note"]["meaning"].startswith(
        "Anything the parent or carer told the school"
    )
    assert read["fields.json"]["pupil.json"]["send"]["values"]["K"] == "SEN support"
    assert "Everything equalex holds about Millie PupilA at School A1" in (
        files["README.txt"].decode()
    )

    assert files["subject-access-export.pdf"] == export.pdf.open("rb").read()
    with open("/tmp/subject_access.pdf", "wb") as handle:  # to look at (pdftoppm)
        handle.write(files["subject-access-export.pdf"])
    text = pdf_text(files["subject-access-export.pdf"])
    for words in (
        "Everything equalex holds about Millie PupilA",
        "Legal first name Amelia",
        f"Unique Pupil Number (UPN) {world.a.pupil.upn}",
        "Year group now Year 9",
        "Free school meals Yes",
        # UK dates and durations in days
        "1 October 2025 Visit to Employer A",
        "Workplace visit · At a workplace, in person · tier T1",
        "With Employer A",
        "1 day Yes",
        "Reflection: “I liked the lab.”",
        "Employer's feedback: “Asked good questions.”",
        "7 Employer 3 March 2026",
        "Counted on 4 March 2026",
        "All days counted 1 day",
        "Lab placement Employer A 3 March 2026 to 5 March 2026",
        "Support needs shared with the employer: “A quiet room at lunch.”",
        "Accepted by the employer",
        "Consent given, 20 February 2026 Pat Parent “Carries an inhaler.”",
        "12 January 2026 School A1 School B1 Declined",
        "Pupil record of experience (done) 31 March 2026",
        "The family asked.",
        "Who read or changed this data",
        f"{teacher.email} School staff Viewed pupil {world.a.pupil.pk}",
        f"{leader.email} Careers leader Created subject access export {export.pk}",
        rows["rating"].skill.name,
    ):
        assert words in text, words
    for section in sar.SECTIONS.values():
        assert section.heading in text


def test_durations_read_as_days_for_a_family():
    assert [sar.days_text(h) for h in ("5", "2.5", "12.5", "0", "7.25")] == [
        "1 day",
        "0.5 days",
        "2.5 days",
        "0 days",
        "1.45 days",
    ]


def test_reading_the_contents_takes_the_same_queries_whatever_the_history(world):
    from learners.services import experience_log

    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])

    def queries():
        with acting_as(leader), CaptureQueriesContext(connection) as captured:
            sar.sar_contents(actor=leader, pupil_id=world.a.pupil.pk)
        return len(captured)

    full_history(world)
    before = queries()
    with acting_as(leader):
        for n in range(4):
            experience_log(
                actor=leader,
                title=f"Visit {n}",
                kind="workplace_visit",
                setting="workplace",
                tier=1,
                start_date=date(2025, 11, 3 + n),
                duration_hours=5,
                pupil_ids=[world.a.pupil.pk],
                employer_ids=[world.a.employer.pk],
                criteria=["M1", "M2", "M3"],
            )
    assert queries() == before


# -- Who may see it


def test_only_the_careers_leader_who_asked_sees_and_downloads_it(client, world):
    leader = world.a.users[Role.CAREERS_LEADER]
    colleague = second_careers_leader(world.a.school)
    client.force_login(leader)
    page = client.get(reverse("pupil_detail", args=[world.a.pupil.pk])).content.decode()
    assert "Export everything we hold (subject access request)" in page
    assert reverse("pupil_subject_access", args=[world.a.pupil.pk]) in page
    response = client.post(reverse("pupil_subject_access", args=[world.a.pupil.pk]))
    with all_tenants_UNSAFE("test"):
        export = SubjectAccessExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("subject_access_export", args=[export.pk])
    assert (export.requested_by, export.learner, export.status) == (leader, world.a.pupil, "queued")
    queued = client.get(reverse("subject_access_export", args=[export.pk])).content.decode()
    assert "Building the export (queued)" in queued and "hx-get" in queued
    build_subject_access_export(export.pk, actor=actor_for_user(leader).to_spec())

    urls = [
        reverse("subject_access_export", args=[export.pk]),
        reverse("subject_access_status", args=[export.pk]),
        reverse("subject_access_download", args=[export.pk, "zip"]),
        reverse("subject_access_download", args=[export.pk, "pdf"]),
    ]
    ready = client.get(urls[0]).content.decode()
    assert "Export ready" in ready and "hx-get" not in ready
    assert urls[2] in ready and urls[3] in ready
    zipped = client.get(urls[2])
    assert zipped.status_code == 200
    assert zipped["Content-Disposition"].startswith("attachment")
    assert zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content))).namelist()
    assert client.get(urls[3]).status_code == 200
    assert client.get(reverse("subject_access_download", args=[export.pk, "csv"])).status_code == (
        404
    )
    listed = client.get(reverse("pupil_subject_access", args=[world.a.pupil.pk])).content.decode()
    assert urls[0] in listed

    others = [
        colleague,
        world.a.users[Role.SCHOOL_STAFF],
        world.a.users[Role.HUB_LEAD],
        world.b.users[Role.CAREERS_LEADER],
    ]
    for other in others:
        client.force_login(other)
        assert [client.get(url).status_code for url in urls] == [404] * 4, other.email
    client.force_login(colleague)
    theirs = client.get(reverse("pupil_subject_access", args=[world.a.pupil.pk])).content.decode()
    assert urls[0] not in theirs and "None yet." in theirs


def test_another_schools_pupil_cannot_be_exported(client, world):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    for pupil in (world.a.sibling_pupil, world.b.pupil):
        with acting_as(leader), pytest.raises(Learner.DoesNotExist):
            sar.sar_request(actor=leader, pupil_id=pupil.pk)
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    response = client.post(reverse("pupil_subject_access", args=[world.b.pupil.pk]))
    assert response.status_code == 404
    with all_tenants_UNSAFE("test"):
        assert not SubjectAccessExport.objects.exists()


def test_asking_twice_while_it_is_built_joins_the_same_export(world):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        first = sar.sar_request(actor=leader, pupil_id=world.a.pupil.pk)
        assert sar.sar_request(actor=leader, pupil_id=world.a.pupil.pk).pk == first.pk
        assert build_subject_access_export(first.pk, actor=leader.to_spec()) == "done"
        assert build_subject_access_export(first.pk, actor=leader.to_spec()) == (
            "already claimed or finished"
        )
        first.refresh_from_db()
        assert first.build_count == 1
        # Built: the next request is a new export.
        assert sar.sar_request(actor=leader, pupil_id=world.a.pupil.pk).pk != first.pk


def test_a_requester_who_has_left_the_school_gets_a_failed_export_not_a_stuck_one(world):
    from hubs.models import Membership

    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        export = sar.sar_request(actor=leader, pupil_id=world.a.pupil.pk)
    with all_tenants_UNSAFE("test"):
        Membership.objects.filter(user=world.a.users[Role.CAREERS_LEADER]).delete()
    with pytest.raises(Learner.DoesNotExist):
        build_subject_access_export(export.pk, actor=leader.to_spec())
    with all_tenants_UNSAFE("test"):
        export.refresh_from_db()
    assert export.status == "failed" and export.error.startswith("The export could not be built")
    assert export.expires_at is not None  # so retention deletes it in 7 days
    assert not export.archive and not export.pdf


# -- Audit


def test_the_request_and_each_download_are_on_the_schools_audit_trail(client, world):
    leader = world.a.users[Role.CAREERS_LEADER]
    export = build(world)
    client.force_login(leader)
    for output in ("zip", "pdf", "zip"):
        response = client.get(reverse("subject_access_download", args=[export.pk, output]))
        assert response.status_code == 200
    with all_tenants_UNSAFE("test"):
        requested = AuditEvent.objects.get(model="privacy.SubjectAccessExport")
        downloads = AuditEvent.objects.filter(action="export").order_by("pk")
        assert (requested.action, requested.object_pk, requested.user) == (
            "create",
            str(export.pk),
            leader,
        )
        assert [
            (e.model, e.object_pk, e.school_id, e.user, e.changed_fields) for e in downloads
        ] == [
            ("learners.Learner", str(world.a.pupil.pk), world.a.school.pk, leader, [what, output])
            for what, output in (
                ("subject access export", "zip"),
                ("subject access export", "pdf"),
                ("subject access export", "zip"),
            )
        ]
    # The audit log's search for the pupil finds the request and the downloads.
    page = client.get(reverse("audit_log"), {"pupil": world.a.pupil.pk}).content.decode()
    assert f"Created subject access export {export.pk}" in page
    assert page.count("Exported pupil") == 3


# -- Expiry


def test_an_export_expires_seven_days_after_it_is_built(client, world):
    export = build(world)
    assert export.expires_at == export.finished_at + timedelta(days=7)
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        sar.sar_download(
            actor=leader,
            export_id=export.pk,
            output="zip",
            now=export.expires_at - timedelta(seconds=1),
        )
        with pytest.raises(sar.ExportExpired):
            sar.sar_download(actor=leader, export_id=export.pk, output="zip", now=export.expires_at)
    with all_tenants_UNSAFE("test"):
        SubjectAccessExport.objects.filter(pk=export.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    response = client.get(reverse("subject_access_download", args=[export.pk, "zip"]))
    assert response.status_code == 410
    assert "This export expired on" in response.content.decode()
    page = client.get(reverse("subject_access_export", args=[export.pk])).content.decode()
    assert "This export expired on" in page and "Download the ZIP" not in page


def test_the_nightly_retention_deletes_expired_exports_and_their_files(world):
    from privacy.retention import retention_apply

    leader = world.a.users[Role.CAREERS_LEADER]
    now = timezone.now()
    expired = make_built_export(world.a.pupil, leader, finished=now - timedelta(days=7, minutes=1))
    fresh = make_built_export(world.a.pupil, leader, finished=now - timedelta(days=6))
    storage = expired.archive.storage
    names = [expired.archive.name, expired.pdf.name]
    assert all(storage.exists(name) for name in names)
    with acting_as(SYSTEM):
        counts = retention_apply(actor=SYSTEM, now=now)
        assert counts["expired subject access exports"] == 1
        assert list(SubjectAccessExport.objects.values_list("pk", flat=True)) == [fresh.pk]
        event = AuditEvent.objects.get(object_pk="retention: expired subject access exports")
        assert (event.model, event.rows) == ("privacy.SubjectAccessExport", 1)
        assert retention_apply(actor=SYSTEM, now=now)["expired subject access exports"] == 0
    assert not any(storage.exists(name) for name in names)
    assert storage.exists(fresh.archive.name) and storage.exists(fresh.pdf.name)


def test_pseudonymising_a_pupil_deletes_their_exports_and_files(
    world, django_capture_on_commit_callbacks
):
    from privacy.leavers import pupils_pseudonymise

    export = make_built_export(world.a.pupil, world.a.users[Role.CAREERS_LEADER])
    other = make_built_export(world.a.sibling_pupil, world.a.users[Role.CAREERS_LEADER])
    storage = export.archive.storage
    with acting_as(SYSTEM), django_capture_on_commit_callbacks(execute=True):
        pupils_pseudonymise(actor=SYSTEM, pupil_ids=[world.a.pupil.pk], today=date(2026, 9, 1))
    with acting_as(SYSTEM):
        assert list(SubjectAccessExport.objects.values_list("pk", flat=True)) == [other.pk]
    assert not storage.exists(export.archive.name) and not storage.exists(export.pdf.name)
    assert storage.exists(other.archive.name)


def test_the_privacy_page_says_who_sees_an_export_and_for_how_long(client):
    page = client.get(reverse("privacy")).content.decode()
    assert "Subject access exports" in page
    assert "only the careers leader who asked for it, not their colleagues" in page
    assert "7 days after it is built, then deleted with its files" in page

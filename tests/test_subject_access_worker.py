"""A subject access export built end to end by a real Celery worker process: asked for on
the pupil's page, queued on commit, claimed and built by the worker, polled, downloaded."""

import io
import json
import os
import time
import zipfile
from datetime import timedelta

import pytest
from celery import current_app
from django.urls import reverse

from access.context import all_tenants_UNSAFE
from access.roles import Role
from privacy.models import SubjectAccessExport

from .test_subject_access import pdf_text
from .workers import celery_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue_for_test():
    """Send this test's tasks to a queue only this test's worker consumes."""
    name = f"sar-{os.getpid()}-{time.monotonic_ns()}"
    before = current_app.conf.task_default_queue
    current_app.conf.task_default_queue = name
    yield name
    current_app.conf.task_default_queue = before


def wait_for_export(export_id, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with all_tenants_UNSAFE("test"):
            export = SubjectAccessExport.objects.get(pk=export_id)
        if not export.is_active:
            return export
        time.sleep(0.3)
    raise AssertionError(f"export {export_id} stayed {export.status}")


def test_a_worker_builds_the_export_the_careers_leader_asked_for(client, world, queue_for_test):
    leader = world.a.users[Role.CAREERS_LEADER]
    client.force_login(leader)
    with celery_worker(queue=queue_for_test):
        response = client.post(reverse("pupil_subject_access", args=[world.a.pupil.pk]))
        assert response.status_code == 302
        with all_tenants_UNSAFE("test"):
            export_id = SubjectAccessExport.objects.get().pk
        export = wait_for_export(export_id)
    assert (export.status, export.progress, export.build_count) == ("done", 100, 1), export.error
    assert export.expires_at - export.finished_at == timedelta(days=7)

    status = client.get(reverse("subject_access_status", args=[export_id]), HTTP_HX_REQUEST="true")
    assert status["HX-Refresh"] == "true" and "Export ready" in status.content.decode()
    download = client.get(reverse("subject_access_download", args=[export_id, "zip"]))
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        [pupil] = json.loads(archive.read("pupil.json"))
        [experience] = json.loads(archive.read("experiences.json"))
        text = pdf_text(archive.read("subject-access-export.pdf"))
    assert (pupil["id"], pupil["legal_first_name"], pupil["surname"]) == (
        world.a.pupil.pk,
        "Amelia",
        "PupilA",
    )
    assert (experience["title"], experience["days_attended"]) == ("Visit to Employer A", "1 day")
    assert "Everything equalex holds about Amelia PupilA" in text
    assert "1 October 2025 Visit to Employer A" in text


def test_the_reaper_requeues_an_export_whose_worker_died_and_a_worker_builds_it(
    world, queue_for_test
):
    from django.utils import timezone

    from privacy.tasks import requeue_stuck_exports

    with all_tenants_UNSAFE("test"):
        stuck = SubjectAccessExport.objects.create(
            hub=world.a.hub,
            school=world.a.school,
            learner=world.a.pupil,
            requested_by=world.a.users[Role.CAREERS_LEADER],
            status="running",
            claimed_by="a-task-whose-worker-died",
            started_at=timezone.now() - timedelta(hours=3),
        )
        recent = SubjectAccessExport.objects.create(
            hub=world.a.hub,
            school=world.a.school,
            learner=world.a.sibling_pupil,
            requested_by=world.a.users[Role.CAREERS_LEADER],
            status="running",
            claimed_by="a-task-still-working",
            started_at=timezone.now() - timedelta(minutes=5),
        )
    with celery_worker(queue=queue_for_test):
        assert requeue_stuck_exports(actor={"system": "test"}) == 1
        built = wait_for_export(stuck.pk)
    assert (built.status, built.build_count) == ("done", 1), built.error
    with all_tenants_UNSAFE("test"):
        recent.refresh_from_db()
    assert (recent.status, recent.claimed_by) == ("running", "a-task-still-working")

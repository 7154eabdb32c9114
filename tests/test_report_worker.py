"""Reports built by real Celery worker processes through the configured broker."""

import os
import time
from datetime import date, timedelta

import pytest
from celery import current_app
from django.conf import settings

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from learners.academic import cohort_for
from learners.models import Learner
from learners.progress import ProgressRules, compass_answers
from learners.services import experience_log
from learners.upn import upn_with_check_letter
from reports.models import ReportRun
from reports.services import report_request

from .test_reports import pdf_text
from .workers import celery_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue_for_test():
    """Send this test's tasks to a queue only this test's workers consume."""
    name = f"reports-{os.getpid()}-{time.monotonic_ns()}"
    before = current_app.conf.task_default_queue
    current_app.conf.task_default_queue = name
    yield name
    current_app.conf.task_default_queue = before


def year_9_with_history(world):
    """Eight more Year 9 pupils at School A1 (nine with the world's): five meet the KS3
    week, two of them FSM (four FSM in all)."""
    today = date.today()
    with all_tenants_UNSAFE("test"):
        pupils = [
            Learner.objects.create(
                school=world.a.school,
                upn=upn_with_check_letter(f"888555{n:06d}"),
                legal_first_name=f"Y9 {n}",
                surname=f"Pupil{n}",
                cohort=cohort_for(9, today),
                fsm=n in (0, 1, 6),
            )
            for n in range(8)
        ]
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        for employer, hours in ((world.a.employer, 15), (world.a.sibling_employer, 10)):
            experience_log(
                actor=leader,
                title=f"Week part at {employer.name}",
                kind="placement",
                setting="workplace",
                tier=2,
                start_date=today - timedelta(days=20),
                duration_hours=hours,
                pupil_ids=[p.pk for p in pupils[:5]],
                employer_ids=[employer.pk],
                criteria=["M1", "M2", "M3"],
                # Two placements starting the same day, at two employers: not a duplicate.
                allow_duplicate=True,
            )
    return leader


def wait_for(run_id, statuses, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with all_tenants_UNSAFE("test"):
            run = ReportRun.objects.get(pk=run_id)
        if run.status in statuses:
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} stayed {run.status}")


def test_a_worker_builds_school_and_hub_reports_with_the_progress_modules_figures(
    world, queue_for_test
):
    leader = year_9_with_history(world)
    lead = actor_for_user(world.a.users[Role.HUB_LEAD])
    today = date.today()
    with celery_worker(queue=queue_for_test):
        with acting_as(leader):
            school_run = report_request(
                actor=leader, kind="school_b6", school_id=world.a.school.pk, as_at=today
            )
        with acting_as(lead):
            hub_run = report_request(actor=lead, kind="hub_dashboard", as_at=today)
        school_run = wait_for(school_run.pk, {"done", "failed"})
        hub_run = wait_for(hub_run.pk, {"done", "failed"})
    assert (school_run.status, hub_run.status) == ("done", "done"), school_run.error

    with acting_as(leader):
        expected = {
            a.code: a
            for a in compass_answers(
                Learner.objects.filter(school=world.a.school), rules=ProgressRules(), as_at=today
            )
        }
    assert (expected["Q1"].numerator, expected["Q1"].denominator) == (5, 9)
    assert (expected["Q2"].numerator, expected["Q2"].denominator) == (2, 4)
    with all_tenants_UNSAFE("test"):
        school_text = pdf_text(ReportRun.objects.get(pk=school_run.pk))
        hub_text = pdf_text(ReportRun.objects.get(pk=hub_run.pk))
    lines = school_text.splitlines()
    q1 = next(line for line in lines if "Q1 Pupils" in line)
    assert expected["Q1"].band == "Most (51-75%)"
    assert "Most (51-75%)" in q1 and q1.split()[-2:] == ["5", "9"]
    q2 = next(line for line in lines if "Q2 FSM" in line)
    assert expected["Q2"].band == "Some (26-50%)"
    assert "Some (26-50%)" in q2 and q2.split()[-2:] == ["2", "4"]
    # The hub's Year 9 KS3 share for School A1 is the same 5 of 9.
    assert "55.6%" in hub_text


@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://"),
    reason="redelivery of a killed worker's message is a Redis broker behaviour",
)
def test_a_report_interrupted_by_a_killed_worker_completes_exactly_once(world, queue_for_test):
    leader = year_9_with_history(world)
    slow = {"EQUALEX_REPORT_PAUSE_SECONDS": "6", "CELERY_VISIBILITY_TIMEOUT": "3"}
    quick = {"CELERY_VISIBILITY_TIMEOUT": "3"}
    with celery_worker(queue=queue_for_test, env=slow) as (_queue, first):
        with acting_as(leader):
            run = report_request(
                actor=leader, kind="school_b6", school_id=world.a.school.pk, as_at=date.today()
            )
        wait_for(run.pk, {"running"})
        time.sleep(1)
        first.kill()  # SIGKILL mid-build: no chance to ack or clean up
        first.wait()
    with all_tenants_UNSAFE("test"):
        assert ReportRun.objects.get(pk=run.pk).status == "running"
    started = time.monotonic()
    with celery_worker(queue=queue_for_test, env=quick):
        finished = wait_for(run.pk, {"done", "failed"}, seconds=180)
    print(f"taken over and finished {time.monotonic() - started:.1f}s after the crash")
    assert finished.status == "done"
    assert finished.build_count == 2  # started once, taken over once after the crash
    with all_tenants_UNSAFE("test"):
        assert (
            ReportRun.objects.filter(
                kind="school_b6", school=world.a.school, as_at=date.today()
            ).count()
            == 1
        )
        assert ReportRun.objects.get(pk=run.pk).pdf

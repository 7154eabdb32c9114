import subprocess
import tempfile
from datetime import date

import pytest
from django.urls import reverse

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from learners.models import Learner
from learners.progress import ProgressRules, compass_answers
from reports.models import ReportRun
from reports.services import report_request
from reports.tasks import build_report

pytestmark = pytest.mark.django_db

AS_AT = date(2025, 12, 31)


def pdf_text(run) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(run.pdf.open("rb").read())
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout


def test_a_school_report_is_built_with_the_progress_modules_figures(
    world, django_capture_on_commit_callbacks
):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        run = report_request(
            actor=leader, kind="school_b6", school_id=world.a.school.pk, as_at=AS_AT
        )
        build_report(run.pk, actor=leader.to_spec())
        run.refresh_from_db()
        expected = compass_answers(
            Learner.objects.filter(school=world.a.school), rules=ProgressRules(), as_at=AS_AT
        )
    assert run.status == "done" and run.progress == 100
    assert [a["band"] for a in run.summary["compass"]] == [a.band for a in expected]
    text = pdf_text(run)
    assert "School A1" in text and "Page 1 of" in text
    assert "Compass supplementary questions" in text
    assert "Q1 Pupils with a variety" in text
    for answer in expected:
        assert answer.band in text
    with open("/tmp/school_b6.pdf", "wb") as handle:
        handle.write(run.pdf.open("rb").read())


def test_running_the_task_twice_builds_one_result(world):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        run = report_request(
            actor=leader, kind="school_b6", school_id=world.a.school.pk, as_at=AS_AT
        )
        assert build_report(run.pk, actor=leader.to_spec()) == "done"
        assert build_report(run.pk, actor=leader.to_spec()) == "already claimed or finished"
        run.refresh_from_db()
    assert run.build_count == 1


def test_an_identical_request_joins_the_queued_one(world):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        first = report_request(
            actor=leader, kind="school_b6", school_id=world.a.school.pk, as_at=AS_AT
        )
        second = report_request(
            actor=leader, kind="school_b6", school_id=world.a.school.pk, as_at=AS_AT
        )
        other_date = report_request(
            actor=leader, kind="school_b6", school_id=world.a.school.pk, as_at=date(2026, 3, 31)
        )
    assert second.pk == first.pk
    assert other_date.pk != first.pk


def test_a_report_of_another_tenant_cannot_be_requested(world):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    from schools.models import School

    with acting_as(leader), pytest.raises(School.DoesNotExist):
        report_request(actor=leader, kind="school_b6", school_id=world.b.school.pk, as_at=AS_AT)


def test_the_hub_dashboard_has_aggregates_and_no_pupil_names(world):
    lead = actor_for_user(world.a.users[Role.HUB_LEAD])
    with acting_as(lead):
        run = report_request(actor=lead, kind="hub_dashboard", as_at=AS_AT)
        build_report(run.pk, actor=lead.to_spec())
        run.refresh_from_db()
    assert run.status == "done"
    assert [s["name"] for s in run.summary["schools"]] == ["School A1", "School A2"]
    assert sum(s["pupils"] for s in run.summary["schools"]) == 2
    text = pdf_text(run)
    assert "Hub A" in text and "Special / SEND" in text
    assert "0%" in text  # nobody on track yet is 0%, not "no data"
    assert "PupilA" not in text and "SiblingA" not in text
    assert "Hub B" not in text


def test_the_hub_dashboard_counts_places_offered_and_filled(world):
    from .employer_world import make_nomination, make_opportunity

    side = world.a
    this_year = date(2025, 11, 10)  # in the academic year of AS_AT
    big = make_opportunity(side.employer, [side.hub], capacity=5, start_date=this_year)
    small = make_opportunity(
        side.sibling_employer, [side.hub, world.b.hub], capacity=2, start_date=this_year
    )
    make_opportunity(side.employer, [side.hub], capacity=7, status="draft")
    make_opportunity(side.employer, [side.hub], capacity=9, start_date=date(2024, 10, 1))
    make_opportunity(world.b.employer, [world.b.hub], capacity=11, start_date=this_year)
    make_nomination(big, side.pupil, status="accepted")
    make_nomination(big, side.sibling_pupil, status="offered")
    make_nomination(small, side.pupil, status="declined")
    make_nomination(small, world.b.pupil, status="accepted")  # the other hub's pupil
    lead = actor_for_user(side.users[Role.HUB_LEAD])
    with acting_as(lead):
        run = report_request(actor=lead, kind="hub_dashboard", as_at=AS_AT)
        build_report(run.pk, actor=lead.to_spec())
        run.refresh_from_db()
    employers = run.summary["employers"]
    assert (employers["opportunities"], employers["places_offered"]) == (2, 7)
    assert employers["places_filled"] == 2
    text = " ".join(pdf_text(run).split())
    assert "7 in 2 opportunities; 2 filled (28.6%)" in text  # the label wraps in its cell


def test_a_pupil_record_lists_their_experiences(world):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        run = report_request(
            actor=leader, kind="pupil_record", pupil_id=world.a.pupil.pk, as_at=date(2026, 8, 31)
        )
        build_report(run.pk, actor=leader.to_spec())
        run.refresh_from_db()
    text = pdf_text(run)
    assert "Amelia PupilA" in text
    assert "Visit to Employer A" in text


def test_the_cohort_csv_has_one_row_per_pupil(world):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        run = report_request(
            actor=leader,
            kind="cohort_csv",
            school_id=world.a.school.pk,
            year_group=9,
            as_at=date.today(),
        )
        build_report(run.pk, actor=leader.to_spec())
        run.refresh_from_db()
        lines = run.csv.open("rb").read().decode().splitlines()
    assert lines[0].startswith("upn,first_name,surname")
    assert len(lines) == 2 and world.a.pupil.upn in lines[1]


def test_the_report_page_queues_a_build_and_shows_progress(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    url = reverse("school_report", args=[world.a.school.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"as_at": "2025-12-31"})
    assert response.status_code == 302 and len(callbacks) == 1
    page = client.get(url).content.decode()
    assert 'hx-get="/reports/runs/' in page and "<progress" in page


def test_the_hub_dashboard_page_query_count_does_not_grow_with_schools(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from schools.models import School

    def build_and_count():
        lead = actor_for_user(world.a.users[Role.HUB_LEAD])
        with acting_as(lead):
            run = report_request(actor=lead, kind="hub_dashboard", as_at=date.today())
            build_report(run.pk, actor=lead.to_spec())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("hub_dashboard")).status_code == 200
        return len(captured)

    client.force_login(world.a.users[Role.HUB_LEAD])
    with all_tenants_UNSAFE("test"):
        School.objects.bulk_create(
            School(
                hub=world.a.hub,
                urn=str(700000 + n),
                name=f"More {n}",
                local_authority="X",
                fsm_percent=10,
            )
            for n in range(3)
        )
    at_5 = build_and_count()
    with all_tenants_UNSAFE("test"):
        School.objects.bulk_create(
            School(
                hub=world.a.hub,
                urn=str(800000 + n),
                name=f"Many {n}",
                local_authority="X",
                fsm_percent=30,
            )
            for n in range(45)
        )
    at_50 = build_and_count()
    assert at_5 == at_50


def test_the_national_view_shows_hub_totals_and_no_school_names(client, world):
    lead = actor_for_user(world.a.users[Role.HUB_LEAD])
    with acting_as(lead):
        run = report_request(actor=lead, kind="hub_dashboard", as_at=AS_AT)
        build_report(run.pk, actor=lead.to_spec())
    client.force_login(world.national_analyst)
    page = client.get(reverse("national_report")).content.decode()
    assert "Hub A" in page and "Hub B" in page
    assert "No dashboard built yet." in page  # Hub B
    assert "School A1" not in page and "PupilA" not in page
    # An analyst cannot open the hub's PDF, which names schools.
    assert client.get(reverse("report_run_download", args=[run.pk, "pdf"])).status_code == 404


def test_an_ordinary_night_rebuilds_nothing_because_the_dashboards_are_live(
    world, django_capture_on_commit_callbacks
):
    from reports.tasks import refresh_hub_dashboards

    with django_capture_on_commit_callbacks(execute=False):
        assert refresh_hub_dashboards(as_at="2026-11-23", actor={"system": "test"}) == 0
    with all_tenants_UNSAFE("test"):
        assert not ReportRun.objects.filter(as_at=date(2026, 11, 23)).exists()


def test_a_compass_dates_snapshot_is_taken_once_per_hub(world, django_capture_on_commit_callbacks):
    from reports.tasks import refresh_hub_dashboards

    with django_capture_on_commit_callbacks(execute=False):
        refresh_hub_dashboards(as_at="2026-12-31", actor={"system": "test"})
        refresh_hub_dashboards(as_at="2026-12-31", actor={"system": "test"})
    with all_tenants_UNSAFE("test"):
        assert ReportRun.objects.filter(kind="hub_dashboard", as_at=date(2026, 12, 31)).count() == 2


def test_on_a_compass_date_every_schools_answers_are_kept(
    world, django_capture_on_commit_callbacks
):
    from reports.tasks import refresh_hub_dashboards

    with django_capture_on_commit_callbacks(execute=False):
        assert refresh_hub_dashboards(as_at="2026-12-31", actor={"system": "test"}) == 2 + 4
    with all_tenants_UNSAFE("test"):
        assert ReportRun.objects.filter(kind="school_b6", as_at=date(2026, 12, 31)).count() == 4


def test_the_reaper_requeues_a_run_stuck_in_running(world, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from reports.tasks import requeue_stuck_reports

    with all_tenants_UNSAFE("test"):
        stuck = ReportRun.objects.create(
            kind="school_b6",
            hub=world.a.hub,
            school=world.a.school,
            as_at=date(2026, 1, 5),
            status="running",
            claimed_by="dead-task",
            started_at=timezone.now() - timedelta(hours=3),
        )
    from unittest import mock

    with mock.patch("reports.tasks.build_report.apply_async") as enqueue:
        assert requeue_stuck_reports(actor={"system": "test"}) == 1
    enqueue.assert_called_once()
    with all_tenants_UNSAFE("test"):
        stuck.refresh_from_db()
    assert (stuck.status, stuck.claimed_by) == ("queued", "")


def test_the_school_report_page_shows_the_same_svg_chart_as_the_pdf(client, world):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        run = report_request(
            actor=leader, kind="school_b6", school_id=world.a.school.pk, as_at=AS_AT
        )
        build_report(run.pk, actor=leader.to_spec())
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    page = client.get(reverse("school_report", args=[world.a.school.pk])).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert "Pupils on track by year group" in page
    assert "Download PDF" in page

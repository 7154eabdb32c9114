"""The national view's latest reading per hub, and the nightly prune of old report runs."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user, system_actor
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from reports.models import ReportRun
from reports.pruning import RunsPruned, report_runs_prune
from reports.selectors import national_hub_totals

from .api_helpers import bearer, token_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)
LAST_JULY = date(2026, 7, 31)


def make_run(kind="hub_dashboard", *, hub, as_at, finished, status="done", files=False, **scope):
    """A finished run as a worker leaves it, finished at `finished`."""
    with all_tenants_UNSAFE("test runs"):
        run = ReportRun.objects.create(
            kind=kind,
            hub=hub,
            as_at=as_at,
            status=status,
            progress=100,
            finished_at=finished,
            summary={"totals": {"pupils": as_at.toordinal() % 1000}},
            **scope,
        )
        if files:
            run.csv.save(f"test-prune-{run.pk}.csv", ContentFile(b"pupils\n1\n"), save=False)
            run.pdf.save(f"test-prune-{run.pk}.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
            run.save(update_fields=["csv", "pdf"])
    return run


def prune(**options) -> RunsPruned:
    """As the nightly task does: acting as the system, which sees every hub's runs."""
    system = system_actor("test prune")
    with acting_as(system):
        return report_runs_prune(actor=system, **options)


def totals(as_at):
    return {"pupils": as_at.toordinal() % 1000}


# -- The national view


def test_a_report_built_later_as_at_last_july_does_not_move_the_hub_back_to_july(world):
    now = timezone.now()
    make_run(hub=world.a.hub, as_at=TODAY, finished=now - timedelta(hours=6))  # nightly
    make_run(hub=world.a.hub, as_at=LAST_JULY, finished=now)  # a hub lead's July report
    analyst = actor_for_user(world.national_analyst)
    with acting_as(analyst):
        rows = national_hub_totals(actor=analyst)
    assert rows == [
        {"name": "Hub A", "region": "Region A", "totals": totals(TODAY), "as_at": TODAY},
        {"name": "Hub B", "region": "Region B", "totals": None, "as_at": None},
    ]


def test_of_two_readings_as_at_the_same_day_the_national_view_shows_the_one_finished_last(
    world,
):
    now = timezone.now()
    make_run(hub=world.b.hub, as_at=TODAY, finished=now)
    earlier = make_run(hub=world.b.hub, as_at=TODAY, finished=now - timedelta(hours=1))
    with all_tenants_UNSAFE("test"):
        ReportRun.objects.filter(pk=earlier.pk).update(summary={"totals": {"pupils": -1}})
    analyst = actor_for_user(world.national_analyst)
    with acting_as(analyst):
        row = national_hub_totals(actor=analyst)[1]
    assert row == {"name": "Hub B", "region": "Region B", "totals": totals(TODAY), "as_at": TODAY}


def test_a_failed_or_queued_run_is_not_a_reading_on_the_national_view(world):
    now = timezone.now()
    make_run(hub=world.a.hub, as_at=LAST_JULY, finished=now - timedelta(days=3))
    make_run(hub=world.a.hub, as_at=TODAY, finished=now, status="failed")
    with all_tenants_UNSAFE("test"):
        ReportRun.objects.create(kind="hub_dashboard", hub=world.a.hub, as_at=TODAY)
    analyst = actor_for_user(world.national_analyst)
    with acting_as(analyst):
        row = national_hub_totals(actor=analyst)[0]
    assert (row["as_at"], row["totals"]) == (LAST_JULY, totals(LAST_JULY))


def test_the_national_page_and_api_show_the_latest_reading_by_as_at_date(client, world):
    now = timezone.now()
    make_run(hub=world.a.hub, as_at=TODAY, finished=now - timedelta(hours=6))
    make_run(hub=world.a.hub, as_at=LAST_JULY, finished=now)
    client.force_login(world.national_analyst)
    page = client.get(reverse("national_report")).content.decode()
    assert "2 December 2026" in page and "31 July 2026" not in page
    client.logout()
    answer = client.get(
        "/api/v1/national/hubs/?reading=latest", **bearer(token_for(world.national_analyst))
    )
    assert answer.status_code == 200
    assert [row["as_at"] for row in answer.json()] == ["2026-12-02", None]


def test_the_national_view_reads_with_the_same_two_queries_for_many_hubs_and_runs(world):
    from hubs.models import Hub

    analyst = actor_for_user(world.national_analyst)

    def count_queries():
        with acting_as(analyst), CaptureQueriesContext(connection) as captured:
            rows = national_hub_totals(actor=analyst)
        return len(captured), rows

    now = timezone.now()
    make_run(hub=world.a.hub, as_at=TODAY, finished=now)
    few, _ = count_queries()

    with all_tenants_UNSAFE("test"):
        more_hubs = [Hub.objects.create(name=f"Hub M{n}", region="More") for n in range(8)]
    for hub in [world.a.hub, world.b.hub, *more_hubs]:
        for day in range(30):
            make_run(hub=hub, as_at=TODAY - timedelta(days=day), finished=now - timedelta(days=day))
    many, rows = count_queries()

    assert few == many == 2
    assert len(rows) == 10 and {row["as_at"] for row in rows} == {TODAY}


# -- Pruning old runs


def test_the_prune_keeps_formal_dates_the_last_n_the_national_reading_and_young_runs(world):
    """keep_last=2, over a hand-built set of runs in several scopes."""
    now = timezone.now()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    a, b = world.a, world.b
    runs = {
        # Hub A's dashboards. The national view shows nov20 (the latest as-at), although a
        # hub lead has since built three older ones (sep01-03).
        "a-july": make_run(hub=a.hub, as_at=date(2026, 7, 31), finished=days(120), files=True),
        "a-oct01": make_run(hub=a.hub, as_at=date(2026, 10, 1), finished=days(60), files=True),
        "a-nov20": make_run(hub=a.hub, as_at=date(2026, 11, 20), finished=days(10), files=True),
        "a-sep01": make_run(hub=a.hub, as_at=date(2026, 9, 1), finished=days(5), files=True),
        "a-sep02": make_run(hub=a.hub, as_at=date(2026, 9, 2), finished=days(4)),
        "a-sep03": make_run(hub=a.hub, as_at=date(2026, 9, 3), finished=days(3)),
        # Failures are ranked apart: newer than sep02-03, they do not push them out.
        "a-failed-1": make_run(hub=a.hub, as_at=TODAY, finished=days(1.5), status="failed"),
        "a-failed-2": make_run(hub=a.hub, as_at=TODAY, finished=days(2), status="failed"),
        "a-failed-3": make_run(hub=a.hub, as_at=TODAY, finished=days(2.5), status="failed"),
        # Hub B: a formal snapshot of last December and three nightly runs.
        "b-dec": make_run(hub=b.hub, as_at=date(2025, 12, 31), finished=days(330)),
        "b-oct10": make_run(hub=b.hub, as_at=date(2026, 10, 10), finished=days(50)),
        "b-oct11": make_run(hub=b.hub, as_at=date(2026, 10, 11), finished=days(49)),
        "b-oct12": make_run(hub=b.hub, as_at=date(2026, 10, 12), finished=days(48)),
        # A pupil's record: a 31 March reading and three later ones.
        "pupil-mar": make_run(
            "pupil_record",
            hub=a.hub,
            school=a.school,
            learner=a.pupil,
            as_at=date(2026, 3, 31),
            finished=days(240),
        ),
        **{
            f"pupil-{as_at:%b%d}".lower(): make_run(
                "pupil_record",
                hub=a.hub,
                school=a.school,
                learner=a.pupil,
                as_at=as_at,
                finished=days(ago),
                files=True,
            )
            for as_at, ago in ((date(2026, 5, 1), 200), (date(2026, 6, 1), 100))
        },
        "pupil-jun02": make_run(
            "pupil_record",
            hub=a.hub,
            school=a.school,
            learner=a.pupil,
            as_at=date(2026, 6, 2),
            finished=days(90),
        ),
        # Year 9's cohort CSV: three built today, one yesterday; year 10's is its own scope.
        **{
            f"y9-{hours}h": make_run(
                "cohort_csv",
                hub=a.hub,
                school=a.school,
                year_group=9,
                as_at=TODAY,
                finished=now - timedelta(hours=hours),
            )
            for hours in (1, 2, 3, 25)
        },
        "y10": make_run(
            "cohort_csv", hub=a.hub, school=a.school, year_group=10, as_at=TODAY, finished=days(40)
        ),
        # Another school's report: its only run, however old.
        "sibling-b6": make_run(
            "school_b6", hub=a.hub, school=a.sibling_school, as_at=TODAY, finished=days(300)
        ),
    }
    files = {label: (run.csv.name, run.pdf.name) for label, run in runs.items() if run.pdf}
    storage = ReportRun._meta.get_field("pdf").storage
    assert all(storage.exists(name) for pair in files.values() for name in pair)

    pruned = prune(keep_last=2)

    with all_tenants_UNSAFE("test"):
        left = set(ReportRun.objects.values_list("pk", flat=True))
    survivors = {label for label, run in runs.items() if run.pk in left}
    assert survivors == {
        "a-july",  # formal date
        "a-nov20",  # the national view's reading for hub A
        "a-sep02",
        "a-sep03",  # the last two done
        "a-failed-1",
        "a-failed-2",  # the last two failed
        "b-dec",  # formal date
        "b-oct11",
        "b-oct12",  # the last two (oct12 is also hub B's national reading)
        "pupil-mar",  # formal date
        "pupil-jun01",
        "pupil-jun02",  # the last two
        "y9-1h",
        "y9-2h",  # the last two
        "y9-3h",  # finished under a day ago
        "y10",
        "sibling-b6",  # the only run of their report
    }
    assert pruned == RunsPruned(runs=6, files=6)
    # The world's own school reports (just finished, as at 31 Dec 2025) are untouched.
    assert {world.a.report.pk, world.a.sibling_report.pk} <= left
    for label in ("a-oct01", "a-sep01", "pupil-may01"):
        assert not any(storage.exists(name) for name in files[label]), label
    for label in ("a-july", "a-nov20", "pupil-jun01"):
        assert all(storage.exists(name) for name in files[label]), label

    assert prune(keep_last=2) == RunsPruned(0, 0)


def test_the_nightly_prune_task_runs_as_the_system_with_the_configured_count(world, settings):
    from reports.tasks import prune_report_runs

    settings.REPORT_RUNS_KEPT = 1
    # Hub A has no reading yet: its empty slot must not stop the prune (NOT IN and NULL).
    now = timezone.now()
    for day in (3, 4, 5):
        make_run(
            hub=world.b.hub, as_at=TODAY - timedelta(days=day), finished=now - timedelta(days=day)
        )
    assert prune_report_runs(actor={"system": "test"}) == {"runs": 2, "files": 0}
    assert settings.CELERY_BEAT_SCHEDULE["prune-report-runs"]["task"] == prune_report_runs.name


def test_only_the_system_may_prune_report_runs(world):
    lead = actor_for_user(world.a.users[Role.HUB_LEAD])
    with acting_as(lead), pytest.raises(PermissionDenied):
        report_runs_prune(actor=lead)


def test_the_prune_takes_the_same_queries_for_three_runs_as_for_thirty(world):
    def prune_and_count(hub, runs):
        now = timezone.now()
        for n in range(runs + 1):  # the newest is kept
            make_run(
                hub=hub,
                as_at=date(2026, 11, 1) + timedelta(days=n),
                finished=now - timedelta(days=30 - n),
            )
        with CaptureQueriesContext(connection) as captured:
            assert prune(keep_last=1).runs == runs
        return len(captured)

    assert prune_and_count(world.a.hub, 3) == prune_and_count(world.b.hub, 30)

"""The progress ledger (learners.ledger) holds exactly what a fresh count from raw says,
after any sequence of writes, concurrent writers and rule changes; and today's figures read
from it equal the oracle's."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import F

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from hubs.models import Hub
from hubs.services import hub_rules_update
from learners.ledger import (
    hub_is_recounting,
    ledger_differences,
    ledger_rebuild,
    ledger_reconcile,
    ledger_recount,
    ledger_roll_forward,
)
from learners.models import (
    Experience,
    Learner,
    LedgerCheck,
    Participation,
    PupilProgress,
    SchoolLedgerVersion,
)
from learners.progress import ProgressRules, reads_ledger
from learners.pupil_csv import pupil_import_apply, pupil_records_preview
from learners.services import (
    experience_add_pupils,
    experience_delete,
    experience_log,
    experience_update,
    participation_update,
)
from learners.transfers import pupil_leave
from tests.conftest import ensure_reference_data
from tests.oracle import model as m
from tests.oracle.load import load
from tests.oracle.platform import function_disagreements
from tests.oracle.world import generate

from .concurrently import at_once

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=LONDON)


def drift() -> dict:
    """Every pupil of every hub whose ledger is current, against a fresh count from raw."""
    with all_tenants_UNSAFE("test assertions"):
        found = {}
        for hub in Hub.objects.all():
            if not hub_is_recounting(hub):
                found.update(ledger_differences(Learner.objects.filter(hub=hub)))
        return found


def hubs_read_the_ledger() -> bool:
    with all_tenants_UNSAFE("test assertions"):
        return all(
            reads_ledger(ProgressRules.for_hub(hub), date.today()) for hub in Hub.objects.all()
        )


@pytest.mark.parametrize("seed", (1, 2, 3, 4))
def test_todays_figures_read_from_the_ledger_equal_the_oracles(seed):
    ensure_reference_data()
    world = generate(seed)
    # The oracle's reading day becomes today: every page reads the ledger as at it, and
    # the world's experiences on the day after must not count yet.
    with time_machine.travel(noon(world.as_at), tick=False):
        loaded = load(world)
        ledger_rebuild()
        assert hubs_read_the_ledger()
        assert function_disagreements(loaded, thorough=seed == 1) == []


def test_a_pupil_with_no_ledger_row_reads_as_nothing_counted(world):
    with all_tenants_UNSAFE("test"):
        ledger_rebuild()
        # Just imported: no history, so no write has given them a row yet.
        pupil = Learner.objects.create(
            hub=world.a.hub,
            school=world.a.school,
            upn="A801200005999",
            legal_first_name="New",
            surname="Arrival",
            cohort=world.a.pupil.cohort,
        )
        assert not PupilProgress.objects.filter(learner=pupil).exists()
        rules = ProgressRules.for_hub(Hub.objects.get(pk=pupil.hub_id))
        from learners.progress import with_progress

        row = with_progress(
            Learner.objects.filter(pk=pupil.pk), rules=rules, as_at=date.today()
        ).get()
    assert (row.ks3_hours, row.ks4_placement_hours, row.ten_days_met) == (0, 0, False)


# -- Randomized interleaved writes


class Writer:
    """Random writes through the services, as the careers leaders of an oracle world."""

    def __init__(self, loaded, rng: random.Random):
        self.loaded, self.rng = loaded, rng
        self.actors = {s: actor_for_user(u) for s, u in loaded.leaders.items()}
        self.hub_actors = {h: actor_for_user(u) for h, u in loaded.hub_leads.items()}
        self.done = []

    def school(self):
        plain = self.rng.choice(sorted(self.actors))
        return plain, self.actors[plain]

    def pupils(self, actor, k=None):
        ids = list(Learner.objects.order_by("pk").values_list("pk", flat=True))
        return self.rng.sample(ids, min(len(ids), k or self.rng.randint(1, 6))) if ids else []

    def experiences(self):
        return list(Experience.objects.order_by("pk").values_list("pk", flat=True))

    def _fields(self):
        rng = self.rng
        kind = rng.choice(["placement", "workplace_visit", "virtual_experience", "insight_day"])
        setting = (
            "workplace"
            if kind == "placement"
            else rng.choice(["workplace", "virtual", "community", "in_school"])
        )
        start = date.today() + timedelta(days=rng.choice((-900, -400, -120, -30, -1, 0, 1, 3)))
        from employers.models import Employer
        from hubs.models import Sector

        employers = list(Employer.objects.order_by("pk").values_list("pk", flat=True))
        sectors = list(Sector.objects.order_by("pk").values_list("pk", flat=True))
        return {
            "title": f"Random {rng.randrange(10**6)}",
            "kind": kind,
            "setting": setting,
            "tier": rng.randint(1, 3),
            "start_date": start,
            "end_date": start + timedelta(days=rng.choice((0, 0, 4))),
            "duration_hours": Decimal(rng.choice((2, 5, 12.5, 25, 30))),
            "employer_ids": rng.sample(employers, min(len(employers), rng.randint(0, 3))),
            "sector_ids": rng.sample(sectors, min(len(sectors), rng.randint(0, 2))),
            "criteria": rng.sample(["M1", "M2", "M3", "M4", "M5"], rng.randint(1, 5)),
        }

    def step(self):
        rng = self.rng
        plain, actor = self.school()
        operation = rng.choice(
            ["log", "log", "log", "update", "delete", "attendance", "add", "cohort", "leave"]
            + ["rules"] * (1 if rng.random() < 0.3 else 0)
        )
        with acting_as(actor):
            pupils = self.pupils(actor)
            experiences = self.experiences()
            if operation == "log" and pupils:
                experience_log(
                    actor=actor, pupil_ids=pupils, allow_duplicate=True, **self._fields()
                )
            elif operation == "update" and experiences and pupils:
                experience_update(
                    actor=actor,
                    experience_id=rng.choice(experiences),
                    pupil_ids=pupils,
                    **self._fields(),
                )
            elif operation == "delete" and experiences:
                experience_delete(actor=actor, experience_id=rng.choice(experiences))
            elif operation == "add" and experiences and pupils:
                experience_add_pupils(
                    actor=actor, experience_id=rng.choice(experiences), pupil_ids=pupils
                )
            elif operation == "attendance":
                ids = list(Participation.objects.order_by("pk").values_list("pk", flat=True))
                if ids:
                    participation = Participation.objects.select_related("experience").get(
                        pk=rng.choice(ids)
                    )
                    participation_update(
                        actor=actor,
                        participation_id=participation.pk,
                        hours_attended=rng.choice(
                            (Decimal(0), participation.experience.duration_hours / 2)
                        ),
                        employer_feedback_given=rng.random() < 0.5,
                        reflection_done=rng.random() < 0.5,
                    )
            elif operation == "cohort" and pupils:
                pupil = Learner.objects.get(pk=pupils[0])
                year = rng.randint(7, 11)
                preview = pupil_records_preview(
                    actor=actor,
                    school_id=actor.school_id,
                    records=[
                        {
                            "upn": pupil.upn,
                            "legal_first_name": pupil.legal_first_name,
                            "surname": pupil.surname,
                            "year_group": str(year),
                        }
                    ],
                )
                if not preview.problems:
                    pupil_import_apply(actor=actor, school_id=actor.school_id, rows=preview.rows)
            elif operation == "leave" and pupils:
                pupil_leave(actor=actor, pupil_id=pupils[0], left_on=date.today())
            elif operation == "rules":
                hub_plain = self.loaded.world.hub_of_school(plain).id
                hub_actor = self.hub_actors[hub_plain]
                with acting_as(hub_actor):
                    hub_rules_update(
                        actor=hub_actor,
                        meaningful_criteria=rng.choice(
                            (["M1", "M2", "M3"], ["M1", "M2"], ["M1", "M2", "M3", "M6"])
                        ),
                        ks3_virtual_cap_days=rng.choice((Decimal("2.5"), Decimal("1.0"))),
                    )
                # The recount, here in line (the worker test runs it in Celery): sometimes
                # at once, sometimes after more writes.
                self.pending_recount = hub_plain
        self.done.append(operation)
        if getattr(self, "pending_recount", None) is not None and rng.random() < 0.5:
            ledger_recount(self.loaded.db("hubs", self.pending_recount))
            self.pending_recount = None


@pytest.mark.parametrize("seed", (11, 12, 13))
def test_the_ledger_equals_a_fresh_count_after_random_interleaved_writes(seed):
    ensure_reference_data()
    loaded = load(generate(seed))
    ledger_rebuild()
    writer = Writer(loaded, random.Random(seed))
    for number in range(40):
        writer.step()
        assert drift() == {}, f"after step {number} ({writer.done[-1]}): {writer.done}"
        with all_tenants_UNSAFE("test assertions"):
            # The dashboards' copy of each experience's first day follows every edit.
            assert not Participation.objects.exclude(start_date=F("experience__start_date"))
    with all_tenants_UNSAFE("test"):
        ledger_rebuild()  # whatever recount was still pending
    assert hubs_read_the_ledger()
    assert drift() == {}
    assert {"log", "update", "delete", "attendance"} <= set(writer.done)


def test_an_experience_logged_ahead_counts_from_its_first_day_once_rolled_forward(world):
    today = date.today()
    actor = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(actor):
        pupil = Learner.objects.filter(school_id=actor.school_id).first()
        ledger_rebuild()
        experience_log(
            actor=actor,
            title="Next week's placement",
            kind="placement",
            setting="workplace",
            tier=3,
            start_date=today + timedelta(days=1),
            duration_hours=Decimal(25),
            pupil_ids=[pupil.pk],
            criteria=["M1", "M2", "M3"],
        )
    tomorrow = noon(today + timedelta(days=1))
    with time_machine.travel(tomorrow, tick=False):
        # Past midnight, before the roll: figures are counted from raw meanwhile.
        assert not hubs_read_the_ledger()
        with all_tenants_UNSAFE("test"):
            rolled = ledger_roll_forward()
        assert rolled["pupils_recounted"] >= 1
        assert hubs_read_the_ledger()
        assert drift() == {}
        with all_tenants_UNSAFE("test"):
            row = PupilProgress.objects.get(learner=pupil)
        assert row.ks4_placement_hours == 25 or row.ks3_hours >= 25 or row.total_hours >= 25


# -- Rule changes


def test_a_rule_change_recounts_from_raw_until_the_recount_has_run(world, client):
    lead = actor_for_user(world.a.users[Role.HUB_LEAD])
    client.force_login(world.a.users[Role.HUB_LEAD])
    with all_tenants_UNSAFE("test"):
        ledger_rebuild()
    assert hubs_read_the_ledger()
    with acting_as(lead):
        hub_rules_update(actor=lead, meaningful_criteria=["M1"], ks3_virtual_cap_days=Decimal(5))
        hub = Hub.objects.get(pk=lead.hub_id)
    assert hub_is_recounting(hub)
    assert not reads_ledger(ProgressRules.for_hub(hub), date.today())
    assert "Recounting every pupil" in client.get("/reports/hub/").content.decode()
    with all_tenants_UNSAFE("test"):
        result = ledger_recount(hub.pk)
        hub.refresh_from_db()
    assert result.current and not hub_is_recounting(hub)
    assert reads_ledger(ProgressRules.for_hub(hub), date.today())
    assert "Recounting" not in client.get("/reports/hub/").content.decode()
    assert drift() == {}


# -- Concurrency: real simultaneous transactions


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_careers_leaders_logging_for_overlapping_pupils_at_once_leave_it_right():
    _needs_postgresql()
    ensure_reference_data()
    loaded = load(generate(21))
    ledger_rebuild()
    # Two schools' leaders cannot share pupils, so sessions of one school's leader.
    plain = max(loaded.leaders, key=lambda s: len(m.pupils_of_school(loaded.world, s)))
    actor = actor_for_user(loaded.leaders[plain])
    with acting_as(actor):
        pupils = list(Learner.objects.order_by("pk").values_list("pk", flat=True))[:12]
    assert len(pupils) >= 4

    def log(ids, title):
        def attempt():
            for round_ in range(8):
                experience_log(
                    actor=actor,
                    title=f"{title} {round_}",
                    kind="placement",
                    setting="workplace",
                    tier=2,
                    start_date=date.today() - timedelta(days=round_),
                    duration_hours=Decimal(10),
                    pupil_ids=ids,
                    criteria=["M1", "M2", "M3"],
                    allow_duplicate=True,
                )
            return "logged"

        return attempt

    half = len(pupils) // 2
    outcomes = at_once(
        [
            (actor, log(pupils[: half + 2], "Morning")),
            (actor, log(pupils[half - 2 :], "Afternoon")),
            (actor, log(pupils, "Everyone")),
            (actor, log(pupils[1::2], "Odd ones")),
        ]
    )
    assert outcomes == ["logged"] * 4
    assert drift() == {}


@pytest.mark.django_db(transaction=True)
def test_a_rule_change_during_logging_leaves_the_ledger_right():
    _needs_postgresql()
    ensure_reference_data()
    loaded = load(generate(22))
    ledger_rebuild()
    plain_school = sorted(loaded.leaders)[0]
    actor = actor_for_user(loaded.leaders[plain_school])
    hub_plain = loaded.world.hub_of_school(plain_school).id
    lead = actor_for_user(loaded.hub_leads[hub_plain])
    with acting_as(actor):
        pupils = list(Learner.objects.order_by("pk").values_list("pk", flat=True))

    def logging():
        for round_ in range(6):
            experience_log(
                actor=actor,
                title=f"Visit {round_}",
                kind="workplace_visit",
                setting="workplace",
                tier=1,
                start_date=date.today() - timedelta(days=10 + round_),
                duration_hours=Decimal(5),
                pupil_ids=pupils[round_ % 3 :: 2],
                criteria=["M1", "M2"],
                allow_duplicate=True,
            )
        return "logged"

    def rule_change_and_recount():
        hub_rules_update(actor=lead, meaningful_criteria=["M1", "M2"], ks3_virtual_cap_days=1)
        ledger_recount(lead.hub_id)
        return "recounted"

    outcomes = at_once([(actor, logging), (lead, rule_change_and_recount)])
    assert sorted(outcomes) == ["logged", "recounted"]
    with all_tenants_UNSAFE("test"):
        # A recount that met rows counted by the old rules leaves the hub recounting;
        # the nightly roll (or the queued task) finishes it.
        ledger_roll_forward()
    assert hubs_read_the_ledger()
    assert drift() == {}


# -- Reconciliation


def test_the_nightly_reconciliation_finds_repairs_and_records_drift(world, admin_client):
    with all_tenants_UNSAFE("test"):
        ledger_rebuild()
        row = PupilProgress.objects.filter(total_hours__gt=0).first()
        assert row is not None
        # A write path that forgot the ledger: the row no longer says what raw says; and
        # one that forgot a participation's copy of its experience's first day.
        PupilProgress.objects.filter(pk=row.pk).update(total_hours=Decimal("999"))
        slipped = Participation.objects.first()
        Participation.objects.filter(pk=slipped.pk).update(start_date=date(2001, 1, 1))
        assert row.learner_id in drift()
        check = ledger_reconcile(schools=100, seed=1)
    assert (check.drifted, check.repaired) == (1, 1)
    assert check.details[-1] == {"participation_start_dates_repaired": 1}
    assert check.details[0]["learner_id"] == row.learner_id
    assert check.details[0]["differences"]["total_hours"][0] == "999.00"
    assert drift() == {}
    with all_tenants_UNSAFE("test"):
        clean = ledger_reconcile(schools=100, seed=2)
    assert clean.drifted == 0
    assert LedgerCheck.objects.count() == 2
    page = admin_client.get("/admin/learners/ledgercheck/")
    assert page.status_code == 200
    assert b"1 drifted" in page.content


# -- Live hub and national views


def test_logging_an_experience_changes_the_hub_dashboard_and_englands_figures_at_once(
    client, world
):
    from learners.academic import cohort_for
    from tests.api_helpers import token_for

    with all_tenants_UNSAFE("test"):
        pupil = Learner.objects.create(
            hub=world.a.hub,
            school=world.a.school,
            upn="A801200005888",
            legal_first_name="Year",
            surname="Eleven",
            cohort=cohort_for(11, date.today()),
        )
        ledger_rebuild()

    def hub_figures():
        client.force_login(world.a.users[Role.HUB_LEAD])
        page = client.get("/reports/hub/").content.decode()
        client.logout()
        return page

    def england():
        answer = client.get(
            "/api/v1/national/hubs/",
            HTTP_AUTHORIZATION=f"Bearer {token_for(world.national_analyst)}",
        )
        return {row["name"]: row["totals"] for row in answer.json()}

    before_page, before = hub_figures(), england()["Hub A"]
    actor = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(actor):
        experience_log(
            actor=actor,
            title="Week at the hospital",
            kind="placement",
            setting="workplace",
            tier=3,
            start_date=date.today(),
            duration_hours=Decimal(25),
            pupil_ids=[pupil.pk],
            criteria=["M1", "M2", "M3"],
        )
    after = england()["Hub A"]
    assert before["ks4_met_pct"] != after["ks4_met_pct"]
    assert after["ks4_met_pct"] > (before["ks4_met_pct"] or 0)
    after_page = hub_figures()
    assert before_page != after_page
    assert hubs_read_the_ledger()  # and all of it from the ledger, no rebuild in between


def test_the_rebuild_command_makes_every_hub_read_its_ledger(world):
    from io import StringIO

    from django.core.management import call_command

    assert not hubs_read_the_ledger()  # a database from before the ledger
    out = StringIO()
    call_command("ledger_rebuild", stdout=out)
    assert hubs_read_the_ledger()
    assert out.getvalue().count("current") == Hub.all_tenants_UNSCOPED.count()
    assert drift() == {}


def test_the_live_dashboards_trend_reads_formal_date_snapshots_and_queues_missing_ones(
    client, world, django_capture_on_commit_callbacks
):
    from reports.models import ReportRun
    from reports.tasks import build_report

    with time_machine.travel(noon(date(2027, 1, 15)), tick=False):
        client.force_login(world.a.users[Role.HUB_LEAD])
        with django_capture_on_commit_callbacks(execute=False):
            page = client.get("/reports/hub/").content.decode()
            client.get("/reports/hub/")  # a second view joins the first one's request
        assert "Being counted from the records as at that date" in page
        with all_tenants_UNSAFE("test"):
            queued = ReportRun.objects.filter(kind="hub_dashboard", as_at=date(2026, 12, 31))
            assert queued.count() == 1
            snapshot = queued.get()
        lead = actor_for_user(world.a.users[Role.HUB_LEAD])
        build_report(snapshot.pk, actor=lead.to_spec())
        snapshot.refresh_from_db()
        # Afterwards the snapshot is read, not counted again: change what it says to show it.
        totals = {**snapshot.summary["totals"], "on_track_pct": 61.5, "ks4_met_pct": 12.5}
        with all_tenants_UNSAFE("test"):
            ReportRun.objects.filter(pk=snapshot.pk).update(
                summary={**snapshot.summary, "totals": totals}
            )
        page = client.get("/reports/hub/").content.decode()
    assert "Being counted" not in page
    assert "61.5%" in page and "12.5%" in page


def test_the_national_view_counts_a_hub_again_only_when_its_ledger_has_changed(world):
    from django.db.models import F as Field
    from django.test.utils import CaptureQueriesContext

    from reports.selectors import national_hub_totals_live

    analyst = actor_for_user(world.national_analyst)
    with all_tenants_UNSAFE("test"):
        ledger_rebuild()

    def read():
        with acting_as(analyst), CaptureQueriesContext(connection) as captured:
            rows = national_hub_totals_live(actor=analyst)
        counted = [q["sql"] for q in captured.captured_queries if "learners_learner" in q["sql"]]
        return {r["name"]: r["totals"] for r in rows}, counted

    first, counted = read()
    assert counted  # counted from the ledger
    again, counted = read()
    assert (again, counted) == (first, [])  # nothing written: nothing counted again
    with all_tenants_UNSAFE("test"):
        SchoolLedgerVersion.objects.filter(hub_id=world.b.hub.pk).update(
            version=Field("version") + 1
        )
    third, counted = read()
    assert len(counted) == 1  # Hub B alone, counted again
    assert third == first


def test_the_live_hub_dashboard_counts_again_only_the_schools_written_to(client, world):
    import re

    from django.test.utils import CaptureQueriesContext

    with all_tenants_UNSAFE("test"):
        ledger_rebuild()
    client.force_login(world.a.users[Role.HUB_LEAD])

    def view():
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/reports/hub/").content.decode()
        counted = [q for q in captured.captured_queries if "learners_participation" in q["sql"]]
        # The figures, not the form's per-response CSRF token.
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page), counted

    first, counted = view()
    assert counted
    again, counted = view()
    assert (again, counted) == (first, [])
    actor = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(actor):
        experience_log(
            actor=actor,
            title="Insight morning",
            kind="insight_day",
            setting="workplace",
            tier=1,
            start_date=date.today(),
            duration_hours=Decimal(3),
            pupil_ids=[world.a.pupil.pk],
            criteria=["M1", "M2", "M3"],
        )
    _, counted = view()
    assert counted  # counted again at once (the figures shown may not move for this one)
    # ... and only the school written to: the sibling school's parts are read back.
    named = {
        int(pk)
        for q in counted
        for found in re.findall(r'"school_id" IN \(([\d, ]+)\)', q["sql"])
        for pk in found.split(",")
    }
    assert named == {world.a.school.pk}


def test_warming_after_the_roll_forward_leaves_no_counting_to_the_first_page_views(client, world):
    from django.core.cache import cache
    from django.test.utils import CaptureQueriesContext

    from access.actor import system_actor
    from reports.builders import live_dashboards_warm

    with all_tenants_UNSAFE("test"):
        ledger_rebuild()
    cache.clear()
    with acting_as(system_actor("live dashboards")):
        assert live_dashboards_warm() == 2  # both hubs' ledgers are current

    def counted(user, url):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return [q for q in captured.captured_queries if "learners_learner" in q["sql"]]

    assert counted(world.a.users[Role.HUB_LEAD], "/reports/hub/") == []
    assert counted(world.national_analyst, "/reports/national/") == []
    cache.clear()
    assert counted(world.a.users[Role.HUB_LEAD], "/reports/hub/")  # cold: counted here

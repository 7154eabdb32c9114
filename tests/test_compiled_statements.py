"""The cohort page's statement is compiled once per school, year, day, filters, rules and
actor (equalex.rows.rows_compiled_once); its rows are read afresh on every call."""

from datetime import date

import pytest

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from equalex import rows as compiled
from learners.academic import cohort_for
from learners.ledger import ledger_rebuild
from learners.models import Learner
from learners.progress import behind_first, with_progress
from learners.selectors import (
    COHORT_FIELDS,
    cohort_progress,
    rules_for_school,
    shown_first_name,
)

from .test_query_counts import add_year_9_with_history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_statements_kept():
    compiled._STATEMENTS.clear()
    yield
    compiled._STATEMENTS.clear()


def leader_of(side):
    return actor_for_user(side.users[Role.CAREERS_LEADER])


def fresh_rows(actor, side, *, as_at, **filters):
    """The same rows built and compiled afresh through Django's own values()."""
    rules = rules_for_school(actor=actor, school_id=side.school.pk)
    cohort = cohort_for(9, as_at)
    pupils = Learner.objects.filter(school_id=side.school.pk, cohort=cohort)
    if filters.get("fsm"):
        pupils = pupils.filter(fsm=True)
    if filters.get("disadvantaged"):
        pupils = pupils.filter(disadvantaged=True)
    progress = with_progress(pupils, rules=rules, as_at=as_at, cohorts=[cohort])
    if filters.get("behind"):
        progress = progress.filter(behind=True)
    return list(behind_first(progress).values(*COHORT_FIELDS, first_name=shown_first_name()))


def year_9(actor, side, *, as_at=None, **filters):
    return cohort_progress(
        actor=actor,
        school_id=side.school.pk,
        year_group=9,
        as_at=as_at or date.today(),
        **filters,
    )


def test_the_rows_are_read_afresh_after_the_statement_is_compiled(world):
    actor = leader_of(world.a)
    with acting_as(actor):
        before = year_9(actor, world.a)
    add_year_9_with_history(world.a, 6, start=1000)
    with acting_as(actor):
        after = year_9(actor, world.a)
        assert len(compiled._STATEMENTS) == 1
        assert after == fresh_rows(actor, world.a, as_at=date.today())
    assert len(after) == len(before) + 6
    assert {row["ks3_hours"] for row in after if row["surname"].startswith("N")} == {10}


def test_the_rows_follow_the_ledger_once_it_answers_for_the_hub(world):
    add_year_9_with_history(world.a, 4, start=1000)
    actor = leader_of(world.a)
    with acting_as(actor):
        from_raw = year_9(actor, world.a)
    with all_tenants_UNSAFE("test: build the ledger"):
        ledger_rebuild()
    actor = leader_of(world.a)
    with acting_as(actor):
        from_ledger = year_9(actor, world.a)
        # The ledger answering is part of the key: a statement of its own.
        assert len(compiled._STATEMENTS) == 2
    assert from_ledger == from_raw


@pytest.mark.parametrize(
    "filters", [{"fsm": True}, {"disadvantaged": True}, {"fsm": True, "behind": True}]
)
def test_each_filter_has_a_statement_of_its_own(world, filters):
    add_year_9_with_history(world.a, 12, start=1000)
    actor = leader_of(world.a)
    with acting_as(actor):
        everyone = year_9(actor, world.a)
        chosen = year_9(actor, world.a, **filters)
        assert chosen == fresh_rows(actor, world.a, as_at=date.today(), **filters)
        assert len(compiled._STATEMENTS) == 2
    assert 0 < len(chosen) < len(everyone)


def test_another_day_has_a_statement_of_its_own(world):
    add_year_9_with_history(world.a, 3, start=1000)
    actor = leader_of(world.a)
    past = date(2025, 5, 1)
    with acting_as(actor):
        today = year_9(actor, world.a)
        then = year_9(actor, world.a, as_at=past)
        assert then == fresh_rows(actor, world.a, as_at=past)
    # A year before, this year's Year 9 were in Year 8: other pupils, no days yet.
    assert {row["pk"] for row in then}.isdisjoint({row["pk"] for row in today})


def test_another_actor_never_runs_a_statement_compiled_for_someone_else(world):
    add_year_9_with_history(world.a, 2, start=1000)
    add_year_9_with_history(world.b, 3, start=2000)
    leader_a, leader_b = leader_of(world.a), leader_of(world.b)
    with acting_as(leader_a):
        rows_a = year_9(leader_a, world.a)
    with acting_as(leader_b):
        rows_b = year_9(leader_b, world.b)
    assert {row["pk"] for row in rows_a}.isdisjoint({row["pk"] for row in rows_b})
    assert {key[1] for key in compiled._STATEMENTS} == {leader_a, leader_b}


def test_the_statements_kept_are_bounded(world, monkeypatch):
    monkeypatch.setattr(compiled, "_STATEMENTS_KEPT", 2)
    actor = leader_of(world.a)
    with acting_as(actor):
        for day in (date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7)):
            year_9(actor, world.a, as_at=day)
    assert [key[5] for key in compiled._STATEMENTS] == [date(2026, 1, 6), date(2026, 1, 7)]

"""The hub lead's home is the hub's live dashboard: the builder's figures (reports.builders.
hub_summary, from the progress ledger), gaps in words, the schools furthest behind, a
schools table that sorts, filters and pages on the server, and employers a page at a time."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from learners.academic import cohort_for
from learners.models import Learner
from learners.upn import upn_with_check_letter
from reports.builders import hub_summary
from reports.hub_home import gap_sentence
from schools.models import School

from .test_query_counts import grow, queries_for

pytestmark = pytest.mark.django_db


def _home(client, world, query=""):
    client.force_login(world.a.users[Role.HUB_LEAD])
    response = client.get(reverse("home") + query)
    assert response.status_code == 200
    return response.content.decode()


def _built(world):
    lead = actor_for_user(world.a.users[Role.HUB_LEAD])
    with acting_as(lead):
        return hub_summary(hub_id=world.a.hub.pk, as_at=timezone.localdate(), live=True)


def _pct(value):
    return "—" if value is None else f"{float(value):g}%"


def _schools_in_table(page):
    table = page.split('aria-labelledby="schools"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row"><a href="/schools/\d+/">([^<]+)</a>', table)


def _add_schools(world, names_and_fsm):
    """Schools of hub A with pupils, some of them behind: (name, pupils on roll, FSM)."""
    with all_tenants_UNSAFE("test data"):
        for index, (name, count, fsm) in enumerate(names_and_fsm):
            school = School.objects.create(
                hub=world.a.hub,
                urn=str(700000 + index),
                name=name,
                local_authority="Somewhere",
                fsm_percent="10",
                type=School.Type.SPECIAL if index % 2 else School.Type.MAINSTREAM,
            )
            Learner.all_tenants_UNSCOPED.bulk_create(
                Learner(
                    hub_id=world.a.hub.pk,
                    school=school,
                    legal_first_name="P",
                    surname=f"S{n}",
                    upn=upn_with_check_letter(f"7{index:05d}{n:06d}"),
                    cohort=cohort_for(7 + n % 5, date.today()),
                    fsm=n < fsm,
                    send="K" if n % 4 == 0 else "N",
                )
                for n in range(count)
            )


def test_the_home_shows_the_builders_headline_figures(client, world):
    _add_schools(world, [("Ash Academy", 12, 4), ("Birch School", 7, 2)])
    page = _home(client, world)
    totals = _built(world)["totals"]
    for label, value in (
        ("Pupils in Years 7 to 11", str(totals["pupils"])),
        ("On track for the ten days", _pct(totals["on_track_pct"])),
        ("Year 9 with their KS3 week (Compass question 1)", _pct(totals["ks3_met_pct"])),
        (
            "Year 11 with their KS4 week of placements (Compass question 3)",
            _pct(totals["ks4_met_pct"]),
        ),
    ):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in page
    assert gap_sentence(totals["fsm_gap"], "FSM pupils") in page
    assert gap_sentence(totals["send_gap"], "pupils with SEND") in page
    assert "No report" not in page


def test_gaps_are_said_in_words():
    assert gap_sentence(14.0, "FSM pupils") == "FSM pupils are 14 points behind others."
    assert (
        gap_sentence(-2.5, "pupils with SEND") == "Pupils with SEND are 2.5 points ahead of others."
    )
    assert gap_sentence(1, "FSM pupils") == "FSM pupils are 1 point behind others."
    assert gap_sentence(0.0, "FSM pupils") == "FSM pupils are level with others."
    assert gap_sentence(None, "FSM pupils") == "There are no FSM pupils to compare with others yet."


def test_the_schools_table_sorts_by_name_and_by_figures(client, world):
    _add_schools(world, [("Cedar High", 10, 0), ("Ash Academy", 6, 0), ("Birch School", 3, 0)])
    names = _schools_in_table(_home(client, world, "?sort=name"))
    assert names == sorted(names, key=str.casefold)
    assert _schools_in_table(_home(client, world, "?sort=-name")) == names[::-1]
    by_pupils = _schools_in_table(_home(client, world, "?sort=-pupils"))
    rows = {r["name"]: r["pupils"] for r in _built(world)["schools"]}
    assert [rows[n] for n in by_pupils] == sorted(rows.values(), reverse=True)


def test_the_schools_table_filters_by_name_and_type(client, world):
    _add_schools(world, [("Cedar High", 10, 0), ("Ash Academy", 6, 0), ("Birch School", 3, 0)])
    assert _schools_in_table(_home(client, world, "?q=cedar")) == ["Cedar High"]
    special = _schools_in_table(_home(client, world, "?type=Special+%2F+SEND&sort=name"))
    expected = sorted(r["name"] for r in _built(world)["schools"] if r["type"] == "Special / SEND")
    assert special == expected == ["Ash Academy", "School A2"]


def test_a_growing_hub_pages_schools_and_employers_in_the_same_number_of_queries(client, world):
    client.force_login(world.a.users[Role.HUB_LEAD])
    small = queries_for(client, reverse("home"))
    grow(world.a, schools=40, start=300000)
    assert queries_for(client, reverse("home")) == small
    page = _home(client, world)
    assert len(_schools_in_table(page)) == 25
    assert "Page 1 of 3 (42 employers)" in page
    assert "Page 3 of 3 (42 employers)" in _home(client, world, "?employers=3")
    assert "42 of 42 schools, page 1 of 2" in page

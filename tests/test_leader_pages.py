"""The careers leader's weekly pages: the home page's figures equal the oracle's (and so the
progress module's) on messy worlds; the pupils and experiences lists search, filter, sort
and page, in a number of queries that does not grow with the school."""

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from access.context import all_tenants_UNSAFE
from access.roles import Role
from learners.academic import cohort_for
from learners.leader import next_formal_date, term_dates
from learners.ledger import ledger_rebuild
from learners.models import Experience, Learner, Participation
from learners.upn import upn_with_check_letter
from tests.conftest import ensure_reference_data
from tests.oracle import model as m
from tests.oracle.load import load
from tests.oracle.surfaces import Page, days_text
from tests.oracle.world import generate
from tests.test_query_counts import queries_for

pytestmark = pytest.mark.django_db


def table(html: str, table_id: str) -> list[list[str]]:
    """The body rows of the table with this id (cells as text)."""
    start = html.index(f'id="{table_id}"')
    start = html.rindex("<table", 0, start)
    end = html.index("</table>", start) + len("</table>")
    return Page(html[start:end]).body_rows(0)


def test_the_next_formal_reading_is_the_next_compass_date_and_august_looks_to_december():
    assert next_formal_date(date(2026, 12, 2)) == date(2026, 12, 31)
    assert next_formal_date(date(2026, 12, 31)) == date(2026, 12, 31)
    assert next_formal_date(date(2027, 1, 1)) == date(2027, 3, 31)
    assert next_formal_date(date(2027, 5, 10)) == date(2027, 7, 31)
    assert next_formal_date(date(2027, 8, 1)) == date(2027, 12, 31)


def expected_home(world: m.World, school: m.School, today: date) -> dict:
    progress = [m.pupil_progress(world, p, today) for p in m.pupils_of_school(world, school.id)]
    years = []
    for row in m.school_year_table(world, school.id, today):
        if row["year_group"] > 11:
            continue
        share = m.percent(row["on_track"], row["pupils"], 0)
        years.append(
            [
                f"Year {row['year_group']}",
                "",
                f"{share}% ({row['on_track']} of {row['pupils']})"
                if row["pupils"]
                else "No pupils",
            ]
        )

    def priority(p):
        rank = 0 if p.pupil.disadvantaged else 1
        return (rank, p.pupil.surname, p.pupil.first_name, p.pupil.id)

    behind = sorted((p for p in progress if p.behind), key=priority)
    behind_rows = []
    for p in behind[:8]:
        in_ks3 = p.year_group <= 9
        counted = p.ks3_hours if in_ks3 else p.ks4_placement_hours
        expected = p.ks3_expected_days if in_ks3 else p.ks4_expected_days
        behind_rows.append(
            [
                f"{p.pupil.surname}, {p.pupil.first_name}",
                f"Year {p.year_group}",
                f"{days_text(counted)} {'KS3' if in_ks3 else 'placement'}",
                f"{expected.normalize():f}",
            ]
        )
    reading = next_formal_date(today)
    compass = [
        [a["band"], str(a["numerator"]), str(a["denominator"])]
        for a in m.compass(world, m.pupils_of_school(world, school.id), reading)
    ]
    return {
        "years": years,
        "behind_total": sum(p.behind for p in progress),
        "behind": behind_rows,
        "compass": compass,
    }


@pytest.mark.parametrize("seed", (3, 7, 12))
def test_the_home_page_figures_equal_the_oracles_on_a_messy_world(seed):
    ensure_reference_data()
    world = generate(seed, pupils_per_school=30)
    today = world.as_at
    lists_checked = 0
    with time_machine.travel(today, tick=False):
        loaded = load(world)
        # As deployed: today's figures are read from the ledger.
        ledger_rebuild()
        for school in world.schools:
            client = Client()
            client.force_login(loaded.leaders[school.id])
            html = client.get("/").content.decode()
            expected = expected_home(world, school, today)
            assert table(html, "on-track") == expected["years"], (seed, school.id)
            if expected["behind_total"]:
                total = re.search(r'id="behind-total">(\d+)<', html).group(1)
                assert int(total) == expected["behind_total"]
                rows = table(html, "behind")
                # The name cell also carries the PP / FSM / SEND / left tags.
                assert [
                    row[0].split(" PP")[0].split(" FSM")[0].split(" SEND")[0].split(" left")[0]
                    for row in rows
                ] == [r[0] for r in expected["behind"]]
                assert [row[1:] for row in rows] == [r[1:] for r in expected["behind"]]
                lists_checked += 1
            else:
                assert "Nobody is behind" in html
            assert [row[1:] for row in table(html, "compass")] == expected["compass"]
    assert lists_checked, "no school in this world had a pupil behind: nothing was compared"


def test_the_home_page_says_until_when_each_year_has_and_counts_what_waits(client, world):
    with time_machine.travel(date(2026, 12, 2), tick=False):
        client.force_login(world.a.users[Role.CAREERS_LEADER])
        html = client.get("/").content.decode()
    assert "Compass answers as at 31 December 2026" in html
    assert "Year 9 has until 31 July 2027" in html
    assert "Placements needing action" in html


def test_placements_needing_action_count_consent_missing_and_attendance_due(client, world):
    from access.actor import actor_for_user
    from access.context import acting_as
    from employers.models import Nomination, Opportunity, ParentalConsent
    from learners.leader import placements_needing_action

    today = date.today()
    with all_tenants_UNSAFE("test data"):

        def opportunity(title, start, setting="workplace"):
            return Opportunity.objects.create(
                employer=world.a.employer,
                title=title,
                kind="placement",
                setting=setting,
                tier=2,
                start_date=start,
                end_date=start,
                capacity=10,
                status="published",
                meets_m1=True,
                meets_m2=True,
                meets_m3=True,
            )

        coming = opportunity("Coming placement", date(today.year + 1, 3, 2))
        in_school = opportunity("Project in school", date(today.year + 1, 3, 2), "in_school")
        past = opportunity("Past placement", date(today.year - 1, 3, 2))
        pupils = Learner.objects.bulk_create(
            Learner(
                hub_id=world.a.hub.pk,
                school=world.a.school,
                legal_first_name=f"N{n}",
                surname="Nominee",
                upn=upn_with_check_letter(f"7{n:011d}"),
                cohort=cohort_for(10, today),
            )
            for n in range(4)
        )
        for opp, pupil, status in (
            (coming, pupils[0], "accepted"),  # consent missing
            (coming, pupils[1], "accepted"),  # consent given below
            (coming, pupils[2], "nominated"),  # no place yet: nothing to ask
            (in_school, pupils[0], "accepted"),  # in school: no consent needed
            (past, pupils[3], "accepted"),  # attendance due
        ):
            nomination = Nomination.objects.create(
                hub_id=world.a.hub.pk,
                school=world.a.school,
                opportunity=opp,
                learner=pupil,
                status=status,
            )
            if pupil is pupils[1]:
                ParentalConsent.objects.create(
                    hub_id=world.a.hub.pk,
                    school=world.a.school,
                    nomination=nomination,
                    token_digest="x" * 64,
                    answer="given",
                )
    with acting_as(actor_for_user(world.a.users[Role.CAREERS_LEADER])) as actor:
        waiting = placements_needing_action(actor=actor, school_id=world.a.school.pk, today=today)
    assert [(r["title"], r["pupils"]) for r in waiting.consent_missing] == [("Coming placement", 1)]
    assert [(r["title"], r["pupils"]) for r in waiting.attendance_due] == [("Past placement", 1)]


# -- A big school for the lists


def add_pupils(side, count: int, *, start: int, year: int = 9, group: str = "9A", **flags):
    with all_tenants_UNSAFE("test data"):
        return Learner.all_tenants_UNSCOPED.bulk_create(
            Learner(
                hub_id=side.hub.pk,
                school=side.school,
                legal_first_name=f"Pupil{start + n}",
                surname=f"Surname{start + n:05d}",
                upn=upn_with_check_letter(f"6{start + n:011d}"),
                cohort=cohort_for(year, date.today()),
                registration_group=group,
                **flags,
            )
            for n in range(count)
        )


def add_experiences(side, count: int, *, start: int, pupils=(), kind="workplace_visit", day=None):
    with all_tenants_UNSAFE("test data"):
        experiences = []
        for n in range(count):
            experience = Experience(
                school=side.school,
                hub_id=side.hub.pk,
                title=f"Visit {start + n}",
                kind=kind,
                setting="workplace",
                tier=1,
                start_date=day or date(2025, 10, 1),
                end_date=day or date(2025, 10, 1),
                duration_hours=Decimal("7.5"),
                meets_m1=True,
                meets_m2=True,
                meets_m3=True,
            )
            experience.save()
            experience.employers.add(side.employer)
            experiences.append(experience)
            Participation.all_tenants_UNSCOPED.bulk_create(
                Participation(
                    hub_id=side.hub.pk,
                    school=side.school,
                    experience=experience,
                    learner=pupil,
                    start_date=experience.start_date,
                    hours_attended=Decimal("7.5"),
                )
                for pupil in pupils
            )
        return experiences


@pytest.mark.parametrize(
    "url",
    [
        "/pupils/",
        "/pupils/?year=9&behind=1&fsm=1&sort=progress",
        "/pupils/?q=Surname&group=9A&page=2",
        "/experiences/",
        "/experiences/?year=8&kind=workplace_visit&term=2025-autumn",
    ],
)
def test_the_lists_run_the_same_queries_for_a_small_and_a_big_school(client, world, url):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    pupils = add_pupils(world.a, 60, start=1000)
    add_experiences(world.a, 30, start=0, pupils=pupils[:5])
    small = queries_for(client, url)
    more = add_pupils(world.a, 600, start=5000, group="10B", year=10, fsm=True)
    add_pupils(world.a, 300, start=9000, group="9A")
    add_experiences(world.a, 80, start=100, pupils=pupils[:20] + more[:20])
    assert queries_for(client, url) == small


def names_on(html: str) -> list[str]:
    return re.findall(r'href="/pupils/\d+/">([^<]+)</a>', html)


def test_the_pupils_list_finds_by_name_or_upn_and_filters_by_flags(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    add_pupils(world.a, 3, start=100, fsm=True)
    sen = add_pupils(world.a, 2, start=200, send="K", disadvantaged=True)
    assert names_on(client.get("/pupils/?q=surname00101").content.decode()) == [
        "Surname00101, Pupil101"
    ]
    html = client.get(f"/pupils/?q={sen[0].upn.lower()}").content.decode()
    assert names_on(html) == ["Surname00200, Pupil200"]
    html = client.get("/pupils/?fsm=on&q=Surname").content.decode()
    assert len(names_on(html)) == 3
    html = client.get("/pupils/?send=on&disadvantaged=on").content.decode()
    assert names_on(html) == ["Surname00200, Pupil200", "Surname00201, Pupil201"]
    # A filter it cannot read is ignored, not an error.
    assert client.get("/pupils/?year=banana&page=99").status_code == 200


def test_the_pupils_list_shows_days_counted_and_who_is_behind(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    pupils = add_pupils(world.a, 2, start=300, year=7, group="7C")
    add_experiences(world.a, 1, start=0, pupils=pupils[:1], day=date.today())
    html = client.get("/pupils/?group=7C").content.decode()
    rows = table(html, "pupils")
    assert rows[0][0] == "Surname00300, Pupil300" and rows[0][-1].startswith("1.5 of 10")
    behind = client.get("/pupils/?group=7C&behind=on").content.decode()
    assert "Surname00300" not in behind or "On track" not in table(behind, "pupils")[0][-1]


def test_the_pupils_list_sorts_year_and_group_as_numbers(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    add_pupils(world.a, 1, start=400, year=10, group="10A")
    add_pupils(world.a, 1, start=401, year=7, group="7A")
    add_pupils(world.a, 1, start=402, year=7, group="7B")
    html = client.get("/pupils/?q=Surname0040&sort=group").content.decode()
    groups = [row[3] for row in table(html, "pupils")]
    assert groups == ["7A", "7B", "10A"]
    options = re.findall(r'<option value="(\d+[A-Z])"', html)
    assert options.index("7A") < options.index("10A")
    html = client.get("/pupils/?q=Surname0040").content.decode()
    assert [row[2] for row in table(html, "pupils")] == ["Year 7", "Year 7", "Year 10"]


def test_the_pupils_list_pages_fifty_at_a_time(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    add_pupils(world.a, 120, start=500)
    first = client.get("/pupils/?q=Surname").content.decode()
    assert len(table(first, "pupils")) == 50
    assert "120 pupils match: 1 to 50 shown" in first
    assert "Page 1 of 3" in first and 'rel="next"' in first
    last = client.get("/pupils/?q=Surname&page=3").content.decode()
    assert len(table(last, "pupils")) == 20 and 'rel="next"' not in last
    assert "q=Surname&amp;page=2" in last


def test_the_experiences_list_filters_by_year_kind_term_and_employer(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    year9 = add_pupils(world.a, 2, start=600)
    year10 = add_pupils(world.a, 2, start=700, year=10, group="10A")
    add_experiences(world.a, 2, start=0, pupils=year9, day=date(2025, 10, 1))
    add_experiences(world.a, 1, start=10, pupils=year10, day=date(2026, 2, 1), kind="placement")
    html = client.get("/experiences/").content.decode()
    assert "1.5 days (7.5 hours)" in html and "1 October 2025" in html
    # Year 9 today were Year 8 in 2025/26's autumn.
    titles = lambda html: [row[0] for row in table(html, "experiences")]  # noqa: E731
    # The world's own visit (its Year 9 pupil, then in Year 8) is there too.
    assert titles(client.get("/experiences/?year=8").content.decode()) == [
        "Visit 1",
        "Visit 0",
        f"Visit to {world.a.employer.name}",
    ]
    assert titles(client.get("/experiences/?kind=placement").content.decode()) == ["Visit 10"]
    assert titles(client.get("/experiences/?term=2025-spring").content.decode()) == ["Visit 10"]
    assert len(titles(client.get("/experiences/?term=2025-autumn").content.decode())) == 3
    employer = world.a.employer.pk
    assert len(titles(client.get(f"/experiences/?employer={employer}").content.decode())) == 4
    assert "Autumn term 2025/26" in html


def test_terms_end_on_the_compass_readings():
    assert term_dates(2025, "autumn") == (date(2025, 9, 1), date(2025, 12, 31))
    assert term_dates(2025, "spring") == (date(2026, 1, 1), date(2026, 3, 31))
    assert term_dates(2025, "summer") == (date(2026, 4, 1), date(2026, 8, 31))


def test_the_list_of_pupils_behind_can_put_the_disadvantaged_first(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    add_pupils(world.a, 2, start=800, year=8, group="8A")
    add_pupils(world.a, 2, start=810, year=8, group="8A", disadvantaged=True)
    html = client.get("/pupils/?group=8A&behind=on&sort=priority").content.decode()
    assert names_on(html) == [
        "Surname00810, Pupil810",
        "Surname00811, Pupil811",
        "Surname00800, Pupil800",
        "Surname00801, Pupil801",
    ]


def test_durations_dates_gaps_and_fsm_quarters_are_written_in_words():
    from learners.templatetags.progress_tags import (
        days_hours,
        fsm_quarter,
        gap_short,
        gap_words,
        uk_date,
    )

    assert days_hours(Decimal("10")) == "2 days (10 hours)"
    assert days_hours(Decimal("5")) == "1 day (5 hours)"
    assert days_hours(Decimal("2.50")) == "half a day (2.5 hours)"
    assert uk_date(date(2026, 3, 3)) == uk_date("2026-03-03") == "3 March 2026"
    assert gap_words(Decimal("14.0")) == "FSM pupils are 14 points behind others"
    assert gap_words(-2.5, "SEND pupils") == "SEND pupils are 2.5 points ahead of others"
    assert gap_words(0) == "FSM pupils are level with others"
    assert gap_short(1) == "1 point behind" and gap_short(None) == "—"
    assert fsm_quarter("Q1") == "Lowest FSM quarter" and fsm_quarter("Q4") == "Highest FSM quarter"

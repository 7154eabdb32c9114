"""Read what the platform publishes where people read it, and set it beside the oracle:
the pages (parsed with the standard library's HTML parser), the API, and the report runs'
JSON, CSV and PDF text (pdftotext). Display rules are stated here once, as the spec of
how a figure is written: days without trailing zeros ("2.5", "10"), percentages to one
decimal without a trailing ".0" ("6.3%", "100%"), a dash for nobody to count.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import tempfile
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

from access.actor import actor_for_user
from access.context import acting_as

from . import model as m
from .compare import differences
from .load import Loaded

# The API's pupil-progress fields and the oracle figure each carries, in one place (the
# fields are being renamed in parallel: switch the names here after that merge).
API_PUPIL_FIELDS = {
    "year_group": lambda p: p.year_group,
    "ks3_in_person_days": lambda p: m.days(p.ks3_in_person_hours),
    "ks3_virtual_days_logged": lambda p: m.days(p.ks3_virtual_hours),
    "ks3_virtual_days_counted": lambda p: m.days(p.ks3_hours - p.ks3_in_person_hours),
    "ks3_days_counted": lambda p: m.days(p.ks3_hours),
    "ks3_expected_days": lambda p: p.ks3_expected_days,
    "ks4_days_counted": lambda p: m.days(p.ks4_hours),
    "ks4_placement_days_counted": lambda p: m.days(p.ks4_placement_hours),
    "ks4_expected_days": lambda p: p.ks4_expected_days,
    "total_days_uncapped": lambda p: m.days(p.total_hours),
    "ks3_employers": lambda p: p.ks3_employers,
    "ks4_employers": lambda p: p.ks4_employers,
    "ks3_sectors": lambda p: p.ks3_sectors,
    "ks4_sectors": lambda p: p.ks4_sectors,
    "ks3_tiers_reached": lambda p: list(p.ks3_tiers),
    "ks4_tiers_reached": lambda p: list(p.ks4_tiers),
    "tiers_reached": lambda p: list(p.tiers),
    "ks3_week_met": lambda p: p.ks3_week_met,
    "ks4_week_met": lambda p: p.ks4_week_met,
    "ten_days_met": lambda p: p.ten_days_met,
    "behind": lambda p: p.behind,
    "status": lambda p: "ten_days_met" if p.ten_days_met else "behind" if p.behind else "on_track",
    # Deprecated names, kept for one release: still the same figures.
    "ks3_days": lambda p: m.days(p.ks3_hours),
    "ks3_virtual_days": lambda p: m.days(p.ks3_virtual_hours),
    "ks4_days": lambda p: m.days(p.ks4_hours),
    "ks4_placement_days": lambda p: m.days(p.ks4_placement_hours),
    "total_days": lambda p: m.days(p.total_hours),
    "reached_tiers": lambda p: list(p.tiers),
}


# -- Display rules


def days_text(hours) -> str:
    value = (Decimal(hours) / m.HOURS_PER_DAY).quantize(Decimal("0.01")).normalize()
    return f"{value:f}"


def pct_text(value) -> str:
    return "—" if value is None else f"{float(value):g}%"


def dash(value) -> str:
    return "—" if value is None else str(value)


def uk_date_text(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def gap_text(points, group: str) -> str:
    """A headline gap in words: "FSM pupils are 14 points behind others"."""
    if points is None:
        return f"No gap to show: there are no {group} or no others to compare."
    size = f"{abs(Decimal(points)).normalize():f}"
    unit = "point" if size == "1" else "points"
    if points > 0:
        return f"{group} are {size} {unit} behind others"
    if points < 0:
        return f"{group} are {size} {unit} ahead of others"
    return f"{group} are level with others"


def gap_cell(points) -> str:
    """A gap in a table's cell: "14 points behind", "3 points ahead", "level"."""
    if points is None:
        return "—"
    if not points:
        return "level"
    size = f"{abs(Decimal(points)).normalize():f}"
    return f"{size} point{'' if size == '1' else 's'} {'behind' if points > 0 else 'ahead'}"


def change_cell(cell: dict) -> str:
    """A self-rated change cell: "+1.5 (3)", "-0.5 (2)", "0.0 (1)", or a dash."""
    if not cell["pairs"]:
        return "—"
    change = cell["average_change"]
    return f"{'+' if change > 0 else ''}{change:f} ({cell['pairs']})"


def self_rated_rows(skills: dict) -> list[list[str]]:
    return [[row["skill"], *(change_cell(c) for c in row["by_year"])] for row in skills["rows"]]


def days_figure(value) -> str:
    """A figure already in days, without trailing zeros ("1.53", "1.7", "1"), or a dash."""
    return "—" if value is None else f"{Decimal(value).normalize():f}"


def programme_rows(programme: dict) -> list[list[str]]:
    """The programme page's table: year, plan (or "No published plan"), activities planned
    and delivered, days per pupil planned and delivered."""
    return [
        [
            f"Year {y['year_group']}",
            y["plan"] or "No published plan",
            str(y["activities_planned"]),
            str(y["activities_delivered"]),
            days_figure(y["planned_days_per_pupil"]),
            days_figure(y["delivered_days_per_pupil"]),
        ]
        for y in programme["years"]
    ]


def objectives_text(programme: dict) -> str:
    return (
        f"Objectives covered by the plans: {programme['objectives_planned']} of "
        f"{programme['objectives_total']}; delivered: {programme['objectives_delivered']}"
    )


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def status_text(p: m.PupilProgress) -> str:
    return "Ten days met" if p.ten_days_met else "Behind" if p.behind else "On track"


# -- Reading pages


class Page(HTMLParser):
    """Tables as lists of rows of cell texts (with their captions), definition lists as
    (term, text) pairs, and the texts of paragraphs."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self.captions, self.facts, self.texts = [], [], [], []
        self._cell = self._term = self._text = None
        self._row = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
            self.captions.append("")
        elif tag == "caption":
            self._cell = []
        elif tag == "tr" and self.tables:
            self._row = []
        elif (tag in ("td", "th") and self._row is not None) or tag in ("dt", "dd"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")
        elif tag == "p":
            self._text = []

    def handle_endtag(self, tag):
        if tag == "p" and self._text is not None:
            self.texts.append(_clean("".join(self._text)))
            self._text = None
        elif tag == "caption" and self._cell is not None:
            self.captions[-1] = _clean("".join(self._cell))
            self._cell = None
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(_clean("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self.tables[-1].append(self._row)
            self._row = None
        elif tag == "dt":
            self._term, self._cell = _clean("".join(self._cell)), None
        elif tag == "dd" and self._cell is not None:
            self.facts.append((self._term, _clean("".join(self._cell))))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._text is not None:
            self._text.append(data)

    def body_rows(self, index: int) -> list[list[str]]:
        """A table's rows less its header row."""
        return self.tables[index][1:]

    def captioned(self, caption: str) -> int:
        """The index of the table whose caption reads so (pages put tables in any order)."""
        return self.captions.index(caption)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# -- Pages


def school_summary_page(client, loaded: Loaded, school: m.School, as_at: date) -> list[str]:
    world = loaded.world
    page = Page(_get(client, f"/progress/?as_at={as_at.isoformat()}"))
    expected_compass = [
        [
            a["band"],
            str(a["numerator"]),
            str(a["denominator"]),
            "—" if a["percent"] is None else f"{a['percent']}%",  # one decimal kept: "50.0%"
        ]
        for a in m.compass(world, m.pupils_of_school(world, school.id), as_at)
    ]
    actual_compass = [row[1:] for row in page.body_rows(0)]
    expected_years = [
        [
            f"Year {r['year_group']}",
            *(str(r[k]) for k in ("pupils", "on_track", "behind", "ks3_met", "ks4_met")),
            pct_text(r["fsm_on_track_pct"]),
            pct_text(r["others_on_track_pct"]),
        ]
        for r in m.school_year_table(world, school.id, as_at)
    ]
    where = f"summary page {school.id}"
    return differences(expected_compass, actual_compass, f"{where} compass") + differences(
        expected_years, page.body_rows(1), f"{where} years"
    )


def school_report_page(client, loaded: Loaded, school: m.School, as_at: date) -> list[str]:
    """The school's report page shows its latest built school_b6 run."""
    expected = m.school_summary(loaded.world, school.id, as_at)
    page = Page(_get(client, f"/reports/school/{loaded.db('schools', school.id)}/"))
    h, x = expected["headline"], expected["experiences"]
    facts = [
        str(h["pupils"]),
        pct_text(h["on_track_pct"]),
        gap_text(h["fsm_gap"], "FSM pupils"),
        gap_text(h["send_gap"], "SEND pupils"),
        f"{pct_text(x['meaningful_pct'])} (all seven criteria: {pct_text(x['all_seven_pct'])})",
        f"{pct_text(x['reflected_pct'])} "
        f"({x['reflected']} of {x['participations']} participations)",
    ]
    compass = [[a["band"], str(a["numerator"]), str(a["denominator"])] for a in expected["compass"]]
    years = [
        [
            f"Year {y['year_group']}",
            str(y["pupils"]),
            pct_text(y["on_track_pct"]),
            str(y["ks3_met"]),
            str(y["ks4_met"]),
            gap_cell(y["fsm_gap"]),
        ]
        for y in expected["years"]
    ]
    tables = [t for t in page.tables if t]
    where = f"school report page {school.id}"
    skills = page.tables[page.captioned("Self-rated change per skill by year group")][1:]
    programme = page.tables[page.captioned("Programme: planned and delivered days by year group")]
    objectives = objectives_text(expected["programme"])
    return (
        differences(facts, [text for _t, text in page.facts], f"{where} headline")
        + differences(compass, [row[1:] for row in tables[0][1:]], f"{where} compass")
        + differences(years, tables[1][1:], f"{where} years")
        + differences(self_rated_rows(expected["skills"]), skills, f"{where} self-rated skills")
        + differences(programme_rows(expected["programme"]), programme[1:], f"{where} programme")
        + ([] if objectives in page.texts else [f"{where}: no {objectives!r}"])
    )


def cohort_page(client, loaded: Loaded, school: m.School, year: int, as_at: date) -> list[str]:
    world = loaded.world
    page = Page(_get(client, f"/progress/year/{year}/?as_at={as_at.isoformat()}"))
    cohort = m.academic_year(as_at) - (year - 7)
    progress = {
        p.id: m.pupil_progress(world, p, as_at)
        for p in m.pupils_of_school(world, school.id)
        if p.cohort == cohort
    }
    pupils = world.by_id("pupils")
    by_upn = {p.upn: p.id for p in pupils.values()}
    expected = []
    for row in m.cohort_rows(world, school.id, year, as_at):
        p = progress[by_upn[row["upn"]]]
        flags = " ".join(
            word
            for word, on in (
                ("PP", p.pupil.disadvantaged),
                ("FSM", p.pupil.fsm),
                ("SEND", p.pupil.send != "N"),
            )
            if on
        )
        # A leaver is shown as one, beside the name (issue 13), whatever the reading's date.
        left = f" left {p.pupil.left_on.day} {p.pupil.left_on:%B %Y}" if p.pupil.left_on else ""
        expected.append(
            [
                f"{p.pupil.surname}, {p.pupil.first_name}{left}",
                flags,
                days_text(p.ks3_hours),
                str(p.ks3_employers),
                days_text(p.ks4_placement_hours),
                days_text(p.total_hours),
                status_text(p),
            ]
        )
    actual = [row for row in page.body_rows(0) if row != ["No pupils match."]]
    return differences(expected, actual, f"cohort page {school.id} Y{year}")


def pupil_page(client, loaded: Loaded, pupil: m.Pupil, today: date) -> list[str]:
    """The timeline page reads progress as at today."""
    world = loaded.world
    page = Page(_get(client, f"/pupils/{loaded.db('pupils', pupil.id)}/"))
    p = m.pupil_progress(world, pupil, today)
    cap = world.hub_of_pupil(pupil).ks3_virtual_cap_days * m.HOURS_PER_DAY
    met = {True: "met", False: "not yet met"}
    expected_facts = [
        f"{days_text(p.ks3_hours)} of 5 days (at most {days_text(cap)} virtual), "
        f"{plural(p.ks3_employers, 'employer')} · {met[p.ks3_week_met]}",
        f"{days_text(p.ks4_placement_hours)} of 5 days · {met[p.ks4_week_met]}",
        days_text(p.total_hours),
        f"KS3: {plural(p.ks3_employers, 'employer')}, {plural(p.ks3_sectors, 'sector')} · "
        f"KS4: {plural(p.ks4_employers, 'employer')}, {plural(p.ks4_sectors, 'sector')}",
        status_text(p),
        " ".join(f"T{t}" for t in p.tiers) or "none yet",
    ]
    actual_facts = [text for _term, text in page.facts[: len(expected_facts)]]

    def length_text(hours: Decimal) -> str:
        in_days, in_hours = days_text(hours), f"{Decimal(hours).normalize():f}"
        in_hours = f"{in_hours} hour{'' if in_hours == '1' else 's'}"
        if in_days == "0.5":
            return f"half a day ({in_hours})"
        return f"{in_days} day{'' if in_days == '1' else 's'} ({in_hours})"

    expected_rows = [
        [
            f"Year {row['year_group']}",
            row["title"],
            " · ".join(row["employers"]),
            length_text(row["hours"]),
            "Yes" if row["counted"] else "No: " + "; ".join(row["reasons"]),
        ]
        for row in m.timeline(world, pupil)
    ]
    # Cells: date, year, title (then kind · tier · each employer), setting, hours, counted.
    actual_rows = [
        [r[1], " ".join(r[2].split()[:3]), " · ".join(r[2].split(" · ")[2:]), r[4], r[5]]
        for r in page.body_rows(page.captioned("Every experience, oldest first"))
        if len(r) > 5
    ]
    where = f"pupil page {pupil.id}"
    return differences(expected_facts, actual_facts, f"{where} facts") + differences(
        expected_rows, actual_rows, f"{where} timeline"
    )


def hub_page_rows(summary: dict) -> tuple[list, list, list]:
    """What the hub dashboard (page and PDF) shows of a summary: school rows, trend rows,
    and the sectors-and-employers facts."""
    schools = [
        [
            r["name"],
            r["type"],
            str(r["pupils"]),
            pct_text(r["on_track_pct"]),
            pct_text(r["ks3_met_pct"]),
            pct_text(r["ks4_met_pct"]),
            r["q1_band"],
            r["q3_band"],
            gap_cell(r["fsm_gap"]),
        ]
        for r in summary["schools"]
    ]
    trend = [
        [
            uk_date_text(t["date"]),
            pct_text(t["on_track_pct"]),
            pct_text(t["q1_pct"]),
            pct_text(t["q3_pct"]),
        ]
        for t in summary["trend"]
    ] or [["No formal reading yet this academic year."]]
    e, s = summary["employers"], summary["sectors"]
    facts = [
        f"{len(s['growth_covered'])} of {len(s['growth'])}",
        f"{e['engaged']} of {e['partners']} partners (SMEs {pct_text(e['sme_pct'])})",
        f"{e['places_offered']} in {e['opportunities']} opportunities; "
        f"{e['places_filled']} filled ({pct_text(e['filled_pct'])})",
    ]
    return schools, trend, facts


def hub_page(client, loaded: Loaded, hub: m.Hub, as_at: date) -> list[str]:
    page = Page(_get(client, "/reports/hub/"))
    schools, trend, facts = hub_page_rows(m.hub_summary(loaded.world, hub.id, as_at))
    tables = [t for t in page.tables if t]
    return (
        differences(schools, tables[0][1:], f"hub page {hub.id} schools")
        + differences(trend, tables[1][1:], f"hub page {hub.id} trend")
        + differences(facts, [text for _t, text in page.facts], f"hub page {hub.id} facts")
    )


def gap_words(gap, group: str) -> str:
    """The home page's sentence for a gap (positive: the group is behind), in plain words."""
    if gap is None:
        return f"There are no {group} to compare with others yet."
    size = abs(gap).normalize()
    points = f"{size:f} point" + ("" if size == 1 else "s")
    who = group[0].upper() + group[1:]
    if gap == 0:
        return f"{who} are level with others."
    return f"{who} are {points} {'behind' if gap > 0 else 'ahead of'} others."


def hub_home_page(client, loaded: Loaded, hub: m.Hub, as_at: date) -> list[str]:
    """The hub lead's home (live, as at today): headline facts, gaps in words, and every
    school's row of the schools table (sorted by name, all pages read)."""
    expected = m.hub_summary(loaded.world, hub.id, as_at)
    t, e = expected["totals"], expected["employers"]
    page = Page(_get(client, "/?sort=name"))
    facts = dict(page.facts)
    partners = f"{e['partners']}; {e['engaged']} met your pupils this academic year"
    if e["sme_pct"] is not None:
        partners += f", {pct_text(e['sme_pct'])} of them small or medium-sized"
    offers = f"{e['opportunities']} opportunit{'y' if e['opportunities'] == 1 else 'ies'}"
    places = f"{e['places_offered']} in {offers}; {e['places_filled']} filled"
    if e["filled_pct"] is not None:
        places += f" ({pct_text(e['filled_pct'])})"
    found = differences(
        [
            str(t["pupils"]),
            pct_text(t["on_track_pct"]),
            pct_text(t["ks3_met_pct"]),
            pct_text(t["ks4_met_pct"]),
            partners,
            places,
        ],
        [
            facts.get("Pupils in Years 7 to 11"),
            facts.get("On track for the ten days"),
            facts.get("Year 9 with their KS3 week (Compass question 1)"),
            facts.get("Year 11 with their KS4 week of placements (Compass question 3)"),
            facts.get("Partner employers"),
            facts.get("Places offered this academic year"),
        ],
        f"hub home {hub.id} facts",
    )
    html = _get(client, "/")
    for words in (
        gap_words(t["fsm_gap"], "FSM pupils"),
        gap_words(t["send_gap"], "pupils with SEND"),
    ):
        if words not in html:
            found.append(f"hub home {hub.id}: {words!r} not on the page")
    expected_rows = [
        [
            r["name"],
            r["type"],
            str(r["pupils"]),
            pct_text(r["on_track_pct"]),
            pct_text(r["ks3_met_pct"]),
            pct_text(r["ks4_met_pct"]),
            gap_cell(r["fsm_gap"]),
            gap_cell(r["send_gap"]),
        ]
        for r in sorted(expected["schools"], key=lambda r: r["name"].casefold())
    ]
    rows, pages, number = [], 1, 1
    while number <= pages:
        html = _get(client, f"/?sort=name&page={number}")
        shown = re.search(r"page \d+ of (\d+)\.", html)
        pages = int(shown.group(1)) if shown else 1
        table = next(t for t in Page(html).tables if t and len(t[0]) == 8 and t[0][1] == "Type")
        rows += table[1:]
        number += 1
    skills = [
        [
            r["skill"],
            str(r["pairs"]),
            "—"
            if not r["pairs"]
            else f"{'+' if r['average_change'] > 0 else ''}{r['average_change']:f}",
            str(r["improved"]),
        ]
        for r in m.hub_self_rated_skills(loaded.world, hub.id, as_at)
    ]
    html = _get(client, "/?sort=name")
    home = Page(html)
    caption = "Self-rated change per skill across your schools"
    if caption in home.captions:
        shown = home.tables[home.captioned(caption)][1:]
    else:  # the page says so in words instead of a table of zeros
        shown = [] if "No pupil has rated themselves both before" in html else [["(missing)"]]
        skills = [] if not any(r[1] != "0" for r in skills) else skills
    return (
        found
        + differences(expected_rows, rows, f"hub home {hub.id} schools")
        + differences(skills, shown, f"hub home {hub.id} self-rated skills")
    )


def national_rows(world: m.World, as_at: date) -> list[list[str]]:
    return [
        [
            h["name"],
            h["region"],
            f"{as_at.day} {as_at:%B %Y}",
            str(h["totals"]["schools"]),
            str(h["totals"]["pupils"]),
            pct_text(h["totals"]["on_track_pct"]),
            pct_text(h["totals"]["ks3_met_pct"]),
            pct_text(h["totals"]["ks4_met_pct"]),
            gap_cell(h["totals"]["fsm_gap"]),
        ]
        for h in m.national(world, as_at)
    ]


def national_page(client, loaded: Loaded, as_at: date, today: date) -> list[str]:
    """The live table (as at today, no date column), then the latest built readings."""
    page = Page(_get(client, "/reports/national/"))
    live = [row[:2] + row[3:] for row in national_rows(loaded.world, today)]
    return differences(live, page.body_rows(0), "national page, live") + differences(
        national_rows(loaded.world, as_at), page.body_rows(1), "national page, readings"
    )


# -- API


def api_get(client, secret: str, url: str):
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


def api_pupils(client, secret, loaded: Loaded, school: m.School, as_at: date) -> list[str]:
    world = loaded.world
    body = api_get(client, secret, f"/api/v1/progress/pupils/?as_at={as_at}&page_size=1000")
    actual = {loaded.plain("pupils", row["pupil"]): row for row in body["results"]}
    found = []
    if set(actual) != {p.id for p in m.pupils_of_school(world, school.id)}:
        found.append(f"api pupils {school.id}: pupils {sorted(actual)}")
    for pupil in m.pupils_of_school(world, school.id):
        p = m.pupil_progress(world, pupil, as_at)
        expected = {name: figure(p) for name, figure in API_PUPIL_FIELDS.items()}
        found += differences(expected, actual.get(pupil.id, {}), f"api pupil {pupil.id}")
    # The per-pupil endpoint gives the same figures (a few pupils: each read is one request).
    for pupil in m.pupils_of_school(world, school.id)[:3]:
        p = m.pupil_progress(world, pupil, as_at)
        db_id = loaded.db("pupils", pupil.id)
        one = api_get(client, secret, f"/api/v1/pupils/{db_id}/progress/?as_at={as_at}")
        expected = {name: figure(p) for name, figure in API_PUPIL_FIELDS.items()}
        found += differences(expected, one, f"api pupil {pupil.id} (own endpoint)")
    return found


def api_school(client, secret, loaded: Loaded, school: m.School, as_at: date) -> list[str]:
    world = loaded.world
    db_id = loaded.db("schools", school.id)
    body = api_get(client, secret, f"/api/v1/schools/{db_id}/progress/?as_at={as_at}")
    compass = [
        {k: a[k] for k in ("code", "band", "numerator", "denominator")}
        for a in m.compass(world, m.pupils_of_school(world, school.id), as_at)
    ]
    return differences(
        m.school_year_table(world, school.id, as_at), body["year_groups"], f"api school {school.id}"
    ) + differences(compass, body["compass"], f"api compass {school.id}")


def api_national(client, secret, loaded: Loaded, as_at: date, today: date) -> list[str]:
    found = []
    for query, day in (("", today), ("?reading=latest", as_at)):
        body = api_get(client, secret, f"/api/v1/national/hubs/{query}")
        expected = [{**h, "as_at": day} for h in m.national(loaded.world, day)]
        found += differences(expected, body, f"api national{query}")
    return found


# -- Report runs: JSON, CSV, PDF


def build_run(user, **request) -> object:
    from reports.services import report_request
    from reports.tasks import build_report

    actor = actor_for_user(user)
    with acting_as(actor):
        run = report_request(actor=actor, **request)
        build_report(run.pk, actor=actor.to_spec())
        run.refresh_from_db()
    assert run.status == "done", run.error
    return run


def csv_rows(run) -> list[list[str]]:
    return list(csv.reader(io.StringIO(run.csv.open("rb").read().decode())))


def pdf_lines(run) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(run.pdf.open("rb").read())
        handle.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    return [_clean(line) for line in text.splitlines() if line.strip()]


def _csv_value(value) -> str:
    return "" if value is None else str(value)


def _csv_number(value) -> str:
    """A percentage or gap in the CSV: one decimal always ("50.0"), empty for nobody."""
    return "" if value is None else str(float(value))


def _words(text: str) -> list[str]:
    # pdftotext may drop the spaces around "/" ("0 / 1 / 0" comes out "0/1/0"), and a
    # cell's text may run on into a colon ("2 of 3: Health, ...").
    return [w.rstrip(":,;") for w in text.replace("/", " / ").split()]


def _lines_missing(expected_lines: list[str], lines: list[str], where: str) -> list[str]:
    """Each expected row appears, in order, in the PDF's text: its words in sequence within
    a short stretch (a table cell that wraps puts the rest of its words further on)."""
    words = _words(" ".join(lines))
    found, position = [], 0
    for line in expected_lines:
        wanted = _words(line)
        at = _find_in_order(wanted, words, position)
        if at is None:
            found.append(f"{where}: no row {line!r}")
        else:
            position = at
    return found


FIGURE = re.compile(r"[\d%—]")


def _find_in_order(wanted: list[str], words: list[str], start: int) -> int | None:
    """Where `wanted` ends, found in words[start:] in a stretch beginning at its first word
    and at most twice its length plus 8 words long: its figures (words with a digit, "%" or
    a dash) in order, its other words anywhere in the stretch (wrapped cells move them)."""
    from collections import Counter

    def is_figure(word: str) -> bool:  # "(26-50%)" in a band's name is not a figure
        return bool(FIGURE.search(word)) and not word.startswith("(")

    figures = [w for w in wanted if is_figure(w)]
    names = Counter(w for w in wanted if not is_figure(w))
    for begin in range(start, len(words)):
        if words[begin] != wanted[0]:
            continue
        stretch = words[begin : begin + 2 * len(wanted) + 8]
        if names - Counter(stretch):
            continue
        cursor = 0
        for figure in figures:
            while cursor < len(stretch) and stretch[cursor] != figure:
                cursor += 1
            if cursor == len(stretch):
                break
            cursor += 1
        else:
            return begin + cursor
    return None


def school_report(loaded: Loaded, school: m.School, as_at: date) -> list[str]:
    world = loaded.world
    run = build_run(
        loaded.leaders[school.id],
        kind="school_b6",
        school_id=loaded.db("schools", school.id),
        as_at=as_at,
    )
    expected = m.school_summary(world, school.id, as_at)
    expected["school"]["id"] = loaded.db("schools", school.id)
    where = f"school_b6 run {school.id}"
    found = differences(expected, run.summary, f"{where} json")
    rows = csv_rows(run)
    years = [
        [
            str(y["year_group"]),
            str(y["pupils"]),
            str(y["on_track"]),
            str(y["behind"]),
            _csv_number(y["on_track_pct"]),
            str(y["ks3_met"]),
            str(y["ks4_met"]),
            _csv_number(y["fsm_gap"]),
        ]
        for y in expected["years"]
    ]
    compass = [
        [a["code"], a["band"], str(a["numerator"]), str(a["denominator"])]
        for a in expected["compass"]
    ]
    p = expected["programme"]
    programme = [
        [
            str(y["year_group"]),
            _csv_value(y["plan"]),
            str(y["activities_planned"]),
            str(y["activities_delivered"]),
            _csv_value(y["planned_days_per_pupil"]),
            _csv_value(y["delivered_days_per_pupil"]),
        ]
        for y in p["years"]
    ]
    found += differences(
        [
            *years,
            [],
            ["Compass question", "Band", "Pupils", "Of"],
            *compass,
            [],
            [
                "Programme year group",
                "Published plan",
                "Activities planned",
                "Delivered",
                "Planned days per pupil",
                "Delivered days per pupil",
            ],
            *programme,
            [],
            [
                "Objectives covered by the plans",
                str(p["objectives_planned"]),
                "of",
                str(p["objectives_total"]),
            ],
            ["Objectives delivered", str(p["objectives_delivered"])],
        ],
        rows[1:],
        f"{where} csv",
    )
    h, x = expected["headline"], expected["experiences"]
    pdf = [
        f"Year {y['year_group']} {y['pupils']} {y['on_track']} {y['behind']} {y['ks3_met']} "
        f"{y['ks4_met']} {gap_cell(y['fsm_gap'])}"
        for y in expected["years"]
    ]
    pdf += [
        f"Pupil participations {x['participations']}",
        f"Meeting all seven criteria {x['all_seven']} ({pct_text(x['all_seven_pct'])})",
        f"Pupils reflected (M7) {x['reflected']} ({pct_text(x['reflected_pct'])})",
        f"By tier: T1 / T2 / T3 {x['t1']} / {x['t2']} / {x['t3']}",
        f"Distinct employers {x['employers']}",
        f"Distinct sectors {x['sectors']}",
    ]
    pdf += [" ".join(row) for row in self_rated_rows(expected["skills"])]
    pdf += ["Programme", *(" ".join(row) for row in programme_rows(p)), objectives_text(p)]
    gaps = f"{gap_cell(h['fsm_gap'])} {gap_cell(h['send_gap'])}"
    headline = f"{h['pupils']} {pct_text(h['on_track_pct'])} {gaps}"
    compass_rows = [
        f"{a['code']} {a['band']} {a['numerator']} {a['denominator']}" for a in expected["compass"]
    ]
    return found + _lines_missing([headline, *compass_rows, *pdf], pdf_lines(run), f"{where} pdf")


def hub_report(loaded: Loaded, hub: m.Hub, as_at: date):
    """The hub's dashboard run (JSON, CSV, PDF); returns (run, disagreements)."""
    world = loaded.world
    run = build_run(loaded.hub_leads[hub.id], kind="hub_dashboard", as_at=as_at)
    expected = m.hub_summary(world, hub.id, as_at)
    expected["hub"]["id"] = loaded.db("hubs", hub.id)
    for row in expected["schools"]:
        row["id"] = loaded.db("schools", row["id"])
    where = f"hub_dashboard run {hub.id}"
    found = differences(expected, run.summary, f"{where} json")
    csv_expected = [
        [
            r["name"],
            r["type"],
            str(r["fsm_percent"]),
            str(r["pupils"]),
            *(_csv_number(r[k]) for k in ("on_track_pct", "ks3_met_pct", "ks4_met_pct")),
            r["q1_band"],
            r["q3_band"],
            _csv_number(r["fsm_gap"]),
        ]
        for r in expected["schools"]
    ]
    found += differences(csv_expected, csv_rows(run)[1:], f"{where} csv")
    schools, trend, _facts = hub_page_rows(expected)
    e, s = expected["employers"], expected["sectors"]
    pdf = [" ".join(row) for row in schools]
    pdf += [
        f"Employers engaged / partners {e['engaged']} / {e['partners']} "
        f"(SMEs {pct_text(e['sme_pct'])})",
    ]
    pdf += [" ".join(row) for row in trend]
    pdf.insert(
        len(schools),
        f"Growth sectors covered {len(s['growth_covered'])} of {len(s['growth'])}",
    )
    return run, found + _lines_missing(pdf, pdf_lines(run), f"{where} pdf")


def cohort_report(loaded: Loaded, school: m.School, year: int, as_at: date) -> list[str]:
    run = build_run(
        loaded.leaders[school.id],
        kind="cohort_csv",
        school_id=loaded.db("schools", school.id),
        year_group=year,
        as_at=as_at,
    )
    expected = m.cohort_rows(loaded.world, school.id, year, as_at)
    where = f"cohort_csv run {school.id} Y{year}"
    found = differences(expected, run.summary["rows"], f"{where} json")
    rows = csv_rows(run)
    if expected:
        found += differences(
            [[_csv_value(v) for v in r.values()] for r in expected], rows[1:], f"{where} csv"
        )
    return found


def record_report(loaded: Loaded, pupil: m.Pupil, as_at: date) -> list[str]:
    run = build_run(
        loaded.leaders[pupil.school],
        kind="pupil_record",
        pupil_id=loaded.db("pupils", pupil.id),
        as_at=as_at,
    )
    expected = m.pupil_record(loaded.world, pupil, as_at)
    where = f"pupil_record run {pupil.id}"
    found = differences(expected, run.summary, f"{where} json")
    csv_expected = [
        [
            e["date"].isoformat(),
            e["title"],
            e["tier"],
            e["employers"],
            e["days"],
            "yes" if e["counted"] else "no",
        ]
        for e in expected["experiences"]
    ]
    actual = [[r[0], r[1], r[3], r[4], r[5], r[6]] for r in csv_rows(run)[1:]]
    found += differences(csv_expected, actual, f"{where} csv")
    totals = expected["totals"]
    text = " ".join(pdf_lines(run))
    printed = re.search(
        r"KS3 days: ([\d.]+) · KS4 placement days: ([\d.]+) · all counted days: ([\d.]+)"
        r"( · ten days met)?",
        text,
    )
    if printed is None:
        return [*found, f"{where} pdf: no totals line"]
    found += differences(
        [totals["ks3_days"], totals["ks4_placement_days"], totals["total_days"]],
        list(printed.groups()[:3]),
        f"{where} pdf totals",
    )
    if bool(printed.group(4)) != totals["ten_days_met"]:
        found.append(f"{where} pdf: ten days met {bool(printed.group(4))}")
    return found

import functools
import html
from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from learners.progress import days as hours_to_days
from learners.progress import duration_in_words

register = template.Library()


@register.filter
@functools.lru_cache(maxsize=4096)
def days(hours) -> str:
    """Hours as days (1 day = 5 hours), without trailing zeros: 12.5 h -> "2.5". Kept for
    each value: a year group's table has a thousand of them, a few dozen distinct."""
    value = hours_to_days(hours).normalize()
    return f"{value:f}"


@register.filter
def pct(value) -> str:
    """A percentage, or a dash when there is nobody to count (None); 0 stays 0%."""
    if value is None or value == "":
        return "—"
    return f"{float(value):g}%"


@register.filter
def dash(value):
    """The value, or a dash for None (0 stays 0)."""
    return "—" if value is None or value == "" else value


_COHORT_ROW = (
    '<tr{behind}><th scope="row"><a href="{url}">{surname}, {first_name}</a>{left}</th>'
    '<td>{flags}</td><td class="num">{ks3_days}</td><td class="num">{ks3_employers}</td>'
    '<td class="num">{ks4_placement_days}</td><td class="num">{all_days}</td>'
    "<td>{status}</td></tr>"
)
_PP = '<abbr title="Disadvantaged (Pupil Premium)">PP</abbr> '


@register.simple_tag
def cohort_rows(pupils):
    """The cohort table's body rows (cohort_progress's rows), built in Python rather than
    by a {% for %} of template nodes: a year group of 300 pupils is about 6,000 nodes,
    which cost the page more than its query. The markup is what the loop made. Only the
    names are text from outside (escaped); the rest are numbers, flags and our words."""
    # One reverse for the page, not one per pupil: the pupil's number fills the slot.
    detail = reverse("pupil_detail", args=[0]).removesuffix("0/")
    rows = [
        _COHORT_ROW.format(
            behind=' class="behind"' if p["behind"] else "",
            url=f"{detail}{int(p['pk'])}/",
            # The standard library's escape: the same five characters as Django's, without
            # its lazy-string wrapper, which cost more than the rest of a row.
            surname=html.escape(p["surname"]),
            first_name=html.escape(p["first_name"]),
            # A leaver is still counted; the school sees they are no longer on the roll.
            left=f' <span class="tag">left {p["left_on"].day} {p["left_on"]:%B %Y}</span>'
            if p.get("left_on")
            else "",
            flags=(_PP if p["disadvantaged"] else "")
            + ("FSM " if p["fsm"] else "")
            + ("SEND" if p["send"] != "N" else ""),
            ks3_days=days(p["ks3_hours"]),
            ks3_employers=int(p["ks3_employers"]),
            ks4_placement_days=days(p["ks4_placement_hours"]),
            all_days=days(p["total_hours"]),
            status=_status(p),
        )
        for p in pupils
    ]
    if not rows:
        return mark_safe('<tr><td colspan="7">No pupils match.</td></tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 - names escaped, the rest ours


def _status(pupil) -> str:
    if pupil["ten_days_met"]:
        return "Ten days met"
    return "<strong>Behind</strong>" if pupil["behind"] else "On track"


def _number(value) -> str:
    """A decimal without trailing zeros: 2.50 -> "2.5", 10.00 -> "10"."""
    from decimal import Decimal

    return f"{Decimal(value).normalize():f}"


@register.filter
def days_figure(value) -> str:
    """A figure already in days (a report's "1.50") without trailing zeros ("1.5", "1",
    "0"), or a dash when there is nobody to count (None)."""
    if value is None or value == "":
        return "—"
    return _number(value)


@register.filter
def days_hours(hours) -> str:
    """A duration as the platform states it (progress.duration_in_words): days of 5 hours
    with the hours in brackets, "2 days (10 hours)", "half a day (2.5 hours)"."""
    if hours is None or hours == "":
        return "—"
    return duration_in_words(hours)


@register.filter
def uk_date(value) -> str:
    """A date as "3 March 2026", from a date or the ISO text a report's JSON carries."""
    from datetime import date, datetime

    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {value:%B %Y}"


# The hub's schools are ranked by their share of FSM pupils and cut into four: "Q1" would
# read as a Compass question, so the quarters are named in words wherever they show.
FSM_QUARTERS = {
    "Q1": "Lowest FSM quarter",
    "Q2": "Second FSM quarter",
    "Q3": "Third FSM quarter",
    "Q4": "Highest FSM quarter",
}


@register.filter
def fsm_quarter(key) -> str:
    return FSM_QUARTERS.get(key, key)


@register.filter
def gap_words(points, group: str = "FSM pupils") -> str:
    """A gap in on-track share (points: others minus the group, positive when the group is
    behind) in words: "FSM pupils are 14 points behind others"."""
    from decimal import Decimal

    if points is None or points == "":
        return f"No gap to show: there are no {group} or no others to compare."
    value = Decimal(str(points))
    size = _number(abs(value))
    unit = "point" if size == "1" else "points"
    if value > 0:
        return f"{group} are {size} {unit} behind others"
    if value < 0:
        return f"{group} are {size} {unit} ahead of others"
    return f"{group} are level with others"


@register.filter
def gap_short(points) -> str:
    """A gap in a table's cell: "14 points behind", "3 points ahead", "level", or a dash."""
    from decimal import Decimal

    if points is None or points == "":
        return "—"
    value = Decimal(str(points))
    if not value:
        return "level"
    size = _number(abs(value))
    return f"{size} point{'' if size == '1' else 's'} {'behind' if value > 0 else 'ahead'}"


@register.filter
def skill_change(cell) -> str:
    """A self-rated change cell (pupils.selectors.self_rated_change): "+1.5 (12)", or a
    dash when nobody rated both times."""
    if not cell or not cell.get("pairs"):
        return "—"
    change = Decimal(str(cell["average_change"]))
    sign = "+" if change > 0 else ""
    return f"{sign}{change:f} ({cell['pairs']})"

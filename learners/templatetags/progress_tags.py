import functools
import html

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from learners.progress import days as hours_to_days

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
            left=f' <span class="tag">left {p["left_on"].day} {p["left_on"]:%b %Y}</span>'
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

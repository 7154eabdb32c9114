from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from learners.progress import days as hours_to_days

register = template.Library()


@register.filter
def days(hours) -> str:
    """Hours as days (1 day = 5 hours), without trailing zeros: 12.5 h -> "2.5"."""
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
    '<tr{}><th scope="row"><a href="{}">{}, {}</a></th><td>{}</td>'
    '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>'
    '<td class="num">{}</td><td>{}</td></tr>'
)
_PP = mark_safe('<abbr title="Disadvantaged (Pupil Premium)">PP</abbr> ')
_STATUS = {
    "met": "Ten days met",
    "behind": mark_safe("<strong>Behind</strong>"),
    "on_track": "On track",
}


@register.simple_tag
def cohort_rows(pupils):
    """The cohort table's body rows (pupils from with_progress), built in Python rather
    than by a {% for %} of template nodes: a year group of 300 pupils is about 6,000 nodes,
    which cost the page several times its query. The markup is what the loop made; every
    value is escaped by format_html."""
    # One reverse for the page, not one per pupil: the pupil's number fills the slot.
    detail = reverse("pupil_detail", args=[0]).removesuffix("0/")
    rows = [
        format_html(
            _COHORT_ROW,
            mark_safe(' class="behind"') if p.behind else "",
            f"{detail}{p.pk}/",
            p.surname,
            p.first_name,
            _flags(p),
            days(p.ks3_hours),
            p.ks3_employers,
            days(p.ks4_placement_hours),
            days(p.total_hours),
            _STATUS["met" if p.ten_days_met else "behind" if p.behind else "on_track"],
        )
        for p in pupils
    ]
    if not rows:
        return mark_safe('<tr><td colspan="7">No pupils match.</td></tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 - each row built by format_html


def _flags(pupil):
    flags = [
        _PP if pupil.disadvantaged else "",
        "FSM " if pupil.fsm else "",
        "SEND" if pupil.send != "N" else "",
    ]
    return format_html("{}{}{}", *flags)

from django import template

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

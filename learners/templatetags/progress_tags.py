from django import template

from learners.progress import days as hours_to_days

register = template.Library()


@register.filter
def days(hours) -> str:
    """Hours as days (1 day = 5 hours), without trailing zeros: 12.5 h -> "2.5"."""
    value = hours_to_days(hours).normalize()
    return f"{value:f}"

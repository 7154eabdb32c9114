from django import template

from learners.progress import duration_in_words

register = template.Library()


@register.filter
def days_and_hours(hours) -> str:
    """Hours as DESIGN shows a length: "2 days (10 hours)"."""
    return duration_in_words(hours)

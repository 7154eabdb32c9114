from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

_MARKED = (
    '<mark class="replacement">\ufffd'
    '<span class="visually-hidden"> (a character that could not be read)</span></mark>'
)


@register.filter
def show_unreadable(text) -> str:
    """A name as read from a file, escaped, with each replacement character (U+FFFD, a
    character lost to an encoding) marked so it stands out and is announced."""
    escaped = conditional_escape(text or "")
    return mark_safe(escaped.replace("\ufffd", _MARKED))  # noqa: S308 - escaped above

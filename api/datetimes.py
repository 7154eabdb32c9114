"""The API's one datetime form. Kept apart from api.base, which imports DRF's views, so the
pagination class (which DRF's settings load first) can use it."""

from datetime import UTC, datetime

from rest_framework import serializers


def utc_iso(moment: datetime) -> str:
    """The API's one datetime form: UTC, microseconds, `Z` (2026-12-02T03:04:05.123456Z),
    so a client can paste any value it was given back into `updated_since`."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class UtcDateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return utc_iso(value) if value else None

"""The API's JSON comes out of orjson as the same bytes DRF's own renderer writes."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from api.renderers import FastJSONRenderer

VALUES = {
    "text": "Año 9 — “quoted” <tag> & ünïcode",
    "numbers": [0, -3, 2**40, 1.5, 0.1],
    "decimal": Decimal("2.50"),
    "flags": [True, False, None],
    "day": date(2026, 12, 3),
    "moment": datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=UTC),
    "naive moment": datetime(2026, 12, 3, 9, 30),
    "clock": time(14, 5),
    "length": timedelta(hours=2, minutes=30),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("Yes"),
    "tuple": (1, 2),
    7: "a number as a key",
    "nested": ReturnDict({"rows": ReturnList([{"a": 1}], serializer=None)}, serializer=None),
}


@pytest.mark.parametrize("data", [VALUES, [VALUES, VALUES], {}, []])
def test_it_writes_what_drfs_renderer_writes(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_nothing_renders_as_no_bytes():
    assert FastJSONRenderer().render(None) == b""


def test_an_indented_request_is_indented_as_drf_does_it():
    accepted = "application/json; indent=2"
    ours = FastJSONRenderer().render(VALUES, accepted)
    assert ours == JSONRenderer().render(VALUES, accepted)
    assert b"\n  " in ours

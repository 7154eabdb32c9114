"""UK postcodes, and the distance bands schools filter opportunities by.

No geocoding data ships with the platform (it must run offline), so distance is banded by
the postcode's own structure: the same district ("LS6") is near, the same area ("LS") is
within travelling distance. Coarse, honest and free of third-party lookups.
"""

from __future__ import annotations

import re

from django.db.models import Q, TextChoices

_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")


class DistanceBand(TextChoices):
    DISTRICT = "district", "Same postcode district as the school (nearby)"
    AREA = "area", "Same postcode area as the school"


def postcode_clean(text: str) -> str:
    """'ls61an' -> 'LS6 1AN'; ValueError for anything that is not a UK postcode."""
    compact = "".join(text.split()).upper()
    if not _POSTCODE.match(compact):
        raise ValueError("Enter a UK postcode, for example SW1A 1AA.")
    return f"{compact[:-3]} {compact[-3:]}"


def district(postcode: str) -> str:
    """The outward code: 'LS6 1AN' -> 'LS6'."""
    return postcode_clean(postcode).split()[0]


def area(postcode: str) -> str:
    """The leading letters: 'LS6 1AN' -> 'LS'."""
    return re.match(r"[A-Z]+", postcode_clean(postcode)).group()


def within_band_q(band: str, school_postcode: str, field: str = "postcode") -> Q:
    """Rows whose (cleaned) postcode lies in the band around the school's postcode."""
    if band == DistanceBand.DISTRICT:
        return Q(**{f"{field}__startswith": f"{district(school_postcode)} "})
    if band == DistanceBand.AREA:
        return Q(**{f"{field}__regex": rf"^{area(school_postcode)}[0-9]"})
    raise ValueError(f"Unknown distance band {band!r}")

"""Compare what the platform published with what the oracle computed: a walk over the
oracle's keys, numbers compared as exact decimals ("2.50" == 2.5 == Decimal("2.5"))."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# Maps whose keys are data (school types, quartiles): their key sets must agree too.
KEYED_MAPS = ("by_type", "by_fsm_quartile")


def normal(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).normalize()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and NUMBER.match(value):
        return Decimal(value).normalize()
    return value


def differences(expected, actual, path: str = "") -> list[str]:
    """Where `actual` differs from the oracle's `expected`, one line per figure."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping, got {actual!r}"]
        found = []
        if path.rsplit(".", 1)[-1] in KEYED_MAPS and set(expected) != set(actual):
            found.append(f"{path}: keys {sorted(expected)} != {sorted(actual)}")
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing (oracle {value!r})")
            else:
                found += differences(value, actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, list | tuple):
        if not isinstance(actual, list | tuple):
            return [f"{path}: expected a list, got {actual!r}"]
        if len(expected) != len(actual):
            return [f"{path}: {len(actual)} items, oracle {len(expected)}"]
        found = []
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found += differences(e, a, f"{path}[{index}]")
        return found
    if normal(expected) != normal(actual):
        return [f"{path}: platform {actual!r}, oracle {expected!r}"]
    return []

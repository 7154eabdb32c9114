"""Counting something expensive once, however many requests ask for it at the same moment."""

import time

from django.core.cache import cache

WAIT_SECONDS = 20
POLL_SECONDS = 0.05


def counted_once(key: str, count, *, timeout: int):
    """The cached value under `key`, else `count()` stored under it. When several requests
    miss at once (a hub's dashboard just after a write moved its ledger version), one
    counts and the others wait for its result instead of each counting the same thing:
    on a busy server the copies queue behind each other and every one of them is slow.
    A waiter that sees no result within WAIT_SECONDS (the counter died) counts itself."""
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:counting"
    if cache.add(lock, 1, timeout=WAIT_SECONDS):
        try:
            value = count()
            cache.set(key, value, timeout=timeout)
            return value
        finally:
            cache.delete(lock)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        value = cache.get(key)
        if value is not None:
            return value
        if cache.get(lock) is None:
            break
    value = count()
    cache.set(key, value, timeout=timeout)
    return value

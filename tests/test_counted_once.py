import threading
import time

from django.core.cache import cache

from equalex import caching
from equalex.caching import counted_once


def test_requests_that_miss_together_count_once_and_share_the_result():
    calls = []
    results = []
    started = threading.Barrier(3)

    def count():
        calls.append(1)
        time.sleep(0.3)
        return {"pupils": 42}

    def ask():
        started.wait()
        results.append(counted_once("test-counted-once:together", count, timeout=60))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert results == [{"pupils": 42}] * 3
    assert cache.get("test-counted-once:together:counting") is None


def test_a_cached_value_is_not_counted_again():
    cache.set("test-counted-once:cached", [1, 2], timeout=60)
    assert counted_once("test-counted-once:cached", lambda: [3], timeout=60) == [1, 2]


def test_a_waiter_counts_itself_when_the_counter_never_finishes(monkeypatch):
    monkeypatch.setattr(caching, "WAIT_SECONDS", 0.2)
    # Another process took the lock and died without storing anything.
    cache.set("test-counted-once:dead:counting", 1, timeout=1)
    assert counted_once("test-counted-once:dead", lambda: "mine", timeout=60) == "mine"
    assert cache.get("test-counted-once:dead") == "mine"

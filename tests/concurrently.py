"""Real simultaneous transactions for the concurrency tests: each attempt runs in its own
thread, with its own database connection and its own actor, and all start together."""

import threading
from collections.abc import Callable

from django.db import connection

from access.context import acting_as


def at_once(attempts: list[tuple[object, Callable[[], str]]]) -> list[str]:
    """Run each (actor, attempt) at the same moment; return what each attempt said.

    An attempt returns its outcome in words (and turns the refusals it expects into words
    itself); anything else it raises becomes its repr, so the caller's assertion shows it.
    """
    start = threading.Barrier(len(attempts))
    outcomes, lock = [], threading.Lock()

    def run(actor, attempt):
        try:
            with acting_as(actor):  # a new thread starts with no actor
                start.wait(timeout=30)
                outcome = attempt()
        except Exception as error:
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=pair) for pair in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes

"""The current actor, set at exactly two edges: the request middleware and the task base."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from .actor import Actor, system_actor

_current_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "equalex_actor", default=None
)


class ScopeNotSet(RuntimeError):
    """A tenant-owned model was queried outside any request, task or explicit scope."""


def current_actor() -> Actor:
    actor = _current_actor.get()
    if actor is None:
        raise ScopeNotSet(
            "No actor is set: tenant data can only be read inside a request, a task, "
            "or acting_as(...)."
        )
    return actor


def current_actor_or_none() -> Actor | None:
    return _current_actor.get()


@contextmanager
def acting_as(actor: Actor):
    token = _current_actor.set(actor)
    try:
        yield actor
    finally:
        _current_actor.reset(token)


def all_tenants_UNSAFE(reason: str):  # the ugly name is the point: grep for it
    """Every tenant's rows, for demo data, migrations and maintenance. Say why."""
    return acting_as(system_actor(reason))

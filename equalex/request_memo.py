"""Values read once per request. Several parts of one page need the same row (the
selectors the actor's hub's counting rules, base.html the hub's recount notice): the
first reads it, the rest reuse it. Outside a request (tasks, shells, tests calling
selectors) nothing is remembered, so a rule changed meanwhile is always read afresh."""

from contextlib import contextmanager
from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("request_memo", default=None)


@contextmanager
def request_memo():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key, load):
    """load(), or what it returned earlier in this request for the same key."""
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]

"""The task edge of the scoping layer: every task runs as the actor that queued it."""

from celery import Task

from .actor import actor_from_spec
from .context import acting_as


class ScopedTask(Task):
    """Call with actor=<Actor.to_spec()>; the task body runs scoped to that actor."""

    # The actor kwarg is consumed here, not by the task body, so Celery's signature check
    # (which compares call arguments with the body's) would refuse every call.
    typing = False

    def __call__(self, *args, actor: dict, **kwargs):
        with acting_as(actor_from_spec(actor)):
            return super().__call__(*args, **kwargs)

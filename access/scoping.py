"""Querysets of tenant-owned models that fail closed.

`Model.objects` applies the current actor's scope from rules.SCOPES. With no actor set it
raises ScopeNotSet rather than return every row. `Model.all_tenants_UNSCOPED` is the
deliberately ugly bypass for the scoping layer itself, admin plumbing and migrations.

The bypass is one for both walls: on PostgreSQL the statements an all_tenants_UNSCOPED
queryset runs itself also pass row-level security (access.rls.past_the_wall). Everything
else (scoped managers, related-object lookups, instance saves, raw SQL, an unscoped
queryset used as a subquery of a scoped one) runs under the actor's policies.
"""

from django.db import models

from .context import current_actor
from .rls import past_the_wall
from .rules import SCOPES, scope_filter

UNSCOPED = "all_tenants_UNSCOPED"


class ScopedQuerySet(models.QuerySet):
    pass


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    def get_queryset(self):
        label = self.model._meta.label
        if label not in SCOPES:
            raise LookupError(f"{label} uses ScopedManager but has no entry in access.rules.SCOPES")
        condition = scope_filter(label, current_actor())
        queryset = super().get_queryset()
        if condition is None:
            return queryset.none()
        # Rules that join across to-many relations (employer hubs) would repeat rows.
        if any(lookup.startswith("hubs__") for lookup in _lookups(condition)):
            return queryset.filter(
                pk__in=models.Subquery(super().get_queryset().filter(condition).values("pk"))
            )
        return queryset.filter(condition)


class UnscopedQuerySet(models.QuerySet):
    """Runs its own statements past the database's row-level security too."""

    def _fetch_all(self):
        with past_the_wall(UNSCOPED):
            super()._fetch_all()

    def iterator(self, chunk_size=None):
        rows = super().iterator(chunk_size)
        while True:
            # Only while the driver fetches, never while the caller's loop body runs.
            with past_the_wall(UNSCOPED):
                try:
                    row = next(rows)
                except StopIteration:
                    return
            yield row


def _past_the_wall(name):
    def method(self, *args, **kwargs):
        with past_the_wall(UNSCOPED):
            return getattr(super(UnscopedQuerySet, self), name)(*args, **kwargs)

    method.__name__ = name
    return method


for _name in (
    "count",
    "exists",
    "contains",
    "aggregate",
    "explain",
    "create",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
    "update",
    "_update",
    "delete",
    "_raw_delete",
):
    setattr(UnscopedQuerySet, _name, _past_the_wall(_name))


class UnscopedManager(models.Manager.from_queryset(UnscopedQuerySet)):
    pass


def _lookups(condition):
    for child in condition.children:
        if isinstance(child, models.Q):
            yield from _lookups(child)
        else:
            yield child[0]


class TenantModel(models.Model):
    """Base for every model whose rows belong to a hub's world."""

    objects = ScopedManager()
    all_tenants_UNSCOPED = UnscopedManager()

    class Meta:
        abstract = True


def with_employers_of_pupils_own_history(participations):
    """A pupil's participations (already scoped) with each experience's employers
    prefetched whichever hubs they partner: for showing the names on the pupil's own
    timeline and record of experience only.

    The Employer scope shows a school the employers partnering its hub, but a pupil who
    moved in from another hub took part in experiences whose employers may partner only the
    old hub. An employer is a national organisation and its name on a pupil's own history
    is no secret (the pupil's figures already count it), so this reads the employers of the
    experiences of these participations alone, past the scope (all_tenants_UNSCOPED), and
    never widens the Employer rule itself. Pass nothing but the pupil's own participations.
    """
    from employers.models import Employer

    return participations.prefetch_related(
        models.Prefetch("experience__employers", queryset=Employer.all_tenants_UNSCOPED.all())
    )

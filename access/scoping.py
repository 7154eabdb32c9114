"""Querysets of tenant-owned models that fail closed.

`Model.objects` applies the current actor's scope from rules.SCOPES. With no actor set it
raises ScopeNotSet rather than return every row. `Model.all_tenants_UNSCOPED` is the
deliberately ugly bypass for the scoping layer itself, admin plumbing and migrations.
"""

from django.db import models

from .context import current_actor
from .rules import SCOPES, scope_filter


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


def _lookups(condition):
    for child in condition.children:
        if isinstance(child, models.Q):
            yield from _lookups(child)
        else:
            yield child[0]


class TenantModel(models.Model):
    """Base for every model whose rows belong to a hub's world."""

    objects = ScopedManager()
    all_tenants_UNSCOPED = models.Manager()  # noqa: DJ012 - see module docstring

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

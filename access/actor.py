"""Who is acting: built once per request or task from the user's membership."""

from __future__ import annotations

from dataclasses import dataclass, field

from .roles import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    role: Role | None = None
    membership_id: int | None = None
    hub_id: int | None = None
    school_id: int | None = None
    trust_id: int | None = None
    employer_id: int | None = None
    partner_hub_ids: tuple[int, ...] = field(default=())
    is_platform_admin: bool = False
    # A system actor runs background work on behalf of no one; it sees everything.
    system_reason: str | None = None
    # "aggregates": the same person computing totals (hub dashboards) over rows they may
    # never see one by one. Only selectors that return numbers switch to it.
    purpose: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None or self.system_reason is not None

    @property
    def sees_everything(self) -> bool:
        return self.is_platform_admin or self.system_reason is not None

    def can(self, capability: str) -> bool:
        from .rules import CAPABILITIES

        if self.sees_everything:
            return True
        return self.role is not None and self.role in CAPABILITIES[capability]

    def require(self, capability: str) -> None:
        """Services call this as well as the views, so a task or API call cannot skip it."""
        if not self.can(capability):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(capability)

    def for_aggregates(self) -> Actor:
        from dataclasses import replace

        return replace(self, purpose="aggregates")

    def to_spec(self) -> dict:
        """A JSON-safe description a Celery task rebuilds the actor from."""
        if self.system_reason:
            return {"system": self.system_reason}
        return {"user_id": self.user_id, "membership_id": self.membership_id}


ANONYMOUS = Actor()


def system_actor(reason: str) -> Actor:
    if not reason:
        raise ValueError("A system actor must say why it needs every tenant.")
    return Actor(system_reason=reason)


def actor_for_user(user, membership_id: int | None = None) -> Actor:
    """Build the actor of a signed-in user from one membership (the chosen one or the first)."""
    from hubs.models import Membership

    if user is None or not user.is_authenticated:
        return ANONYMOUS
    if not user.is_active:
        return ANONYMOUS
    memberships = Membership.all_tenants_UNSCOPED.filter(user_id=user.pk).select_related(
        "school", "employer"
    )
    membership = None
    for candidate in memberships.order_by("pk"):
        if membership_id is None or candidate.pk == membership_id:
            membership = candidate
            break
    if membership is None:
        return Actor(user_id=user.pk, is_platform_admin=user.is_superuser)
    hub_id = membership.hub_id
    trust_id = None
    partner_hub_ids: tuple[int, ...] = ()
    if membership.school_id:
        hub_id = membership.school.hub_id
        trust_id = membership.school.trust_id
    if membership.employer_id:
        partner_hub_ids = tuple(
            membership.employer.hubs.through.objects.filter(
                employer_id=membership.employer_id
            ).values_list("hub_id", flat=True)
        )
    return Actor(
        user_id=user.pk,
        role=Role(membership.role),
        membership_id=membership.pk,
        hub_id=hub_id,
        school_id=membership.school_id,
        trust_id=trust_id,
        employer_id=membership.employer_id,
        partner_hub_ids=partner_hub_ids,
        is_platform_admin=user.is_superuser,
    )


def actor_from_spec(spec: dict) -> Actor:
    from django.contrib.auth import get_user_model

    if "system" in spec:
        return system_actor(spec["system"])
    user = get_user_model().objects.filter(pk=spec.get("user_id")).first()
    return actor_for_user(user, spec.get("membership_id"))

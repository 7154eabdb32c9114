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
    # A pupil's own record (pupils.PupilAccount): the only pupil they see.
    learner_id: int | None = None
    partner_hub_ids: tuple[int, ...] = field(default=())
    # A trust lead's scope, as plain school ids (what row-level security can key on):
    # every school of the trust (its totals, pages and reports), and those of them that
    # grant the trust their named pupils (schools.TrustPupilAccess).
    trust_school_ids: tuple[int, ...] = field(default=())
    trust_named_pupil_school_ids: tuple[int, ...] = field(default=())
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

    @property
    def sees_named_pupils(self) -> bool:
        """Whether this person can see any named pupil at all (who must use MFA): school
        staff always, a trust lead only while some school grants it."""
        if not self.can("pupil.view_named"):
            return False
        return self.role != Role.TRUST_LEAD or bool(self.trust_named_pupil_school_ids)

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
    # Every request builds the actor: only the columns it reads.
    memberships = (
        Membership.all_tenants_UNSCOPED.filter(user_id=user.pk)
        .select_related("school")
        .only(
            "role",
            "hub_id",
            "school_id",
            "trust_id",
            "employer_id",
            "school__hub_id",
            "school__trust_id",
        )
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
    trust_school_ids: tuple[int, ...] = ()
    named_school_ids: tuple[int, ...] = ()
    if membership.trust_id:
        trust_id = membership.trust_id
        trust_school_ids, named_school_ids = trust_scope(trust_id)
    if membership.school_id:
        hub_id = membership.school.hub_id
        trust_id = membership.school.trust_id
    learner_id = None
    if membership.role == Role.PUPIL:
        from pupils.models import PupilAccount

        # The account, not the membership, names the pupil; without one (access switched
        # off) the person is signed in as nobody.
        learner_id = (
            PupilAccount.all_tenants_UNSCOPED.filter(
                user_id=user.pk,
                learner__school_id=membership.school_id,
                # A leaver's access ends with their time at the school.
                learner__left_on__isnull=True,
            )
            .values_list("learner_id", flat=True)
            .first()
        )
        if learner_id is None:
            return ANONYMOUS
    if membership.employer_id:
        from employers.models import Employer

        partner_hub_ids = tuple(
            Employer.hubs.through.objects.filter(employer_id=membership.employer_id).values_list(
                "hub_id", flat=True
            )
        )
    return Actor(
        user_id=user.pk,
        role=Role(membership.role),
        membership_id=membership.pk,
        hub_id=hub_id,
        school_id=membership.school_id,
        trust_id=trust_id,
        employer_id=membership.employer_id,
        learner_id=learner_id,
        partner_hub_ids=partner_hub_ids,
        trust_school_ids=trust_school_ids,
        trust_named_pupil_school_ids=named_school_ids,
        is_platform_admin=user.is_superuser,
    )


def trust_scope(trust_id: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The trust's schools, and those that grant it their named pupils, in one query: a
    grant counts only while it names the school's current trust."""
    from django.db.models import Exists, OuterRef

    from schools.models import School, TrustPupilAccess

    granted = TrustPupilAccess.all_tenants_UNSCOPED.filter(
        school_id=OuterRef("pk"), trust_id=trust_id
    )
    rows = (
        School.all_tenants_UNSCOPED.filter(trust_id=trust_id)
        .annotate(granted=Exists(granted))
        .order_by("pk")
        .values_list("pk", "granted")
    )
    rows = list(rows)
    return tuple(pk for pk, _ in rows), tuple(pk for pk, granted in rows if granted)


def actor_from_spec(spec: dict) -> Actor:
    from django.contrib.auth import get_user_model

    if "system" in spec:
        return system_actor(spec["system"])
    user = get_user_model().objects.filter(pk=spec.get("user_id")).first()
    return actor_for_user(user, spec.get("membership_id"))


def membership_sees_named_pupils(membership) -> bool:
    """Whether a membership's holder can see any named pupil (an API token's MFA rule, as
    Actor.sees_named_pupils for a signed-in person)."""
    from .rules import CAPABILITIES

    role = Role(membership.role)
    if role not in CAPABILITIES["pupil.view_named"]:
        return False
    return role != Role.TRUST_LEAD or bool(trust_scope(membership.trust_id)[1])

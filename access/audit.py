"""The audit trail of pupil data: every named read and every change, with who and when."""

from .context import current_actor_or_none
from .models import AuditEvent


def describe(actor) -> str:
    if actor is None:
        return "no actor (outside any request or task)"
    if actor.system_reason:
        return f"system: {actor.system_reason}"
    role = actor.role.label if actor.role else ("platform admin" if actor.is_platform_admin else "")
    return f"user {actor.user_id} ({role})"


def audit_record(*, action: str, instance, changed_fields=()) -> AuditEvent:
    actor = current_actor_or_none()
    return AuditEvent.all_tenants_UNSCOPED.create(
        user_id=actor.user_id if actor else None,
        actor_description=describe(actor),
        action=action,
        model=instance._meta.label,
        object_pk=str(instance.pk),
        hub_id=getattr(instance, "hub_id", None),
        school_id=getattr(instance, "school_id", None),
        changed_fields=list(changed_fields),
    )


def audit_many(actor, action: str, instances, changed=()) -> None:
    """One insert for many rows: a class logged at once, a page of pupils read by the API."""
    AuditEvent.all_tenants_UNSCOPED.bulk_create(
        AuditEvent(
            user_id=actor.user_id,
            actor_description=describe(actor),
            action=action,
            model=instance._meta.label,
            object_pk=str(instance.pk),
            hub_id=instance.hub_id,
            school_id=instance.school_id,
            changed_fields=list(changed),
        )
        for instance in instances
    )

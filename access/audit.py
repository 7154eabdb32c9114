"""The audit trail of pupil data: every named read and every change, with who and when;
exports, and failed sign-ins to staff accounts.

Why a hand-written AuditEvent rather than django-auditlog or django-pghistory: the trail
has to be scoped by tenant like every other row (access.rules.SCOPES gives a school its
events and a hub its own), and written by set-based services with one insert for many rows
(audit_many, the transfers, retention's one event per rule and night). django-auditlog
writes one LogEntry per instance from model signals, so bulk_create and queryset updates
go unrecorded or cost a row-by-row loop, it keeps field values (we keep field names only,
never what a pupil's record said), and its LogEntry has no hub or school to scope by.
django-pghistory's triggers catch bulk writes, but record changes, not reads (most of our
events are named reads), and snapshot whole rows, copying pupil data into a second place
that retention would also have to clear. Both would need their own scoping bolted on. One
small model, already behind the scoping layer, with the indexes the audit log page reads,
serves the access layer and performance better.
"""

import json
from collections import defaultdict

from django.db import connection
from django.utils import timezone

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
    rows = [
        (instance._meta.label, str(instance.pk), instance.hub_id, instance.school_id)
        for instance in instances
    ]
    _audit(actor, action, rows, changed)


def audit_rows(actor, action: str, model, rows, changed=()) -> None:
    """audit_many for rows read as dicts (`.values()` with pk, hub_id and school_id)."""
    label = model._meta.label
    _audit(
        actor,
        action,
        [(label, str(row["pk"]), row["hub_id"], row["school_id"]) for row in rows],
        changed,
    )


def _audit(actor, action: str, rows, changed) -> None:
    if not rows:
        return
    who = (actor.user_id, describe(actor), action, list(changed))
    if connection.vendor == "postgresql":
        _insert_set_based(rows, *who)
        return
    user_id, description, action, changed_fields = who
    AuditEvent.all_tenants_UNSCOPED.bulk_create(
        AuditEvent(
            user_id=user_id,
            actor_description=description,
            action=action,
            model=model,
            object_pk=object_pk,
            hub_id=hub_id,
            school_id=school_id,
            changed_fields=changed_fields,
        )
        for model, object_pk, hub_id, school_id in rows
    )


def _insert_set_based(rows, user_id, description, action, changed_fields) -> None:
    """The same events as bulk_create writes, as one INSERT of an unnested array for each
    kind of record, school and hub read (a page of 1,000 pupils read by the API is 1,000
    events of one kind, one school): bulk_create's per-object preparation and its 10,000
    bound values cost more than reading and serialising the page, and arrays repeating the
    same kind, school and hub a thousand times cost the server as much to parse as to
    insert the rows."""
    quote = connection.ops.quote_name
    names = ("at", "user", "actor_description", "action", "changed_fields")
    names += ("model", "hub_id", "school_id", "object_pk")
    columns = ", ".join(quote(AuditEvent._meta.get_field(name).column) for name in names)
    statement = (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) "  # noqa: S608 - names are ours
        "SELECT %s, %s, %s, %s, %s::jsonb, %s, %s, %s, object_pk "
        "FROM unnest(%s::varchar[]) AS object_pk"
    )
    stamps = [timezone.now(), user_id, description, action, json.dumps(changed_fields)]
    object_pks = defaultdict(list)
    for model, object_pk, hub_id, school_id in rows:
        object_pks[model, hub_id, school_id].append(object_pk)
    with connection.cursor() as cursor:
        for (model, hub_id, school_id), pks in object_pks.items():
            cursor.execute(statement, [*stamps, model, hub_id, school_id, pks])


def audit_export(actor, *, model: str, object_pk, hub_id, school_id, detail=(), rows=None):
    """A download: what was exported (a report, the audit log), with what filters, for
    which school or hub (so the people who see that trail see the export too).

    A subject access export's downloads go through here as exports of the pupil (model
    learners.Learner, the pupil's number: privacy.sar), so they show on the school's log
    and in its search for the pupil."""
    return AuditEvent.all_tenants_UNSCOPED.create(
        user_id=actor.user_id,
        actor_description=describe(actor),
        action=AuditEvent.Action.EXPORT,
        model=model,
        object_pk=str(object_pk),
        hub_id=hub_id,
        school_id=school_id,
        changed_fields=list(detail),
        rows=rows,
    )


def audit_sign_in_failed(email: str, *, via: str = "") -> None:
    """A failed sign-in, as the account tried: one event for each school or hub the
    account belongs to (so that school's careers leader, or that hub's lead, sees attempts
    on their people), or one with neither when no account matches (platform admins see
    those). Only the email typed is kept, never the password. `via` names the single
    sign-on provider of a refused single sign-on (the email is then the provider's)."""
    from django.contrib.auth import get_user_model

    from hubs.models import Membership

    email = (email or "").strip()[:150]
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    places = set()
    if user is not None:
        memberships = Membership.all_tenants_UNSCOPED.filter(user_id=user.pk).select_related(
            "school"
        )
        for m in memberships:
            if m.school_id:
                places.add((m.school.hub_id, m.school_id))
            elif m.hub_id:
                places.add((m.hub_id, None))
    AuditEvent.all_tenants_UNSCOPED.bulk_create(
        AuditEvent(
            # Nobody signed in: the attempt is anonymous, whoever's account it named.
            user_id=None,
            actor_description=(
                f"sign-in attempt as {email or '(no email)'}" + (f" via {via}" if via else "")
            )[:200],
            action=AuditEvent.Action.SIGN_IN_FAILED,
            model="accounts.User",
            object_pk=str(user.pk) if user else "",
            hub_id=hub_id,
            school_id=school_id,
        )
        for hub_id, school_id in (places or {(None, None)})
    )

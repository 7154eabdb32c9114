"""A school's settings: its grant to its trust's careers lead of its named pupils."""

from django.core.exceptions import ValidationError
from django.db import transaction

from access.audit import audit_record
from access.models import AuditEvent

from .models import School, TrustPupilAccess


@transaction.atomic
def trust_pupil_access_grant(*, actor) -> TrustPupilAccess:
    """Let the school's trust's careers lead read its named pupils (read only, each read
    audited on the school's trail). Granting again keeps the first grant."""
    actor.require("school.configure")
    school = School.objects.select_for_update().get(pk=actor.school_id)
    if school.trust_id is None:
        raise ValidationError("Your school is not in a trust, so there is nobody to grant.")
    grant = TrustPupilAccess.objects.filter(school_id=school.pk).first()
    if grant is not None and grant.trust_id == school.trust_id:
        return grant
    if grant is not None:  # given to a trust the school has since left: replaced
        grant.delete()
    grant = TrustPupilAccess.objects.create(
        school=school, hub_id=school.hub_id, trust_id=school.trust_id, granted_by_id=actor.user_id
    )
    audit_record(action=AuditEvent.Action.CREATE, instance=grant, changed_fields=["trust"])
    return grant


@transaction.atomic
def trust_pupil_access_revoke(*, actor) -> bool:
    """Take the grant back: from the next request the trust sees the school's totals only.
    False when there was none."""
    actor.require("school.configure")
    grant = TrustPupilAccess.objects.select_for_update().filter(school_id=actor.school_id).first()
    if grant is None:
        return False
    audit_record(action=AuditEvent.Action.DELETE, instance=grant, changed_fields=["trust"])
    grant.delete()
    return True

from access.audit import audit_record
from access.models import AuditEvent

from .models import Learner


def pupil_get(*, actor, pupil_id: int) -> Learner:
    """One named pupil; the read is audited. Out of scope raises Learner.DoesNotExist."""
    pupil = Learner.objects.select_related("school").get(pk=pupil_id)
    audit_record(action=AuditEvent.Action.VIEW, instance=pupil)
    return pupil

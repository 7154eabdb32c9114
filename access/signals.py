"""Changes to pupil data are audited wherever they come from: services, admin, shell."""

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from .audit import audit_record
from .models import AuditEvent

AUDITED_MODELS = (
    "learners.Learner",
    "learners.Experience",
    "learners.Participation",
    "learners.SkillRating",
)


def _on_save(sender, instance, created, update_fields=None, **kwargs):
    audit_record(
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        instance=instance,
        changed_fields=sorted(update_fields or ()),
    )


def _on_delete(sender, instance, **kwargs):
    audit_record(action=AuditEvent.Action.DELETE, instance=instance)


def connect_audit_signals():
    for label in AUDITED_MODELS:
        model = apps.get_model(label)
        post_save.connect(_on_save, sender=model, dispatch_uid=f"audit-save-{label}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"audit-delete-{label}")


connect_audit_signals()

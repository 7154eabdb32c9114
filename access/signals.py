"""Changes to pupil data are audited wherever they come from: services, admin, shell."""

from django.apps import apps
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_delete, post_save

from .audit import audit_record, audit_sign_in_failed
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


def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Django sends this from authenticate() when no backend accepts the credentials
    # (allauth's login form calls it; allauth has no failure signal of its own). The
    # password is already masked by Django; we read the email alone.
    audit_sign_in_failed(credentials.get("email") or credentials.get("username") or "")


connect_audit_signals()
user_login_failed.connect(_on_login_failed, dispatch_uid="audit-login-failed")

from django.conf import settings
from django.db import models

from .scoping import TenantModel


class AuditEvent(TenantModel):
    """Who read or changed which pupil data, and when. Written, never edited."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_description = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    model = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=64)
    hub_id = models.BigIntegerField(null=True, blank=True)
    school_id = models.BigIntegerField(null=True, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["school_id", "model", "object_pk"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_description} {self.action} {self.model}"

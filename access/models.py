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
        # A download of pupil or audit data (reports, the audit log's CSV).
        EXPORT = "export", "Exported"
        # Someone tried to sign in and failed: the record is the account tried, if any.
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        # A pupil signed in with their code (pupils/): every pupil sign-in is on the trail.
        SIGN_IN = "sign_in", "Signed in"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # No database constraint: the platform writes the column from the signed-in actor,
    # never from input, and Django still empties it when an account is deleted (SET_NULL).
    # A constraint is a deferred trigger per event at commit: reading a page of 1,000
    # pupils through the API writes 1,000 events, and their checks cost 6 ms of it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
        help_text="Who read or changed the record.",
    )
    actor_description = models.CharField(
        "who", max_length=200, help_text="The person's role, or the background task's name."
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    model = models.CharField("kind of record", max_length=100)
    object_pk = models.CharField(
        "record number", max_length=64, help_text="Which record: a number, never a name."
    )
    hub_id = models.BigIntegerField(null=True, blank=True)
    school_id = models.BigIntegerField(null=True, blank=True)
    changed_fields = models.JSONField(
        default=list, blank=True, help_text="Which fields changed, not what they said."
    )
    # How many rows one event covers, for the system's set-based work (retention): one
    # event per rule and night, not one per row. Empty for an event about one object.
    rows = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["school_id", "model", "object_pk"]),
            # The audit log page: a school's events newest first, and a hub's own events
            # (few: the partial index holds only the rows without a school).
            models.Index(fields=["school_id", "-at"], name="audit_school_at"),
            models.Index(
                fields=["hub_id", "-at"],
                name="audit_hub_level_at",
                condition=models.Q(school_id__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_description} {self.action} {self.model}"

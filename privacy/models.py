from django.db import models

from access.scoping import TenantModel


class ErasureRequest(TenantModel):
    """A careers leader's request to erase a pupil, and its confirmation by a second person.

    Two people, so one mistaken or malicious click cannot erase a record: another careers
    leader of the school, or the hub lead, confirms; the pupil is then pseudonymised at
    once (privacy.leavers) and their free text deleted. The request stays as the record
    that it was done, and why.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for a second person"
        DONE = "done", "Erased"

    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.PROTECT, related_name="+", help_text="The school's hub."
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The school that asked: its careers leaders see the request.",
    )
    learner = models.ForeignKey(
        "learners.Learner",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The pupil to erase; after erasure only their anonymous figures remain.",
    )
    reason = models.TextField(
        help_text="Why erasure was asked for, so the second person can judge it. Write no "
        "more about the pupil than that."
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.REQUESTED,
        help_text="Whether a second person has confirmed it.",
    )
    requested_by = models.ForeignKey(
        "accounts.User",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who asked.",
    )
    requested_at = models.DateTimeField(help_text="When they asked.")
    confirmed_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The second person, who confirmed it.",
    )
    confirmed_by_role = models.CharField(
        max_length=20, blank=True, help_text="Careers leader or hub lead."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="When it was done.")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "learner"],
                condition=models.Q(status="requested"),
                name="one_open_erasure_per_pupil",
            )
        ]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["hub", "status"]),
        ]

    def __str__(self):
        return f"erasure of {self.learner_id} ({self.status})"

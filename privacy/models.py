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


class SubjectAccessExport(TenantModel):
    """A subject access request: everything the platform holds about one pupil, exported
    as a ZIP of JSON files and a PDF for the family (privacy.sar).

    Only the careers leader who asked sees it or downloads it, and it is deleted with its
    files 7 days after it was built: it copies the whole record, so it must not linger.
    The request and every download are on the school's audit trail.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.CASCADE, related_name="+", help_text="The school's hub."
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The school that asked.",
    )
    learner = models.ForeignKey(
        "learners.Learner",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The pupil whose data is exported.",
    )
    # SET_NULL, not CASCADE: an account deleted the day after asking leaves an export
    # nobody can see, which retention still deletes with its files when it expires.
    requested_by = models.ForeignKey(
        "accounts.User",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The careers leader who asked: nobody else can see or download it.",
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.QUEUED,
        help_text="Whether the export is built yet.",
    )
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the export could not be built.")
    # The Celery task id that holds the export; a redelivered message carries the same id.
    claimed_by = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    build_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="7 days after it was built: then it cannot be downloaded, and the nightly "
        "retention task deletes it with its files.",
    )
    archive = models.FileField(
        "ZIP file",
        upload_to="privacy/sar/%Y/%m/",
        blank=True,
        help_text="The JSON files and the PDF, to download.",
    )
    pdf = models.FileField(
        "PDF file",
        upload_to="privacy/sar/%Y/%m/",
        blank=True,
        help_text="The export for the family to read.",
    )

    class Meta:
        verbose_name = "subject access export"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # The same person asking again while one is being built joins it.
            models.UniqueConstraint(
                fields=["school", "learner", "requested_by"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_export_per_pupil_and_requester",
            )
        ]
        indexes = [
            models.Index(fields=["school", "learner"]),
            # The nightly retention rule reads only the expired ones.
            models.Index(fields=["expires_at"], name="sar_export_expiry"),
        ]

    def __str__(self):
        return f"subject access export of {self.learner_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def has_expired(self, now) -> bool:
        return self.expires_at is not None and self.expires_at <= now

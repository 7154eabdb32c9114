from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from access.scoping import TenantModel


class ReportRun(TenantModel):
    """A requested report: built once by a worker, its outputs kept for download."""

    class Kind(models.TextChoices):
        SCHOOL_B6 = "school_b6", "School Benchmark 6 report"
        PUPIL_RECORD = "pupil_record", "Pupil record of experience"
        COHORT_CSV = "cohort_csv", "Cohort progress CSV"
        HUB_DASHBOARD = "hub_dashboard", "Hub dashboard"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    learner = models.ForeignKey(
        "learners.Learner",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The pupil, for a pupil's record of experience.",
    )
    year_group = models.PositiveSmallIntegerField(null=True, blank=True)
    as_at = models.DateField(help_text="The day the report's figures are counted as at.")
    requested_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # The Celery task id that holds the run; a redelivered message carries the same id.
    claimed_by = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    build_count = models.PositiveSmallIntegerField(default=0)
    summary = models.JSONField(
        null=True, blank=True, help_text="The report's figures, for its page and downloads."
    )
    csv = models.FileField(
        "CSV file", upload_to="reports/%Y/%m/", blank=True, help_text="The report to download."
    )
    pdf = models.FileField(
        "PDF file", upload_to="reports/%Y/%m/", blank=True, help_text="The report to download."
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # An identical request while one is queued or running joins it.
            # COALESCE so that empty scopes compare equal on SQLite as on PostgreSQL.
            models.UniqueConstraint(
                "kind",
                "hub",
                Coalesce("school", 0),
                Coalesce("learner", 0),
                Coalesce("year_group", 0),
                "as_at",
                condition=Q(status__in=["queued", "running"]),
                name="one_active_run_per_request",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "kind", "-requested_at"]),
            # The national view's latest reading per hub (reports.selectors says how).
            models.Index(
                fields=["kind", "hub", "status", "-as_at", "-finished_at"],
                name="report_run_latest_reading",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} as at {self.as_at} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

"""An organisation's request to work with a hub: to join equalex, or (an employer already
on it) to partner with one more hub. The hub lead approves or refuses it.

Kept out of models.py so this slice merges without touching it; EmployersConfig.ready()
imports this module so Django registers the model in the employers app.
"""

from django.conf import settings
from django.db import models

from access.scoping import TenantModel

from .models import Employer


class EmployerRequest(TenantModel):
    class Kind(models.TextChoices):
        JOIN = "join", "Join equalex"
        PARTNER = "partner", "Partner with another hub"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the hub lead"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.JOIN)
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    # A partner request's employer from the start; a join request's once it is approved.
    employer = models.ForeignKey(
        "employers.Employer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="requests",
    )
    # The organisation as the requester described it (a partner request copies the
    # employer's profile, so the hub lead reviews both kinds from the same facts).
    name = models.CharField("organisation name", max_length=200)
    companies_house_number = models.CharField(max_length=8, blank=True)
    size_band = models.CharField(max_length=10, choices=Employer.SizeBand.choices)
    sector = models.ForeignKey(
        "hubs.Sector", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    postcode = models.CharField(max_length=8, blank=True)
    contact_name = models.CharField(max_length=150)
    contact_email = models.EmailField()
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)

    class Meta:
        app_label = "employers"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["hub", "status"])]
        constraints = [
            models.CheckConstraint(
                name="partner_request_names_its_employer",
                condition=~models.Q(kind="partner") | models.Q(employer__isnull=False),
            ),
            models.CheckConstraint(
                name="refused_request_says_why",
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()}) to {self.hub_id}"

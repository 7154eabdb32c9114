from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from access.scoping import TenantModel


class Trust(TenantModel):
    """A multi-academy trust; its schools may sit in several hubs."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class School(TenantModel):
    class Type(models.TextChoices):
        MAINSTREAM = "mainstream", "Mainstream"
        SPECIAL = "special", "Special / SEND"
        ALTERNATIVE = "alternative", "Alternative provision"
        POST16 = "post16", "Post-16 / college"

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="schools")
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.SET_NULL, related_name="schools"
    )
    urn = models.CharField(
        "URN",
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "A URN is six digits.")],
    )
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.MAINSTREAM)
    local_authority = models.CharField(max_length=100)
    fsm_percent = models.DecimalField(
        "FSM %",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of pupils eligible for free school meals (published census figure).",
    )
    # Published in Get Information about Schools; opportunities are banded by distance to it.
    postcode = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["hub", "name"])]

    def __str__(self):
        return self.name


class TrustPupilAccess(TenantModel):
    """A school's grant to its trust's central careers lead to read its named pupils.

    Given and taken back by the school's careers leader (schools.services). It names the
    trust it was given to: a school that moves to another trust does not hand its pupils to
    the new one, because the grant counts only while it names the school's current trust
    (access.actor reads it that way). Without it the trust sees the school's totals only.
    """

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="trust_access")
    # Denormalised like every row of a hub's world (the school's hub).
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="pupil_access")
    granted_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The careers leader who granted it.",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "trust access to named pupils"
        verbose_name_plural = "trust access to named pupils"

    def __str__(self):
        return f"{self.trust} may read {self.school}'s named pupils"

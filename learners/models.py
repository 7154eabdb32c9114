from django.db import models

from access.scoping import TenantModel

from .upn import InvalidUPN, upn_validate


def validate_upn(value):
    from django.core.exceptions import ValidationError

    try:
        upn_validate(value)
    except InvalidUPN as error:
        raise ValidationError(str(error), code="invalid_upn") from error


class Learner(TenantModel):
    """A pupil. Only what the ten-day reports need is stored."""

    class SEND(models.TextChoices):
        NONE = "N", "No special educational need"
        SUPPORT = "K", "SEN support"
        EHC_PLAN = "E", "EHC plan"

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="learners")
    upn = models.CharField("UPN", max_length=13, unique=True, validators=[validate_upn])
    legal_first_name = models.CharField(max_length=100)
    preferred_first_name = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100)
    cohort = models.PositiveSmallIntegerField(
        help_text="The academic year (by its start) in which the pupil was in Year 7."
    )
    registration_group = models.CharField(max_length=20, blank=True)
    fsm = models.BooleanField("FSM", default=False, help_text="Eligible for free school meals.")
    disadvantaged = models.BooleanField(default=False, help_text="Pupil Premium.")
    send = models.CharField("SEND", max_length=1, choices=SEND.choices, default=SEND.NONE)
    looked_after = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["surname", "legal_first_name"]
        indexes = [models.Index(fields=["school", "cohort", "surname"])]

    def __str__(self):
        return f"{self.first_name} {self.surname}"

    @property
    def first_name(self) -> str:
        return self.preferred_first_name or self.legal_first_name

    def save(self, *args, **kwargs):
        # hub is denormalised from the school so every pupil row carries its tenant.
        self.hub_id = self.school.hub_id
        super().save(*args, **kwargs)

from django.db import models

from access.scoping import TenantModel


class Employer(TenantModel):
    """A national organisation; it partners with any number of hubs."""

    class SizeBand(models.TextChoices):
        MICRO = "micro", "Micro (under 10 staff)"
        SMALL = "small", "Small (10-49 staff)"
        MEDIUM = "medium", "Medium (50-249 staff)"
        LARGE = "large", "Large (250+ staff)"

    SME_BANDS = (SizeBand.MICRO, SizeBand.SMALL, SizeBand.MEDIUM)

    name = models.CharField(max_length=200)
    companies_house_number = models.CharField(max_length=8, blank=True)
    size_band = models.CharField(max_length=10, choices=SizeBand.choices)
    sector = models.ForeignKey(
        "hubs.Sector", null=True, blank=True, on_delete=models.SET_NULL, related_name="employers"
    )
    postcode = models.CharField(max_length=8, blank=True)
    hubs = models.ManyToManyField("hubs.Hub", blank=True, related_name="partner_employers")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_sme(self) -> bool:
        return self.size_band in self.SME_BANDS

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from access.roles import ROLE_ORGANISATION, Role
from access.scoping import TenantModel


class Sector(models.Model):
    """Shared reference list of employment sectors (not tenant data)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def default_meaningful_criteria():
    return ["M1", "M2", "M3"]


def default_leavers_kept_academic_years():
    # The platform's default, so a deployment can change it for hubs created after.
    return settings.RETAIN_LEAVERS_ACADEMIC_YEARS


class Hub(TenantModel):
    """A Careers Hub: the security tenant."""

    name = models.CharField(max_length=150, unique=True)
    region = models.CharField(max_length=100, blank=True)
    growth_sectors = models.ManyToManyField(Sector, blank=True, related_name="growth_hubs")
    # The hub's own counting rules (DESIGN section 2 gives the defaults).
    meaningful_criteria = models.JSONField(
        default=default_meaningful_criteria,
        help_text="Criteria (M1-M7) an experience must meet to count toward the ten days.",
    )
    ks3_virtual_cap_days = models.DecimalField(
        "KS3 virtual cap (days)",
        max_digits=3,
        decimal_places=1,
        default=Decimal("2.5"),
        help_text="At most this much of the KS3 week may be virtual.",
    )
    # Leavers (privacy.leavers): a pupil still on the roll this many days after Year 11
    # ends (31 August) is recorded as having left on that day; a leaver's record is kept
    # this many academic years after the one they left in, then pseudonymised.
    year11_grace_days = models.PositiveSmallIntegerField(
        "Grace after Year 11 (days)",
        default=30,
        validators=[MaxValueValidator(365)],
        help_text="Days after the end of Year 11 (31 August) before a pupil still on the "
        "roll is recorded as having left on that date.",
    )
    leavers_kept_academic_years = models.PositiveSmallIntegerField(
        "Leavers kept (academic years)",
        default=default_leavers_kept_academic_years,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Academic years after the one a pupil left in that their named record is "
        "kept for the school; then it is pseudonymised.",
    )
    # The progress ledger's state (learners.ledger): the rules its rows were counted by
    # ("" until first built) and the day they are current as at. Rules that differ from
    # counted_by mean a recount is under way, and pages read raw figures meanwhile.
    ledger_counted_by = models.CharField(max_length=60, blank=True, editable=False)
    ledger_counted_on = models.DateField(null=True, blank=True, editable=False)
    ledger_recount_done = models.PositiveIntegerField(default=0, editable=False)
    ledger_recount_total = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(TenantModel):
    """A user's role in exactly one organisation (none for national analysts)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    hub = models.ForeignKey(Hub, null=True, blank=True, on_delete=models.CASCADE)
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.CASCADE)
    trust = models.ForeignKey("schools.Trust", null=True, blank=True, on_delete=models.CASCADE)
    employer = models.ForeignKey(
        "employers.Employer", null=True, blank=True, on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="membership_names_its_roles_organisation",
                condition=(
                    Q(
                        role=Role.NATIONAL_ANALYST,
                        hub__isnull=True,
                        school__isnull=True,
                        trust__isnull=True,
                        employer__isnull=True,
                    )
                    | Q(
                        role=Role.HUB_LEAD,
                        hub__isnull=False,
                        school__isnull=True,
                        trust__isnull=True,
                        employer__isnull=True,
                    )
                    | Q(
                        role=Role.TRUST_LEAD,
                        hub__isnull=True,
                        school__isnull=True,
                        trust__isnull=False,
                        employer__isnull=True,
                    )
                    | Q(
                        role__in=[Role.CAREERS_LEADER, Role.SCHOOL_STAFF, Role.PUPIL],
                        hub__isnull=True,
                        school__isnull=False,
                        trust__isnull=True,
                        employer__isnull=True,
                    )
                    | Q(
                        role=Role.EMPLOYER,
                        hub__isnull=True,
                        school__isnull=True,
                        trust__isnull=True,
                        employer__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "hub", "school", "trust", "employer"],
                name="membership_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} - {self.organisation}"

    @property
    def organisation(self):
        kind = ROLE_ORGANISATION[Role(self.role)]
        return getattr(self, kind) if kind else "England"

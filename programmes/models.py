"""A school's plan for one cohort, Years 7 to 11, and the hub's templates for such plans.

A plan is school-owned (like an experience), not pupil-level: its activities say who takes
part by a rule (the whole year, some registration groups, disadvantaged pupils...), never by
naming pupils, so a plan holds no child's data and a hub lead may read it.
"""

from django.conf import settings
from django.db import models

from access.scoping import TenantModel
from learners.models import Experience


class Term(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


class ProgrammePlan(TenantModel):
    """A cohort's programme (school set) or a hub's template (school and cohort empty)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programme_plans",
        help_text="Empty for a hub's template.",
    )
    cohort = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The academic year (by its start) in which the cohort was in Year 7.",
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(
        blank=True, max_length=2000, help_text="What the programme is for, in a sentence or two."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-cohort", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "cohort"],
                condition=models.Q(school__isnull=False),
                name="one_plan_per_school_and_cohort",
            ),
            models.CheckConstraint(
                condition=models.Q(school__isnull=True, cohort__isnull=True)
                | models.Q(school__isnull=False, cohort__isnull=False),
                name="plan_is_a_template_or_a_cohorts",
            ),
        ]
        indexes = [models.Index(fields=["hub", "status"], name="plan_by_hub")]

    def __str__(self):
        return self.title

    @property
    def is_template(self) -> bool:
        return self.school_id is None

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class PlannedActivity(TenantModel):
    """One activity of a plan: what, when (year group and term), how long, for whom."""

    class Audience(models.TextChoices):
        WHOLE_YEAR = "whole_year", "The whole year group"
        GROUPS = "groups", "Some registration groups"
        DISADVANTAGED = "disadvantaged", "Disadvantaged pupils (Pupil Premium)"
        FSM = "fsm", "Pupils eligible for free school meals"
        SEND = "send", "Pupils with special educational needs"
        BEHIND = "behind", "Pupils behind on their ten days"

    plan = models.ForeignKey(ProgrammePlan, on_delete=models.CASCADE, related_name="activities")
    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Experience.Kind.choices)
    setting = models.CharField(max_length=20, choices=Experience.Setting.choices)
    tier = models.PositiveSmallIntegerField(choices=[(1, "T1"), (2, "T2"), (3, "T3")])
    year_group = models.PositiveSmallIntegerField(
        choices=[(year, f"Year {year}") for year in range(7, 12)]
    )
    term = models.CharField(max_length=10, choices=Term.choices)
    expected_hours = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        help_text="Stored in hours; 1 day = 5 hours. What each pupil taking part should get.",
    )
    objectives = models.ManyToManyField("outcomes.Objective", blank=True, related_name="+")
    sectors = models.ManyToManyField("hubs.Sector", blank=True, related_name="+")
    employers = models.ManyToManyField("employers.Employer", blank=True, related_name="+")
    audience = models.CharField(
        max_length=20, choices=Audience.choices, default=Audience.WHOLE_YEAR
    )
    groups = models.JSONField(
        default=list, blank=True, help_text="The registration groups, when only some take part."
    )
    notes = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name_plural = "planned activities"
        ordering = ["year_group", "term", "tier", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_hours__gt=0), name="planned_activity_has_a_duration"
            ),
            models.CheckConstraint(
                condition=models.Q(year_group__gte=7, year_group__lte=11),
                name="planned_activity_in_years_7_to_11",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The plan's tenant and school, denormalised so every row carries them.
        self.hub_id = self.plan.hub_id
        self.school_id = self.plan.school_id
        super().save(*args, **kwargs)

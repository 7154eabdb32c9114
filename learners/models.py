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

    hub = models.ForeignKey(
        "hubs.Hub",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The Careers Hub of the pupil's school, for its totals.",
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="learners",
        # Indexed by the composite indexes below, which begin with it.
        db_index=False,
        help_text="The school whose roll the pupil is on: only its staff see the pupil by name.",
    )
    # 64, not 13: a pseudonymised leaver's UPN is replaced by a longer keyed hash.
    upn = models.CharField(
        "UPN",
        max_length=64,
        unique=True,
        validators=[validate_upn],
        help_text="The Unique Pupil Number from the school's records, so the same pupil is "
        "found again on the next import or at a new school. Never shown to employers.",
    )
    legal_first_name = models.CharField(max_length=100, help_text="As on the school's roll.")
    preferred_first_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="The name the pupil goes by, if different: used on screens and nominations.",
    )
    surname = models.CharField(
        max_length=100, help_text="As on the school's roll. Never shown to employers."
    )
    cohort = models.PositiveSmallIntegerField(
        help_text="The academic year (by its start) in which the pupil was in Year 7."
    )
    registration_group = models.CharField(
        max_length=20, blank=True, help_text="The tutor group, to find pupils class by class."
    )
    fsm = models.BooleanField(
        "FSM",
        default=False,
        help_text="Eligible for free school meals: reports show how these pupils are doing "
        "beside the others.",
    )
    disadvantaged = models.BooleanField(
        default=False,
        help_text="Pupil Premium: the school can list these pupils first when they fall behind.",
    )
    send = models.CharField(
        "SEND",
        max_length=1,
        choices=SEND.choices,
        default=SEND.NONE,
        help_text="Special educational needs: reports show how these pupils are doing, and "
        "placements can be planned with the right support.",
    )
    looked_after = models.BooleanField(
        default=False, help_text="In the care of a local authority, as the school records it."
    )
    # The school recorded the pupil as having left it: another school that imports the
    # UPN then takes the pupil at once, without asking (learners.transfers).
    left_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the pupil left the school: another school may then take the record, "
        "and the time a leaver's record is kept starts.",
    )
    pseudonymised_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the leaver's retention period ended and their names, UPN, "
        "registration group and free text were removed; the anonymous figures stay.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = "pupil"
        ordering = ["surname", "legal_first_name"]
        indexes = [
            models.Index(fields=["school", "cohort", "surname"]),
            # A school's pupils in the API's order (by number): a page of one from a school
            # of 1,000 among 3.3 million pupils otherwise walks the primary key's index
            # until it meets the school (200 ms where this takes under 1).
            models.Index(fields=["school", "id"], name="pupil_by_school"),
            # The nightly leavers rules (privacy.leavers) read only these few rows: pupils
            # on a roll by cohort (end of Year 11), leavers not yet pseudonymised by date.
            models.Index(
                fields=["cohort"], condition=models.Q(left_on__isnull=True), name="pupil_on_roll"
            ),
            models.Index(
                fields=["left_on"],
                condition=models.Q(left_on__isnull=False, pseudonymised_on__isnull=True),
                name="pupil_leaver_named",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.surname}"

    @property
    def first_name(self) -> str:
        return self.preferred_first_name or self.legal_first_name

    def save(self, *args, **kwargs):
        # hub is denormalised from the school so every pupil row carries its tenant.
        self.hub_id = self.school.hub_id
        super().save(*args, **kwargs)


class MeaningfulDesign(models.Model):
    """Which of the design criteria M1-M5 an event meets: an employer's opportunity says it
    when offered, and the experience recorded from it carries the same answers."""

    meets_m1 = models.BooleanField("M1 clear shared purpose", default=False)
    meets_m2 = models.BooleanField("M2 learning outcomes", default=False)
    meets_m3 = models.BooleanField("M3 two-way interaction", default=False)
    meets_m4 = models.BooleanField("M4 range of people", default=False)
    meets_m5 = models.BooleanField("M5 task set by the employer", default=False)

    class Meta:
        abstract = True


class Experience(TenantModel, MeaningfulDesign):
    """One event of work experience, often for a whole class."""

    class Kind(models.TextChoices):
        WORKPLACE_VISIT = "workplace_visit", "Workplace visit"
        VIRTUAL = "virtual_experience", "Virtual workplace experience"
        SHADOWING = "work_shadowing", "Work shadowing"
        PLACEMENT = "placement", "Placement"
        INSIGHT_DAY = "insight_day", "Insight day"
        PROJECT = "employer_project", "Employer-set project or challenge"
        MOCK_INTERVIEW = "mock_interview", "Mock interview or assessment centre"
        OTHER = "other", "Other"

    class Setting(models.TextChoices):
        WORKPLACE = "workplace", "At a workplace, in person"
        VIRTUAL = "virtual", "Virtual"
        COMMUNITY = "community", "At a community or external venue"
        IN_SCHOOL = "in_school", "In school"

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="experiences"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    setting = models.CharField(max_length=20, choices=Setting.choices)
    tier = models.PositiveSmallIntegerField(choices=[(1, "T1"), (2, "T2"), (3, "T3")])
    start_date = models.DateField()
    end_date = models.DateField()
    # Derived from start_date on save: the academic year the pupils' key stage is read in.
    academic_year = models.PositiveSmallIntegerField(editable=False)
    duration_hours = models.DecimalField(
        max_digits=6, decimal_places=2, help_text="Stored in hours; 1 day = 5 hours."
    )
    employers = models.ManyToManyField("employers.Employer", blank=True, related_name="+")
    sectors = models.ManyToManyField("hubs.Sector", blank=True, related_name="+")
    objectives = models.ManyToManyField("outcomes.Objective", blank=True, related_name="+")
    # Set when an employer's confirmed attendance recorded it: one per opportunity and school,
    # so confirming again corrects the same record instead of typing it twice.
    opportunity = models.ForeignKey(
        "employers.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # The activity of the school's programme plan (programmes/) this experience delivers.
    planned_activity = models.ForeignKey(
        "programmes.PlannedActivity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experiences",
        help_text="The activity of the cohort's programme this experience delivers.",
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-start_date", "title"]
        indexes = [models.Index(fields=["school", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="experience_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_hours__gt=0), name="experience_has_a_duration"
            ),
            models.UniqueConstraint(
                fields=["opportunity", "school"],
                condition=models.Q(opportunity__isnull=False),
                name="one_experience_per_opportunity_and_school",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.start_date.day} {self.start_date:%B %Y})"

    def save(self, *args, **kwargs):
        from .academic import academic_year_of

        self.hub_id = self.school.hub_id
        self.academic_year = academic_year_of(self.start_date)
        super().save(*args, **kwargs)


class Participation(TenantModel):
    """A pupil's part in an experience. Carries the pupil's current school: history moves
    with the pupil, and the old school loses sight of it."""

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    experience = models.ForeignKey(
        Experience, on_delete=models.CASCADE, related_name="participations"
    )
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="participations")
    # The experience's first day, copied so a hub's or school's participations in a date
    # window are one index range (dashboards), not a join over all of them. Kept equal to
    # the experience's by save(), the services that write participations in bulk and
    # experience_update; the ledger's nightly reconciliation checks it.
    start_date = models.DateField(editable=False, help_text="The experience's first day.")
    hours_attended = models.DecimalField(
        max_digits=6, decimal_places=2, help_text="What counts towards the pupil's ten days."
    )
    absent = models.BooleanField(default=False, help_text="Missed it: counts no hours.")
    employer_feedback_given = models.BooleanField(
        "M6 employer feedback given",
        default=False,
        help_text="One of the criteria that make an experience meaningful.",
    )
    reflection_done = models.BooleanField(
        "M7 pupil reflected",
        default=False,
        help_text="One of the criteria that make an experience meaningful.",
    )
    reflection_text = models.TextField(
        blank=True, help_text="What the pupil said they learned, in their own words."
    )
    feedback_text = models.TextField(blank=True, help_text="The employer's feedback to the pupil.")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "experience"], name="one_participation_per_pupil"
            ),
            models.CheckConstraint(
                condition=models.Q(hours_attended__gte=0), name="hours_attended_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "learner"]),
            models.Index(
                fields=["hub", "start_date"],
                include=["experience", "hours_attended"],
                name="participation_hub_window",
            ),
            models.Index(
                fields=["school", "start_date"],
                include=["experience", "hours_attended"],
                name="participation_school_window",
            ),
        ]

    def __str__(self):
        return f"{self.learner_id} at {self.experience_id}"

    def save(self, *args, **kwargs):
        if self.start_date is None:
            self.start_date = self.experience.start_date
        super().save(*args, **kwargs)


class SkillRating(TenantModel):
    """A Skills Builder rating: a pupil's own view can sit beside a teacher's or employer's."""

    class Rater(models.TextChoices):
        SELF = "self", "Pupil (self)"
        TEACHER = "teacher", "Teacher"
        EMPLOYER = "employer", "Employer"

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="skill_ratings")
    skill = models.ForeignKey("outcomes.Skill", on_delete=models.PROTECT, related_name="+")
    step = models.PositiveSmallIntegerField(
        help_text="The Skills Builder step (0 to 15) the pupil has reached in the skill."
    )
    rater = models.CharField(max_length=10, choices=Rater.choices, help_text="Who gave the rating.")
    rated_on = models.DateField(help_text="So progress in a skill can be seen over time.")
    experience = models.ForeignKey(
        Experience, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Moment(models.TextChoices):
        BEFORE = "before", "Before the experience"
        AFTER = "after", "After the experience"

    # A pupil rates themselves before and after an experience (pupils/); the change is
    # what the school report and hub dashboard show. Empty for a rating at any other time.
    moment = models.CharField(max_length=10, choices=Moment.choices, blank=True)

    class Meta:
        ordering = ["-rated_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(step__lte=15), name="skill_step_0_to_15")
        ]
        indexes = [models.Index(fields=["school", "learner"])]


class PupilTransfer(TenantModel):
    """A school's request to take a pupil who is on another school's roll.

    A UPN alone never moves a pupil: the importing school (to_school) asks, the pupil's
    school (from_school, or its hub lead when it has no active careers leader) releases or
    declines. Until released the importing school sees only `sent`, the fields it sent
    itself, never the pupil's record or history.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for a decision"
        RELEASED = "released", "Released"
        DECLINED = "declined", "Declined"
        # Closed without a decision: the pupil was released to another school first.
        CANCELLED = "cancelled", "Cancelled"

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="transfers")
    from_school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    from_hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="+")
    to_school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    to_hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    # Only what the importing school itself sent (UPN, names, cohort, group, flags).
    sent = models.JSONField(
        default=dict,
        help_text="What the asking school sent from its own roll (UPN, names, year, flags): "
        "all it sees of the pupil until the request is released.",
    )
    # Released at once because the old school had recorded the pupil as left.
    automatic = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_role = models.CharField(max_length=20, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, help_text="Why the pupil's school declined.")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "to_school"],
                condition=models.Q(status="requested"),
                name="one_open_transfer_per_pupil_and_school",
            ),
        ]
        indexes = [
            models.Index(fields=["from_school", "status"]),
            models.Index(fields=["to_school", "status"]),
        ]

    def __str__(self):
        return f"{self.learner_id}: {self.from_school_id} to {self.to_school_id} ({self.status})"


def _hours():
    return models.DecimalField(max_digits=8, decimal_places=2, default=0)


class PupilProgress(TenantModel):
    """A pupil's current progress figures, counted from their participations.

    The progress ledger: the figures as learners.progress.with_progress computes them
    from raw participations as at `counted_on`, under the rules `counted_by`.

    Written only by learners.ledger, in the same transaction as every change that can move
    a figure; read by with_progress in place of the raw aggregates when the pupil's hub's
    ledger is current (learners.ledger explains when that is). A pupil with no row has no
    counted history yet: every figure reads as zero.
    """

    learner = models.OneToOneField(
        Learner, primary_key=True, on_delete=models.CASCADE, related_name="ledger"
    )
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    counted_by = models.CharField(max_length=60, help_text="The hub's rules (ledger key).")
    counted_on = models.DateField(help_text="The day the figures are counted as at.")
    ks3_in_person_hours = _hours()
    ks3_virtual_hours = _hours()
    ks3_virtual_counted_hours = _hours()
    ks3_hours = _hours()
    ks4_hours = _hours()
    ks4_placement_hours = _hours()
    total_hours = _hours()
    ks3_employers = models.PositiveIntegerField(default=0)
    ks4_employers = models.PositiveIntegerField(default=0)
    ks3_sectors = models.PositiveIntegerField(default=0)
    ks4_sectors = models.PositiveIntegerField(default=0)
    reached_t1 = models.PositiveIntegerField(default=0)
    reached_t2 = models.PositiveIntegerField(default=0)
    reached_t3 = models.PositiveIntegerField(default=0)
    ks3_reached_t1 = models.PositiveIntegerField(default=0)
    ks3_reached_t2 = models.PositiveIntegerField(default=0)
    ks3_reached_t3 = models.PositiveIntegerField(default=0)
    ks4_reached_t1 = models.PositiveIntegerField(default=0)
    ks4_reached_t2 = models.PositiveIntegerField(default=0)
    ks4_reached_t3 = models.PositiveIntegerField(default=0)
    ks3_week_met = models.BooleanField(default=False)
    ks4_week_met = models.BooleanField(default=False)
    ten_days_met = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "pupil progress (ledger)"
        # A school's rows together (pages); a hub's through the hub foreign key's index.
        indexes = [models.Index(fields=["school", "learner"], name="ledger_by_school")]

    def __str__(self):
        return f"ledger of {self.learner_id}"


class SchoolLedgerVersion(TenantModel):
    """How many transactions have rewritten a school's ledger rows (or moved a row away
    from it), counted in those transactions by learners.ledger.

    The live hub dashboard and the national view keep each school's counted figures in the
    cache under this number, so a write counts again only the schools it touched. A
    counter, not a timestamp: a write that commits after a later one would not move a
    maximum of timestamps. A hub's version is its schools' (their sum and number).
    """

    school = models.OneToOneField(
        "schools.School", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["hub", "school"], name="ledger_version_by_hub")]

    def __str__(self):
        return f"ledger version {self.version} of school {self.school_id}"


class LedgerCheck(models.Model):
    """One run of the nightly reconciliation: the ledger against a fresh count from raw."""

    checked_at = models.DateTimeField(auto_now_add=True)
    schools = models.PositiveIntegerField()
    pupils = models.PositiveIntegerField()
    drifted = models.PositiveIntegerField(help_text="Pupils whose ledger row was wrong.")
    repaired = models.PositiveIntegerField()
    # The first few differences, field by field: learner ids only, no names.
    details = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-checked_at"]

    def __str__(self):
        return f"ledger check {self.checked_at:%Y-%m-%d %H:%M}: {self.drifted} drifted"

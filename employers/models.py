from django.conf import settings
from django.db import models

from access.scoping import TenantModel
from learners.models import Experience, MeaningfulDesign


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


def _vetting_upload_to(instance, filename):
    # Private: MEDIA_ROOT is never served directly; files are read through scoped views.
    return f"vetting/{instance.employer_id}/{instance.hub_id}/{filename}"


class EmployerVetting(TenantModel):
    """An employer's safety check for one hub, approved by its hub lead and reused by
    every school in that hub (DESIGN section 3)."""

    class Review(models.TextChoices):
        WAITING = "waiting", "Waiting for the hub lead"
        APPROVED = "approved", "Approved"
        CHANGES = "changes", "Sent back for changes"
        REFUSED = "refused", "Refused"

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="vettings")
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    insurance_expires = models.DateField(
        "employer's liability insurance expires",
        help_text="Placements that start after this date are blocked.",
    )
    insurance_certificate = models.FileField(upload_to=_vetting_upload_to, blank=True)
    health_and_safety_policy = models.FileField(upload_to=_vetting_upload_to, blank=True)
    risk_assessment = models.FileField(
        upload_to=_vetting_upload_to, blank=True, help_text="Covering young people."
    )
    supervisor_name = models.CharField("named supervisor", max_length=200)
    approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The hub lead's decision on the check as last sent. Only an approval makes it valid
    # (approved_at, which the placement rules read); a refusal or a request for changes
    # says why, and the employer reads that reason on their safety checks page.
    review = models.CharField(
        "hub lead's decision", max_length=10, choices=Review.choices, default=Review.WAITING
    )
    review_reason = models.TextField(
        "reason", blank=True, help_text="Why the check was refused or sent back for changes."
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The expiry date the last reminder was about: a renewed policy earns a new reminder.
    reminded_of_expiry = models.DateField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "hub"], name="one_vetting_per_employer_hub"
            ),
            models.CheckConstraint(
                name="vetting_refused_or_sent_back_says_why",
                condition=~models.Q(review__in=["refused", "changes"])
                | ~models.Q(review_reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.employer_id} vetted for {self.hub_id}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    def is_valid_on(self, day) -> bool:
        from .rules import vetting_valid_on

        return vetting_valid_on(self, day)


class ReplacedVettingDocument(models.Model):
    """A vetting document an employer replaced with a newer upload. The old file stays in
    storage, as the evidence earlier placements were approved on, until retention deletes
    it (settings.RETAIN_VETTING_DOCUMENTS_DAYS after it was replaced; privacy.retention).

    Only a storage name: no foreign key, so a file is still found and deleted when its
    vetting has gone. Written by employers.services.vetting_submit, read by retention.
    """

    name = models.CharField(max_length=255)
    replaced_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.name} (replaced {self.replaced_at:%Y-%m-%d})"


def default_year_groups():
    return [10, 11]


class Opportunity(TenantModel, MeaningfulDesign):
    """A placement, visit, virtual session or project an employer offers to hubs' schools."""

    # The same vocabulary as a logged experience: attendance becomes one without mapping.
    Kind = Experience.Kind
    Setting = Experience.Setting

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed"

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="opportunities")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    setting = models.CharField(max_length=20, choices=Setting.choices)
    tier = models.PositiveSmallIntegerField(choices=[(1, "T1"), (2, "T2"), (3, "T3")])
    objectives = models.ManyToManyField("outcomes.Objective", blank=True, related_name="+")
    sector = models.ForeignKey(
        "hubs.Sector", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    capacity = models.PositiveSmallIntegerField(help_text="How many pupils can take part.")
    # A short list of National Curriculum years (7-13): a JSON list keeps it one column.
    year_groups = models.JSONField("eligible year groups", default=default_year_groups)
    postcode = models.CharField(max_length=8, blank=True)
    accessibility_notes = models.TextField("accessibility and SEND notes", blank=True)
    # What a pupil, their parent and the school need to know to turn up on the day.
    starts_at = models.TimeField("arrival time", null=True, blank=True)
    ends_at = models.TimeField("finishing time", null=True, blank=True)
    address = models.TextField("address pupils go to", blank=True)
    dress_code = models.CharField(max_length=200, blank=True)
    onsite_contact_name = models.CharField("on-site contact", max_length=200, blank=True)
    onsite_contact_phone = models.CharField("on-site contact's phone", max_length=40, blank=True)
    what_to_bring = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    visible_to_hubs = models.ManyToManyField("hubs.Hub", blank=True, related_name="+")
    attendance_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    feedback_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The employer's answer after the placement: would they host again, and how many pupils.
    # employers.selectors.hub_hosting_capacity adds these up for a hub.
    host_again = models.BooleanField("would host again", null=True, blank=True)
    host_again_places = models.PositiveSmallIntegerField(
        "places they would offer next time", null=True, blank=True
    )
    host_again_answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["start_date", "title"]
        verbose_name_plural = "opportunities"
        indexes = [models.Index(fields=["employer", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="opportunity_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0), name="opportunity_has_places"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.start_date.day} {self.start_date:%B %Y})"


class Nomination(TenantModel):
    """A school puts a pupil forward for an opportunity. The employer sees the pupil only
    through it: first name, year group and the support needs the school chose to share."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", "Nominated"
        OFFERED = "offered", "Place offered"
        ACCEPTED = "accepted", "Accepted by the employer"
        DECLINED = "declined", "Declined by the employer"
        REFUSED_FULL = "refused_full", "No place: opportunity full"

    # Statuses that take up one of the opportunity's places.
    HOLDS_A_PLACE = (Status.OFFERED, Status.ACCEPTED)

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="nominations"
    )
    learner = models.ForeignKey(
        "learners.Learner", on_delete=models.CASCADE, related_name="nominations"
    )
    shared_support_needs = models.TextField(
        blank=True, help_text="Only what the school chooses to share with the employer."
    )
    # Chosen by the careers leader for this nomination, so no sector interests are stored
    # on the pupil's own record.
    interested_in_sector = models.BooleanField(
        default=False, help_text="The pupil is interested in the employer's sector."
    )
    # The pupil said they would like to try it (pupils.OpportunityInterest) before they
    # were nominated: it weighs in a fair allocation as sector interest does.
    pupil_asked = models.BooleanField(
        default=False, help_text="The pupil asked to try this opportunity themselves."
    )
    status = models.CharField(
        max_length=15,
        choices=Status.choices,
        default=Status.NOMINATED,
        help_text="Whether the pupil has a place.",
    )
    decision_reason = models.TextField(blank=True, help_text="The employer's reason.")
    explanation = models.TextField(blank=True, help_text="Why the allocation decided as it did.")
    nominated_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The pupil's record of taking part, once the employer confirmed attendance.
    participation = models.OneToOneField(
        "learners.Participation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nomination",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["school", "opportunity"]),
            models.Index(fields=["opportunity", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "learner"], name="one_nomination_per_pupil"
            )
        ]

    def __str__(self):
        return f"{self.learner_id} for {self.opportunity_id}"


class ParentalConsent(TenantModel):
    """A parent's or carer's answer for one placement, asked by an emailed link (no account).

    Only a digest of the link's token is kept. The parent's address is kept only until
    they answer: after that the school has the answer and the name they signed with.
    """

    class Answer(models.TextChoices):
        WAITING = "waiting", "Waiting for an answer"
        GIVEN = "given", "Consent given"
        REFUSED = "refused", "Consent refused"

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="consent")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    sent_to = models.EmailField(
        "parent or carer's email address",
        blank=True,
        help_text="Where the link to answer was sent.",
    )
    answer = models.CharField(
        max_length=10,
        choices=Answer.choices,
        default=Answer.WAITING,
        help_text="Yes or no: a placement needs consent before it starts.",
    )
    signed_by = models.CharField(
        "parent or carer's name",
        max_length=200,
        blank=True,
        help_text="The name they signed their answer with.",
    )
    note = models.TextField(
        blank=True,
        help_text="Anything the parent or carer told the school, such as medical or emergency "
        "details for the placement.",
    )
    # What the school and the employer need for the placement, and nothing more; blanked
    # on the retention schedule (privacy.retention.CONSENT_DETAILS).
    emergency_contact_name = models.CharField(
        "emergency contact's name", max_length=200, blank=True
    )
    emergency_contact_phone = models.CharField(
        "emergency contact's phone number", max_length=40, blank=True
    )
    medical_needs = models.TextField(
        "medical or access needs",
        blank=True,
        help_text="Medical conditions, medicines, allergies or access needs for the placement.",
    )
    share_needs_with_employer = models.BooleanField(
        "medical or access needs shared with the employer",
        default=False,
        help_text="The parent or carer chose to let the employer's supervisor see them.",
    )
    travel_arrangements = models.TextField(
        blank=True, help_text="How the pupil gets to and from the placement."
    )
    requested_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    # The last reminder emailed (a reminder sends a fresh link: only a digest is kept).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminders_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True, help_text="When they answered.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["school", "answer"])]

    def __str__(self):
        return f"consent for {self.nomination_id}: {self.answer}"


class EmployerRequest(TenantModel):
    """An organisation's request to work with a hub: to join equalex, or (an employer already
    on it) to partner with one more hub. The hub lead approves or refuses it."""

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

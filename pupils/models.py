from django.conf import settings
from django.db import models

from access.scoping import TenantModel


class PupilAccount(TenantModel):
    """A pupil's way in: an account with no password and no email of theirs, opened by a
    careers leader, entered with a sign-in code the careers leader prints.

    The code is kept only as a keyed digest (pupils.codes): nobody, staff included, can
    read it back after it is printed; issuing a new one replaces it. Switching access off
    deletes the account (and its user), so a signed-in pupil is signed out at once.
    """

    learner = models.OneToOneField(
        "learners.Learner", on_delete=models.CASCADE, related_name="pupil_account"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pupil_account"
    )
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    code_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_issued_at = models.DateTimeField(null=True, blank=True)
    code_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["school", "learner"], name="pupil_account_by_school")]

    def __str__(self):
        return f"pupil account of {self.learner_id}"


class Reflection(TenantModel):
    """What a pupil took from one experience, in their own words: the evidence of the
    seventh meaningful criterion (M7) for their participation."""

    class Author(models.TextChoices):
        PUPIL = "pupil", "The pupil"
        STAFF = "staff", "School staff, for the pupil"

    participation = models.OneToOneField(
        "learners.Participation", on_delete=models.CASCADE, related_name="reflection"
    )
    learner = models.ForeignKey("learners.Learner", on_delete=models.CASCADE, related_name="+")
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    what_i_did = models.TextField("What I did", max_length=2000)
    what_i_learned = models.TextField("What I learned about work or the workplace", max_length=2000)
    # Ids of outcomes.Skill rows, not a many-to-many table: a pupil-level table carries its
    # school to be distributed by it (docs/scaling.md), and eight ids need no join.
    skills_used = models.JSONField(
        "Skills I used", default=list, blank=True, help_text="Skills Builder skills, by id."
    )
    what_next = models.TextField("What I want to do next", max_length=2000, blank=True)
    written_by = models.CharField(max_length=10, choices=Author.choices, default=Author.PUPIL)
    # Hidden by a careers leader (a safeguarding concern, something said about someone
    # else): staff lists show that it was hidden, not what it said; it no longer counts.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["school", "learner"], name="reflection_by_school")]

    def __str__(self):
        return f"reflection on participation {self.participation_id}"

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class OpportunityInterest(TenantModel):
    """A pupil says they would like to try an opportunity. Their careers leader sees it
    when nominating, and a fair allocation weighs it; the employer never sees it."""

    learner = models.ForeignKey("learners.Learner", on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(
        "employers.Opportunity", on_delete=models.CASCADE, related_name="+"
    )
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    why = models.CharField("Why", max_length=280, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # With the school: every row of a pupil shares their school (docs/scaling.md).
            models.UniqueConstraint(
                fields=["school", "learner", "opportunity"],
                name="one_interest_per_pupil_and_opportunity",
            )
        ]
        indexes = [models.Index(fields=["school", "opportunity"], name="interest_by_school")]

    def __str__(self):
        return f"{self.learner_id} interested in {self.opportunity_id}"

"""The equalex framework as reference data, versioned so a later framework can sit beside it."""

from django.db import models


class Framework(models.Model):
    version = models.CharField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    is_current = models.BooleanField(default=False)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_framework",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.version})"


class Tier(models.Model):
    """A theme of the framework: T1 Introduce & Inspire, T2 Investigate & Explore, T3 Apply."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="tiers")
    code = models.CharField(max_length=10)
    level = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["framework", "level"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="tier_code")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Outcome(models.Model):
    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="outcomes")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    description = models.TextField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["tier", "position"]
        constraints = [models.UniqueConstraint(fields=["tier", "code"], name="outcome_code")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Objective(models.Model):
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(max_length=20)
    text = models.TextField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["outcome", "position"]
        constraints = [models.UniqueConstraint(fields=["outcome", "code"], name="objective_code")]

    def __str__(self):
        return self.code


class MeaningfulCriterion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=4)
    text = models.TextField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="criterion_code")]
        verbose_name_plural = "meaningful criteria"

    def __str__(self):
        return f"{self.code} {self.text}"


class CompassQuestion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=4)
    text = models.TextField()
    population = models.CharField(max_length=10)
    stage = models.CharField(max_length=4)

    class Meta:
        ordering = ["framework", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="question_code")]

    def __str__(self):
        return self.code


class CompassBand(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="bands")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=60)

    class Meta:
        ordering = ["framework", "position"]

    def __str__(self):
        return self.label


class Skill(models.Model):
    """A Skills Builder essential skill, rated on steps 0-15."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "position"]

    def __str__(self):
        return self.name

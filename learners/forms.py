from datetime import date

from django import forms

from employers.models import Employer
from hubs.models import Sector
from outcomes.models import Objective
from programmes.models import PlannedActivity
from programmes.selectors import activities_to_deliver, activity_label

from .models import Experience
from .services import DURATION_UNITS, duration_to_hours, placement_setting_check

CRITERIA_CHOICES = [
    ("M1", "M1 has a clear purpose, shared with the employer and the young person"),
    ("M2", "M2 is underpinned by learning outcomes suited to the young person"),
    ("M3", "M3 involves extensive two-way interaction with employees"),
    ("M4", "M4 meets a range of different people from the workplace"),
    ("M5", "M5 performs a task set by the employer or produces relevant work"),
]
UNIT_CHOICES = [(unit, unit.replace("_", " ")) for unit in DURATION_UNITS]


class ObjectiveChoiceField(forms.ModelMultipleChoiceField):
    """Objectives by their words: a code such as "T1.O1.a" means nothing to a teacher."""

    def label_from_instance(self, obj):
        return obj.text


def duration_initial(hours) -> dict:
    """A stored duration as the form's amount and unit: whole or half days when it is."""
    in_days = hours / 5
    unit, amount = ("days", in_days) if in_days == int(in_days * 2) / 2 else ("hours", hours)
    return {"duration_amount": amount.normalize(), "duration_unit": unit}


TIER_CHOICES = [
    (1, "T1 Introduce & Inspire"),
    (2, "T2 Investigate & Explore"),
    (3, "T3 Apply & Demonstrate"),
]


# The fields an experience and a planned activity (programmes.forms) share, made by one
# function each so the two forms ask the same way.


def tier_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(coerce=int, choices=TIER_CHOICES, label="equalex tier")


def duration_fields(label: str, help_text: str = "") -> tuple[forms.Field, forms.Field]:
    """The length as an amount and a unit (days, half days, hours); duration_hours() turns
    them into hours."""
    amount = forms.DecimalField(
        label=label, min_value=0, decimal_places=2, max_digits=6, help_text=help_text
    )
    return amount, forms.ChoiceField(label="Unit", choices=UNIT_CHOICES, initial="days")


def duration_hours(form: forms.Form, cleaned: dict):
    """The cleaned amount and unit in hours (None when either is missing or refused, the
    error then on the amount)."""
    if cleaned.get("duration_amount") is None or not cleaned.get("duration_unit"):
        return None
    try:
        return duration_to_hours(cleaned["duration_amount"], cleaned["duration_unit"])
    except forms.ValidationError as error:
        form.add_error("duration_amount", error.message_dict["duration"])
        return None


def employers_field(*, label: str | None = None, help_text: str) -> forms.Field:
    """A native multiple select, which static/js/multi-picker.js turns into a searchable
    list (a combobox): a hub partners with dozens of employers, too many to tick through.
    Its queryset is set per request, inside the actor's scope."""
    return forms.ModelMultipleChoiceField(
        queryset=Employer.all_tenants_UNSCOPED.none(),
        required=False,
        widget=forms.SelectMultiple(
            attrs={"data-picker": "employers", "size": 8, "aria-describedby": "id_employers_hint"}
        ),
        label=label,
        help_text=help_text,
    )


def sectors_field(*, label: str | None = None) -> forms.Field:
    return forms.ModelMultipleChoiceField(
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.SelectMultiple(
            attrs={"data-picker": "sectors", "size": 8, "aria-describedby": "id_sectors_hint"}
        ),
        label=label,
        help_text="Type part of a sector's name to find it.",
    )


def objectives_field() -> forms.Field:
    return ObjectiveChoiceField(
        queryset=Objective.objects.filter(outcome__tier__framework__is_current=True)
        .select_related("outcome__tier")
        .order_by("outcome__tier__level", "outcome__position", "position"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Learning objectives",
    )


class PlannedActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return activity_label(obj)


class ExperienceForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Experience.Kind.choices)
    setting = forms.ChoiceField(
        choices=Experience.Setting.choices,
        help_text="In-school activities are recorded but count zero days.",
    )
    tier = tier_field()
    start_date = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label="Last day",
        required=False,
        help_text="Leave empty for a one-day experience.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    duration_amount, duration_unit = duration_fields(
        "Length", help_text="1 day = 5 hours; half a day = 2.5 hours."
    )
    employers = employers_field(
        help_text="Type part of a name to find an employer; choose as many as took part."
    )
    sectors = sectors_field()
    objectives = objectives_field()
    criteria = forms.MultipleChoiceField(
        choices=CRITERIA_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Meaningful criteria its design meets",
        help_text="Your hub counts an experience when it meets M1, M2 and M3 (at least).",
    )
    planned_activity = PlannedActivityChoiceField(
        queryset=PlannedActivity.all_tenants_UNSCOPED.none(),
        required=False,
        label="Part of the programme",
        empty_label="Not part of a cohort's programme",
        help_text="The activity of a cohort's programme this experience delivers, so the plan "
        "shows it as delivered.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluated per request, inside the actor's scope.
        self.fields["employers"].queryset = Employer.objects.order_by("name")
        self.fields["planned_activity"].queryset = activities_to_deliver()

    def clean(self):
        cleaned = super().clean()
        hours = duration_hours(self, cleaned)
        if hours is not None:
            cleaned["duration_hours"] = hours
        try:
            # At the review step already, not only when the service is finally called.
            placement_setting_check(cleaned.get("kind"), cleaned.get("setting"))
        except forms.ValidationError as error:
            self.add_error("setting", error.message_dict["setting"])
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The last day cannot be before the first.")
        if start and start > date.today():
            self.add_error("start_date", "Log experiences once they have happened.")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "setting": data["setting"],
            "tier": data["tier"],
            "start_date": data["start_date"],
            "end_date": data.get("end_date") or data["start_date"],
            "duration_hours": data["duration_hours"],
            "employer_ids": [e.pk for e in data["employers"]],
            "sector_ids": [s.pk for s in data["sectors"]],
            "objective_ids": [o.pk for o in data["objectives"]],
            "criteria": data["criteria"],
            "planned_activity_id": data["planned_activity"].pk
            if data.get("planned_activity")
            else None,
        }

    @classmethod
    def initial_from(cls, experience) -> dict:
        return {
            "title": experience.title,
            "kind": experience.kind,
            "setting": experience.setting,
            "tier": experience.tier,
            "start_date": experience.start_date,
            "end_date": experience.end_date,
            **duration_initial(experience.duration_hours),
            "employers": list(experience.employers.all()),
            "sectors": list(experience.sectors.all()),
            "objectives": list(experience.objectives.all()),
            "criteria": [
                c for c, _ in CRITERIA_CHOICES if getattr(experience, f"meets_{c.lower()}")
            ],
            "planned_activity": experience.planned_activity_id,
        }


class PupilPickerFilter(forms.Form):
    """Narrow the class list: by year group, registration group or name."""

    year = forms.TypedChoiceField(
        coerce=int,
        required=False,
        label="Year group",
        choices=[("", "Any year")] + [(y, f"Year {y}") for y in range(7, 14)],
    )
    group = forms.ChoiceField(required=False, label="Registration group")
    q = forms.CharField(required=False, label="Search by name or UPN", max_length=100)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "Any group")] + [(g, g) for g in groups]

    @property
    def narrowed(self) -> bool:
        """A year, a group or a search was chosen: the whole school is never listed."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return bool(data.get("year") or data.get("group") or data.get("q", "").strip())


class ParticipationForm(forms.Form):
    hours_attended = forms.DecimalField(
        min_value=0, decimal_places=2, max_digits=6, label="Hours attended"
    )
    absent = forms.BooleanField(required=False)
    employer_feedback_given = forms.BooleanField(
        required=False, label="Employer gave feedback (M6)"
    )
    reflection_done = forms.BooleanField(required=False, label="Pupil reflected (M7)")
    reflection_text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Pupil's reflection"
    )
    feedback_text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Employer's feedback"
    )


class SkillRatingForm(forms.Form):
    skill = forms.ModelChoiceField(queryset=None)
    step = forms.IntegerField(min_value=0, max_value=15, help_text="Skills Builder step, 0-15.")
    rater = forms.ChoiceField(
        choices=[("self", "Pupil (self)"), ("teacher", "Teacher"), ("employer", "Employer")]
    )
    rated_on = forms.DateField(
        initial=date.today, widget=forms.DateInput(attrs={"type": "date"}), label="Date"
    )

    def __init__(self, *args, **kwargs):
        from outcomes.models import Skill

        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = Skill.objects.filter(framework__is_current=True)

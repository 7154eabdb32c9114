from django import forms

from employers.models import Employer
from learners.forms import (
    duration_fields,
    duration_hours,
    duration_initial,
    employers_field,
    objectives_field,
    sectors_field,
    tier_field,
)
from learners.models import Experience

from .models import PlannedActivity, ProgrammePlan, Term


class PlanForm(forms.Form):
    cohort = forms.TypedChoiceField(
        coerce=int,
        label="Cohort",
        help_text="The pupils the plan is for, by the year they started Year 7.",
    )
    title = forms.CharField(max_length=200, required=False, label="Title")
    template = forms.ModelChoiceField(
        queryset=ProgrammePlan.all_tenants_UNSCOPED.none(),
        required=False,
        label="Start from",
        empty_label="A blank plan",
        help_text="Copy a template your hub published, then change it to suit your school.",
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="What the programme is for",
    )

    def __init__(self, *args, cohorts=(), templates=None, for_hub=False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_hub:
            del self.fields["cohort"]
            del self.fields["template"]
            self.fields["title"].required = True
        else:
            self.fields["cohort"].choices = cohorts
            self.fields["template"].queryset = templates


class PlanDetailsForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="What the programme is for",
    )


class ActivityForm(forms.Form):
    title = forms.CharField(max_length=200)
    year_group = forms.TypedChoiceField(
        coerce=int, choices=[(y, f"Year {y}") for y in range(7, 12)], label="Year group"
    )
    term = forms.ChoiceField(choices=Term.choices)
    kind = forms.ChoiceField(choices=Experience.Kind.choices)
    setting = forms.ChoiceField(
        choices=Experience.Setting.choices,
        help_text="In-school activities are worth doing but count zero days.",
    )
    tier = tier_field()
    duration_amount, duration_unit = duration_fields("Length for each pupil")
    audience = forms.ChoiceField(
        choices=PlannedActivity.Audience.choices,
        label="Who takes part",
        widget=forms.RadioSelect,
        initial=PlannedActivity.Audience.WHOLE_YEAR,
    )
    groups = forms.CharField(
        required=False,
        max_length=300,
        label="Registration groups",
        help_text="Only when some groups take part: separate them with commas, e.g. 9A, 9C.",
    )
    objectives = objectives_field()
    sectors = sectors_field(label="Sectors in mind")
    employers = employers_field(
        label="Employers in mind", help_text="Type part of a name to find an employer."
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, *args, template=False, **kwargs):
        super().__init__(*args, **kwargs)
        if template:
            del self.fields["employers"]
            del self.fields["groups"]
            self.fields["audience"].choices = [
                (value, label)
                for value, label in PlannedActivity.Audience.choices
                if value != PlannedActivity.Audience.GROUPS
            ]
        else:
            self.fields["employers"].queryset = Employer.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        hours = duration_hours(self, cleaned)
        if hours is not None:
            cleaned["expected_hours"] = hours
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        groups = [g.strip() for g in (data.get("groups") or "").split(",") if g.strip()]
        return {
            "title": data["title"],
            "year_group": data["year_group"],
            "term": data["term"],
            "kind": data["kind"],
            "setting": data["setting"],
            "tier": data["tier"],
            "expected_hours": data["expected_hours"],
            "audience": data["audience"],
            "groups": groups,
            "notes": data.get("notes", ""),
            "objective_ids": [o.pk for o in data["objectives"]],
            "sector_ids": [s.pk for s in data["sectors"]],
            "employer_ids": [e.pk for e in data.get("employers") or []],
        }

    @classmethod
    def initial_from(cls, activity) -> dict:
        return {
            "title": activity.title,
            "year_group": activity.year_group,
            "term": activity.term,
            "kind": activity.kind,
            "setting": activity.setting,
            "tier": activity.tier,
            **duration_initial(activity.expected_hours),
            "audience": activity.audience,
            "groups": ", ".join(activity.groups or []),
            "notes": activity.notes,
            "objectives": list(activity.objectives.all()),
            "sectors": list(activity.sectors.all()),
            "employers": list(activity.employers.all()),
        }

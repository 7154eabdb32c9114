from django import forms

from hubs.models import Hub, Sector
from hubs.postcodes import DistanceBand, postcode_clean
from learners.academic import YEAR_GROUPS
from learners.forms import CRITERIA_CHOICES
from outcomes.models import Objective

from .models import Opportunity

TIER_CHOICES = [
    (1, "T1 Introduce & Inspire"),
    (2, "T2 Investigate & Explore"),
    (3, "T3 Apply & Demonstrate"),
]
YEAR_CHOICES = [(year, f"Year {year}") for year in YEAR_GROUPS]
DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class OpportunityForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What pupils will do and learn.",
    )
    kind = forms.ChoiceField(choices=Opportunity.Kind.choices)
    setting = forms.ChoiceField(choices=Opportunity.Setting.choices)
    tier = forms.TypedChoiceField(coerce=int, choices=TIER_CHOICES, label="equalex tier")
    start_date = forms.DateField(label="First day", widget=DATE)
    end_date = forms.DateField(
        label="Last day", required=False, help_text="Leave empty for one day.", widget=DATE
    )
    capacity = forms.IntegerField(
        label="Places", min_value=1, max_value=500, help_text="How many pupils can take part."
    )
    year_groups = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=YEAR_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label="Eligible year groups",
    )
    sector = forms.ModelChoiceField(queryset=Sector.objects.all(), required=False)
    objectives = forms.ModelMultipleChoiceField(
        queryset=Objective.objects.filter(outcome__tier__framework__is_current=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Learning objectives",
    )
    criteria = forms.MultipleChoiceField(
        choices=CRITERIA_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Meaningful criteria its design meets",
        help_text="Schools count it toward the ten days only if it is meaningful "
        "(M1, M2 and M3 at least).",
    )
    postcode = forms.CharField(max_length=8, required=False, help_text="Where pupils go.")
    accessibility_notes = forms.CharField(
        label="Accessibility and SEND notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Step-free access, quiet spaces, adjustments you can make.",
    )
    hubs = forms.ModelMultipleChoiceField(
        queryset=Hub.all_tenants_UNSCOPED.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Offer it to schools in",
    )
    # The day itself: parents see these on the consent form, schools on the opportunity.
    starts_at = forms.TimeField(label="Arrival time", required=False, widget=TIME)
    ends_at = forms.TimeField(label="Finishing time", required=False, widget=TIME)
    address = forms.CharField(
        label="Address pupils go to",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Where to report on the day, including the entrance if it is not obvious.",
    )
    dress_code = forms.CharField(
        max_length=200, required=False, help_text="For example: smart casual, safety boots."
    )
    onsite_contact_name = forms.CharField(
        label="On-site contact", max_length=200, required=False, help_text="Who pupils ask for."
    )
    onsite_contact_phone = forms.CharField(
        label="On-site contact's phone", max_length=40, required=False
    )
    what_to_bring = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="For example: packed lunch, a pen, photo ID.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluated per request, inside the actor's scope: the employer's partner hubs.
        self.fields["hubs"].queryset = Hub.objects.order_by("name")

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"]
        try:
            return postcode_clean(postcode) if postcode.strip() else ""
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The last day cannot be before the first.")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "kind": data["kind"],
            "setting": data["setting"],
            "tier": data["tier"],
            "start_date": data["start_date"],
            "end_date": data.get("end_date") or data["start_date"],
            "capacity": data["capacity"],
            "year_groups": data["year_groups"],
            "sector_id": data["sector"].pk if data["sector"] else None,
            "objective_ids": [o.pk for o in data["objectives"]],
            "postcode": data["postcode"],
            "accessibility_notes": data["accessibility_notes"],
            "hub_ids": [h.pk for h in data["hubs"]],
            "criteria": data["criteria"],
            **{
                name: data[name]
                for name in (
                    "starts_at",
                    "ends_at",
                    "address",
                    "dress_code",
                    "onsite_contact_name",
                    "onsite_contact_phone",
                    "what_to_bring",
                )
            },
        }


class OpportunityFilter(forms.Form):
    sector = forms.ModelChoiceField(
        queryset=Sector.objects.all(), required=False, empty_label="Any sector"
    )
    tier = forms.TypedChoiceField(
        coerce=int, choices=[("", "Any tier"), *TIER_CHOICES], required=False, empty_value=None
    )
    year_group = forms.TypedChoiceField(
        coerce=int,
        choices=[("", "Any year group"), *YEAR_CHOICES],
        required=False,
        empty_value=None,
        label="Year group",
    )
    distance = forms.ChoiceField(
        choices=[("", "Any distance"), *DistanceBand.choices],
        required=False,
        label="Distance",
        help_text="Judged from the postcodes of your school and of the workplace.",
    )


class VettingForm(forms.Form):
    hub = forms.ModelChoiceField(queryset=Hub.all_tenants_UNSCOPED.none(), label="Hub")
    insurance_expires = forms.DateField(label="Employer's liability insurance expires", widget=DATE)
    supervisor_name = forms.CharField(
        max_length=200, label="Named supervisor", help_text="Who looks after pupils on site."
    )
    insurance_certificate = forms.FileField(required=False, label="Insurance certificate")
    health_and_safety_policy = forms.FileField(required=False, label="Health and safety policy")
    risk_assessment = forms.FileField(
        required=False, label="Risk assessment", help_text="It must cover young people."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The employer's partner hubs, by scope.
        self.fields["hub"].queryset = Hub.objects.order_by("name")

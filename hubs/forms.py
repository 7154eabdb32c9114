from decimal import Decimal

from django import forms

from learners.forms import CRITERIA_CHOICES

ALL_CRITERIA_CHOICES = [
    *CRITERIA_CHOICES,
    ("M6", "M6 includes the employer giving feedback to the young person"),
    ("M7", "M7 is followed by the young person reflecting on what they gained"),
]
REQUIRED = {"M1", "M2", "M3"}


class HubRulesForm(forms.Form):
    meaningful_criteria = forms.MultipleChoiceField(
        choices=ALL_CRITERIA_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label="An experience counts when it meets",
        help_text="M1, M2 and M3 are always required; add more for a stricter rule.",
    )
    ks3_virtual_cap_days = forms.DecimalField(
        label="Most of the KS3 week that may be virtual (days)",
        min_value=Decimal(0),
        max_value=Decimal(5),
        decimal_places=1,
        max_digits=3,
    )

    year11_grace_days = forms.IntegerField(
        label="Days after Year 11 ends (31 August) before a pupil still on the roll is "
        "recorded as having left",
        min_value=0,
        max_value=365,
        required=False,  # left out, the hub's setting stays as it is
    )
    leavers_kept_academic_years = forms.IntegerField(
        label="Academic years a leaver's named record is kept, after the year they left in",
        help_text="Then the record is pseudonymised: names, UPN and free text go, the "
        "figures stay.",
        min_value=1,
        max_value=10,
        required=False,
    )

    def clean_meaningful_criteria(self):
        chosen = set(self.cleaned_data["meaningful_criteria"])
        if not chosen >= REQUIRED:
            raise forms.ValidationError("M1, M2 and M3 must stay: they define meaningful.")
        return sorted(chosen)

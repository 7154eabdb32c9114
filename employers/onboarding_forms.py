import re

from django import forms

from hubs.models import Hub, Sector
from hubs.postcodes import postcode_clean

from .models import Employer

COMPANIES_HOUSE_NUMBER = re.compile(r"^[A-Z0-9]{2}\d{6}$")


class OrganisationForm(forms.Form):
    """The organisation's details, as a hub lead or the organisation itself gives them."""

    name = forms.CharField(label="Organisation name", max_length=200)
    size_band = forms.ChoiceField(
        label="Size", choices=[("", "Choose a size"), *Employer.SizeBand.choices]
    )
    sector = forms.ModelChoiceField(
        label="Sector", queryset=Sector.objects.all(), empty_label="Choose a sector"
    )
    postcode = forms.CharField(
        label="Postcode", max_length=10, help_text="Of the workplace pupils would visit."
    )
    companies_house_number = forms.CharField(
        label="Companies House number (optional)",
        max_length=10,
        required=False,
        help_text="8 characters, for example 01234567 or SC123456.",
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter the organisation's name.")
        return name

    def clean_postcode(self):
        try:
            return postcode_clean(self.cleaned_data["postcode"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_companies_house_number(self):
        number = "".join(self.cleaned_data["companies_house_number"].split()).upper()
        if number.isdigit() and len(number) < 8:
            number = number.zfill(8)  # people often leave out the leading zeros
        if number and not COMPANIES_HOUSE_NUMBER.match(number):
            raise forms.ValidationError(
                "A Companies House number is 8 characters: 8 digits, or 2 letters and 6 digits."
            )
        return number


class EmployerAddForm(OrganisationForm):
    contact_email = forms.EmailField(
        label="Contact's email address",
        help_text="The first person at the organisation to use equalex: we invite them.",
    )


class EmployerRequestForm(OrganisationForm):
    contact_name = forms.CharField(label="Your name", max_length=150)
    contact_email = forms.EmailField(
        label="Your work email address", help_text="The hub replies to this address."
    )
    hub = forms.ModelChoiceField(
        label="Careers Hub",
        # Hub names are public: anyone may choose one here, signed in or not.
        queryset=Hub.all_tenants_UNSCOPED.order_by("name"),
        empty_label="Choose the hub for your area",
    )
    message = forms.CharField(
        label="Message to the hub (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you could offer: placements, visits, talks. At most 1,000 characters.",
    )
    # Left empty by people; filled in by form-filling robots (the page hides it).
    website = forms.CharField(label="Leave this empty", required=False)

    def clean_contact_name(self):
        name = " ".join(self.cleaned_data["contact_name"].split())
        if not name:
            raise forms.ValidationError("Enter your name.")
        return name


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to the organisation's contact.",
        error_messages={"required": "Say why, so the organisation knows what to do next."},
    )


class PartnerRequestForm(forms.Form):
    hub = forms.ModelChoiceField(
        label="Careers Hub",
        queryset=Hub.all_tenants_UNSCOPED.none(),
        empty_label="Choose a hub",
    )
    message = forms.CharField(
        label="Message to the hub (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, partner_hub_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Hub names are public; offer the ones the employer does not partner with yet.
        self.fields["hub"].queryset = Hub.all_tenants_UNSCOPED.exclude(
            pk__in=partner_hub_ids
        ).order_by("name")

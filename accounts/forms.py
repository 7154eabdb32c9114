from django import forms
from django.contrib.auth import password_validation

from access.roles import Role
from employers.models import Employer
from schools.models import School

from .services import invitable_roles


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role")
    school = forms.ModelChoiceField(
        queryset=School.all_tenants_UNSCOPED.none(),
        required=False,
        label="School",
        help_text="For careers leaders and school staff.",
    )
    employer = forms.ModelChoiceField(
        queryset=Employer.all_tenants_UNSCOPED.none(),
        required=False,
        label="Employer",
        help_text="For employer staff.",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in invitable_roles(actor)]
        if actor.role == Role.HUB_LEAD:
            self.fields["school"].queryset = School.objects.all()
            self.fields["employer"].queryset = Employer.objects.all()
        else:
            del self.fields["school"]
            del self.fields["employer"]


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        elif cleaned.get("password1"):
            try:
                password_validation.validate_password(cleaned["password1"])
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

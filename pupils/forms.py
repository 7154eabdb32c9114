from django import forms
from django.conf import settings

from outcomes.models import Skill


class SignInCodeForm(forms.Form):
    code = forms.CharField(
        label="Your sign-in code",
        max_length=40,
        help_text="The 12 letters and numbers on the slip from your careers leader, "
        "for example ABCD-EFGH-JKLM.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
            }
        ),
    )


class ReflectionForm(forms.Form):
    what_i_did = forms.CharField(
        label="What did you do?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The tasks, the people you met, what a day there was like.",
    )
    what_i_learned = forms.CharField(
        label="What did you learn about work or the workplace?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Something that surprised you, or how it was different from school.",
    )
    skills = forms.ModelMultipleChoiceField(
        label="Which skills did you use?",
        queryset=Skill.objects.order_by("position"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    what_next = forms.CharField(
        label="What would you like to do next?",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: a job to find out about, a subject to choose, another visit.",
    )


class InterestForm(forms.Form):
    why = forms.CharField(
        label="Why would you like to try it? (optional)",
        max_length=280,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PupilAccessForm(forms.Form):
    valid_days = forms.TypedChoiceField(
        label="How long the codes work",
        coerce=int,
        choices=[(d, f"{d} day{'s' if d != 1 else ''}") for d in settings.PUPIL_CODE_VALID_DAYS],
        initial=7,
    )

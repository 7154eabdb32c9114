from django import forms

from .models import AuditEvent


class AuditFilterForm(forms.Form):
    """The audit log's filters; every one optional. The people offered are those the
    actor's Membership scope shows (their school's staff, or their hub's people)."""

    pupil = forms.IntegerField(
        label="Pupil number",
        required=False,
        min_value=1,
        help_text="The number at the end of the pupil's page address.",
    )
    person = forms.TypedChoiceField(label="Person", required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *AuditEvent.Action.choices]
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        from hubs.models import Membership

        self.actor = actor
        people = (
            Membership.objects.order_by("user__full_name", "user__email")
            .values_list("user_id", "user__full_name", "user__email")
            .distinct()
        )
        self.fields["person"].choices = [("", "Anyone")] + [
            (user_id, f"{name} ({email})" if name else email) for user_id, name, email in people
        ]

    def clean_pupil(self):
        from learners.models import Learner

        pupil = self.cleaned_data["pupil"]
        # Only a pupil the actor may see by name: the Learner scope answers for the school
        # (a hub lead's scope has no named pupils, so none passes).
        if pupil is not None and not (
            self.actor.can("pupil.view_named") and Learner.objects.filter(pk=pupil).exists()
        ):
            raise forms.ValidationError("There is no pupil with that number at your school.")
        return pupil

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date is before the start date.")
        return data

    def filters(self) -> dict:
        return {
            key: self.cleaned_data.get(key) or None
            for key in ("pupil", "person", "action", "since", "until")
        }

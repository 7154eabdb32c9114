from django import forms

from .services import own_memberships


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What will use it, so you can tell tokens apart later."
    )
    membership = forms.TypedChoiceField(
        label="Acts for", coerce=int, help_text="The token sees what you see in this role."
    )
    can_write = forms.BooleanField(
        label="Allow it to change data",
        required=False,
        help_text="Leave unticked for a read-only token (reports, analysis).",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        memberships = own_memberships(actor=actor)
        self.fields["membership"].choices = [(m.pk, str(m)) for m in memberships]
        self.fields["membership"].initial = actor.membership_id

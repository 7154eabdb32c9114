"""The filters of the careers leader's lists (pupils, experiences): what a query string may
ask for, checked; anything unreadable is ignored rather than an error page."""

from django import forms

from .academic import YEAR_GROUPS
from .leader import PUPIL_SORTS, TERM_NAMES
from .models import Experience

YEAR_CHOICES = [("", "Any year")] + [(y, f"Year {y}") for y in YEAR_GROUPS]


class PupilListFilter(forms.Form):
    q = forms.CharField(required=False, label="Name or UPN", max_length=100)
    year = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Year group", choices=YEAR_CHOICES
    )
    group = forms.ChoiceField(required=False, label="Registration group")
    fsm = forms.BooleanField(required=False, label="FSM")
    disadvantaged = forms.BooleanField(required=False, label="Disadvantaged")
    send = forms.BooleanField(required=False, label="SEND")
    behind = forms.BooleanField(required=False, label="Behind")
    sort = forms.ChoiceField(
        required=False,
        label="Sort by",
        choices=[
            ("year", "Year and registration group"),
            ("group", "Registration group"),
            ("name", "Surname"),
            ("progress", "Fewest days first"),
            ("priority", "Disadvantaged and behind first"),
        ],
    )

    def __init__(self, data, *, groups):
        super().__init__(data)
        self.fields["group"].choices = [("", "Any group")] + [(g, g) for g in groups]

    def filters(self) -> dict:
        """The valid filters, for pupil_search; an invalid field is left out."""
        self.is_valid()
        chosen = {name: self.cleaned_data.get(name) for name in self.fields}
        return {
            "search": chosen["q"] or "",
            "year": chosen["year"],
            "group": chosen["group"] or "",
            "fsm": bool(chosen["fsm"]),
            "disadvantaged": bool(chosen["disadvantaged"]),
            "send": bool(chosen["send"]),
            "behind": bool(chosen["behind"]),
            "sort": chosen["sort"] if chosen["sort"] in PUPIL_SORTS else "year",
        }


class ExperienceListFilter(forms.Form):
    year = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Pupils' year group at the time",
        choices=YEAR_CHOICES,
    )
    kind = forms.ChoiceField(
        required=False, label="Kind", choices=[("", "Any kind"), *Experience.Kind.choices]
    )
    term = forms.ChoiceField(required=False, label="Term")
    employer = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Employer"
    )

    def __init__(self, data, *, academic_years, employers):
        from .academic import academic_year_label

        super().__init__(data)
        self.fields["term"].choices = [("", "Any term")] + [
            (f"{year}-{term}", f"{name} {academic_year_label(year)}")
            for year in academic_years
            for term, name in TERM_NAMES.items()
        ]
        self.fields["employer"].choices = [("", "Any employer")] + [
            (e["pk"], e["name"]) for e in employers
        ]

    def filters(self) -> dict:
        self.is_valid()
        chosen = {name: self.cleaned_data.get(name) for name in self.fields}
        term = None
        if chosen["term"]:
            year, name = chosen["term"].split("-")
            term = (int(year), name)
        return {
            "year": chosen["year"],
            "kind": chosen["kind"] or "",
            "term": term,
            "employer_id": chosen["employer"],
        }

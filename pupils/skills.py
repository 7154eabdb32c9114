"""The eight Skills Builder essential skills, described for a pupil rating themselves.

The framework (../shared/reference) names the skills and the 0-15 step scale; these short
descriptions and the three stretches of steps are ours, written for pupils of 11 to 16,
not the Skills Builder Partnership's step statements."""

from django import forms

DESCRIPTIONS = {
    "Listening": "Taking in what other people say, and showing you have understood it.",
    "Speaking": "Saying what you mean clearly, to one person or to a group.",
    "Problem Solving": "Working out what is wrong and finding ways to fix it.",
    "Creativity": "Coming up with new ideas and trying them out.",
    "Staying Positive": "Keeping going when things are hard, and helping others to.",
    "Aiming High": "Setting yourself goals and planning how to reach them.",
    "Leadership": "Helping a group work well: sharing out tasks, supporting others.",
    "Teamwork": "Working well with others towards a shared goal.",
}

STRETCHES = (
    (0, 5, "getting started"),
    (6, 10, "growing"),
    (11, 15, "strong"),
)


def step_label(step: int) -> str:
    for low, high, words in STRETCHES:
        if low <= step <= high:
            return f"Step {step}: {words}"
    raise ValueError(step)


def skill_rating_form(skills, data=None, initial=None):
    """A form with one 0-15 choice per skill, each labelled with the skill and described."""
    fields = {}
    for skill in skills:
        fields[f"skill_{skill.pk}"] = forms.TypedChoiceField(
            label=skill.name,
            help_text=DESCRIPTIONS.get(skill.name, ""),
            choices=[("", "Choose a step")] + [(s, step_label(s)) for s in range(16)],
            coerce=int,
            required=False,
            empty_value=None,
        )
    form_class = type("SkillRatingForm", (forms.Form,), fields)
    return form_class(data=data, initial=initial)

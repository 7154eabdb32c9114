from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from access.routes import requires

from .academic import year_group_on
from .duplicates import LikelyDuplicate, likely_duplicates
from .forms import (
    CRITERIA_CHOICES,
    ExperienceForm,
    ParticipationForm,
    PupilPickerFilter,
    duration_initial,
)
from .models import Experience, Participation
from .progress import duration_in_words, experience_verdict
from .selectors import (
    experience_get,
    experience_participations,
    pupil_picker,
    registration_groups,
    rules_for_school,
)
from .services import (
    experience_add_pupils,
    experience_delete,
    experience_log,
    experience_update,
    participation_update,
)


def _experience_or_404(request, experience_id):
    try:
        return experience_get(actor=request.actor, experience_id=experience_id)
    except Experience.DoesNotExist as missing:
        raise Http404 from missing


# A class, a year group or a search: never the whole school (a year group is some 300).
PICKER_LIMIT = 400


def _picker_context(request, data, chosen_ids):
    picker = PupilPickerFilter(data, groups=registration_groups(actor=request.actor))
    picker.is_valid()
    filters = picker.cleaned_data if picker.is_bound else {}
    shown = []
    if picker.narrowed:
        shown = list(
            pupil_picker(
                actor=request.actor,
                year=filters.get("year"),
                group=filters.get("group", ""),
                search=filters.get("q", ""),
            )[: PICKER_LIMIT + 1]
        )
    more = len(shown) > PICKER_LIMIT
    shown = shown[:PICKER_LIMIT]
    shown_ids = {p.pk for p in shown}
    # Pupils already ticked stay on the list when the filter changes.
    missing = set(chosen_ids) - shown_ids
    if missing:
        shown += list(pupil_picker(actor=request.actor).filter(pk__in=missing))
    return {
        "picker": picker,
        "pupils": shown,
        "chosen_ids": set(chosen_ids),
        "narrowed": picker.narrowed,
        "more_than_shown": more,
        "picker_limit": PICKER_LIMIT,
    }


def _from_planned_activity(request, activity_id):
    from django.utils import timezone

    from programmes.models import PlannedActivity
    from programmes.selectors import activities_to_deliver, activity_audience_ids

    try:
        activity = (
            activities_to_deliver()
            .prefetch_related("objectives", "sectors", "employers")
            .get(pk=activity_id)
        )
    except PlannedActivity.DoesNotExist as missing:
        raise Http404 from missing
    initial = {
        "title": activity.title,
        "kind": activity.kind,
        "setting": activity.setting,
        "tier": activity.tier,
        **duration_initial(activity.expected_hours),
        "employers": list(activity.employers.all()),
        "sectors": list(activity.sectors.all()),
        "objectives": list(activity.objectives.all()),
        "planned_activity": activity.pk,
    }
    pupils = activity_audience_ids(
        actor=request.actor, activity=activity, as_at=timezone.localdate()
    )
    return initial, pupils[:PICKER_LIMIT]


def _chosen_ids(data, name="pupils"):
    ids = []
    for value in data.getlist(name):
        if value.isdigit():
            ids.append(int(value))
    return ids


def _review(request, context, *, duplicates=()):
    """The check-and-confirm page; with likely duplicates it asks what to do instead."""
    chosen = context["chosen_ids"]
    context["chosen_pupils"] = [p for p in context["pupils"] if p.pk in chosen]
    context["duplicates"] = list(duplicates)
    data = context["form"].cleaned_data
    context["kind_label"] = Experience.Kind(data["kind"]).label
    context["setting_label"] = Experience.Setting(data["setting"]).label
    context["tier_label"] = dict(context["form"].fields["tier"].choices)[data["tier"]]
    context["criteria_labels"] = [
        label for code, label in CRITERIA_CHOICES if code in data["criteria"]
    ]
    context["length"] = duration_in_words(data["duration_hours"])
    _programme_link(request, context, data, chosen)
    year_groups = Counter(
        year_group_on(p.cohort, data["start_date"]) for p in context["chosen_pupils"]
    )
    context["year_groups"] = sorted(year_groups.items())
    rules = rules_for_school(actor=request.actor, school_id=request.actor.school_id)
    context["verdict"] = experience_verdict(
        kind=data["kind"],
        setting=data["setting"],
        criteria=data["criteria"],
        rules=rules,
        year_groups=set(year_groups),
    )
    context["missing_labels"] = [
        label
        for code, label in CRITERIA_CHOICES
        if code in rules.meaningful_criteria and code not in data["criteria"]
    ]
    return render(request, "learners/experience_confirm.html", context)


def _programme_link(request, context, data, chosen):
    """The planned activity it delivers, or the likeliest ones to choose from."""
    from programmes.selectors import activity_label, activity_suggestions

    if data.get("planned_activity"):
        context["planned_label"] = activity_label(data["planned_activity"])
        return
    context["suggestions"] = [
        (activity.pk, activity_label(activity))
        for activity in activity_suggestions(
            actor=request.actor,
            kind=data["kind"],
            start_date=data["start_date"],
            objective_ids=[o.pk for o in data["objectives"]],
            pupil_ids=chosen,
        )
    ]


def _duplicates_of(request, form, chosen):
    data = form.cleaned_data
    return likely_duplicates(
        actor=request.actor,
        start_date=data["start_date"],
        kind=data["kind"],
        title=data["title"],
        pupil_ids=chosen,
    )


def _add_to_existing(request, experience_id, chosen):
    """Answers "it is the same experience": only the pupils not already on it are added."""
    try:
        added = experience_add_pupils(
            actor=request.actor, experience_id=experience_id, pupil_ids=chosen
        )
    except Experience.DoesNotExist as missing:
        raise Http404 from missing
    existing = Experience.objects.get(pk=experience_id)
    already = len(set(chosen)) - len(added)
    if not added:
        messages.info(
            request,
            f"All {already} pupil{'s' * (already != 1)} were already on “{existing.title}”: "
            "nothing was saved.",
        )
    else:
        was = "was" if already == 1 else "were"
        messages.success(
            request,
            f"Added {len(added)} pupil{'s' * (len(added) != 1)} to “{existing.title}”; "
            f"{already} {was} already on it.",
        )
    return redirect("experience_detail", experience_id=existing.pk)


def _experience_form_view(request, *, experience=None):
    """Log a new experience for a class, or edit one: pick pupils, review, confirm."""
    data = request.POST if request.method == "POST" else None
    if experience is not None and data is None:
        form = ExperienceForm(initial=ExperienceForm.initial_from(experience))
        chosen = list(experience.participations.values_list("learner_id", flat=True))
        picker_data = None
    elif data is None and request.GET.get("activity", "").isdigit():
        # "Log it" from a programme plan: the activity's details and its pupils, to adjust.
        initial, chosen = _from_planned_activity(request, int(request.GET["activity"]))
        form = ExperienceForm(initial=initial)
        picker_data = None
    else:
        form = ExperienceForm(data)
        chosen = _chosen_ids(data) if data else []
        picker_data = data if data and "year" in data else (request.GET or None)
    context = {
        "form": form,
        "experience": experience,
        **_picker_context(request, picker_data, chosen),
    }
    if data is None or "_find" in data:
        if data is not None:
            form.errors.clear()  # a filter change is not a submission
        return render(request, "learners/experience_form.html", context)
    if not form.is_valid() or not chosen:
        context["pupils_error"] = "" if chosen else "Choose at least one pupil."
        return render(request, "learners/experience_form.html", context, status=400)
    is_new = experience is None
    if not {"_confirm", "_different", "_same_as"} & set(data):
        duplicates = _duplicates_of(request, form, chosen) if is_new else ()
        return _review(request, context, duplicates=duplicates)
    try:
        if is_new and data.get("_same_as", "").isdigit():
            return _add_to_existing(request, int(data["_same_as"]), chosen)
        if is_new:
            saved = experience_log(
                actor=request.actor,
                pupil_ids=chosen,
                # "Add it anyway" answers only for the experiences it was asked about.
                different_from=_chosen_ids(data, "different_from") if "_different" in data else (),
                **form.service_kwargs(),
            )
        else:
            kwargs = form.service_kwargs()
            saved = experience_update(
                actor=request.actor, experience_id=experience.pk, pupil_ids=chosen, **kwargs
            )
    except LikelyDuplicate:
        # Logged meanwhile (a double-click's first click, a colleague): ask, saving nothing.
        return _review(request, context, duplicates=_duplicates_of(request, form, chosen))
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return render(request, "learners/experience_form.html", context, status=400)
    verb = "Logged" if experience is None else "Updated"
    count = len(set(chosen))
    messages.success(request, f"{verb} “{saved.title}” for {count} pupil{'s' * (count != 1)}.")
    return redirect("experience_detail", experience_id=saved.pk)


@requires("experience.log")
def experience_new(request):
    return _experience_form_view(request)


@requires("experience.log")
def experience_edit(request, experience_id: int):
    return _experience_form_view(request, experience=_experience_or_404(request, experience_id))


@requires("experience.log")
def experience_detail(request, experience_id: int):
    experience = _experience_or_404(request, experience_id)
    return render(
        request,
        "learners/experience_detail.html",
        {
            "experience": experience,
            "participations": experience_participations(actor=request.actor, experience=experience),
        },
    )


@requires("experience.delete")
def experience_remove(request, experience_id: int):
    experience = _experience_or_404(request, experience_id)
    if request.method == "POST":
        experience_delete(actor=request.actor, experience_id=experience.pk)
        messages.success(request, f"Deleted “{experience.title}” and its pupils' records.")
        return redirect("experiences")
    return render(
        request,
        "learners/experience_delete.html",
        {
            "experience": experience,
            "pupil_count": experience.participations.count(),
        },
    )


@requires("experience.log")
def participation_edit(request, participation_id: int):
    try:
        participation = Participation.objects.select_related("experience", "learner").get(
            pk=participation_id
        )
    except Participation.DoesNotExist as missing:
        raise Http404 from missing
    form = ParticipationForm(
        request.POST or None,
        initial={
            "hours_attended": participation.hours_attended,
            "absent": participation.absent,
            "employer_feedback_given": participation.employer_feedback_given,
            "reflection_done": participation.reflection_done,
            "reflection_text": participation.reflection_text,
            "feedback_text": participation.feedback_text,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            participation_update(
                actor=request.actor, participation_id=participation.pk, **form.cleaned_data
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"Saved {participation.learner}'s record.")
            return redirect("pupil_detail", pupil_id=participation.learner_id)
    return render(
        request, "learners/participation_form.html", {"form": form, "participation": participation}
    )

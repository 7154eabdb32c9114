from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from access.routes import requires

from .academic import year_group_on
from .forms import SkillRatingForm
from .models import Learner
from .progress import with_progress
from .selectors import (
    pupil_get,
    pupil_placements,
    pupil_skill_ratings,
    pupil_timeline,
    rules_for_school,
)
from .services import skill_rating_record


def _pupil_or_404(request, pupil_id):
    try:
        return pupil_get(actor=request.actor, pupil_id=pupil_id)
    except Learner.DoesNotExist as missing:
        raise Http404 from missing


@requires("pupil.view_named")
def pupil_detail(request, pupil_id: int):
    """The pupil's timeline: every experience by year group, what counted and why not."""
    pupil = _pupil_or_404(request, pupil_id)
    today = timezone.localdate()
    rules = rules_for_school(actor=request.actor, school_id=pupil.school_id)
    progress = with_progress(
        Learner.objects.filter(pk=pupil.pk), rules=rules, as_at=today, variety=True
    ).get()
    timeline = list(pupil_timeline(actor=request.actor, pupil=pupil, rules=rules))
    from pupils.selectors import reflections_of_pupil

    from .progress import why_not_counted

    # A pupil's own words are for their school's staff (a trust lead reads figures).
    reflections = (
        reflections_of_pupil(actor=request.actor, pupil=pupil)
        if request.actor.can("reflection.view")
        else {}
    )
    for entry in timeline:
        entry.year_group = 7 + entry.offset
        entry.reasons = [] if entry.counts else why_not_counted(entry, rules)
        entry.pupil_reflection = reflections.get(entry.pk)
    # The school's own record of placements: a trust lead's read-only view has none. The
    # parent's details (medical needs, emergency contact) are for the careers leader, who
    # arranges placements.
    can_see_placements = request.actor.can("pupil.change")
    parent_details = request.actor.can("consent.request")
    placements = (
        pupil_placements(actor=request.actor, pupil=pupil, with_parent_details=parent_details)
        if can_see_placements
        else None
    )
    return render(
        request,
        "learners/pupil_detail.html",
        {
            "pupil": pupil,
            "placements": placements,
            "parent_answers": [n for n in placements or () if n.parent_answered],
            "retain_days": settings.RETAIN_CONSENT_DETAILS_DAYS,
            "today": today,
            "show_parent_details": parent_details,
            "year_group": year_group_on(pupil.cohort, today),
            "progress": progress,
            "timeline": timeline,
            "ratings": pupil_skill_ratings(actor=request.actor, pupil=pupil),
            "rules": rules,
            "skill_form": SkillRatingForm(),
            # A trust lead reads (where the school grants it) and changes nothing.
            "can_change": request.actor.can("pupil.change"),
            "can_print_record": request.actor.can("report.pupil"),
            "can_hide_reflections": request.actor.can("pupil.access"),
        },
    )


@requires("pupil.change")
def pupil_skill_new(request, pupil_id: int):
    pupil = _pupil_or_404(request, pupil_id)
    form = SkillRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            skill_rating_record(
                actor=request.actor,
                pupil_id=pupil.pk,
                skill_id=form.cleaned_data["skill"].pk,
                step=form.cleaned_data["step"],
                rater=form.cleaned_data["rater"],
                rated_on=form.cleaned_data["rated_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Skill rating recorded.")
            return redirect("pupil_detail", pupil_id=pupil.pk)
    return render(request, "learners/skill_new.html", {"pupil": pupil, "form": form})

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from access.routes import requires
from schools.selectors import school_pupils_in_year

from .academic import YEAR_GROUPS, year_group_on
from .models import Learner
from .selectors import pupil_get


@requires("pupil.view_named")
def pupil_list(request):
    try:
        year_group = int(request.GET.get("year", 7))
    except ValueError:
        year_group = 7
    if year_group not in YEAR_GROUPS:
        raise Http404
    pupils = school_pupils_in_year(
        actor=request.actor, school_id=request.actor.school_id, year_group=year_group
    )
    return render(
        request,
        "learners/pupil_list.html",
        {"pupils": pupils, "year_group": year_group, "year_groups": YEAR_GROUPS},
    )


@requires("pupil.view_named")
def pupil_detail(request, pupil_id: int):
    try:
        pupil = pupil_get(actor=request.actor, pupil_id=pupil_id)
    except Learner.DoesNotExist as missing:
        raise Http404 from missing
    year_group = year_group_on(pupil.cohort, timezone.localdate())
    return render(request, "learners/pupil_detail.html", {"pupil": pupil, "year_group": year_group})

from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from access.routes import requires

from .academic import YEAR_GROUPS
from .progress import compass_dates
from .selectors import cohort_progress, school_get, school_progress_summary


def as_at_from(request) -> date:
    """The "as at" date a page or report form asked for; today when absent or unreadable."""
    try:
        return date.fromisoformat(request.POST.get("as_at") or request.GET.get("as_at", ""))
    except ValueError:
        return timezone.localdate()


@requires("progress.view")
def cohort(request, year_group: int):
    if year_group not in YEAR_GROUPS:
        raise Http404
    as_at = as_at_from(request)
    flags = {
        name: request.GET.get(name) == "1" for name in ("fsm", "send", "disadvantaged", "behind")
    }
    pupils = cohort_progress(
        actor=request.actor,
        school_id=request.actor.school_id,
        year_group=year_group,
        as_at=as_at,
        **flags,
    )
    return render(
        request,
        "learners/cohort.html",
        {
            "pupils": pupils,
            "year_group": year_group,
            "year_groups": YEAR_GROUPS,
            "as_at": as_at,
            "flags": flags,
        },
    )


@requires("progress.view")
def school_summary(request):
    as_at = as_at_from(request)
    summary = school_progress_summary(
        actor=request.actor, school_id=request.actor.school_id, as_at=as_at
    )
    return render(
        request,
        "learners/school_summary.html",
        {
            **summary,
            "as_at": as_at,
            "school": school_get(actor=request.actor, school_id=request.actor.school_id),
            "formal_dates": compass_dates(as_at),
        },
    )

"""The careers leader's lists: every pupil, and every experience, filtered and paged."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from access.routes import requires

from .leader import experience_filter_choices, experience_search, pupil_search, registration_groups
from .list_forms import ExperienceListFilter, PupilListFilter

PUPILS_PER_PAGE = 50
EXPERIENCES_PER_PAGE = 25


def _page(request, rows, per_page: int):
    """One page of rows (a bad or too-high page number shows the nearest page) and the
    query string of the filters, for the page links."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    kept = [(key, value) for key, value in request.GET.items() if key != "page" and value]
    return page, urlencode(kept)


@requires("pupil.view_named")
def pupil_list(request):
    actor = request.actor
    # The school's own list; a trust lead reads a school's on trust_school_pupils.
    if actor.school_id is None:
        raise Http404
    groups = registration_groups(actor=actor, school_id=actor.school_id)
    form = PupilListFilter(request.GET, groups=groups)
    filters = form.filters()
    today = timezone.localdate()
    rows = pupil_search(actor=actor, school_id=actor.school_id, today=today, **filters)
    page, query = _page(request, rows, PUPILS_PER_PAGE)
    filtered = any(value for name, value in filters.items() if name != "sort")
    return render(
        request,
        "learners/pupil_search.html",
        {"form": form, "page": page, "query": query, "filtered": filtered},
    )


@requires("experience.log")
def experiences(request):
    actor = request.actor
    choices = experience_filter_choices(actor=actor, school_id=actor.school_id)
    form = ExperienceListFilter(request.GET, **choices)
    rows = experience_search(actor=actor, school_id=actor.school_id, **form.filters())
    page, query = _page(request, rows, EXPERIENCES_PER_PAGE)
    return render(
        request, "learners/experience_list.html", {"form": form, "page": page, "query": query}
    )

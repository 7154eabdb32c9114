from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from access.audit import audit_many
from access.context import acting_as
from access.models import AuditEvent
from access.routes import requires
from learners.academic import YEAR_GROUPS

from .models import School
from .selectors import (
    school_pupils_in_year,
    school_year_group_summary,
    trust_pupil_access_of_school,
    trust_school_get,
)
from .services import trust_pupil_access_grant, trust_pupil_access_revoke


@requires("school.view")
def school_detail(request, school_id: int):
    school = get_object_or_404(School.objects.select_related("hub", "trust"), pk=school_id)
    from reports.hub_home import school_current

    # Counts of pupils, never rows: a hub or trust lead reads them in the aggregate scope
    # (row-level security otherwise shows them no pupil to count).
    with acting_as(request.actor.for_aggregates()):
        summary = school_year_group_summary(actor=request.actor, school_id=school.pk)
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "summary": summary,
            **school_current(actor=request.actor, school_id=school.pk),
        },
    )


@requires("pupil.view_named")
def trust_school_pupils(request, school_id: int):
    """A trust lead's read-only list of one school's pupils, only where the school grants
    the trust its named pupils (404 otherwise). The read is on the school's audit trail."""
    try:
        school = trust_school_get(actor=request.actor, school_id=school_id, named=True)
    except School.DoesNotExist as missing:
        raise Http404 from missing
    try:
        year_group = int(request.GET.get("year", 7))
    except ValueError:
        year_group = 7
    if year_group not in YEAR_GROUPS:
        raise Http404
    pupils = list(
        school_pupils_in_year(actor=request.actor, school_id=school.pk, year_group=year_group)
    )
    audit_many(request.actor, AuditEvent.Action.VIEW, pupils)
    return render(
        request,
        "learners/pupil_list.html",
        {"pupils": pupils, "year_group": year_group, "year_groups": YEAR_GROUPS, "school": school},
    )


@requires("school.configure")
def school_settings(request):
    """The school's settings: whether its trust's careers lead may read its named pupils."""
    if request.method == "POST":
        try:
            if request.POST.get("trust_pupil_access") == "grant":
                trust_pupil_access_grant(actor=request.actor)
                messages.success(request, "Your trust's careers lead can now read your pupils.")
            else:
                trust_pupil_access_revoke(actor=request.actor)
                messages.success(request, "Your trust's careers lead now sees totals only.")
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect("school_settings")
    school, grant = trust_pupil_access_of_school(actor=request.actor)
    return render(request, "schools/settings.html", {"school": school, "grant": grant})

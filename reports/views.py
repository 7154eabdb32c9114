from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from access.audit import audit_export
from access.routes import requires
from learners.academic import YEAR_GROUPS
from learners.models import Learner
from learners.progress import compass_dates
from learners.progress_views import as_at_from
from schools.models import School

from .builders import charts_for
from .models import ReportRun
from .services import active_report, latest_report, report_request


def _report_page(request, *, kind, template, scope, request_kwargs, extra=None):
    if request.method == "POST":
        try:
            run = report_request(
                actor=request.actor, kind=kind, as_at=as_at_from(request), **request_kwargs
            )
        except (School.DoesNotExist, Learner.DoesNotExist) as missing:
            raise Http404 from missing
        messages.info(request, "The report is being built; this page updates when it is ready.")
        return redirect(request.path + f"?run={run.pk}")
    latest = latest_report(actor=request.actor, kind=kind, **scope)
    active = active_report(actor=request.actor, kind=kind, **scope)
    context = {
        "latest": latest,
        "active": active,
        "summary": latest.summary if latest else None,
        "charts": charts_for(latest.summary) if latest and latest.summary else {},
        "formal_dates": compass_dates(timezone.localdate()),
        "today": timezone.localdate(),
        **(extra or {}),
    }
    return render(request, template, context)


@requires("report.school")
def school_report(request, school_id: int):
    try:
        school = School.objects.select_related("hub").get(pk=school_id)
    except School.DoesNotExist as missing:
        raise Http404 from missing
    return _report_page(
        request,
        kind=ReportRun.Kind.SCHOOL_B6,
        template="reports/school_report.html",
        scope={"school_id": school.pk},
        request_kwargs={"school_id": school.pk},
        extra={"school": school, **_current_unless_built(request, school)},
    )


def _current_unless_built(request, school) -> dict:
    """With no report built yet, the page shows the school's figures as at today rather
    than nothing."""
    from .hub_home import school_current

    if request.method == "POST":
        return {}
    if latest_report(actor=request.actor, kind=ReportRun.Kind.SCHOOL_B6, school_id=school.pk):
        return {}
    return school_current(actor=request.actor, school_id=school.pk)


@requires("report.hub")
def hub_dashboard(request):
    """Live: the figures as at today are counted on each view (from the progress ledger);
    a built report is for a PDF, a CSV or a formal date's reading."""
    from hubs.models import Hub

    from .selectors import hub_dashboard_live

    live = hub_dashboard_live(actor=request.actor) if request.method != "POST" else None
    hub = Hub.objects.get(pk=request.actor.hub_id)
    return _report_page(
        request,
        kind=ReportRun.Kind.HUB_DASHBOARD,
        template="reports/hub_dashboard.html",
        scope={"hub_id": request.actor.hub_id, "school__isnull": True},
        request_kwargs={},
        extra={
            "live": live,
            "charts": charts_for(live) if live else {},
            "hub": hub,
        },
    )


@requires("report.pupil")
def pupil_record(request, pupil_id: int):
    try:
        pupil = Learner.objects.get(pk=pupil_id)
    except Learner.DoesNotExist as missing:
        raise Http404 from missing
    return _report_page(
        request,
        kind=ReportRun.Kind.PUPIL_RECORD,
        template="reports/pupil_record.html",
        scope={"learner_id": pupil.pk},
        request_kwargs={"pupil_id": pupil.pk},
        extra={"pupil": pupil},
    )


@requires("report.pupil")
def cohort_csv(request, year_group: int):
    if year_group not in YEAR_GROUPS:
        raise Http404
    return _report_page(
        request,
        kind=ReportRun.Kind.COHORT_CSV,
        template="reports/cohort_csv.html",
        scope={"school_id": request.actor.school_id, "year_group": year_group},
        request_kwargs={"school_id": request.actor.school_id, "year_group": year_group},
        extra={"year_group": year_group},
    )


@requires("report.school")
def run_status(request, run_id: int):
    """The progress bar, polled by htmx until the run is done."""
    try:
        run = ReportRun.objects.get(pk=run_id)
    except ReportRun.DoesNotExist as missing:
        raise Http404 from missing
    response = render(request, "reports/_status.html", {"run": run})
    if not run.is_active and request.htmx:
        response["HX-Refresh"] = "true"  # show the finished report
    return response


@requires("report.school")
def run_download(request, run_id: int, output: str):
    try:
        run = ReportRun.objects.get(pk=run_id, status=ReportRun.Status.DONE)
    except ReportRun.DoesNotExist as missing:
        raise Http404 from missing
    field = {"pdf": run.pdf, "csv": run.csv}.get(output)
    if not field:
        raise Http404
    name = f"{run.kind}-{run.as_at:%Y-%m-%d}.{output}"
    # A download of a school's (or a pupil's) figures is an export on that school's trail;
    # a hub report's on the hub's own.
    audit_export(
        request.actor,
        model="reports.ReportRun",
        object_pk=run.pk,
        hub_id=run.hub_id,
        school_id=run.school_id,
        detail=[output],
    )
    return FileResponse(field.open("rb"), as_attachment=output == "csv", filename=name)


@requires("report.national")
def national(request):
    """Hub-level figures, live as at today, and each hub's latest built reading; no school
    or pupil below hub level."""
    from .selectors import national_hub_totals, national_hub_totals_live

    return render(
        request,
        "reports/national.html",
        {
            "live": national_hub_totals_live(actor=request.actor),
            "hubs": national_hub_totals(actor=request.actor),
            "today": timezone.localdate(),
        },
    )

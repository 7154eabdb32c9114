from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.routes import public, requires
from learners.models import Learner
from learners.selectors import pupil_get

from .catalogue import records
from .erasure import erasure_confirm, erasure_list, erasure_request
from .models import ErasureRequest, SubjectAccessExport
from .sar import EXPIRES_AFTER, ExportExpired, sar_download, sar_exports, sar_get, sar_request


@public
def privacy_page(request):
    """What the platform holds about pupils, who sees it and for how long: public, so
    parents and pupils can read it without an account. Generated from the models, the
    access rules and the retention settings (privacy.catalogue)."""
    return render(
        request,
        "privacy/privacy.html",
        {
            "records": records(),
            "retain": {
                "vetting_days": settings.RETAIN_VETTING_DOCUMENTS_DAYS,
                "invitation_days": settings.RETAIN_INVITATION_DAYS,
                "token_days": settings.RETAIN_UNUSED_TOKEN_DAYS,
                "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            },
        },
    )


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label="Why should this pupil's record be erased?",
        help_text="The person who confirms reads this. Write no more about the pupil than "
        "the reason needs.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


@requires("erasure.request")
def pupil_erase(request, pupil_id: int):
    """Ask for a pupil to be erased; a second person confirms on the erasures page."""
    try:
        pupil = pupil_get(actor=request.actor, pupil_id=pupil_id)
    except Learner.DoesNotExist as missing:
        raise Http404 from missing
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure_request(
                actor=request.actor, pupil_id=pupil.pk, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "Erasure requested: another careers leader or your hub lead confirms."
            )
            return redirect("erasures")
    return render(
        request,
        "privacy/pupil_erase.html",
        {"pupil": pupil, "form": form},
        status=422 if form.errors else 200,
    )


@requires("erasure.confirm")
def erasures(request):
    """The erasure requests the actor can see: waiting ones to confirm, done ones as the
    record that they were done."""
    return render(
        request,
        "privacy/erasures.html",
        {"erasures": list(erasure_list(actor=request.actor)), "today": timezone.localdate()},
    )


@requires("erasure.confirm")
@require_POST
def erasure_confirm_view(request, erasure_id: int):
    try:
        erasure_confirm(actor=request.actor, erasure_id=erasure_id)
    except ErasureRequest.DoesNotExist as missing:
        raise Http404 from missing
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Erased: the pupil's record is pseudonymised.")
    return redirect("erasures")


@requires("sar.request")
def pupil_subject_access(request, pupil_id: int):
    """Export everything held about a pupil (a subject access request): the careers
    leader's own exports of the pupil, and a button to ask for a new one."""
    try:
        pupil = pupil_get(actor=request.actor, pupil_id=pupil_id)
    except Learner.DoesNotExist as missing:
        raise Http404 from missing
    if request.method == "POST":
        export = sar_request(actor=request.actor, pupil_id=pupil.pk)
        messages.info(request, "The export is being built; this page updates when it is ready.")
        return redirect("subject_access_export", export_id=export.pk)
    return render(
        request,
        "privacy/pupil_subject_access.html",
        {
            "pupil": pupil,
            "exports": list(sar_exports(actor=request.actor, pupil_id=pupil.pk)),
            "now": timezone.now(),
            "expiry_days": EXPIRES_AFTER.days,
        },
    )


def _export_or_404(request, export_id: int) -> SubjectAccessExport:
    try:
        return sar_get(actor=request.actor, export_id=export_id)
    except SubjectAccessExport.DoesNotExist as missing:
        raise Http404 from missing


@requires("sar.request")
def subject_access_export(request, export_id: int):
    """One export: its progress while it is built (polled with htmx), then its downloads
    until it expires. Only the careers leader who asked for it; anyone else gets 404."""
    export = _export_or_404(request, export_id)
    return render(
        request,
        "privacy/subject_access_export.html",
        {"export": export, "now": timezone.now(), "expiry_days": EXPIRES_AFTER.days},
    )


@requires("sar.request")
def subject_access_status(request, export_id: int):
    """The progress bar, polled by htmx until the export is built."""
    export = _export_or_404(request, export_id)
    response = render(request, "privacy/_sar_status.html", {"export": export})
    if not export.is_active and request.htmx:
        response["HX-Refresh"] = "true"  # show the downloads
    return response


@requires("sar.request")
def subject_access_download(request, export_id: int, output: str):
    """The ZIP (JSON files and the PDF) or the PDF alone; each download is audited. Past
    its 7 days it says it expired (410) until the nightly retention deletes it (then 404)."""
    try:
        export, field = sar_download(actor=request.actor, export_id=export_id, output=output)
    except SubjectAccessExport.DoesNotExist as missing:
        raise Http404 from missing
    except ExportExpired:
        export = _export_or_404(request, export_id)
        return render(
            request,
            "privacy/subject_access_export.html",
            {"export": export, "now": timezone.now(), "expiry_days": EXPIRES_AFTER.days},
            status=410,
        )
    name = f"subject-access-{export.learner_id}-{export.finished_at:%Y-%m-%d}.{output}"
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)

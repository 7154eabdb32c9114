"""Safety checks: the employer sends one per hub, the hub lead approves it, and the
uploaded documents are reachable only through the scoping layer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from access.routes import requires

from .forms import VettingForm
from .models import EmployerVetting
from .services import vetting_decide, vetting_submit

DOCUMENTS = {
    "insurance": "insurance_certificate",
    "health-and-safety": "health_and_safety_policy",
    "risk-assessment": "risk_assessment",
}


@requires("opportunity.manage")
def vetting_for_employer(request):
    """The employer's checks, one per partner hub, and the form to send or renew one."""
    form = VettingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vetting_submit(
                actor=request.actor,
                hub_id=data["hub"].pk,
                insurance_expires=data["insurance_expires"],
                supervisor_name=data["supervisor_name"],
                insurance_certificate=data["insurance_certificate"],
                health_and_safety_policy=data["health_and_safety_policy"],
                risk_assessment=data["risk_assessment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Sent your check to {data['hub'].name} for approval.")
            return redirect("vetting_for_employer")
    return render(
        request,
        "employers/vetting_employer.html",
        {
            "form": form,
            "vettings": EmployerVetting.objects.select_related("hub", "employer").order_by(
                "hub__name"
            ),
            "documents": DOCUMENTS,
        },
        status=400 if form.is_bound else 200,
    )


@requires("vetting.approve")
def vetting_review(request):
    """The hub lead's checks for the hub, waiting ones first: approve, refuse with a reason,
    or send back for changes."""
    problem = {}
    if request.method == "POST":
        vetting_id = request.POST.get("vetting", "")
        if not vetting_id.isdigit():
            raise Http404
        decision = request.POST.get("decision") or "approved"  # the one button it used to have
        try:
            vetting = vetting_decide(
                actor=request.actor,
                vetting_id=int(vetting_id),
                decision=decision,
                reason=request.POST.get("reason", ""),
            )
        except EmployerVetting.DoesNotExist as missing:
            raise Http404 from missing
        except ValidationError as error:
            problem = {"vetting": int(vetting_id), "message": " ".join(error.messages)}
        else:
            done = {
                "approved": "Approved",
                "refused": "Refused",
                "changes": "Sent back for changes",
            }[decision]
            messages.success(request, f"{done}: the check of {vetting.employer.name}.")
            return redirect("vetting_review")
    vettings = EmployerVetting.objects.select_related("employer", "hub").order_by(
        "approved_at", "employer__name"
    )
    waiting = [v for v in vettings if v.review == EmployerVetting.Review.WAITING]
    decided = [v for v in vettings if v.review != EmployerVetting.Review.WAITING]
    return render(
        request,
        "employers/vetting_review.html",
        {
            "waiting": waiting,
            "decided": decided,
            "documents": DOCUMENTS,
            "problem": problem,
            "posted_reason": request.POST.get("reason", "") if problem else "",
        },
        status=400 if problem else 200,
    )


@requires("vetting.documents")
def vetting_document(request, vetting_id: int, document: str):
    """One uploaded document, for its employer and the hub lead only (never a public URL)."""
    if document not in DOCUMENTS:
        raise Http404
    try:
        vetting = EmployerVetting.objects.get(pk=vetting_id)
    except EmployerVetting.DoesNotExist as missing:
        raise Http404 from missing
    field = getattr(vetting, DOCUMENTS[document])
    if not field:
        raise Http404
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1]
    )

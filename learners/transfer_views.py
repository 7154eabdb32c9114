"""Pages for pupils moving between schools: the asking school's arrivals, the pupil's
school's release requests (or its hub lead's, while it has no active careers leader), and
recording a pupil as left. Writes go through learners.transfers."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from access.audit import audit_many
from access.models import AuditEvent
from access.roles import Role
from access.routes import requires

from .academic import year_group_on
from .models import Learner, PupilTransfer
from .selectors import pupil_get
from .transfers import (
    pupil_leave,
    transfer_arrivals,
    transfer_decline,
    transfer_release,
    transfer_request_get,
    transfer_requests,
)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why are you declining?",
        help_text="The school that asked sees this reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class LeaveForm(forms.Form):
    left_on = forms.DateField(
        label="Date the pupil left", widget=forms.DateInput(attrs={"type": "date"})
    )


@requires("transfer.arrivals")
def arrivals(request):
    today = timezone.localdate()
    rows = list(transfer_arrivals(actor=request.actor))
    for row in rows:
        row.year_group = year_group_on(row.sent.get("cohort"), today) if row.sent else None
    return render(request, "learners/transfer_arrivals.html", {"arrivals": rows})


def _audit_named_reads(actor, transfers) -> None:
    # A hub lead sees named pupils only here, to decide for a school with no careers
    # leader: each pupil shown is a read of pupil data, so it is audited.
    if actor.role == Role.HUB_LEAD:
        audit_many(actor, AuditEvent.Action.VIEW, [t.learner for t in transfers])


@requires("transfer.decide")
def release_requests(request):
    today = timezone.localdate()
    transfers = list(transfer_requests(actor=request.actor)[:200])
    _audit_named_reads(request.actor, transfers)
    for transfer in transfers:
        transfer.year_group = year_group_on(transfer.learner.cohort, today)
    open_requests = [t for t in transfers if t.status == PupilTransfer.Status.REQUESTED]
    decided = [t for t in transfers if t.status != PupilTransfer.Status.REQUESTED]
    return render(
        request,
        "learners/transfer_requests.html",
        {"open_requests": open_requests, "decided": decided},
    )


@requires("transfer.decide")
def release_request(request, transfer_id: int):
    """One request: release, or decline with a reason (POST, with the CSRF token)."""
    try:
        transfer = transfer_request_get(actor=request.actor, transfer_id=transfer_id)
    except PupilTransfer.DoesNotExist as missing:
        raise Http404 from missing
    form = DeclineForm(request.POST if request.POST.get("decision") == "decline" else None)
    problems = []
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "release":
                transfer_release(actor=request.actor, transfer_id=transfer.pk)
                messages.success(request, "Released: the pupil and their history have moved.")
                return redirect("transfer_requests")
            if request.POST.get("decision") == "decline" and form.is_valid():
                transfer_decline(
                    actor=request.actor,
                    transfer_id=transfer.pk,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, "Declined: the pupil stays on your roll.")
                return redirect("transfer_requests")
        except PupilTransfer.DoesNotExist as missing:
            raise Http404 from missing
        except ValidationError as error:
            problems = error.messages
    _audit_named_reads(request.actor, [transfer])
    transfer.year_group = year_group_on(transfer.learner.cohort, timezone.localdate())
    return render(
        request,
        "learners/transfer_decide.html",
        {"transfer": transfer, "form": form, "problems": problems},
        status=422 if problems or form.errors else 200,
    )


@requires("pupil.leave")
def pupil_leave_page(request, pupil_id: int):
    try:
        pupil = pupil_get(actor=request.actor, pupil_id=pupil_id)
    except Learner.DoesNotExist as missing:
        raise Http404 from missing
    form = LeaveForm(request.POST or None, initial={"left_on": pupil.left_on})
    if request.method == "POST" and form.is_valid():
        try:
            pupil_leave(
                actor=request.actor, pupil_id=pupil.pk, left_on=form.cleaned_data["left_on"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Recorded as left.")
            return redirect("pupil_detail", pupil_id=pupil.pk)
    return render(request, "learners/pupil_leave.html", {"pupil": pupil, "form": form})

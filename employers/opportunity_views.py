"""The employer's pages: its opportunities, publishing, and the nominations it receives."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from access.routes import requires

from .forms import OpportunityForm
from .models import Nomination, Opportunity
from .selectors import (
    consent_details_for_employer,
    employer_opportunities,
    nominations_received,
    opportunity_get,
    vetting_for,
)
from .services import (
    NoPlaceLeft,
    PlacementBlocked,
    allocation_run,
    nomination_decide,
    opportunity_create,
    opportunity_publish,
)

WAITING = (Nomination.Status.NOMINATED, Nomination.Status.REFUSED_FULL)


def _opportunity_or_404(request, opportunity_id):
    try:
        return opportunity_get(actor=request.actor, opportunity_id=opportunity_id)
    except Opportunity.DoesNotExist as missing:
        raise Http404 from missing


def _problems(error: ValidationError) -> list[str]:
    return list(error.messages)


@requires("opportunity.manage")
def opportunity_list(request):
    return render(
        request,
        "employers/opportunity_list.html",
        {"opportunities": employer_opportunities(actor=request.actor)},
    )


@requires("opportunity.manage")
def opportunity_new(request):
    form = OpportunityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = opportunity_create(actor=request.actor, **form.service_kwargs())
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"Saved “{opportunity.title}” as a draft.")
            return redirect("opportunity_publish", opportunity_id=opportunity.pk)
    status = 400 if form.is_bound else 200
    return render(request, "employers/opportunity_form.html", {"form": form}, status=status)


@requires("opportunity.manage")
def opportunity_publish_page(request, opportunity_id: int):
    """Review a draft and the safety checks it needs, then publish it."""
    opportunity = _opportunity_or_404(request, opportunity_id)
    problems = []
    if request.method == "POST":
        try:
            opportunity_publish(actor=request.actor, opportunity=opportunity)
        except PlacementBlocked as blocked:
            problems = _problems(blocked)
        else:
            messages.success(request, f"Published “{opportunity.title}”.")
            return redirect("opportunity_nominations", opportunity_id=opportunity.pk)
    hubs = [
        (hub, vetting_for(actor=request.actor, opportunity=opportunity, hub_id=hub.pk))
        for hub in opportunity.visible_to_hubs.order_by("name")
    ]
    return render(
        request,
        "employers/opportunity_publish.html",
        {"opportunity": opportunity, "hubs": hubs, "problems": problems},
        status=400 if problems else 200,
    )


@requires("nomination.decide")
def opportunity_nominations(request, opportunity_id: int):
    """Pupils nominated to one of the employer's opportunities: first name, year group and
    shared needs only. Accept, decline with a reason, or let the fair order allocate."""
    opportunity = _opportunity_or_404(request, opportunity_id)
    if request.method == "POST":
        _decide(request, opportunity)
        return redirect("opportunity_nominations", opportunity_id=opportunity.pk)
    pupils = nominations_received(actor=request.actor, opportunity=opportunity)
    # The waiting list: pupils without a place, in the order they were nominated (the fair
    # order decides among them when places are offered).
    waiting = [p for p in pupils if p.status in WAITING]
    positions = {p.nomination_id: position for position, p in enumerate(waiting, start=1)}
    full = opportunity.places_held >= opportunity.capacity
    details = consent_details_for_employer(actor=request.actor, opportunity=opportunity)
    rows = [
        {
            "p": p,
            "position": positions.get(p.nomination_id),
            "details": details.get(p.nomination_id),
        }
        for p in pupils
    ]
    return render(
        request,
        "employers/opportunity_nominations.html",
        {
            "opportunity": opportunity,
            "rows": rows,
            "waiting": waiting,
            "full": full,
            # Deciding needs a published opportunity; accepting a pupil without a place
            # needs a free one. Nothing that cannot succeed is offered.
            "open": opportunity.status == Opportunity.Status.PUBLISHED,
        },
    )


def _decide(request, opportunity):
    action = request.POST.get("action")
    try:
        if action == "allocate":
            decisions = allocation_run(actor=request.actor, opportunity=opportunity)
            offered = sum(d.offered for d in decisions)
            messages.success(
                request,
                f"Offered {offered} place{'s' * (offered != 1)} in the fair order; "
                f"{len(decisions) - offered} pupil{'s' * (len(decisions) - offered != 1)} "
                "still waiting.",
            )
            return
        if action not in ("accept", "decline"):
            raise ValidationError("Choose accept or decline.")
        nomination_id = request.POST.get("nomination", "")
        if not nomination_id.isdigit():
            raise Http404
        try:
            nomination = Nomination.objects.get(pk=int(nomination_id), opportunity=opportunity)
        except Nomination.DoesNotExist as missing:
            raise Http404 from missing
        nomination_decide(
            actor=request.actor,
            nomination=nomination,
            accept=action == "accept",
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, "Accepted." if action == "accept" else "Declined.")
    except (NoPlaceLeft, PlacementBlocked, ValidationError) as refused:
        for problem in _problems(refused):
            messages.error(request, problem)

"""The careers leader's pages: browse the hub's opportunities and nominate pupils."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from access.routes import requires
from learners.models import Learner

from .forms import OpportunityFilter
from .models import Opportunity
from .selectors import (
    nominable_pupils,
    opportunity_browse,
    opportunity_get,
    school_nominations,
)
from .services import PlacementBlocked, nomination_create


@requires("opportunity.browse")
def opportunities_for_school(request):
    filters = OpportunityFilter(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    opportunities = opportunity_browse(
        actor=request.actor,
        sector_id=chosen["sector"].pk if chosen.get("sector") else None,
        tier=chosen.get("tier"),
        year_group=chosen.get("year_group"),
    )
    return render(
        request,
        "employers/opportunity_browse.html",
        {"filters": filters, "opportunities": opportunities},
    )


def _ids(values) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


@requires("opportunity.nominate")
def opportunity_nominate(request, opportunity_id: int):
    try:
        opportunity = opportunity_get(actor=request.actor, opportunity_id=opportunity_id)
    except Opportunity.DoesNotExist as missing:
        raise Http404 from missing
    problems = []
    if request.method == "POST":
        chosen = _ids(request.POST.getlist("pupils"))
        try:
            created = nomination_create(
                actor=request.actor,
                opportunity=opportunity,
                # The service says why a pupil cannot go (year group, already nominated).
                learners=Learner.objects.filter(pk__in=chosen),
                shared_support_needs={
                    pupil_id: request.POST.get(f"needs-{pupil_id}", "") for pupil_id in chosen
                },
                interested_in_sector=set(_ids(request.POST.getlist("interested"))) & set(chosen),
            )
        except (PlacementBlocked, ValidationError) as error:
            problems = error.messages
        else:
            count = len(created)
            messages.success(request, f"Nominated {count} pupil{'s' * (count != 1)}.")
            return redirect("opportunity_nominate", opportunity_id=opportunity.pk)
    return render(
        request,
        "employers/opportunity_nominate.html",
        {
            "opportunity": opportunity,
            "pupils": nominable_pupils(actor=request.actor, opportunity=opportunity),
            "nominations": school_nominations(actor=request.actor, opportunity=opportunity),
            "problems": problems,
        },
        status=400 if problems else 200,
    )

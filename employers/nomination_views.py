"""The careers leader's pages: browse the hub's opportunities and nominate pupils."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from access.routes import requires
from learners.models import Learner
from pupils.selectors import interests_for_nomination
from schools.models import School

from .consent import consent_request
from .forms import OpportunityFilter
from .models import Nomination, Opportunity
from .rules import attendance_problem, needs_parental_consent
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
        distance=chosen.get("distance", ""),
    )
    return render(
        request,
        "employers/opportunity_browse.html",
        {
            "filters": filters,
            "opportunities": opportunities,
            "school_postcode": School.objects.filter(pk=request.actor.school_id)
            .values_list("postcode", flat=True)
            .first(),
        },
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
    if request.method == "POST" and request.POST.get("action") == "consent":
        problems = _ask_for_consent(request)
        if not problems:
            return redirect("opportunity_nominate", opportunity_id=opportunity.pk)
    elif request.method == "POST":
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
    nominations = list(school_nominations(actor=request.actor, opportunity=opportunity))
    consent_needed = needs_parental_consent(opportunity)
    # Pupils who asked to try it themselves (pupils/), listed first.
    interests = interests_for_nomination(actor=request.actor, opportunity=opportunity)
    pupils = list(nominable_pupils(actor=request.actor, opportunity=opportunity))
    for pupil in pupils:
        pupil.asked = interests.get(pupil.pk)
    pupils.sort(key=lambda pupil: pupil.asked is None)
    return render(
        request,
        "employers/opportunity_nominate.html",
        {
            "opportunity": opportunity,
            "pupils": pupils,
            "interests": interests,
            "nominations": nominations,
            "consent_needed": consent_needed,
            # Pupils with a place who could not attend today, for want of consent.
            "missing_consent": sum(
                n.status in Nomination.HOLDS_A_PLACE
                and attendance_problem(
                    consent_needed=consent_needed,
                    consent_answer=getattr(getattr(n, "consent", None), "answer", None),
                )
                is not None
                for n in nominations
            ),
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def _ask_for_consent(request) -> list[str]:
    nomination_id = request.POST.get("nomination", "")
    if not nomination_id.isdigit():
        raise Http404
    try:
        consent = consent_request(
            actor=request.actor,
            nomination_id=int(nomination_id),
            parent_email=request.POST.get("parent_email", ""),
        )
    except Nomination.DoesNotExist as missing:
        raise Http404 from missing
    except ValidationError as error:
        return error.messages
    messages.success(request, f"Consent request emailed to {consent.sent_to}.")
    return []

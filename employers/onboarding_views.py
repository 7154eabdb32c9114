"""Pages for bringing employers onto equalex: the hub lead adds one or decides requests;
an organisation asks to join (public); an employer asks one more hub to partner."""

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from access.routes import public, requires
from hubs.models import Hub

from .models import EmployerRequest
from .onboarding import (
    employer_onboard,
    employer_request_approve,
    employer_request_refuse,
    employer_request_submit,
    partner_request_submit,
)
from .onboarding_forms import EmployerAddForm, EmployerRequestForm, PartnerRequestForm, RefuseForm

# Requests the public page takes from one address in an hour.
REQUESTS_PER_HOUR = getattr(settings, "EQUALEX_EMPLOYER_REQUESTS_PER_HOUR", 5)


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@requires("employer.onboard")
def employer_add(request):
    """The hub lead adds an employer to the hub and invites its first contact."""
    form = EmployerAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = employer_onboard(
                actor=request.actor, **form.cleaned_data, base_url=_base_url(request)
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            email = form.cleaned_data["contact_email"].lower()
            if outcome.created:
                messages.success(
                    request,
                    f"Added {outcome.employer.name} as a partner of your hub and sent an "
                    f"invitation to {email}.",
                )
            else:
                # The same words whatever the employer's state (see employer_onboard).
                messages.success(
                    request,
                    f"{outcome.employer.name} is already on equalex, so it was not added "
                    "again: it is now a partner of your hub. We have invited "
                    f"{email}, or asked the organisation's own staff to.",
                )
            return redirect("employer_requests")
    return render(
        request,
        "employers/onboarding/employer_add.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def _too_many_requests(request) -> bool:
    key = f"employer-request:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > REQUESTS_PER_HOUR
    except ValueError:  # the entry expired between add and incr
        return False


@public
def employer_request_new(request):
    """'Offer work experience through equalex': an organisation asks a hub to take it on."""
    form = EmployerRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.pop("website"):
            # A robot filled in the hidden field: thank it and keep nothing.
            return render(request, "employers/onboarding/request_sent.html", {"hub": data["hub"]})
        if _too_many_requests(request):
            form.add_error(
                None, "We have had several requests from your connection: try again in an hour."
            )
        else:
            try:
                employer_request_submit(**data, base_url=_base_url(request))
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return render(
                    request, "employers/onboarding/request_sent.html", {"hub": data["hub"]}
                )
    return render(
        request,
        "employers/onboarding/request_new.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@requires("employer.onboard")
def employer_requests(request):
    """The hub lead's requests to join or partner with the hub, waiting ones first."""
    requests = EmployerRequest.objects.select_related("sector").order_by("-created_at")
    waiting = EmployerRequest.Status.PENDING
    pending = requests.filter(status=waiting)
    decided = requests.exclude(status=waiting).select_related("decided_by")[:50]
    return render(
        request,
        "employers/onboarding/request_list.html",
        {"pending": pending, "decided": decided},
    )


@requires("employer.onboard")
def employer_request_detail(request, employer_request_id: int):
    """One request: its details, and the hub lead's approval or refusal (with a reason)."""
    try:
        employer_request = EmployerRequest.objects.select_related(
            "sector", "hub", "decided_by"
        ).get(pk=employer_request_id)
    except EmployerRequest.DoesNotExist as missing:
        raise Http404 from missing
    refuse_form = RefuseForm()
    problems = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                decided = employer_request_approve(
                    actor=request.actor,
                    request_id=employer_request.pk,
                    base_url=_base_url(request),
                )
                messages.success(request, _approved_message(decided))
                return redirect("employer_requests")
            if action == "refuse":
                refuse_form = RefuseForm(request.POST)
                if refuse_form.is_valid():
                    employer_request_refuse(
                        actor=request.actor,
                        request_id=employer_request.pk,
                        reason=refuse_form.cleaned_data["reason"],
                    )
                    messages.success(
                        request,
                        f"Refused the request from {employer_request.name}; "
                        f"{employer_request.contact_email} has been told why.",
                    )
                    return redirect("employer_requests")
            else:
                problems.append("Choose to approve or to refuse the request.")
        except ValidationError as error:
            if action == "refuse":
                _add_errors(refuse_form, error)
            else:
                problems.extend(error.messages)
    return render(
        request,
        "employers/onboarding/request_detail.html",
        {"employer_request": employer_request, "refuse_form": refuse_form, "problems": problems},
        status=400 if problems or refuse_form.errors else 200,
    )


def _approved_message(decided: EmployerRequest) -> str:
    if decided.kind == EmployerRequest.Kind.PARTNER:
        return (
            f"{decided.name} is now a partner of your hub. Approve its safety check on the "
            "Employer checks page before its placements reach your schools."
        )
    return (
        f"Approved: {decided.employer.name} is a partner of your hub, and "
        f"{decided.contact_email} is invited to it (or its own staff were asked to)."
    )


@requires("employer.partner")
def employer_partners(request):
    """The employer's partner hubs, its requests to others, and a form to ask one more."""
    actor = request.actor
    form = PartnerRequestForm(request.POST or None, partner_hub_ids=actor.partner_hub_ids)
    if request.method == "POST" and form.is_valid():
        try:
            partner_request_submit(
                actor=actor,
                hub_id=form.cleaned_data["hub"].pk,
                message=form.cleaned_data["message"],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"Asked {form.cleaned_data['hub'].name} to partner with you; "
                "you will hear by email.",
            )
            return redirect("employer_partners")
    return render(
        request,
        "employers/onboarding/partners.html",
        {
            "form": form,
            "hubs": Hub.objects.order_by("name"),  # the employer's partner hubs, by scope
            "requests": EmployerRequest.objects.select_related("hub").order_by("-created_at"),
        },
        status=400 if form.is_bound else 200,
    )

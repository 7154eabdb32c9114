"""The careers leader's side of pupil voice: open access for a class, print codes, close
access, hide a reflection."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.routes import requires
from learners.list_forms import YEAR_CHOICES

from . import selectors, services
from .forms import PupilAccessForm
from .models import Reflection


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


@requires("pupil.access")
def pupil_access(request):
    """Choose a year or class; open access and print a code for each pupil, or close it."""
    year = request.GET.get("year") or request.POST.get("year") or ""
    group = (request.GET.get("group") or request.POST.get("group") or "").strip()
    year_number = int(year) if year.isdigit() and 7 <= int(year) <= 11 else None
    form = PupilAccessForm(request.POST or None)
    error = ""
    if request.method == "POST":
        chosen = _ids(request.POST.getlist("pupils"))
        try:
            if request.POST.get("action") == "addresses":
                changed = services.pupil_sign_in_addresses_set(
                    actor=request.actor,
                    addresses={
                        int(key.split("-", 1)[1]): value
                        for key, value in request.POST.items()
                        if key.startswith("address-") and key.split("-", 1)[1].isdigit()
                    },
                )
                messages.success(request, f"Sign-in addresses saved ({changed} changed).")
                return redirect(f"{request.path}?year={year}&group={group}")
            if request.POST.get("action") == "close":
                # Every pupil is ticked by default: say who first, close on a second press.
                return render(
                    request,
                    "pupils/access_close.html",
                    {
                        "pupils": selectors.pupils_with_access(actor=request.actor, ids=chosen),
                        "year": year,
                        "group": group,
                    },
                )
            if request.POST.get("action") == "close_confirmed":
                closed = services.pupil_access_disable(actor=request.actor, learner_ids=chosen)
                messages.success(
                    request,
                    f"Pupil access closed for {closed} pupil{'s' if closed != 1 else ''}: "
                    "their codes no longer work and anyone signed in is signed out.",
                )
                return redirect(f"{request.path}?year={year}&group={group}")
            if form.is_valid():
                issued = services.pupil_access_enable(
                    actor=request.actor,
                    learner_ids=chosen,
                    valid_days=form.cleaned_data["valid_days"],
                )
                return render(
                    request,
                    "pupils/codes_print.html",
                    {
                        "issued": issued,
                        "sign_in_url": request.build_absolute_uri("/sign-in/code/"),
                        "year": year,
                        "group": group,
                    },
                )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    pupils = (
        selectors.pupil_access_list(actor=request.actor, year=year_number, group=group)
        if year_number or group
        else None
    )
    return render(
        request,
        "pupils/access.html",
        {
            "pupils": pupils,
            "year": year,
            "group": group,
            "years": YEAR_CHOICES,
            "form": form,
            "error": error,
            "now": timezone.now(),
        },
        status=400 if error else 200,
    )


@requires("pupil.access")
@require_POST
def reflection_hide(request, reflection_id: int):
    hide = request.POST.get("hide") != "0"
    try:
        reflection = services.reflection_hide(
            actor=request.actor, reflection_id=reflection_id, hidden=hide
        )
    except Reflection.DoesNotExist as missing:
        raise Http404 from missing
    messages.success(
        request,
        "Reflection hidden: staff see that it was hidden, not what it said, and it no longer "
        "counts as M7."
        if hide
        else "Reflection shown again.",
    )
    return redirect("pupil_detail", pupil_id=reflection.learner_id)

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.routes import public, requires
from learners.models import Learner
from learners.selectors import pupil_get

from .catalogue import records
from .erasure import erasure_confirm, erasure_list, erasure_request
from .models import ErasureRequest


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

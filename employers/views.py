from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from access.roles import Role
from access.routes import requires

from .models import Employer


@requires("employer.view")
def employer_detail(request, employer_id: int):
    if request.actor.role == Role.HUB_LEAD:
        from .profile import employer_profile

        try:
            profile = employer_profile(
                actor=request.actor, employer_id=employer_id, page=request.GET.get("page", 1)
            )
        except Employer.DoesNotExist as missing:
            raise Http404 from missing
        return render(
            request,
            "employers/employer_detail.html",
            {"employer": profile.employer, "profile": profile, "today": timezone.localdate()},
        )
    employer = get_object_or_404(
        Employer.objects.select_related("sector").prefetch_related("hubs"), pk=employer_id
    )
    return render(request, "employers/employer_detail.html", {"employer": employer})

from django.shortcuts import get_object_or_404, render

from access.routes import requires

from .models import Employer


@requires("employer.view")
def employer_detail(request, employer_id: int):
    employer = get_object_or_404(
        Employer.objects.select_related("sector").prefetch_related("hubs"), pk=employer_id
    )
    return render(request, "employers/employer_detail.html", {"employer": employer})

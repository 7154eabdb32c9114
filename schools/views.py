from django.shortcuts import get_object_or_404, render

from access.routes import requires

from .models import School
from .selectors import school_year_group_summary


@requires("school.view")
def school_detail(request, school_id: int):
    school = get_object_or_404(School.objects.select_related("hub", "trust"), pk=school_id)
    summary = school_year_group_summary(actor=request.actor, school_id=school.pk)
    return render(request, "schools/school_detail.html", {"school": school, "summary": summary})

from django.shortcuts import render

from access.routes import requires

from .selectors import current_framework


@requires("framework.view")
def framework_detail(request):
    return render(request, "outcomes/framework.html", {"framework": current_framework()})

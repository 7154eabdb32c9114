from django.contrib import messages
from django.shortcuts import redirect, render

from access.routes import requires
from hubs.models import Hub

from .forms import HubRulesForm
from .services import hub_rules_update


@requires("hub.configure")
def hub_rules(request):
    hub = Hub.objects.get(pk=request.actor.hub_id)
    form = HubRulesForm(
        request.POST or None,
        initial={
            "meaningful_criteria": hub.meaningful_criteria,
            "ks3_virtual_cap_days": hub.ks3_virtual_cap_days,
            "year11_grace_days": hub.year11_grace_days,
            "leavers_kept_academic_years": hub.leavers_kept_academic_years,
        },
    )
    if request.method == "POST" and form.is_valid():
        hub_rules_update(actor=request.actor, **form.cleaned_data)
        messages.success(request, "The hub's counting rules are saved.")
        return redirect("hub_rules")
    return render(request, "hubs/rules.html", {"form": form, "hub": hub})

from hubs.models import Hub


def hub_rules_update(*, actor, meaningful_criteria, ks3_virtual_cap_days) -> Hub:
    """Change the hub's counting rules; every page and report follows at once."""
    hub = Hub.objects.get(pk=actor.hub_id)
    hub.meaningful_criteria = list(meaningful_criteria)
    hub.ks3_virtual_cap_days = ks3_virtual_cap_days
    hub.save(update_fields=["meaningful_criteria", "ks3_virtual_cap_days"])
    return hub

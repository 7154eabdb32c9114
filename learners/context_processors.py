from django.utils.functional import SimpleLazyObject


def ledger_recount(request):
    """Whether the actor's hub is recounting after a rule change (learners.ledger), read
    only if the page asks: base.html says so above every page of the hub's staff."""

    def state():
        from hubs.models import Hub

        from .ledger import hub_is_recounting

        actor = getattr(request, "actor", None)
        hub = Hub.objects.filter(pk=actor.hub_id).first() if actor and actor.hub_id else None
        # A ledger never built is not a recount: figures are simply counted from raw.
        if hub is None or not hub.ledger_counted_by or not hub_is_recounting(hub):
            return {"active": False}
        return {"active": True, "done": hub.ledger_recount_done, "total": hub.ledger_recount_total}

    return {"ledger_recount": SimpleLazyObject(state)}

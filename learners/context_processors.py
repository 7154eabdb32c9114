from django.utils.functional import SimpleLazyObject


def ledger_recount(request):
    """Whether the actor's hub is recounting after a rule change (learners.ledger), read
    only if the page asks: base.html says so above every page of the hub's staff."""

    def state():
        from hubs.selectors import actor_hub

        from .ledger import hub_is_recounting

        hub = actor_hub(actor=getattr(request, "actor", None))
        # A ledger never built is not a recount: figures are simply counted from raw.
        if hub is None or not hub.ledger_counted_by or not hub_is_recounting(hub):
            return {"active": False}
        return {"active": True, "done": hub.ledger_recount_done, "total": hub.ledger_recount_total}

    return {"ledger_recount": SimpleLazyObject(state)}

from django.db import transaction

from hubs.models import Hub


@transaction.atomic
def hub_rules_update(*, actor, meaningful_criteria, ks3_virtual_cap_days) -> Hub:
    """Change the hub's counting rules; every page and report follows at once.

    From the moment this commits the hub's ledger no longer matches its rules, so figures
    are counted from raw (and the pages say "recounting") until the background recount
    has re-derived every pupil's row (learners.ledger).
    """
    hub = Hub.objects.select_for_update().get(pk=actor.hub_id)
    hub.meaningful_criteria = list(meaningful_criteria)
    hub.ks3_virtual_cap_days = ks3_virtual_cap_days
    hub.save(update_fields=["meaningful_criteria", "ks3_virtual_cap_days"])
    transaction.on_commit(lambda: _queue_recount(hub.pk))
    return hub


def _queue_recount(hub_id: int) -> None:
    from access.context import current_actor
    from learners.tasks import recount_hub_ledger

    recount_hub_ledger.delay(hub_id, actor=current_actor().to_spec())

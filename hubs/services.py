from django.db import transaction

from hubs.models import Hub


@transaction.atomic
def hub_rules_update(
    *,
    actor,
    meaningful_criteria,
    ks3_virtual_cap_days,
    year11_grace_days=None,
    leavers_kept_academic_years=None,
) -> Hub:
    """Change the hub's counting rules (and its leavers' periods, privacy.leavers, which
    the nightly retention applies); every page and report follows at once.

    From the moment this commits the hub's ledger no longer matches its rules, so figures
    are counted from raw (and the pages say "recounting") until the background recount
    has re-derived every pupil's row (learners.ledger).
    """
    hub = Hub.objects.select_for_update().get(pk=actor.hub_id)
    hub.meaningful_criteria = list(meaningful_criteria)
    hub.ks3_virtual_cap_days = ks3_virtual_cap_days
    fields = ["meaningful_criteria", "ks3_virtual_cap_days"]
    # None keeps what the hub has (callers that set only the counting rules).
    for name, value in (
        ("year11_grace_days", year11_grace_days),
        ("leavers_kept_academic_years", leavers_kept_academic_years),
    ):
        if value is not None:
            setattr(hub, name, value)
            fields.append(name)
    hub.save(update_fields=fields)
    transaction.on_commit(lambda: _queue_recount(hub.pk))
    return hub


def _queue_recount(hub_id: int) -> None:
    from access.context import current_actor
    from learners.tasks import recount_hub_ledger

    recount_hub_ledger.delay(hub_id, actor=current_actor().to_spec())

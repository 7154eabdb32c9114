"""The progress ledger's background work (learners.ledger says what each step keeps true)."""

from dataclasses import asdict

from celery import shared_task
from django.db import InterfaceError, OperationalError

from access.tasks import ScopedTask


class LedgerTask(ScopedTask):
    # Every step is safe to run again: a recount recounts, a roll forward finds nothing.
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 2
    max_retries = 5


@shared_task(base=LedgerTask)
def recount_hub_ledger(hub_id: int) -> dict:
    """After a hub's rule change: re-derive its rows, with progress on the hub."""
    from .ledger import ledger_recount

    return asdict(ledger_recount(hub_id))


@shared_task(base=LedgerTask)
def roll_ledger_forward() -> dict:
    """Just after midnight (beat): experiences starting today begin to count."""
    from reports.tasks import warm_live_dashboards

    from .ledger import ledger_roll_forward

    rolled = ledger_roll_forward()
    warm_live_dashboards.delay_on_commit(actor={"system": "live dashboards"})
    return rolled


@shared_task(base=LedgerTask)
def reconcile_ledger(schools: int | None = None) -> dict:
    """Nightly (beat): sampled schools recounted from raw; drift repaired and recorded."""
    from .ledger import RECONCILE_SCHOOLS, ledger_reconcile

    check = ledger_reconcile(schools=schools or RECONCILE_SCHOOLS)
    return {"schools": check.schools, "pupils": check.pupils, "drifted": check.drifted}

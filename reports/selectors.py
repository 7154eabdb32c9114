from hubs.models import Hub

from .models import ReportRun


def national_hub_totals(*, actor) -> list[dict]:
    """Each hub with the hub-level totals of its latest built dashboard (or none yet).

    Only the "totals" part of a summary leaves here: school rows stay behind.
    """
    latest = {}
    for hub_id, totals, as_at in (
        ReportRun.objects.filter(kind=ReportRun.Kind.HUB_DASHBOARD, status=ReportRun.Status.DONE)
        .order_by("hub_id", "-finished_at")
        .values_list("hub_id", "summary__totals", "as_at")
    ):
        latest.setdefault(hub_id, {"totals": totals, "as_at": as_at})
    return [
        {"name": name, "region": region, **latest.get(pk, {"totals": None, "as_at": None})}
        for pk, name, region in Hub.objects.order_by("name").values_list("pk", "name", "region")
    ]

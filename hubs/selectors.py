from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from access.context import acting_as
from equalex.request_memo import remembered
from hubs.models import Hub
from learners.models import Learner
from schools.models import School


def _count_of(queryset, field):
    counted = queryset.values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def hub_school_list(*, actor, hub_id: int | None = None) -> list:
    """The actor's schools with pupil and flag counts (aggregates only, no pupil rows).

    Counted as totals (actor.for_aggregates()): the joined pupil rows are the hub lead's
    only for counting, and row-level security lets them through only then.
    """
    with acting_as(actor.for_aggregates()):
        schools = School.objects.select_related("trust", "hub")
        if hub_id is not None:
            schools = schools.filter(hub_id=hub_id)
        return list(
            schools.annotate(
                pupil_count=Count("learners"),
                fsm_count=Count("learners", filter=Q(learners__fsm=True)),
                send_count=Count("learners", filter=~Q(learners__send=Learner.SEND.NONE)),
            ).order_by("name")
        )


def hub_list_with_counts(*, actor):
    """Hubs the actor may see, with school, pupil and employer counts.

    The pupil and school subqueries are correlated to the scoped hub rows, so they count
    only within hubs the actor may see; they never return rows of their own.
    """
    pupils = Learner.all_tenants_UNSCOPED.filter(hub_id=OuterRef("pk")).order_by()
    schools = School.all_tenants_UNSCOPED.filter(hub_id=OuterRef("pk")).order_by()
    # Totals (actor.for_aggregates()): row-level security lets pupil rows into counts only.
    with acting_as(actor.for_aggregates()):
        return list(_hubs_with_counts(schools, pupils))


def _hubs_with_counts(schools, pupils):
    return Hub.objects.annotate(
        school_count=_count_of(schools, "hub_id"),
        pupil_count=_count_of(pupils, "hub_id"),
        fsm_count=_count_of(pupils.filter(fsm=True), "hub_id"),
        employer_count=Count("partner_employers", distinct=True),
        sme_count=Count(
            "partner_employers",
            filter=Q(partner_employers__size_band__in=["micro", "small", "medium"]),
            distinct=True,
        ),
    ).order_by("name")


# What every page of a hub's staff reads of their hub: the counting rules (the selectors)
# and the ledger's recount state (base.html's notice).
ACTOR_HUB_FIELDS = (
    "meaningful_criteria",
    "ks3_virtual_cap_days",
    "ledger_counted_by",
    "ledger_counted_on",
    "ledger_recount_done",
    "ledger_recount_total",
)


def actor_hub(*, actor) -> Hub | None:
    """The actor's own hub (None without one, or out of their scope), read once per
    request however many parts of the page ask."""
    if actor is None or actor.hub_id is None:
        return None
    return remembered(
        ("actor_hub", actor.hub_id),
        lambda: Hub.objects.only(*ACTOR_HUB_FIELDS).filter(pk=actor.hub_id).first(),
    )

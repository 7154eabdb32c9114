from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from hubs.models import Hub
from learners.models import Learner
from schools.models import School


def _count_of(queryset, field):
    counted = queryset.values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def hub_school_list(*, actor):
    """The actor's schools with pupil and flag counts (aggregates only, no pupil rows)."""
    return (
        School.objects.select_related("trust", "hub")
        .annotate(
            pupil_count=Count("learners"),
            fsm_count=Count("learners", filter=Q(learners__fsm=True)),
            send_count=Count("learners", filter=~Q(learners__send=Learner.SEND.NONE)),
        )
        .order_by("name")
    )


def hub_list_with_counts(*, actor):
    """Hubs the actor may see, with school, pupil and employer counts.

    The pupil and school subqueries are correlated to the scoped hub rows, so they count
    only within hubs the actor may see; they never return rows of their own.
    """
    pupils = Learner.all_tenants_UNSCOPED.filter(hub_id=OuterRef("pk")).order_by()
    schools = School.all_tenants_UNSCOPED.filter(hub_id=OuterRef("pk")).order_by()
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

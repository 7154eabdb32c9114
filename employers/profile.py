"""The employer page a hub lead opens: who to contact, the hub's safety check, what the
employer offers the hub's schools and how full it is, and which schools it has served.
A fixed number of queries whatever the number of opportunities, nominations or schools."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Q, Sum, When
from django.utils import timezone

from access.context import acting_as
from access.roles import Role
from hubs.models import Membership

from .models import Employer, EmployerRequest, EmployerVetting, Nomination, Opportunity
from .selectors import _with_places

OPPORTUNITIES_PER_PAGE = 25


@dataclass(frozen=True)
class EmployerProfile:
    employer: Employer
    contacts: list[dict]
    vetting: EmployerVetting | None
    opportunities: Page
    places: dict
    schools: list[dict]


def _contacts(employer: Employer, hub_id: int) -> list[dict]:
    """The employer's staff with accounts, and whoever asked this hub to join or partner.

    Staff accounts are the employer's own memberships, outside a hub lead's Membership
    scope (which is the hub's schools' staff): read here for an employer already proven to
    partner the actor's hub (the scoped Employer read), names and addresses only, as the
    emails the platform sends that hub's schools' news to (employers.notifications)."""
    staff = [
        {"name": full_name, "email": email, "how": "Has an equalex account"}
        for full_name, email in Membership.all_tenants_UNSCOPED.filter(
            role=Role.EMPLOYER, employer_id=employer.pk, user__is_active=True
        )
        .order_by("user__full_name", "user__email")
        .values_list("user__full_name", "user__email")
    ]
    known = {contact["email"].lower() for contact in staff}
    kinds = {"join": "Asked to join equalex", "partner": "Asked to partner with the hub"}
    asked = [
        {"name": name, "email": email, "how": kinds.get(kind, "")}
        for name, email, kind in EmployerRequest.objects.filter(
            employer_id=employer.pk, hub_id=hub_id
        )
        .order_by("-created_at")
        .values_list("contact_name", "contact_email", "kind")
    ]
    return staff + [c for c in asked if c["email"].lower() not in known]


def employer_profile(*, actor, employer_id: int, page: str | int = 1) -> EmployerProfile:
    """One employer partnering the hub lead's hub (Employer.DoesNotExist otherwise)."""
    employer = (
        Employer.objects.select_related("sector").prefetch_related("hubs").get(pk=employer_id)
    )
    hub_id = actor.hub_id
    vetting = EmployerVetting.objects.filter(employer_id=employer.pk, hub_id=hub_id).first()
    # Offered to this hub (drafts are not: the Opportunity scope).
    today = timezone.localdate()
    offered = Opportunity.objects.filter(employer_id=employer.pk)
    opportunities = Paginator(
        # What is coming up first, soonest first; then what is over.
        _with_places(offered.select_related("sector"))
        .annotate(over=Case(When(end_date__lt=today, then=1), default=0))
        .order_by("over", "start_date", "title"),
        OPPORTUNITIES_PER_PAGE,
    ).get_page(page)
    held = Nomination.HOLDS_A_PLACE
    with acting_as(actor.for_aggregates()):
        # The hub's pupils' nominations to this employer, by school: counts, never names.
        schools = list(
            Nomination.objects.filter(opportunity__employer_id=employer.pk)
            .values("school_id", "school__name")
            .annotate(
                nominated=Count("pk"),
                placed=Count("pk", filter=Q(status__in=held)),
                attended=Count("pk", filter=Q(participation__isnull=False)),
            )
            .order_by("school__name")
        )
        filled = Nomination.objects.filter(
            opportunity__employer_id=employer.pk, status__in=held
        ).count()
    totals = offered.aggregate(opportunities=Count("pk"), offered=Sum("capacity"))
    places = {
        "opportunities": totals["opportunities"],
        "offered": totals["offered"] or 0,
        "filled": filled,
    }
    return EmployerProfile(
        employer=employer,
        contacts=_contacts(employer, hub_id),
        vetting=vetting,
        opportunities=opportunities,
        places=places,
        schools=schools,
    )

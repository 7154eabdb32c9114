"""The programme planner's demo (hubs' demo_data command): through the services, a hub lead
publishes a template, the first school's careers leader copies it for its Year 9 cohort,
adapts and publishes it, and logs an experience against one of its activities."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from access.actor import actor_for_user
from access.context import acting_as
from hubs.models import Membership, Sector
from learners.academic import academic_year_of, cohort_for
from learners.models import Learner
from outcomes.models import Objective

from . import services
from .rules import term_of

# (title, kind, setting, tier, year group, term, days, audience, objectives, sector words)
TEMPLATE = (
    ("Careers fair and employer talks", "other", "community", 1, 7, "autumn", 1,
     "whole_year", ("T1.O1.a", "T1.O1.b"), "health"),
    ("Virtual workplace tours", "virtual_experience", "virtual", 1, 7, "spring", 1,
     "whole_year", ("T1.O2.a", "T1.O3.a"), "digital"),
    ("Hospital and care home visits", "workplace_visit", "workplace", 1, 8, "autumn", 1,
     "whole_year", ("T1.O1.c", "T1.O3.b"), "health"),
    ("Employer-set design challenge", "employer_project", "in_school", 2, 8, "summer", 1,
     "whole_year", ("T2.O1.c",), "digital"),
    ("Insight days at growth-sector employers", "insight_day", "workplace", 2, 9, "spring", 2,
     "whole_year", ("T2.O2.a", "T2.O2.b"), "digital"),
    ("Extra insight day for Pupil Premium pupils", "insight_day", "workplace", 2, 9,
     "summer", 1, "disadvantaged", ("T2.O3.a",), "health"),
    ("Mock interviews", "mock_interview", "in_school", 2, 10, "autumn", 0.5, "whole_year",
     ("T2.O1.a",), ""),
    ("Placement week", "placement", "workplace", 3, 10, "summer", 5, "whole_year",
     ("T3.O1.a", "T3.O1.b", "T3.O1.c"), "health"),
    ("Supported placement days", "placement", "workplace", 3, 11, "autumn", 2, "send",
     ("T3.O1.d", "T3.O1.e"), "health"),
)  # fmt: skip


def _sector(words: str):
    if not words:
        return []
    found = Sector.objects.filter(name__icontains=words).order_by("name").first()
    return [found.pk] if found else []


def programmes_demo(hub, *, log_experience: bool = True) -> None:
    tag = hub.name.split()[0].lower().replace("'", "")
    lead = Membership.all_tenants_UNSCOPED.filter(
        user__email=f"hub.lead@{tag}.demo.equalex.org.uk"
    ).first()
    careers = Membership.all_tenants_UNSCOPED.filter(
        user__email=f"careers.leader@{tag}.demo.equalex.org.uk"
    ).first()
    if lead is None or careers is None:
        return
    codes = dict(
        Objective.objects.filter(outcome__tier__framework__is_current=True).values_list(
            "code", "pk"
        )
    )
    hub_lead = actor_for_user(lead.user)
    with acting_as(hub_lead):
        template = services.plan_create(
            actor=hub_lead,
            title="Growth sectors: health and digital",
            summary="The hub's pilot model: encounters in Years 7-8, insight days in Year 9, "
            "a placement week in Year 10, built around the hub's growth sectors.",
        )
        for title, kind, setting, tier, year, term, days, audience, objectives, sector in TEMPLATE:
            services.activity_save(
                actor=hub_lead,
                plan_id=template.pk,
                title=title,
                kind=kind,
                setting=setting,
                tier=tier,
                year_group=year,
                term=term,
                expected_hours=Decimal(str(days)) * 5,
                audience=audience,
                objective_ids=[codes[c] for c in objectives],
                sector_ids=_sector(sector),
            )
        services.plan_publish(actor=hub_lead, plan_id=template.pk)
    leader = actor_for_user(careers.user)
    today = timezone.localdate()
    cohort = cohort_for(9, today)
    with acting_as(leader):
        plan = services.plan_create(actor=leader, title="", cohort=cohort, template_id=template.pk)
        services.activity_save(
            actor=leader,
            plan_id=plan.pk,
            title="Work shadowing for 9A and 9B",
            kind="work_shadowing",
            setting="workplace",
            tier=2,
            year_group=9,
            term=term_of(today),
            expected_hours=Decimal(5),
            audience="groups",
            groups=["9A", "9B"],
            objective_ids=[codes["T2.O2.c"]],
        )
        services.plan_publish(actor=leader, plan_id=plan.pk)
        if log_experience:  # "--no-history" demos have no experiences at all
            _log_against_plan(leader, plan, careers.school_id, cohort, today)


def _log_against_plan(leader, plan, school_id, cohort, today):
    from learners.services import experience_log

    from .models import PlannedActivity

    visit = PlannedActivity.objects.get(plan=plan, title="Hospital and care home visits")
    pupils = list(
        Learner.objects.filter(school_id=school_id, cohort=cohort, left_on__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # In the cohort's Year 8 autumn, a year ago: four in five went.
    day = date(academic_year_of(today) - 1, 10, 15)
    if not pupils:
        return
    experience_log(
        actor=leader,
        title="Visit to St Mary's hospital",
        kind=visit.kind,
        setting=visit.setting,
        tier=visit.tier,
        start_date=day,
        duration_hours=visit.expected_hours,
        pupil_ids=[pk for n, pk in enumerate(pupils) if n % 5],
        objective_ids=list(visit.objectives.values_list("pk", flat=True)),
        criteria=["M1", "M2", "M3", "M4"],
        allow_duplicate=True,
        planned_activity_id=visit.pk,
    )

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from access.roles import Role
from access.routes import public, requires
from employers.selectors import employer_list, employer_next_steps
from hubs.selectors import hub_list_with_counts
from learners.leader import leader_home
from learners.selectors import school_get
from schools.models import Trust
from schools.selectors import trust_school_progress


@requires("home.view")
def home(request):
    actor = request.actor
    context = {}
    if actor.role == Role.PUPIL:
        return redirect("pupil_home")
    if actor.role in (Role.CAREERS_LEADER, Role.SCHOOL_STAFF):
        template = "home/school.html"
        context.update(
            leader_home(actor=actor, school_id=actor.school_id, today=timezone.localdate())
        )
        context["school"] = school_get(actor=actor, school_id=actor.school_id)
    elif actor.role == Role.HUB_LEAD:
        template = "home/hub.html"
        context.update(_hub_home(request))
    elif actor.role == Role.TRUST_LEAD:
        template = "home/trust.html"
        context["trust"] = Trust.objects.filter(pk=actor.trust_id).first()
        context["schools"] = trust_school_progress(actor=actor)
        context["today"] = timezone.localdate()
    elif actor.role == Role.EMPLOYER:
        template = "home/employer.html"
        context["employers"] = employer_list(actor=actor)
        context["next_steps"] = employer_next_steps(actor=actor)
    else:
        template = "home/national.html"
        context["hubs"] = hub_list_with_counts(actor=actor)
    return render(request, template, context)


def _hub_home(request) -> dict:
    """The hub's dashboard, live (counted from the progress ledger on the view, each school
    again only when its figures moved), arranged for a first look (reports.hub_home)."""
    from reports import hub_home
    from reports.builders import charts_for
    from reports.selectors import hub_dashboard_live

    summary = hub_dashboard_live(actor=request.actor)
    skills = hub_home.self_rated_skills(actor=request.actor)
    totals = summary["totals"]
    return {
        "summary": summary,
        "today": timezone.localdate(),
        "fsm_words": hub_home.gap_sentence(totals["fsm_gap"], "FSM pupils"),
        "send_words": hub_home.gap_sentence(totals["send_gap"], "pupils with SEND"),
        "furthest_behind": hub_home.furthest_behind(summary),
        "compass_spread": hub_home.compass_spread(summary),
        "growth_sectors": hub_home.sectors_view(summary),
        "table": hub_home.schools_table(summary, request.GET),
        "sorts": hub_home.SORTS,
        "capacity": hub_home.employer_capacity(
            actor=request.actor, page=request.GET.get("employers", 1)
        ),
        "chart_by_type": charts_for(summary)["by_type"],
        "self_rated_skills": skills,
        "self_rated_any": any(row["pairs"] for row in skills),
    }


@public
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

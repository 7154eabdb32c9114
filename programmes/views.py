"""The programme planner's pages: a school's plans per cohort, a plan's page (activities
by year and term, coverage, days per pupil and group, planned against delivered), the
activity form, and the hub's templates and view across its schools."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.audit import audit_rows
from access.models import AuditEvent
from access.routes import requires
from learners.academic import academic_year_label
from learners.models import Learner

from . import selectors, services
from .forms import ActivityForm, PlanDetailsForm, PlanForm
from .models import PlannedActivity, ProgrammePlan


def _plan_or_404(request, plan_id):
    try:
        return selectors.plan_get(actor=request.actor, plan_id=plan_id)
    except ProgrammePlan.DoesNotExist as missing:
        raise Http404 from missing


def _may_change(actor, plan) -> bool:
    if plan.is_template:
        return actor.can("programme.template") and plan.hub_id == actor.hub_id
    return actor.can("programme.plan") and plan.school_id == actor.school_id


def _apply_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@requires("programme.view")
def programme_home(request):
    """A school's plans by cohort (and the hub's templates to start one from); a hub
    lead's templates."""
    actor = request.actor
    today = timezone.localdate()
    plans = list(selectors.plan_list(actor=actor))
    context = {"plans": plans, "can_plan": actor.can("programme.plan")}
    if actor.school_id:
        planned = {plan.cohort: plan for plan in plans}
        context["cohorts"] = [
            (cohort, label, planned.get(cohort))
            for cohort, label in selectors.cohorts_to_plan(today)
        ]
        context["templates"] = list(selectors.templates_available(actor=actor))
    else:
        context["can_template"] = actor.can("programme.template")
    return render(request, "programmes/home.html", context)


@requires("programme.write")
def plan_new(request):
    actor = request.actor
    for_hub = not actor.school_id
    templates = None if for_hub else selectors.templates_available(actor=actor)
    initial = {}
    if request.GET.get("cohort", "").isdigit():
        initial["cohort"] = int(request.GET["cohort"])
    if request.GET.get("template", "").isdigit():
        initial["template"] = int(request.GET["template"])
    form = PlanForm(
        request.POST or None,
        initial=initial,
        cohorts=selectors.cohorts_to_plan(timezone.localdate()),
        templates=templates,
        for_hub=for_hub,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        template = data.get("template")
        try:
            plan = services.plan_create(
                actor=actor,
                title=data["title"]
                or (
                    template.title
                    if template
                    else f"Programme for Year 7 in {academic_year_label(data['cohort'])}"
                ),
                summary=data["summary"],
                cohort=data.get("cohort"),
                template_id=template.pk if template else None,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            copied = f", copied from “{template.title}”" if template else ""
            messages.success(
                request,
                f"Draft plan “{plan.title}” started{copied}: only you can see it "
                "until you publish it."
                if not for_hub
                else f"Draft template “{plan.title}” started: schools see it once you publish it.",
            )
            return redirect("programme_plan", plan_id=plan.pk)
    return render(
        request,
        "programmes/plan_new.html",
        {"form": form, "for_hub": for_hub},
        status=400 if form.errors else 200,
    )


@requires("programme.view")
def plan_detail(request, plan_id: int):
    actor = request.actor
    plan = _plan_or_404(request, plan_id)
    overview = selectors.plan_overview(
        actor=actor,
        plan=plan,
        as_at=timezone.localdate(),
        with_pupils=plan.school_id == actor.school_id,
    )
    if overview.short:
        audit_rows(actor, AuditEvent.Action.VIEW, Learner, _audited(overview.short, plan))
    return render(
        request,
        "programmes/plan_detail.html",
        {
            "plan": plan,
            "overview": overview,
            "can_change": _may_change(actor, plan),
            "can_log": actor.can("experience.log") and plan.school_id == actor.school_id,
            "cohort_label": academic_year_label(plan.cohort) if plan.cohort else "",
            "details_form": PlanDetailsForm(initial={"title": plan.title, "summary": plan.summary}),
        },
    )


def _audited(rows, plan):
    return [{"pk": row["pk"], "hub_id": plan.hub_id, "school_id": plan.school_id} for row in rows]


@requires("progress.view")
def plan_pupils(request, plan_id: int):
    """Every pupil of the cohort: what the plan gives them, what was delivered, where they
    would end each week."""
    actor = request.actor
    plan = _plan_or_404(request, plan_id)
    if plan.school_id != actor.school_id:
        raise Http404
    today = timezone.localdate()
    activities = list(selectors.plan_activities(plan, logged_by=today))
    only_short = request.GET.get("short") == "1"
    pupils = selectors.plan_pupils(
        actor=actor,
        plan=plan,
        activities=activities,
        as_at=today,
        with_delivered=True,
        delivered_ids={a.pk for a in activities if a.logged},
    )
    year_group = selectors.year_group_now(plan, today)
    if only_short:
        pupils = pupils.filter(**{selectors.short_field(year_group): True})
    rows = list(
        selectors.pupils_in_order(pupils, year_group=year_group).values(
            *selectors.PUPIL_FIELDS, "delivered_hours"
        )
    )
    audit_rows(actor, AuditEvent.Action.VIEW, Learner, _audited(rows, plan))
    return render(
        request,
        "programmes/plan_pupils.html",
        {"plan": plan, "pupils": rows, "only_short": only_short, "year_group": year_group},
    )


@requires("programme.write")
@require_POST
def plan_edit(request, plan_id: int):
    form = PlanDetailsForm(request.POST)
    if form.is_valid():
        try:
            services.plan_update(actor=request.actor, plan_id=plan_id, **form.cleaned_data)
        except ProgrammePlan.DoesNotExist as missing:
            raise Http404 from missing
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Plan details saved.")
    else:
        messages.error(request, "Give the plan a title.")
    return redirect("programme_plan", plan_id=plan_id)


@requires("programme.write")
@require_POST
def plan_publish(request, plan_id: int):
    publish = request.POST.get("publish") != "0"
    try:
        plan = services.plan_publish(actor=request.actor, plan_id=plan_id, published=publish)
    except ProgrammePlan.DoesNotExist as missing:
        raise Http404 from missing
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programme_plan", plan_id=plan_id)
    if publish:
        who = "the hub's schools" if plan.is_template else "your school's staff"
        messages.success(request, f"Published: {who} can now see “{plan.title}”.")
    else:
        messages.success(request, f"“{plan.title}” is a draft again: only you can see it.")
    return redirect("programme_plan", plan_id=plan.pk)


@requires("programme.write")
def plan_delete(request, plan_id: int):
    plan = _plan_or_404(request, plan_id)
    if not _may_change(request.actor, plan):
        raise Http404
    if request.method == "POST":
        try:
            services.plan_delete(actor=request.actor, plan_id=plan.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("programme_plan", plan_id=plan.pk)
        messages.success(request, f"Deleted the draft “{plan.title}”.")
        return redirect("programme_home")
    return render(request, "programmes/plan_delete.html", {"plan": plan})


def _activity_form_view(request, plan, activity=None):
    if not _may_change(request.actor, plan):
        raise Http404
    initial = ActivityForm.initial_from(activity) if activity else {}
    if activity is None:
        for name in ("year_group", "term"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
    form = ActivityForm(request.POST or None, initial=initial, template=plan.is_template)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.activity_save(
                actor=request.actor,
                plan_id=plan.pk,
                activity_id=activity.pk if activity else None,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            verb = "Changed" if activity else "Added"
            messages.success(
                request, f"{verb} “{saved.title}” (Year {saved.year_group} {saved.term})."
            )
            return redirect(f"{plan_url(plan)}#year-{saved.year_group}")
    return render(
        request,
        "programmes/activity_form.html",
        {"form": form, "plan": plan, "activity": activity},
        status=400 if form.errors else 200,
    )


def plan_url(plan) -> str:
    from django.urls import reverse

    return reverse("programme_plan", kwargs={"plan_id": plan.pk})


@requires("programme.write")
def activity_new(request, plan_id: int):
    return _activity_form_view(request, _plan_or_404(request, plan_id))


def _activity_or_404(request, activity_id):
    try:
        return PlannedActivity.objects.select_related("plan").get(pk=activity_id)
    except PlannedActivity.DoesNotExist as missing:
        raise Http404 from missing


@requires("programme.write")
def activity_edit(request, activity_id: int):
    activity = _activity_or_404(request, activity_id)
    return _activity_form_view(request, activity.plan, activity)


@requires("programme.write")
@require_POST
def activity_delete(request, activity_id: int):
    activity = _activity_or_404(request, activity_id)
    try:
        plan = services.activity_delete(actor=request.actor, activity_id=activity.pk)
    except ProgrammePlan.DoesNotExist as missing:
        raise Http404 from missing
    messages.success(request, f"Removed “{activity.title}” from the plan.")
    return redirect("programme_plan", plan_id=plan.pk)


@requires("programme.template")
def hub_programmes(request):
    """The hub lead's view: schools with published plans, coverage across the hub's
    schools, and where many plan the same sector in the same term."""
    return render(
        request,
        "programmes/hub.html",
        {
            "hub": selectors.hub_programmes(actor=request.actor, as_at=timezone.localdate()),
            "years": selectors.PLAN_YEARS,
        },
    )

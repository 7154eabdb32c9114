"""The pupil's own pages (thin: pupils.services writes, pupils.selectors reads)."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.routes import public, requires
from learners.models import SkillRating
from outcomes.models import Skill

from . import selectors, services
from .forms import InterestForm, ReflectionForm, SignInCodeForm
from .skills import skill_rating_form

WRONG_CODE = (
    "That code did not work. Check each letter and number, or ask your careers leader for "
    "a new code."
)
TOO_MANY = (
    "Too many codes that did not work from here. Wait 15 minutes, then try again, or ask "
    "your careers leader for help."
)


@public
def sign_in(request):
    """A pupil signs in with the code on their slip: no name, email or password."""
    if request.actor.user_id is not None:
        return redirect("home")
    form = SignInCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="pupil_code_failed", dry_run=True):
            form.add_error("code", TOO_MANY)
            status = 429
        else:
            account = services.pupil_sign_in(code=form.cleaned_data["code"])
            if account is None:
                ratelimit.consume(request, action="pupil_code_failed")
                services.pupil_sign_in_failed()
                form.add_error("code", WRONG_CODE)
                status = 400
            else:
                # pupils.signals audits the sign-in and starts the session's clock.
                login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("pupil_home")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "pupils/sign_in.html",
        {"form": form, "idle_minutes": settings.PUPIL_IDLE_SECONDS // 60},
        status=status,
    )


@requires("pupil.self")
def home(request):
    """My ten days."""
    return render(request, "pupils/home.html", selectors.my_ten_days(actor=request.actor))


def _participation_or_404(request, participation_id):
    try:
        return selectors.my_participation(actor=request.actor, participation_id=participation_id)
    except LookupError as missing:
        raise Http404 from missing


@requires("pupil.self")
def reflect(request, participation_id: int):
    participation = _participation_or_404(request, participation_id)
    reflection = participation.my_reflection
    initial = None
    if reflection is not None:
        initial = {
            "what_i_did": reflection.what_i_did,
            "what_i_learned": reflection.what_i_learned,
            "skills": list(reflection.skills_used),
            "what_next": reflection.what_next,
        }
    form = ReflectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_save(
                actor=request.actor,
                participation_id=participation.pk,
                what_i_did=form.cleaned_data["what_i_did"],
                what_i_learned=form.cleaned_data["what_i_learned"],
                skill_ids=[s.pk for s in form.cleaned_data["skills"]],
                what_next=form.cleaned_data["what_next"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your reflection is saved. Your careers leader can read it.")
            return redirect("pupil_home")
    return render(
        request,
        "pupils/reflect.html",
        {"participation": participation, "form": form, "reflection": reflection},
    )


@requires("pupil.self")
def rate_skills(request, participation_id: int, moment: str):
    if moment not in SkillRating.Moment.values:
        raise Http404
    participation = _participation_or_404(request, participation_id)
    skills = list(Skill.objects.order_by("position"))
    rows = selectors.skills_with_steps(actor=request.actor, participation=participation)
    initial = {f"skill_{r['skill'].pk}": r.get(moment) for r in rows if r.get(moment) is not None}
    form = skill_rating_form(skills, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        steps = {
            skill.pk: form.cleaned_data[f"skill_{skill.pk}"]
            for skill in skills
            if form.cleaned_data.get(f"skill_{skill.pk}") is not None
        }
        try:
            services.self_ratings_record(
                actor=request.actor,
                participation_id=participation.pk,
                moment=moment,
                steps=steps,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, "Your skills are saved.")
            return redirect("pupil_skills_compare", participation_id=participation.pk)
    return render(
        request,
        "pupils/rate_skills.html",
        {
            "participation": participation,
            "form": form,
            "moment": moment,
            "moment_label": SkillRating.Moment(moment).label,
        },
    )


@requires("pupil.self")
def skills_compare(request, participation_id: int):
    """Before and after side by side, with the employer's rating where given."""
    participation = _participation_or_404(request, participation_id)
    rows = selectors.skills_with_steps(actor=request.actor, participation=participation)
    return render(
        request,
        "pupils/skills_compare.html",
        {
            "participation": participation,
            "rows": rows,
            # The employer's column only where the employer rated the pupil.
            "employer_rated": any("employer" in row for row in rows),
        },
    )


@requires("pupil.self")
def record_pdf(request):
    """The pupil's record of experience: the same PDF their school prints for them."""
    from reports import builders

    today = timezone.localdate()
    summary = builders.jsonable(
        builders.pupil_record(pupil_id=request.actor.learner_id, as_at=today)
    )
    response = HttpResponse(builders.to_pdf(summary), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="my-record-{today:%Y-%m-%d}.pdf"'
    return response


@requires("pupil.self")
def opportunities(request):
    """What I'd like to try."""
    return render(
        request,
        "pupils/opportunities.html",
        {
            "opportunities": selectors.opportunity_list_for_pupil(actor=request.actor),
            "form": InterestForm(),
        },
    )


@requires("pupil.self")
@require_POST
def interest(request, opportunity_id: int):
    if request.POST.get("withdraw"):
        services.interest_withdraw(actor=request.actor, opportunity_id=opportunity_id)
        messages.success(request, "Done: you are no longer down as interested.")
        return redirect("pupil_opportunities")
    form = InterestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep your reason under 280 characters.")
        return redirect("pupil_opportunities")
    try:
        services.interest_say(
            actor=request.actor, opportunity_id=opportunity_id, why=form.cleaned_data["why"]
        )
    except LookupError as missing:
        raise Http404 from missing
    messages.success(
        request, "Saved. Your careers leader will see you are interested when choosing pupils."
    )
    return redirect("pupil_opportunities")

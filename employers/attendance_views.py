"""The employer's attendance screen: who came, for how long, and a line of feedback each."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from access.routes import requires
from outcomes.models import Skill

from .attendance import Attendance, attendance_confirm
from .models import Opportunity
from .rules import attendance_open_on, default_duration_hours
from .selectors import attendance_sheet, consent_details_for_employer, opportunity_get
from .services import host_again_record


def _number(text: str, kind, what: str, problems: list[str]):
    text = text.strip()
    if not text:
        return None
    try:
        return kind(text)
    except (InvalidOperation, ValueError):
        problems.append(f"{what}: enter a number.")
        return None


def _records(post, sheet) -> tuple[list[Attendance], list[str]]:
    records, problems = [], []
    for row in sheet:
        key = row["nomination_id"]
        name = row["first_name"]
        skill = post.get(f"skill-{key}", "")
        records.append(
            Attendance(
                nomination_id=key,
                attended=post.get(f"attended-{key}") == "yes",
                hours=_number(post.get(f"hours-{key}", ""), Decimal, f"{name}'s hours", problems),
                feedback=post.get(f"feedback-{key}", ""),
                skill_id=int(skill) if skill.isdigit() else None,
                skill_step=_number(
                    post.get(f"step-{key}", ""), int, f"{name}'s Skills Builder step", problems
                ),
            )
        )
    return records, problems


def _keep_what_was_typed(sheet, post) -> None:
    # Shown again with the problems, so nothing the employer typed is lost.
    for row in sheet:
        key = row["nomination_id"]
        row["attended"] = post.get(f"attended-{key}") == "yes"
        row["recorded"] = True
        row["hours"] = post.get(f"hours-{key}", "")
        row["feedback"] = post.get(f"feedback-{key}", "")


@requires("attendance.confirm")
def opportunity_attendance(request, opportunity_id: int):
    try:
        opportunity = opportunity_get(actor=request.actor, opportunity_id=opportunity_id)
    except Opportunity.DoesNotExist as missing:
        raise Http404 from missing
    sheet = attendance_sheet(actor=request.actor, opportunity=opportunity)
    details = consent_details_for_employer(actor=request.actor, opportunity=opportunity)
    for row in sheet:
        row["details"] = details.get(row["nomination_id"])
    problems = []
    duration = request.POST.get("duration_hours") or default_duration_hours(opportunity)
    if request.method == "POST" and request.POST.get("action") == "host_again":
        problems = _host_again(request, opportunity)
        if not problems:
            return redirect("opportunity_attendance", opportunity_id=opportunity.pk)
    elif request.method == "POST":
        records, problems = _records(request.POST, sheet)
        _keep_what_was_typed(sheet, request.POST)
        if not problems:
            try:
                result = attendance_confirm(
                    actor=request.actor,
                    opportunity_id=opportunity.pk,
                    duration_hours=duration,
                    records=records,
                )
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(
                    request,
                    f"Recorded {result.attended} pupil{'s' * (result.attended != 1)} as "
                    f"attending and {result.absent} absent. Their schools' records are updated.",
                )
                return redirect("opportunity_attendance", opportunity_id=opportunity.pk)
    return render(
        request,
        "employers/opportunity_attendance.html",
        {
            "opportunity": opportunity,
            "sheet": sheet,
            "open": attendance_open_on(opportunity, timezone.localdate()),
            "duration": duration,
            "skills": Skill.objects.filter(framework__is_current=True),
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def _host_again(request, opportunity) -> list[str]:
    answer = request.POST.get("host_again")
    places = request.POST.get("host_again_places", "").strip()
    try:
        if answer not in ("yes", "no"):
            raise ValidationError("Say whether you would host pupils again.")
        if answer == "yes" and not places.isdigit():
            raise ValidationError("Say how many pupils you could host, as a number.")
        host_again_record(
            actor=request.actor,
            opportunity=opportunity,
            host_again=answer == "yes",
            places=int(places) if answer == "yes" else None,
        )
    except ValidationError as error:
        return error.messages
    messages.success(request, "Thank you: your answer is saved for the hub.")
    return []

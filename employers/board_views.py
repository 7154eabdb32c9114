"""The careers leader's placement board: every nominated pupil of a year group, where each
stands in the paperwork, who it waits on, and consent requests and reminders in bulk."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from access.routes import requires
from learners.academic import YEAR_GROUPS

from .consent import consent_remind, consent_request_many
from .rules import PLACEMENT_STATES, WAITING_ON
from .selectors import placement_board

DEFAULT_YEAR = 10


def _year(value: str) -> int:
    return int(value) if value.isdigit() and int(value) in YEAR_GROUPS else DEFAULT_YEAR


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


@requires("opportunity.nominate")
def board(request):
    year = _year(request.GET.get("year", "") or request.POST.get("year", ""))
    problems = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "ask":
            emails = {
                int(key.removeprefix("email-")): value
                for key, value in request.POST.items()
                if key.startswith("email-") and key[6:].isdigit() and value.strip()
            }
            if not emails:
                messages.error(
                    request, "Type a parent's or carer's email address for each pupil to ask."
                )
            else:
                result = consent_request_many(actor=request.actor, emails=emails)
                if result.sent:
                    messages.success(
                        request,
                        f"Consent requests emailed for {_plural(len(result.sent), 'pupil')}.",
                    )
                problems = result.problems
        elif action == "remind":
            chosen = [int(v) for v in request.POST.getlist("consent") if v.isdigit()]
            sent = consent_remind(actor=request.actor, consent_ids=chosen)
            messages.success(request, f"Reminders emailed for {_plural(sent, 'pupil')}.")
        if not problems:
            return redirect(f"{request.path}?year={year}")
    board = placement_board(actor=request.actor, year_group=year)
    for row in board.rows:
        row.problems = problems.get(row.nomination_id, [])
        # Shown again where a request failed, so nothing typed is lost.
        row.typed_email = request.POST.get(f"email-{row.nomination_id}", "") if problems else ""
    return render(
        request,
        "employers/placement_board.html",
        {
            "board": board,
            "year": year,
            "years": YEAR_GROUPS,
            "states": [
                (key, label, board.counts.get(key, 0)) for key, label in PLACEMENT_STATES.items()
            ],
            "waiting_on": WAITING_ON,
            "values": bool(problems),
            "today": timezone.localdate(),
        },
        status=400 if problems else 200,
    )

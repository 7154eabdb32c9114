"""The parent's or carer's page, reached from the emailed link: no account needed."""

from django.core.exceptions import ValidationError
from django.shortcuts import render

from access.routes import public
from learners.academic import year_group_on

from .consent import ConsentLinkUnusable, consent_answer, consent_can_change, consent_for_token


@public
def consent_answer_page(request, token: str):
    try:
        consent = consent_for_token(token)
    except ConsentLinkUnusable as problem:
        return render(request, "employers/consent_unusable.html", {"problem": problem}, status=410)
    problems, values = [], {}
    if request.method == "POST":
        values = {
            "signed_by": request.POST.get("signed_by", ""),
            "note": request.POST.get("note", ""),
        }
        answer = request.POST.get("answer")
        try:
            if answer not in ("give", "refuse"):
                raise ValidationError({"answer": "Choose whether you give or refuse consent."})
            consent = consent_answer(token=token, give=answer == "give", **values)
        except ValidationError as error:
            problems = error.messages
        else:
            values = {}
    nomination = consent.nomination
    return render(
        request,
        "employers/consent_answer.html",
        {
            "consent": consent,
            "opportunity": nomination.opportunity,
            "first_name": nomination.learner.first_name,
            "year_group": year_group_on(
                nomination.learner.cohort, nomination.opportunity.start_date
            ),
            "school_name": consent.school.name,
            "can_change": consent_can_change(consent),
            "problems": problems,
            "values": values,
        },
        status=400 if problems else 200,
    )

"""The parent's or carer's page, reached from the emailed link: no account needed."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import render

from access.routes import public
from learners.academic import year_group_on

from .consent import (
    ConsentDetails,
    ConsentLinkUnusable,
    consent_answer,
    consent_can_change,
    consent_for_token,
)

DETAIL_FIELDS = (
    "emergency_contact_name",
    "emergency_contact_phone",
    "medical_needs",
    "travel_arrangements",
)


# Where the error summary's link for a field's problem takes the parent: the field itself
# (the radio group's first choice for the answer).
FIELD_ANCHORS = {"answer": "answer-give", NON_FIELD_ERRORS: None}


def _problems_by_field(error: ValidationError) -> tuple[list[tuple], dict[str, str]]:
    """The summary's (anchor, message) pairs, and each field's message beside it."""
    if not hasattr(error, "error_dict"):
        return [(None, message) for message in error.messages], {}
    by_field = {field: " ".join(messages) for field, messages in error.message_dict.items()}
    problems = [
        (FIELD_ANCHORS.get(field, field), message)
        for field, messages in error.message_dict.items()
        for message in messages
    ]
    return problems, by_field


@public
def consent_answer_page(request, token: str):
    try:
        consent = consent_for_token(token)
    except ConsentLinkUnusable as problem:
        return render(request, "employers/consent_unusable.html", {"problem": problem}, status=410)
    problems, errors, values = [], {}, {}
    if request.method == "POST":
        values = {
            "signed_by": request.POST.get("signed_by", ""),
            **{name: request.POST.get(name, "") for name in DETAIL_FIELDS},
            "share_needs_with_employer": request.POST.get("share_needs_with_employer") == "yes",
        }
        answer = request.POST.get("answer")
        try:
            if answer not in ("give", "refuse"):
                raise ValidationError({"answer": "Choose whether you give or refuse consent."})
            consent = consent_answer(
                token=token,
                give=answer == "give",
                signed_by=values["signed_by"],
                details=ConsentDetails(
                    **{name: values[name] for name in DETAIL_FIELDS},
                    share_needs_with_employer=values["share_needs_with_employer"],
                ),
            )
        except ValidationError as error:
            problems, errors = _problems_by_field(error)
        else:
            values = {}
    if not values and consent.answer == consent.Answer.GIVEN:
        # Changing an answer starts from the one given.
        values = {
            "signed_by": consent.signed_by,
            **{name: getattr(consent, name) for name in DETAIL_FIELDS},
            "share_needs_with_employer": consent.share_needs_with_employer,
            "answer": "give",
        }
    elif request.method == "POST":
        values["answer"] = request.POST.get("answer", "")
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
            "errors": errors,
            "values": values,
        },
        status=400 if problems else 200,
    )

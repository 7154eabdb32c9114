"""What the privacy page says, read from the code so it cannot drift from it.

Which pupil-level models exist comes from the app registry (a new model pointing at a
pupil appears by itself); each field's words are its verbose_name and help_text; who can
see a model's rows comes from access.rules.SCOPES; how long they are kept comes from the
retention settings privacy.retention applies.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.text import capfirst

from access import rules
from access.roles import Role

ROOT = "learners.Learner"
# Pupil-level without a foreign key to a pupil: they name pupil rows in plain columns.
EXTRA = ("access.AuditEvent",)
NOT_DECLARED = "No retention period is declared for this yet."


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    why: str
    kept: str  # "" when the record's period applies


@dataclass(frozen=True)
class Viewer:
    role: Role
    label: str
    note: str
    totals_only: bool = False


@dataclass(frozen=True)
class Record:
    label: str  # the model's app label, e.g. "learners.Learner"
    name: str
    description: str
    fields: list[Field]
    viewers: list[Viewer]
    kept: str


# The words for the rules that many models share (matched by identity, so a rule that
# changes to another function loses its words rather than keep stale ones).
TOTALS_ONLY = (rules.PUPIL_LEVEL[Role.HUB_LEAD], rules.PUPIL_LEVEL[Role.NATIONAL_ANALYST])
RULE_WORDS = {
    rules._own_school: "pupils of their own school",
    rules.PUPIL_LEVEL[Role.HUB_LEAD]: "totals for their hub only, never a named pupil",
    rules.PUPIL_LEVEL[Role.NATIONAL_ANALYST]: "national totals only, never a named pupil",
    rules._trust_pupils: (
        "totals for their trust's schools; named pupils, read only, of a school whose "
        "careers leader grants it"
    ),
    rules._trust_granted_rows: (
        "read only, of a school of their trust whose careers leader grants it"
    ),
}
# Words for one model's rule for one role; test_privacy_page checks each still exists.
ROLE_NOTES = {
    ("employers.Nomination", Role.EMPLOYER): (
        "nominations to its own opportunities: the pupil's first name, year group and the "
        "support needs the school chose to share"
    ),
    ("learners.PupilTransfer", Role.CAREERS_LEADER): (
        "requests to or from their own school; the asking school sees only what it sent"
    ),
    ("learners.PupilTransfer", Role.HUB_LEAD): (
        "requests their hub's schools without a careers leader must decide"
    ),
    ("reports.ReportRun", Role.HUB_LEAD): "their hub's and schools' reports, not pupil records",
    ("reports.ReportRun", Role.NATIONAL_ANALYST): "finished hub dashboards' totals only",
    ("reports.ReportRun", Role.TRUST_LEAD): (
        "their trust's schools' Benchmark 6 reports, not pupil records or cohort lists"
    ),
    ("privacy.ErasureRequest", Role.HUB_LEAD): (
        "their hub's schools' requests, to confirm one: the reason and the pupil's year, "
        "never the name"
    ),
    ("privacy.SubjectAccessExport", Role.CAREERS_LEADER): (
        "only the careers leader who asked for it, not their colleagues"
    ),
    ("access.AuditEvent", Role.CAREERS_LEADER): "the trail of their own school's pupils",
    ("access.AuditEvent", Role.HUB_LEAD): "the hub's own actions only, not a school's pupils",
}


def _leavers() -> str:
    # The words follow the rule privacy.leavers applies and the defaults a hub starts with.
    from hubs.models import Hub
    from privacy.leavers import FREE_TEXT

    years = settings.RETAIN_LEAVERS_ACADEMIC_YEARS
    grace = Hub._meta.get_field("year11_grace_days").default
    words = sorted(
        {
            str(apps.get_model(label)._meta.get_field(name).verbose_name)
            for label, names in FREE_TEXT.items()
            for name in names
        }
    )
    return (
        f"While the pupil is at a school using equalex, and for {years} academic "
        f"year{'s' if years != 1 else ''} after they leave (the platform's default; each hub "
        "sets its own), counted after the academic year they left in. A pupil leaves when "
        "their school records it, or when Year 11 has ended (31 August) and the hub's grace "
        f"period has passed ({grace} days unless the hub sets another). Then the record is "
        "pseudonymised where it is: names and registration group are removed, the UPN is "
        "replaced by a keyed hash (so the same pupil is not added twice), the pupil's own "
        "reports are deleted and the free text is emptied ("
        + ", ".join(words)
        + "), so only anonymous figures stay and every report reads as it did."
    )


def _with_pupil() -> str:
    # Said once, on the pupil's own record, rather than repeated on every record.
    pupils = capfirst(str(apps.get_model(ROOT)._meta.verbose_name_plural))
    return f"As long as the pupil's record: see {pupils}, above."


def _consent_details() -> str:
    days = settings.RETAIN_CONSENT_DETAILS_DAYS
    return f"Deleted {days} day{'s' if days != 1 else ''} after the placement ends."


def _report_runs() -> str:
    return (
        f"The last {settings.REPORT_RUNS_KEPT} of each report, those as at 31 December, "
        "31 March and 31 July, and each hub's latest reading; older ones are deleted nightly "
        "with their files. A pupil's record of experience goes with the pupil's record."
    )


def _audit() -> str:
    years = settings.RETAIN_AUDIT_YEARS
    return (
        f"{years} year{'s' if years != 1 else ''}, as school record-keeping guidance "
        "suggests, then deleted."
    )


# Model label -> how long its rows are kept. Models not listed that are deleted with
# their pupil (a cascading foreign key) are kept as the pupil's record is.
KEPT = {
    "learners.Learner": _leavers,
    "employers.ParentalConsent": lambda: (
        "The answer and when it was given: as long as the pupil's record. The parent's "
        "name and note: " + _consent_details()[0].lower() + _consent_details()[1:] + " "
        "The email address is deleted as soon as they answer."
    ),
    "reports.ReportRun": _report_runs,
    "access.AuditEvent": _audit,
    "privacy.SubjectAccessExport": lambda: (
        "7 days after it is built, then deleted with its files by the nightly retention "
        "task. The request and every download stay on the audit trail."
    ),
}
FIELD_KEPT = {
    ("employers.ParentalConsent", "signed_by"): _consent_details,
    ("employers.ParentalConsent", "note"): _consent_details,
    ("employers.ParentalConsent", "sent_to"): lambda: (
        "Deleted when the parent answers; if they never do, "
        + _consent_details()[0].lower()
        + _consent_details()[1:]
    ),
}


def pupil_level_models(candidates=None) -> list[type[models.Model]]:
    """Learner, every concrete model with a foreign key or one-to-one to a pupil-level
    model (transitively), and EXTRA: the pupil first, the audit trail last."""
    if candidates is None:
        candidates = apps.get_models()
    candidates = [m for m in candidates if not m._meta.abstract and not m._meta.proxy]
    found = {apps.get_model(ROOT)} | {apps.get_model(label) for label in EXTRA}
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model not in found and any(
                (f.many_to_one or f.one_to_one) and f.related_model in found
                for f in model._meta.concrete_fields
            ):
                found.add(model)
                grew = True
    return sorted(
        found,
        key=lambda m: (m._meta.label != ROOT, m._meta.label in EXTRA, str(m._meta.verbose_name)),
    )


def _is_internal(field) -> bool:
    # Row numbers and the times a row was written: listed once in the page's words.
    return (
        field.primary_key
        or getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
    )


def _cascades_from(model, pupil_level) -> bool:
    return any(
        (f.many_to_one or f.one_to_one)
        and f.related_model in pupil_level
        and f.remote_field.on_delete is models.CASCADE
        for f in model._meta.concrete_fields
    )


def kept(model, pupil_level) -> str:
    """How long the model's rows are kept: its own entry in KEPT, else as long as the
    pupil's record when deleting the pupil deletes them, else NOT_DECLARED (which
    test_privacy_page refuses, so a new model cannot go unexplained)."""
    label = model._meta.label
    if label in KEPT:
        return KEPT[label]()
    return _with_pupil() if _cascades_from(model, pupil_level) else NOT_DECLARED


def viewers(label: str) -> list[Viewer]:
    """The roles access.rules.SCOPES gives rows of the model, in Role order, with words."""
    table = rules.SCOPES.get(label, {})
    return [
        Viewer(
            role=role,
            label=role.label,
            note=ROLE_NOTES.get((label, role)) or RULE_WORDS.get(table[role], ""),
            totals_only=table[role] in TOTALS_ONLY,
        )
        for role in Role
        if role in table
    ]


def records(candidates=None) -> list[Record]:
    pupil_level = pupil_level_models(candidates)
    found = []
    for model in pupil_level:
        label = model._meta.label
        fields = [
            Field(
                name=f.name,
                label=capfirst(str(f.verbose_name)),
                why=str(f.help_text),
                kept=FIELD_KEPT[(label, f.name)]() if (label, f.name) in FIELD_KEPT else "",
            )
            for f in model._meta.concrete_fields
            if not _is_internal(f)
        ]
        found.append(
            Record(
                label=label,
                name=capfirst(str(model._meta.verbose_name_plural)),
                description=" ".join((model.__doc__ or "").split("\n\n")[0].split()),
                fields=fields,
                viewers=viewers(label),
                kept=kept(model, pupil_level),
            )
        )
    return found

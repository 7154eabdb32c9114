"""Subject access requests: everything the platform holds about one pupil, exported.

A careers leader asks (`sar_request`); a Celery task (privacy.tasks) claims the export
with a compare-and-set update, as report runs are claimed, and builds it as that careers
leader (`sar_build`): a ZIP of JSON files, one per kind of record (machine-readable), and
a PDF for the family (plain headings, dates as "3 March 2026", durations in days).

What is exported is found as the privacy page finds it (privacy.catalogue): every model
that points at a pupil, directly or through another pupil-level row, plus the audit trail.
SECTIONS names each one's file and heading; tests/test_subject_access.py fails when a
pupil-level model has no section, so a model added later cannot be left out. Each file
has every stored field of every row (FIELDS_LEFT_OUT says which are not, and why), read
through the scoping layer as the requester: one query per kind of record, whatever the
size of the pupil's history.

Only the requester sees the export (access.rules), the request and each download are
audited, and it expires EXPIRES_AFTER after it was built: downloads then say so, and the
nightly retention task (privacy.retention) deletes it with its files.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst

from access.audit import audit_export, describe
from access.models import AuditEvent
from access.selectors import audit_events, describe_event, who_did_it
from learners.models import Learner

from .catalogue import pupil_level_models
from .models import SubjectAccessExport

EXPIRES_AFTER = timedelta(days=7)
HOURS_PER_DAY = Decimal(5)


@dataclass(frozen=True)
class Section:
    file: str  # the JSON file in the ZIP
    heading: str  # the PDF's heading, in the family's words


# Every pupil-level model (privacy.catalogue.pupil_level_models) and where its rows go.
SECTIONS = {
    "learners.Learner": Section("pupil.json", "The pupil's record"),
    "learners.Participation": Section("participations.json", "Experiences taken part in"),
    "learners.SkillRating": Section("skill_ratings.json", "Skills ratings"),
    "learners.PupilProgress": Section("progress.json", "Progress towards ten days"),
    "employers.Nomination": Section("nominations.json", "Nominations for placements"),
    "employers.ParentalConsent": Section("parental_consents.json", "Parental consent"),
    "learners.PupilTransfer": Section("transfers.json", "Moves between schools"),
    "reports.ReportRun": Section("reports.json", "Reports about the pupil"),
    "pupils.PupilAccount": Section("pupil_account.json", "The pupil's own sign-in"),
    "pupils.Reflection": Section("reflections.json", "The pupil's reflections"),
    "pupils.OpportunityInterest": Section(
        "opportunity_interests.json", "Opportunities the pupil asked to try"
    ),
    "privacy.ErasureRequest": Section("erasure_requests.json", "Requests to erase the record"),
    "privacy.SubjectAccessExport": Section("subject_access_exports.json", "Exports of this record"),
    "access.AuditEvent": Section("audit_trail.json", "Who read or changed this data"),
}
# The experiences themselves (a class's event, not the pupil's row): described beside the
# participations so the JSON says what each one was.
EXPERIENCES_FILE = "experiences.json"
STAFF_FILE = "staff.json"
# Stored fields not exported: none says anything about the pupil.
FIELDS_LEFT_OUT = {
    ("employers.ParentalConsent", "token_digest"): "a digest of the emailed link's secret",
    ("pupils.PupilAccount", "code_digest"): "a digest of the printed sign-in code",
    ("reports.ReportRun", "claimed_by"): "the background task that built it",
    ("privacy.SubjectAccessExport", "claimed_by"): "the background task that built it",
}


def sections_missing(candidates=None) -> list[str]:
    """Pupil-level models (found as the privacy page finds them) the export has no section
    for: each would be left out of every export, so the completeness test refuses them."""
    return sorted(
        m._meta.label for m in pupil_level_models(candidates) if m._meta.label not in SECTIONS
    )


class ExportExpired(Exception):
    """The export is past its 7 days: it can no longer be downloaded."""


def _pupil_lookup(model, pupil_level, seen=()) -> str:
    """The lookup from the model's rows to the pupil: its own foreign key to the pupil, or
    one through another pupil-level row (a consent through its nomination)."""
    if model is Learner:
        return "pk"
    links = [
        f
        for f in model._meta.concrete_fields
        if (f.many_to_one or f.one_to_one) and f.related_model in pupil_level
    ]
    for field in links:
        if field.related_model is Learner:
            return field.name
    for field in links:
        if field.related_model not in seen:
            rest = _pupil_lookup(field.related_model, pupil_level, (*seen, model))
            return f"{field.name}__{rest}"
    raise LookupError(f"{model._meta.label} does not point at a pupil")


def exported_fields(model) -> list:
    label = model._meta.label
    return [f for f in model._meta.concrete_fields if (label, f.name) not in FIELDS_LEFT_OUT]


def _rows(model, pupil_id: int, pupil_level) -> list[dict]:
    """Every row of the model about the pupil, every exported field, as stored; one query,
    through the scoping layer."""
    fields = exported_fields(model)
    return list(
        model.objects.filter(**{_pupil_lookup(model, pupil_level): pupil_id})
        .order_by("pk")
        .values(*(f.attname for f in fields))
    )


def days_text(hours) -> str:
    """Hours as days for a family to read: 1 day = 5 hours; "1 day", "2.5 days"."""
    value = (Decimal(hours) / HOURS_PER_DAY).quantize(Decimal("0.01")).normalize()
    text = f"{value:f}"
    return f"{text} day" if value == 1 else f"{text} days"


def _experiences(actor, pupil_id: int) -> list[dict]:
    """The experiences the pupil took part in, each with its employers, sectors and
    learning objectives (a query for each, whatever the number of experiences)."""
    from access.scoping import with_employers_of_pupils_own_history
    from learners.models import Participation
    from learners.progress import ProgressRules, participations_with_verdict

    pupil = Learner.objects.select_related("hub").get(pk=pupil_id)
    participations = participations_with_verdict(
        with_employers_of_pupils_own_history(
            Participation.objects.filter(learner_id=pupil_id)
            # The experience through its participation: a pupil who moved school took part
            # in experiences their old school organised, which are still their history.
            .select_related("experience")
            .prefetch_related("experience__sectors", "experience__objectives")
            .order_by("experience__start_date", "pk")
        ),
        rules=ProgressRules.for_hub(pupil.hub),
    )
    found = []
    for p in participations:
        e = p.experience
        found.append(
            {
                "participation": p.pk,
                "experience": e.pk,
                "title": e.title,
                "kind": e.get_kind_display(),
                "setting": e.get_setting_display(),
                "tier": f"T{e.tier}",
                "start_date": e.start_date,
                "end_date": e.end_date,
                "duration_hours": e.duration_hours,
                "hours_attended": p.hours_attended,
                "days_attended": days_text(p.hours_attended),
                "absent": p.absent,
                "criteria_met": [
                    code
                    for code, met in (
                        ("M1", e.meets_m1),
                        ("M2", e.meets_m2),
                        ("M3", e.meets_m3),
                        ("M4", e.meets_m4),
                        ("M5", e.meets_m5),
                        ("M6", p.employer_feedback_given),
                        ("M7", p.reflection_done),
                    )
                    if met
                ],
                "counts_towards_ten_days": p.counts,
                "employers": [x.name for x in e.employers.all()],
                "sectors": [x.name for x in e.sectors.all()],
                "objectives": [x.code for x in e.objectives.all()],
                "reflection": p.reflection_text,
                "feedback": p.feedback_text,
            }
        )
    return found


def _role(event) -> str:
    """The acting person's role ("Careers leader"), or "" when the description already is
    the whole answer (a background task, a sign-in attempt)."""
    description = event.actor_description
    if event.user_id and description.startswith("user ") and description.endswith(")"):
        return description[description.find("(") + 1 : -1]
    return ""


def _audit_trail(actor, pupil_id: int) -> list[dict]:
    """The school's audit events about the pupil, oldest first: the audit log's own
    search for a pupil (access.selectors), so the export and the log agree."""
    events = audit_events(actor=actor, pupil=pupil_id).order_by("at", "pk")
    return [
        {
            "id": e.pk,
            "at": e.at,
            "who": who_did_it(e),
            "role": _role(e),
            "action": e.get_action_display(),
            "what": describe_event(e),
            "kind_of_record": e.model,
            "record_number": e.object_pk,
            "changed_fields": e.changed_fields,
        }
        for e in events
    ]


def sar_contents(*, actor, pupil_id: int, now: datetime | None = None) -> dict:
    """Everything held about the pupil that the actor's school holds, by model label
    (rows as stored), with the experiences, the staff named and what each field means.
    Out of scope raises Learner.DoesNotExist."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    pupil = Learner.objects.select_related("school").get(pk=pupil_id)
    pupil_level = pupil_level_models()
    records = {}
    for model in pupil_level:
        label = model._meta.label
        if label == "access.AuditEvent":
            records[label] = _audit_trail(actor, pupil.pk)
        else:
            records[label] = _rows(model, pupil.pk, pupil_level)
    # The staff each row names by number (who logged, nominated, asked, decided).
    user_fields = {
        (model._meta.label, f.attname)
        for model in pupil_level
        for f in exported_fields(model)
        if f.many_to_one and f.related_model is get_user_model()
    }
    staff_ids = {
        row[attname]
        for label, attname in user_fields
        for row in records[label]
        if row.get(attname) is not None
    }
    staff = {
        u.pk: {"id": u.pk, "name": str(u), "email": u.email}
        for u in get_user_model().objects.filter(pk__in=staff_ids).order_by("pk")
    }
    return {
        "pupil": pupil,
        "exported_at": now,
        "records": records,
        "experiences": _experiences(actor, pupil.pk),
        "staff": list(staff.values()),
        "fields": {
            model._meta.label: {
                f.attname: {
                    "name": capfirst(str(f.verbose_name)),
                    "meaning": str(f.help_text),
                    **({"values": {k: str(v) for k, v in f.choices}} if f.choices else {}),
                }
                for f in exported_fields(model)
            }
            for model in pupil_level
            if model._meta.label != "access.AuditEvent"
        },
    }


def _json(value) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


README = """Subject access export from equalex

Everything equalex holds about {name} at {school}, exported on {when}.
The PDF says it in plain words; the JSON files hold the same data as stored:

{files}
Dates are written YYYY-MM-DD and times in UTC (ISO 8601). Durations are stored in hours:
one day of work experience is 5 hours.
"""


def sar_files(contents: dict, pdf: bytes) -> dict[str, bytes]:
    """The ZIP's files: one JSON file per kind of record, the experiences, the staff
    named, what each field means, the PDF and a README."""
    files = {SECTIONS[label].file: _json(rows) for label, rows in contents["records"].items()}
    files[EXPERIENCES_FILE] = _json(contents["experiences"])
    files[STAFF_FILE] = _json(contents["staff"])
    files["fields.json"] = _json(
        {SECTIONS[label].file: meaning for label, meaning in contents["fields"].items()}
    )
    files["subject-access-export.pdf"] = pdf
    pupil = contents["pupil"]
    listing = "".join(
        f"- {SECTIONS[label].file}: {SECTIONS[label].heading.lower()}\n"
        for label in contents["records"]
    )
    listing += (
        f"- {EXPERIENCES_FILE}: the experiences taken part in, with employers and sectors\n"
        f"- {STAFF_FILE}: the staff the other files name by number\n"
        "- fields.json: what each field of each file means\n"
        "- subject-access-export.pdf: all of it, for reading\n"
    )
    files["README.txt"] = README.format(
        name=f"{pupil.first_name} {pupil.surname}",
        school=pupil.school.name,
        when=f"{timezone.localtime(contents['exported_at']):%-d %B %Y}",
        files=listing,
    ).encode()
    return files


def sar_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _choice(model_label: str, field: str, value) -> str:
    from django.apps import apps

    choices = dict(apps.get_model(model_label)._meta.get_field(field).choices or ())
    return str(choices.get(value, value))


def sar_pdf(contents: dict) -> bytes:
    """The export for the family: plain headings, UK dates, durations in days."""
    from weasyprint import HTML

    from learners.academic import year_group_on

    records = contents["records"]
    pupil = contents["pupil"]
    staff = {s["id"]: s["name"] for s in contents["staff"]}
    today = timezone.localdate(contents["exported_at"])
    progress = records["learners.PupilProgress"]
    context = {
        "pupil": pupil,
        "year_group": year_group_on(pupil.cohort, today),
        "send": _choice("learners.Learner", "send", pupil.send),
        "exported_at": contents["exported_at"],
        # Headings by model name ("learner", "participation"...), for the template.
        "h": {label.split(".")[1].lower(): s.heading for label, s in SECTIONS.items()},
        "experiences": contents["experiences"],
        "skills": _skills(records["learners.SkillRating"]),
        "progress": [
            {
                "counted_on": row["counted_on"],
                "ks3": days_text(row["ks3_hours"]),
                "ks4_placements": days_text(row["ks4_placement_hours"]),
                "total": days_text(row["total_hours"]),
                "ten_days_met": row["ten_days_met"],
            }
            for row in progress
        ],
        "nominations": _nominations(records["employers.Nomination"]),
        "consents": [
            {**row, "answer": _choice("employers.ParentalConsent", "answer", row["answer"])}
            for row in records["employers.ParentalConsent"]
        ],
        "transfers": _transfers(records["learners.PupilTransfer"]),
        "reports": [
            {
                **row,
                "kind": _choice("reports.ReportRun", "kind", row["kind"]),
                "status": _choice("reports.ReportRun", "status", row["status"]),
                "requested_by": staff.get(row["requested_by_id"], "—"),
            }
            for row in records["reports.ReportRun"]
        ],
        "erasures": [
            {
                **row,
                "status": _choice("privacy.ErasureRequest", "status", row["status"]),
                "requested_by": staff.get(row["requested_by_id"], "—"),
            }
            for row in records["privacy.ErasureRequest"]
        ],
        "exports": [
            {
                **row,
                "status": _choice("privacy.SubjectAccessExport", "status", row["status"]),
                "requested_by": staff.get(row["requested_by_id"], "—"),
            }
            for row in records["privacy.SubjectAccessExport"]
        ],
        "audit": records["access.AuditEvent"],
        "accounts": records["pupils.PupilAccount"],
        "reflections": [
            {**row, "skills": _skill_names(row["skills_used"])}
            for row in records["pupils.Reflection"]
        ],
        "interests": records["pupils.OpportunityInterest"],
    }
    # Beside the reports' PDF templates: the only templates allowed a <style> block, as
    # WeasyPrint renders them and no browser ever does (tests/test_security_headers.py).
    html = render_to_string("reports/pdf/subject_access.html", context)
    return HTML(string=html).write_pdf()


def _skill_names(ids) -> list[str]:
    from outcomes.models import Skill

    names = dict(Skill.objects.filter(pk__in=ids or []).values_list("pk", "name"))
    return [names[pk] for pk in ids or [] if pk in names]


def _skills(rows) -> list[dict]:
    from outcomes.models import Skill

    skills = Skill.objects.filter(pk__in={r["skill_id"] for r in rows})
    names = dict(skills.values_list("pk", "name"))
    return [
        {
            "skill": names.get(r["skill_id"], ""),
            "step": r["step"],
            "rater": _choice("learners.SkillRating", "rater", r["rater"]),
            "rated_on": r["rated_on"],
        }
        for r in sorted(rows, key=lambda r: (r["rated_on"], r["id"]))
    ]


def _nominations(rows) -> list[dict]:
    from employers.models import Opportunity

    # The opportunity's title and employer past the scope: a nomination to an opportunity
    # now closed (or of another hub, before the pupil moved) is still the pupil's history.
    opportunities = {
        o.pk: o
        for o in Opportunity.all_tenants_UNSCOPED.filter(
            pk__in={r["opportunity_id"] for r in rows}
        ).select_related("employer")
    }
    found = []
    for r in rows:
        opportunity = opportunities.get(r["opportunity_id"])
        found.append(
            {
                **r,
                "opportunity": opportunity.title if opportunity else "",
                "starts": opportunity.start_date if opportunity else None,
                "ends": opportunity.end_date if opportunity else None,
                "employer": opportunity.employer.name if opportunity else "",
                "status": _choice("employers.Nomination", "status", r["status"]),
            }
        )
    return found


def _transfers(rows) -> list[dict]:
    from schools.models import School

    ids = {r["from_school_id"] for r in rows} | {r["to_school_id"] for r in rows}
    # A school's name is public (Get Information about Schools); the pupil's moves are theirs.
    names = dict(School.all_tenants_UNSCOPED.filter(pk__in=ids).values_list("pk", "name"))
    return [
        {
            **r,
            "from_school": names.get(r["from_school_id"], ""),
            "to_school": names.get(r["to_school_id"], ""),
            "status": _choice("learners.PupilTransfer", "status", r["status"]),
        }
        for r in rows
    ]


# -- Services


def sar_request(*, actor, pupil_id: int) -> SubjectAccessExport:
    """Ask for an export of everything held about a pupil of the actor's school (or join
    the one the same person asked for that is still being built). The request is audited
    on the school's trail; the build is queued once the request commits."""
    actor.require("sar.request")
    pupil = Learner.objects.get(pk=pupil_id)  # another school's pupil: DoesNotExist
    try:
        with transaction.atomic():
            export = SubjectAccessExport.objects.create(
                hub_id=pupil.hub_id,
                school_id=pupil.school_id,
                learner_id=pupil.pk,
                requested_by_id=actor.user_id,
            )
            AuditEvent.all_tenants_UNSCOPED.create(
                user_id=actor.user_id,
                actor_description=describe(actor),
                action=AuditEvent.Action.CREATE,
                model="privacy.SubjectAccessExport",
                object_pk=str(export.pk),
                hub_id=export.hub_id,
                school_id=export.school_id,
                changed_fields=["subject access request"],
            )
    except IntegrityError:
        # Asked again while the first is being built: the same export.
        return SubjectAccessExport.objects.get(
            learner_id=pupil.pk,
            requested_by_id=actor.user_id,
            status__in=SubjectAccessExport.ACTIVE,
        )
    from .tasks import build_subject_access_export

    transaction.on_commit(
        lambda: build_subject_access_export.apply_async(
            args=[export.pk], kwargs={"actor": actor.to_spec()}
        )
    )
    return export


def sar_exports(*, actor, pupil_id: int):
    """The actor's own exports of the pupil, newest first (nobody else's: the scope)."""
    return SubjectAccessExport.objects.filter(learner_id=pupil_id).order_by("-requested_at", "-pk")


def sar_get(*, actor, export_id: int) -> SubjectAccessExport:
    """One of the actor's own exports; anyone else's raises DoesNotExist."""
    return SubjectAccessExport.objects.select_related("learner").get(pk=export_id)


def sar_download(*, actor, export_id: int, output: str, now: datetime | None = None):
    """The file to download ("zip" or "pdf") of one of the actor's built exports, audited
    as an export of the pupil. Not theirs, not built or no such output: DoesNotExist;
    past its 7 days: ExportExpired."""
    now = now or timezone.now()
    export = SubjectAccessExport.objects.get(pk=export_id, status=SubjectAccessExport.Status.DONE)
    field = {"zip": export.archive, "pdf": export.pdf}.get(output)
    if not field:
        raise SubjectAccessExport.DoesNotExist
    if export.has_expired(now):
        raise ExportExpired(export.expires_at)
    audit_export(
        actor,
        model="learners.Learner",
        object_pk=export.learner_id,
        hub_id=export.hub_id,
        school_id=export.school_id,
        detail=["subject access export", output],
    )
    return export, field


def sar_build(*, actor, export_id: int, task_id: str) -> str:
    """Claim the export (compare-and-set) and build it: the contents, the PDF, the ZIP.

    A message redelivered after its worker died carries the same task id, so it may take
    the export over; any other task finds it claimed and leaves it. A built export is
    never rebuilt."""
    from django.core.files.base import ContentFile

    # The export's own state by its number, past the scope: a requester who has lost their
    # school since asking must still see it claimed and failed (the contents below are read
    # through their scope and raise), not left queued for the reaper to requeue forever.
    exports = SubjectAccessExport.all_tenants_UNSCOPED
    claimed = exports.filter(
        Q(status=SubjectAccessExport.Status.QUEUED)
        | Q(status=SubjectAccessExport.Status.RUNNING, claimed_by=task_id),
        pk=export_id,
    ).update(
        status=SubjectAccessExport.Status.RUNNING,
        claimed_by=task_id,
        started_at=timezone.now(),
        progress=5,
    )
    if not claimed:
        return "already claimed or finished"
    export = exports.get(pk=export_id)
    mine = exports.filter(pk=export_id, claimed_by=task_id)
    mine.update(build_count=export.build_count + 1)
    contents = sar_contents(actor=actor, pupil_id=export.learner_id)
    mine.update(progress=40)
    pdf = sar_pdf(contents)
    mine.update(progress=70)
    name = f"subject-access-{export.pk}"
    export.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    export.archive.save(f"{name}.zip", ContentFile(sar_zip(sar_files(contents, pdf))), save=False)
    finished = timezone.now()
    mine.update(
        pdf=export.pdf.name,
        archive=export.archive.name,
        status=SubjectAccessExport.Status.DONE,
        progress=100,
        finished_at=finished,
        expires_at=finished + EXPIRES_AFTER,
    )
    return "done"


def sar_failed(*, export_id: int, task_id: str, error: Exception) -> None:
    """Record why the build failed; a failed export expires as a built one does."""
    finished = timezone.now()
    # By number past the scope, as sar_build claims it.
    SubjectAccessExport.all_tenants_UNSCOPED.filter(pk=export_id, claimed_by=task_id).update(
        status=SubjectAccessExport.Status.FAILED,
        finished_at=finished,
        expires_at=finished + EXPIRES_AFTER,
        error=f"The export could not be built: {error}",
    )


def _files_delete(names) -> int:
    storage = SubjectAccessExport._meta.get_field("archive").storage
    deleted = 0
    for name in names:
        if name and storage.exists(name):
            storage.delete(name)
            deleted += 1
    return deleted


def expired_exports_delete(*, actor, now: datetime) -> int:
    """Delete exports past their 7 days, files first (a crash in between leaves a row
    naming missing files, which the next night deletes, never a file nobody can find).
    Returns exports deleted. Run as the system (privacy.retention)."""
    if not actor.sees_everything:
        raise PermissionDenied("Expired exports are deleted by the system.")
    expired = SubjectAccessExport.objects.filter(expires_at__lt=now)
    names = [name for pair in expired.values_list("archive", "pdf") for name in pair]
    _files_delete(names)
    return expired.delete()[0]


def pupils_exports_delete(pupil_ids) -> None:
    """Delete the pupils' exports and, after the commit, their files: a pseudonymised
    pupil's export would still name them (privacy.leavers)."""
    exports = SubjectAccessExport.objects.filter(learner_id__in=list(pupil_ids))
    names = [name for pair in exports.values_list("archive", "pdf") for name in pair if name]
    exports.delete()
    transaction.on_commit(lambda: _files_delete(names))

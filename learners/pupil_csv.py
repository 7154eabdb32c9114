"""Pupil import from a school MIS export: preview every row, then save whole or not at all."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from access.audit import describe
from access.models import AuditEvent
from schools.models import School

from .academic import cohort_for
from .ledger import ledger_refresh
from .models import Learner
from .transfers import SENT_FIELDS, transfers_from_import
from .upn import InvalidUPN, upn_validate

COLUMNS = {
    "upn": ("upn",),
    "legal_first_name": ("legal first name", "legal forename", "forename", "first name"),
    "preferred_first_name": ("preferred first name", "preferred forename", "preferred name"),
    "surname": ("surname", "legal surname", "last name"),
    "year_group": ("year group", "year", "ncy", "national curriculum year"),
    "registration_group": ("registration group", "reg group", "form", "tutor group"),
    "fsm": ("fsm", "free school meals", "fsm eligible"),
    "disadvantaged": ("disadvantaged", "pupil premium", "pp"),
    "send": ("send", "sen", "sen status", "send status"),
    "looked_after": ("looked after", "lac", "cla", "looked after child"),
    # Optional: with the column, a date records the pupil as having left on it and a
    # blank cell says they are on the roll; without it, leaving is left as it was.
    "left_on": ("leaving date", "date left", "left on", "date of leaving", "leave date"),
}
REQUIRED = ("upn", "legal_first_name", "surname", "year_group")
TRUE = {"y", "yes", "true", "1", "t"}
FALSE = {"n", "no", "false", "0", "f", ""}
TEMPLATE_HEADER = [
    "UPN",
    "Legal first name",
    "Preferred first name",
    "Surname",
    "Year group",
    "Registration group",
    "FSM",
    "Disadvantaged",
    "SEND",
    "Looked after",
    "Leaving date",
]
TEMPLATE_EXAMPLE = [
    *("B801200005001", "Amelia", "Millie", "Smith", "9", "9B", "N", "Y", "K", "N", ""),
]


@dataclass
class RowProblem:
    line: int
    upn: str
    message: str


@dataclass
class ImportPreview:
    rows: list[dict] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    # On another school's roll: that school is asked to release them (or, if it recorded
    # them as left, they join at once). The preview says no more than that about them.
    elsewhere: int = 0
    # Every row as read, in file order, for the person to check names before saving (see
    # preview_line): what happens to it, and any sign that the file's encoding is wrong.
    lines: list[dict] = field(default_factory=list)
    leaving: int = 0
    # How the file's bytes were read: "UTF-8", or "Windows-1252" for an older export.
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def to_session(self) -> dict:
        data = {"rows": self.rows}
        data["digest"] = _digest(self.rows)
        return data


def _digest(rows) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADER)
    writer.writerow(TEMPLATE_EXAMPLE)
    return buffer.getvalue()


ENCODING_NAMES = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}


def _decode(data: bytes, preview: ImportPreview | None = None) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if preview is not None:
            preview.encoding = ENCODING_NAMES[encoding]
        return text
    raise UnicodeDecodeError("utf-8", data, 0, 1, "unreadable")


REPLACEMENT = "\ufffd"
# UTF-8 read as Windows-1252 somewhere before the file reached us: "Zoë" becomes "ZoÃ«",
# a curly apostrophe becomes "â€™".
GARBLED = re.compile("[ÃÂ][\u0080-\u00bf\u2018-\u203a\u0152-\u0178\u02c6\u02dc]|â€")


def name_warnings(*names: str) -> list[str]:
    """Signs in a row's names that characters were lost or garbled by an encoding."""
    text = " ".join(names)
    warnings = []
    if REPLACEMENT in text:
        warnings.append(
            "a character could not be read (shown as �): fix the name in your MIS or the file"
        )
    if GARBLED.search(text):
        warnings.append(
            "looks garbled (as when a file is saved in the wrong encoding): "
            "export it again as CSV (UTF-8)"
        )
    return warnings


def preview_line(line: int, value: dict) -> dict:
    """A row as read, for the preview's list (JSON, as it waits in the session)."""
    names = [value.get(k, "") for k in ("legal_first_name", "preferred_first_name", "surname")]
    return {
        "line": line,
        "upn": value.get("upn", ""),
        "legal_first_name": names[0],
        "preferred_first_name": names[1],
        "surname": names[2],
        "registration_group": value.get("registration_group", ""),
        "year_group": value.get("year_group", ""),
        "change": "problem",
        "note": "",
        "warnings": name_warnings(*names),
    }


def _boolean(value: str, column: str) -> bool:
    value = value.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"{column} must be Y or N, not {value!r}")


def _year_group(value: str) -> int:
    cleaned = value.strip().lower().removeprefix("year").removeprefix("y").strip()
    if cleaned.isdigit() and 7 <= int(cleaned) <= 13:
        return int(cleaned)
    raise ValueError(f"unknown year group {value.strip()!r} (Years 7 to 13)")


def _send(value: str) -> str:
    code = value.strip().upper() or "N"
    if code in {"N", "K", "E"}:
        return code
    raise ValueError(f"SEND must be N, K (SEN support) or E (EHC plan), not {value.strip()!r}")


def _leaving_date(value: str, today) -> str | None:
    """A leaving date as MIS exports write it (2025-07-18 or 18/07/2025), as ISO text (the
    previewed rows wait in the session, which holds only JSON); blank is None."""
    value = value.strip()
    if not value:
        return None
    for parse in (date.fromisoformat, lambda v: datetime.strptime(v, "%d/%m/%Y").date()):
        try:
            day = parse(value)
            break
        except ValueError:
            continue
    else:
        raise ValueError(f"leaving date {value!r} is not a date (2025-07-18 or 18/07/2025)")
    if day > today:
        raise ValueError("the leaving date cannot be in the future")
    return day.isoformat()


def pupil_import_preview(*, actor, school_id: int, uploaded: bytes) -> ImportPreview:
    """Check every row and count what would change; save nothing."""
    preview = ImportPreview()
    try:
        text = _decode(uploaded, preview)
    except UnicodeDecodeError:
        preview.problems.append(
            RowProblem(
                1, "", "The file's encoding is unreadable: save it as CSV (UTF-8) and try again."
            )
        )
        return preview
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        preview.problems.append(RowProblem(1, "", "The file is empty."))
        return preview
    positions = {}
    normalised = [cell.strip().lower() for cell in header]
    for key, names in COLUMNS.items():
        for name in names:
            if name in normalised:
                positions[key] = normalised.index(name)
                break
    missing = [
        TEMPLATE_HEADER[list(COLUMNS).index(key)] for key in REQUIRED if key not in positions
    ]
    if missing:
        preview.problems.append(RowProblem(1, "", f"Missing columns: {', '.join(missing)}."))
        return preview

    records = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        records.append(
            (
                line,
                {key: cells[i].strip() if i < len(cells) else "" for key, i in positions.items()},
            )
        )
    _check_records(preview, records)
    if not preview.rows and not preview.problems:
        preview.problems.append(RowProblem(1, "", "The file has a header but no pupils."))
    _count_changes(preview, school_id)
    return preview


def pupil_records_preview(*, actor, school_id: int, records: list[dict]) -> ImportPreview:
    """The same checks as the CSV import, for records sent by an integration (the API).
    Each record maps COLUMNS keys to text; a problem's `line` is the record's index."""
    preview = ImportPreview()
    _check_records(preview, list(enumerate(records)), place="in record")
    if not preview.rows and not preview.problems:
        preview.problems.append(RowProblem(0, "", "No pupils were sent."))
    _count_changes(preview, school_id, listed=False)
    return preview


def _check_records(preview: ImportPreview, records, place: str = "on line") -> None:
    """Check (line, {column key: text}) records into preview.rows and preview.problems."""
    today = timezone.localdate()
    first_line_of = {}
    for line, value in records:
        listed = preview_line(line, value)
        preview.lines.append(listed)
        raw_upn = value.get("upn", "")
        errors = []
        for key in REQUIRED:
            if not value.get(key):
                errors.append(f"{TEMPLATE_HEADER[list(COLUMNS).index(key)]} is missing")
        row = {"line": line}
        if raw_upn:
            try:
                row["upn"] = upn_validate(raw_upn)
            except InvalidUPN as problem:
                errors.append(str(problem))
        if row.get("upn"):
            if row["upn"] in first_line_of:
                errors.append(f"duplicate UPN: also {place} {first_line_of[row['upn']]}")
            else:
                first_line_of[row["upn"]] = line
        parsers = {
            "year_group": _year_group,
            "send": _send,
            "fsm": lambda v: _boolean(v, "FSM"),
            "disadvantaged": lambda v: _boolean(v, "Disadvantaged"),
            "looked_after": lambda v: _boolean(v, "Looked after"),
        }
        for key, parse in parsers.items():
            if key == "year_group" and not value.get(key):
                continue
            try:
                row[key] = parse(value.get(key, ""))
            except ValueError as problem:
                errors.append(str(problem))
        if "left_on" in value:
            try:
                row["left_on"] = _leaving_date(value["left_on"], today)
            except ValueError as problem:
                errors.append(str(problem))
        if errors:
            preview.problems.append(RowProblem(line, raw_upn, "; ".join(errors)))
            listed["note"] = "; ".join(errors)
            continue
        listed["change"] = ""  # decided by _count_changes, once every row is read
        row.update(
            legal_first_name=value["legal_first_name"],
            preferred_first_name=value.get("preferred_first_name", ""),
            surname=value["surname"],
            registration_group=value.get("registration_group", ""),
            cohort=cohort_for(row.pop("year_group"), today),
        )
        preview.rows.append(row)
    _refuse_pseudonymised(preview)


def _refuse_pseudonymised(preview: ImportPreview) -> None:
    """A UPN whose pupil was pseudonymised (privacy.leavers) is still a duplicate: it is
    refused, rather than starting a second record of the same pupil beside the anonymous
    one (they would count twice) or naming the anonymous one again."""
    from privacy.leavers import pseudonymised_upns

    gone = pseudonymised_upns(row["upn"] for row in preview.rows)
    if not gone:
        return
    for row in [row for row in preview.rows if row["upn"] in gone]:
        preview.rows.remove(row)
        preview.problems.append(
            RowProblem(
                row["line"],
                row["upn"],
                "this UPN belonged to a pupil who left and whose record has since been "
                "pseudonymised: it cannot be imported again (ask your hub if the pupil has "
                "come back)",
            )
        )
    preview.problems.sort(key=lambda problem: problem.line)


def _school_of(upns) -> dict[str, int]:
    # A UPN is national: a pupil on another school's roll must be found wherever they are,
    # so this one lookup reads across schools. It returns which school only, never pupil
    # data, and the preview turns even that into "another school".
    return dict(Learner.all_tenants_UNSCOPED.filter(upn__in=upns).values_list("upn", "school_id"))


def _count_changes(preview: ImportPreview, school_id: int, *, listed: bool = True) -> None:
    """Count what would change; `listed`, also say it row by row (the page's preview, not
    the API's, which answers with the counts)."""
    school_of = _school_of([row["upn"] for row in preview.rows])
    ours = (
        _current_names(
            school_id,
            [row["upn"] for row in preview.rows if school_of.get(row["upn"]) == school_id],
        )
        if listed
        else {}
    )
    by_line = {entry["line"]: entry for entry in preview.lines}
    for row in preview.rows:
        found = school_of.get(row["upn"])
        entry = by_line.get(row["line"], {})
        if found is None:
            preview.created += 1
            entry["change"] = "new"
        elif found == school_id:
            preview.updated += 1
            entry["change"] = "updated"
            current = ours.get(row["upn"])
            if current and row.get("left_on") and not current["left_on"]:
                preview.leaving += 1
                entry["change"] = "leaving"
                entry["note"] = f"left on {date.fromisoformat(row['left_on']):%-d %B %Y}"
            if current:
                was = _name(current)
                if was != _name(row):
                    entry["note"] = "; ".join(filter(None, [entry["note"], f"was {was}"]))
        else:
            preview.elsewhere += 1
            # Only that it is another school's: nothing of that school's record is shown.
            entry["change"] = "joining"
        entry["upn"] = row["upn"]  # as validated (upper case)


def _name(row) -> str:
    first = row["legal_first_name"]
    if row.get("preferred_first_name") and row["preferred_first_name"] != first:
        first = f"{first} ({row['preferred_first_name']})"
    return f"{first} {row['surname']}"


def _current_names(school_id: int, upns) -> dict[str, dict]:
    """This school's own pupils' names as held now, to show what an update changes."""
    if not upns:
        return {}
    rows = Learner.all_tenants_UNSCOPED.filter(school_id=school_id, upn__in=upns).values(
        "upn", "legal_first_name", "preferred_first_name", "surname", "left_on"
    )
    return {row["upn"]: row for row in rows}


FIELDS = SENT_FIELDS


@dataclass
class ImportResult:
    created: int
    updated: int
    # Pupils who joined at once from another school that had recorded them as left.
    moved: int
    # UPNs (as sent) of pupils on another school's roll: that school is asked to release them.
    awaiting_release: list[str] = field(default_factory=list)


@transaction.atomic
def pupil_import_apply(*, actor, school_id: int, rows: list[dict]) -> ImportResult:
    """Save a previewed import whole. A UPN on another school's roll does not move the pupil:
    that school is asked to release them (learners.transfers), unless it has recorded them
    as left, when they join here at once with their history."""
    school = School.objects.get(pk=school_id)
    # Locked so a release decided meanwhile, or another school's import, waits for this one.
    current = {
        p.upn: p
        for p in Learner.all_tenants_UNSCOPED.select_for_update().filter(
            upn__in=[row["upn"] for row in rows]
        )
    }
    create, update, asked, left = [], [], [], []
    for row in rows:
        values = {name: row[name] for name in FIELDS}
        pupil = current.get(row["upn"])
        if "left_on" in row:
            values["left_on"] = date.fromisoformat(row["left_on"]) if row["left_on"] else None
        if pupil is None:
            create.append(Learner(hub_id=school.hub_id, school=school, upn=row["upn"], **values))
            continue
        if pupil.school_id != school.pk:
            if pupil.left_on is None:
                asked.append((pupil, row))  # nothing of the pupil's record changes
                continue
            left.append((pupil, row, (pupil.school_id, pupil.hub_id)))
            pupil.school_id, pupil.hub_id, pupil.left_on = school.pk, school.hub_id, None
            values.pop("left_on", None)  # joining this school: on its roll from today
        for name, value in values.items():
            setattr(pupil, name, value)
        update.append(pupil)
    created = Learner.all_tenants_UNSCOPED.bulk_create(create, batch_size=1000)
    now = timezone.now()
    for pupil in update:
        pupil.updated_at = now
    Learner.all_tenants_UNSCOPED.bulk_update(
        update, [*FIELDS, "school", "hub", "left_on", "updated_at"], batch_size=1000
    )
    moved = {pupil.pk for pupil, *_ in left}
    # A corrected cohort changes which years are KS3 and KS4; a new pupil gets a row of
    # zeros, so the hub's and England's counts of pupils move with the import.
    ledger_refresh(pupil.pk for pupil in [*update, *created])
    who = describe(actor)
    AuditEvent.all_tenants_UNSCOPED.bulk_create(
        [
            AuditEvent(
                user_id=actor.user_id,
                actor_description=who,
                action=action,
                model="learners.Learner",
                object_pk=str(p.pk),
                hub_id=school.hub_id,
                school_id=school.pk,
                changed_fields=["imported"],
            )
            for action, pupils in (("create", created), ("update", update))
            for p in pupils
            if p.pk not in moved  # transfers audits the move, for both schools
        ]
    )
    elsewhere = (
        transfers_from_import(actor=actor, school=school, asked=asked, left=left)
        if asked or left
        else None
    )
    return ImportResult(
        created=len(created),
        updated=len(update) - len(left),
        moved=len(left),
        awaiting_release=elsewhere.awaiting_release if elsewhere else [],
    )


def session_rows_valid(data: dict | None) -> list[dict] | None:
    if not data or data.get("digest") != _digest(data.get("rows")):
        return None
    return data["rows"]

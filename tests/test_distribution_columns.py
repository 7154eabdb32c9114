"""Every pupil-level table carries the columns docs/scaling.md distributes on.

Pupil-level, precisely: learners.Learner and learners.Experience (the two roots), and every
concrete model, auto-created many-to-many tables included, with a foreign key or one-to-one
to a pupil-level model, followed transitively; plus the models in EXTRA, which point at
pupils by plain columns. Discovered from the app registry, so a new model is covered.

Plain pytest functions: nothing here touches the database.
"""

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

ROOTS = ("learners.Learner", "learners.Experience")

# Pupil-level without a foreign key to a pupil-level model.
EXTRA = {
    "access.AuditEvent": "names pupil rows by model and primary key in plain columns",
}

# Models where `school` or `hub` is not a non-null foreign key, each with its reason.
COLUMN_EXCEPTIONS = {
    "access.AuditEvent": (
        "school_id and hub_id are plain nullable integers so that an event outlives the rows "
        "it names; events without a school (hub-level reads) go to the coordinator "
        "(docs/scaling.md, 'Audit events')"
    ),
    "learners.PupilTransfer": (
        "spans two schools (from_school, to_school, from_hub, to_hub); distributed on "
        "from_school_id (docs/scaling.md, 'Pupil transfers')"
    ),
    "reports.ReportRun": (
        "school is null for hub and national runs; stays a small coordinator-local table "
        "(docs/scaling.md, 'Report runs')"
    ),
    "learners.Experience_employers": "auto-created M2M table (docs/scaling.md, 'M2M tables')",
    "learners.Experience_sectors": "auto-created M2M table (docs/scaling.md, 'M2M tables')",
    "learners.Experience_objectives": "auto-created M2M table (docs/scaling.md, 'M2M tables')",
}

# Unique constraints (and unique fields) without `school`; each points at the doc's plan.
# The primary key is not listed: docs/scaling.md, 'Primary keys', says how every `id`
# becomes (school_id, id) in the database.
UNIQUE_ALLOW_LIST = {
    ("learners.Learner", "upn"): "UPN register distributed by upn (docs/scaling.md, 'UPN')",
    ("learners.Participation", "one_participation_per_pupil"): (
        "becomes (school, learner, experience): all of a pupil's rows share one school "
        "(docs/scaling.md, 'Other unique constraints')"
    ),
    ("employers.Nomination", "one_nomination_per_pupil"): (
        "becomes (school, opportunity, learner) (docs/scaling.md, 'Other unique constraints')"
    ),
    ("employers.Nomination", "participation"): (
        "one-to-one: becomes (school, participation) (docs/scaling.md, 'Other unique constraints')"
    ),
    ("employers.ParentalConsent", "nomination"): (
        "one-to-one: becomes (school, nomination) (docs/scaling.md, 'Other unique constraints')"
    ),
    ("employers.ParentalConsent", "token_digest"): (
        "becomes (school, token_digest), the link carries the school (docs/scaling.md, "
        "'Consent tokens')"
    ),
    ("learners.PupilTransfer", "one_open_transfer_per_pupil_and_school"): (
        "becomes (from_school, learner, to_school) (docs/scaling.md, 'Pupil transfers')"
    ),
    ("pupils.PupilAccount", "learner"): (
        "one-to-one: becomes (school, learner) (docs/scaling.md, 'Other unique constraints')"
    ),
    ("pupils.PupilAccount", "user"): (
        "one-to-one with a user, who is not distributed: becomes (school, user) "
        "(docs/scaling.md, 'Pupil accounts')"
    ),
    ("pupils.PupilAccount", "code_digest"): (
        "a sign-in code names no school: a digest register distributed by digest, as the "
        "UPN register (docs/scaling.md, 'Pupil accounts')"
    ),
    ("pupils.Reflection", "participation"): (
        "one-to-one: becomes (school, participation) (docs/scaling.md, 'Other unique constraints')"
    ),
    ("learners.Experience_employers", "experience-employer"): "M2M (docs/scaling.md)",
    ("learners.Experience_sectors", "experience-sector"): "M2M (docs/scaling.md)",
    ("learners.Experience_objectives", "experience-objective"): "M2M (docs/scaling.md)",
}

# Models with no Meta index or unique constraint leading with school, each with a reason.
INDEX_ALLOW_LIST = {
    "learners.PupilTransfer": (
        "indexes lead with from_school and to_school, its distribution column is from_school "
        "(docs/scaling.md, 'Pupil transfers')"
    ),
    "learners.Experience_employers": "M2M, gains school_id first (docs/scaling.md)",
    "learners.Experience_sectors": "M2M, gains school_id first (docs/scaling.md)",
    "learners.Experience_objectives": "M2M, gains school_id first (docs/scaling.md)",
}


def label(model) -> str:
    return model._meta.label


def pupil_level_models(candidates=None) -> list[type[models.Model]]:
    """The roots, EXTRA, and every concrete model pointing at one of them, transitively."""
    if candidates is None:
        candidates = apps.get_models(include_auto_created=True)
    candidates = [m for m in candidates if not m._meta.abstract and not m._meta.proxy]
    found = {m for m in candidates if label(m) in ROOTS or label(m) in EXTRA}
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model in found:
                continue
            for field in model._meta.concrete_fields:
                if (field.many_to_one or field.one_to_one) and field.related_model in found:
                    found.add(model)
                    grew = True
                    break
    return sorted(found, key=label)


def column_problems(model) -> list[str]:
    problems = []
    for name in ("school", "hub"):
        try:
            field = model._meta.get_field(name)
        except Exception:
            problems.append(f"{label(model)} has no `{name}` foreign key")
            continue
        if not field.many_to_one:
            problems.append(f"{label(model)}.{name} is not a foreign key")
        elif field.null:
            problems.append(f"{label(model)}.{name} is nullable")
    return problems


def unique_sets(model) -> list[tuple[str, set[str]]]:
    """(name, field names) of each unique constraint and unique field but the primary key.
    Expression constraints contribute the fields they reference."""
    found = []
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            found.append((field.name, {field.name}))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            fields = set(constraint.fields)
            for expression in constraint.expressions:
                fields |= {ref.split("__")[0] for ref in _refs(expression)}
            found.append((constraint.name, fields))
    for fields in model._meta.unique_together:
        found.append(("-".join(fields), set(fields)))
    return found


def _refs(expression):
    if isinstance(expression, models.F):
        yield expression.name
    for source in getattr(expression, "get_source_expressions", list)():
        if source is not None:
            yield from _refs(source)


def unique_problems(model) -> list[str]:
    return [
        f"{label(model)}: unique {name} {sorted(fields)} lacks school"
        for name, fields in unique_sets(model)
        if not fields & {"school", "school_id"}
    ]


def leads_with_school(model) -> bool:
    leading = [index.fields[0].lstrip("-") for index in model._meta.indexes if index.fields]
    leading += [c.fields[0] for c in model._meta.constraints if getattr(c, "fields", None)]
    return bool({"school", "school_id"} & set(leading))


def test_the_discovered_pupil_level_models_are_the_ones_the_doc_names():
    assert [label(m) for m in pupil_level_models()] == [
        "access.AuditEvent",
        "employers.Nomination",
        "employers.ParentalConsent",
        "learners.Experience",
        "learners.Experience_employers",
        "learners.Experience_objectives",
        "learners.Experience_sectors",
        "learners.Learner",
        "learners.Participation",
        "learners.PupilProgress",
        "learners.PupilTransfer",
        "learners.SkillRating",
        "privacy.ErasureRequest",
        "privacy.SubjectAccessExport",
        "pupils.OpportunityInterest",
        "pupils.PupilAccount",
        "pupils.Reflection",
        "reports.ReportRun",
    ]


def test_every_pupil_level_model_has_non_null_school_and_hub_foreign_keys():
    problems = [
        problem
        for model in pupil_level_models()
        if label(model) not in COLUMN_EXCEPTIONS
        for problem in column_problems(model)
    ]
    assert problems == []


def test_every_column_exception_is_still_needed_and_still_pupil_level():
    discovered = {label(m): m for m in pupil_level_models()}
    for name in COLUMN_EXCEPTIONS:
        assert name in discovered, f"{name} is no longer pupil-level: drop its exception"
        assert column_problems(discovered[name]), f"{name} has its columns now: drop it"


def test_every_unique_constraint_includes_school_or_is_in_the_allow_list():
    problems = [
        f"{label(model)}: unique {name} {sorted(fields)} lacks school"
        for model in pupil_level_models()
        for name, fields in unique_sets(model)
        if (label(model), name) not in UNIQUE_ALLOW_LIST and not fields & {"school", "school_id"}
    ]
    assert problems == []


def test_every_unique_allow_list_entry_still_exists_and_still_lacks_school():
    present = {
        (label(m), name): fields for m in pupil_level_models() for name, fields in unique_sets(m)
    }
    for key in UNIQUE_ALLOW_LIST:
        assert key in present, f"{key} is gone: drop it from the allow-list"
        assert not present[key] & {"school", "school_id"}, f"{key} includes school now"


def test_every_pupil_level_table_has_an_index_leading_with_school():
    missing = [
        label(m)
        for m in pupil_level_models()
        if label(m) not in INDEX_ALLOW_LIST and not leads_with_school(m)
    ]
    assert missing == []
    for name in INDEX_ALLOW_LIST:
        model = apps.get_model(name)
        assert not leads_with_school(model), f"{name} leads with school now: drop it"


@isolate_apps("learners")
def test_a_new_pupil_level_model_without_the_columns_is_found_and_fails():
    from learners.models import Learner

    class PupilNote(models.Model):
        learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="+")
        reference = models.CharField(max_length=20, unique=True)

        class Meta:
            app_label = "learners"
            indexes = [models.Index(fields=["learner"])]

    class NoteReply(models.Model):
        note = models.ForeignKey(PupilNote, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "learners"

    candidates = [*apps.get_models(include_auto_created=True), PupilNote, NoteReply]
    discovered = pupil_level_models(candidates)
    assert PupilNote in discovered and NoteReply in discovered  # transitively, too
    assert column_problems(PupilNote) == [
        "learners.PupilNote has no `school` foreign key",
        "learners.PupilNote has no `hub` foreign key",
    ]
    assert unique_problems(PupilNote) == [
        "learners.PupilNote: unique reference ['reference'] lacks school"
    ]
    assert not leads_with_school(PupilNote)


@isolate_apps("learners")
def test_a_new_pupil_level_model_with_the_columns_passes():
    from hubs.models import Hub
    from learners.models import Learner
    from schools.models import School

    class PupilNote(models.Model):
        hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
        school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
        learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="+")
        reference = models.CharField(max_length=20)

        class Meta:
            app_label = "learners"
            constraints = [
                models.UniqueConstraint(fields=["school", "reference"], name="note_reference")
            ]

    assert column_problems(PupilNote) == []
    assert unique_problems(PupilNote) == []
    assert leads_with_school(PupilNote)

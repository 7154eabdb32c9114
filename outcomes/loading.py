"""Load a framework JSON file (shape of shared/reference/equalex-framework.json)."""

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def framework_load(apps, path: Path, *, make_current: bool = True):
    """Create one framework version with its tiers, outcomes, objectives and reference lists.

    Takes `apps` so the data migration can use historical models.
    """
    get = lambda name: apps.get_model("outcomes", name)  # noqa: E731
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    Framework = get("Framework")
    if make_current:
        Framework.objects.filter(is_current=True).update(is_current=False)
    framework = Framework.objects.create(
        version=data["version"],
        name=data["name"],
        publisher=data["publisher"],
        note=data.get("note", ""),
        is_current=make_current,
    )
    for theme in data["themes"]:
        tier = get("Tier").objects.create(
            framework=framework, code=theme["code"], level=theme["tier"], name=theme["name"]
        )
        for o_pos, outcome_data in enumerate(theme["outcomes"]):
            outcome = get("Outcome").objects.create(
                tier=tier,
                code=outcome_data["code"],
                name=outcome_data["name"],
                description=outcome_data["description"],
                position=o_pos,
            )
            get("Objective").objects.bulk_create(
                get("Objective")(outcome=outcome, code=obj["code"], text=obj["text"], position=i)
                for i, obj in enumerate(outcome_data["objectives"])
            )
    get("MeaningfulCriterion").objects.bulk_create(
        get("MeaningfulCriterion")(framework=framework, code=c["code"], text=c["text"], position=i)
        for i, c in enumerate(data["meaningful_criteria"]["criteria"])
    )
    compass = data["compass_supplementary_questions"]
    get("CompassQuestion").objects.bulk_create(
        get("CompassQuestion")(
            framework=framework,
            code=q["code"],
            text=q["text"],
            population=q["population"],
            stage=q["stage"],
        )
        for q in compass["questions"]
    )
    get("CompassBand").objects.bulk_create(
        get("CompassBand")(framework=framework, position=i, label=label)
        for i, label in enumerate(compass["response_bands"])
    )
    get("Skill").objects.bulk_create(
        get("Skill")(framework=framework, name=name, position=i)
        for i, name in enumerate(data["skills_builder_essential_skills"])
    )
    return framework

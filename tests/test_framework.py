import json

import pytest
from django.urls import reverse

from outcomes.loading import DATA_DIR
from outcomes.models import (
    CompassBand,
    CompassQuestion,
    Framework,
    MeaningfulCriterion,
    Objective,
    Outcome,
    Skill,
    Tier,
)

pytestmark = pytest.mark.django_db


def test_the_migration_loads_one_current_framework():
    framework = Framework.objects.get(is_current=True)
    assert framework.version == "2025 (Year 1 pilots)"


def test_it_loads_twenty_objectives_across_three_tiers():
    assert list(Tier.objects.values_list("code", flat=True)) == ["T1", "T2", "T3"]
    assert Objective.objects.count() == 20
    assert set(Objective.objects.values_list("outcome__tier__code", flat=True)) == {
        "T1",
        "T2",
        "T3",
    }
    assert Objective.objects.filter(code="T1.O1.a").exists()


def test_it_loads_the_seven_meaningful_criteria_in_order():
    codes = list(MeaningfulCriterion.objects.values_list("code", flat=True))
    assert codes == ["M1", "M2", "M3", "M4", "M5", "M6", "M7"]


def test_it_loads_compass_questions_bands_and_skills():
    assert list(CompassQuestion.objects.values_list("code", flat=True)) == ["Q1", "Q2", "Q3", "Q4"]
    assert CompassBand.objects.count() == 8
    assert CompassBand.objects.order_by("position").first().label == "None"
    assert Skill.objects.count() == 8


def test_the_loaded_data_matches_the_shipped_reference_file():
    data = json.loads((DATA_DIR / "equalex-framework-2025.json").read_text())
    expected = sum(len(o["objectives"]) for t in data["themes"] for o in t["outcomes"])
    assert Objective.objects.count() == expected
    assert Outcome.objects.count() == sum(len(t["outcomes"]) for t in data["themes"])


def test_a_later_framework_can_sit_beside_the_current_one(django_db_blocker):
    from django.apps import apps

    from outcomes.loading import framework_load

    path = DATA_DIR / "equalex-framework-2025.json"
    data = json.loads(path.read_text())
    data["version"] = "2026 (draft)"
    later = path.with_name("tmp-framework-test.json")
    later.write_text(json.dumps(data))
    try:
        framework_load(apps, later)
    finally:
        later.unlink()
    assert Framework.objects.count() == 2
    assert Framework.objects.get(is_current=True).version == "2026 (draft)"
    assert Objective.objects.count() == 40


def test_every_signed_in_user_can_read_the_framework_page(client, world):
    from access.roles import Role

    client.force_login(world.a.users[Role.EMPLOYER])
    page = client.get(reverse("framework")).content.decode()
    assert "Introduce &amp; Inspire" in page
    assert "T3.O" in page
    assert "Listening" in page

from django.db import migrations

from outcomes.loading import DATA_DIR, framework_load


def load(apps, schema_editor):
    framework_load(apps, DATA_DIR / "equalex-framework-2025.json")


def unload(apps, schema_editor):
    apps.get_model("outcomes", "Framework").objects.filter(version="2025 (Year 1 pilots)").delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

from django.db import migrations
from django.utils.text import slugify

# Broad employment sectors, in the shape local skills improvement plans use them.
SECTORS = [
    "Advanced manufacturing and engineering",
    "Agriculture, land and environment",
    "Construction and the built environment",
    "Creative and cultural industries",
    "Digital and technology",
    "Education and childcare",
    "Energy and net zero",
    "Financial and professional services",
    "Health and social care",
    "Hospitality, tourism and leisure",
    "Legal services",
    "Life sciences",
    "Logistics and transport",
    "Public services and defence",
    "Retail and customer service",
    "Sport and fitness",
]


def load(apps, schema_editor):
    Sector = apps.get_model("hubs", "Sector")
    Sector.objects.bulk_create(Sector(name=name, slug=slugify(name)) for name in SECTORS)


def unload(apps, schema_editor):
    apps.get_model("hubs", "Sector").objects.filter(name__in=SECTORS).delete()


class Migration(migrations.Migration):
    dependencies = [("hubs", "0002_initial")]
    operations = [migrations.RunPython(load, unload)]

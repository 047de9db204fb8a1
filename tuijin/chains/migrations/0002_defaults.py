"""The district's five universities (domain.md §4) and the default gap rules (one row)."""

from django.db import migrations

UNIVERSITIES = [
    ("新乡医学院", "新医"),
    ("河南科技学院", "河南科院"),
    ("河南工学院", "河南工院"),
    ("新乡学院", "新乡学院"),
    ("新乡职业技术学院", "新乡职院"),
]


def load(apps, schema_editor):
    University = apps.get_model("chains", "University")
    ChainRules = apps.get_model("chains", "ChainRules")
    for order, (name, short) in enumerate(UNIVERSITIES, start=1):
        University.objects.get_or_create(name=name, defaults={"short_name": short, "sort_order": order * 10})
    if not ChainRules.objects.exists():
        ChainRules.objects.create()


class Migration(migrations.Migration):
    dependencies = [("chains", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

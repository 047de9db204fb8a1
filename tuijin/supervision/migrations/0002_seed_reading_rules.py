"""Seed the reading rules from the engine's defaults (reading_rules.DEFAULT_RULES); the office edits them later."""

from django.db import migrations


def seed(apps, schema_editor):
    from tuijin.supervision.reading_rules import DEFAULT_RULES

    ReadingRule = apps.get_model("supervision", "ReadingRule")
    rows = {}
    for kind, entries in DEFAULT_RULES.items():
        for entry in entries:
            text, value = (entry, "") if isinstance(entry, str) else (entry[0], entry[1] or "")
            rows[(kind, text)] = ReadingRule(kind=kind, text=text, value=str(value))
    ReadingRule.objects.bulk_create(rows.values(), ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

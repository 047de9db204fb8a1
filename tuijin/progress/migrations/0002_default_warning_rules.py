"""The five default warning rules (domain.md §3.6, 银川 2025), configurable afterwards through WarningRule.params.

Idempotent: update_or_create by code. An existing rule keeps its params and on/off switch (create_defaults only
apply to a new row); its name, dimension and order are reset to the defaults.
"""

from django.db import migrations

RULES = [
    {"code": "start", "name": "开工预警", "dimension": "start", "sort_order": 10, "params": {"red_after_months": 3}},
    {
        "code": "progress",
        "name": "投资进度预警",
        "dimension": "progress",
        "sort_order": 20,
        "params": {"yellow_pp": 10, "red_pp": 30},
    },
    {"code": "reporting", "name": "月报填报预警", "dimension": "reporting", "sort_order": 30, "params": {}},
    {"code": "stalled", "name": "停工停滞预警", "dimension": "stalled", "sort_order": 40, "params": {"months": 2}},
    {
        "code": "statistics",
        "name": "纳统入库预警",
        "dimension": "statistics",
        "sort_order": 50,
        "params": {"yellow_after_months": 1, "red_after_months": 2},
    },
]


def create_rules(apps, schema_editor):
    WarningRule = apps.get_model("progress", "WarningRule")
    for rule in RULES:
        WarningRule.objects.update_or_create(
            code=rule["code"],
            defaults={"name": rule["name"], "dimension": rule["dimension"], "sort_order": rule["sort_order"]},
            create_defaults={
                "name": rule["name"],
                "dimension": rule["dimension"],
                "sort_order": rule["sort_order"],
                "params": rule["params"],
                "is_active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("progress", "0001_initial")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]

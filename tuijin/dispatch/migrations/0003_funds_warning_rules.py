"""The funds and 纳统 warning rules (issue 16): 资金闲置, 资金下达后未按期开工, 统计口径差异. Their thresholds live in
funds.FundsSettings (idle_months, the 纳统 tolerance), so the rules carry no params.

Idempotent like progress/0002: update_or_create by code; an existing rule keeps its on/off switch.
"""

from django.db import migrations

RULES = [
    {"code": "funds_idle", "name": "资金闲置预警", "dimension": "funds_idle", "sort_order": 60},
    {"code": "funds_start", "name": "资金下达后未按期开工预警", "dimension": "funds_start", "sort_order": 70},
    {"code": "stats_gap", "name": "统计口径差异预警", "dimension": "stats_gap", "sort_order": 80},
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
                "params": {},
                "is_active": True,
            },
        )


def remove_rules(apps, schema_editor):
    WarningRule = apps.get_model("progress", "WarningRule")
    codes = [rule["code"] for rule in RULES]
    for name in ("WarningLight", "LightOverride"):
        apps.get_model("progress", name).objects.filter(rule__code__in=codes).delete()
    WarningRule.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0002_notice_template"), ("progress", "0002_default_warning_rules")]

    operations = [migrations.RunPython(create_rules, remove_rules)]

"""The seal table of the audit HMAC chain (core/audit_chain.py), append-only like the tables it seals: the same
triggers as migration 0003, installed for this table only (reversing drops them before the table)."""

import django.core.serializers.json
import django.utils.timezone
from django.db import migrations, models

SEAL_TABLE = "core_auditseal"


def install(apps, schema_editor):
    from tuijin.core.audit_triggers import install_audit_triggers

    install_audit_triggers(schema_editor.connection, tables=[SEAL_TABLE])


def remove(apps, schema_editor):
    from tuijin.core.audit_triggers import remove_audit_triggers

    remove_audit_triggers(schema_editor.connection, tables=[SEAL_TABLE])


class Migration(migrations.Migration):
    dependencies = [("core", "0004_cache_table")]

    operations = [
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField(unique=True, verbose_name="序号")),
                ("table_name", models.CharField(max_length=30, verbose_name="表")),
                ("row_id", models.PositiveBigIntegerField(blank=True, null=True, verbose_name="记录编号")),
                ("row_hash", models.CharField(max_length=64)),
                ("mac", models.CharField(max_length=64)),
                ("algorithm", models.CharField(max_length=20)),
                (
                    "detail",
                    models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder),
                ),
                ("sealed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="加封时间")),
            ],
            options={
                "verbose_name": "审计封签",
                "verbose_name_plural": "审计封签",
                "ordering": ["seq"],
                "constraints": [
                    models.UniqueConstraint(fields=("table_name", "row_id"), name="core_auditseal_row_unique")
                ],
            },
        ),
        migrations.RunPython(install, remove),
    ]

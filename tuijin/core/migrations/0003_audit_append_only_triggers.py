from django.db import migrations


def install(apps, schema_editor):
    from tuijin.core.audit_triggers import install_audit_triggers

    install_audit_triggers(schema_editor.connection)


def remove(apps, schema_editor):
    from tuijin.core.audit_triggers import remove_audit_triggers

    remove_audit_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [migrations.RunPython(install, remove)]

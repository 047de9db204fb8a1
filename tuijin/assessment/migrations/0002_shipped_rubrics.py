from django.db import migrations


def forwards(apps, schema_editor):
    from tuijin.assessment.seed import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

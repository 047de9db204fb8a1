"""A built-in 技术/研发 category (the enterprises' technology needs that 政产学研 matches to university resources).
An existing row with the code keeps its name and limits."""

from django.conf import settings
from django.db import migrations


def seed(apps, schema_editor):
    CategorySLA = apps.get_model("tickets", "CategorySLA")
    if CategorySLA.objects.filter(category="tech").exists():
        return
    labour = CategorySLA.objects.filter(category="labour").first()
    CategorySLA.objects.create(
        category="tech",
        name="技术/研发",
        sort_order=(labour.sort_order + 5) if labour else 115,
        response_days=getattr(settings, "TUIJIN_TICKET_RESPONSE_DAYS", 1),
        resolution_days=15,
        escalation_step_days=getattr(settings, "TUIJIN_TICKET_ESCALATION_STEP_DAYS", 3),
    )


def unseed(apps, schema_editor):
    CategorySLA = apps.get_model("tickets", "CategorySLA")
    Ticket = apps.get_model("tickets", "Ticket")
    if not Ticket.objects.filter(category="tech").exists():
        CategorySLA.objects.filter(category="tech", name="技术/研发").delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_ticket_source_commitment")]

    operations = [migrations.RunPython(seed, unseed)]

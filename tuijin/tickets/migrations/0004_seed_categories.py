from django.conf import settings
from django.db import migrations

# The built-in categories as they stood when the catalogue became editable (tickets.choices.TicketCategory), frozen
# here so that later edits of the enum do not change what this migration does.
BUILT_IN = [
    ("land", "用地"),
    ("planning", "规划"),
    ("eia", "环评"),
    ("energy", "节能"),
    ("water", "用水"),
    ("power", "电力"),
    ("gas", "燃气"),
    ("heat", "热力"),
    ("telecom", "通信"),
    ("finance", "资金/融资"),
    ("labour", "用工/人才"),
    ("approval", "审批手续"),
    ("demolition", "征收拆迁"),
    ("policy", "政策兑现"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    """One catalogue row per built-in category: its name and order; an existing row keeps its limits, a new one gets
    the defaults the code used for a category without a row. Codes already used by tickets but unknown here (none
    are expected) get a row too, named by their code, so that no ticket loses its category."""
    CategorySLA = apps.get_model("tickets", "CategorySLA")
    Ticket = apps.get_model("tickets", "Ticket")
    defaults = {
        "response_days": getattr(settings, "TUIJIN_TICKET_RESPONSE_DAYS", 1),
        "resolution_days": 15,
        "escalation_step_days": getattr(settings, "TUIJIN_TICKET_ESCALATION_STEP_DAYS", 3),
    }
    known = {code for code, _name in BUILT_IN}
    extra = sorted(set(Ticket.objects.values_list("category", flat=True)) - known)
    for i, (code, name) in enumerate([*BUILT_IN, *((c, c) for c in extra)], start=1):
        row = CategorySLA.objects.filter(category=code).first()
        if row is None:
            CategorySLA.objects.create(category=code, name=name, sort_order=i * 10, **defaults)
        else:
            row.name, row.sort_order = name, i * 10
            row.save(update_fields=["name", "sort_order"])


def unseed(apps, schema_editor):
    """Back to 0003: rows that only held the default limits were not there before; keep the rest."""


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_category_catalogue")]

    operations = [migrations.RunPython(seed, unseed)]

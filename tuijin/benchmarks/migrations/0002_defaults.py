"""The standard 对标 indicators (peers.md §7 item 8, domain.md §3.13) and the district's own row (本区)."""

from django.db import migrations

INDICATORS = [
    # code, name, kind, frequency, platform_source, note
    ("fai_growth", "固定资产投资增速", "growth", "month", "investment_growth", "累计同比，%"),
    ("industrial_investment_growth", "工业投资增速", "growth", "month", "industrial_growth", "累计同比，%"),
    ("industrial_value_added_growth", "规上工业增加值增速", "growth", "month", "", "累计同比，%"),
    ("secondary_share", "二产占比", "share", "quarter", "", "第二产业增加值占地区生产总值比重，%"),
    ("signed_projects", "签约项目数", "count", "month", "signings", "累计，个"),
    ("started_projects", "新开工项目数", "count", "month", "starts", "累计，个"),
    ("production_projects", "投产项目数", "count", "month", "productions", "累计，个"),
]


def load(apps, schema_editor):
    Indicator = apps.get_model("benchmarks", "Indicator")
    PeerRegion = apps.get_model("benchmarks", "PeerRegion")
    for order, (code, name, kind, frequency, source, note) in enumerate(INDICATORS, start=1):
        Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "frequency": frequency,
                "platform_source": source,
                "note": note,
                "sort_order": order * 10,
            },
        )
    if not PeerRegion.objects.filter(is_self=True).exists():
        PeerRegion.objects.create(name="本区", is_self=True, sort_order=0)


class Migration(migrations.Migration):
    dependencies = [("benchmarks", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

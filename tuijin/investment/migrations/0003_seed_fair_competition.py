"""Seed the 公平竞争审查 categories (《公平竞争审查条例》 2024 and the 2021 实施细则 §15: what an investment agreement may
not promise a specific operator without a legal basis) and the one row of 招商 settings. The office edits both."""

from django.db import migrations

CATEGORIES = [
    (
        "税收优惠",
        "税收返还\n税收奖励\n返还税收\n按税收\n地方留成\n以税定奖\n税收优惠\n减免税",
        ["tax_fee", "subsidy"],
        "《公平竞争审查条例》第十条；实施细则第十五条（二）",
    ),
    (
        "选择性财政奖补",
        "奖励\n补贴\n奖补\n补助\n返还",
        ["subsidy"],
        "《公平竞争审查条例》第十条；实施细则第十五条（一）",
    ),
    (
        "要素获取优惠",
        "零地价\n低于成本\n优先供地\n土地出让金返还\n免租\n电价优惠\n人才指标\n贷款贴息",
        ["land", "factor", "utilities"],
        "实施细则第十五条（三）",
    ),
    (
        "环保与排放特殊待遇",
        "排污权\n环保标准\n排放指标\n豁免环评",
        ["factor", "gov_other"],
        "实施细则第十五条（四）",
    ),
    (
        "减免行政事业性收费",
        "免收\n减免\n缓收\n停收\n行政事业性收费\n城市基础设施配套费\n政府性基金\n社会保险费",
        ["tax_fee", "service"],
        "《公平竞争审查条例》第十条；实施细则第十五条（五）",
    ),
    (
        "限定本地采购/歧视外地经营者",
        "本地采购\n本地企业\n指定供应商\n限定使用\n外地企业",
        ["gov_other", "factor"],
        "实施细则第十三条、第十四条",
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("investment", "FairCompetitionCategory")
    Settings = apps.get_model("investment", "InvestmentSettings")
    for order, (name, keywords, categories, basis) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            name=name,
            defaults={
                "keywords": keywords,
                "commitment_categories": categories,
                "basis": basis,
                "sort_order": order * 10,
            },
        )
    if not Settings.objects.exists():
        Settings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("investment", "0002_ledger_signings_results")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

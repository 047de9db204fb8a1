"""The two rubrics shipped as data (migration 0002), modelled on real ones (domain.md §3.12):

- **项目建设季度考评** — 河南 省重点项目月度考评 / 新乡 观摩评比 style:
  投资完成 against 序时进度 (±0.2 per point, 20–40), 开工率 bands (80 %/70 %/50 %), 竣工率, 纳统率,
  月报按时报送, −3 per project not started on time (as the 2020 市重点工程综合奖),
  招商签约 rank points 5/3/1, 督办按时办结; 一季度 weighs 开工 ×1.5 (开门红); four groups.
- **重点项目月度积分** — 延安 管委会 style: +5 per 新开工, 进度 = 60 × 完成/年度计划, +20 per 投产, −2 per project not
  started on time; 集中开工 and 上级通报批评 entered as bonuses and deductions; one group.

`SEED` is plain data so the migration and the tests read the same definition.
"""

from datetime import date
from typing import Any

UNIT_TYPES_ALL = ["subdistrict", "town", "department", "dev_zone", "state_platform"]

SEED: list[dict[str, Any]] = [
    {
        "code": "quarterly",
        "name": "项目建设季度考评",
        "period_type": "quarter",
        "sort_order": 10,
        "description": (
            "参照河南省重点项目月度考评与新乡市重大项目观摩评比：投资完成对照序时进度、开工率、竣工率、纳统率、"
            "月报报送、未按期开工扣分、招商签约名次、督办按时办结；一季度开工权重 1.5（开门红）。分四组排名。"
        ),
        "effective_from": date(2026, 1, 1),
        "groups": [
            {"name": "街道", "unit_types": ["subdistrict"], "red": 2, "black": 1},
            {"name": "镇", "unit_types": ["town"], "red": 1, "black": 1},
            {"name": "区直部门", "unit_types": ["department"], "red": 3, "black": 2},
            {"name": "开发区与平台公司", "unit_types": ["dev_zone", "state_platform"], "red": 1, "black": 1},
        ],
        "indicators": [
            {
                "code": "invest",
                "name": "投资完成",
                "metric": "invest_pace",
                "rule_kind": "linear",
                "params": {"base": 30, "pivot": 0, "step": 1, "per_step": "0.2", "min": 20, "max": 40},
                "max_points": 40,
                "no_data": "skip",
            },
            {
                "code": "start",
                "name": "项目开工",
                "metric": "start_rate",
                "rule_kind": "bands",
                "params": {"bands": [[80, 15], [70, 10], [50, 5]], "else": 0},
                "max_points": 15,
                "quarter_weights": {"1": "1.5"},
                "no_data": "full",
            },
            {
                "code": "finish",
                "name": "项目竣工",
                "metric": "finish_rate",
                "rule_kind": "linear",
                "params": {"step": 10, "per_step": 1, "max": 10, "min": 0, "round": 1},
                "max_points": 10,
                "no_data": "skip",
            },
            {
                "code": "stats",
                "name": "入库纳统",
                "metric": "stats_rate",
                "rule_kind": "bands",
                "params": {"bands": [[90, 10], [70, 6]], "else": 2},
                "max_points": 10,
                "no_data": "skip",
            },
            {
                "code": "reporting",
                "name": "信息报送",
                "metric": "reporting",
                "rule_kind": "linear",
                "params": {"step": 10, "per_step": 1, "max": 10, "min": 0},
                "max_points": 10,
                "no_data": "full",
            },
            {
                "code": "late",
                "name": "未按期开工",
                "metric": "late_starts",
                "rule_kind": "per_item",
                "params": {"per_item": -3, "min": -15},
                "max_points": 0,
                "no_data": "skip",
            },
            {
                "code": "signing",
                "name": "招商签约",
                "metric": "signings",
                "rule_kind": "rank",
                "params": {"points": [5, 3, 1], "else": 0},
                "max_points": 5,
                "no_data": "skip",
            },
            {
                "code": "supervision",
                "name": "督办落实",
                "metric": "supervision",
                "rule_kind": "bands",
                "params": {"bands": [[100, 5], [90, 3], [80, 1]], "else": 0},
                "max_points": 5,
                "no_data": "full",
            },
        ],
    },
    {
        "code": "monthly-points",
        "name": "重点项目月度积分",
        "period_type": "month",
        "sort_order": 20,
        "description": (
            "参照延安管委会月度积分：每个新开工项目 +5 分，进度分 = 60 × 年初至今完成 ÷ 年度计划（封顶 60），"
            "每个投产项目 +20 分，未按计划开工每个 −2 分；集中开工活动、上级通报批评等按事项录入加减分。"
        ),
        "effective_from": date(2026, 1, 1),
        "groups": [{"name": "全部责任单位", "unit_types": UNIT_TYPES_ALL, "red": 3, "black": 3}],
        "indicators": [
            {
                "code": "new-starts",
                "name": "新开工",
                "metric": "new_starts",
                "rule_kind": "per_item",
                "params": {"per_item": 5},
                "max_points": 0,
                "no_data": "skip",
            },
            {
                "code": "progress",
                "name": "投资进度",
                "metric": "invest_rate",
                "rule_kind": "linear",
                "params": {"step": 100, "per_step": 60, "max": 60, "min": 0},
                "max_points": 60,
                "no_data": "zero",
            },
            {
                "code": "operating",
                "name": "投产",
                "metric": "operating",
                "rule_kind": "per_item",
                "params": {"per_item": 20},
                "max_points": 0,
                "no_data": "skip",
            },
            {
                "code": "late",
                "name": "未按计划开工",
                "metric": "late_starts",
                "rule_kind": "per_item",
                "params": {"per_item": -2},
                "max_points": 0,
                "no_data": "skip",
            },
        ],
    },
]


def install(apps, *, only_missing: bool = True) -> None:
    """Create the shipped rubrics (version 1 each) unless a rubric with the code exists."""
    Rubric = apps.get_model("assessment", "Rubric")
    RubricVersion = apps.get_model("assessment", "RubricVersion")
    RubricGroup = apps.get_model("assessment", "RubricGroup")
    Indicator = apps.get_model("assessment", "Indicator")
    for spec in SEED:
        if only_missing and Rubric.objects.filter(code=spec["code"]).exists():
            continue
        rubric = Rubric.objects.create(
            code=spec["code"],
            name=spec["name"],
            period_type=spec["period_type"],
            description=spec["description"],
            sort_order=spec["sort_order"],
        )
        version = RubricVersion.objects.create(
            rubric=rubric, number=1, effective_from=spec["effective_from"], note="首版"
        )
        for order, group in enumerate(spec["groups"], 1):
            RubricGroup.objects.create(
                rubric_version=version,
                name=group["name"],
                unit_types=group["unit_types"],
                red_count=group["red"],
                black_count=group["black"],
                sort_order=order * 10,
            )
        for order, item in enumerate(spec["indicators"], 1):
            Indicator.objects.create(
                rubric_version=version,
                code=item["code"],
                name=item["name"],
                metric=item["metric"],
                rule_kind=item["rule_kind"],
                params=item["params"],
                max_points=item["max_points"],
                quarter_weights=item.get("quarter_weights", {}),
                no_data=item["no_data"],
                sort_order=order * 10,
            )

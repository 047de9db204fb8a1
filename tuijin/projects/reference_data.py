"""Reference data shipped with the platform (loaded by migration projects.0002, re-runnable and idempotent):
GB/T 4754-2017 industries, project levels, special lists, and the approval-item catalogue (Henan 联审联批 list)."""

import json
from pathlib import Path

__all__ = ["APPROVAL_CATALOGUE", "LEVELS", "SPECIAL_LISTS", "load_reference_data"]

LEVELS = [("provincial", "省重点", 1), ("city", "市重点", 2), ("district", "区重点", 3), ("reserve", "储备", 4)]

SPECIAL_LISTS = [  # (code, name, has_batch)
    ("sangeyipi_sign", "三个一批·签约一批", True),
    ("sangeyipi_start", "三个一批·开工一批", True),
    ("sangeyipi_production", "三个一批·投产一批", True),
    ("liangzhong", "两重", False),
    ("liangxin", "两新", False),
    ("special_bond", "专项债", True),
    ("central_budget", "中央预算内", True),
    ("treasury_bond", "超长期特别国债", True),
]

# (code, name, phase, parallel group): order follows the approval flow.
APPROVAL_CATALOGUE = [
    ("project_approval", "立项（审批/核准/备案）", "project_land", "立项用地"),
    ("land_preexam", "用地预审与选址意见书", "project_land", "立项用地"),
    ("stability_risk", "社会稳定风险评估", "project_land", ""),
    ("energy_review", "节能审查", "project_land", "评估评价"),
    ("eia", "环境影响评价", "project_land", "评估评价"),
    ("water_soil", "水土保持方案", "project_land", "评估评价"),
    ("land_contract", "土地成交/出让合同", "project_land", "拿地即开工"),
    ("land_planning_permit", "建设用地规划许可证", "project_land", "拿地即开工"),
    ("property_certificate", "不动产权证书", "engineering", "拿地即开工"),
    ("works_planning_permit", "建设工程规划许可证", "engineering", "拿地即开工"),
    ("drawing_review", "施工图审查", "engineering", ""),
    ("tendering", "招标投标", "construction", ""),
    ("construction_permit", "建筑工程施工许可证", "construction", "拿地即开工"),
    ("utilities", "供水供电供气接入", "construction", ""),
    ("completion_acceptance", "竣工验收", "acceptance", ""),
]


def load_reference_data(apps) -> None:
    IndustryCategory = apps.get_model("projects", "IndustryCategory")
    ProjectLevel = apps.get_model("projects", "ProjectLevel")
    SpecialList = apps.get_model("projects", "SpecialList")
    ApprovalItemType = apps.get_model("projects", "ApprovalItemType")
    data = json.loads((Path(__file__).parent / "data" / "gbt4754_2017.json").read_text(encoding="utf-8"))
    for section in data["sections"]:
        parent, _ = IndustryCategory.objects.update_or_create(
            code=section["code"], defaults={"name": section["name"], "parent": None}
        )
        for division in section["divisions"]:
            IndustryCategory.objects.update_or_create(
                code=division["code"], defaults={"name": division["name"], "parent": parent}
            )
    for code, name, order in LEVELS:
        ProjectLevel.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})
    for order, (code, name, has_batch) in enumerate(SPECIAL_LISTS):
        SpecialList.objects.update_or_create(
            code=code, defaults={"name": name, "has_batch": has_batch, "sort_order": order}
        )
    for order, (code, name, phase, group) in enumerate(APPROVAL_CATALOGUE):
        ApprovalItemType.objects.get_or_create(
            code=code, defaults={"name": name, "phase": phase, "parallel_group": group, "sort_order": order}
        )

"""The fields the 项目办 may publish, by key. The project's identifier (prefix + 项目代码) and its name are always
published; every other OC4IDS field appears only when its key is ticked. Nothing outside this list is ever
written out (contact people and their telephone numbers, 包联领导, remarks, funding notes, 纳统 state …)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

__all__ = ["DEFAULT_PUBLIC_FIELDS", "PUBLIC_FIELDS", "PublicField", "field_choices"]


@dataclass(frozen=True)
class PublicField:
    key: str
    label: object  # lazy translation
    oc4ids: str  # where it goes in the OC4IDS project


PUBLIC_FIELDS: tuple[PublicField, ...] = (
    PublicField("description", _("建设规模及内容"), "description"),
    PublicField("status", _("项目阶段"), "status"),
    PublicField("period", _("计划开工和竣工日期"), "period"),
    PublicField("budget", _("总投资"), "budget"),
    PublicField("sector", _("行业（国民经济行业分类）"), "sector"),
    PublicField("location", _("建设地点和坐标"), "locations"),
    PublicField("responsible_unit", _("责任单位"), "parties（publicAuthority）"),
    PublicField("owner", _("项目业主（建设单位）及统一社会信用代码"), "parties（projectOwner）"),
    PublicField("month_investment", _("月度完成投资"), "metrics（financialProgress）"),
    PublicField("cumulative_investment", _("累计完成投资"), "metrics（financialProgress）"),
)

# A new installation publishes the basics; the scale and content and the owner are ticked by the office.
DEFAULT_PUBLIC_FIELDS = ["status", "period", "budget", "sector", "location", "responsible_unit"]

KEYS = frozenset(f.key for f in PUBLIC_FIELDS)


def field_choices() -> list[tuple[str, object]]:
    return [(f.key, f.label) for f in PUBLIC_FIELDS]

"""前期成熟度: how ready a project is to apply for money, as a score out of 100 with what is missing.

The rule (READINESS_RULES, quoted on the docs page) — five items of 20 points each, listed in the order a unit
should settle them, which is also the order of `missing`:

1. 项目代码 (20): the project has its 项目代码 (赋码).
2. 前期工作阶段 (20): 初步设计 or 具备开工条件 20; 可研 10 (the item counts as met from 可研 on); 谋划 or
   项目建议书 0.
3. 用地 (20): the land is secured (谋划与储备 "用地已落实") or the land contract is dated (土地成交/出让合同日期).
4. 审批手续 (20): 20 × the share of the project's approval items that are 已办结 or 不涉及, rounded half up to
   a whole point; met only when every item is; a project without approval items scores 0 ("未录入审批手续").
5. 资本金 (20): the 资本金 in place is at least 20% of the total investment (a project without a total
   investment cannot meet it).

The score is the sum of the points. Money is Decimal 万元; shares in the text are percentages half up to 2
decimals. `readiness()` rates one project; `readiness_many()` rates a queryset in one SQL statement whatever its
size (the projects with their preparation record and their approval counts); `readiness_facts()` is that bulk read,
shared with matching (`tuijin.funds.matching`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.projects.choices import ApprovalStatus
from tuijin.projects.models import ApprovalItem

from .choices import LibraryStatus, PrepStage

__all__ = [
    "CAPITAL_SHARE",
    "READINESS_RULES",
    "Readiness",
    "ReadinessItem",
    "capital_share",
    "fmt_money",
    "fmt_pct",
    "half_up",
    "readiness",
    "readiness_facts",
    "readiness_from_facts",
    "readiness_many",
    "readiness_rules",
]

WEIGHT = 20
CAPITAL_SHARE = Decimal("0.20")  # 资本金 at least 20% of the total investment
HANDLED = (ApprovalStatus.DONE, ApprovalStatus.NOT_APPLICABLE)
STAGE_POINTS = {
    PrepStage.IDEA: 0,
    PrepStage.PROPOSAL: 0,
    PrepStage.FEASIBILITY: 10,
    PrepStage.PRELIMINARY: 20,
    PrepStage.READY: 20,
}

READINESS_RULES = [
    gettext_lazy("项目代码（20分）：已赋项目代码。"),
    gettext_lazy(
        "前期工作阶段（20分）：初步设计或具备开工条件得20分；可研得10分（达到可研即视为满足）；谋划、项目建议书得0分。"
    ),
    gettext_lazy("用地（20分）：用地已落实，或已填写土地成交/出让合同日期。"),
    gettext_lazy(
        "审批手续（20分）：20分 ×（已办结和不涉及的事项数 ÷ 全部事项数），四舍五入到整数；全部办结或不涉及才算满足；"
        "未录入审批手续得0分。"
    ),
    gettext_lazy("资本金（20分）：已落实的资本金不低于总投资的20%；总投资未填的不能满足。"),
    gettext_lazy("前期成熟度 = 五项得分之和（满分100分）；缺项按上列顺序列出，即建议办理的先后。"),
]

# The project and preparation columns readiness reads (values() names → fact keys).
_COLUMNS = {
    "pk": "pk",
    "code": "code",
    "total_investment": "total",
    "land_deal_date": "land_deal_date",
    "prep__prep_stage": "prep_stage",
    "prep__library_status": "library_status",
    "prep__in_debt_system": "in_debt_system",
    "prep__land_secured": "land_secured",
    "prep__capital_in_place": "capital",
    "prep__revenue_coverage": "coverage",
}


def readiness_rules() -> list[str]:
    """The rule as text, for the docs and the help on the page."""
    return [str(line) for line in READINESS_RULES]


def half_up(value: Decimal, places: str = "1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def fmt_pct(share: Decimal) -> str:
    """A share (0.2467) as "24.67%" (half up, 2 decimals)."""
    return "%s%%" % half_up(share * 100, "0.01")


def _plain(value: Decimal) -> str:
    text = format(half_up(value, "0.01"), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_money(value: Decimal) -> str:
    """万元 as read aloud: "5000万元", "850.5万元", from 1 亿 on "1.2亿元" (2 decimals at most, half up)."""
    if abs(value) >= 10000:
        return _("%(n)s亿元") % {"n": _plain(value / 10000)}
    return _("%(n)s万元") % {"n": _plain(value)}


def capital_share(capital: Decimal | None, total: Decimal | None) -> Decimal | None:
    """资本金 ÷ 总投资, None when either is unknown or the total is 0."""
    if capital is None or not total:
        return None
    return capital / total


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    label: str
    ok: bool
    detail: str
    points: int = 0
    weight: int = WEIGHT


@dataclass(frozen=True)
class Readiness:
    score: int
    items: list[ReadinessItem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _facts_defaults(row: dict[str, Any]) -> dict[str, Any]:
    """A project without a preparation record reads as the record's defaults (谋划, 未入库, nothing secured)."""
    row["code"] = row.get("code") or ""
    row["prep_stage"] = row.get("prep_stage") or PrepStage.IDEA
    row["library_status"] = row.get("library_status") or LibraryStatus.NONE
    row["in_debt_system"] = bool(row.get("in_debt_system"))
    row["land_secured"] = bool(row.get("land_secured"))
    row.setdefault("approvals_done", 0)
    row.setdefault("approvals_total", 0)
    return row


def _approval_count(condition: Q | None = None):
    """A project's approval items (those meeting `condition`) counted in a correlated subquery: an index lookup per
    project, cheaper than grouping the whole approval table when only some projects are read."""
    items = ApprovalItem.objects.filter(project=OuterRef("pk"))
    if condition is not None:
        items = items.filter(condition)
    counted = items.order_by().values("project").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def readiness_facts(
    projects, extra: Iterable[str] = (), annotations: dict[str, Any] | None = None
) -> dict[int, dict[str, Any]]:
    """The inputs of readiness (and of matching) for every project of a queryset, in one SQL statement: the
    project's columns, its preparation record (a LEFT JOIN) and its approval items counted (all, and 已办结/不涉及).
    `extra` names more project columns and `annotations` more expressions to read (kept under their names)."""
    annotations = {
        "approvals_total": _approval_count(),
        "approvals_done": _approval_count(Q(status__in=HANDLED)),
        **(annotations or {}),
    }
    names = {**_COLUMNS, **{name: name for name in (*extra, *annotations)}}
    facts: dict[int, dict[str, Any]] = {}
    for row in projects.order_by().annotate(**annotations).values(*names):
        fact = {key: row[name] for name, key in names.items()}
        facts[fact["pk"]] = _facts_defaults(fact)
    return facts


def _code_item(f) -> ReadinessItem:
    if f["code"]:
        return ReadinessItem("code", _("项目代码"), True, _("项目代码 ✓（%(c)s）") % {"c": f["code"]}, WEIGHT)
    return ReadinessItem("code", _("项目代码"), False, _("项目代码 ✗（未赋码）"), 0)


def _stage_item(f) -> ReadinessItem:
    stage = f["prep_stage"]
    label, name = _("前期工作阶段"), str(PrepStage(stage).label)
    points = STAGE_POINTS[stage]
    if points == WEIGHT:
        return ReadinessItem("prep_stage", label, True, _("前期工作阶段 ✓（%(s)s）") % {"s": name}, points)
    if points:
        detail = _("前期工作阶段 ✓（%(s)s，完成初步设计后得满分）") % {"s": name}
        return ReadinessItem("prep_stage", label, True, detail, points)
    return ReadinessItem("prep_stage", label, False, _("前期工作阶段 ✗（%(s)s，须达到可研）") % {"s": name}, 0)


def _land_item(f) -> ReadinessItem:
    label = _("用地")
    if f["land_secured"]:
        return ReadinessItem("land", label, True, _("用地 ✓（用地已落实）"), WEIGHT)
    if f["land_deal_date"] is not None:
        detail = _("用地 ✓（土地出让合同 %(d)s）") % {"d": f["land_deal_date"].isoformat()}
        return ReadinessItem("land", label, True, detail, WEIGHT)
    return ReadinessItem("land", label, False, _("用地 ✗（未落实用地）"), 0)


def _approvals_item(f) -> ReadinessItem:
    label, total, done = _("审批手续"), f["approvals_total"], f["approvals_done"]
    if not total:
        return ReadinessItem("approvals", label, False, _("审批手续 ✗（未录入审批手续）"), 0)
    share = Decimal(done) / Decimal(total)
    points = int(half_up(WEIGHT * share))
    values = {"d": done, "t": total, "p": fmt_pct(share)}
    if done == total:
        return ReadinessItem("approvals", label, True, _("审批手续 ✓（%(d)s/%(t)s 项已办结或不涉及）") % values, points)
    detail = _("审批手续 ✗（%(d)s/%(t)s 项已办结或不涉及，%(p)s）") % values
    return ReadinessItem("approvals", label, False, detail, points)


def _capital_item(f) -> ReadinessItem:
    label, capital, total = _("资本金"), f["capital"], f["total"]
    if not total:
        return ReadinessItem("capital", label, False, _("资本金 ✗（总投资未填，无法判断）"), 0)
    if capital is None or capital <= 0:
        return ReadinessItem("capital", label, False, _("资本金 ✗（未落实资本金）"), 0)
    share = capital / total
    values = {"a": fmt_money(capital), "p": fmt_pct(share), "m": fmt_pct(CAPITAL_SHARE)}
    if share >= CAPITAL_SHARE:
        return ReadinessItem(
            "capital", label, True, _("资本金 ✓（%(a)s，占总投资 %(p)s，须 ≥ %(m)s）") % values, WEIGHT
        )
    return ReadinessItem("capital", label, False, _("资本金 ✗（%(a)s，占总投资 %(p)s，须 ≥ %(m)s）") % values, 0)


# In the order a unit should settle them (the order of `missing`).
_ITEMS = (_code_item, _stage_item, _land_item, _approvals_item, _capital_item)


def readiness_from_facts(facts: dict[str, Any]) -> Readiness:
    items = [build(facts) for build in _ITEMS]
    return Readiness(
        score=sum(item.points for item in items),
        items=items,
        missing=[item.label for item in items if not item.ok],
    )


def _approval_counts(project, approvals) -> tuple[int, int]:
    if approvals is None:
        cache = getattr(project, "_prefetched_objects_cache", {})
        if "approval_items" in cache:
            approvals = cache["approval_items"]
        else:
            row = project.approval_items.aggregate(total=Count("pk"), done=Count("pk", filter=Q(status__in=HANDLED)))
            return row["done"], row["total"]
    statuses = [getattr(item, "status", item) for item in approvals]
    return sum(1 for s in statuses if s in HANDLED), len(statuses)


def readiness(project, *, prep=None, approvals=None) -> Readiness:
    """One project's 前期成熟度. `prep` is its ProjectPrep (read from the project when not given; none recorded
    reads as the defaults); `approvals` its approval items or their statuses (counted in SQL when not given)."""
    if prep is None:
        from .services import prep_for

        prep = prep_for(project)
    done, total = _approval_counts(project, approvals)
    facts = _facts_defaults(
        {
            "pk": project.pk,
            "code": project.code,
            "total": project.total_investment,
            "land_deal_date": project.land_deal_date,
            "prep_stage": prep.prep_stage,
            "library_status": prep.library_status,
            "in_debt_system": prep.in_debt_system,
            "land_secured": prep.land_secured,
            "capital": prep.capital_in_place,
            "coverage": prep.revenue_coverage,
            "approvals_done": done,
            "approvals_total": total,
        }
    )
    return readiness_from_facts(facts)


def readiness_many(projects) -> dict[int, Readiness]:
    """前期成熟度 of every project of a queryset, by pk, in one SQL statement whatever the count."""
    return {pk: readiness_from_facts(facts) for pk, facts in readiness_facts(projects).items()}

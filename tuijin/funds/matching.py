"""Matching: which projects fit an open funding batch, each explained rule by rule, ranked and scored against the
review points (合规性/必要性/可行性/预期效益).

The rules (MATCHING_RULES and REVIEW_RULES, quoted on the docs page):

Eligibility — one check per rule the batch sets, each shown with ✓ or ✗:
- 投资领域 (the batch's domains; none = any) and 产业链 (the batch's chains; none = any);
- 总投资 ≥ the batch's 下限 and ≤ its 上限 (万元; a project without a total investment fails either);
- 前期工作 at least the batch's stage (谋划 < 项目建议书 < 可研 < 初步设计 < 具备开工条件; 谋划 = no condition);
- 国家重大建设项目库 at least the batch's status (未入库 < 储备 < 三年滚动计划 < 年度计划; 未入库 = no condition);
- 项目代码, 用地 (用地已落实 or a dated land contract), 资本金 (≥ 20% of the total investment) and 财政部专项债项目库,
  each when the batch requires it;
- 收益覆盖本息倍数 ≥ the batch's 下限 (专项债: 1.20 passes, 1.19 fails; not recorded fails).

A project is eligible when every check passes; a near miss when one or two fail and each can be fixed by the unit
— every rule except 投资领域, 产业链 and the size of the investment; `to_fix` lists what to do and `fix_text` says it
("落实用地后即符合条件").

Score (0–100) — four review points of 25, each rounded half up to a whole point:
- 合规性: 项目代码 8; 国家重大建设项目库 储备 3 / 三年滚动计划 5 / 年度计划 7; 审批手续 10 × the share 已办结 or 不涉及;
- 必要性: 对口批次方向 10 (passes the batch's 投资领域 and 产业链 rules; a batch without them: 投资领域 filled);
  项目级别 省重点 8 / 市重点 6 / 区重点 4 (the highest); 专项名单 两重, 两新, 专项债, 中央预算内 or 超长期特别国债 7,
  otherwise 三个一批 4;
- 可行性: 前期工作 项目建议书 3 / 可研 6 / 初步设计 8 / 具备开工条件 10; 用地 8; 资本金 ≥ 20% 7;
- 预期效益: 专项债 batches 25 × min(收益覆盖本息倍数, 1.5) ÷ 1.5; other batches 15 × min(预计年产值 ÷ 总投资, 1)
  + 10 × min(预计年税收 ÷ 总投资 ÷ 5%, 1), or — for a project with neither figure but a 收益覆盖本息倍数 (公益性
  projects) — the 专项债 formula.

Ranking: eligible, then near misses, then the rest; within each by score, then total investment (largest first,
unknown last), then id.

Speed (one batch against 100,000 projects, `make bench`): the rules SQL decides cheaply (投资领域, 产业链, the size)
filter the projects in SQL; only the needed columns are read (`values()`, the bulk read of
`tuijin.funds.readiness`), with the approval counts, the best level and the special lists as correlated subqueries
of the same statement; the checks and the score are numbers for every project, and the explanations (texts,
project rows) are built only for the first `limit`. Projects failing a sector or size rule can be neither eligible
nor near misses, so they are read only when the eligible and near misses do not fill `limit` (otherwise only
counted). Four SQL statements, whatever the number of projects.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.projects.choices import ProjectDomain, Stage
from tuijin.projects.models import IndustryChain, Project, ProjectSpecialList

from .choices import PREP_ORDER, Channel, LibraryStatus, PrepStage
from .readiness import (
    CAPITAL_SHARE,
    Readiness,
    capital_share,
    fmt_money,
    fmt_pct,
    half_up,
    readiness_facts,
    readiness_from_facts,
)

__all__ = [
    "INACTIVE_STAGES",
    "MATCHING_RULES",
    "REVIEW_POINTS",
    "REVIEW_RULES",
    "Check",
    "Match",
    "MatchList",
    "eligible_units",
    "match_batch",
    "matching_rules",
    "review_rules",
]

INACTIVE_STAGES = (Stage.COMPLETED, Stage.OPERATING, Stage.CANCELLED)
LIBRARY_ORDER = [s.value for s in LibraryStatus]
REVIEW_POINTS = [
    ("compliance", gettext_lazy("合规性")),
    ("necessity", gettext_lazy("必要性")),
    ("feasibility", gettext_lazy("可行性")),
    ("benefit", gettext_lazy("预期效益")),
]
CODE_POINTS = 8
LIBRARY_POINTS = {LibraryStatus.NONE: 0, LibraryStatus.RESERVE: 3, LibraryStatus.ROLLING: 5, LibraryStatus.ANNUAL: 7}
APPROVAL_POINTS = 10
DIRECTION_POINTS = 10
LEVEL_POINTS = {"provincial": 8, "city": 6, "district": 4}
NATIONAL_LISTS = ("liangzhong", "liangxin", "special_bond", "central_budget", "treasury_bond")
LIST_POINTS_NATIONAL, LIST_POINTS_OTHER = 7, 4
STAGE_POINTS = {
    PrepStage.IDEA: 0,
    PrepStage.PROPOSAL: 3,
    PrepStage.FEASIBILITY: 6,
    PrepStage.PRELIMINARY: 8,
    PrepStage.READY: 10,
}
LAND_POINTS, CAPITAL_POINTS = 8, 7
PART = Decimal(25)
COVERAGE_FULL = Decimal("1.5")
OUTPUT_POINTS, TAX_POINTS = Decimal(15), Decimal(10)
TAX_FULL = Decimal("0.05")  # 年税收 of 5% of the investment scores full

MATCHING_RULES = [
    gettext_lazy("投资领域、产业链：批次设定时，项目须属其一；未设定则不限。"),
    gettext_lazy("总投资：不低于批次的下限、不高于上限（万元）；总投资未填的不符合。"),
    gettext_lazy("前期工作：须达到批次要求的阶段（谋划＜项目建议书＜可研＜初步设计＜具备开工条件）。"),
    gettext_lazy("国家重大建设项目库：须至少为批次要求的状态（未入库＜储备＜三年滚动计划＜年度计划）。"),
    gettext_lazy(
        "项目代码、用地（用地已落实或已签订土地出让合同）、资本金（不低于总投资的20%）、"
        "财政部专项债项目库：批次要求时须满足。"
    ),
    gettext_lazy("收益覆盖本息倍数：不低于批次的下限（专项债一般为1.20倍：1.20倍符合，1.19倍不符合；未填的不符合）。"),
    gettext_lazy(
        "全部条件满足为“符合条件”；只差一至两项且均可由项目单位办理"
        "（投资领域、产业链、总投资规模除外）为“接近符合”，并列出办理事项。"
    ),
    gettext_lazy("排序：符合条件在前，接近符合其次，其余在后；同组内按评分、总投资（从大到小）、项目编号。"),
]
REVIEW_RULES = [
    gettext_lazy(
        "合规性（25分）：有项目代码8分；国家重大建设项目库 储备3分、三年滚动计划5分、年度计划7分；"
        "审批手续 10分 × 已办结和不涉及的比例。"
    ),
    gettext_lazy(
        "必要性（25分）：符合批次投资领域和产业链10分（批次未设定时，已填投资领域即得分）；"
        "项目级别 省重点8分、市重点6分、区重点4分（取最高）；"
        "列入两重、两新、专项债、中央预算内或超长期特别国债名单7分，仅列入三个一批名单4分。"
    ),
    gettext_lazy(
        "可行性（25分）：前期工作 项目建议书3分、可研6分、初步设计8分、具备开工条件10分；"
        "用地已落实8分；资本金不低于总投资的20% 7分。"
    ),
    gettext_lazy(
        "预期效益（25分）：专项债批次按收益覆盖本息倍数，25分 × min(倍数, 1.5) ÷ 1.5；"
        "其他批次 15分 × min(预计年产值 ÷ 总投资, 1) + 10分 × min(预计年税收 ÷ 总投资 ÷ 5%, 1)；"
        "未填产值和税收、但有收益覆盖本息倍数的（公益性项目）按专项债公式计。"
    ),
    gettext_lazy("每项四舍五入到整数分，评分为四项之和（满分100分）。"),
]

_EXTRA = ("domain", "chain_id", "responsible_unit_id", "expected_output", "expected_tax")


def matching_rules() -> list[str]:
    return [str(line) for line in MATCHING_RULES]


def review_rules() -> list[str]:
    return [str(line) for line in REVIEW_RULES]


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool
    detail: str
    fix: str = ""  # what the unit does to pass ("落实用地"); empty for a rule the unit cannot change
    fixable: bool = True


@dataclass
class Match:
    project: Project
    eligible: bool
    checks: list[Check]
    failed: list[Check]
    near_miss: bool
    to_fix: list[str]
    score: int
    review: dict[str, int]
    readiness: Readiness | None = None

    @property
    def fix_text(self) -> str:
        """The near miss's way in: "落实用地后即符合条件"."""
        if not self.to_fix:
            return ""
        return _("%(a)s后即符合条件") % {"a": "、".join(self.to_fix)}

    @property
    def review_rows(self) -> list[tuple[str, int]]:
        return [(str(label), self.review[key]) for key, label in REVIEW_POINTS]


class MatchList(list):
    """The ranked matches (the first `limit` when one was given) with the counts over every project considered."""

    def __init__(self, matches=(), *, total: int = 0, eligible_count: int = 0, near_miss_count: int = 0) -> None:
        super().__init__(matches)
        self.total = total
        self.eligible_count = eligible_count
        self.near_miss_count = near_miss_count

    @property
    def rest_count(self) -> int:
        return self.total - self.eligible_count - self.near_miss_count

    @property
    def not_shown(self) -> int:
        return self.total - len(self)


# -- the rules ----------------------------------------------------------------------------------------------------


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _names(values: list[str]) -> str:
    return "、".join(values)


class _Rule:
    key = ""
    fixable = True

    def test(self, f: dict[str, Any]) -> bool:
        raise NotImplementedError

    def check(self, f: dict[str, Any]) -> Check:
        raise NotImplementedError

    def sql(self) -> Q | None:
        """The rule as a condition SQL decides (only for the rules a unit cannot fix)."""
        return None


class _Domain(_Rule):
    key, fixable = "domain", False

    def __init__(self, domains: list[str]) -> None:
        self.domains = set(domains)
        self.need = _names([str(ProjectDomain(d).label) if d in ProjectDomain.values else d for d in domains])

    def test(self, f):
        return f["domain"] in self.domains

    def check(self, f):
        ok = self.test(f)
        value = str(ProjectDomain(f["domain"]).label) if f["domain"] in ProjectDomain.values else _("未填")
        detail = _("投资领域：%(v)s（须为%(n)s）%(m)s") % {"v": value, "n": self.need, "m": _mark(ok)}
        return Check(self.key, _("投资领域"), ok, detail, fixable=False)

    def sql(self):
        return Q(domain__in=self.domains)


class _Chain(_Rule):
    key, fixable = "chain", False

    def __init__(self, chains: dict[int, str]) -> None:
        self.chains = chains
        self.need = _names(list(chains.values()))
        self.names: dict[int, str] = {}

    def test(self, f):
        return f["chain_id"] in self.chains

    def check(self, f):
        ok = self.test(f)
        value = self.names.get(f["chain_id"]) or self.chains.get(f["chain_id"]) or _("未填")
        detail = _("产业链：%(v)s（须为%(n)s）%(m)s") % {"v": value, "n": self.need, "m": _mark(ok)}
        return Check(self.key, _("产业链"), ok, detail, fixable=False)

    def sql(self):
        return Q(chain_id__in=list(self.chains))


class _MinTotal(_Rule):
    key, fixable = "min_total", False

    def __init__(self, amount: Decimal) -> None:
        self.amount = amount

    def test(self, f):
        return f["total"] is not None and f["total"] >= self.amount

    def check(self, f):
        ok, total, need = self.test(f), f["total"], fmt_money(self.amount)
        if total is None:
            detail = _("总投资：未填（须 ≥ %(n)s）✗") % {"n": need}
        elif ok:
            detail = _("总投资 %(v)s ≥ %(n)s ✓") % {"v": fmt_money(total), "n": need}
        else:
            detail = _("总投资 %(v)s < %(n)s ✗") % {"v": fmt_money(total), "n": need}
        return Check(self.key, _("总投资下限"), ok, detail, fixable=False)

    def sql(self):
        return Q(total_investment__gte=self.amount)


class _MaxTotal(_Rule):
    key, fixable = "max_total", False

    def __init__(self, amount: Decimal) -> None:
        self.amount = amount

    def test(self, f):
        return f["total"] is not None and f["total"] <= self.amount

    def check(self, f):
        ok, total, need = self.test(f), f["total"], fmt_money(self.amount)
        if total is None:
            detail = _("总投资：未填（须 ≤ %(n)s）✗") % {"n": need}
        elif ok:
            detail = _("总投资 %(v)s ≤ %(n)s ✓") % {"v": fmt_money(total), "n": need}
        else:
            detail = _("总投资 %(v)s > %(n)s ✗") % {"v": fmt_money(total), "n": need}
        return Check(self.key, _("总投资上限"), ok, detail, fixable=False)

    def sql(self):
        return Q(total_investment__lte=self.amount)


class _PrepStage(_Rule):
    key = "prep_stage"

    def __init__(self, minimum: str) -> None:
        self.rank = PREP_ORDER.index(minimum)
        self.need = str(PrepStage(minimum).label)

    def test(self, f):
        return PREP_ORDER.index(f["prep_stage"]) >= self.rank

    def check(self, f):
        ok = self.test(f)
        value = str(PrepStage(f["prep_stage"]).label)
        detail = _("前期工作：%(v)s（须达到%(n)s）%(m)s") % {"v": value, "n": self.need, "m": _mark(ok)}
        fix = "" if ok else _("将前期工作推进到%(n)s") % {"n": self.need}
        return Check(self.key, _("前期工作"), ok, detail, fix)


class _Library(_Rule):
    key = "library_status"

    def __init__(self, minimum: str) -> None:
        self.rank = LIBRARY_ORDER.index(minimum)
        self.need = str(LibraryStatus(minimum).label)

    def test(self, f):
        return LIBRARY_ORDER.index(f["library_status"]) >= self.rank

    def check(self, f):
        ok = self.test(f)
        value = str(LibraryStatus(f["library_status"]).label)
        detail = _("国家重大建设项目库：%(v)s（须至少为%(n)s）%(m)s") % {"v": value, "n": self.need, "m": _mark(ok)}
        fix = "" if ok else _("纳入国家重大建设项目库（%(n)s）") % {"n": self.need}
        return Check(self.key, _("国家重大建设项目库"), ok, detail, fix)


class _Code(_Rule):
    key = "code"

    def test(self, f):
        return bool(f["code"])

    def check(self, f):
        if self.test(f):
            return Check(self.key, _("项目代码"), True, _("项目代码：%(c)s ✓") % {"c": f["code"]})
        return Check(self.key, _("项目代码"), False, _("项目代码：未赋码 ✗"), _("取得项目代码"))


class _Land(_Rule):
    key = "land"

    def test(self, f):
        return f["land_secured"] or f["land_deal_date"] is not None

    def check(self, f):
        if f["land_secured"]:
            return Check(self.key, _("用地"), True, _("用地：已落实 ✓"))
        if f["land_deal_date"] is not None:
            detail = _("用地：已签订土地出让合同（%(d)s）✓") % {"d": f["land_deal_date"].isoformat()}
            return Check(self.key, _("用地"), True, detail)
        return Check(self.key, _("用地"), False, _("用地：未落实 ✗"), _("落实用地"))


class _Capital(_Rule):
    key = "capital"

    def test(self, f):
        share = capital_share(f["capital"], f["total"])
        return share is not None and share >= CAPITAL_SHARE

    def check(self, f):
        label, need, total, capital = _("资本金"), fmt_pct(CAPITAL_SHARE), f["total"], f["capital"]
        if not total:
            return Check(self.key, label, False, _("资本金：总投资未填，无法判断 ✗"), _("填报总投资并落实资本金"))
        required = half_up(total * CAPITAL_SHARE, "0.01")
        if capital is None or capital <= 0:
            detail = _("资本金：未落实（须 ≥ 总投资的 %(n)s）✗") % {"n": need}
            return Check(self.key, label, False, detail, _("落实资本金 %(a)s") % {"a": fmt_money(required)})
        ok = self.test(f)
        values = {"a": fmt_money(capital), "p": fmt_pct(capital / total), "n": need, "m": _mark(ok)}
        detail = _("资本金 %(a)s，占总投资 %(p)s（须 ≥ %(n)s）%(m)s") % values
        fix = "" if ok else _("再落实资本金 %(a)s") % {"a": fmt_money(required - capital)}
        return Check(self.key, label, ok, detail, fix)


class _DebtSystem(_Rule):
    key = "debt_system"

    def test(self, f):
        return f["in_debt_system"]

    def check(self, f):
        label = _("财政部专项债项目库")
        if self.test(f):
            return Check(self.key, label, True, _("财政部专项债项目库：已入库 ✓"))
        return Check(self.key, label, False, _("财政部专项债项目库：未入库 ✗"), _("纳入财政部专项债项目库"))


class _Coverage(_Rule):
    key = "revenue_coverage"

    def __init__(self, minimum: Decimal) -> None:
        self.minimum = minimum

    def test(self, f):
        return f["coverage"] is not None and f["coverage"] >= self.minimum

    def check(self, f):
        label, need, value = _("收益覆盖本息"), half_up(self.minimum, "0.01"), f["coverage"]
        if value is None:
            detail = _("收益覆盖本息倍数：未填（须 ≥ %(n)s 倍）✗") % {"n": need}
            return Check(self.key, label, False, detail, _("补充财务评估（收益覆盖本息倍数）"))
        ok = self.test(f)
        detail = _("收益覆盖本息 %(v)s 倍（须 ≥ %(n)s 倍）%(m)s") % {
            "v": half_up(value, "0.01"),
            "n": need,
            "m": _mark(ok),
        }
        fix = "" if ok else _("调整融资方案，使收益覆盖本息达到 %(n)s 倍") % {"n": need}
        return Check(self.key, label, ok, detail, fix)


class _Approvals(_Rule):
    """Every approval item of the project 已办结 or 不涉及 (and at least one recorded)."""

    key = "approvals"

    def test(self, f):
        return bool(f["approvals_total"]) and f["approvals_done"] == f["approvals_total"]

    def check(self, f):
        label, total, done = _("审批手续"), f["approvals_total"], f["approvals_done"]
        if not total:
            return Check(self.key, label, False, _("审批手续：未录入 ✗"), _("录入并办结审批手续"))
        if self.test(f):
            return Check(self.key, label, True, _("审批手续：%(n)d 项已全部办结 ✓") % {"n": total})
        detail = _("审批手续：%(d)d/%(n)d 项已办结或不涉及 ✗") % {"d": done, "n": total}
        return Check(self.key, label, False, detail, _("办结其余 %(k)d 项审批手续") % {"k": total - done})


def _rules(batch) -> list[_Rule]:
    """The batch's rules in the order they are shown: sector and size first, then what the unit can settle."""
    rules: list[_Rule] = []
    if batch.domains:
        rules.append(_Domain(list(batch.domains)))
    if batch.pk is not None:
        chains = dict(IndustryChain.objects.filter(pk__in=batch.chains.values("pk")).values_list("pk", "name"))
        if chains:
            rules.append(_Chain(chains))
    if batch.min_total_investment is not None:
        rules.append(_MinTotal(batch.min_total_investment))
    if batch.max_total_investment is not None:
        rules.append(_MaxTotal(batch.max_total_investment))
    if batch.min_prep_stage and PREP_ORDER.index(batch.min_prep_stage) > 0:
        rules.append(_PrepStage(batch.min_prep_stage))
    if batch.min_library_status and LIBRARY_ORDER.index(batch.min_library_status) > 0:
        rules.append(_Library(batch.min_library_status))
    if batch.require_code:
        rules.append(_Code())
    if batch.require_land:
        rules.append(_Land())
    if batch.require_capital:
        rules.append(_Capital())
    if batch.require_debt_system:
        rules.append(_DebtSystem())
    if batch.require_approvals:
        rules.append(_Approvals())
    if batch.min_revenue_coverage is not None:
        rules.append(_Coverage(batch.min_revenue_coverage))
    return rules


# -- the score ----------------------------------------------------------------------------------------------------


def _coverage_points(coverage: Decimal | None) -> Decimal:
    if coverage is None:
        return Decimal(0)
    return PART * min(coverage, COVERAGE_FULL) / COVERAGE_FULL


def _benefit(bond: bool, f: dict[str, Any]) -> Decimal:
    if bond:
        return _coverage_points(f["coverage"])
    output, tax, total = f["expected_output"], f["expected_tax"], f["total"]
    if output is None and tax is None:
        return _coverage_points(f["coverage"])
    if not total:
        return Decimal(0)
    points = Decimal(0)
    if output is not None:
        points += OUTPUT_POINTS * min(output / total, Decimal(1))
    if tax is not None:
        points += TAX_POINTS * min(tax / total / TAX_FULL, Decimal(1))
    return points


def _review(f: dict[str, Any], direction_ok: bool, bond: bool) -> tuple[int, int, int, int]:
    compliance = Decimal(CODE_POINTS if f["code"] else 0) + LIBRARY_POINTS[f["library_status"]]
    if f["approvals_total"]:
        compliance += APPROVAL_POINTS * Decimal(f["approvals_done"]) / Decimal(f["approvals_total"])
    necessity = (DIRECTION_POINTS if direction_ok else 0) + f["level_points"] + f["list_points"]
    share = capital_share(f["capital"], f["total"])
    feasibility = (
        STAGE_POINTS[f["prep_stage"]]
        + (LAND_POINTS if f["land_secured"] or f["land_deal_date"] is not None else 0)
        + (CAPITAL_POINTS if share is not None and share >= CAPITAL_SHARE else 0)
    )
    return (int(half_up(compliance)), necessity, feasibility, int(half_up(_benefit(bond, f))))


# -- reading and ranking ------------------------------------------------------------------------------------------


def _district_projects(batch):
    from tuijin.org.scoping import _county_path

    county = _county_path(batch.organiser.region.path)
    return Project.objects.filter(responsible_unit__region__path__startswith=county)


def _candidates(batch, projects, user):
    """The projects considered: those given, else the active projects (not 竣工/投产/取消) in the user's view scope,
    or — without a user — of the batch organiser's district."""
    if projects is None:
        base = Project.objects.restrict(user, "view") if user is not None else _district_projects(batch)
        return base.exclude(stage__in=INACTIVE_STAGES)
    return projects.restrict(user, "view") if user is not None else projects


def _facts(projects) -> dict[int, dict[str, Any]]:
    """readiness_facts plus the matching columns, the project's best level and whether it is on a national or any
    special list, in one SQL statement (correlated subqueries: an index lookup per project)."""
    best_level = (
        Project.levels.through.objects.filter(project_id=OuterRef("pk"))
        .order_by("projectlevel__sort_order")
        .values("projectlevel__code")[:1]
    )
    on_lists = ProjectSpecialList.objects.filter(project_id=OuterRef("pk"))
    facts = readiness_facts(
        projects,
        extra=_EXTRA,
        annotations={
            "best_level": Subquery(best_level),
            "on_national_list": Exists(on_lists.filter(special_list__code__in=NATIONAL_LISTS)),
            "on_list": Exists(on_lists),
        },
    )
    for f in facts.values():
        f["level_points"] = LEVEL_POINTS.get(f["best_level"], 0)
        if f["on_national_list"]:
            f["list_points"] = LIST_POINTS_NATIONAL
        else:
            f["list_points"] = LIST_POINTS_OTHER if f["on_list"] else 0
    return facts


@dataclass
class _Scored:
    facts: dict[str, Any]
    failed: list[_Rule]
    review: tuple[int, int, int, int]
    group: int = 2  # 0 eligible, 1 near miss, 2 the rest
    score: int = 0
    sort_key: tuple = field(default=())


def _score(rules: list[_Rule], bond: bool, facts: dict[int, dict[str, Any]]) -> list[_Scored]:
    sector = [r for r in rules if r.key in ("domain", "chain")]
    out = []
    for f in facts.values():
        failed = [rule for rule in rules if not rule.test(f)]
        direction_ok = all(rule.test(f) for rule in sector) if sector else bool(f["domain"])
        review = _review(f, direction_ok, bond)
        if not failed:
            group = 0
        elif len(failed) <= 2 and all(rule.fixable for rule in failed):
            group = 1
        else:
            group = 2
        score = sum(review)
        total = f["total"]
        key = (group, -score, total is None, -(total or 0), f["pk"])
        out.append(_Scored(f, failed, review, group, score, key))
    return out


def _match(rules: list[_Rule], scored: _Scored, project: Project) -> Match:
    checks = [rule.check(scored.facts) for rule in rules]
    failed = [c for c in checks if not c.ok]
    near_miss = scored.group == 1
    return Match(
        project=project,
        eligible=scored.group == 0,
        checks=checks,
        failed=failed,
        near_miss=near_miss,
        to_fix=[c.fix for c in failed] if near_miss else [],
        score=scored.score,
        review=dict(zip((key for key, _label in REVIEW_POINTS), scored.review, strict=True)),
        readiness=readiness_from_facts(scored.facts),
    )


def _sector_q(rules: list[_Rule]) -> Q | None:
    conditions = [q for q in (rule.sql() for rule in rules) if q is not None]
    if not conditions:
        return None
    combined = conditions[0]
    for q in conditions[1:]:
        combined &= q
    return combined


def match_batch(batch, projects=None, *, user=None, limit: int | None = None) -> MatchList:
    """The projects ranked for a batch (all of them, or the first `limit`, with the counts over all), each explained
    rule by rule and scored. See the module docstring for the rules."""
    rules = _rules(batch)
    bond = batch.channel == Channel.SPECIAL_BOND
    base = _candidates(batch, projects, user)
    sector = _sector_q(rules)
    if sector is None:
        scored = _score(rules, bond, _facts(base))
        total = len(scored)
    else:
        scored = _score(rules, bond, _facts(base.filter(sector)))
        leading = sum(1 for s in scored if s.group < 2)
        if limit is not None and leading >= limit:
            # the first `limit` are all eligible or near misses: the projects failing a sector or size rule are
            # only counted
            total = len(scored) + base.exclude(sector).count()
        else:
            scored += _score(rules, bond, _facts(base.exclude(sector)))
            total = len(scored)
    scored.sort(key=lambda s: s.sort_key)
    shown = scored if limit is None else scored[:limit]
    rows = Project.objects.select_related("responsible_unit", "chain").in_bulk([s.facts["pk"] for s in shown])
    for rule in rules:
        if isinstance(rule, _Chain):
            rule.names = {p.chain_id: p.chain.name for p in rows.values() if p.chain_id is not None}
    return MatchList(
        [_match(rules, s, rows[s.facts["pk"]]) for s in shown],
        total=total,
        eligible_count=sum(1 for s in scored if s.group == 0),
        near_miss_count=sum(1 for s in scored if s.group == 1),
    )


def eligible_units(batch) -> list:
    """The responsible units of the batch's eligible projects among the active projects of the organiser's
    district (for the deadline reminder)."""
    from tuijin.org.models import OrgUnit

    rules = _rules(batch)
    base = _candidates(batch, None, None)
    sector = _sector_q(rules)
    if sector is not None:
        base = base.filter(sector)
    facts = readiness_facts(base, extra=_EXTRA)
    units = {f["responsible_unit_id"] for f in facts.values() if all(rule.test(f) for rule in rules)}
    return list(OrgUnit.objects.filter(pk__in=units).order_by("pk"))

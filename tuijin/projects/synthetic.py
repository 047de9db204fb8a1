"""The projects of the synthetic dataset (a step of `tuijin generate_synthetic`, see `tuijin.core.synthetic`).

Per chunk of projects, drawn in each district by its weight and in each responsible unit by its kind (departments
30%, 街道/镇 30%, 开发区 25%, 平台公司 15%): log-normal sizes (median ≈ 6,000 万元, a few above 10 亿), every
lifecycle stage (续建, 新开工, 竣工, 投产, 前期 — some late to start —, 谋划, 储备, 暂缓, 取消), levels, sponsors
(the district's county leaders), special lists, funding rows that add up, 项目代码, the 15 approval items with
statuses that match the stage, the change log and timeline entry of each project (like `projects_bulk_create`), and
annual plans for every year the months touch (past years approved, the plan year mostly approved as the baseline;
45% with a 12-month curve that sums exactly). The chunk's `ProjectSpec`s are published in
`run.shared["projects.chunk"]` for the monthly reports (`tuijin.progress.synthetic`).
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tuijin.core.changelog import object_changes_bulk_record
from tuijin.core.choices import ChangeAction
from tuijin.core.periods import add_months, month_end, month_index
from tuijin.core.synthetic import (
    BATCH,
    SOURCE,
    SyntheticRun,
    SyntheticStep,
    cents,
    day_in,
    split_cents,
    weighted,
)
from tuijin.org.synthetic import BRANDS, ENTERPRISE_WORDS, District, SyntheticOrg, synthetic_org
from tuijin.users.synthetic import synthetic_accounts

from .choices import (
    ApprovalStatus,
    ConstructionNature,
    FundingSourceKind,
    InvestmentSubject,
    PlanStatus,
    ProjectEventType,
    Stage,
    StatsStatus,
)
from .demo import CHAINS, GROUP_CHAIN, GROUP_DOMAIN, KINDS
from .models import (
    AnnualPlan,
    ApprovalItem,
    ApprovalItemType,
    FundingSource,
    IndustryCategory,
    IndustryChain,
    Project,
    ProjectEvent,
    ProjectLevel,
    ProjectSpecialList,
    SpecialList,
)

__all__ = ["PLAN_TEXTS", "SEASON", "ProjectSpec", "ProjectsStep", "active_months", "chunk_specs"]

# Seasonal weight of each month for construction investment (Spring Festival low, year-end push).
SEASON = (0.5, 0.4, 0.8, 1.0, 1.1, 1.2, 1.0, 1.0, 1.15, 1.1, 1.1, 1.3)

DEPARTMENT_WEIGHTS = {"ndrc": 3, "industry": 3, "housing": 4, "city": 3, "education": 3, "commerce": 2, "science": 1}
APPROVAL_DEPARTMENT = {  # approval item code → department key
    "project_approval": "ndrc",
    "land_preexam": "land",
    "stability_risk": "ndrc",
    "energy_review": "ndrc",
    "eia": "environment",
    "water_soil": "land",
    "land_contract": "land",
    "land_planning_permit": "land",
    "property_certificate": "land",
    "works_planning_permit": "land",
    "drawing_review": "housing",
    "tendering": "housing",
    "construction_permit": "housing",
    "utilities": "service",
    "completion_acceptance": "housing",
}
PERMITS = {
    "project_approval": "发改审批",
    "land_planning_permit": "地字第",
    "works_planning_permit": "建字第",
    "construction_permit": "施工许可",
    "property_certificate": "不动产权第",
}
OPTIONAL_ITEMS = {"stability_risk", "water_soil", "energy_review"}  # often 不涉及
SPONSOR_WEIGHTS = [1, 2, 5, 4, 4, 2]
EXTRA_CHAINS = ["新材料", "生物医药", "新能源"]
GROUPS_BY_UNIT: dict[str, list[tuple[str, float]]] = {
    "dev_zone": [("opto", 4), ("smart", 5), ("service", 1)],
    "subdistrict": [("renewal", 3), ("service", 2.5), ("live", 2), ("infra", 1.5), ("eco", 1)],
    "town": [("smart", 2.5), ("opto", 1), ("infra", 3), ("eco", 1.5), ("live", 1), ("service", 1)],
    "state_platform": [("infra", 4), ("renewal", 3.5), ("live", 1), ("eco", 1.5)],
}
GROUPS_BY_DEPARTMENT: dict[str, list[tuple[str, float]]] = {
    "industry": [("opto", 1), ("smart", 1)],
    "science": [("opto", 1), ("smart", 1)],
    "housing": [("infra", 2), ("renewal", 2), ("eco", 1)],
    "city": [("infra", 2), ("eco", 1), ("renewal", 1)],
    "education": [("live", 1)],
    "commerce": [("service", 1)],
}
DEFAULT_DEPARTMENT_GROUPS: list[tuple[str, float]] = [
    ("infra", 2),
    ("service", 1),
    ("live", 1),
    ("opto", 0.5),
    ("smart", 0.5),
]
PROFILES: list[tuple[str, float]] = [  # (profile, weight %)
    ("continuing", 34),
    ("new", 14),
    ("completed", 8),
    ("operating", 4),
    ("late", 5),
    ("prep", 15),
    ("conceived", 5),
    ("reserve", 9),
    ("suspended", 4),
    ("cancelled", 2),
]
PLAN_TEXTS = ["完成主体封顶", "推进设备进场", "开展竣工验收准备", "完成管网敷设", "推进二期基础施工"]
SUSPEND_REASONS = ["企业投资计划调整，申请暂缓实施", "项目用地需调整规划指标，暂缓推进", "受市场需求变化影响暂缓建设"]
CANCEL_REASON = "项目选址与国土空间规划管控要求冲突，经研究决定取消"


def _base36(value: int, width: int) -> str:
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while value:
        value, digit = divmod(value, 36)
        out = chars[digit] + out
    return out.rjust(width, "0")[-width:]


@dataclass
class _Reference:
    """Lookup rows loaded once per run."""

    kinds_by_group: dict[str, list[Any]]
    industries: dict[str, Any]
    chains: dict[str, Any]
    levels: dict[str, Any]
    special_lists: list[Any]
    item_types: list[Any]


def _reference() -> _Reference:
    """The lookup rows the projects point to (the demo's industry chains and three more, created when missing)."""
    chains = {}
    for order, name in enumerate(CHAINS + EXTRA_CHAINS, start=1):
        chain = IndustryChain.objects.filter(name=name).first()
        if chain is None:
            chain = IndustryChain.objects.create(name=name, sort_order=order)
        chains[name] = chain
    kinds_by_group: dict[str, list[Any]] = {}
    for kind in KINDS:
        kinds_by_group.setdefault(kind.group, []).append(kind)
    codes = {kind.industry for kind in KINDS}
    industries = {c.code: c for c in IndustryCategory.objects.filter(code__in=codes)}
    return _Reference(
        kinds_by_group=kinds_by_group,
        industries=industries,
        chains=chains,
        levels={level.code: level for level in ProjectLevel.objects.all()},
        special_lists=list(SpecialList.objects.all()),
        item_types=list(ApprovalItemType.objects.filter(is_active=True).order_by("sort_order", "code")),
    )


@dataclass
class ProjectSpec:
    """What the reports, plans and items of one project are drawn from (kept only for its chunk)."""

    project: Any
    district: District
    profile: str
    group: str
    start: date | None  # actual start
    finish: date | None  # actual finish
    planned_start: date | None
    planned_finish: date | None
    stop: date | None = None  # last month with reports (suspended)
    stall: int = 0  # trailing months without investment
    pace: float = 1.0
    prep_reports: bool = False
    plans: dict[int, tuple[int, list[int] | None]] = field(default_factory=dict)  # year → (cents, curve cents)


def active_months(spec: ProjectSpec, year: int) -> list[int]:
    """Months (1–12) of `year` the project is expected to invest in."""
    begin = spec.start or spec.planned_start
    end = spec.finish or spec.planned_finish
    if begin is None:
        return []
    months = []
    for m in range(1, 13):
        first = date(year, m, 1)
        if first < begin.replace(day=1) or (end is not None and first > end.replace(day=1)):
            continue
        months.append(m)
    return months


def _responsible(district: District) -> list[tuple[Any, float]]:
    """The units that lead the district's projects, with weights (enterprises own projects; they lead none)."""
    pairs: list[tuple[Any, float]] = [(district.zone, 25.0)]
    pairs += [(u, 3.0) for u in district.platforms] + [(u, 1.0) for u in district.localities]
    pairs += [(u, 3.0 * DEPARTMENT_WEIGHTS.get(k, 0.3)) for k, u in district.departments.items()]
    # Normalise: departments 30%, localities 30%, zone 25%, platforms 15%.
    shares = {"department": 30.0, "locality": 30.0, "zone": 25.0, "platform": 15.0}
    kinds = {
        id(district.zone): "zone",
        **{id(u): "platform" for u in district.platforms},
        **{id(u): "locality" for u in district.localities},
        **{id(u): "department" for u in district.departments.values()},
    }
    totals: dict[str, float] = {}
    for unit, weight in pairs:
        totals[kinds[id(unit)]] = totals.get(kinds[id(unit)], 0.0) + weight
    return [(u, w * shares[kinds[id(u)]] / totals[kinds[id(u)]]) for u, w in pairs]


class _Projects:
    """Draws and writes the projects and everything under them, chunk by chunk, from the run's generator."""

    def __init__(self, run: SyntheticRun, org: SyntheticOrg, ref: _Reference):
        self.run = run
        self.rng = run.rng
        self.org = org
        self.office = synthetic_accounts(run).office
        self.ref = ref
        self.first, self.latest = run.first, run.latest
        self.year, self.years = run.year, run.years
        self.now, self.today, self.tz = run.now, run.today, run.tz
        self.district_weights = [d.weight for d in org.districts]
        self.responsible = {d.index: _responsible(d) for d in org.districts}

    # --- one project ---------------------------------------------------------------------------------------------

    def _timeline(self, profile: str) -> tuple[str, date | None, date | None, date | None, date | None, str]:
        """(stage, actual start, actual finish, planned start, planned finish, stage reason)."""
        rng, first, latest, year = self.rng, self.first, self.latest, self.year
        planned_start: date | None
        planned_finish: date | None
        jan = date(year, 1, 1)
        duration = max(6, int(rng.lognormvariate(math.log(24), 0.45)))
        if profile in ("continuing", "new", "completed", "operating", "suspended_built"):
            if profile == "continuing":
                lo = month_index(first) - 30
                hi = max(lo, month_index(jan) - 1)
                start_month = add_months(date(lo // 12, lo % 12 + 1, 1), rng.randint(0, hi - lo))
            elif profile == "new":
                start_month = add_months(jan, rng.randint(0, latest.month - 1))
            elif profile == "completed":
                lo = month_index(first) - 24
                start_month = add_months(date(lo // 12, lo % 12 + 1, 1), rng.randint(0, max(0, 20)))
            elif profile == "operating":
                lo = month_index(first) - 30
                start_month = add_months(date(lo // 12, lo % 12 + 1, 1), rng.randint(0, 18))
            else:
                lo = month_index(first) - 12
                start_month = add_months(date(lo // 12, lo % 12 + 1, 1), rng.randint(0, 12))
            if start_month > latest:
                start_month = latest
            start = day_in(rng, start_month, self.today)
            planned_start = start + timedelta(days=rng.randint(-90, 40))
            if profile == "new" and planned_start.year != year:
                planned_start = start
            planned_finish = add_months(start_month, duration) + timedelta(days=rng.randint(0, 27))
            finish = None
            stage = Stage.CONSTRUCTION
            reason = ""
            if profile in ("completed", "operating"):
                earliest = max(add_months(start_month, 3), first if profile == "completed" else start_month)
                latest_finish = latest if profile == "completed" else add_months(latest, -2)
                if earliest > latest_finish:
                    earliest = latest_finish
                span = month_index(latest_finish) - month_index(earliest)
                finish_month = add_months(earliest, rng.randint(0, max(0, span)))
                finish = max(start, day_in(rng, finish_month, self.today))
                planned_finish = finish + timedelta(days=rng.randint(-60, 60))
                stage = Stage.COMPLETED if profile == "completed" else Stage.OPERATING
            elif profile == "continuing" and planned_finish <= month_end(latest):
                planned_finish = add_months(latest, rng.randint(1, 18)) + timedelta(days=rng.randint(0, 27))
            elif profile == "suspended_built":
                stage, reason = Stage.SUSPENDED, rng.choice(SUSPEND_REASONS)
            return stage, start, finish, planned_start, planned_finish, reason
        # Not started.
        if profile == "late":
            planned_month = add_months(jan, rng.randint(0, latest.month - 1))
            planned_start = day_in(rng, planned_month)
            stage, reason = Stage.PREPARATION, ""
        elif profile == "prep":
            planned_month = add_months(latest, rng.randint(1, 14))
            planned_start = day_in(rng, planned_month)
            stage, reason = Stage.PREPARATION, ""
        elif profile == "suspended":
            planned_start = day_in(rng, add_months(latest, rng.randint(-6, 12)))
            stage, reason = Stage.SUSPENDED, rng.choice(SUSPEND_REASONS)
        elif profile == "cancelled":
            planned_start = day_in(rng, add_months(latest, rng.randint(-6, 12)))
            stage, reason = Stage.CANCELLED, CANCEL_REASON
        else:  # conceived / reserve
            planned_start = day_in(rng, add_months(latest, rng.randint(6, 30))) if rng.random() < 0.5 else None
            stage, reason = (Stage.CONCEIVED if profile == "conceived" else Stage.RESERVE), ""
        planned_finish = add_months(planned_start, duration) if planned_start else None
        return stage, None, None, planned_start, planned_finish, reason

    def _project(self, index: int) -> tuple[Any, ProjectSpec, list[Any], list[Any], list[Any], list[Any]]:
        rng = self.rng
        district = rng.choices(self.org.districts, weights=self.district_weights)[0]
        responsible = self.responsible[district.index]
        unit = rng.choices([u for u, _w in responsible], weights=[w for _u, w in responsible])[0]
        if unit.unit_type in GROUPS_BY_UNIT:
            group = weighted(rng, GROUPS_BY_UNIT[unit.unit_type])
        else:
            key = next((k for k, u in district.departments.items() if u is unit), "")
            group = weighted(rng, GROUPS_BY_DEPARTMENT.get(key, DEFAULT_DEPARTMENT_GROUPS))
        kind = rng.choice(self.ref.kinds_by_group[group])
        locality = unit if unit in district.localities else rng.choice(district.localities)
        median = math.sqrt(kind.size[0] * kind.size[1]) * 0.6
        total_wan = max(200.0, rng.lognormvariate(math.log(median), 1.0))
        total = int(round(total_wan)) * 100 if total_wan >= 1000 else int(round(total_wan * 100))

        profile = weighted(rng, PROFILES)
        if profile == "suspended" and rng.random() < 0.5:
            profile = "suspended_built"
        stage, start, finish, planned_start, planned_finish, reason = self._timeline(profile)
        industrial = group in ("opto", "smart")
        enterprise = rng.choice(district.enterprises) if industrial and rng.random() < 0.45 else None
        if enterprise is not None:
            owner, credit = enterprise.name, enterprise.credit_code
        elif kind.subject == "private" or group == "service":
            owner, credit = f"{district.name[:-1]}{rng.choice(BRANDS)}{rng.choice(ENTERPRISE_WORDS)}有限公司", ""
        elif kind.subject == "state":
            owner, credit = rng.choice(district.platforms).name, ""
        else:
            owner, credit = unit.name, ""
        subject = {
            "private": rng.choice(
                [InvestmentSubject.PRIVATE] * 6 + [InvestmentSubject.MIXED, InvestmentSubject.FOREIGN]
            ),
            "state": InvestmentSubject.STATE,
            "gov": InvestmentSubject.GOVERNMENT,
        }[kind.subject]
        code = None
        if profile not in ("conceived", "reserve") or rng.random() < 0.3:
            issued = max(date(2020, 11, 1), add_months(start or planned_start or self.latest, -rng.randint(3, 12)))
            issued = min(issued, self.latest)
            dd = {"opto": "04", "smart": "04", "service": "07"}.get(group, "03")
            tt = "02" if kind.nature == ConstructionNature.TECH_RENOVATION else "01"
            code = f"{issued:%y%m}-{district.code}-{dd}-{tt}-{_base36(index, 6)}"
        mu = Decimal(max(5, int(total / 100 / rng.uniform(80, 300))))
        m2 = Decimal(int(mu * Decimal(rng.uniform(400, 900))))
        values = {
            "mu": mu,
            "m2": m2,
            "eq": rng.randint(20, 300),
            "km": round(rng.uniform(0.8, 12), 1),
            "n": rng.randint(8, 60),
            "hh": rng.randint(300, 3000),
            "seats": rng.choice([540, 720, 900, 1080, 1350]),
            "beds": rng.choice([60, 100, 150, 200]),
        }
        stats_status, stats_month = StatsStatus.NOT_COUNTED, None
        if start is not None and rng.random() < 0.85:
            candidate = add_months(start.replace(day=1), rng.randint(1, 3))
            if candidate <= self.latest:
                stats_status, stats_month = StatsStatus.COUNTED, candidate
        fields = {
            "code": code,
            "name": f"{locality.short_name or locality.name}{kind.stem}",
            "owner_name": owner,
            "owner_credit_code": credit,
            "owner_enterprise": enterprise,
            "scale_content": kind.scale.format(**values) if kind.scale else "",
            "address": f"{locality.name}{rng.choice(['经三路', '纬五路', '创业大道', '科技路', '滨河路', '兴业路'])}"
            f"{rng.choice(['东段', '西段', '北侧', '南侧'])}",
            "longitude": Decimal(f"{110 + district.index % 7 + rng.uniform(0, 0.9):.6f}"),
            "latitude": Decimal(f"{31 + district.index % 5 + rng.uniform(0, 0.9):.6f}"),
            "industry": self.ref.industries.get(kind.industry),
            "chain": self.ref.chains.get(GROUP_CHAIN.get(group, "")),
            "domain": GROUP_DOMAIN[group],
            "construction_nature": kind.nature,
            "investment_subject": subject,
            "responsible_unit": unit,
            "locality": locality,
            "total_investment": cents(total),
            "construction_start": planned_start.replace(day=1) if planned_start else None,
            "construction_end": planned_finish.replace(day=1) if planned_finish else None,
            "planned_start": planned_start,
            "planned_finish": planned_finish,
            "actual_start": start,
            "actual_finish": finish,
            "is_industrial": industrial,
            "land_area_mu": mu,
            "floor_area_m2": m2,
            "stats_status": stats_status,
            "stats_month": stats_month,
            "stage": stage,
            "stage_reason": reason,
            "is_demo": True,
        }
        if industrial or group == "service":
            output = int(total / 100 * rng.uniform(1.2, 2.6))
            fields.update(
                expected_output=Decimal(output),
                expected_tax=Decimal(int(output * rng.uniform(0.03, 0.06))),
                expected_jobs=max(20, int(total / 100 / rng.randint(60, 160))),
            )
        project = Project(**fields)
        spec = ProjectSpec(project, district, profile, group, start, finish, planned_start, planned_finish)
        if profile == "suspended_built":
            spec.stop = add_months(self.latest, -rng.randint(1, 6))
        if stage == Stage.CONSTRUCTION and rng.random() < 0.06:
            spec.stall = rng.randint(2, 4)
        spec.pace = rng.lognormvariate(0, 0.35)
        spec.prep_reports = profile in ("late", "prep") and rng.random() < 0.6

        # Relations (their project ids are set after the projects are inserted).
        planned = stage not in (Stage.CONCEIVED, Stage.RESERVE, Stage.CANCELLED)
        levels = []
        if planned:
            levels.append(self.ref.levels["district"])
            roll = rng.random()
            if roll < 0.03:
                levels.append(self.ref.levels["provincial"])
            elif roll < 0.18:
                levels.append(self.ref.levels["city"])
        elif stage == Stage.RESERVE:
            levels.append(self.ref.levels["reserve"])
        sponsors = []
        if planned and rng.random() < 0.35:
            sponsors.append(rng.choices(district.leaders, weights=SPONSOR_WEIGHTS)[0])
        specials = []
        if planned and rng.random() < 0.08:
            special = rng.choice(self.ref.special_lists)
            batch = f"{self.year}年第{rng.randint(1, 4)}批" if special.has_batch else ""
            specials.append(ProjectSpecialList(project=project, special_list=special, batch=batch))
        kinds = {
            "private": [(FundingSourceKind.SELF, 0.6), (FundingSourceKind.BANK_LOAN, 0.4)],
            "state": [(FundingSourceKind.SELF, 0.3), (FundingSourceKind.BANK_LOAN, 0.4)],
            "gov": [(FundingSourceKind.DISTRICT, 0.3), (FundingSourceKind.CENTRAL_BUDGET, 0.2)],
        }[kind.subject]
        if kind.subject != "private":
            kinds = [*kinds, (FundingSourceKind.SPECIAL_BOND, 0.5)]
        n_rows = rng.randint(1, len(kinds))
        parts = split_cents(total // 100, [w * rng.uniform(0.6, 1.4) for _k, w in kinds[:n_rows]])
        # Whole 万元 per row; the cents of the total go to the first row, so the rows add up to the total.
        funding = [
            FundingSource(project=project, kind=k, amount=cents(p * 100 + (total % 100 if i == 0 else 0)))
            for i, ((k, _w), p) in enumerate(zip(kinds[:n_rows], parts, strict=True))
        ]
        return project, spec, levels, sponsors, specials, funding

    # --- plans ---------------------------------------------------------------------------------------------------

    def _plans(self, spec: ProjectSpec) -> list[Any]:
        rng, project = self.rng, spec.project
        if project.stage in (Stage.CONCEIVED, Stage.RESERVE, Stage.CANCELLED):
            return []
        total = int(project.total_investment * 100)
        plans = []
        for year in self.years:
            active = active_months(spec, year)
            if not active:
                continue
            if spec.start is None and (spec.planned_start is None or spec.planned_start.year != year):
                continue  # 前期 projects get a plan for their planned start year only
            begin = spec.start or spec.planned_start
            end = spec.finish or spec.planned_finish
            assert begin is not None and end is not None  # noqa: S101 - set for every planned project
            span = max(1, month_index(end) - month_index(begin) + 1)
            share = min(1.0, len(active) / span * rng.uniform(0.75, 1.25))
            if spec.start is None:
                share *= rng.uniform(0.3, 0.8)
            wan = max(10, int(total / 100 * share))
            plan_cents = wan * 100
            curve = None
            if rng.random() < 0.45:
                weights = [SEASON[m - 1] * rng.uniform(0.8, 1.2) if m in active else 0.0 for m in range(1, 13)]
                curve = split_cents(plan_cents, weights)
            spec.plans[year] = (plan_cents, curve)
            approved = year < self.year or rng.random() < 0.88
            amount = cents(plan_cents)
            curve_text = [str(cents(v)) for v in curve] if curve is not None else None
            approved_at = None
            if approved:
                day = date(year, rng.randint(1, 3), rng.randint(1, 28))
                approved_at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=self.tz)
                approved_at = min(approved_at, self.now)
            plans.append(
                AnnualPlan(
                    project=project,
                    year=year,
                    planned_investment=amount,
                    progress_target=rng.choice(PLAN_TEXTS) if spec.start else "完成前期手续并开工建设",
                    monthly_plan=curve_text,
                    planned_start_quarter=(begin.month - 1) // 3 + 1 if begin.year == year else None,
                    status=PlanStatus.APPROVED if approved else PlanStatus.DRAFT,
                    baseline_investment=amount if approved else None,
                    baseline_monthly_plan=curve_text if approved else None,
                    baseline_approved_at=approved_at,
                    baseline_approved_by=self.office if approved else None,
                )
            )
        return plans

    # --- approval items ------------------------------------------------------------------------------------------

    def _items(self, spec: ProjectSpec) -> list[Any]:
        rng, project, types = self.rng, spec.project, self.ref.item_types
        n = len(types)
        built = spec.start is not None
        if built:
            done_upto = n - 1 if spec.finish is not None else n - 2 + (1 if rng.random() < 0.5 else 0)
        elif project.stage in (Stage.PREPARATION, Stage.SUSPENDED):
            done_upto = rng.randint(0, n - 4)
        else:
            done_upto = rng.randint(0, 2) if rng.random() < 0.4 else 0
        anchor = spec.start or min(self.today, month_end(self.latest))
        items = []
        for order, item_type in enumerate(types):
            department = spec.district.departments.get(APPROVAL_DEPARTMENT.get(item_type.code, "ndrc"))
            status, completed, permit, due = ApprovalStatus.PENDING, None, "", None
            if item_type.code in OPTIONAL_ITEMS and rng.random() < 0.3:
                status = ApprovalStatus.NOT_APPLICABLE
            elif order < done_upto or (built and order < n - 2):
                status = ApprovalStatus.DONE
                if item_type.code == "completion_acceptance" and spec.finish is not None:
                    completed = spec.finish
                else:
                    completed = anchor - timedelta(days=(n - order) * rng.randint(4, 15))
                completed = min(completed, self.today)
                prefix = PERMITS.get(item_type.code)
                if prefix:
                    permit = f"{prefix}{spec.district.code}{completed.year}{rng.randint(1, 99999):05d}号"
            elif order == done_upto:
                status = ApprovalStatus.IN_PROGRESS
                due = self.latest + timedelta(days=rng.randint(-30, 90))
            else:
                due = self.latest + timedelta(days=rng.randint(30, 365)) if rng.random() < 0.5 else None
            items.append(
                ApprovalItem(
                    project=project,
                    item_type=item_type,
                    status=status,
                    department=department,
                    due_date=due,
                    completed_date=completed,
                    permit_no=permit,
                )
            )
        return items

    # --- a chunk ---------------------------------------------------------------------------------------------------

    def chunk(self, start: int, size: int) -> list[ProjectSpec]:
        run = self.run
        rows = [self._project(start + i) for i in range(size)]
        projects = [r[0] for r in rows]
        Project.objects.bulk_create(projects, batch_size=BATCH)
        levels, sponsors, specials, funding = [], [], [], []
        for project, _spec, lv, sp, sl, fu in rows:
            levels += [Project.levels.through(project_id=project.pk, projectlevel_id=level.pk) for level in lv]
            sponsors += [Project.sponsors.through(project_id=project.pk, person_id=person.pk) for person in sp]
            for entry in sl:
                entry.project = project
            specials += sl
            for row in fu:
                row.project = project
            funding += fu
        Project.levels.through.objects.bulk_create(levels, batch_size=BATCH)
        Project.sponsors.through.objects.bulk_create(sponsors, batch_size=BATCH)
        ProjectSpecialList.objects.bulk_create(specials, batch_size=BATCH)
        FundingSource.objects.bulk_create(funding, batch_size=BATCH)
        object_changes_bulk_record(projects, ChangeAction.CREATE, SOURCE)
        ProjectEvent.objects.bulk_create(
            [
                ProjectEvent(project=p, actor=self.office, type=ProjectEventType.CREATED, data={"source": SOURCE})
                for p in projects
            ],
            batch_size=BATCH,
        )
        items, plans = [], []
        for _project, spec, *_rest in rows:
            items += self._items(spec)
            plans += self._plans(spec)
        ApprovalItem.objects.bulk_create(items, batch_size=BATCH)
        AnnualPlan.objects.bulk_create(plans, batch_size=BATCH)
        for name, n in (
            ("projects", len(projects)),
            ("levels", len(levels)),
            ("sponsors", len(sponsors)),
            ("special_lists", len(specials)),
            ("funding_sources", len(funding)),
            ("change_log", len(projects)),
            ("project_events", len(projects)),
            ("approval_items", len(items)),
            ("annual_plans", len(plans)),
        ):
            run.count(name, n)
        return [spec for _project, spec, *_rest in rows]


def chunk_specs(run: SyntheticRun) -> list[ProjectSpec]:
    """The projects of the current chunk (written by `ProjectsStep` just before), with what they were drawn from."""
    return run.shared["projects.chunk"]


class ProjectsStep(SyntheticStep):
    """The reference data the projects use, then the projects, their relations, approval items and annual plans."""

    def __init__(self) -> None:
        self.generator: _Projects | None = None

    def setup(self, run: SyntheticRun) -> None:
        self.generator = _Projects(run, synthetic_org(run), _reference())

    def chunk(self, run: SyntheticRun, start: int, size: int) -> None:
        assert self.generator is not None  # setup() runs first
        run.shared["projects.chunk"] = self.generator.chunk(start, size)

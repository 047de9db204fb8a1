"""The 招商 figures: each one defined once, here, as a condition on leads (the facts-layer style of
`tuijin/facts/figures.py`), with its rule on docs/figures.md (section 招商引资).

`FIGURES[key].condition(period, today)` is a `Q` on `Lead`. The dashboard (`views_dashboard.py`), the API
(`/api/investment/kpis/`) and the lead list's drill-down (`?kpi=<key>&year=…&months=a-b`, `filtersets.py`) all use
that very condition, so a number and the list it links to always agree. `kpi_summary(leads, period)` computes
every figure of the dashboard for a restricted lead queryset in a fixed number of SQL statements (no per-lead query):

1. one aggregate over the leads (each lead's facts evaluated once in an inner query, each fact an uncorrelated
   `pk IN (subquery)`): the lead counts of the figures, the funds sums, the stage funnel;
2. the period's signings grouped at the finest grain (month × chain × unit × size band), plus
3. the leads counted by the fallback (signed, without any `Signing` row) at the same grain — rolled up in Python
   per dimension, so each breakdown's 合计 equals the total;
4. the government commitments by status (with their due and overdue counts);
5. the investor commitments by category.

Money is `Decimal` 万元 throughout; rates are percentages (`Decimal`, None when the divisor is 0).
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import (
    INVESTOR_CATEGORIES,
    OUTSTANDING,
    PIPELINE,
    PRODUCING_OR_LATER,
    SIGNED_OR_LATER,
    STARTED_OR_LATER,
    CaseStatus,
    CommitmentCategory,
    CommitmentSide,
    CommitmentState,
    CommitmentStatus,
    LeadStage,
    SizeBand,
)
from .models import Commitment, CommitmentCase, Signing
from .selectors import band_condition

__all__ = [
    "FIGURES",
    "Group",
    "Kpi",
    "KpiPeriod",
    "KpiSummary",
    "figure_leads",
    "funds_missing_note",
    "kpi_query",
    "kpi_summary",
    "parse_period",
]

ZERO = Decimal(0)
MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=2)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


# --------------------------------------------------------------------------------------------------------------
# The period


@dataclass(frozen=True)
class KpiPeriod:
    """A calendar year, optionally narrowed to months `first`…`last` (Asia/Shanghai dates)."""

    year: int
    first: int = 1
    last: int = 12

    @property
    def start(self) -> date:
        return date(self.year, self.first, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.last, calendar.monthrange(self.year, self.last)[1])

    @property
    def whole_year(self) -> bool:
        return (self.first, self.last) == (1, 12)

    @property
    def months(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    @property
    def label(self) -> str:
        if self.whole_year:
            return gettext("%(y)d年") % {"y": self.year}
        if self.first == self.last:
            return gettext("%(y)d年%(m)d月") % {"y": self.year, "m": self.first}
        return gettext("%(y)d年%(a)d—%(b)d月") % {"y": self.year, "a": self.first, "b": self.last}

    def params(self) -> dict[str, str]:
        """The list's query parameters of this period (months only when narrower than the year)."""
        params = {"year": str(self.year)}
        if not self.whole_year:
            params["months"] = f"{self.first}-{self.last}"
        return params

    def month(self, month: int) -> "KpiPeriod":
        return KpiPeriod(self.year, month, month)


def parse_period(year: Any = None, months: Any = None, *, today: date | None = None) -> KpiPeriod:
    """`year` ("2026") and `months` ("3-6", "3", "" = the whole year) from a query string; anything invalid falls
    back to this year (Asia/Shanghai) and the whole year."""
    today = today or timezone.localdate()
    try:
        y = int(str(year or "").strip())
    except ValueError:
        y = today.year
    if not 2000 <= y <= 2100:
        y = today.year
    first, last = 1, 12
    text = str(months or "").strip()
    if text:
        parts = text.split("-", 1)
        try:
            a = int(parts[0])
            b = int(parts[1]) if len(parts) > 1 else a
        except ValueError:
            a, b = 1, 12
        if 1 <= a <= b <= 12:
            first, last = a, b
    return KpiPeriod(y, first, last)


# --------------------------------------------------------------------------------------------------------------
# The conditions (each a Q on Lead)

# 已签约: the lead is at 签约 or later, or was when it was terminated.
SIGNED_LEAD = Q(stage__in=SIGNED_OR_LATER) | Q(stage=LeadStage.TERMINATED, terminated_from__in=SIGNED_OR_LATER)
TERMINATED = Q(stage=LeadStage.TERMINATED)


# Each per-lead fact is `pk IN (one uncorrelated subquery)`: the database computes the subquery once per statement
# (SQLite an ephemeral index, PostgreSQL a hashed subplan) instead of probing it for every lead — with the
# commitments' (side, status, due_date) index a correlated EXISTS would scan a quarter of the ledger per lead.
def _signings(period: KpiPeriod | None = None, **filters: Any) -> Q:
    rows = Signing.objects.filter(**filters)
    if period is not None:
        rows = rows.filter(signed_on__range=(period.start, period.end))
    return Q(pk__in=rows.order_by().values("lead_id"))


def _commitments(side: str, **filters: Any) -> Q:
    rows = Commitment.objects.filter(side=side, state=CommitmentState.SIGNED, **filters)
    return Q(pk__in=rows.order_by().values("lead_id"))


def _fallback(period: KpiPeriod) -> Q:
    """签约 or later without any Signing row (older data): counted from the lead's own 签约时间 and 合同总额, as a
    first signing."""
    return SIGNED_LEAD & Q(signed_date__range=(period.start, period.end)) & ~_signings()


def signed(period: KpiPeriod) -> Q:
    """签约项目: a signing of the period that counts the project (首次签约, 更换投资方), or the fallback."""
    return _signings(period, counts_project=True) | _fallback(period)


def signed_amount(period: KpiPeriod) -> Q:
    """计入签约金额: a signing of the period with a counted amount > 0, or the fallback with a total > 0."""
    return _signings(period, counted_amount__gt=0) | (_fallback(period) & Q(signed_total__gt=0))


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def bases(period: KpiPeriod, today: date) -> dict[str, Any]:
    """The per-lead facts every figure is built from (annotations `k_…`, true or false for each lead)."""
    gov, inv = CommitmentSide.GOVERNMENT, CommitmentSide.INVESTOR
    facts: dict[str, Q] = {
        "k_signed": signed(period),
        "k_amount": signed_amount(period),
        "k_has_signing": _signings(),
        "k_inv_overdue": _commitments(inv, status__in=OUTSTANDING, due_date__lt=today),
        "k_open_case": Q(
            pk__in=CommitmentCase.objects.filter(status=CaseStatus.OPEN).order_by().values("commitment__lead_id")
        ),
        "k_gov": _commitments(gov),
        "k_gov_matured": _commitments(gov, due_date__lte=today),
        "k_gov_matured_fulfilled": _commitments(gov, due_date__lte=today, status=CommitmentStatus.FULFILLED),
        "k_gov_overdue": _commitments(gov, status__in=OUTSTANDING, due_date__lt=today),
        "k_inv": _commitments(inv),
    }
    for status in CommitmentStatus:
        facts[f"k_gov_{status.value}"] = _commitments(gov, status=status.value)
    for category in INVESTOR_CATEGORIES:
        facts[f"k_inv_{category.value}"] = _commitments(inv, category=category.value)
    flags = {name: _flag(condition) for name, condition in facts.items()}
    return flags


@dataclass(frozen=True)
class Kpi:
    """A named figure: `condition` is a Q over a lead's fields and its `k_…` facts (`bases`)."""

    key: str
    label: str | Promise
    condition: Q
    periodic: bool = True  # False: the figure is the ledger as of today, whatever the period

    @property
    def needs(self) -> set[str]:
        """The `k_…` facts the condition reads."""
        found: set[str] = set()

        def walk(node: Any) -> None:
            for child in node.children:
                if isinstance(child, Q):
                    walk(child)
                else:
                    name = child[0].split("__")[0]
                    if name.startswith("k_"):
                        found.add(name)

        walk(self.condition)
        return found


SIGNED = Q(k_signed=True)
STARTED = Q(stage__in=STARTED_OR_LATER)  # 开工 or later (终止 is not in it)
PERFORMING = SIGNED & ~TERMINATED & Q(k_inv_overdue=False, k_open_case=False)


def _figures() -> dict[str, Kpi]:
    figures = [
        Kpi("signed", _("签约项目"), SIGNED),
        Kpi("signed_amount", _("计入签约金额的项目"), Q(k_amount=True)),
        Kpi("signed_fallback", _("签约项目（无签约记录，按项目签约信息计）"), SIGNED & Q(k_has_signing=False)),
        Kpi("started", _("签约项目中已开工"), SIGNED & STARTED),
        Kpi("not_started", _("签约项目中未开工"), SIGNED & ~STARTED),
        Kpi("producing", _("签约项目中已投产"), SIGNED & Q(stage__in=PRODUCING_OR_LATER)),
        Kpi("signed_terminated", _("签约项目中已终止"), SIGNED & TERMINATED),
        Kpi("performing", _("履约项目"), PERFORMING),
        Kpi("not_performing", _("未履约项目"), SIGNED & (TERMINATED | Q(k_inv_overdue=True) | Q(k_open_case=True))),
        Kpi("funds_base", _("有合同总额的签约项目"), SIGNED & Q(signed_total__isnull=False)),
        Kpi(
            "funds_missing",
            _("未填到位资金的签约项目"),
            SIGNED & Q(signed_total__isnull=False, arrived_funds__isnull=True),
        ),
        Kpi("gov", _("有政府承诺的项目"), Q(k_gov=True), False),
        Kpi("gov_matured", _("政府承诺已到期的项目"), Q(k_gov_matured=True), False),
        Kpi("gov_matured_fulfilled", _("到期政府承诺已兑现的项目"), Q(k_gov_matured_fulfilled=True), False),
        Kpi("gov_overdue", _("政府承诺逾期的项目"), Q(k_gov_overdue=True), False),
        Kpi("inv_overdue", _("企业承诺逾期的项目"), Q(k_inv_overdue=True), False),
        Kpi("open_case", _("有待处理违约/调整的项目"), Q(k_open_case=True), False),
    ]
    for status in CommitmentStatus:
        label = _("政府承诺“%(s)s”的项目") % {"s": status.label}
        figures.append(Kpi(f"gov_{status.value}", label, Q(**{f"k_gov_{status.value}": True}), False))
    figures.append(Kpi("inv", _("有企业承诺的项目"), Q(k_inv=True), False))
    for category in INVESTOR_CATEGORIES:
        label = _("企业承诺“%(c)s”的项目") % {"c": category.label}
        figures.append(Kpi(f"inv_{category.value}", label, Q(**{f"k_inv_{category.value}": True}), False))
    keyed = {f.key: f for f in figures}
    assert len(keyed) == len(figures), "duplicate figure key"  # noqa: S101 - a programming error
    return keyed


FIGURES: dict[str, Kpi] = _figures()


def with_facts(leads: QuerySet, names: Iterable[str], period: KpiPeriod, today: date) -> QuerySet:
    """`leads` annotated with the `k_…` facts named."""
    available = bases(period, today)
    return leads.annotate(**{name: available[name] for name in sorted(names)})


def figure_leads(leads: QuerySet, key: str, period: KpiPeriod, today: date | None = None) -> QuerySet:
    """`leads` narrowed to those the figure `key` counts in `period`: the drill-down of that number."""
    figure = FIGURES[key]
    annotated = with_facts(leads, figure.needs, period, today or timezone.localdate())
    return annotated.filter(figure.condition)


def kpi_query(key: str, period: KpiPeriod, **filters: Any) -> str:
    """The lead list's query string for a figure (with the period when the figure has one) and further filters."""
    if key not in FIGURES:
        raise KeyError(key)
    params: dict[str, Any] = {"kpi": key}
    if FIGURES[key].periodic:
        params.update(period.params())
    params.update({k: v for k, v in filters.items() if v not in (None, "")})
    return urlencode(params)


def funds_missing_note(count: int) -> str:
    """What 资金到位率 says about the signed projects without 到位资金: "另有 2 个项目未填到位资金" ("" when none)."""
    if not count:
        return ""
    return gettext("另有 %(n)d 个项目未填到位资金") % {"n": count}


def rate(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """part ÷ whole as a percentage, exact to the cent (half up); None when the divisor is 0 or unknown."""
    if part is None or not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------------------------
# The summary


@dataclass
class Group:
    """One row of a breakdown: 签约项目数 and 签约金额 (万元) of a size band, chain, unit or month."""

    key: str
    label: str
    count: int = 0
    amount: Decimal = ZERO
    filters: dict[str, str] = field(default_factory=dict)  # the lead list's filters beside kpi/period
    count_query: str = ""
    amount_query: str = ""


@dataclass
class PromiseRow:
    key: str  # the drill-down figure
    label: str
    count: int = 0  # commitments
    leads: int = 0  # leads having one (= the linked list's count)
    amount: Decimal = ZERO
    realised: Decimal = ZERO
    target: Decimal | None = None
    realised_value: Decimal | None = None
    target_unit: str = ""
    query: str = ""


@dataclass
class KpiSummary:
    period: KpiPeriod
    today: date
    signed_count: int = 0  # 签约项目数 (signings that count the project, plus the fallback)
    signed_amount: Decimal = ZERO  # 签约金额 (万元)
    figures: dict[str, int] = field(default_factory=dict)  # lead counts of FIGURES
    queries: dict[str, str] = field(default_factory=dict)  # the drill-down of each figure
    start_rate: Decimal | None = None
    production_rate: Decimal | None = None
    performance_rate: Decimal | None = None
    funds_total: Decimal = ZERO  # Σ signed_total of the signed projects with one
    funds_arrived: Decimal = ZERO  # Σ arrived_funds of those (未填 = 0)
    funds_rate: Decimal | None = None
    funds_note: str = ""
    by_band: list[Group] = field(default_factory=list)
    by_chain: list[Group] = field(default_factory=list)
    by_unit: list[Group] = field(default_factory=list)
    by_month: list[Group] = field(default_factory=list)
    funnel: list[dict[str, Any]] = field(default_factory=list)
    gov_by_status: list[PromiseRow] = field(default_factory=list)
    gov_total: PromiseRow | None = None
    gov_matured: int = 0  # signed government commitments due by today
    gov_matured_fulfilled: int = 0  # … of which 已兑现
    gov_rate: Decimal | None = None  # 兑现率
    gov_overdue: int = 0  # commitments past due and outstanding
    investor_by_category: list[PromiseRow] = field(default_factory=list)

    @property
    def signed_leads(self) -> int:
        return self.figures.get("signed", 0)

    def as_dict(self) -> dict[str, Any]:
        """The API's JSON: money and rates as strings (exact Decimal), counts as integers."""

        def money(value: Decimal | None) -> str | None:
            # exact to the cent, the same on SQLite and PostgreSQL (sums come back with varying exponents)
            return None if value is None else str(Decimal(value).quantize(CENT))

        def group(g: Group) -> dict[str, Any]:
            return {"key": g.key, "label": g.label, "count": g.count, "amount": money(g.amount)}

        def promise(r: PromiseRow) -> dict[str, Any]:
            return {
                "key": r.key,
                "label": r.label,
                "count": r.count,
                "leads": r.leads,
                "amount": money(r.amount),
                "realised": money(r.realised),
                "target": money(r.target),
                "realised_value": money(r.realised_value),
                "target_unit": r.target_unit,
            }

        p = self.period
        return {
            "period": {"year": p.year, "first_month": p.first, "last_month": p.last, "label": p.label},
            "today": self.today.isoformat(),
            "signed_count": self.signed_count,
            "signed_amount": money(self.signed_amount),
            "signed_leads": self.signed_leads,
            "start_rate": money(self.start_rate),
            "production_rate": money(self.production_rate),
            "performance_rate": money(self.performance_rate),
            "funds": {
                "total": money(self.funds_total),
                "arrived": money(self.funds_arrived),
                "rate": money(self.funds_rate),
                "missing": self.figures.get("funds_missing", 0),
            },
            "figures": dict(self.figures),
            "by_band": [group(g) for g in self.by_band],
            "by_chain": [group(g) for g in self.by_chain],
            "by_unit": [group(g) for g in self.by_unit],
            "by_month": [group(g) for g in self.by_month],
            "funnel": [{"stage": s["stage"], "label": s["label"], "count": s["count"]} for s in self.funnel],
            "government": {
                "by_status": [promise(r) for r in self.gov_by_status],
                "total": promise(self.gov_total) if self.gov_total else None,
                "matured": self.gov_matured,
                "matured_fulfilled": self.gov_matured_fulfilled,
                "rate": money(self.gov_rate),
                "overdue": self.gov_overdue,
            },
            "investor_by_category": [promise(r) for r in self.investor_by_category],
        }


# The lead counts of the one aggregate statement (FIGURES keys).
LEAD_COUNTS = (
    "signed",
    "signed_amount",
    "signed_fallback",
    "started",
    "not_started",
    "producing",
    "signed_terminated",
    "performing",
    "not_performing",
    "funds_base",
    "funds_missing",
    "gov",
    "gov_overdue",
    "inv_overdue",
    "open_case",
)


def _band_case() -> Case:
    """The size band of the row's `sized_amount` (see selectors.with_amount)."""
    return Case(*[When(band_condition(b), then=Value(b.value)) for b in SizeBand], default=Value(""))


def _lead_aggregate(leads: QuerySet, period: KpiPeriod, today: date) -> dict[str, Any]:
    # The facts are annotated once per lead in an inner query; the outer statement counts the figures over them.
    needed = set().union(*(FIGURES[key].needs for key in LEAD_COUNTS))
    # DISTINCT (a no-op: one row per lead) makes Django aggregate over an inner query, and the database evaluate
    # each fact once per lead instead of once per figure that reads it.
    inner = with_facts(leads.order_by(), needed, period, today).distinct()
    aggregates: dict[str, Any] = {key: Count("pk", filter=FIGURES[key].condition) for key in LEAD_COUNTS}
    funds = FIGURES["funds_base"].condition
    aggregates["funds_total"] = Sum("signed_total", filter=funds)
    aggregates["funds_arrived"] = Sum("arrived_funds", filter=funds)
    for stage in [*PIPELINE, LeadStage.TERMINATED]:
        aggregates[f"stage_{stage.value}"] = Count("pk", filter=Q(stage=stage))
    return inner.aggregate(**aggregates)


GRAIN = ("month", "chain_id", "chain_name", "chain_order", "unit_id", "unit_name", "unit_short", "band")


def _signing_cells(leads: QuerySet, period: KpiPeriod) -> Iterable[dict[str, Any]]:
    """The period's signings and the fallback leads, grouped at the finest grain (two statements)."""
    signings = (
        Signing.objects.filter(lead__in=leads.order_by().values("pk"), signed_on__range=(period.start, period.end))
        .annotate(sized_amount=Coalesce("lead__signed_total", "lead__planned_investment", output_field=MONEY))
        .annotate(
            month=ExtractMonth("signed_on"),
            chain_id=F("lead__chain_id"),
            chain_name=F("lead__chain__name"),
            chain_order=F("lead__chain__sort_order"),
            unit_id=F("lead__tracking_unit_id"),
            unit_name=F("lead__tracking_unit__name"),
            unit_short=F("lead__tracking_unit__short_name"),
            band=_band_case(),
        )
        .order_by()
        .values(*GRAIN)
        .annotate(n=Count("pk", filter=Q(counts_project=True)), amount=Sum("counted_amount"))
    )
    yield from signings
    fallback = (
        leads.order_by()
        .filter(_fallback(period))
        .annotate(sized_amount=Coalesce("signed_total", "planned_investment", output_field=MONEY))
        .annotate(
            month=ExtractMonth("signed_date"),
            chain_name=F("chain__name"),
            chain_order=F("chain__sort_order"),
            unit_id=F("tracking_unit_id"),
            unit_name=F("tracking_unit__name"),
            unit_short=F("tracking_unit__short_name"),
            band=_band_case(),
        )
        .values(*GRAIN)
        .annotate(n=Count("pk"), amount=Sum("signed_total"))
    )
    yield from fallback


def _rollups(summary: KpiSummary, cells: Iterable[dict[str, Any]]) -> None:
    period = summary.period
    bands = {b.value: Group(b.value, str(b.label), filters={"band": b.value}) for b in SizeBand}
    months = {m: Group(str(m), gettext("%(m)d月") % {"m": m}, filters=period.month(m).params()) for m in period.months}
    chains: dict[Any, Group] = {}
    chain_order: dict[Any, tuple] = {}
    units: dict[Any, Group] = {}
    for cell in cells:
        n, amount = cell["n"] or 0, cell["amount"] or ZERO
        summary.signed_count += n
        summary.signed_amount += amount
        targets = [bands[cell["band"]], months[cell["month"]]]
        chain_id = cell["chain_id"]
        if chain_id not in chains:
            label = cell["chain_name"] if chain_id is not None else gettext("未填")
            chains[chain_id] = Group(str(chain_id or "none"), label, filters={"chain": str(chain_id or "null")})
            chain_order[chain_id] = (chain_id is None, cell["chain_order"] or 0, label)
        unit_id = cell["unit_id"]
        if unit_id not in units:
            units[unit_id] = Group(
                str(unit_id), cell["unit_short"] or cell["unit_name"], filters={"unit": str(unit_id)}
            )
        targets += [chains[chain_id], units[unit_id]]
        for group in targets:
            group.count += n
            group.amount += amount
    summary.by_band = list(bands.values())
    summary.by_month = [months[m] for m in period.months]
    summary.by_chain = sorted(chains.values(), key=lambda g: chain_order[None if g.key == "none" else int(g.key)])
    summary.by_unit = sorted(units.values(), key=lambda g: (-g.count, -g.amount, g.label))
    for group in [*summary.by_band, *summary.by_chain, *summary.by_unit]:
        group.count_query = kpi_query("signed", period, **group.filters)
        group.amount_query = kpi_query("signed_amount", period, **group.filters)
    for month, group in months.items():  # a month's drill-down is the period narrowed to that month
        group.count_query = kpi_query("signed", period.month(month))
        group.amount_query = kpi_query("signed_amount", period.month(month))


def _commitment_rows(summary: KpiSummary, leads: QuerySet, today: date) -> None:
    period = summary.period
    base = Commitment.objects.filter(lead__in=leads.order_by().values("pk"), state=CommitmentState.SIGNED).order_by()
    gov = base.filter(side=CommitmentSide.GOVERNMENT)
    status_labels = dict(CommitmentStatus.choices)
    overdue = Q(status__in=OUTSTANDING, due_date__lt=today)
    by_status = {
        row["status"]: row
        for row in gov.values("status").annotate(
            n=Count("pk"),
            leads_n=Count("lead", distinct=True),
            amount=Sum("amount"),
            realised=Sum("realised_amount"),
            matured=Count("pk", filter=Q(due_date__lte=today)),
            overdue=Count("pk", filter=overdue),
        )
    }
    for status in CommitmentStatus:
        row = by_status.get(status.value, {})
        summary.gov_by_status.append(
            PromiseRow(
                key=f"gov_{status.value}",
                label=str(status_labels[status.value]),
                count=row.get("n", 0),
                leads=row.get("leads_n", 0),
                amount=row.get("amount") or ZERO,
                realised=row.get("realised") or ZERO,
                query=kpi_query(f"gov_{status.value}", period),
            )
        )
    rows = list(by_status.values())
    summary.gov_total = PromiseRow(
        key="gov",
        label=gettext("合计"),
        count=sum(r["n"] for r in rows),
        leads=summary.figures["gov"],  # a lead with lines in two statuses is one lead
        amount=sum((r["amount"] or ZERO for r in rows), ZERO),
        realised=sum((r["realised"] or ZERO for r in rows), ZERO),
        query=kpi_query("gov", period),
    )
    summary.gov_matured = sum(r["matured"] for r in rows)
    summary.gov_matured_fulfilled = by_status.get(CommitmentStatus.FULFILLED.value, {}).get("matured", 0)
    summary.gov_overdue = sum(r["overdue"] for r in rows)
    summary.gov_rate = rate(summary.gov_matured_fulfilled, summary.gov_matured)
    investor = base.filter(side=CommitmentSide.INVESTOR)
    by_category = {
        row["category"]: row
        for row in investor.values("category").annotate(
            n=Count("pk"),
            leads_n=Count("lead", distinct=True),
            amount=Sum("amount"),
            realised=Sum("realised_amount"),
            target=Sum("target_value"),
            realised_value=Sum("realised_value"),
            unit_min=Min("target_unit"),
            unit_max=Max("target_unit"),
        )
    }
    labels = dict(CommitmentCategory.choices)
    for category in INVESTOR_CATEGORIES:
        row = by_category.get(category.value, {})
        same_unit = row.get("unit_min") == row.get("unit_max")
        summary.investor_by_category.append(
            PromiseRow(
                key=f"inv_{category.value}",
                label=str(labels[category.value]),
                count=row.get("n", 0),
                leads=row.get("leads_n", 0),
                amount=row.get("amount") or ZERO,
                realised=row.get("realised") or ZERO,
                # indicators are summed only when every line of the category has the same unit (人, 万元 …)
                target=row.get("target") if same_unit else None,
                realised_value=row.get("realised_value") if same_unit else None,
                target_unit=(row.get("unit_min") or "") if same_unit else "",
                query=kpi_query(f"inv_{category.value}", period),
            )
        )


def kpi_summary(leads: QuerySet, period: KpiPeriod, today: date | None = None) -> KpiSummary:
    """Every 招商 figure of `period` for `leads` (a queryset already restricted to the user's scope)."""
    today = today or timezone.localdate()
    summary = KpiSummary(period=period, today=today)
    totals = _lead_aggregate(leads, period, today)
    summary.figures = {key: int(totals[key] or 0) for key in LEAD_COUNTS}
    summary.queries = {key: kpi_query(key, period) for key in FIGURES}
    signed_leads = summary.figures["signed"]
    summary.start_rate = rate(summary.figures["started"], signed_leads)
    summary.production_rate = rate(summary.figures["producing"], signed_leads)
    summary.performance_rate = rate(summary.figures["performing"], signed_leads)
    summary.funds_total = totals["funds_total"] or ZERO
    summary.funds_arrived = totals["funds_arrived"] or ZERO
    summary.funds_rate = rate(summary.funds_arrived, summary.funds_total)
    summary.funds_note = funds_missing_note(summary.figures["funds_missing"])
    summary.funnel = [
        {
            "stage": stage.value,
            "label": str(stage.label),
            "count": totals[f"stage_{stage.value}"],
            "query": urlencode({"stage": stage.value}),
        }
        for stage in [*PIPELINE, LeadStage.TERMINATED]
    ]
    _rollups(summary, _signing_cells(leads, period))
    _commitment_rows(summary, leads, today)
    return summary

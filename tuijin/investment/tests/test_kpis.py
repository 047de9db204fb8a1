"""The 招商 figures (kpis.py) against values computed by hand on a small constructed world (year 2025, district
测试区, amounts in 万元; "(signed)" commitments are 已签订, due 2020 is past due, 2099 is not):

- L1, unit A, 光电, 开工: 首次 2025-02 40000 (counts) and 升格 2025-06 +10000; total 50000, arrived 20000;
  gov 奖补 500 已兑现 (due 2020), inv 固投 40000 (due 2099).
- L2, unit A, 光电, 签约: no Signing row, the fallback from 签约时间 2025-03; total 25000, arrived 未填;
  gov 税费 300 无法兑现 (due 2021).
- L3, unit A, 智能, 投产: 首次 2024-05 (another year), 增资 2025-04 +20000; total 120000;
  inv 就业 200人, 部分兑现 120 (due 2020: overdue).
- L4, unit B, 智能, 终止 from 开工: 首次 2025-05 80000; total 80000, arrived 10000; gov 土地 未达条件 (due 2099),
  inv 就业 100人 已兑现.
- L5, unit B, chain 未填, 注册: 首次 2023-01, 更换投资方 2025-07 30000 (counts); total 30000, arrived 30000;
  gov 配套 100 待兑现 (due 2020: overdue), inv 到资 30000 with an open 违约/调整 case.
- L6, unit A, 光电, 在谈: planned 10000.
- L7, unit A, 智能, 达产: no Signing row, fallback 2025-09, no amount.
- L9, unit A, 智能, 签约: 首次 2025-10 60000; total 60000, arrived 0; inv 产值 50000万元 (due 2020: overdue) and a
  DRAFT gov line (ignored).
- L8, the neighbouring district, 签约: 首次 2025-03 99999: outside every scope of the district.
"""

from datetime import date
from decimal import Decimal

import pytest

from tuijin.investment.choices import (
    CommitmentCategory,
    CommitmentSide,
    CommitmentState,
    CommitmentStatus,
    LeadStage,
    SigningKind,
)
from tuijin.investment.kpis import FIGURES, KpiPeriod, figure_leads, kpi_summary, parse_period, rate
from tuijin.investment.models import Commitment, CommitmentCase, Lead, Signing
from tuijin.projects.models import IndustryChain

TODAY = date(2026, 12, 6)
YEAR = KpiPeriod(2025)
D = Decimal

_STAGE_DATA: dict[str, dict] = {
    LeadStage.SIGNED: {},
    LeadStage.REGISTERED: {"registered_name": "注册企业"},
    LeadStage.STARTED: {"registered_name": "注册企业", "start_date": date(2025, 6, 1)},
    LeadStage.PRODUCING: {
        "registered_name": "注册企业",
        "start_date": date(2024, 6, 1),
        "production_date": date(2025, 6, 1),
    },
    LeadStage.REACHED: {
        "registered_name": "注册企业",
        "start_date": date(2025, 9, 20),
        "production_date": date(2025, 10, 1),
        "reached_date": date(2025, 11, 1),
    },
}


def make(name, unit, stage, *, chain=None, signed_date=None, terminated_from="", **fields) -> Lead:
    data: dict = dict(_STAGE_DATA.get(LeadStage(terminated_from or stage), {}))
    data.update(fields)
    if stage == LeadStage.TERMINATED:
        data.update(terminated_from=terminated_from, termination_reason="投资方撤回")
    return Lead.objects.create(
        name=name,
        investor=f"{name}投资方",
        tracking_unit=unit,
        chain=chain,
        stage=stage,
        signed_date=signed_date,
        contract_kind="contract" if signed_date else "",
        **data,
    )


def sign(lead, kind, on, total, counted, counts=None) -> Signing:
    if counts is None:
        counts = kind in (SigningKind.FIRST, SigningKind.NEW_INVESTOR)
    return Signing.objects.create(
        lead=lead,
        kind=kind,
        signed_on=on,
        contract_kind="contract",
        investor=lead.investor,
        total=D(total),
        counted_amount=D(counted),
        counts_project=counts,
    )


def promise(lead, side, category, due, status=CommitmentStatus.NOT_MET, *, unit=None, **fields) -> Commitment:
    if status in (CommitmentStatus.PARTIAL, CommitmentStatus.UNABLE):
        fields.setdefault("status_note", "说明")
    if status == CommitmentStatus.FULFILLED:
        fields.setdefault("fulfilled_on", due)
    return Commitment.objects.create(
        lead=lead,
        side=side,
        category=category,
        content=f"{lead.name}{category}",
        due_date=due,
        status=status,
        state=fields.pop("state", CommitmentState.SIGNED),
        responsible_unit=unit if side == CommitmentSide.GOVERNMENT else None,
        **fields,
    )


GOV, INV = CommitmentSide.GOVERNMENT, CommitmentSide.INVESTOR
C = CommitmentCategory
S = CommitmentStatus
PAST, FUTURE = date(2020, 1, 1), date(2099, 12, 31)


@pytest.fixture
def kw(world):
    """The constructed world; returns the leads by name."""
    opto = IndustryChain.objects.create(name="测试光电", sort_order=1)
    smart = IndustryChain.objects.create(name="测试智能", sort_order=2)
    a, b = world.unit_a, world.unit_b
    L1 = make("L1", a, LeadStage.STARTED, chain=opto, signed_date=date(2025, 2, 10), signed_total=D(50000))
    L1.arrived_funds = D(20000)
    L1.save()
    sign(L1, SigningKind.FIRST, date(2025, 2, 10), 40000, 40000)
    sign(L1, SigningKind.UPGRADE, date(2025, 6, 5), 50000, 10000)
    promise(L1, GOV, C.SUBSIDY, PAST, S.FULFILLED, unit=a, amount=D(500), realised_amount=D(500))
    promise(L1, INV, C.CAPEX, FUTURE, amount=D(40000))

    L2 = make("L2", a, LeadStage.SIGNED, chain=opto, signed_date=date(2025, 3, 1), signed_total=D(25000))
    promise(L2, GOV, C.TAX_FEE, date(2021, 1, 1), S.UNABLE, unit=a, amount=D(300))

    L3 = make("L3", a, LeadStage.PRODUCING, chain=smart, signed_date=date(2024, 5, 1), signed_total=D(120000))
    sign(L3, SigningKind.FIRST, date(2024, 5, 1), 100000, 100000)
    sign(L3, SigningKind.INCREASE, date(2025, 4, 10), 120000, 20000)
    promise(L3, INV, C.JOBS, date(2020, 6, 30), S.PARTIAL, target_value=D(200), target_unit="人", realised_value=D(120))

    L4 = make(
        "L4",
        b,
        LeadStage.TERMINATED,
        terminated_from=LeadStage.STARTED,
        chain=smart,
        signed_date=date(2025, 5, 20),
        signed_total=D(80000),
        arrived_funds=D(10000),
    )
    sign(L4, SigningKind.FIRST, date(2025, 5, 20), 80000, 80000)
    promise(L4, GOV, C.LAND, FUTURE, unit=b)
    promise(L4, INV, C.JOBS, FUTURE, S.FULFILLED, target_value=D(100), target_unit="人", realised_value=D(100))

    L5 = make(
        "L5", b, LeadStage.REGISTERED, signed_date=date(2023, 1, 1), signed_total=D(30000), arrived_funds=D(30000)
    )
    sign(L5, SigningKind.FIRST, date(2023, 1, 1), 20000, 20000)
    sign(L5, SigningKind.NEW_INVESTOR, date(2025, 7, 1), 30000, 30000)
    promise(L5, GOV, C.UTILITIES, PAST, S.DUE, unit=b, amount=D(100))
    funds = promise(L5, INV, C.FUNDS, FUTURE, amount=D(30000), realised_amount=D(10000))
    CommitmentCase.objects.create(commitment=funds, shortfall="到资不足", opened_by=world.office)

    L6 = make("L6", a, LeadStage.NEGOTIATING, chain=opto, planned_investment=D(10000))

    L7 = make("L7", a, LeadStage.REACHED, chain=smart, signed_date=date(2025, 9, 9))

    L9 = make(
        "L9", a, LeadStage.SIGNED, chain=smart, signed_date=date(2025, 10, 1), signed_total=D(60000), arrived_funds=D(0)
    )
    sign(L9, SigningKind.FIRST, date(2025, 10, 1), 60000, 60000)
    promise(L9, INV, C.OUTPUT, PAST, target_value=D(50000), target_unit="万元")
    promise(L9, GOV, C.SERVICE, PAST, unit=a, amount=D(700), state=CommitmentState.DRAFT)

    L8 = make("L8", world.foreign_unit, LeadStage.SIGNED, signed_date=date(2025, 3, 3), signed_total=D(99999))
    sign(L8, SigningKind.FIRST, date(2025, 3, 3), 99999, 99999)
    promise(L8, GOV, C.LAND, PAST, unit=world.foreign_unit, amount=D(1))
    return {"L1": L1, "L2": L2, "L3": L3, "L4": L4, "L5": L5, "L6": L6, "L7": L7, "L8": L8, "L9": L9}


def district(world):
    return Lead.objects.restrict(world.office, "view")


def test_headline_figures_by_hand(world, kw):
    s = kpi_summary(district(world), YEAR, TODAY)
    # L1, L2 (fallback), L4, L5 (更换投资方), L7 (fallback), L9; not L3 (增资 only), L6, nor the foreign L8
    assert s.signed_count == 6
    assert s.signed_leads == 6
    # 40000 + 10000 (升格 increment) + 25000 + 20000 (增资) + 80000 + 30000 + 0 (L7, no amount) + 60000
    assert s.signed_amount == D("265000.00")
    assert s.figures["signed_amount"] == 6  # L7 adds nothing
    assert s.figures["signed_fallback"] == 2  # L2, L7
    assert s.figures["started"] == 2  # L1 开工, L7 达产 (L4 is 终止)
    assert s.figures["not_started"] == 4
    assert s.start_rate == D("33.33")
    assert s.figures["producing"] == 1 and s.production_rate == D("16.67")
    assert s.figures["signed_terminated"] == 1
    # L1, L2, L7; not L4 (终止), L5 (open case), L9 (investor output overdue)
    assert s.figures["performing"] == 3 and s.figures["not_performing"] == 3
    assert s.performance_rate == D("50.00")
    # Σ arrived (20000 + 0 (L2 未填) + 10000 + 30000 + 0) ÷ Σ signed_total (50000 + 25000 + 80000 + 30000 + 60000)
    assert s.figures["funds_base"] == 5
    assert s.funds_total == D("245000.00") and s.funds_arrived == D("60000.00")
    assert s.funds_rate == D("24.49")
    assert s.figures["funds_missing"] == 1
    assert s.funds_note == "另有 1 个项目未填到位资金"


def test_breakdowns_by_hand(world, kw):
    s = kpi_summary(district(world), YEAR, TODAY)
    bands = {g.key: (g.count, g.amount) for g in s.by_band}
    assert bands == {
        "lt3": (1, D("25000")),  # L2
        "3to10": (4, D("220000")),  # L1 50000, L4 80000, L5 30000 (3亿 is 3–10亿), L9 60000
        "10to20": (0, D("20000")),  # L3's 增资: amount without a project
        "ge20": (0, D("0")),
        "unknown": (1, D("0")),  # L7
    }
    assert [(g.label, g.count, g.amount) for g in s.by_chain] == [
        ("测试光电", 2, D("75000")),
        ("测试智能", 3, D("160000")),
        ("未填", 1, D("30000")),  # blank chain last
    ]
    units = {g.label: (g.count, g.amount) for g in s.by_unit}
    assert units == {world.unit_a.display_name: (4, D("155000")), world.unit_b.display_name: (2, D("110000"))}
    months = {int(g.key): (g.count, g.amount) for g in s.by_month if g.count or g.amount}
    assert months == {
        2: (1, D("40000")),
        3: (1, D("25000")),
        4: (0, D("20000")),
        5: (1, D("80000")),
        6: (0, D("10000")),
        7: (1, D("30000")),
        9: (1, D("0")),
        10: (1, D("60000")),
    }
    assert len(s.by_month) == 12
    for groups in (s.by_band, s.by_chain, s.by_unit, s.by_month):  # each breakdown adds up to the total
        assert sum(g.count for g in groups) == s.signed_count
        assert sum((g.amount for g in groups), D(0)) == s.signed_amount


def test_funnel_counts_every_lead_in_scope(world, kw):
    s = kpi_summary(district(world), YEAR, TODAY)
    assert {f["stage"]: f["count"] for f in s.funnel} == {
        "negotiating": 1,
        "signed": 2,
        "registered": 1,
        "started": 1,
        "producing": 1,
        "reached": 1,
        "terminated": 1,
    }


def test_government_promises_by_hand(world, kw):
    s = kpi_summary(district(world), YEAR, TODAY)
    rows = {r.key: (r.count, r.leads, r.amount, r.realised) for r in s.gov_by_status}
    assert rows == {
        "gov_not_met": (1, 1, D(0), D(0)),  # L4
        "gov_due": (1, 1, D(100), D(0)),  # L5
        "gov_partial": (0, 0, D(0), D(0)),
        "gov_fulfilled": (1, 1, D(500), D(500)),  # L1
        "gov_unable": (1, 1, D(300), D(0)),  # L2; L9's draft line and the foreign L8 are not counted
    }
    assert s.gov_total is not None
    assert (s.gov_total.count, s.gov_total.leads, s.gov_total.amount) == (4, 4, D(900))
    assert (s.gov_matured, s.gov_matured_fulfilled) == (3, 1)  # due by today: L1, L2, L5
    assert s.gov_rate == D("33.33")
    assert s.gov_overdue == 1 and s.figures["gov_overdue"] == 1  # L5 (待兑现, due 2020)


def test_investor_promised_against_realised_by_hand(world, kw):
    s = kpi_summary(district(world), YEAR, TODAY)
    rows = {r.key: r for r in s.investor_by_category}
    assert (rows["inv_capex"].count, rows["inv_capex"].amount, rows["inv_capex"].realised) == (1, D(40000), D(0))
    assert (rows["inv_funds"].amount, rows["inv_funds"].realised) == (D(30000), D(10000))
    jobs = rows["inv_jobs"]
    assert (jobs.count, jobs.leads, jobs.target, jobs.realised_value, jobs.target_unit) == (2, 2, D(300), D(220), "人")
    assert (rows["inv_output"].target, rows["inv_output"].realised_value) == (D(50000), None)
    assert rows["inv_reach"].count == 0
    assert s.figures["inv_overdue"] == 2  # L3 (部分兑现), L9 (未达条件), both due before today
    assert s.figures["open_case"] == 1  # L5


def test_month_range(world, kw):
    s = kpi_summary(district(world), KpiPeriod(2025, 1, 6), TODAY)
    # L1 (Feb), L2 (Mar), L4 (May); amounts 40000 + 25000 + 20000 + 80000 + 10000
    assert (s.signed_count, s.signed_amount) == (3, D("175000"))
    assert s.figures["started"] == 1 and s.start_rate == D("33.33")
    assert [int(g.key) for g in s.by_month] == [1, 2, 3, 4, 5, 6]


def test_a_unit_user_sees_only_its_units_figures(world, kw):
    s = kpi_summary(Lead.objects.restrict(world.reporter_a, "view"), YEAR, TODAY)
    # L1, L2, L7, L9 (unit A); amounts 50000 + 25000 + 20000 (L3) + 0 + 60000
    assert (s.signed_count, s.signed_amount) == (4, D("155000"))
    assert s.figures["started"] == 2 and s.start_rate == D("50.00")
    assert [g.label for g in s.by_unit] == [world.unit_a.display_name]
    assert s.gov_total is not None and s.gov_total.count == 2  # L1, L2


def test_the_neighbouring_office_sees_only_its_lead(world, kw):
    s = kpi_summary(Lead.objects.restrict(world.foreign_office, "view"), YEAR, TODAY)
    assert (s.signed_count, s.signed_amount) == (1, D("99999"))
    assert s.gov_overdue == 1


def test_change_of_investor_in_the_same_year_counts_twice(world):
    lead = make("换投资方", world.unit_a, LeadStage.SIGNED, signed_date=date(2025, 1, 5), signed_total=D(40000))
    sign(lead, SigningKind.FIRST, date(2025, 1, 5), 30000, 30000)
    sign(lead, SigningKind.NEW_INVESTOR, date(2025, 3, 5), 40000, 40000)
    s = kpi_summary(district(world), YEAR, TODAY)
    assert (s.signed_count, s.signed_leads, s.signed_amount) == (2, 1, D(70000))


def test_no_signings_means_no_rates(world):
    s = kpi_summary(district(world), YEAR, TODAY)
    assert s.signed_count == 0 and s.start_rate is None and s.funds_rate is None and s.gov_rate is None
    assert s.funds_note == ""
    assert sum(g.count for g in s.by_band) == 0


def test_every_figure_drills_down_to_the_leads_it_counts(world, kw):
    s = kpi_summary(district(world), YEAR, TODAY)
    for key, count in s.figures.items():
        assert figure_leads(district(world), key, YEAR, TODAY).count() == count, key
    names = {lead.name for lead in figure_leads(district(world), "performing", YEAR, TODAY)}
    assert names == {"L1", "L2", "L7"}
    names = {lead.name for lead in figure_leads(district(world), "signed", YEAR, TODAY)}
    assert names == {"L1", "L2", "L4", "L5", "L7", "L9"}


def test_parse_period():
    today = date(2026, 5, 1)
    assert parse_period("2025", "3-6", today=today) == KpiPeriod(2025, 3, 6)
    assert parse_period("2025", "4", today=today) == KpiPeriod(2025, 4, 4)
    assert parse_period("", "", today=today) == KpiPeriod(2026)
    assert parse_period("x", "9-3", today=today) == KpiPeriod(2026)
    assert parse_period("1900", "0-13", today=today) == KpiPeriod(2026)
    assert KpiPeriod(2025, 3, 6).end == date(2025, 6, 30) and KpiPeriod(2024, 2, 2).end == date(2024, 2, 29)
    assert KpiPeriod(2025, 3, 6).label == "2025年3—6月"


def test_rate_is_exact_and_none_without_divisor():
    assert rate(1, 3) == D("33.33") and rate(2, 3) == D("66.67")
    assert rate(5, 0) is None and rate(None, 5) is None


def test_every_figure_is_on_the_docs_page():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "figures.md").read_text()
    section = text[text.index("## 招商引资") :]
    missing = [key for key in FIGURES if f"`{key}`" not in section]
    assert not missing, missing

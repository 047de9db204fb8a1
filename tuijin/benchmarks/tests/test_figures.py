"""The 对标对表 figures against values computed by hand on the tiny district of conftest.py (万元; 2025, June).

By hand, from the facts (Σ 年初至今完成 of the annual-plan projects' rows of a month):

    C6 (2025, 1–6月) = 老项目 6×2,100 + 甲产业 6×50 + 乙产业 6×40 + 续建配套 6×61 + 乙计划新开工 0
                     = 12,600 + 300 + 240 + 366 = 13,506
    L6 (2024, 1–6月) = 老项目 6×2,000 = 12,000          L12 (2024 全年) = 12×2,000 = 24,000
    固投增速 = (13,506 ÷ 12,000 − 1) × 100 = 12.55 → 12.6 (one decimal, half up)

    C5 = 5×2,100 + 5×50 + 5×40 + 5×61 = 11,255,  L5 = 10,000 → 12.55 → 12.6

Gaps (对方 − 本区, positive = behind):
    鹤壁 15.30 (6月) − 12.6 = 2.7;   长垣 13.00 (5月 only) − 12.6 (5月) = 0.4;   高新区 10.00 − 12.6 = −2.6
    target 25 − 12.6 = 12.4
    追平鹤壁需多完成 2.7 × L6 ÷ 100 = 2.7 × 12,000 ÷ 100 = 324.00;   长垣: 0.4 × L5 ÷ 100 = 0.4 × 10,000 ÷ 100 = 40.00

Pace to the 25 % target:
    N = L12 × (1 + 25/100) = 24,000 × 1.25 = 30,000
    needed per month for the 6 months left = (30,000 − 13,506) ÷ 6 = 16,494 ÷ 6 = 2,749.00 万元/月
    so far: 13,506 ÷ 6 = 2,251.00 万元/月

Projects below their 序时计划 in June (序时计划 = plan × 6 ÷ 12; shortfall r; points = r ÷ L6 × 100):
    甲产业项目   1,200 − 300 = 900 → 7.50        乙产业项目 600 − 240 = 360 → 3.00
    续建配套项目   480 − 366 = 114 → 0.95        老项目 12,000 − 12,600 < 0, 乙计划新开工 0 − 0: not below
    to the target (12.4): all three close 7.5 + 3.0 + 0.95 = 11.45, still 0.95 short
    to 鹤壁 (2.7): 甲产业项目 alone (7.50 ≥ 2.7)

开工 (新开工项目中已开工, June): 甲产业项目 (Feb) and 乙产业项目 (Mar) = 2; target 6 → gap 4;
    pace (6 − 2) ÷ 6 = 0.666… → 0.67 个/月, so far 2 ÷ 6 = 0.33; 鹤壁 5 − 2 = 3.
    not yet started planned new projects: 乙计划新开工项目 (Q3) → 1 of the 4.

二产占比 (entered, quarterly): 本区 31.20 (上半年), 鹤壁 40.50 → 9.3; target 33 − 31.2 = 1.8;
    pace 1.8 ÷ 2 quarters left = 0.90 个百分点/季度.
"""

from datetime import date
from decimal import Decimal

import pytest

from tuijin.benchmarks import figures
from tuijin.benchmarks.figures import ENTERED, PLATFORM, Board, closing, growth
from tuijin.benchmarks.models import IndicatorTarget

from .conftest import TODAY, YEAR, indicator, put, self_region

pytestmark = pytest.mark.django_db
D = Decimal


def board(**kwargs) -> Board:
    return Board(YEAR, today=TODAY, **kwargs)


def test_investment_amounts_by_hand(tiny):
    this, last = figures.investment_amounts(YEAR)
    assert this[6] == D("13506") and last[6] == D("12000") and last[12] == D("24000")
    assert this[5] == D("11255") and last[5] == D("10000")
    industry_this, industry_last = figures.investment_amounts(YEAR, industry=True)
    assert industry_this[6] == D("540") and industry_last == {}


def test_growth_rounds_half_up_to_one_decimal():
    assert growth(D("13506"), D("12000")) == D("12.6")  # 12.55
    assert growth(D("13494"), D("12000")) == D("12.5")  # 12.45
    assert growth(D("9000"), D("12000")) == D("-25.0")
    assert growth(D("100"), D(0)) is None


def test_the_district_growth_and_the_gap_to_each_peer(tiny, peers, targets):
    c = board().compare(indicator("fai_growth"), 6)
    assert c.self_point.value == D("12.6") and c.self_point.basis == PLATFORM and c.self_point.month == 6
    gaps = {g.region.name: g for g in c.peers}
    assert "停用区" not in gaps  # an inactive peer is not compared
    assert gaps["鹤壁"].gap == D("2.7") and gaps["鹤壁"].month == 6 and gaps["鹤壁"].behind
    assert gaps["鹤壁"].amount == D("324.00")
    # 长垣 has only May: compared at May, with the district's May value
    assert gaps["长垣"].month == 5 and gaps["长垣"].self_point.value == D("12.6") and gaps["长垣"].gap == D("0.4")
    assert gaps["长垣"].amount == D("40.00")
    assert gaps["高新区"].gap == D("-2.6") and not gaps["高新区"].behind
    assert c.target_gap == D("12.4")


def test_the_pace_to_the_growth_target(tiny, targets):
    c = board().compare(indicator("fai_growth"), 6)
    pace = c.pace
    assert pace.needed_total == D("30000.00")
    assert pace.required == D("2749.00") and pace.current == D("2251.00") and pace.remaining == 6
    assert "2749" in pace.text and "30000" in pace.text and "2251" in pace.text


def test_the_projects_that_would_close_the_gap_to_the_target(tiny, peers, targets, world):
    c = board().compare(indicator("fai_growth"), 6)
    result = closing(c, world.office)
    assert result.against == "target" and result.gap == D("12.4")
    assert [(p.name, p.shortfall, p.points) for p in result.projects] == [
        ("甲产业项目", D("900.00"), D("7.50")),
        ("乙产业项目", D("360.00"), D("3.00")),
        ("续建配套项目", D("114.00"), D("0.95")),
    ]
    assert result.covered == D("11.45") and not result.enough and result.hidden == 0
    assert (
        result.text
        == "全部 3 个低于序时计划的项目达到序时计划可弥补 11.45 个百分点，仍差 0.95 个百分点（差距 12.4 个百分点）"
    )


def test_the_projects_that_would_close_the_gap_to_a_peer(tiny, peers, targets, world):
    c = board().compare(indicator("fai_growth"), 6)
    result = closing(c, world.office, str(peers["hebi"].pk))
    assert [(p.name, p.points) for p in result.projects] == [("甲产业项目", D("7.50"))]
    assert result.enough and result.covered == D("7.50")
    assert result.text == "这 1 个项目达到序时计划可弥补 7.5 个百分点（差距 2.7 个百分点）"


def test_out_of_scope_projects_are_counted_not_named(tiny, peers, targets, world):
    """A 甲 unit user sees the same figures, but 乙产业项目 only as "另有 1 个项目不在您的范围内"."""
    c = board().compare(indicator("fai_growth"), 6)
    result = closing(c, world.reporter_a)
    assert [p.name for p in result.projects] == ["甲产业项目", "续建配套项目"]
    assert result.hidden == 1 and result.count == 3 and result.covered == D("11.45")


def test_without_a_target_the_closing_list_takes_the_peer_furthest_ahead(tiny, peers, world):
    c = board().compare(indicator("fai_growth"), 6)
    assert c.pace.required is None and "未设定" in c.pace.text
    result = closing(c, world.office)
    assert result.against == str(peers["hebi"].pk) and result.gap == D("2.7")


def test_an_entered_value_wins_over_the_platform(tiny, peers, targets):
    put(self_region(), "fai_growth", 6, "11.00", source="区统计局")
    c = board().compare(indicator("fai_growth"), 6)
    assert c.self_point.value == D("11.00") and c.self_point.basis == ENTERED
    assert c.self_point.basis_label == "统计局口径"
    gaps = {g.region.name: g for g in c.peers}
    assert gaps["鹤壁"].gap == D("4.3") and gaps["鹤壁"].amount is None
    assert gaps["长垣"].gap == D("0.4")  # May is still the platform's
    assert c.target_gap == D("14.0")


def test_industrial_growth_is_undefined_without_last_years_industry(tiny):
    c = board().compare(indicator("industrial_investment_growth"), 6)
    assert c.self_point.value is None and "无法计算增速" in c.reason


def test_an_undefined_platform_month_does_not_hide_the_latest_entered_value(tiny, peers, targets, world):
    """Industrial growth is undefined on the platform (no industry last year); the 统计局's May value stands in June."""
    put(self_region(), "industrial_investment_growth", 5, "9.50", source="区统计局")
    IndicatorTarget.objects.create(indicator=indicator("industrial_investment_growth"), year=YEAR, value=D("12"))
    c = board().compare(indicator("industrial_investment_growth"), 6)
    assert c.self_point.value == D("9.50") and c.self_point.month == 5 and c.self_point.basis == ENTERED
    # no base last year: the projects cannot be measured in points, and the page says so (not "all reached plan")
    result = closing(c, world.office)
    assert result.projects == [] and result.text.startswith("上年同期（1—5月）平台完成投资为 0，无法按项目测算")


def test_starts_by_hand(tiny, peers, targets, world):
    assert figures.start_counts(YEAR)[6] == 2 and figures.start_counts(YEAR)[2] == 1
    c = board().compare(indicator("started_projects"), 6)
    assert c.self_point.value == 2 and c.self_point.basis == PLATFORM
    assert c.peer_gap(peers["hebi"].pk).gap == 3
    assert c.target_gap == 4
    assert c.pace.required == D("0.67") and c.pace.current == D("0.33")
    result = closing(c, world.office)
    assert [(p.name, p.start_quarter) for p in result.projects] == [("乙计划新开工项目", 3)]
    assert result.covered == 1 and not result.enough
    assert result.text == "全部 1 个尚未开工的计划新开工项目开工可弥补 1 个，仍差 3 个（差距 4 个）"
    assert closing(c, world.reporter_a).hidden == 1  # 乙's project, out of 甲's scope


def test_an_entered_share_by_hand(peers, targets):
    put(self_region(), "secondary_share", 6, "31.20")
    c = board().compare(indicator("secondary_share"), 6)
    assert c.self_point.value == D("31.20") and c.self_point.basis == ENTERED
    assert c.peer_gap(peers["hebi"].pk).gap == D("9.3")
    assert c.target_gap == D("1.8")
    assert c.pace.required == D("0.90") and c.pace.remaining == 2 and "季度" in c.pace.unit
    assert closing(c, None) is None  # no project list for an entered indicator


def test_lower_is_better_reverses_the_sign(peers):
    ind = indicator("secondary_share")
    ind.higher_is_better = False
    ind.save()
    put(self_region(), "secondary_share", 6, "31.20")
    c = Board(YEAR, today=TODAY, indicators=[ind]).compare(ind, 6)
    assert c.peer_gap(peers["hebi"].pk).gap == D("-9.3")


def test_the_platform_gives_no_value_for_a_month_not_over(tiny):
    assert figures.available_months(YEAR, date(2025, 7, 10)) == 6
    assert figures.available_months(YEAR, date(2026, 1, 5)) == 12
    assert figures.available_months(YEAR, date(2025, 1, 5)) == 0
    c = board().compare(indicator("fai_growth"), 9)
    assert c.self_point.month == 6  # the latest month up to September that the platform has


def test_december_has_no_pace(tiny, targets):
    c = Board(YEAR, today=date(2026, 2, 1)).compare(indicator("fai_growth"), 12)
    assert c.pace.required is None and "全年已结束" in c.pace.text


def test_fmt():
    assert figures.fmt(D("15.30")) == "15.3"
    assert figures.fmt(D("12")) == "12"
    assert figures.fmt(D("30000.00")) == "30000"
    assert figures.fmt(None) == "—"


def test_signings_and_productions_come_from_the_investment_figures(world, targets):
    """签约: the 招商驾驶舱's 签约项目数 cumulated by month (a 升格 counts no project; a lead without any Signing row
    counts on its 签约时间); 投产: leads at 投产/达产 by their 投产时间."""
    from tuijin.investment.choices import LeadStage, SigningKind
    from tuijin.investment.models import Lead, Signing

    def lead(name, stage, **fields):
        return Lead.objects.create(name=name, investor=f"{name}方", tracking_unit=world.unit_a, stage=stage, **fields)

    def sign(item, kind, on, counts):
        Signing.objects.create(
            lead=item,
            kind=kind,
            signed_on=on,
            contract_kind="contract",
            investor=item.investor,
            total=D(100),
            counted_amount=D(100),
            counts_project=counts,
        )

    a = lead("签约甲", LeadStage.SIGNED, signed_date=date(2025, 2, 3), contract_kind="contract")
    sign(a, SigningKind.FIRST, date(2025, 2, 3), True)
    sign(a, SigningKind.UPGRADE, date(2025, 4, 1), False)
    lead("签约乙", LeadStage.SIGNED, signed_date=date(2025, 5, 20), contract_kind="contract")  # no Signing row
    lead(
        "投产丙",
        LeadStage.PRODUCING,
        signed_date=date(2024, 3, 1),
        contract_kind="contract",
        registered_name="丙公司",
        start_date=date(2024, 6, 1),
        production_date=date(2025, 3, 15),
    )
    signings = figures.signing_counts(YEAR, TODAY)
    assert (signings[1], signings[2], signings[4], signings[5], signings[6]) == (0, 1, 1, 2, 2)
    productions = figures.production_counts(YEAR)
    assert (productions[2], productions[3], productions[12]) == (0, 1, 1)
    c = board().compare(indicator("signed_projects"), 6)
    assert c.self_point.value == 2 and c.self_point.basis == PLATFORM
    assert board().compare(indicator("production_projects"), 6).self_point.value == 1

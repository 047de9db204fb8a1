"""The two shipped rubrics on the small district (conftest.py), point by point against values computed by hand.

项目建设季度考评, 2026 Q2 (facts of June; 序时进度 50 %):

| line | 甲街道 | 乙街道 | 测试区发改委 |
|---|---|---|---|
| 投资完成 30 + 0.2 × (完成率 − 50) | 1,400/4,200 = 33.33 % → 26.67 | 2,100/3,000 = 70 % → 34 | 900/1,200 = 75 % → 35 |
| 项目开工 (bands 80/70/50 → 15/10/5) | 1/2 = 50 % → 5 | 1/1 → 15 | no planned start → 视同满分 15 |
| 项目竣工 | none planned → not counted | not counted | not counted |
| 入库纳统 (≥90 10, ≥70 6, else 2) | 0/3 → 2 | 0/2 → 2 | 0/1 → 2 |
| 信息报送 | no lights → 视同满分 10 | 10 | 10 |
| 未按期开工 (−3 each) | 甲新开工二 → −3 | 0 | 0 |
| 招商签约 (rank 5/3/1) | nothing signed → 0 | 0 | 0 |
| 督办落实 | nothing due → 视同满分 5 | 5 | 5 |
| total | 45.67 (街道 第2) | 66 (街道 第1) | 67 (区直 第1) |

重点项目月度积分, 2026-05:

| line | 甲街道 | 乙街道 | 测试区发改委 |
|---|---|---|---|
| 新开工 +5 (started in May) | 甲新开工一 → 5 | 0 | 0 |
| 投资进度 60 × 完成率 | 1,100/4,200 = 26.19 % → 15.71 | 1,700/3,000 = 56.67 % → 34 | 750/1,200 = 62.5 % → 37.5 |
| 投产 +20 | 0 | 0 | 0 |
| 未按计划开工 −2 | −2 | 0 | 0 |
| 集中开工 +30 (entered) | — | +30 | — |
| 上级通报批评 −10 (entered) | −10 | — | — |
| total | 8.71 (第3) | 64 (第1) | 37.5 (第2) |
"""

from datetime import date
from decimal import Decimal

import pytest

from tuijin.assessment import services
from tuijin.assessment.choices import AdjustmentKind, CaseDecision, LineStatus
from tuijin.assessment.models import ScoreLine, UnitScore
from tuijin.assessment.tests.conftest import YEAR

D = Decimal
pytestmark = pytest.mark.django_db


def lines(round_, unit) -> dict[str, ScoreLine]:
    score = UnitScore.objects.get(round=round_, unit=unit)
    return {line.label: line for line in score.lines.all()}


def points(round_, unit) -> dict[str, Decimal]:
    return {label: line.points for label, line in lines(round_, unit).items()}


def score(round_, unit) -> UnitScore:
    return UnitScore.objects.get(round=round_, unit=unit)


def test_quarterly_by_hand(world, district, quarterly):
    round_ = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 5, 15))
    assert (round_.period_start, round_.period_end) == (date(YEAR, 4, 1), date(YEAR, 6, 30))
    assert set(UnitScore.objects.filter(round=round_).values_list("unit__name", flat=True)) == {
        "甲街道办事处",
        "乙街道办事处",
        "测试区发改委",
    }
    assert points(round_, world.unit_a) == {
        "投资完成": D("26.67"),
        "项目开工": D("5"),
        "项目竣工": D("0"),
        "入库纳统": D("2"),
        "信息报送": D("10"),
        "未按期开工": D("-3"),
        "招商签约": D("0"),
        "督办落实": D("5"),
    }
    a = lines(round_, world.unit_a)
    assert a["项目竣工"].status == LineStatus.NO_DATA and a["项目竣工"].max_points is None
    assert a["项目开工"].figure == "开工率 1/2 = 50%"
    assert [e["label"] for e in a["项目开工"].evidence][:1] == ["甲新开工二"]  # the one not started, named
    assert a["未按期开工"].explanation.startswith("1 项 × -3 分 = -3 分")
    assert "序时进度 50%" in a["投资完成"].figure
    assert points(round_, world.unit_b) == {
        "投资完成": D("34"),
        "项目开工": D("15"),
        "项目竣工": D("0"),
        "入库纳统": D("2"),
        "信息报送": D("10"),
        "未按期开工": D("0"),
        "招商签约": D("0"),
        "督办落实": D("5"),
    }
    assert points(round_, world.office_unit)["项目开工"] == D("15")  # no planned start: 视同满分
    assert lines(round_, world.office_unit)["项目开工"].status == LineStatus.NO_DATA
    a, b, o = score(round_, world.unit_a), score(round_, world.unit_b), score(round_, world.office_unit)
    assert (a.total, a.rank) == (D("45.67"), 2)
    assert (b.total, b.rank) == (D("66"), 1)
    assert (o.total, o.rank) == (D("67"), 1)  # alone in 区直部门
    # 可得分: the lines that count (竣工 left out; 未按期开工 has no positive maximum)
    assert a.available == D("40") + 15 + 10 + 10 + 5 + 5


def test_the_first_quarter_weighs_starts_more(world, district, quarterly):
    round_ = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 2, 1))
    b = lines(round_, world.unit_b)["项目开工"]  # 乙新开工 started in February: 1/1 → 15 × 1.5
    assert (b.raw_points, b.weight, b.points) == (D("15"), D("1.5"), D("22.5"))
    assert "权重 1.5" in b.explanation


def test_monthly_points_by_hand(world, district, monthly):
    services.adjustment_create(
        actor=world.office,
        data={
            "rubric": monthly,
            "unit": world.unit_b,
            "occurred_on": date(YEAR, 5, 20),
            "kind": AdjustmentKind.BONUS,
            "category": "集中开工活动",
            "points": D("30"),
            "reason": "参加全市第二批集中开工",
            "evidence": "新政办〔2026〕18号",
        },
    )
    criticism = services.adjustment_create(
        actor=world.office,
        data={
            "rubric": monthly,
            "unit": world.unit_a,
            "occurred_on": date(YEAR, 5, 12),
            "kind": AdjustmentKind.DEDUCTION,
            "category": "上级通报批评",
            "points": D("10"),
            "reason": "市督查通报项目推进滞后",
        },
    )
    # outside the period: not counted
    services.adjustment_create(
        actor=world.office,
        data={
            "rubric": monthly,
            "unit": world.unit_a,
            "occurred_on": date(YEAR, 6, 2),
            "kind": AdjustmentKind.BONUS,
            "category": "集中开工活动",
            "points": D("30"),
            "reason": "六月",
        },
    )
    round_ = services.round_create(actor=world.office, rubric=monthly, anchor=date(YEAR, 5, 31))
    assert points(round_, world.unit_a) == {
        "新开工": D("5"),
        "投资进度": D("15.71"),
        "投产": D("0"),
        "未按计划开工": D("-2"),
        "扣分": D("-10"),
    }
    assert lines(round_, world.unit_a)["新开工"].evidence[0]["label"] == "甲新开工一"
    assert points(round_, world.unit_b) == {
        "新开工": D("0"),
        "投资进度": D("34"),
        "投产": D("0"),
        "未按计划开工": D("0"),
        "加分": D("30"),
    }
    assert points(round_, world.office_unit)["投资进度"] == D("37.5")
    totals = {s.unit_id: (s.total, s.rank) for s in UnitScore.objects.filter(round=round_)}
    assert totals == {
        world.unit_a.pk: (D("8.71"), 3),
        world.unit_b.pk: (D("64"), 1),
        world.office_unit.pk: (D("37.5"), 2),
    }

    # 容错免责 on the criticism: the deduction no longer counts, and the line says why
    case = services.case_create(
        actor=world.office,
        data={
            "matter": "项目推进滞后被通报",
            "unit": world.unit_a,
            "person": "张某",
            "circumstances": "因上级规划调整导致用地手续暂停",
            "criteria": ["objective"],
        },
        adjustments=[criticism],
    )
    services.case_decide(
        actor=world.office, case=case, expected_version=case.version, decision=CaseDecision.EXEMPT, note="符合容错情形"
    )
    services.round_recompute(actor=world.office, round_=round_)
    line = lines(round_, world.unit_a)["扣分"]
    assert line.points == 0 and line.neutralised
    assert "容错免责" in line.explanation and "原扣 10 分不计" in line.explanation
    assert score(round_, world.unit_a).total == D("18.71")


def test_switching_rubrics_changes_the_results(world, district, quarterly, monthly):
    q = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 6, 1))
    m = services.round_create(actor=world.office, rubric=monthly, anchor=date(YEAR, 6, 1))
    # June under the monthly rubric: 甲 60 × 1,400/4,200 (33.33 %) = 20 − 2; 乙 60 × 70 % = 42; 区直 60 × 75 % = 45
    monthly_totals = {s.unit.name: s.total for s in UnitScore.objects.filter(round=m).select_related("unit")}
    assert monthly_totals == {"甲街道办事处": D("18"), "乙街道办事处": D("42"), "测试区发改委": D("45")}
    quarterly_totals = {s.unit.name: s.total for s in UnitScore.objects.filter(round=q).select_related("unit")}
    assert quarterly_totals == {"甲街道办事处": D("45.67"), "乙街道办事处": D("66"), "测试区发改委": D("67")}

"""The scoring rules (rules.py): examples from the rubrics, refusals in Chinese, and properties that must hold for
any parameters (points within the caps, monotone in the value, ties share a rank)."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuijin.assessment.rules import RuleError, competition_ranks, describe_rule, score, validate_params

D = Decimal


def test_examples_from_the_rubrics():
    # 开工率 7/9 = 77.8 % → 8 分, each 10 pp = 1 分 (rounded to whole points)
    assert score("linear", {"step": 10, "per_step": 1, "round": 1}, value=D("77.78")).points == D("8")
    # 计划完成 25 ± 0.2 per point around 100 %, ±10 at most
    rule = {"base": 25, "pivot": 100, "step": 1, "per_step": "0.2", "min": 15, "max": 35}
    assert score("linear", rule, value=D("112")).points == D("27.4")
    assert score("linear", rule, value=D("20")).points == D("15")
    assert "保底 15 分" in score("linear", rule, value=D("20")).explanation
    bands = {"bands": [[80, 5], [70, 3]], "else": 0}
    assert score("bands", bands, value=D("80")).points == 5
    assert score("bands", bands, value=D("79.99")).points == 3
    assert score("bands", bands, value=None).points == 0
    assert score("rank", {"points": [7, 5, 3]}, rank=2).points == 5
    assert score("rank", {"points": [7, 5, 3]}, rank=4).points == 0
    assert score("per_item", {"per_item": -3, "min": -15}, count=7).points == D("-15")
    assert describe_rule("bands", bands) == "≥80 得 5 分；≥70 得 3 分，其余 0 分"


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("linear", {"step": 0}, "步长不能为 0"),
        ("linear", {"step": "x"}, "参数“step”须为数字"),
        ("bands", {"bands": []}, "至少要有一档"),
        ("bands", {"bands": [[80]]}, "[门槛, 分值]"),
        ("rank", {}, "名次计分须列出"),
        ("linear", {"min": 5, "max": 1}, "下限不能大于上限"),
        ("magic", {}, "未知的计分方式"),
    ],
)
def test_bad_parameters_are_refused_in_chinese(kind, params, message):
    with pytest.raises(RuleError, match=message.replace("[", r"\[").replace("]", r"\]")):
        validate_params(kind, params)


values = st.integers(-100_000, 100_000).map(lambda n: Decimal(n) / 100)
LOADED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@LOADED
@given(
    value=values,
    other=values,
    base=st.integers(-50, 50),
    step=st.integers(1, 50),
    per_step=st.integers(1, 100).map(lambda n: Decimal(n) / 10),
    low=st.integers(-100, 0),
    span=st.integers(0, 200),
)
def test_linear_points_stay_within_the_caps_and_grow_with_the_value(value, other, base, step, per_step, low, span):
    rule = {"base": base, "step": step, "per_step": str(per_step), "min": low, "max": low + span}
    a = score("linear", rule, value=value).points
    b = score("linear", rule, value=other).points
    assert low <= a <= low + span
    if value <= other:
        assert a <= b


@LOADED
@given(st.dictionaries(st.integers(1, 50), st.one_of(st.none(), st.integers(-5, 5).map(Decimal)), max_size=20))
def test_competition_ranks(values):
    ranks = competition_ranks(values)
    present = {k: v for k, v in values.items() if v is not None}
    assert all(ranks[k] is None for k in values if values[k] is None)
    for k, v in present.items():
        # rank = 1 + how many are strictly better
        assert ranks[k] == 1 + sum(1 for w in present.values() if w > v)

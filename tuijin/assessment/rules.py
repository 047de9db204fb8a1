"""The scoring rules of an assessment indicator: pure functions from a measured value to points.

Four kinds, each configured by a small dict of parameters (`Indicator.params`) that the 项目办 edits:

- **linear** (线性，封顶): ``base + (value − pivot) / step × per_step``, clamped to ``[min, max]``.
  "开工率每 10 个百分点 1 分" is ``step=10, per_step=1``;
  "计划完成 25 分，每超/欠 1 个百分点 ±0.2 分，最多 ±10" is ``base=25, pivot=100, step=1, per_step=0.2,
  min=15, max=35``; "进度 = 60 × 完成/年度计划" is ``step=100, per_step=60, max=60``.
- **bands** (分档): the points of the first band whose threshold the value reaches (``[[80, 5], [70, 3]]``), else
  ``else``.
- **rank** (名次): the points of the unit's place within its group (``[7, 5, 3]``), else ``else``; ties share a place.
- **per_item** (按件计分): ``count × per_item``, clamped (``+5 per 新开工``, ``−3 per 未按期开工``).

Points are Decimal, rounded half-up to ``round`` (default 0.01). Every result carries the Chinese sentence that
explains it, which the score page shows next to the figure behind it. docs/subsystems/assessment.md lists the rules.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

__all__ = [
    "RULE_KINDS",
    "Outcome",
    "RuleError",
    "competition_ranks",
    "describe_rule",
    "score",
    "validate_params",
]

RULE_KINDS = ("linear", "bands", "rank", "per_item")


class RuleError(ValueError):
    """Parameters that do not make a rule (the message is Chinese, for the rubric form)."""


@dataclass(frozen=True)
class Outcome:
    points: Decimal
    explanation: str


def _d(value: Any, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise RuleError(_("参数“%(name)s”须为数字。") % {"name": name}) from None
    if not number.is_finite():
        raise RuleError(_("参数“%(name)s”须为数字。") % {"name": name})
    return number


def _opt(params: Mapping[str, Any], key: str) -> Decimal | None:
    value = params.get(key)
    return None if value in (None, "") else _d(value, key)


def _quantum(params: Mapping[str, Any]) -> Decimal:
    quantum = _d(params.get("round", "0.01"), "round")
    if quantum <= 0:
        raise RuleError(_("取整单位须大于 0。"))
    return quantum


def _round(value: Decimal, quantum: Decimal) -> Decimal:
    return (value / quantum).quantize(Decimal(1), rounding=ROUND_HALF_UP) * quantum


def _clamp(value: Decimal, low: Decimal | None, high: Decimal | None) -> tuple[Decimal, str]:
    if high is not None and value > high:
        return high, _("封顶 %(v)s 分") % {"v": _fmt(high)}
    if low is not None and value < low:
        return low, _("保底 %(v)s 分") % {"v": _fmt(low)}
    return value, ""


def _fmt(value: Decimal) -> str:
    """2.50 → "2.5", 8.00 → "8", -3 → "-3"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _bands(params: Mapping[str, Any]) -> list[tuple[Decimal, Decimal]]:
    raw = params.get("bands")
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise RuleError(_("分档规则至少要有一档（门槛与分值）。"))
    bands = []
    for item in raw:
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
            raise RuleError(_("每一档须写成 [门槛, 分值]。"))
        bands.append((_d(item[0], "bands"), _d(item[1], "bands")))
    return sorted(bands, key=lambda band: band[0], reverse=True)


def validate_params(kind: str, params: Mapping[str, Any]) -> None:
    """Raise RuleError (Chinese) unless `params` make a rule of `kind`."""
    if kind not in RULE_KINDS:
        raise RuleError(_("未知的计分方式：%(kind)s") % {"kind": kind})
    _quantum(params)
    low, high = _opt(params, "min"), _opt(params, "max")
    if low is not None and high is not None and low > high:
        raise RuleError(_("下限不能大于上限。"))
    if kind == "linear":
        if _d(params.get("step", 1), "step") == 0:
            raise RuleError(_("步长不能为 0。"))
        _d(params.get("per_step", 1), "per_step")
        _d(params.get("base", 0), "base")
        _d(params.get("pivot", 0), "pivot")
    elif kind == "bands":
        _bands(params)
        _d(params.get("else", 0), "else")
    elif kind == "rank":
        points = params.get("points")
        if not isinstance(points, Sequence) or isinstance(points, str) or not points:
            raise RuleError(_("名次计分须列出各名次的分值。"))
        for value in points:
            _d(value, "points")
        _d(params.get("else", 0), "else")
    else:
        _d(params.get("per_item", 1), "per_item")


def score(
    kind: str, params: Mapping[str, Any], *, value: Decimal | None = None, count: int = 0, rank: int | None = None
) -> Outcome:
    """The points for `value` (linear, bands), `count` (per_item) or `rank` (rank) under the rule."""
    validate_params(kind, params)
    quantum = _quantum(params)
    low, high = _opt(params, "min"), _opt(params, "max")
    if kind == "linear":
        base = _d(params.get("base", 0), "base")
        pivot = _d(params.get("pivot", 0), "pivot")
        step = _d(params.get("step", 1), "step")
        per_step = _d(params.get("per_step", 1), "per_step")
        raw = base + ((value or Decimal(0)) - pivot) / step * per_step
        points, note = _clamp(_round(raw, quantum), low, high)
        text = _("按“%(rule)s”得 %(p)s 分") % {"rule": describe_rule(kind, params), "p": _fmt(points)}
    elif kind == "bands":
        points = _d(params.get("else", 0), "else")
        reached = ""
        for threshold, band_points in _bands(params):
            if value is not None and value >= threshold:
                points, reached = band_points, _fmt(threshold)
                break
        points, note = _clamp(points, low, high)
        text = (
            _("达到 %(t)s 档，得 %(p)s 分") % {"t": reached, "p": _fmt(points)}
            if reached
            else _("未达最低档，得 %(p)s 分") % {"p": _fmt(points)}
        )
    elif kind == "rank":
        table = [_d(v, "points") for v in params["points"]]
        points = table[rank - 1] if rank is not None and 1 <= rank <= len(table) else _d(params.get("else", 0), "else")
        points, note = _clamp(points, low, high)
        text = _("组内第 %(r)s 名，得 %(p)s 分") % {"r": rank if rank is not None else "—", "p": _fmt(points)}
    else:
        per_item = _d(params.get("per_item", 1), "per_item")
        points, note = _clamp(_round(per_item * count, quantum), low, high)
        text = _("%(n)d 项 × %(each)s 分 = %(p)s 分") % {"n": count, "each": _fmt(per_item), "p": _fmt(points)}
    if note:
        text = "%s（%s）" % (text, note)
    return Outcome(points, text)


def describe_rule(kind: str, params: Mapping[str, Any]) -> str:
    """The rule in one Chinese phrase: "每 10 个单位 1 分，上限 10 分"."""
    parts: list[str] = []
    if kind == "linear":
        base, pivot = _d(params.get("base", 0), "base"), _d(params.get("pivot", 0), "pivot")
        step, per_step = _d(params.get("step", 1), "step"), _d(params.get("per_step", 1), "per_step")
        if base:
            parts.append(_("基础 %(b)s 分") % {"b": _fmt(base)})
        if pivot:
            parts.append(_("以 %(p)s 为基准") % {"p": _fmt(pivot)})
        parts.append(_("每 %(s)s 计 %(k)s 分") % {"s": _fmt(step), "k": _fmt(per_step)})
    elif kind == "bands":
        parts.append("；".join(_("≥%(t)s 得 %(p)s 分") % {"t": _fmt(t), "p": _fmt(p)} for t, p in _bands(params)))
        parts.append(_("其余 %(p)s 分") % {"p": _fmt(_d(params.get("else", 0), "else"))})
    elif kind == "rank":
        parts.append(
            "、".join(
                _("第%(i)d名 %(p)s 分") % {"i": i, "p": _fmt(_d(v, "points"))}
                for i, v in enumerate(params["points"], 1)
            )
        )
    else:
        parts.append(_("每项 %(k)s 分") % {"k": _fmt(_d(params.get("per_item", 1), "per_item"))})
    low, high = _opt(params, "min"), _opt(params, "max")
    if high is not None:
        parts.append(_("上限 %(v)s 分") % {"v": _fmt(high)})
    if low is not None:
        parts.append(_("下限 %(v)s 分") % {"v": _fmt(low)})
    return "，".join(parts)


def competition_ranks(values: Mapping[Any, Decimal | None], *, higher_is_better: bool = True) -> dict[Any, int | None]:
    """Standard competition ranking (1, 2, 2, 4) of the keys by value; None values get no rank."""
    present = [(key, value) for key, value in values.items() if value is not None]
    present.sort(key=lambda item: item[1], reverse=higher_is_better)
    ranks: dict[Any, int | None] = {key: None for key in values}
    previous: Decimal | None = None
    place = 0
    for index, (key, value) in enumerate(present, 1):
        if previous is None or value != previous:
            place = index
            previous = value
        ranks[key] = place
    return ranks

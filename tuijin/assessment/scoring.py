"""Scoring a round: every unit of the rubric's groups, every indicator of the version in force, the bonuses and
deductions of the period, 容错 decisions and accepted appeals → lines, totals and ranks within each group.

`compute(round)` (rounds still 试算中) rebuilds the round's scores from the figures; `retotal(round)` (published
rounds) keeps the frozen indicator lines and re-applies what may still change after 发布: accepted appeals and 容错
decisions on the deductions. Both end in `_rank`, which totals and ranks. docs/subsystems/assessment.md.
"""

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuijin.core.periods import quarter_of
from tuijin.org.models import OrgUnit

from . import rules
from .choices import AdjustmentKind, CaseDecision, LineStatus, NoData, PeriodType, RuleKind
from .metrics import METRICS, Measure, Span, measure_all
from .models import Adjustment, Exemption, Indicator, Round, RubricGroup, RubricVersion, ScoreLine, UnitScore

__all__ = ["adjustment_effect", "compute", "group_members", "retotal", "version_in_force"]

CENT = Decimal("0.01")
ZERO = Decimal(0)
P = ParamSpec("P")
R = TypeVar("R")


def _in_the_record_language(func: Callable[P, R]) -> Callable[P, R]:
    """Score lines are a record every reader shares: their figures and explanations are written in the site's
    language (settings.LANGUAGE_CODE), not in the language of whoever happened to trigger the computation."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def version_in_force(rubric, on: date) -> RubricVersion | None:
    """The version of `rubric` in force on `on`: the latest one whose 施行日期 is not after it."""
    return rubric.versions.filter(effective_from__lte=on).order_by("-effective_from").first()


def group_members(version: RubricVersion) -> dict[int, RubricGroup]:
    """unit id → its group: active units of the group's types or named in it, less those excluded; a unit matched by
    two groups belongs to the first (by 排序)."""
    members: dict[int, RubricGroup] = {}
    candidates = OrgUnit.objects.filter(is_active=True)
    region = version.rubric.region
    if region is not None:
        candidates = candidates.filter(region__path__startswith=region.path)
    for group in version.groups.prefetch_related("units", "excluded_units").order_by("sort_order", "pk"):
        excluded = {u.pk for u in group.excluded_units.all()}
        by_type = candidates.filter(unit_type__in=group.unit_types or []).values_list("pk", flat=True)
        named = [u.pk for u in group.units.all() if u.is_active]
        for unit_id in [*by_type, *named]:
            if unit_id not in excluded and unit_id not in members:
                members[unit_id] = group
    return members


def _weight(indicator: Indicator, round_: Round) -> Decimal:
    if round_.rubric.period_type == PeriodType.QUARTER:
        special = (indicator.quarter_weights or {}).get(str(quarter_of(round_.period_start)))
        if special not in (None, ""):
            return Decimal(str(special))
    return indicator.weight


@dataclass
class _Line:
    label: str
    status: str
    raw: Decimal
    weight: Decimal
    points: Decimal
    max_points: Decimal | None
    explanation: str
    measure: Measure | None = None
    rank: int | None = None


def _exemptions(version: RubricVersion, round_: Round) -> dict[tuple[int, int], Exemption]:
    rows = Exemption.objects.filter(indicator__rubric_version=version, starts__lte=round_.period_end).filter(
        Q(ends__isnull=True) | Q(ends__gte=round_.period_start)
    )
    return {(e.indicator_id, e.unit_id): e for e in rows}


def _indicator_line(
    indicator: Indicator, measure: Measure, weight: Decimal, rank: int | None, exemption: Exemption | None
) -> _Line:
    metric = METRICS[indicator.metric]
    full = _q(indicator.max_points * weight)
    missing = measure.value is None and not metric.counts_items
    if exemption is not None or missing:
        status = LineStatus.EXEMPT if exemption is not None else LineStatus.NO_DATA
        reason = (
            _("免考：%(r)s") % {"r": exemption.reason} if exemption is not None else measure.figure or _("无可考核项目")
        )
        if indicator.no_data == NoData.FULL:
            return _Line(indicator.name, status, indicator.max_points, weight, full, full, _("%s，视同满分") % reason)
        if indicator.no_data == NoData.ZERO:
            return _Line(indicator.name, status, ZERO, weight, ZERO, full, _("%s，计 0 分") % reason)
        return _Line(indicator.name, status, ZERO, weight, ZERO, None, _("%s，本项不计分") % reason)
    outcome = rules.score(
        indicator.rule_kind,
        indicator.params,
        value=measure.value,
        count=measure.count,
        rank=rank,
    )
    points = _q(outcome.points * weight)
    explanation = outcome.explanation
    if weight != 1:
        explanation = _("%(e)s，权重 %(w)s，计 %(p)s 分") % {
            "e": explanation,
            "w": rules._fmt(weight),
            "p": rules._fmt(points),
        }
    max_points = full if indicator.rule_kind != RuleKind.PER_ITEM or indicator.max_points > 0 else None
    return _Line(
        indicator.name, LineStatus.SCORED, outcome.points, weight, points, max_points, explanation, measure, rank
    )


def adjustment_effect(adjustment: Adjustment) -> tuple[Decimal, bool, str]:
    """(points counted, neutralised, explanation) of a bonus or deduction, after any decided 容错 case on it."""
    signed = adjustment.signed_points
    text = "%s：%s" % (adjustment.category, adjustment.reason)
    if adjustment.kind != AdjustmentKind.DEDUCTION:
        return signed, False, text
    for case in adjustment.cases.all():
        if case.decision == CaseDecision.EXEMPT:
            return (
                ZERO,
                True,
                _("%(t)s。容错免责（%(n)s）：原扣 %(p)s 分不计")
                % {"t": text, "n": case.number, "p": rules._fmt(adjustment.points)},
            )
        if case.decision == CaseDecision.REDUCE and case.reduce_percent:
            kept = _q(signed * (100 - case.reduce_percent) / 100)
            return (
                kept,
                False,
                _("%(t)s。减轻责任（%(n)s）：原扣 %(p)s 分，减轻 %(r)d%%，计 %(k)s 分")
                % {
                    "t": text,
                    "n": case.number,
                    "p": rules._fmt(adjustment.points),
                    "r": case.reduce_percent,
                    "k": rules._fmt(kept),
                },
            )
    return signed, False, text


def _adjustments(round_: Round, unit_ids: Iterable[int]) -> dict[int, list[Adjustment]]:
    found: dict[int, list[Adjustment]] = defaultdict(list)
    for adjustment in (
        Adjustment.objects.filter(
            rubric=round_.rubric,
            unit_id__in=list(unit_ids),
            occurred_on__range=(round_.period_start, round_.period_end),
            withdrawn=False,
        )
        .prefetch_related("cases")
        .order_by("occurred_on", "pk")
    ):
        found[adjustment.unit_id].append(adjustment)
    return found


@_in_the_record_language
@transaction.atomic
def compute(round_: Round) -> Round:
    """Rebuild an open round's scores from the figures (replaces every line)."""
    round_ = Round.objects.select_for_update().select_related("rubric", "rubric_version").get(pk=round_.pk)
    if not round_.is_open:
        return retotal(round_)
    version = round_.rubric_version
    members = group_members(version)
    unit_ids = sorted(members)
    span = Span(round_.period_start, round_.as_of)  # a period not over yet: as of last month
    indicators = list(version.indicators.prefetch_related("groups").order_by("sort_order", "pk"))
    measures = measure_all([i.metric for i in indicators], unit_ids, span)
    exemptions = _exemptions(version, round_)
    adjustments = _adjustments(round_, unit_ids)

    # Rank rules rank within each group by the measured value.
    ranks: dict[tuple[int, int], int | None] = {}
    for indicator in indicators:
        if indicator.rule_kind != RuleKind.RANK:
            continue
        higher = bool(indicator.params.get("higher_is_better", True))
        by_group: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
        counts_items = METRICS[indicator.metric].counts_items
        for unit_id in unit_ids:
            value = measures[indicator.metric][unit_id].value
            # nothing counted ranks nowhere: three units with no signing share no 第1名
            by_group[members[unit_id].pk][unit_id] = None if counts_items and not value else value
        for values in by_group.values():
            for unit_id, place in rules.competition_ranks(values, higher_is_better=higher).items():
                ranks[(indicator.pk, unit_id)] = place

    UnitScore.objects.filter(round=round_).delete()
    scores = UnitScore.objects.bulk_create(
        [
            UnitScore(round=round_, unit_id=unit_id, group=members[unit_id], total=ZERO, available=ZERO)
            for unit_id in unit_ids
        ]
    )
    lines: list[ScoreLine] = []
    for score in scores:
        group = members[score.unit_id]
        order = 0
        for indicator in indicators:
            applies = [g.pk for g in indicator.groups.all()]
            if applies and group.pk not in applies:
                continue
            order += 1
            measure = measures[indicator.metric][score.unit_id]
            line = _indicator_line(
                indicator,
                measure,
                _weight(indicator, round_),
                ranks.get((indicator.pk, score.unit_id)),
                exemptions.get((indicator.pk, score.unit_id)),
            )
            lines.append(
                ScoreLine(
                    score=score,
                    indicator=indicator,
                    label=line.label,
                    status=line.status,
                    value=measure.value,
                    numerator=measure.numerator,
                    denominator=measure.denominator,
                    count=measure.count,
                    rank=line.rank,
                    raw_points=_q(line.raw),
                    weight=line.weight,
                    points=line.points,
                    max_points=line.max_points,
                    figure=measure.figure[:200],
                    explanation=line.explanation[:500],
                    evidence=measure.evidence,
                    sort_order=order,
                )
            )
        for adjustment in adjustments.get(score.unit_id, []):
            order += 1
            points, neutralised, text = adjustment_effect(adjustment)
            lines.append(
                ScoreLine(
                    score=score,
                    adjustment=adjustment,
                    label=str(adjustment.get_kind_display()),
                    raw_points=adjustment.signed_points,
                    points=points,
                    neutralised=neutralised,
                    figure=adjustment.category[:200],
                    explanation=text[:500],
                    evidence=[{"label": adjustment.evidence, "url": "", "note": ""}] if adjustment.evidence else [],
                    sort_order=order,
                )
            )
    ScoreLine.objects.bulk_create(lines, batch_size=2000)
    _rank(round_)
    # bookkeeping, not an edit: no history entry and no version bump for a recomputation
    round_.computed_at, round_.stale = timezone.now(), False
    Round.objects.filter(pk=round_.pk).update(computed_at=round_.computed_at, stale=False)
    return round_


def _rank(round_: Round) -> None:
    """Totals (Σ line points, an accepted appeal's points replacing the line's) and ranks within each group."""
    scores = list(UnitScore.objects.filter(round=round_).prefetch_related("lines"))
    for score in scores:
        total, available, appealed = ZERO, ZERO, False
        for line in score.lines.all():
            if line.appeal_points is not None:
                total += line.appeal_points
                appealed = True
            else:
                total += line.points
            if line.max_points is not None:
                available += line.max_points
        score.total, score.available, score.appealed = _q(total), _q(available), appealed
    by_group: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for score in scores:
        by_group[score.group_id][score.pk] = score.total
    places: dict[int, int | None] = {}
    for values in by_group.values():
        places.update(rules.competition_ranks(values))
    for score in scores:
        score.rank = places[score.pk]
    UnitScore.objects.bulk_update(scores, ["total", "available", "appealed", "rank"], batch_size=1000)


@_in_the_record_language
@transaction.atomic
def retotal(round_: Round) -> Round:
    """A published round after an appeal or a 容错 decision: re-apply the deductions' cases, total and rank again."""
    lines = list(
        ScoreLine.objects.filter(score__round=round_, adjustment__isnull=False)
        .select_related("adjustment")
        .prefetch_related("adjustment__cases")
    )
    for line in lines:
        line.points, line.neutralised, line.explanation = adjustment_effect(line.adjustment)
        line.explanation = line.explanation[:500]
    ScoreLine.objects.bulk_update(lines, ["points", "neutralised", "explanation"])
    _rank(round_)
    return round_

"""Reads of 对标对表 beyond the comparisons (figures.py): the values still to enter, the years to offer, the
multi-year trend of a quarterly share (二产占比) with its targets."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.periods import previous_month

from .choices import Frequency
from .figures import QUARTER_ENDS, orient, period_label
from .models import Indicator, IndicatorTarget, IndicatorValue, PeerRegion

__all__ = [
    "SHARE_CODE",
    "Missing",
    "ShareRow",
    "ShareTrend",
    "default_period",
    "expected_period",
    "missing_values",
    "share_trend",
    "year_choices",
]

SHARE_CODE = "secondary_share"  # the seeded 二产占比 indicator (migration 0002)
TREND_YEARS = 5


def default_period(today: date | None = None) -> tuple[int, int]:
    """The month shown when none is asked for: last month (the month whose figures are being published)."""
    last = previous_month(today or timezone.localdate())
    return last.year, last.month


def year_choices(today: date | None = None) -> list[int]:
    """This year back to the earliest year with an entered value (at least five years), newest first."""
    this_year = (today or timezone.localdate()).year
    first = IndicatorValue.objects.order_by("year").values_list("year", flat=True).first()
    earliest = min(this_year - 4, first or this_year)
    return list(range(this_year, earliest - 1, -1))


def expected_period(indicator: Indicator, today: date | None = None) -> tuple[int, int]:
    """The latest period whose value should be in by now: last month, or for a quarterly indicator the latest quarter
    end up to last month."""
    last = previous_month(today or timezone.localdate())
    if indicator.frequency != Frequency.QUARTER:
        return last.year, last.month
    ends = [m for m in QUARTER_ENDS if m <= last.month]
    return (last.year, max(ends)) if ends else (last.year - 1, 12)


@dataclass
class Missing:
    indicator: Indicator
    region: PeerRegion
    year: int
    month: int

    @property
    def label(self) -> str:
        return _("%(y)d年%(p)s") % {"y": self.year, "p": period_label(self.indicator, self.month)}


def missing_values(today: date | None = None) -> list[Missing]:
    """For each indicator, its latest expected period, and the active peers without a value for it — and 本区 too
    for an indicator the platform does not compute (entered only). Three queries."""
    indicators = list(Indicator.objects.all())
    regions = list(PeerRegion.objects.filter(Q(is_active=True) | Q(is_self=True)))
    periods = {i.pk: expected_period(i, today) for i in indicators}
    condition = Q(pk__in=[])
    for indicator in indicators:
        year, month = periods[indicator.pk]
        condition |= Q(indicator=indicator, year=year, month=month)
    have = set(IndicatorValue.objects.filter(condition).values_list("indicator_id", "region_id"))
    missing = []
    for indicator in indicators:
        year, month = periods[indicator.pk]
        for region in regions:
            if region.is_self and indicator.platform_source:
                continue
            if (indicator.pk, region.pk) not in have:
                missing.append(Missing(indicator, region, year, month))
    return missing


@dataclass
class ShareRow:
    year: int
    month: int
    label: str
    value: Decimal | None  # 本区
    target: Decimal | None
    target_gap: Decimal | None
    peers: list[tuple[Decimal | None, Decimal | None]] = field(default_factory=list)  # (value, gap) per peer


@dataclass
class ShareTrend:
    indicator: Indicator
    regions: list[PeerRegion]  # the peers, in order
    rows: list[ShareRow]
    targets: dict[int, Decimal]

    def chart(self) -> dict:
        """The chart's data: quarters on the x axis, one line per region, the target as a stepped line."""
        labels = [r.label for r in self.rows]
        series = [
            {"name": _("本区"), "data": [_float(r.value) for r in self.rows], "self": True},
            *[
                {"name": region.name, "data": [_float(r.peers[i][0]) for r in self.rows], "self": False}
                for i, region in enumerate(self.regions)
            ],
        ]
        return {
            "labels": labels,
            "series": series,
            "target": {"name": _("目标"), "data": [_float(r.target) for r in self.rows]},
            "unit": "%",
        }


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def share_trend(indicator: Indicator, last_year: int, *, years: int = TREND_YEARS) -> ShareTrend:
    """Every quarter of the `years` years up to `last_year`: 本区's entered value, the year's target and the gap to it,
    and each active peer's value and the gap to it (positive: 本区 behind). Quarters after last month, and those
    before the first value entered, are left out. Three queries."""
    first = last_year - years + 1
    regions = list(PeerRegion.objects.filter(Q(is_active=True) | Q(is_self=True)))
    own = next((r for r in regions if r.is_self), None)
    peers = [r for r in regions if not r.is_self]
    values = {
        (v.region_id, v.year, v.month): v.value
        for v in IndicatorValue.objects.filter(indicator=indicator, year__gte=first, year__lte=last_year)
    }
    stored = IndicatorTarget.objects.filter(indicator=indicator, year__gte=first, year__lte=last_year)
    targets = {t.year: t.value for t in stored}
    last = previous_month(timezone.localdate())
    months = QUARTER_ENDS if indicator.frequency == Frequency.QUARTER else range(1, 13)
    rows = []
    for year in range(first, last_year + 1):
        for month in months:
            if (year, month) > (last.year, last.month):
                break
            mine = values.get((own.pk, year, month)) if own is not None else None
            target = targets.get(year)
            row = ShareRow(
                year,
                month,
                _("%(y)d年%(p)s") % {"y": year, "p": period_label(indicator, month)},
                mine,
                target,
                orient(indicator, target - mine) if target is not None and mine is not None else None,
            )
            for region in peers:
                theirs = values.get((region.pk, year, month))
                gap = orient(indicator, theirs - mine) if theirs is not None and mine is not None else None
                row.peers.append((theirs, gap))
            rows.append(row)
    while rows and rows[0].value is None and all(value is None for value, _gap in rows[0].peers):
        rows.pop(0)  # the years before the first value entered take no room on the chart
    return ShareTrend(indicator, peers, rows, targets)

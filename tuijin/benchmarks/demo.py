"""Demo 对标对表 (tuijin.benchmarks.demo.load_benchmarks, a `tuijin load_demo` step).

- The district's own row (seeded as 本区) takes the demo district's name, 红旗区; six peers are added with their
  group: 鹤壁市 and 长垣市 (the province's benchmarks), and 新乡高新区, 新乡经开区, 牧野区, 卫滨区 (红旗区's group in
  新乡's quarterly 观摩评比).
- Values for last year and this year, as published so far (each period's figures appear about 20 days after it
  ends, so today decides the latest month): the growth rates cumulative by month from 1–2月 (January is published
  with February), 二产占比 by quarter, the counts cumulative by month and rising. Every value has a source and a
  publication date and is noted 示例数据: the figures are invented, within plausible ranges (固投 −5…15 %, 工业投资
  −10…25 %, 增加值 3…9 %, 二产占比 28…45 %).
- The district itself gets entered values (统计局口径) for the indicators the platform does not compute (增加值增速,
  二产占比) and for the two investment growth rates, since the demo has no approved reports of last year to compute
  them from (an entered value wins over the platform's, figures.py); the counts come from the platform.
- This year's targets: 固投增速 8, 工业投资增速 10, 增加值增速 6, 二产占比 35 (up from last year's), and the counts.

Deterministic: every series comes from a `random.Random` seeded with its region, indicator and year, so the values
are the same on every run and machine (only today's date moves the last published month). Written by bulk_create
with change-log rows. Idempotent: skipped when demo values exist.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tuijin.core.changelog import object_changes_bulk_record
from tuijin.core.choices import ChangeAction
from tuijin.core.periods import month_end

from .choices import Frequency, IndicatorKind, PlatformSource
from .models import Indicator, IndicatorTarget, IndicatorValue, PeerRegion

__all__ = ["DEMO_NOTE", "PEERS", "load_benchmarks"]

DEMO_NOTE = "示例数据"
DISTRICT = "红旗区"
GROUP_CITY = "全市第二组（区及开发区）"
# (name, group, source of the statistics, how strong its figures are 0…1, publication delay in days)
PEERS = [
    ("鹤壁市", "省内对标地市", "鹤壁市统计局月度数据发布", 0.75, 18),
    ("长垣市", "省内对标县（市）", "长垣市统计局月度统计数据", 0.85, 19),
    ("新乡高新区", GROUP_CITY, "新乡高新区经济发展局月度经济运行数据", 0.7, 20),
    ("新乡经开区", GROUP_CITY, "新乡经开区经济发展局月度经济运行数据", 0.6, 20),
    ("牧野区", GROUP_CITY, "牧野区统计局月度数据发布", 0.4, 21),
    ("卫滨区", GROUP_CITY, "卫滨区统计局月度数据发布", 0.35, 21),
]
SELF_SOURCE, SELF_STRENGTH, SELF_DELAY = "红旗区统计局月度数据发布", 0.5, 20
PROJECT_SOURCE = "%(name)s项目建设月度通报"  # where the counts are published
# plausible range of each indicator's annual value (growth and share: %, counts: the year's total)
RANGES = {
    "fai_growth": (-5, 15),
    "industrial_investment_growth": (-10, 25),
    "industrial_value_added_growth": (3, 9),
    "secondary_share": (28, 45),
    "signed_projects": (10, 40),
    "started_projects": (15, 45),
    "production_projects": (5, 20),
}
TARGETS = {
    "fai_growth": (8, "区政府工作报告"),
    "industrial_investment_growth": (10, "区政府工作报告"),
    "industrial_value_added_growth": (6, "区政府工作报告"),
    "secondary_share": (35, "区产业结构调整目标"),
    "signed_projects": (20, "区招商引资年度目标"),
    "started_projects": (30, "区重点项目年度计划"),
    "production_projects": (10, "区招商引资年度目标"),
}
TENTH = Decimal("0.1")


SELF_ENTERED = {PlatformSource.NONE, PlatformSource.INVESTMENT_GROWTH, PlatformSource.INDUSTRIAL_GROWTH}


def _periods(indicator: Indicator, year: int) -> list[int]:
    """The months a year's series has: quarter ends for quarterly indicators; from 2 (1–2月) for growth rates."""
    if indicator.frequency == Frequency.QUARTER:
        return [3, 6, 9, 12]
    return list(range(2 if indicator.kind == IndicatorKind.GROWTH else 1, 13))


def _rng(region: str, code: str, year: int) -> random.Random:
    return random.Random(f"{region}|{code}|{year}")  # a str seed is hashed with SHA-512: the same on every run


def _growth(rng: random.Random, months: list[int], low: float, high: float, strength: float) -> dict[int, Decimal]:
    """A cumulative growth rate settling from its early-year level towards the year's level."""
    final = low + (high - low) * (0.7 * strength + 0.3 * rng.random())
    start = final + rng.uniform(-0.15, 0.15) * (high - low)
    values = {}
    for month in months:
        share = (month - months[0]) / max(12 - months[0], 1)
        value = start + (final - start) * share + rng.uniform(-0.3, 0.3)
        values[month] = Decimal(str(min(max(value, low), high))).quantize(TENTH)
    return values


def _share(rng: random.Random, months: list[int], level: float) -> dict[int, Decimal]:
    """二产占比 by quarter: around the region's level, a little lower in the first quarter."""
    return {
        month: Decimal(str(level + (-0.8 if month == 3 else 0) + rng.uniform(-0.4, 0.4))).quantize(TENTH)
        for month in months
    }


def _counts(rng: random.Random, months: list[int], total: int) -> dict[int, Decimal]:
    """A cumulative count rising through the year to about `total`."""
    values, last = {}, 0
    for month in months:
        reached = round(total * (month / 12) ** 0.9 * rng.uniform(0.92, 1.05))
        last = max(last, reached, 1)
        values[month] = Decimal(last)
    return values


def _series(region: str, indicator: Indicator, year: int, strength: float, this_year: int) -> dict[int, Decimal]:
    low, high = RANGES.get(indicator.code, (0, 100))
    rng = _rng(region, indicator.code, year)
    months = _periods(indicator, year)
    if indicator.kind == IndicatorKind.SHARE:
        base = low + (high - low) * (0.25 + 0.5 * _rng(region, indicator.code, 0).random())
        if region == DISTRICT:  # the district's 二产占比 rises towards its target
            base = 33.2 if year < this_year else 34.0
        return _share(rng, months, base + (0.4 if year >= this_year else 0))
    if indicator.kind == IndicatorKind.COUNT:
        total = low + (high - low) * (0.6 * strength + 0.4 * rng.random())
        return _counts(rng, months, round(total))
    return _growth(rng, months, low, high, strength)


def _values(region: PeerRegion, indicator: Indicator, years: list[int], strength: float, delay: int, source: str):
    today = timezone.localdate()
    rows = []
    for year in years:
        for month, value in _series(region.name, indicator, year, strength, today.year).items():
            published = month_end(date(year, month, 1)) + timedelta(days=delay)
            if published > today:
                continue
            rows.append(
                IndicatorValue(
                    region=region,
                    indicator=indicator,
                    year=year,
                    month=month,
                    value=value,
                    source=source,
                    published_on=published,
                    note=DEMO_NOTE,
                )
            )
    return rows


def load_benchmarks(context: dict, stdout) -> None:
    if IndicatorValue.objects.filter(note=DEMO_NOTE).exists():
        stdout.write("示例对标数据：已存在，跳过。")
        return
    _load(context, stdout)


@transaction.atomic
def _load(context: dict, stdout) -> None:
    today = timezone.localdate()
    years = [today.year - 1, today.year]
    # 统计局 entries for the district: the entered-only indicators, and 固投/工业投资增速 (no reports of last year)
    district = getattr(context.get("region"), "name", "") or DISTRICT
    own = PeerRegion.objects.filter(is_self=True).first()
    if own is None:
        own = PeerRegion.objects.create(name=district, is_self=True, sort_order=0, group=GROUP_CITY)
    elif own.name != district or not own.group:
        own.name, own.group = district, own.group or GROUP_CITY
        own.save()
    peers = []
    for order, (name, group, source, strength, delay) in enumerate(PEERS, start=1):
        peer = PeerRegion.objects.filter(name=name).first()
        if peer is None:
            peer = PeerRegion(name=name, group=group, sort_order=order * 10)
            peer.save()
        peers.append((peer, source, strength, delay))
    indicators = list(Indicator.objects.order_by("sort_order", "pk"))
    rows = []
    for indicator in indicators:
        for peer, source, strength, delay in peers:
            if indicator.kind == IndicatorKind.COUNT:
                source = PROJECT_SOURCE % {"name": peer.name}
            rows += _values(peer, indicator, years, strength, delay, source)
        if indicator.platform_source in SELF_ENTERED:  # what the platform cannot compute in the demo
            rows += _values(own, indicator, years, SELF_STRENGTH, SELF_DELAY, SELF_SOURCE)
    IndicatorValue.objects.bulk_create(rows, batch_size=500)
    object_changes_bulk_record(rows, ChangeAction.CREATE, DEMO_NOTE)
    targets = []
    for indicator in indicators:
        value, basis = TARGETS.get(indicator.code, (None, ""))
        if value is None or IndicatorTarget.objects.filter(indicator=indicator, year=today.year).exists():
            continue
        targets.append(IndicatorTarget(indicator=indicator, year=today.year, value=Decimal(value), source=basis))
    IndicatorTarget.objects.bulk_create(targets)
    object_changes_bulk_record(targets, ChangeAction.CREATE, DEMO_NOTE)
    stdout.write(
        f"示例对标数据：对标地区 {len(peers)} 个（本区：{own.name}），{years[0]}—{years[1]} 年指标数值 {len(rows)} 条，"
        f"本年目标 {len(targets)} 项。"
    )

"""The demo 对标对表 (tuijin.benchmarks.demo.load_benchmarks): the district's row renamed, six peers with their
groups, two years of published values with sources and dates, this year's targets; deterministic and idempotent."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from tuijin.benchmarks.choices import Frequency, IndicatorKind, PlatformSource
from tuijin.benchmarks.demo import DEMO_NOTE, GROUP_CITY, RANGES, load_benchmarks
from tuijin.benchmarks.models import Indicator, IndicatorTarget, IndicatorValue, PeerRegion
from tuijin.core.periods import month_end


def _snapshot():
    return list(
        IndicatorValue.objects.order_by("region__name", "indicator__code", "year", "month").values_list(
            "region__name", "indicator__code", "year", "month", "value", "source", "published_on", "note"
        )
    )


def test_demo_benchmarks(db):
    today = timezone.localdate()
    out = StringIO()
    load_benchmarks({}, out)
    assert "示例对标数据：对标地区 6 个（本区：红旗区）" in out.getvalue()
    own = PeerRegion.objects.get(is_self=True)
    assert own.name == "红旗区" and own.group == GROUP_CITY
    peers = PeerRegion.objects.filter(is_self=False)
    assert set(peers.values_list("name", flat=True)) == {
        "鹤壁市",
        "长垣市",
        "新乡高新区",
        "新乡经开区",
        "牧野区",
        "卫滨区",
    }
    assert peers.filter(group=GROUP_CITY).count() == 4 and all(p.group for p in peers)

    values = list(IndicatorValue.objects.select_related("region", "indicator"))
    assert all(v.note == DEMO_NOTE and v.source and v.published_on for v in values)
    series = defaultdict(list)
    for v in values:
        series[(v.region.name, v.indicator.code, v.year)].append(v)
        assert v.published_on <= today
        assert 18 <= (v.published_on - month_end(date(v.year, v.month, 1))).days <= 21
        low, high = RANGES[v.indicator.code]
        if v.indicator.kind != IndicatorKind.COUNT:
            assert low <= v.value <= high, v
        if v.indicator.frequency == Frequency.QUARTER:
            assert v.month in (3, 6, 9, 12)
    indicators = list(Indicator.objects.all())
    entered = {i.code for i in indicators if i.platform_source == PlatformSource.NONE}
    assert entered == {"industrial_value_added_growth", "secondary_share"}
    for peer in peers:  # every indicator, both years
        for indicator in indicators:
            for year in (today.year - 1, today.year):
                assert series[(peer.name, indicator.code, year)] or (year == today.year and today.month == 1)
    # the 统计局 enters the district's 固投/工业投资增速 too (the demo has no reports of last year); counts are computed
    own_codes = {code for (name, code, _y) in series if name == own.name}
    assert own_codes == entered | {"fai_growth", "industrial_investment_growth"}
    for (_name, code, year), rows in series.items():
        rows.sort(key=lambda v: v.month)
        if year == today.year - 1 and today >= date(today.year, 1, 22):
            assert rows[-1].month == 12  # last year's December is out by the 21st of January
        if code in ("signed_projects", "started_projects", "production_projects"):
            counts = [v.value for v in rows]
            assert counts == sorted(counts) and counts[-1] > counts[0] or len(counts) == 1
    # this year's last published month: the last one ended at least 18 days ago (the quickest peer's delay)
    published = [m for m in range(1, 13) if month_end(date(today.year, m, 1)) + timedelta(days=18) <= today]
    monthly = [v.month for v in values if v.year == today.year and v.indicator.frequency == Frequency.MONTH]
    assert max(monthly, default=None) == max(published, default=None)

    targets = {t.indicator.code: t.value for t in IndicatorTarget.objects.filter(year=today.year)}
    assert targets["fai_growth"] == 8 and targets["industrial_investment_growth"] == 10
    assert targets["industrial_value_added_growth"] == 6 and targets["secondary_share"] == 35
    assert len(targets) == 7
    last_share = series.get((own.name, "secondary_share", today.year - 1))
    if last_share:
        assert max(v.value for v in last_share) < Decimal(35)

    snapshot = _snapshot()
    load_benchmarks({}, StringIO())  # idempotent
    assert _snapshot() == snapshot and IndicatorTarget.objects.count() == 7
    IndicatorValue.objects.all().delete()
    IndicatorTarget.objects.all().delete()
    load_benchmarks({}, StringIO())  # deterministic: the same values again
    assert _snapshot() == snapshot


def test_demo_benchmarks_early_in_the_year(db):
    """On 10 January nothing of this year is out yet and last year's December is not published either."""
    with time_machine.travel(datetime(2027, 1, 10, 12, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        load_benchmarks({}, StringIO())
        assert not IndicatorValue.objects.filter(year=2027).exists()
        assert IndicatorValue.objects.filter(year=2026, month=11).exists()
        assert not IndicatorValue.objects.filter(year=2026, month=12).exists()
        assert IndicatorTarget.objects.filter(year=2027).count() == 7

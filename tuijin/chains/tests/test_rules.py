"""rules.judge, branch by branch: 空白 at zero, 优势 at the threshold (with and without the 链主 requirement), 薄弱
below it or without the 链主 the rules ask for; building projects count only when the rules say so; suppliers, open
leads and resources never lift a gap."""

import pytest

from tuijin.chains.choices import GapStatus
from tuijin.chains.rules import NodeCounts, judge

BASE = {"strong_min": 3, "count_building": False, "strong_requires_leader": False}


def verdict(counts: NodeCounts, **rules):
    return judge(counts, **{**BASE, **rules})


def test_nothing_local_is_a_gap():
    v = verdict(NodeCounts())
    assert v.status == GapStatus.GAP and v.present == 0
    assert "本地在产主体 0 个" in v.reason and "空白" in v.reason


def test_suppliers_open_leads_and_resources_do_not_lift_a_gap():
    v = verdict(NodeCounts(suppliers=5, open_leads=4, resources=2))
    assert v.status == GapStatus.GAP


def test_below_the_threshold_is_weak():
    v = verdict(NodeCounts(enterprises=1, producing=1))
    assert v.status == GapStatus.WEAK and v.present == 2
    assert "未达优势门槛 3" in v.reason


def test_at_the_threshold_is_strong():
    v = verdict(NodeCounts(enterprises=2, producing=1))
    assert v.status == GapStatus.STRONG and v.present == 3
    assert "达到优势门槛 3" in v.reason


def test_the_threshold_requires_a_leader_when_the_rules_say_so():
    without = verdict(NodeCounts(enterprises=3), strong_requires_leader=True)
    assert without.status == GapStatus.WEAK and "无链主企业" in without.reason
    with_leader = verdict(NodeCounts(enterprises=3, leaders=1), strong_requires_leader=True)
    assert with_leader.status == GapStatus.STRONG


@pytest.mark.parametrize(
    ("count_building", "expected", "present"), [(False, GapStatus.GAP, 0), (True, GapStatus.WEAK, 2)]
)
def test_building_counts_only_when_the_rules_say_so(count_building, expected, present):
    v = verdict(NodeCounts(building=2), count_building=count_building)
    assert v.status == expected and v.present == present
    assert ("在建项目 2 个" in v.reason) is count_building


def test_a_lower_threshold_makes_one_unit_strong():
    assert verdict(NodeCounts(producing=1), strong_min=1).status == GapStatus.STRONG

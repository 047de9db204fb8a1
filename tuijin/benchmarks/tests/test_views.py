"""对标对表 pages: what they show (the hand-computed figures of test_figures.py), the entry forms (Chinese errors,
input kept, conflicts), the to-do, and the query budgets of the table and the indicator page."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tuijin.benchmarks.models import Indicator, IndicatorTarget, IndicatorValue, PeerRegion
from tuijin.core.attention import attention_for
from tuijin.core.models import ObjectChange
from tuijin.utilities.testing.queries import count_queries

from .conftest import indicator, put, self_region

pytestmark = pytest.mark.django_db
D = Decimal
JULY = datetime(2025, 7, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def july():
    with time_machine.travel(JULY, tick=False):
        yield


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_table_shows_values_gaps_and_pace(client, world, tiny, peers, targets, july):
    response = _get(client, world.leader, reverse("benchmarks:index") + "?year=2025&month=6")
    assert response.status_code == 200
    text = response.content.decode()
    row = text.split('data-indicator="fai_growth"')[1].split("</tr>")[0]
    assert "12.6" in row and "平台口径" in row and "1—6月" in row
    assert "落后 2.7" in row and "落后 0.4" in row and "领先 2.6" in row and "落后 12.4" in row
    assert "2749" in row  # the pace
    assert "停用区" not in text
    share = text.split('data-indicator="secondary_share"')[1].split("</tr>")[0]
    assert "未录入" in share
    assert "录入数值" not in text  # a leader reads, does not enter


def test_the_indicator_page(client, world, tiny, peers, targets, july):
    url = reverse("benchmarks:indicator", args=[indicator("fai_growth").pk]) + "?year=2025&month=6"
    response = _get(client, world.office, url)
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        "全部 3 个低于序时计划的项目达到序时计划可弥补 11.45 个百分点，仍差 0.95 个百分点（差距 12.4 个百分点）" in text
    )
    assert "乙产业项目" in text and "另有" not in text
    assert "按目标增速 25% 全年需完成 30000 万元" in text
    assert 'id="tj-bench-chart-data"' in text and "鹤壁" in text
    against = _get(client, world.office, url + f"&against={peers['hebi'].pk}")
    assert "这 1 个项目达到序时计划可弥补 7.5 个百分点（差距 2.7 个百分点）" in against.content.decode()


def test_the_indicator_page_counts_the_projects_out_of_scope(client, world, tiny, peers, targets, july):
    url = reverse("benchmarks:indicator", args=[indicator("fai_growth").pk]) + "?year=2025&month=6"
    text = _get(client, world.reporter_a, url).content.decode()
    closing = text.split('id="tj-bench-closing"')[1].split("</section>")[0]
    assert "甲产业项目" in closing and "续建配套项目" in closing and "乙产业项目" not in closing
    assert "另有 1 个项目不在您的范围内" in closing
    assert "11.45" in closing  # the figure is the district's


def test_the_share_page(client, world, peers, targets, july):
    put(self_region(), "secondary_share", 6, "31.20")
    put(self_region(), "secondary_share", 3, "30.00")
    IndicatorTarget.objects.create(indicator=indicator("secondary_share"), year=2024, value=D("32"))
    response = _get(client, world.leader, reverse("benchmarks:share") + "?year=2025")
    assert response.status_code == 200
    text = response.content.decode()
    assert "2025年上半年" in text and "31.2" in text and "40.5" in text and "落后 1.8" in text
    assert 'id="tj-share-chart-data"' in text and "2025年一季度" in text
    assert "2024年一季度" not in text  # the years before the first value take no room


def _value_post(**overrides):
    data = {
        "region": "",
        "indicator": indicator("fai_growth").pk,
        "year": "2025",
        "month": "6",
        "value": "15.3",
        "source": "鹤壁市统计局",
        "published_on": "2025-07-08",
        "note": "",
    }
    data.update(overrides)
    return data


def test_entering_a_value(client, world, peers, july):
    client.force_login(world.office)
    region = PeerRegion.objects.create(name="长葛")
    response = client.post(reverse("benchmarks:value_add"), _value_post(region=region.pk))
    assert response.status_code == 302
    value = IndicatorValue.objects.get(region=region)
    assert value.value == D("15.30") and value.source == "鹤壁市统计局" and value.published_on == date(2025, 7, 8)
    assert ObjectChange.objects.filter(changed_object_id=value.pk, action="create").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"source": ""}, "请填写来源"),
        ({"published_on": ""}, "请填写发布日期"),
        ({"published_on": "2025-04-30"}, "发布日期早于数据所属月份"),
        ({"month": "9"}, "不能录入未来月份的数据"),
        ({"value": "abc"}, "请输入数字"),
        ({"value": "1200"}, "增速须在 -100 到 1000 之间"),
    ],
)
def test_a_refused_value_keeps_the_input(client, world, peers, july, overrides, message):
    client.force_login(world.office)
    data = _value_post(region=peers["hebi"].pk, month="5")  # 鹤壁 has no May value yet
    data.update(overrides)
    response = client.post(reverse("benchmarks:value_add"), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and "您填写的内容已保留" in text
    assert 'value="鹤壁市统计局"' in text or overrides.get("source") == ""


def test_a_second_value_for_the_same_month_is_refused(client, world, peers, july):
    client.force_login(world.office)
    response = client.post(reverse("benchmarks:value_add"), _value_post(region=peers["hebi"].pk))
    assert response.status_code == 400
    assert "该地区该指标该期已有数值" in response.content.decode()


def test_a_quarterly_indicator_takes_quarter_ends(client, world, peers, july):
    client.force_login(world.office)
    data = _value_post(region=peers["hebi"].pk, indicator=indicator("secondary_share").pk, month="5", value="40")
    response = client.post(reverse("benchmarks:value_add"), data)
    assert response.status_code == 400 and "季度指标的截至月份须为 3、6、9 或 12 月" in response.content.decode()


def test_correcting_a_value_and_a_stale_version(client, world, peers, july):
    client.force_login(world.office)
    value = IndicatorValue.objects.get(region=peers["hebi"], indicator__code="fai_growth")
    url = reverse("benchmarks:value_edit", args=[value.pk])
    page = client.get(url)
    assert page.status_code == 200 and "变更历史" in page.content.decode()
    data = _value_post(region=peers["hebi"].pk, value="15.8", version=value.version)
    assert client.post(url, data).status_code == 302
    value.refresh_from_db()
    assert value.value == D("15.80") and value.version == 2
    stale = client.post(url, _value_post(region=peers["hebi"].pk, value="16", version=1))
    assert stale.status_code == 409 and "15.8" in stale.content.decode()
    value.refresh_from_db()
    assert value.value == D("15.80")


def test_deleting_a_value(client, world, peers, july):
    client.force_login(world.office)
    value = IndicatorValue.objects.get(region=peers["changyuan"], indicator__code="fai_growth")
    stale = client.post(reverse("benchmarks:value_delete", args=[value.pk]), {"version": "7"})
    assert stale.status_code == 409 and IndicatorValue.objects.filter(pk=value.pk).exists()
    response = client.post(reverse("benchmarks:value_delete", args=[value.pk]), {"version": str(value.version)})
    assert response.status_code == 302 and not IndicatorValue.objects.filter(pk=value.pk).exists()
    assert ObjectChange.objects.filter(changed_object_id=value.pk, action="delete").exists()


def test_a_leader_cannot_enter(client, world, peers, july):
    client.force_login(world.leader)
    assert client.get(reverse("benchmarks:value_add")).status_code == 403
    response = client.post(reverse("benchmarks:value_add"), _value_post(region=peers["hebi"].pk, month="5"))
    assert response.status_code == 403


def test_targets_regions_and_indicators(client, world, july):
    client.force_login(world.users["office"])
    response = client.post(
        reverse("benchmarks:target_add"),
        {"indicator": indicator("fai_growth").pk, "year": "2025", "value": "8", "source": "政府工作报告"},
    )
    assert response.status_code == 302
    target = IndicatorTarget.objects.get(indicator__code="fai_growth", year=2025)
    response = client.post(
        reverse("benchmarks:target_edit", args=[target.pk]),
        {"indicator": target.indicator_id, "year": "2025", "value": "8.5", "source": "", "version": target.version},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == D("8.50")
    share = indicator("secondary_share")
    bad = client.post(reverse("benchmarks:target_add"), {"indicator": share.pk, "year": "2025", "value": "130"})
    assert bad.status_code == 400 and "占比须在 0 到 100 之间" in bad.content.decode()

    response = client.post(
        reverse("benchmarks:region_add"), {"name": "许昌", "group": "省辖市", "sort_order": "5", "is_active": "on"}
    )
    assert response.status_code == 302 and PeerRegion.objects.filter(name="许昌").exists()
    own = self_region()
    response = client.post(
        reverse("benchmarks:region_edit", args=[own.pk]),
        {"name": "红旗区", "group": "", "sort_order": "0", "version": own.version},
    )
    assert response.status_code == 400 and "本区不能停用" in response.content.decode()

    data = {
        "code": "retail_growth",
        "name": "社零增速",
        "kind": "growth",
        "frequency": "month",
        "higher_is_better": "on",
        "platform_source": "",
        "sort_order": "80",
        "note": "累计同比，%",
    }
    assert client.post(reverse("benchmarks:indicator_add"), data).status_code == 302
    wrong = dict(data, code="x_count", name="签约个数2", kind="count", platform_source="investment_growth")
    response = client.post(reverse("benchmarks:indicator_add"), wrong)
    assert response.status_code == 400 and "只能用于“增速（%）”类型的月度指标" in response.content.decode()
    assert Indicator.objects.filter(code="retail_growth").exists()
    for name in ("target_list", "region_list", "indicator_list"):
        assert client.get(reverse(f"benchmarks:{name}")).status_code == 200


def test_the_to_do_of_those_who_enter_values(client, world, peers, july):
    """June 2025 (last month): 鹤壁 has 固投 and 开工 … but every peer misses most indicators; 本区 misses the two
    entered-only ones (增加值增速 monthly, 二产占比 at June)."""
    from tuijin.benchmarks import attention  # noqa: F401  (registers the provider, as BenchmarksConfig.ready does)
    from tuijin.benchmarks.selectors import missing_values

    missing = missing_values()
    pairs = {(m.indicator.code, m.region.name) for m in missing}
    assert ("fai_growth", "鹤壁") not in pairs and ("fai_growth", "长垣") in pairs  # 长垣 has May only
    assert ("secondary_share", "鹤壁") not in pairs
    assert ("industrial_value_added_growth", "本区") in pairs and ("fai_growth", "本区") not in pairs
    assert not any(m.region.name == "停用区" for m in missing)
    items = {i.title: i for i in attention_for(world.office)}
    assert items["对标数据待录入（项）"].count == len(missing)
    assert not any("对标" in i.title for i in attention_for(world.leader))
    page = _get(client, world.office, items["对标数据待录入（项）"].url)
    assert page.status_code == 200 and "长垣" in page.content.decode()


def test_query_budgets(client, world, tiny, peers, targets, july):
    """The table and the indicator page read a fixed number of statements, whatever the data."""
    client.force_login(world.office)
    index = reverse("benchmarks:index") + "?year=2025&month=6"
    page = reverse("benchmarks:indicator", args=[indicator("fai_growth").pk]) + "?year=2025&month=6"
    client.get(index)
    with count_queries() as small_index:
        assert client.get(index).status_code == 200
    with count_queries() as small_page:
        assert client.get(page).status_code == 200
    for n in range(6):
        region = PeerRegion.objects.create(name=f"加测{n}")
        for code in ("fai_growth", "started_projects", "secondary_share"):
            put(region, code, 6, "5")
    with count_queries() as big_index:
        assert client.get(index).status_code == 200
    with count_queries() as big_page:
        assert client.get(page).status_code == 200
    assert big_index.count <= small_index.count <= 20
    assert big_page.count <= small_page.count <= 18


def test_bad_period_falls_back_to_last_month(client, world, july):
    response = _get(client, world.leader, reverse("benchmarks:index") + "?year=abc&month=13")
    assert response.status_code == 200 and "2025年 截至6月" in response.content.decode()

"""Real-browser 对标对表 (issue 15 item 4): the 项目办 adds a peer region, sets the district's 新开工项目数 target,
enters the peer's published value from the table's 录入 link, and sees the gap (对方 − 本区, with 本区's count
computed by the platform from the facts) and the monthly pace the rest of the year needs — both checked against
the numbers read off the page. Screenshots of the table and the indicator page at 1440 and 390 px.

The server is this module's own copy of the demo, so the target it sets does not leak into other tests."""

import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
# the month compared: last month (the month being published), but never December (no month would be left for a pace)
LAST_MONTH = TODAY.replace(day=1) - timedelta(days=1)
YEAR, MONTH = LAST_MONTH.year, min(LAST_MONTH.month, 11)
PEER = "浏览器测试市"
INDICATOR = "新开工项目数"


def _post(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _row(page):
    return page.locator('#tj-bench-table tr[data-indicator="started_projects"]')


def _self_count(page) -> int:
    text = _row(page).locator("td.tj-self .fw-semibold").inner_text().strip()
    return int(Decimal(text))


def test_office_enters_a_peer_value_and_sees_gap_and_pace(browser, fresh_live_url):
    url = fresh_live_url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, url, "xmb")
    page.wait_for_url(f"{url}/")

    # a peer region
    page.goto(f"{url}/benchmarks/regions/add/")
    page.fill("#id_name", PEER)
    page.fill("#id_group", "省辖市")
    page.fill("#id_sort_order", "1")
    _post(page, "#tj-form-save")
    assert PEER in page.locator("#tj-region-table").inner_text()

    # the platform's count for 本区 (from the facts), read off the table
    table = f"{url}/benchmarks/?year={YEAR}&month={MONTH}"
    page.goto(table)
    self_count = _self_count(page)
    assert "平台口径" in _row(page).locator("td.tj-self").inner_text()

    # the district's target: 本区 + 12 (set, or changed when the demo has one)
    target = self_count + 12
    page.goto(f"{url}/benchmarks/targets/?year={YEAR}")
    row = page.locator("#tj-target-table tr", has_text=INDICATOR)
    with page.expect_navigation():
        row.locator("a.btn").click()
    page.fill("#id_value", str(target))
    _post(page, "#tj-form-save")

    # the peer's published value, from the table's 录入 link (region, indicator, year and month filled in)
    page.goto(table)
    region_id = page.locator("#tj-bench-table thead th").all_inner_texts().index(PEER) - 5
    cell = _row(page).locator("td[data-region]").nth(region_id)
    assert "未录入" in cell.inner_text()
    with page.expect_navigation():
        cell.locator("a", has_text="录入").click()
    assert page.locator("#id_region option:checked").inner_text() == PEER
    assert page.locator("#id_indicator option:checked").inner_text() == INDICATOR
    peer_value = self_count + 5
    page.fill("#id_value", str(peer_value))
    page.fill("#id_source", f"{PEER}统计局《1—{MONTH}月经济运行情况》")
    page.fill("#id_published_on", TODAY.isoformat())
    _post(page, "#tj-form-save")
    assert page.url.startswith(table)
    assert "已保存" in page.locator(".alert-success").inner_text()

    # the gap to the peer and to the target, and the pace, as computed by hand from what the page shows
    cell = _row(page).locator("td[data-region]").nth(region_id)
    assert cell.locator(".tj-gap-behind").inner_text().strip() == "落后 5"
    assert _row(page).locator("td.tj-target-gap").inner_text().strip() == "落后 12"
    remaining = 12 - MONTH
    pace = (Decimal(12) / remaining).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    shown = _row(page).locator("td.tj-pace").inner_text()
    assert re.sub(r"\s+", " ", shown).strip() == f"需 {_fmt(pace)} 个/月"
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "benchmarks-index-1440")

    # the indicator page: the same gap, the pace sentence, the planned new projects not started
    with page.expect_navigation():
        _row(page).locator("td.tj-card-head a").first.click()
    gaps = page.locator("#tj-bench-gaps tr", has_text=PEER)
    assert gaps.locator(".tj-gap-behind").inner_text().strip() == "落后 5个"
    assert (
        f"距全年目标还差 12 个，剩余 {remaining} 个月需月均 {_fmt(pace)} 个"
        in page.locator("#tj-bench-pace").inner_text()
    )
    assert page.locator("#tj-bench-chart canvas").count() == 1
    shot(page, "benchmarks-indicator-1440")

    # phone: the table becomes cards, nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(table)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.locator("#tj-bench-table thead").is_visible()
    card = _row(page)
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390.5
    assert card.locator("td[data-region]").nth(region_id).get_attribute("data-label") == PEER
    shot(page, "benchmarks-index-390")
    page.goto(f"{url}/benchmarks/indicators/{_indicator_pk(page, url)}/?year={YEAR}&month={MONTH}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "benchmarks-indicator-390")
    page.goto(f"{url}/benchmarks/secondary-share/?year={YEAR}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "benchmarks-share-390")
    context.close()


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}" if value != value.to_integral_value() else str(int(value))


def _indicator_pk(page, url) -> str:
    page.goto(f"{url}/benchmarks/indicators/")
    href = page.locator("#tj-indicator-table a", has_text=INDICATOR).first.get_attribute("href")
    return href.rstrip("/").split("/")[-1]

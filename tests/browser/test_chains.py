"""Real-browser 产业链图谱 (issue 15, peers §7 item 7, "a map that updates itself from the pipeline"): the 项目办 adds
a 链环节 to the demo's 光电信息 map (空白); the 招商专员 of 红开区 starts a lead from that node; the lead is signed
(the 商务局 approves), converted by the 项目办 into a key project, and the project goes 在建 → 竣工 → 投产 through
the project page; the node page then shows 薄弱, with the change 空白 → 薄弱 in its history — nobody edited the node.
Along the way: the map's table fallback, the PNG export, the cockpit, and screenshots of the map, a node and the
cockpit at 1440 and 390 px (var/screenshots/chains-*.png).

The server is this module's own copy of the demo, so the counts do not depend on the other browser tests."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser

NODE = "浏览器测试：激光雷达整机"
LEAD = "浏览器测试：激光雷达整机生产线项目"
INVESTOR = "浏览器测试雷达集团有限公司"
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _as(page, url, username):
    login(page, url, username)
    page.wait_for_url(f"{url}/")


def _logout(page):
    page.click("#tj-user-menu")
    page.click("#tj-logout")
    page.wait_for_url(re.compile(r".*/accounts/login/"))


def _both_widths(page, name: str) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 1440, "height": 900})
    page.wait_for_timeout(300)  # the chart redraws at the new width
    shot(page, f"{name}-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    shot(page, f"{name}-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"{name}: the page is {width}px wide on a 390px phone"
    page.set_viewport_size(size)


def _badge(page) -> str:
    return page.locator("#tj-node-status-badge").inner_text()


def _open_chain(page, url) -> str:
    page.goto(f"{url}/chains/")
    page.locator("#tj-chain-index a", has_text="光电信息").first.click()
    page.wait_for_url(re.compile(r".*/chains/\d+/$"))
    return page.url


def _add_node(page, url) -> tuple[str, str]:
    """The 项目办 adds a 中游 node to 光电信息: it is 空白, with its reason."""
    _as(page, url, "xmb")
    map_url = _open_chain(page, url)
    page.wait_for_selector("#tj-chain-chart canvas")
    page.click("#tj-node-add")
    page.fill("#id_name", NODE)
    page.select_option("#id_segment", "midstream")
    page.fill("#id_keywords", "激光雷达 整机 自动驾驶")
    page.click("#tj-node-save")
    page.wait_for_url(re.compile(r".*/chains/nodes/\d+/$"))
    node_url = page.url
    assert page.locator("#tj-node-name").inner_text() == NODE
    assert _badge(page) == "空白"
    assert "本地在产主体 0 个" in page.locator("#tj-node-reason").inner_text()
    _logout(page)
    return map_url, node_url


def _start_lead(page, url, node_url) -> str:
    """The 招商专员 starts a lead from the node: created 在谈 and put on the node in one step."""
    _as(page, url, "hongkai_zs")
    page.goto(node_url)
    page.click("#tj-lead-start")
    page.wait_for_url(re.compile(r".*/leads/new/$"))
    assert page.locator("#id_chain option:checked").inner_text() == "光电信息"
    page.fill("#id_name", LEAD)
    page.fill("#id_investor", INVESTOR)
    page.fill("#id_planned_investment", "8亿元")
    page.click("#tj-lead-start-submit")
    page.wait_for_url(re.compile(r".*/investment/\d+/$"))
    lead_url = page.url
    assert "在谈" in page.locator("#tj-lead-stage").inner_text()
    page.goto(node_url)
    assert LEAD in page.locator("#tj-node-leads").inner_text()
    assert _badge(page) == "空白"  # a lead in talks is a target, not a local producer
    assert page.locator("#tj-node-counts").inner_text().count("1") >= 1

    page.goto(lead_url)
    page.select_option("#tj-to-stage", "signed")
    page.fill("#tj-signed-date", _day(120))
    page.select_option("#tj-contract-kind", "contract")
    page.fill("#tj-signed-total", "8亿元")
    page.fill("#tj-phase1", "30000")
    page.click("#tj-submit-stage")
    page.wait_for_load_state()
    assert "审核中" in page.locator("#tj-lead-stage").inner_text()
    _logout(page)

    _as(page, url, "swj")
    page.goto(lead_url)
    page.click("#tj-approve")
    page.wait_for_load_state()
    assert "通过" in page.locator("#tj-lead-stage").inner_text()
    _logout(page)
    return lead_url


def _to_production(page, url, lead_url, node_url) -> None:
    """The 项目办 converts the lead and moves the project 在建 → 竣工 → 投产 on the project page; the node was never
    opened for editing."""
    _as(page, url, "xmb")
    page.goto(lead_url)
    page.click("#tj-convert")
    page.wait_for_url(re.compile(r".*/projects/\d+/$"))
    project_url = page.url

    def transition(stage: str, field: str = "", day: str = "") -> None:
        page.goto(project_url)
        form = page.locator("#tj-transition")
        form.locator("select[name=to_stage]").select_option(label=stage)
        if field:
            form.locator(f"input[name={field}]").fill(day)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "项目阶段已变更" in page.content(), page.locator(".alert").all_inner_texts()

    transition("在建", "actual_start", _day(90))
    page.goto(node_url)
    assert _badge(page) == "空白"  # under construction does not count under the demo's rules
    transition("竣工", "actual_finish", _day(10))
    transition("投产")

    page.goto(node_url)
    assert _badge(page) == "薄弱", _badge(page)
    reason = page.locator("#tj-node-reason").inner_text()
    assert "已投产项目 1 个" in reason and "薄弱" in reason, reason
    history = page.locator("#tj-node-history tbody tr").first.inner_text()
    assert "空白" in history and "薄弱" in history and "已投产项目 1 个" in history, history
    assert "自 " in page.locator("#tj-node-since").inner_text()
    assert LEAD in page.locator("#tj-node-leads").inner_text()
    # the node's change history holds only its creation: nobody edited it
    assert page.locator("#tj-history tbody tr").count() == 1


def test_a_gap_node_turns_weak_when_its_lead_reaches_production(browser, fresh_live_url):
    url = fresh_live_url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 860}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        map_url, node_url = _add_node(page, url)
        lead_url = _start_lead(page, url, node_url)
        _to_production(page, url, lead_url, node_url)

        # the map: its table lists the node as 薄弱, the chart exports a PNG; then the screenshots
        page.goto(map_url)
        page.wait_for_selector("#tj-chain-chart canvas")
        row = page.locator("#tj-chain-table tr", has_text=NODE)
        assert "薄弱" in row.inner_text()
        with page.expect_download() as download:
            page.click("#tj-map-png")
        assert download.value.suggested_filename.endswith(".png")
        _both_widths(page, "chains-map")
        # printed, the chart alone fits one A4 landscape page
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        pdf = page.pdf(prefer_css_page_size=True)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        page.set_viewport_size({"width": 390, "height": 844})
        assert not page.locator("#tj-chain-chart-card").is_visible()  # a phone reads the table
        assert page.locator("#tj-chain-table", has_text=NODE).is_visible()
        page.set_viewport_size({"width": 1366, "height": 860})

        page.goto(node_url)
        _both_widths(page, "chains-node")

        page.goto(map_url.rstrip("/") + "/cockpit/")
        assert "光电信息链长驾驶舱" in page.locator("#tj-cockpit-title").inner_text()
        assert int(page.locator("#tj-fill-count").inner_text()) >= 1
        _both_widths(page, "chains-cockpit")

        page.goto(map_url.rstrip("/") + "/lists/")
        assert LEAD in page.locator("#tj-list-projects").inner_text()
        shot(page, "chains-lists-1440")
    finally:
        context.close()

"""Real-browser 招商引资 from lead to 达产 (issue 14, "Done when"): the 招商专员 of 红开区 registers a lead and submits
its 签约, the 商务局 approves it (the 首次签约 appears); the agreement's promises go into the two-way ledger, one
government clause is flagged by the 公平竞争审查 pre-check and needs a reason and a second reviewer before the
agreement can be saved as signed; an overdue government promise becomes a 协调工单 (`check_commitments`) that
escalates (`escalate_tickets`) and shows on the 驾驶舱; the investor's enterprise account confirms one line and
disputes another; the 项目办 converts the lead into a key project whose start and completion move the lead to 开工
and 投产; and the first 达产 year is recorded against what was promised, with the 亩均 figures.

The server is this module's own (a copy of the demo), so the management commands run against its database and the
other browser tests are not disturbed."""

import re
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .conftest import REPO, SCREENSHOTS, _serve, login, shot

pytestmark = pytest.mark.browser

NAME = "浏览器测试：年产5万套激光雷达模组项目"
INVESTOR = "浏览器测试光学集团有限公司"
REGISTERED = "新乡浏览器测试光学科技有限公司"
LAND = "在开发区东区交付净地60亩"
SUBSIDY = "按设备投资额的8%给予奖补，最高1500万元"
OUTPUT = "达产后年产值不低于12亿元"
JOBS = "新增就业岗位不少于300个"
DISPUTE = "奖补比例应为10%，请核对合同第八条"
# the server's calendar day (Asia/Shanghai): the services refuse dates later than it
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _ahead(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def investment_server(server_env, demo_var_dir, tmp_path_factory):
    """`fresh_live_url`'s server, with the environment that reaches its database (for the daily commands)."""
    env = dict(server_env, TUIJIN_VAR_DIR=str(tmp_path_factory.mktemp("tuijin-var-investment")))
    for url in _serve(env, demo_var_dir):
        yield url, env


def _manage(env, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _logout(page):
    page.click("#tj-user-menu")
    page.click("#tj-logout")
    page.wait_for_url(re.compile(r".*/accounts/login/"))


def _as(page, url, username):
    login(page, url, username)
    page.wait_for_url(f"{url}/")


def _stage(page) -> str:
    return page.locator("#tj-lead-stage").inner_text()


def _both_widths(page, name: str) -> None:
    """Screenshots at 1440 px and 390 px (a phone), then back to the test's own width."""
    size = page.viewport_size
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, f"{name}-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"{name}-390")
    page.set_viewport_size(size)


def _line(page, content: str):
    """The ledger row of a line on the lead page, and its id."""
    row = page.locator("#tj-ledger tr[id^=commitment-]", has_text=content)
    assert row.count() == 1, f"the ledger shows the line {content!r} once"
    return row, int(row.get_attribute("id").removeprefix("commitment-"))


def _add_commitment(page, *, side, category, content, due, amount="", target="", unit="", responsible="", clause=""):
    details = page.locator("#tj-commitment-add")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    page.select_option("#tj-side-new", side)
    page.select_option("#tj-category-new", category)
    page.fill("#tj-content-new", content)
    page.fill("#tj-clause-new", clause)
    page.fill("#tj-due-new", due)
    page.fill("#tj-amount-new", amount)
    page.fill("#tj-target-new", target)
    page.fill("#tj-tunit-new", unit)
    if responsible:
        page.select_option("#tj-unit-new", label=responsible)
    page.click("#tj-commitment-add button")
    page.wait_for_load_state()
    _line(page, content)


def _register_and_sign(page, url) -> str:
    """The 招商专员 registers the lead (在谈) and submits its 签约; the 商务局 approves: the 首次签约 appears."""
    _as(page, url, "hongkai_zs")
    page.goto(f"{url}/investment/new/")
    page.fill("#id_name", NAME)
    page.fill("#id_investor", INVESTOR)
    page.check("#tj-lead-form input[name=investor_tags][value=listed]")
    page.select_option("#id_chain", label="光电信息")
    page.fill("#id_content", "建设激光雷达模组生产线及研发中心，年产激光雷达模组5万套。")
    page.fill("#id_planned_investment", "5亿元")
    page.fill("#id_land_need_mu", "60")
    page.fill("#id_contact_name", "张经理")
    assert page.locator("#id_tracking_unit option:checked").inner_text() == "新乡红旗区先进制造业开发区"
    page.click("#tj-lead-submit")
    page.wait_for_url(re.compile(r".*/investment/\d+/$"))
    lead_url = page.url
    assert page.locator("#tj-lead-name").inner_text() == NAME
    assert "在谈" in _stage(page)
    assert "签约后登记双方承诺" in page.locator("#tj-ledger").inner_text()

    page.select_option("#tj-to-stage", "signed")
    page.fill("#tj-signed-date", _day(200))
    page.select_option("#tj-contract-kind", "contract")
    page.fill("#tj-signed-total", "6亿元")
    page.fill("#tj-phase1", "30000")
    page.click("#tj-submit-stage")
    page.wait_for_load_state()
    assert "签约" in _stage(page) and "审核中" in _stage(page)
    assert "暂无签约记录" in page.locator("#tj-signing-table").inner_text()
    _logout(page)

    _as(page, url, "swj")
    page.goto(lead_url)
    page.fill("#tj-opinion", "合同要素齐全，同意。")
    page.click("#tj-approve")
    page.wait_for_load_state()
    assert "签约" in _stage(page) and "通过" in _stage(page)
    signings = page.locator("#tj-signing-table tbody tr")
    assert signings.count() == 1
    first = signings.first.inner_text()
    assert "首次签约" in first and "合同" in first and "60,000" in first, first
    _logout(page)
    return lead_url


def _enterprise_and_land(page, url, state) -> None:
    """The 招商专员 links the investor's enterprise account (qiye's enterprise) and the 项目用地 on the lead form."""
    _as(page, url, "hongkai_zs")
    page.goto(state["lead_url"])
    page.click("#tj-lead-edit")
    page.wait_for_url(re.compile(r".*/edit/$"))
    page.select_option("#id_enterprise", label="新乡示例光电科技有限公司（示例）")
    page.fill("#id_land_mu", "40")
    page.click("#tj-lead-submit")
    page.wait_for_url(state["lead_url"])
    data = page.locator("#tj-stage-data").inner_text()
    assert "新乡示例光电科技有限公司（示例）" in data and "40 亩" in data, data


def _promises_and_fair_competition(page, url, state) -> None:
    """Both sides' promises as drafts; the 奖补 clause is flagged: signing is refused, a reason is required, whoever
    gave the reason cannot review it, the 商务局 (a second person) approves it, and the agreement is signed."""
    lead_url = state["lead_url"]
    page.goto(lead_url)  # still the 招商专员
    _add_commitment(
        page,
        side="government",
        category="land",
        content=LAND,
        clause="合同第五条",
        due=_day(3),
        responsible="新乡市自然资源和规划局红旗分局",
    )
    _add_commitment(
        page,
        side="government",
        category="subsidy",
        content=SUBSIDY,
        clause="合同第八条",
        due=_ahead(180),
        amount="1500",
        responsible="区财政局",
    )
    _add_commitment(
        page, side="investor", category="output", content=OUTPUT, due=_ahead(700), target="120000", unit="万元"
    )
    _add_commitment(page, side="investor", category="jobs", content=JOBS, due=_ahead(700), target="300", unit="人")
    land_row, _ = _line(page, LAND)
    subsidy_row, subsidy = _line(page, SUBSIDY)
    assert "未触发" in land_row.inner_text()
    flag = subsidy_row.locator(".tj-fc-flag").inner_text()
    assert "待说明理由" in flag and "选择性财政奖补" in flag, flag

    # 保存为已签订 is blocked, on the page and by the server
    sign = page.locator("#tj-sign")
    assert "4 项草拟承诺" in sign.inner_text()
    blockers = page.locator("#tj-sign-blockers").inner_text()
    assert SUBSIDY[:20] in blockers and "待说明理由" in blockers, blockers
    assert page.locator("#tj-sign-button").is_disabled()
    page.locator("#tj-sign-button").evaluate("b => { b.disabled = false; }")
    page.click("#tj-sign-button")
    page.wait_for_load_state()
    errors = page.locator("#tj-sign-errors").inner_text()
    assert SUBSIDY[:20] in errors, errors
    assert "草拟" in _line(page, LAND)[0].inner_text()

    # a reason is required
    page.click(f"#commitment-{subsidy} + tr .tj-justify-form button")
    page.wait_for_load_state()
    assert "请说明保留该承诺的理由" in page.locator(f"#commitment-{subsidy} + tr .tj-justify-form").inner_text()
    page.fill(f"#tj-reason-{subsidy}", "属于市级技术改造专项奖补政策的区级配套，面向所有符合条件的企业公开兑现。")
    page.click(f"#commitment-{subsidy} + tr .tj-justify-form button")
    page.wait_for_load_state()
    assert "待第二人复核" in _line(page, SUBSIDY)[0].inner_text()
    assert page.locator(f"#commitment-{subsidy} + tr .tj-review-form").count() == 0  # no review right
    _logout(page)

    # the 项目办 completes the reason with its legal basis: it is now the one who gave it, and cannot review it
    _as(page, url, "xmb")
    page.goto(lead_url)
    page.click(f"#commitment-{subsidy} + tr summary:has-text('说明保留理由')")
    assert "技术改造专项奖补" in page.input_value(f"#tj-reason-{subsidy}")  # the reason given is kept
    page.fill(f"#tj-basis-{subsidy}", "红政〔2025〕12号")
    page.click(f"#commitment-{subsidy} + tr .tj-justify-form button")
    page.wait_for_load_state()
    assert "红政〔2025〕12号" in _line(page, SUBSIDY)[0].inner_text()
    assert page.locator(f"#commitment-{subsidy} + tr .tj-review-form").count() == 0, "the page offers no self-review"
    version = page.locator(f"#commitment-{subsidy} + tr .tj-justify-form input[name=version]").input_value()
    token = page.locator("#tj-ledger input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        f"{url}/investment/commitments/{subsidy}/action/",
        form={"csrfmiddlewaretoken": token, "action": "review", "version": version, "decision": "approve"},
        headers={"Referer": lead_url},
    )
    # the service refuses it (same_person): 400 and nothing changes. The refusal's text is not on that page, because
    # the page has no review form for this user to show it by (a forged post; the page itself offers none).
    assert response.status == 400, response.status
    assert "已复核同意" not in response.text()
    page.goto(lead_url)
    assert "待第二人复核" in _line(page, SUBSIDY)[0].inner_text()
    _logout(page)

    # the 商务局 is the second reviewer
    _as(page, url, "swj")
    page.goto(lead_url)
    page.fill(f"#tj-fc-opinion-{subsidy}", "经复核，符合例外规定，同意保留。")
    page.click(f"#commitment-{subsidy} + tr .tj-review-form button[value=approve]")
    page.wait_for_load_state()
    flag = _line(page, SUBSIDY)[0].locator(".tj-fc-flag").inner_text()
    assert "已复核同意" in flag and "复核" in flag, flag
    _logout(page)

    # now the agreement can be saved as signed
    _as(page, url, "hongkai_zs")
    page.goto(lead_url)
    assert page.locator("#tj-sign-blockers").count() == 0
    page.click("#tj-sign-button")
    page.wait_for_load_state()
    assert "4 项承诺已保存为已签订" in page.content()
    assert page.locator("#tj-sign").count() == 0
    for content in (LAND, SUBSIDY, OUTPUT, JOBS):
        text = _line(page, content)[0].inner_text()
        assert "草拟" not in text and "未达条件" in text and "待企业确认" in text, text
    assert "超期" in _line(page, LAND)[0].inner_text()
    _logout(page)


def _overdue_promise_escalates(page, url, env, state) -> None:
    """The land promise is past due: the daily check turns it into a 协调工单 assigned to the responsible unit, the
    tickets' escalation raises it, and the 驾驶舱 shows it among the overdue government promises."""
    out = _manage(env, "check_commitments")
    assert "新生成工单 1 个" in out, out
    assert "新生成工单 0 个" in _manage(env, "check_commitments")  # idempotent
    fired = re.search(r"触发 (\d+) 级次", _manage(env, "escalate_tickets", "--today", _ahead(30)))
    assert fired and int(fired.group(1)) >= 1, "the overdue ticket escalates"

    _as(page, url, "xmb")
    page.goto(state["lead_url"])
    row = _line(page, LAND)[0]
    badges = row.inner_text()
    assert "超期" in badges and "督办工单" in badges and "已升级" in badges, badges
    assert "督办工单" not in _line(page, SUBSIDY)[0].inner_text()  # not due yet
    row.locator("a", has_text="督办工单").click()
    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    assert "承诺超期未兑现" in page.locator("#tj-ticket-title").inner_text()
    assert page.locator("#tj-lead-unit-name").inner_text() == "自然资源红旗分局"  # the short name
    escalations = page.locator("#tj-escalations").inner_text()
    assert "第1级" in escalations, escalations
    assert LAND in page.content()
    shot(page, "investment-overdue-ticket")

    page.goto(f"{url}/progress/dashboard/")
    page.wait_for_selector("#tj-overdue-commitments-count")  # the tile is loaded by htmx
    tile = page.locator("#tj-overdue-commitments")
    assert int(page.locator("#tj-overdue-commitments-count").inner_text()) >= 1
    tile.scroll_into_view_if_needed()
    assert "超期未兑现的政府承诺" in tile.inner_text()
    tile_row = tile.locator("tr", has_text=LAND)
    assert tile_row.count() == 1, tile.inner_text()
    assert "升级" in tile_row.inner_text() and NAME in tile_row.inner_text()
    shot(page, "investment-dispatch-dashboard")
    tile.screenshot(path=str(SCREENSHOTS / "investment-dispatch-overdue-tile.png"))
    _logout(page)


def _enterprise_confirms(page, url, state) -> None:
    """The investor's enterprise account opens its 承诺台账 (both sides), confirms one line and disputes another (a
    comment is required); the 招商专员 sees the dispute."""
    lead_id = state["lead_url"].rstrip("/").rsplit("/", 1)[-1]
    _as(page, url, "qiye")
    page.goto(f"{url}/investment/ledger/?lead={lead_id}")
    table = page.locator("#tj-ledger-table").inner_text()
    for content in (LAND, SUBSIDY, OUTPUT, JOBS):
        assert content in table, content
    assert "政府承诺" in table and "企业承诺" in table
    _both_widths(page, "investment-ledger-qiye")

    output = page.locator("#tj-ledger-table tr[id^=commitment-]", has_text=OUTPUT)
    output.locator("summary", has_text="确认或提出异议").click()
    output.locator("button[value=agree]").click()
    page.wait_for_load_state()
    assert "企业已确认" in page.locator("#tj-ledger-table tr[id^=commitment-]", has_text=OUTPUT).inner_text()

    subsidy = page.locator("#tj-ledger-table tr[id^=commitment-]", has_text=SUBSIDY)
    subsidy.locator("summary", has_text="确认或提出异议").click()
    subsidy.locator("button[value=dispute]").click()  # without a comment
    page.wait_for_load_state()
    subsidy = page.locator("#tj-ledger-table tr[id^=commitment-]", has_text=SUBSIDY)
    assert "企业有异议" not in subsidy.inner_text()
    assert subsidy.locator(".tj-confirm-form .invalid-feedback").count() == 1, subsidy.inner_text()
    subsidy.locator("textarea[name=comment]").fill(DISPUTE)
    subsidy.locator("button[value=dispute]").click()
    page.wait_for_load_state()
    subsidy = page.locator("#tj-ledger-table tr[id^=commitment-]", has_text=SUBSIDY)
    assert "企业有异议" in subsidy.inner_text() and DISPUTE in subsidy.inner_text()
    shot(page, "investment-ledger-qiye-confirmed")
    _logout(page)

    _as(page, url, "hongkai_zs")
    assert "企业有异议的承诺" in page.content()  # 待我处理
    page.goto(state["lead_url"])
    text = _line(page, SUBSIDY)[0].inner_text()
    assert "企业有异议" in text and DISPUTE in text, text
    assert "企业已确认" in _line(page, OUTPUT)[0].inner_text()
    _logout(page)


def _project_moves_the_lead(page, url, state) -> None:
    """注册 is submitted and approved; the 项目办 converts the lead into a key project in one step; the project's
    start (在建, 实际开工) moves the lead to 开工 and its completion (竣工, 实际竣工) to 投产."""
    lead_url = state["lead_url"]
    _as(page, url, "hongkai_zs")
    page.goto(lead_url)
    page.select_option("#tj-to-stage", "registered")
    page.fill("#tj-reg-name", REGISTERED)
    page.fill("#tj-reg-date", _day(180))
    page.click("#tj-submit-stage")
    page.wait_for_load_state()
    assert "注册" in _stage(page) and "审核中" in _stage(page)
    _logout(page)

    _as(page, url, "swj")
    page.goto(lead_url)
    page.click("#tj-approve")
    page.wait_for_load_state()
    assert "注册" in _stage(page) and "通过" in _stage(page)
    assert page.locator("#tj-convert").count() == 0  # the 商务局 does not convert
    _logout(page)

    _as(page, url, "xmb")
    page.goto(lead_url)
    page.click("#tj-convert")
    page.wait_for_url(re.compile(r".*/projects/\d+/$"))
    project_url = page.url
    assert NAME in page.content() and REGISTERED in page.content()  # filled from the lead, typed once
    page.goto(lead_url)
    assert NAME in page.locator("#tj-lead-project").inner_text()
    assert page.locator("#tj-convert").count() == 0

    def transition(stage: str, field: str, day: str) -> None:
        page.goto(project_url)
        form = page.locator("#tj-transition")
        form.locator("select[name=to_stage]").select_option(label=stage)
        form.locator(f"input[name={field}]").fill(day)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "项目阶段已变更" in page.content(), page.locator(".alert").all_inner_texts()

    transition("在建", "actual_start", _day(150))
    page.goto(lead_url)
    assert "开工" in _stage(page), _stage(page)
    assert _day(150) in page.locator("#tj-stage-data").inner_text()
    assert "随项目更新" in page.locator("#tj-timeline").inner_text()

    transition("竣工", "actual_finish", _day(30))
    page.goto(lead_url)
    assert "投产" in _stage(page), _stage(page)
    assert _day(30) in page.locator("#tj-stage-data").inner_text()
    _logout(page)


def _first_result_year(page, url, state) -> None:
    """The 招商专员 records the first 达产跟踪 year: the lead page shows it against the promises, with the 亩均
    figures over the 40 亩 of 项目用地 (30000 / 40 = 750.00 and 800 / 40 = 20.00 万元/亩, above the default lines)."""
    lead_url = state["lead_url"]
    _as(page, url, "hongkai_zs")
    page.goto(lead_url)
    assert page.locator("#tj-no-land").count() == 0
    promised = page.locator("#tj-promised").inner_text()
    assert "120,000.00" in promised and "300" in promised, promised  # the signed 产值 and 就业 promises
    page.locator("#tj-result-table a", has_text="填报").first.click()
    page.wait_for_url(re.compile(r".*/results/lead/\d+/new/.*"))
    year = page.locator("#id_year").input_value()
    assert year == str(int(_day(30)[:4])), year  # the production year (投产当年) first
    page.fill("#id_output", "30000")
    page.fill("#id_tax", "800")
    page.fill("#id_jobs", "120")
    page.click("#tj-result-save")
    page.wait_for_url(re.compile(r".*/investment/\d+/#tj-results$"))
    row = page.locator(f"#tj-result-table tr[data-year='{year}']").inner_text()
    for figure in ("30,000.00", "800.00", "120", "750.00", "20.00"):
        assert figure in row, (figure, row)
    assert "低效用地" not in row
    assert "达产跟踪" in page.locator("#tj-timeline").inner_text()
    _both_widths(page, "investment-lead")
    page.goto(f"{url}/investment/dashboard/")
    assert page.locator("h1").first.inner_text()
    _both_widths(page, "investment-dashboard")
    _logout(page)


def test_lead_to_first_result_year_with_a_two_way_ledger(page, investment_server):
    url, env = investment_server
    state = {"lead_url": _register_and_sign(page, url)}
    _enterprise_and_land(page, url, state)
    _promises_and_fair_competition(page, url, state)
    _overdue_promise_escalates(page, url, env, state)
    _enterprise_confirms(page, url, state)
    _project_moves_the_lead(page, url, state)
    _first_result_year(page, url, state)

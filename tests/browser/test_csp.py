"""The Content-Security-Policy in a real browser: the main pages of several roles load without a single policy
violation or console error, and their scripts (charts, htmx, the report form, confirmations, auto-submitting
selects) still work — all of them now external files and data-* attributes instead of inline code."""

import re

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser

WATCH = """
window.__tjViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__tjViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " in " +
    e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


class Watch:
    """Policy violations (the securitypolicyviolation event) and console errors / uncaught exceptions of a page."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"exception: {e}"))

    def visit(self, url: str, *, ready: str | None = None, allow: str = ""):
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), url
        self.page.wait_for_load_state("networkidle")
        if ready:
            _attached(self.page, ready)
        self.check(url, allow=allow)

    def check(self, where: str, *, allow: str = ""):
        """No violation and no console error on the page so far (except those naming `allow`)."""
        violations = [v for v in self.page.evaluate("window.__tjViolations || []") if not (allow and allow in v)]
        errors = [e for e in self.errors if not (allow and allow in e)]
        self.errors.clear()
        assert not violations, f"{where}: {violations}"
        assert not errors, f"{where}: {errors}"


def _attached(page, selector: str, seconds: float = 20) -> None:
    """Wait until the selector matches, polled from here (Redoc's large page starves the in-page waiting)."""
    for _ in range(int(seconds * 4)):
        if page.locator(selector).count():
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{page.url}: {selector} never appeared")


def _session(page, live_url, username) -> Watch:
    watch = Watch(page)
    login(page, live_url, username)
    page.wait_for_url(f"{live_url}/")
    page.wait_for_load_state("networkidle")
    watch.check(f"{username} home")
    return watch


def _chart_drawn(page, selector: str) -> None:
    page.wait_for_selector(f"{selector} canvas")
    assert page.locator(selector).get_attribute("_echarts_instance_"), selector


def test_the_policy_is_strict_and_the_login_page_is_clean(page, live_url):
    watch = Watch(page)
    response = page.goto(f"{live_url}/accounts/login/")
    policy = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    assert script_src == ["'self'"], policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy, policy
    watch.check("login")
    # a violation is caught: the watcher is not blind (an inline script injected now is refused and reported)
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.__ran = 1";
                            document.body.appendChild(s); }""")
    page.wait_for_function("() => window.__tjViolations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert "script-src" in page.evaluate("window.__tjViolations[0]")


def test_project_office_pages_work_under_the_policy(page, live_url):
    watch = _session(page, live_url, "xmb")

    # 调度驾驶舱: the four charts draw (ECharts without eval)
    watch.visit(f"{live_url}/progress/dashboard/", ready="#tj-chart-trend canvas")
    for chart in ("#tj-chart-trend", "#tj-chart-category"):
        _chart_drawn(page, chart)
    shot(page, "csp-dashboard")
    watch.visit(f"{live_url}/investment/dashboard/", ready="#tj-chart-months canvas")

    # the project list: an htmx filter swaps the table; the column picker and 全选 work without inline handlers
    watch.visit(f"{live_url}/projects/")
    page.evaluate("() => { document.querySelector('#tj-project-table').dataset.old = '1'; }")
    page.select_option("#id_stage", index=1)  # change from:select → hx-get, the table is swapped
    page.wait_for_function("() => !document.querySelector('#tj-project-table').dataset.old")
    assert "stage=" in page.url  # hx-push-url
    watch.check("project list after an htmx swap")
    # the search box filters as one types (keyup, no Enter, no 查询 click)
    watch.visit(f"{live_url}/projects/")
    before = page.locator("#tj-project-table tbody tr").count()
    name = page.locator("#tj-project-table tbody tr a").first.inner_text().strip()
    page.evaluate("() => { document.querySelector('#tj-project-table').dataset.old = '1'; }")
    page.locator("#id_q").press_sequentially(name[:6], delay=30)
    page.wait_for_function("() => !document.querySelector('#tj-project-table').dataset.old", timeout=5000)
    assert "q=" in page.url
    after = page.locator("#tj-project-table tbody tr").count()
    assert 0 < after < before, (before, after)
    watch.check("project list after typing a search")
    watch.visit(f"{live_url}/projects/")
    page.click("[data-tj-check-all]")  # 全选 of the bulk reassignment
    checks = page.locator(".tj-row-check")
    assert checks.count() > 0 and all(checks.nth(i).is_checked() for i in range(checks.count()))
    page.click("#tj-columns-btn")
    boxes = page.locator(".tj-col:checked")
    keep = [boxes.nth(i).get_attribute("value") for i in range(min(2, boxes.count()))]
    for i in range(boxes.count() - 1, len(keep) - 1, -1):
        boxes.nth(i).uncheck()
    page.click("#tj-columns button[type=submit]")
    page.wait_for_url(re.compile(r".*cols=.*"))
    assert re.search(r"cols=" + "%2C".join(keep) + r"(&|$)", page.url), page.url
    watch.check("project list columns")
    # the year field submits its form on change (data-tj-autosubmit)
    page.fill("#tj-year", "2025")
    page.dispatch_event("#tj-year", "change")
    page.wait_for_url(re.compile(r".*year=2025.*"))

    # a project's page: its monthly chart draws
    watch.visit(f"{live_url}/projects/")
    page.locator("#tj-project-table tbody tr a").first.click()
    page.wait_for_url(re.compile(r".*/projects/\d+/$"))
    page.wait_for_load_state("networkidle")
    _chart_drawn(page, "#tj-project-chart")
    watch.check("project detail")

    # 产业链图谱 (tree chart), the 链长 cockpit, 对标 indicator and share charts
    watch.visit(f"{live_url}/chains/")
    page.locator("#tj-chain-index a", has_text="光电信息").first.click()
    page.wait_for_url(re.compile(r".*/chains/\d+/$"))
    _chart_drawn(page, "#tj-chain-chart")
    watch.check("chain map")
    watch.visit(f"{live_url}/benchmarks/indicators/")
    page.locator("#tj-indicator-table tbody a").first.click()
    page.wait_for_load_state("networkidle")
    _chart_drawn(page, "#tj-bench-chart")
    watch.check("benchmark indicator")
    watch.visit(f"{live_url}/benchmarks/secondary-share/", ready="#tj-share-chart canvas")

    for path in ("/progress/", "/progress/missing/", "/notifications/", "/supervision/", "/tickets/", "/funds/"):
        watch.visit(f"{live_url}{path}")

    # the API documentation (Swagger UI's start-up script is a file of its own)
    watch.visit(f"{live_url}/api/schema/swagger/", ready=".swagger-ui .info")
    # Redoc (its search worker is a blob: URL, allowed on that page only); its hard-coded Redocly logo from
    # cdn.redoc.ly is refused, as every other origin is — the page works without it
    watch.visit(f"{live_url}/api/schema/redoc/", ready=".redoc-wrap h1", allow="cdn.redoc.ly")


def test_reporter_fills_the_report_form_under_the_policy(page, live_url):
    watch = _session(page, live_url, "xijie")
    watch.visit(f"{live_url}/progress/my/")
    page.locator(".tj-fill").first.click()
    page.wait_for_url(re.compile(r".*/progress/(new/\d+/\d+/\d+|reports/\d+/edit)/$"))
    page.wait_for_load_state("networkidle")
    # form_fields.js styled the bare Django fields
    assert "form-control-sm" in page.locator("#id_month_investment").get_attribute("class")
    # report_form.js: add a 存在问题 row (styled, numbered), remove it again
    rows = page.locator("#tj-problems .tj-problem:not([hidden])")
    before = rows.count()
    page.click("#tj-add-problem")
    assert rows.count() == before + 1
    added = rows.last
    assert added.locator(".tj-problem-num").inner_text().strip() == str(before + 1)
    assert "form-select" in added.locator("select").first.get_attribute("class")
    added.locator(".tj-problem-remove").click()
    assert rows.count() == before
    # 提交审核 asks first (data-tj-confirm); dismissing it keeps the page and what was typed
    page.fill("#id_month_investment", "12.5")
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    url = page.url
    page.click("#tj-submit-report")
    page.wait_for_timeout(300)
    assert asked and "提交审核" in asked[0], asked
    assert page.url == url and page.input_value("#id_month_investment") == "12.5"
    watch.check("report form")
    shot(page, "csp-report-form")


def test_leader_and_enterprise_pages_work_under_the_policy(browser, live_url):
    for username, paths in (("quling", ["/progress/dashboard/", "/projects/"]), ("qiye", ["/tickets/"])):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 860})
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            watch = _session(page, live_url, username)
            for path in paths:
                watch.visit(f"{live_url}{path}")
            if username == "quling":
                watch.visit(f"{live_url}/progress/dashboard/", ready="#tj-chart-trend canvas")
            # the language select submits itself (data-tj-autosubmit) and the page comes back in English
            page.select_option("select[name=language] >> nth=0", "en")
            page.wait_for_function("() => document.documentElement.lang === 'en'")
            page.wait_for_load_state("networkidle")
            watch.check(f"{username} in English")
        finally:
            context.close()

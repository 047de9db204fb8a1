"""Real-browser 争取上级资金 (issue 16, "Done when"): the 项目办 opens a 超长期特别国债（两重） window; a demo
project of a 街道 is not eligible (no 可研, not in the 三年滚动计划, no 资本金) until its unit records the last of
its preparation (可研批复, 入库 三年滚动计划, 资本金) — then the window's page lists it ✓ with every rule met. The
unit applies (uploads the checklist, 提交区审核); the 项目办 forwards it (区审核 → 市 → 省 → 国家) and records the
下达 with its amount, 文号 and date, the money having arrived eight months ago. Re-evaluating the lights (立即重新评估
on the lights page) shows the 资金闲置 red light; a payment is recorded and, re-evaluated, the light clears.

The server is this module's own (a copy of the demo), so a shell command finds the project in its database."""

import re
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .conftest import REPO, _serve, login, shot

pytestmark = pytest.mark.browser

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
PERIOD = f"{TODAY:%Y-%m}"
BATCH = "浏览器测试两重建设项目批次"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
# the project's approvals: every item 已办结 except one 办理中 (the one the unit finishes in the test)
APPROVALS = """
from datetime import date
from tuijin.projects.models import ApprovalItem, ApprovalItemType, Project
p = Project.objects.get(pk=%(pk)d)
for t in ApprovalItemType.objects.filter(is_active=True).order_by("sort_order", "pk")[:3]:
    ApprovalItem.objects.get_or_create(project=p, item_type=t)
items = list(p.approval_items.order_by("pk"))
for item in items[:-1]:
    item.status, item.completed_date = "done", date(2026, 1, 5)
    item.save()
last = items[-1]
last.status, last.completed_date = "in_progress", None
last.save()
print(last.pk)
"""
FIND_PROJECT = """
from tuijin.funds.matching import INACTIVE_STAGES
from tuijin.org.models import Membership
from tuijin.projects.models import Project
for m in Membership.objects.filter(role="unit_reporter", user__is_demo=True).select_related("user").order_by("pk"):
    p = (Project.objects.filter(is_demo=True, responsible_unit=m.unit, prep__isnull=True, total_investment__gte=1000)
         .exclude(code="").exclude(stage__in=INACTIVE_STAGES).order_by("pk").first())
    if p is not None:
        print(m.user.username, p.pk, p.total_investment)
        break
"""


@pytest.fixture(scope="module")
def funds_server(server_env, demo_var_dir, tmp_path_factory):
    env = dict(server_env, TUIJIN_VAR_DIR=str(tmp_path_factory.mktemp("tuijin-var-funds")))
    for url in _serve(env, demo_var_dir):
        yield url, env


def _manage(env, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _as(page, url, username):
    page.context.clear_cookies()
    login(page, url, username)
    page.wait_for_url(f"{url}/")


def _post(page, selector: str) -> None:
    """Click a form's button and wait for the page after the POST (the pages redirect to themselves)."""
    with page.expect_navigation():
        page.click(selector)


def _flash(page) -> str:
    return page.locator(".alert").all_inner_texts().__str__()


def _open_window(page, url) -> str:
    """The 项目办 opens the 两重 window: 可研, 三年滚动计划, 项目代码, 资本金 and complete approvals required."""
    page.goto(f"{url}/funds/batches/new/")
    page.select_option("#id_channel", "long_bond_major")
    page.fill("#id_name", BATCH)
    page.fill("#id_opens_on", (TODAY - timedelta(days=3)).isoformat())
    page.fill("#id_deadline", (TODAY + timedelta(days=30)).isoformat())
    page.select_option("#id_min_prep_stage", "feasibility")
    page.select_option("#id_min_library_status", "rolling")
    page.check("#id_require_code")
    page.check("#id_require_capital")
    page.check("#id_require_approvals")
    _post(page, "#tj-batch-save")
    assert re.search(r"/funds/batches/\d+/$", page.url), _flash(page)
    assert "资本金" in page.locator("#tj-batch-rules").inner_text()
    return page.url


def _match(page, project_pk: int):
    return page.locator(f"#tj-matches .tj-match[data-project='{project_pk}']")


def _upload_checklist(page) -> None:
    keys = page.locator("#checklist li[data-doc]").evaluate_all("els => els.map(e => e.dataset.doc)")
    assert keys == ["application_report", "approval_doc", "performance_targets"], keys
    for key in keys:
        item = page.locator(f"#checklist li[data-doc='{key}']")
        item.locator("input[type=file]").set_input_files(
            {"name": f"{key}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        _post(page, f"#checklist li[data-doc='{key}'] form.tj-upload button")
        assert page.locator(f"#checklist li[data-doc='{key}'] a").count() == 1, _flash(page)
    assert "已齐全" in page.locator("#checklist h2").inner_text()


def _status(page) -> str:
    return page.locator("#tj-application-status").inner_text().strip()


def _lights(page, url) -> str:
    """Re-evaluate this month's lights from the lights page; the non-green 资金闲置 lights as text."""
    page.goto(f"{url}/progress/lights/?period={PERIOD}&rule=funds_idle")
    _post(page, "#tj-evaluate")
    page.goto(f"{url}/progress/lights/?period={PERIOD}&rule=funds_idle")
    return page.locator("main").inner_text()


def test_eligible_applied_forwarded_granted_idle_then_paid(page, funds_server):
    url, env = funds_server
    found = _manage(env, "shell", "-v", "0", "-c", FIND_PROJECT).strip().splitlines()[-1].split()
    assert len(found) == 3, "a demo project without a 谋划/入库 record, in a unit with a reporter account"
    username, project_pk, total = found[0], int(found[1]), found[2]
    assert float(total) >= 1000

    # the 项目办 opens the window; the project is not eligible yet
    _as(page, url, "xmb")
    batch_url = _open_window(page, url)
    assert _match(page, int(project_pk)).count() == 0

    pending = int(_manage(env, "shell", "-v", "0", "-c", APPROVALS % {"pk": int(project_pk)}).strip().splitlines()[-1])

    # the unit records its preparation: 可研批复, 三年滚动计划, 资本金 30% — one approval still 办理中
    _as(page, url, username)
    page.goto(f"{url}/funds/projects/{project_pk}/prep/")
    page.select_option("#id_prep_stage", "feasibility")
    page.select_option("#id_library_status", "rolling")
    page.fill("#id_capital_in_place", str(round(float(total) * 0.3, 2)))
    _post(page, "#tj-prep-save")
    assert "谋划与储备信息已保存" in _flash(page), _flash(page)

    # not yet: the window shows it as a near miss on its last approval
    page.goto(batch_url)
    assert (
        _match(page, project_pk).count() == 0
        or "✗" in _match(page, project_pk).locator("[data-check='approvals']").inner_text()
    )

    # the project gains its last approval (its approval item 已办结 on the project's page)
    page.goto(f"{url}/projects/approvals/{pending}/edit/")
    page.select_option("#id_status", "done")
    page.fill("#id_completed_date", TODAY.isoformat())
    with page.expect_navigation():
        page.locator("form[enctype] button.btn-primary").click()

    # now the window lists it as eligible, each rule ✓
    page.goto(batch_url)
    row = _match(page, project_pk)
    assert row.count() == 1
    checks = row.locator(".tj-checks li")
    assert checks.count() == 5 and row.locator(".tj-checks li.text-danger").count() == 0
    for key in ("prep_stage", "library_status", "code", "capital", "approvals"):
        assert "✓" in row.locator(f"[data-check='{key}']").inner_text(), key
    shot(page, "funds-batch-eligible")

    # 发起申报, the checklist uploaded, 提交区审核
    with page.expect_navigation():
        row.locator("a.tj-apply").click()
    page.fill("#id_requested_amount", "100")
    _post(page, "#tj-application-save")
    assert re.search(r"/funds/applications/\d+/$", page.url), _flash(page)
    application_url = page.url
    _upload_checklist(page)
    _post(page, "#tj-submit")
    assert _status(page) == "区审核"

    # the 项目办 forwards it level by level, then records the 下达 (money arrived eight months ago)
    _as(page, url, "xmb")
    page.goto(application_url)
    for expected in ("市转报", "省转报", "国家审核"):
        _post(page, "#tj-forward")
        assert _status(page) == expected, _flash(page)
    form = page.locator("#tj-decide-form")
    form.locator("input[name=outcome][value=approved]").check()
    form.locator("[name=amount]").fill("80")
    form.locator("[name=approval_doc]").fill("发改投资〔2026〕2号")
    form.locator("[name=approval_date]").fill((TODAY - timedelta(days=250)).isoformat())
    form.locator("[name=arrived_on]").fill((TODAY - timedelta(days=240)).isoformat())
    _post(page, "#tj-decide")
    assert _status(page) == "已下达", _flash(page)
    assert "发改投资〔2026〕2号" in page.locator("#tj-decision").inner_text()

    # the lights, re-evaluated: the 资金闲置 red light of this project
    query = f"from tuijin.projects.models import Project; print(Project.objects.get(pk={project_pk}).name)"
    name = _manage(env, "shell", "-v", "0", "-c", query).strip().splitlines()[-1]
    text = _lights(page, url)
    assert name in text and BATCH in text and "满6个月仍未支付" in text, text[:2000]
    shot(page, "funds-idle-light")

    # a payment, and the light clears
    page.goto(application_url)
    pay = page.locator("#tj-pay-form")
    pay.locator("[name=paid_on]").fill(TODAY.isoformat())
    pay.locator("[name=amount]").fill("30")
    _post(page, "#tj-pay")
    assert "支付已登记" in _flash(page), _flash(page)
    assert "30" in page.locator("#tj-pay-rate").inner_text()
    text = _lights(page, url)
    assert name not in text, text[:2000]

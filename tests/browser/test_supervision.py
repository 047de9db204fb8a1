"""Real-browser 督办 from a reprinted news report to a finished task (issue 17, "Done when"): the 项目办 pastes a
garbled report of a 项目建设大会 (traditional characters with pinyin glued on, as reprinted sites serve it), reviews
what was read (normalised text, highlighted sentences, suggested units and deadlines), leaves one decision out,
edits one title and creates the meeting with its tasks; a second paste, a 考察学习 report, becomes a visit with its
places, lessons and actions. One task falls overdue and escalates (`supervise_tasks`); 西街街道 finds it in
待我处理, reports progress and asks for closure with evidence; the 督办 office approves it (逾期办结) and it is in the
督办通报, on the page and in the Word download.

The server is this module's own (a copy of the demo), so the management commands run against its database. The
report's dates are computed from the server's calendar day, so the deadlines read are always in the future."""

import re
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import docx
import pytest

from .conftest import REPO, _serve, login, shot

pytestmark = pytest.mark.browser

# the server's calendar day (Asia/Shanghai): meetings are dated today, deadlines read relative to it
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
EVIDENCE = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EDITED = "区财政局15日内拨付重点项目建设资金"
LEFT_OUT = "小店镇物流园"
XIJIE = "西街街道要加快西街片区城市更新项目征迁"


def _month_end(days: int) -> tuple[str, str]:
    """`N月底前` for the month `days` from today, and the date it means (the reader rolls an earlier month to next
    year)."""
    day = TODAY + timedelta(days=days)
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return f"{day.month}月底前", (following - timedelta(days=1)).isoformat()


def _congress() -> str:
    """A 项目建设大会 report as a reprint serves it: traditional characters, pinyin glued after some of them."""
    soon, later = _month_end(40)[0], _month_end(75)[0]
    return (
        "紅旗區(qū)召開項(xiàng)目建設(shè)大會\n"
        f"{TODAY.month}月{TODAY.day}日，紅旗區(qū)召開項(xiàng)目建設(shè)大會，區(qū)長吳承遠主持會議，"
        "區(qū)委書(shū)記周立新出席會議並講話，常務(wù)副區(qū)長鄭海峰、副區(qū)長馮雅琴出席會議。\n"
        "會議強調，要堅持項目為王，拼招引、拼開工、拼建設(shè)。\n"
        f"西街街道要加快西街片區(qū)城市更新項(xiàng)目征遷，確保{soon}完成簽約。\n"
        "區(qū)發(fā)展和改革委員會要抓緊梳理年度重點項(xiàng)目清單，10個工作日內報區(qū)政府審定。\n"
        f"確保紅開區(qū)標準化廠房{later}全部竣工驗收。\n"
        "區(qū)財政局要加快重點項(xiàng)目建設(shè)資金撥付，15日內撥付到位。\n"
        f"力爭小店鎮物流園項(xiàng)目{later}開工建設(shè)。\n"
        "區(qū)住房和城鄉建設(shè)局要加快老舊小區改造項(xiàng)目審批手續辦理，20個工作日內辦結。\n"
        f"區(qū)商務(wù)局要做好重點企業走訪服務(wù)，{soon}形成招商項(xiàng)目清單。\n"
    )


def _visit() -> str:
    return (
        "紅旗區(qū)黨政考察團赴鶴壁、長(zhǎng)垣考察學習\n"
        f"{TODAY.month}月{TODAY.day}日，常務(wù)副區(qū)長鄭海峰帶隊赴鶴壁、長(zhǎng)垣考察學習項(xiàng)目建設(shè)工作，"
        "區(qū)發(fā)改委、區(qū)商務(wù)局負責同志參加。\n"
        "考察團先後到鶴壁京東智能製造產業園、長(zhǎng)垣起重裝備產業園實地考察。\n"
        "大家認為，要認真學習鶴壁拿地即開工的經(jīng)驗，長垣產業鏈招商的做法值得借鑑。\n"
        f"區(qū)發(fā)展和改革委員會要學習鶴壁經(jīng)驗，{_month_end(50)[0]}制定我區(qū)並聯審批清單。\n"
        "區(qū)商務(wù)局要借鑑長垣做法，30個工作日內梳理光電信息產業鏈招商圖譜。\n"
    )


@pytest.fixture(scope="module")
def supervision_server(server_env, demo_var_dir, tmp_path_factory):
    """A server of this module's own, with the environment that reaches its database (for the daily command)."""
    env = dict(server_env, TUIJIN_VAR_DIR=str(tmp_path_factory.mktemp("tuijin-var-supervision")))
    for url in _serve(env, demo_var_dir):
        yield url, env


def _manage(env, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _as(page, url, username):
    login(page, url, username)
    page.wait_for_url(f"{url}/")


def _logout(page):
    page.click("#tj-user-menu")
    page.click("#tj-logout")
    page.wait_for_url(re.compile(r".*/accounts/login/"))


def _post(page, button: str, url: str) -> None:
    """Click a form's button and wait for the page after the POST (the task page redirects to itself, so waiting
    for its URL alone would return at once)."""
    with page.expect_navigation(url=url):
        page.click(button)


def _selected(select) -> str:
    return select.evaluate("el => el.selectedIndex < 0 ? '' : el.options[el.selectedIndex].text").strip()


def _decision(page, text: str):
    row = page.locator("[data-decision]", has_text=text)
    assert row.count() == 1, f"one review row for {text!r}"
    return row


def _read(page, url, text: str) -> None:
    page.goto(f"{url}/supervision/read/")
    page.fill("#id_text", text)
    page.click("#tj-read-submit")
    page.wait_for_selector("#tj-review-form")


def _accept(page) -> str:
    page.click("#tj-accept")
    page.wait_for_url(re.compile(r".*/supervision/meetings/\d+/$"))
    return page.url


def _congress_read_and_accepted(page, url) -> str:
    """The garbled report is read: the review shows the simplified text, highlighted sentences, suggested units and
    deadlines; one decision is left out, one title edited; the meeting and six tasks are created."""
    _read(page, url, _congress())
    normalised = page.locator("#tj-normalised").text_content()
    assert "红旗区召开项目建设大会" in normalised and "区委书记周立新" in normalised, normalised
    assert "區" not in normalised and "(qū)" not in normalised and "xiàng" not in normalised
    assert page.locator("#tj-candidate-decisions mark").count() >= 7
    assert page.locator("[data-decision]").count() >= 7
    assert page.locator("#id_kind").input_value() == "construction"
    assert page.locator("#id_held_on").input_value() == TODAY.isoformat()
    assert _selected(page.locator("#id_chair")) == "吴承远", _selected(page.locator("#id_chair"))
    leaders = page.locator("#id_leaders option:checked").all_inner_texts()
    assert {"周立新", "郑海峰", "冯雅琴"} <= {t.strip() for t in leaders}, leaders

    soon_text, soon = _month_end(40)
    expected = {  # sentence → (suggested unit, deadline date, working days)
        XIJIE: ("西街", soon, ""),  # the unit picker shows short names
        "梳理年度重点项目清单": ("区发改委", "", "10"),
        "标准化厂房": ("红开区", _month_end(75)[1], ""),
        "建设资金拨付": ("区财政局", (TODAY + timedelta(days=15)).isoformat(), ""),
        LEFT_OUT: ("小店镇", _month_end(75)[1], ""),
        "老旧小区改造": ("区住建局", "", "20"),
        "走访服务": ("区商务局", soon, ""),
    }
    for sentence, (unit, deadline, workdays) in expected.items():
        row = _decision(page, sentence)
        assert row.locator("mark").count() >= 2, row.inner_html()  # marker, unit and deadline highlighted
        assert row.locator("input[name$=-accept]").is_checked()
        assert _selected(row.locator("select[name$=-responsible_unit]")) == unit, sentence
        assert row.locator("input[name$=-deadline]").input_value() == deadline, sentence
        assert row.locator("input[name$=-deadline_workdays]").input_value() == workdays, sentence
    assert soon_text in _decision(page, XIJIE).inner_text()
    # the slogan names no unit: shown, not ticked
    assert not _decision(page, "要坚持项目为王").locator("input[name$=-accept]").is_checked()

    _decision(page, LEFT_OUT).locator("input[name$=-accept]").uncheck()
    _decision(page, "建设资金拨付").locator("textarea[name$=-title]").fill(EDITED)
    shot(page, "supervision-read-review")
    meeting_url = _accept(page)

    assert "已创建会议" in page.content()
    assert page.locator("#tj-meeting-title").inner_text() == "项目建设大会"
    facts = page.locator("#tj-meeting").inner_text()
    assert "吴承远" in facts and "周立新" in facts and "冯雅琴" in facts, facts
    rows = page.locator("#tj-decisions tbody tr[data-task]")
    assert rows.count() == 6, page.locator("#tj-decisions").inner_text()
    decisions = page.locator("#tj-decisions").inner_text()
    assert LEFT_OUT not in decisions and EDITED in decisions
    for unit in ("西街", "区发展和改革委员会", "区财政局", "区商务局"):
        assert unit in decisions, (unit, decisions)
    for row in rows.all():
        assert re.search(r"\d{4}-\d{2}-\d{2}", row.inner_text()), row.inner_text()
    shot(page, "supervision-read-meeting")
    return meeting_url


def _visit_read_and_accepted(page, url) -> None:
    _read(page, url, _visit())
    assert page.locator("#id_kind").input_value() == "study_visit"
    assert page.locator("#id_places").input_value() == "鹤壁、长垣"
    assert "鹤壁" in page.locator("#id_lessons").input_value()
    plan = _decision(page, "并联审批清单")
    assert plan.locator("input[name$=-accept]").is_checked()
    assert plan.locator("input[name$=-deadline]").input_value() == _month_end(50)[1]
    assert _decision(page, "招商图谱").locator("input[name$=-accept]").is_checked()
    _accept(page)
    assert page.locator("#tj-meeting-title + .badge").inner_text() == "考察学习"
    assert page.locator("#tj-places").inner_text() == "鹤壁、长垣"
    assert "拿地即开工" in page.locator("#tj-lessons").inner_text()
    decisions = page.locator("#tj-decisions")
    assert decisions.locator("tbody tr[data-task]").count() == 2, decisions.inner_text()
    assert "并联审批清单" in decisions.inner_text() and "招商图谱" in decisions.inner_text()
    shot(page, "supervision-read-visit")


def _overdue_and_escalated(env, task_pk: int) -> None:
    """Time passes: the task was assigned 40 days ago with a deadline 10 days ago (moved in the database, as the
    services refuse a deadline in the past); the daily command escalates it and tells the unit."""
    assigned, deadline = TODAY - timedelta(days=40), TODAY - timedelta(days=10)
    _manage(
        env,
        "shell",
        "-c",
        "from tuijin.supervision.models import Task; "
        f"Task.objects.filter(pk={task_pk}).update(assigned_on='{assigned}', deadline='{deadline}')",
    )
    out = _manage(env, "supervise_tasks", "--today", TODAY.isoformat())
    fired = re.search(r"超期升级 (\d+) 级次", out)
    assert fired and int(fired.group(1)) >= 1, out
    count = _manage(
        env,
        "shell",
        "-c",
        "from tuijin.notifications.models import Notification; from tuijin.supervision.models import Task; "
        f"t = Task.objects.get(pk={task_pk}); "
        "print(Notification.objects.filter(url=t.get_absolute_url(), title__contains='超期升级', "
        "user__memberships__unit=t.responsible_unit).distinct().count())",
    )
    assert int(count.strip().splitlines()[-1]) >= 1, count


def test_report_read_into_tasks_overdue_escalated_and_finished(page, supervision_server, tmp_path):
    url, env = supervision_server

    # 1–3: the 项目办 reads the garbled 项目建设大会 report into a meeting and its tasks
    _as(page, url, "xmb")
    meeting_url = _congress_read_and_accepted(page, url)
    page.goto(meeting_url)
    link = page.locator("#tj-decisions tbody tr[data-task]", has_text="西街").locator("a").first
    task_pk = int(link.get_attribute("href").rstrip("/").rsplit("/", 1)[-1])
    task_url = f"{url}/supervision/tasks/{task_pk}/"

    # 4: the 考察学习 report
    _visit_read_and_accepted(page, url)

    # 5: overdue, escalated, the unit told
    _overdue_and_escalated(env, task_pk)
    page.goto(task_url)
    status = page.locator("#tj-task-status").inner_text()
    assert "已超期" in status and re.search(r"已升级 L[1-4]", status), status
    assert page.locator("#tj-timeline [data-event=escalated]").count() >= 1
    shot(page, "supervision-task-escalated")
    _logout(page)

    # 6: 西街街道 finds it in 待我处理, reports progress and asks for closure with evidence
    _as(page, url, "xijie")
    page.locator("#tj-attention a", has_text="本单位超期的督办事项").click()
    page.wait_for_url(re.compile(r".*/supervision/\?todo=overdue"))
    page.locator(f"#tj-task-table tr[data-task='{task_pk}'] a").first.click()
    page.wait_for_url(task_url)
    page.fill("#tj-progress-form textarea[name=note]", "征迁已完成九成，剩余两户正在协商。")
    _post(page, "#tj-progress", task_url)
    assert "进展已报送" in page.content()
    assert "征迁已完成九成" in page.locator("#tj-timeline").inner_text()
    evidence = tmp_path / "签约佐证.pdf"
    evidence.write_bytes(EVIDENCE)
    page.fill("#tj-close-form textarea[name=result]", "片区城市更新项目已全部完成签约。")
    page.set_input_files("#tj-close-form input[type=file]", str(evidence))
    _post(page, "#tj-close", task_url)
    assert "已申请办结" in page.content()
    assert "待审核办结" in page.locator("#tj-task-status").inner_text()
    assert "签约佐证.pdf" in page.locator("#tj-timeline").inner_text()
    _logout(page)

    # 7: the 督办 office approves; the task is 逾期办结 and in the 督办通报 (page and Word)
    _as(page, url, "duban")
    page.goto(task_url)
    shot(page, "supervision-task-review")
    page.check("#tj-review-form input[value=approve]")
    _post(page, "#tj-review", task_url)
    status = page.locator("#tj-task-status").inner_text()
    assert "已办结" in status and "逾期办结" in status, status
    title = page.locator("h1").inner_text()
    number = page.locator("#tj-task tr", has_text="编号").locator("td").inner_text().strip()

    page.goto(f"{url}/supervision/report/")
    finished = page.locator("#tj-finished tbody tr", has=page.locator(f"a[href='/supervision/tasks/{task_pk}/']"))
    assert finished.count() == 1, page.locator("#tj-finished").inner_text()
    assert number in finished.inner_text() and title in finished.inner_text() and "逾期" in finished.inner_text()
    shot(page, "supervision-report")
    with page.expect_download() as download:
        page.click("#tj-report-docx")
    document = docx.Document(str(download.value.path()))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert number in text and title in text, text[:2000]

"""The monthly 调度表 in Excel: download, upload (validate → annotated copy, or drafts in one transaction), 一键提交,
代填 by the project office; permission matrices for every URL, bounded queries, the 200-project timing."""

import io
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tuijin.core.models import ObjectChange
from tuijin.progress import sheet
from tuijin.progress.choices import ReportEventType, ReportStatus
from tuijin.progress.models import ProgressReport, ReportEvent, ReportProblem
from tuijin.progress.selectors import report_carry_over
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix

from .factories import make_report

OCT = date(2026, 10, 1)
SEP = date(2026, 9, 1)
D = Decimal


def _project(unit, actor, name, code):
    return make_project(
        unit=unit, actor=actor, name=name, code=code, stage="construction", actual_start=date(2026, 3, 2)
    )


@pytest.fixture
def projects(world):
    a1 = _project(world.unit_a, world.office, "甲街道调度项目一", "2403-410702-04-01-000001")
    a2 = _project(world.unit_a, world.office, "甲街道调度项目二", "2403-410702-04-01-000002")
    b = _project(world.unit_b, world.office, "乙街道调度项目", "2403-410702-04-01-000003")
    return a1, a2, b


def download(client, period=OCT) -> bytes:
    response = client.get(reverse("progress:sheet_download", args=[period.year, period.month]))
    assert response.status_code == 200, response.status_code
    return response.content


def rows_of(content: bytes) -> dict[str, dict[str, object]]:
    book = load_workbook(io.BytesIO(content))
    ws = book[sheet.SHEET]
    headers = [c.value for c in ws[1]]
    found = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        values = dict(zip(headers, row, strict=False))
        found[str(values[sheet.H_NAME])] = values
    return found


def edit(content: bytes, changes: dict[str, dict[str, object]]) -> bytes:
    """The workbook with cells changed, addressed by project name and header (as a user would type them)."""
    book = load_workbook(io.BytesIO(content))
    ws = book[sheet.SHEET]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        name = row[headers.index(sheet.H_NAME)].value
        for header, value in changes.get(str(name), {}).items():
            row[headers.index(header)].value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, reason: str | None = None, period=OCT):
    data = {"file": SimpleUploadedFile("sheet.xlsx", content)}
    if reason is not None:
        data["reason"] = reason
    return client.post(f"{reverse('progress:sheet_import')}?period={period:%Y-%m}", data)


FILLED = {
    sheet.H_MONTH: 120.5,
    sheet.H_CI: 100,
    sheet.H_EQ: 20.5,
    sheet.H_OTHER: None,
    sheet.H_FUNDS: 80,
    sheet.H_STARTED: "是",
    sheet.H_PROGRESS: "主体结构施工",
}


# ---------------------------------------------------------------------------------------------------------------
# Download
# ---------------------------------------------------------------------------------------------------------------


def test_sheet_lists_the_unit_s_expected_projects_prefilled_locked_and_validated(world, client, projects):
    a1, a2, b = projects
    make_report(a1, SEP, amount="300.00", status="office_approved", physical_progress="基础完成", is_started=True)
    make_report(a1, date(2026, 5, 1), amount="50.00", status="submitted")
    make_report(a2, SEP, amount="7.00", status="draft", physical_progress="草稿进度")
    client.force_login(world.reporter_a)
    content = download(client)
    rows = rows_of(content)
    assert set(rows) == {a1.name, a2.name}  # 乙街道's project is another unit's
    one = rows[a1.name]
    assert (
        one[sheet.H_CODE] == "2403-410702-04-01-000001"
        and one[sheet.H_UNIT] == world.unit_a.name
        and one[sheet.H_PERIOD] == "2026-10"
    )
    assert one[sheet.H_YTD] == 350 and one[sheet.H_CUM] == 350 and one[sheet.H_STATUS] == "未填报"
    assert one[sheet.H_PROGRESS] == "基础完成" and one[sheet.H_STARTED] == "是"  # carried over from September
    assert one[sheet.H_MONTH] is None  # the month's figures are not carried
    assert rows[a2.name][sheet.H_PROGRESS] == "草稿进度"  # no submitted report: the latest draft
    assert rows[a2.name][sheet.H_YTD] == 0  # a draft is not counted
    book = load_workbook(io.BytesIO(content))
    ws = book[sheet.SHEET]
    headers = [c.value for c in ws[1]]
    assert ws.protection.sheet and not ws.protection.password  # a guard, not a secret
    for header in sheet.LOCKED:
        assert ws.cell(row=2, column=headers.index(header) + 1).protection.locked
    for header in sheet.EDITABLE:
        assert not ws.cell(row=2, column=headers.index(header) + 1).protection.locked
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"decimal", "list", "date"} <= kinds
    assert sheet.SHEET_NOTES in book.sheetnames
    assert "未设密码" in "".join(str(c.value) for c in book[sheet.SHEET_NOTES]["A"])


def test_carry_over_in_bulk_agrees_with_the_form_s(world, projects):
    a1, a2, b = projects
    make_report(a1, SEP, status="submitted", physical_progress="九月", is_started=True, started_on=date(2026, 3, 2))
    make_report(a1, date(2026, 8, 1), status="draft", physical_progress="八月")
    make_report(a2, date(2026, 8, 1), status="draft", physical_progress="八月草稿")
    bulk = sheet._carry_over_bulk([a1, a2, b], OCT)
    for project in (a1, a2, b):
        assert bulk[project.pk] == report_carry_over(project, OCT)


def test_office_downloads_the_district_with_the_unit_column(world, client, projects):
    client.force_login(world.office)
    rows = rows_of(download(client))
    assert {r[sheet.H_UNIT] for r in rows.values()} == {world.unit_a.name, world.unit_b.name}


def test_future_month_is_404(world, client, projects):
    client.force_login(world.reporter_a)
    assert client.get(reverse("progress:sheet_download", args=[2099, 1])).status_code == 404
    assert client.get(reverse("progress:sheet_download", args=[2026, 13])).status_code == 404


# ---------------------------------------------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------------------------------------------


def _state():
    return sorted(
        (r.project_id, r.version, r.status, r.month_investment, r.physical_progress)
        for r in ProgressReport.objects.all()
    ), (ReportEvent.objects.count(), ReportProblem.objects.count(), ObjectChange.objects.count())


def test_round_trip_unchanged_changes_nothing(world, client, projects):
    a1, a2, b = projects
    draft = make_report(a1, OCT, amount="12.30", physical_progress="=开头的文字", is_started=True)
    ReportProblem.objects.create(report=draft, category="用地", description="征地未完成", help_requested="协调")
    make_report(a2, OCT, amount="5.00", status="submitted")
    client.force_login(world.reporter_a)
    before = _state()
    response = upload(client, download(client))
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.errors and report.count("unchanged") == 2 and report.count("create") == 0
    assert report.count("update") == 0 and report.count("skipped") == 0
    assert _state() == before
    assert ProgressReport.objects.get(pk=draft.pk).physical_progress == "=开头的文字"  # neutralised, then restored


def test_upload_creates_drafts_in_one_transaction_then_one_click_submit(world, client, projects):
    a1, a2, b = projects
    client.force_login(world.reporter_a)
    content = edit(
        download(client),
        {a1.name: FILLED, a2.name: {sheet.H_MONTH: 0, sheet.H_PROBLEMS: "资金未到位\n手续待批"}},
    )
    response = upload(client, content)
    assert response.status_code == 200 and response.context["done"], response.context["report"].errors
    one = ProgressReport.objects.get(project=a1, period=OCT)
    assert one.status == ReportStatus.DRAFT and one.month_investment == D("120.5") and one.equipment == D("20.5")
    assert one.is_started and one.started_on == date(2026, 3, 2)  # the project's actual start, carried
    assert one.physical_progress == "主体结构施工" and one.funds_arrived == D("80")
    two = ProgressReport.objects.get(project=a2, period=OCT)
    assert sorted(two.problems.values_list("description", flat=True)) == ["手续待批", "资金未到位"]
    assert ReportEvent.objects.filter(report=one, type=ReportEventType.SAVED, actor=world.reporter_a).exists()
    assert ObjectChange.objects.filter(changed_object_id=one.pk, user=world.reporter_a).exists()
    page = response.content.decode()
    assert "一键提交 2 份月报" in page and "data-tj-confirm=" in page
    drafts = response.context["drafts"]
    submit = client.post(reverse("progress:sheet_submit"), {"report": [f"{r.pk}:{r.version}" for r in drafts]})
    assert submit.status_code == 302
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {ReportStatus.SUBMITTED}
    assert ProgressReport.objects.filter(submitted_by=world.reporter_a).count() == 2


def test_one_click_submit_skips_a_report_changed_since(world, client, projects):
    a1, a2, b = projects
    r1 = make_report(a1, OCT)
    r2 = make_report(a2, OCT)
    client.force_login(world.reporter_a)
    response = client.post(
        reverse("progress:sheet_submit"),
        {"report": [f"{r1.pk}:{r1.version}", f"{r2.pk}:{r2.version + 1}"]},
        follow=True,
    )
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert r1.status == ReportStatus.SUBMITTED and r2.status == ReportStatus.DRAFT
    assert "以下月报未提交" in response.content.decode()


BAD_CELLS = [
    (sheet.H_MONTH, "一百", "不是数字"),
    (sheet.H_CI, -5, "不能为负数"),
    (sheet.H_EQ, 1.234, "最多 2 位小数"),
    (sheet.H_OTHER, "=A1+1", "不能使用公式"),
    (sheet.H_FUNDS, "abc", "不是数字"),
    (sheet.H_STARTED, "也许", "应填写“是”或“否”"),
    (sheet.H_START_DATE, "2026-13-45", "不是有效日期"),
    (sheet.H_START_DATE, date(2099, 1, 1), "不能晚于今天"),
    (sheet.H_MONTH, 999, "投资构成合计"),  # breakdown 100 + 20.5 ≠ 999 (the service's rule)
    (sheet.H_PERIOD, "2026-11", "一个文件只能填报一个月份"),
]


@pytest.mark.parametrize(("header", "value", "message"), BAD_CELLS)
def test_a_bad_cell_writes_nothing_and_is_marked_in_the_annotated_copy(world, client, projects, header, value, message):
    a1, a2, b = projects
    client.force_login(world.reporter_a)
    content = edit(download(client), {a1.name: FILLED, a2.name: {**FILLED, header: value}})  # a2: the 2nd row
    before = _state()
    response = upload(client, content)
    report = response.context["report"]
    assert not response.context["done"]
    assert any(e["column"] == header and message in e["message"] for e in report.errors), report.errors
    assert _state() == before  # the valid row of the same file is not written either
    token = response.context["token"]
    copy = client.get(reverse("progress:sheet_annotated", args=[token]))
    assert copy.status_code == 200
    ws = load_workbook(io.BytesIO(copy.content))[sheet.SHEET]
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[headers.index(sheet.H_NAME)].value == a2.name)
    marked = row[headers.index(header)]
    assert marked.comment is not None and message in marked.comment.text
    assert marked.fill.fgColor.rgb.endswith("FFC7CE")
    assert message in str(row[headers.index(sheet.ERROR_HEADER)].value)


def test_another_unit_s_project_is_refused(world, client, projects):
    a1, a2, b = projects
    client.force_login(world.office)
    district = download(client)
    client.force_login(world.reporter_a)
    response = upload(client, edit(district, {b.name: FILLED, a1.name: FILLED}))
    errors = response.context["report"].errors
    assert any("2403-410702-04-01-000003" in e["message"] and "不在您的管理范围内" in e["message"] for e in errors)
    assert not ProgressReport.objects.exists()


def test_a_submitted_report_is_skipped_with_the_reason(world, client, projects):
    a1, a2, b = projects
    submitted = make_report(a1, OCT, amount="10.00", status="submitted")
    client.force_login(world.reporter_a)
    response = upload(client, edit(download(client), {a1.name: FILLED, a2.name: FILLED}))
    report = response.context["report"]
    assert response.context["done"]
    skipped = report.of("skipped")
    assert [r.project for r in skipped] == [a1] and "已提交" in skipped[0].reason
    assert "第 2 行" in response.content.decode() or "第 3 行" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.month_investment == D("10.00") and submitted.version == 1
    assert ProgressReport.objects.get(project=a2, period=OCT).month_investment == D("120.5")


# ---------------------------------------------------------------------------------------------------------------
# 代填
# ---------------------------------------------------------------------------------------------------------------


def test_proxy_fill_requires_a_reason_and_shows_on_the_report_and_in_history(world, client, projects):
    a1, a2, b = projects
    client.force_login(world.office)
    content = edit(download(client), {a1.name: FILLED, b.name: FILLED})
    refused = upload(client, content)
    assert "代填须填写代填原因" in refused.content.decode()
    assert not ProgressReport.objects.exists()
    response = upload(client, content, reason="填报员休假，电话核实")
    assert response.context["done"], response.context["report"].errors
    assert "一键提交" not in response.content.decode()  # the unit submits what the office filled in
    for project in (a1, b):
        report = ProgressReport.objects.get(project=project, period=OCT)
        assert report.status == ReportStatus.DRAFT
        event = ReportEvent.objects.get(report=report, type=ReportEventType.PROXY_FILLED)
        assert event.actor == world.office and event.data["reason"] == "填报员休假，电话核实"
        change = ObjectChange.objects.filter(changed_object_id=report.pk, message__startswith="代填").get()
        assert change.user == world.office
    report = ProgressReport.objects.get(project=a1, period=OCT)
    client.force_login(world.reporter_a)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "代填：填报员休假，电话核实" in page


def test_proxy_fill_history_names_the_office_user_not_the_system(world, client, projects):
    a1, a2, b = projects
    draft = make_report(a2, OCT, "10.00")
    client.force_login(world.office)
    content = edit(download(client), {a1.name: FILLED, a2.name: FILLED})
    response = upload(client, content, reason="填报员休假")
    assert response.context["done"], response.context["report"].errors
    created = ProgressReport.objects.get(project=a1, period=OCT)
    assert list(created.events.order_by("created", "pk").values_list("type", "actor")) == [
        (ReportEventType.CREATED, world.office.pk),
        (ReportEventType.SAVED, world.office.pk),
        (ReportEventType.PROXY_FILLED, world.office.pk),
    ]
    draft.refresh_from_db()
    assert draft.month_investment == D("120.50")
    saved = draft.events.filter(type=ReportEventType.SAVED).get()
    assert saved.actor == world.office
    assert draft.events.get(type=ReportEventType.PROXY_FILLED).data == {"reason": "填报员休假"}
    assert not ReportEvent.objects.filter(actor__isnull=True).exists()
    page = client.get(created.get_absolute_url()).content.decode()
    assert "系统" not in page


def test_proxy_fill_of_another_district_is_refused(world, client, projects):
    foreign = _project(world.foreign_unit, world.foreign_office, "邻区调度项目", "2403-410703-04-01-000004")
    client.force_login(world.foreign_office)
    content = edit(download(client), {foreign.name: FILLED})
    client.force_login(world.office)
    response = upload(client, content, reason="代填")
    assert any("2403-410703-04-01-000004" in e["message"] for e in response.context["report"].errors)
    assert not ProgressReport.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# Permission matrices
# ---------------------------------------------------------------------------------------------------------------


def project_name(project):
    return project.name


class TestSheetDownload(ViewMatrix):
    url_name = "progress:sheet_download"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[OCT.year, OCT.month])

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=projects[0],
            out_of_scope=projects[2],
            marker=project_name,
        )


class TestSheetImportPage(ViewMatrix):
    url_name = "progress:sheet_import"
    detail = False
    scoped = False
    unscoped_reason = "the upload form shows no object; what an upload may touch is tested by TestSheetImportPost"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_a, denied=world.sponsor)


def _sheet_for(project) -> bytes:
    """A one-row 调度表 filling `project` in for October (as a user who sees it would download it)."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet.SHEET
    ws.append(sheet.COLUMNS)
    values = {
        sheet.H_CODE: project.code,
        sheet.H_NAME: project.name,
        sheet.H_PERIOD: "2026-10",
        sheet.H_MONTH: 3,
        sheet.H_CI: 3,
        sheet.H_STARTED: "是",
    }
    ws.append([values.get(h) for h in sheet.COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class TestSheetImportPost(PostMatrix):
    url_name = "progress:sheet_import"
    detail = False
    success_status = 200

    def data(self, obj, matrix):
        return {"file": SimpleUploadedFile("s.xlsx", _sheet_for(obj))}

    def effect(self, obj, matrix):
        assert ProgressReport.objects.get(project=obj, period=OCT).month_investment == 3

    def test_get_is_405(self, client, matrix):
        pytest.skip("the same URL shows the upload form on GET (TestSheetImportPage)")

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=projects[0], out_of_scope=projects[2])


class TestSheetAnnotated(ViewMatrix):
    url_name = "progress:sheet_annotated"
    detail = False
    scoped = False
    unscoped_reason = "a session's own error copy, by an unguessable token; another session's token is 404"

    def fetch(self, client, matrix, obj):
        bad = upload(client, b"PK\x03\x04 not a workbook")
        token = (bad.context or {}).get("token") if bad.status_code == 200 else None
        if token is None:  # make a real error copy when the user may upload
            response = upload(client, edit(_sheet_for(matrix.in_scope), {matrix.in_scope.name: {sheet.H_CI: "x"}}))
            token = (response.context or {}).get("token") if response.status_code == 200 else None
        return client.get(reverse(self.url_name, args=[token or "0" * 32]))

    def test_another_session_s_token_is_404(self, client, matrix):
        client.force_login(matrix.allowed)
        assert self.fetch(client, matrix, None).status_code == 200
        client.logout()
        client.force_login(matrix.allowed)
        assert client.get(reverse(self.url_name, args=["f" * 32])).status_code == 404

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=projects[0])


class TestSheetSubmit(PostMatrix):
    url_name = "progress:sheet_submit"
    detail = False

    def data(self, obj, matrix):
        return {"report": [f"{obj.pk}:{obj.version}"]}

    def effect(self, obj, matrix):
        assert ProgressReport.objects.get(pk=obj.pk).status == ReportStatus.SUBMITTED

    def assert_succeeded(self, response) -> None:
        super().assert_succeeded(response)
        storage = response.wsgi_request._messages
        assert not [m for m in storage._queued_messages if "未提交" in str(m)]

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=make_report(projects[0], OCT),
            out_of_scope=make_report(projects[2], OCT),
            viewer=world.reporter_b,
        )


# ---------------------------------------------------------------------------------------------------------------
# Queries and time
# ---------------------------------------------------------------------------------------------------------------


def _many(world, n: int, prefix: str) -> list:
    base = {"Q": 100000, "R": 200000, "T": 300000}[prefix]
    return [
        _project(world.unit_a, world.office, f"{prefix}{i:03d}", f"2403-410702-04-01-{base + i:06d}") for i in range(n)
    ]


@pytest.mark.parametrize("n", [3, 9])
def test_download_queries_do_not_grow_with_the_projects(world, client, django_assert_max_num_queries, n):
    for project in _many(world, n, "Q"):
        make_report(project, SEP, status="submitted")
    client.force_login(world.reporter_a)
    with django_assert_max_num_queries(20):
        assert len(rows_of(download(client))) == n


@pytest.mark.parametrize("n", [3, 9])
def test_import_queries_are_bounded_per_row(world, client, django_assert_max_num_queries, n):
    projects = _many(world, n, "R")
    client.force_login(world.reporter_a)
    content = edit(download(client), {p.name: FILLED for p in projects})
    # New drafts are validated and written in bulk (services.reports_create_bulk): the same number of queries for
    # 3 rows as for 9.
    with django_assert_max_num_queries(60):
        response = upload(client, content)
    assert response.context["done"] and ProgressReport.objects.count() == n


def test_a_200_project_sheet_imports_quickly(world, client, capsys):
    projects = _many(world, 200, "T")
    client.force_login(world.reporter_a)
    content = edit(download(client), {p.name: FILLED for p in projects})
    started, cpu = time.perf_counter(), time.process_time()
    response = upload(client, content)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.context["done"] and ProgressReport.objects.count() == 200
    with capsys.disabled():
        print(f"\n200-project 调度表 import: {elapsed:.2f} s wall, {cpu:.2f} s CPU")
    # The target is < 3 s (make bench); the CPU time (SQLite runs in-process) keeps a loaded CI machine from
    # failing the test while still catching a per-row query explosion.
    assert cpu < 10


def test_every_row_is_checked_in_one_upload(world, client, projects):
    """A cell error in one row does not hide the form-rule error of another: the user fixes both at once."""
    a1, a2, b = projects
    client.force_login(world.reporter_a)
    content = edit(
        download(client), {a1.name: {**FILLED, sheet.H_FUNDS: "很多"}, a2.name: {**FILLED, sheet.H_MONTH: 1}}
    )
    errors = upload(client, content).context["report"].errors
    assert {(e["row"], e["column"]) for e in errors} == {(2, sheet.H_FUNDS), (3, sheet.H_MONTH)}

"""Issue 19: bounded work on uploaded workbooks (stray far cells, absurd rows, too many cells, time limit), the
background validation with its stored annotated copy, and import jobs orphaned by a dead worker (lease, stale
check, retry)."""

import io
import os
import socket
import subprocess
import time
import tracemalloc
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tuijin.org.roles import Role
from tuijin.projects import excel, tasks
from tuijin.projects.excel import ERROR_HEADER, ImportTimeout, annotated_copy, parse_workbook
from tuijin.projects.models import ImportJob, IndustryChain, Project
from tuijin.projects.tasks import (
    import_job_create,
    import_job_retry,
    import_job_start,
    import_jobs_fail_stale,
    worker_alive,
    worker_id,
)
from tuijin.utilities.excel import check_xlsx
from tuijin.utilities.testing.matrix import Case, PostMatrix
from tuijin.utilities.testing.queries import count_queries
from tuijin.utilities.testing.world import make_user

from .test_excel import replace_member, row, three_rows, upload, workbook_bytes

COPY_MEMORY_BUDGET = 30 * 1024 * 1024  # bytes Python may allocate at peak for the copy of a three-row file


@pytest.fixture
def chain(db):
    return IndustryChain.objects.create(name="光电信息")


@pytest.fixture
def office(world, chain):
    return world.office


def one_bad_row() -> list[dict]:
    rows = three_rows()
    rows[1]["责任单位"] = "无此单位"
    return rows


def with_stray(rows: list[dict], coordinate: str, value: str = "x") -> bytes:
    def edit(workbook):
        workbook[excel.SHEET_DATA][coordinate] = value

    return workbook_bytes(rows, edit=edit)


def peak_bytes(function, *args, **kwargs):
    tracemalloc.start()
    try:
        result = function(*args, **kwargs)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ---------------------------------------------------------------------------------------------------------------
# Bounded reading and copying
# ---------------------------------------------------------------------------------------------------------------


def test_annotated_copy_ignores_a_stray_far_cell(office):
    """A stray cell at CV5000 used to make the copy walk 500,000 cells (1.2 GB and 15 s at GR20000)."""
    data = with_stray(one_bad_row(), "CV5000")
    report = parse_workbook(data, actor=office)
    assert report.total_rows == 3 and report.error_rows == 1, report.errors
    content, peak = peak_bytes(annotated_copy, data, report.errors)
    assert peak < COPY_MEMORY_BUDGET, peak
    sheet = openpyxl.load_workbook(io.BytesIO(content))[excel.SHEET_DATA]
    titles = [sheet.cell(row=1, column=c).value for c in range(1, len(excel.COLUMNS) + 2)]
    assert titles[-1] == ERROR_HEADER  # right after the headers, not after the stray cell
    assert "责任单位：" in sheet.cell(row=3, column=len(titles)).value
    assert sheet["CV5000"].value == "x"  # the user's cell is kept where it was


def test_a_cell_at_the_last_excel_cell_costs_nothing(office):
    """XFD1048576 claims 17 billion cells: validation and the copy stay small and quick."""
    data = with_stray(one_bad_row(), "XFD1048576")
    started = time.monotonic()
    report = parse_workbook(data, actor=office)
    assert report.total_rows == 3 and report.error_rows == 1 and not report.fatal
    content, peak = peak_bytes(annotated_copy, data, report)
    assert peak < COPY_MEMORY_BUDGET, peak
    assert time.monotonic() - started < 30
    sheet = openpyxl.load_workbook(io.BytesIO(content))[excel.SHEET_DATA]
    assert sheet.cell(row=1, column=len(excel.COLUMNS) + 1).value == ERROR_HEADER


def test_a_row_past_excels_last_row_is_refused_before_loading(office):
    data = with_stray(three_rows(), "A1048576", "far")
    sheet_xml = "xl/worksheets/sheet1.xml"
    text = (
        zipfile.ZipFile(io.BytesIO(data))
        .read(sheet_xml)
        .replace(b'"1048576"', b'"1048577"')
        .replace(b"A1048576", b"A1048577")
    )
    data = replace_member(data, sheet_xml, text)
    with count_queries() as queries:
        report = parse_workbook(data, actor=office)
    assert queries.count == 0
    assert "行号超出了 Excel 的上限" in report.fatal
    with pytest.raises(ValidationError, match="行号超出了 Excel 的上限"):
        import_job_create(actor=office, uploaded=upload(data))
    assert not ImportJob.objects.exists()


def test_too_many_cells_are_refused_before_loading(office, settings):
    """5 million cells beyond the template's columns took 38 s to validate in the request and 2.3 GB to copy."""
    settings.TUIJIN_XLSX_MAX_CELLS = 5000

    def edit(workbook):
        sheet = workbook[excel.SHEET_DATA]
        for number in range(2, 1002):
            for column in range(60, 66):
                sheet.cell(row=number, column=column, value=number)

    data = workbook_bytes(three_rows(), edit=edit)
    report = parse_workbook(data, actor=office)
    assert "单元格超过 5,000 个" in report.fatal and "删除数据区以外" in report.fatal
    with pytest.raises(ValidationError, match="单元格超过"):
        import_job_create(actor=office, uploaded=upload(data))
    assert not ImportJob.objects.exists()
    with pytest.raises(excel.ApplicationError, match="单元格超过"):
        annotated_copy(data, [])
    # the same file within the limit reads normally
    settings.TUIJIN_XLSX_MAX_CELLS = 100_000
    assert check_xlsx(data) > 6000
    assert parse_workbook(data, actor=office).total_rows == 3


def test_content_far_below_the_data_is_refused(office):
    """A 项目名称 typed at row 45,000 of a 20,000-row template is a mistake: refused with the row, not walked."""
    report = parse_workbook(with_stray(three_rows(), "B45000", "误填"), actor=office)
    assert report.fatal.startswith("第 45000 行有内容"), report.fatal
    assert "第 2 行至第 40001 行" in report.fatal


def test_far_content_outside_the_template_columns_is_ignored(office):
    report = parse_workbook(with_stray(three_rows(), "BZ45000"), actor=office)
    assert not report.fatal and report.total_rows == 3 and not report.errors


def test_validation_and_copy_stop_at_the_deadline(office, settings):
    data = workbook_bytes(one_bad_row())
    with pytest.raises(ImportTimeout, match="超过了时限"):
        parse_workbook(data, actor=office, deadline=time.monotonic() - 1)
    with pytest.raises(ImportTimeout):
        annotated_copy(data, [{"row": 3, "column": "责任单位", "message": "x"}], deadline=time.monotonic() - 1)
    settings.TUIJIN_IMPORT_TIME_LIMIT = -1  # every deadline is already past
    job = import_job_create(actor=office, uploaded=upload(data))
    assert job.status == "failed" and "超过了时限" in job.message and not job.can_retry
    assert job.worker == "" and job.finished is not None


def test_other_readers_share_the_bound(world, settings):
    """The plan workbook, the 调度表 and every other reader open uploads through `open_xlsx`: same refusal."""
    from tuijin.projects.plan_excel import annotated_plan_copy, parse_plan_workbook

    settings.TUIJIN_XLSX_MAX_CELLS = 1000

    def edit(workbook):
        sheet = workbook.active
        for number in range(2, 502):
            for column in range(30, 33):
                sheet.cell(row=number, column=column, value=number)

    data = workbook_bytes([], edit=edit)
    assert "单元格超过" in parse_plan_workbook(data, actor=world.office).fatal
    with pytest.raises(excel.ApplicationError, match="单元格超过"):
        annotated_plan_copy(data, [])


def test_plan_copy_ignores_a_stray_far_cell(world):
    from tuijin.projects.plan_excel import annotated_plan_copy, build_plan_workbook

    book = openpyxl.load_workbook(io.BytesIO(build_plan_workbook(actor=world.office, year=2026)))
    book.active["CV5000"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    content, peak = peak_bytes(annotated_plan_copy, buffer.getvalue(), [{"row": 2, "column": "年度", "message": "错"}])
    assert peak < COPY_MEMORY_BUDGET, peak
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    headers = [c.value for c in sheet[1] if c.value]
    assert headers[-1] == ERROR_HEADER and sheet.cell(row=1, column=len(headers)).value == ERROR_HEADER


# ---------------------------------------------------------------------------------------------------------------
# Validation in the background, the stored copy
# ---------------------------------------------------------------------------------------------------------------


def test_a_large_upload_is_validated_by_the_worker_not_the_request(office, settings, monkeypatch, client):
    settings.TUIJIN_IMPORT_INLINE_CELLS = 0  # every file counts as large
    queued: list[int] = []
    validate = tasks.validate_import_job
    monkeypatch.setattr(tasks, "validate_import_job", SimpleNamespace(enqueue=queued.append, call=validate.call))
    job = import_job_create(actor=office, uploaded=upload(workbook_bytes(one_bad_row())))
    assert queued == [job.pk] and job.status == "validating" and job.total_rows == 0
    client.force_login(office)
    page = client.get(reverse("projects:import_job", args=[job.pk]))
    assert "正在后台校验" in page.content.decode()
    assert client.get(reverse("projects:import_job", args=[job.pk]), HTTP_HX_REQUEST="true").status_code == 200
    early = client.get(reverse("projects:import_job_annotated", args=[job.pk]))
    assert early.status_code == 302  # no copy yet: back to the page

    validate.call(job.pk)  # what the worker does
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.error_rows, job.worker) == ("validated", 3, 1, "")
    assert job.annotated.name.endswith(".xlsx")
    polled = client.get(reverse("projects:import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert polled.headers.get("HX-Refresh") == "true"  # the page reloads with the outcome
    copy = client.get(reverse("projects:import_job_annotated", args=[job.pk]))
    assert copy.status_code == 200
    with job.annotated.open("rb") as handle:
        assert copy.content == handle.read()  # served as built by the worker, not rebuilt in the request
    assert "未找到单位“无此单位”" in "".join(
        str(c.value)
        for row in openpyxl.load_workbook(io.BytesIO(copy.content))[excel.SHEET_DATA].iter_rows()
        for c in row
    )


def test_a_wrong_header_fails_the_job_with_the_reason(office):
    data = workbook_bytes(three_rows(), headers=["项目名称", "随便"])
    job = import_job_create(actor=office, uploaded=upload(data))
    assert job.status == "failed" and "表头与导入模板不一致" in job.message and not job.can_retry


# ---------------------------------------------------------------------------------------------------------------
# Dead workers: lease, stale check, retry
# ---------------------------------------------------------------------------------------------------------------


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def running_job(office, *, worker: str, heartbeat=None, status="running") -> ImportJob:
    job = import_job_create(actor=office, uploaded=upload(workbook_bytes(three_rows())))
    assert job.status == "validated"
    ImportJob.objects.filter(pk=job.pk).update(status=status, worker=worker, heartbeat=heartbeat or timezone.now())
    job.refresh_from_db()
    return job


def test_worker_identity_and_liveness():
    me = worker_id()
    assert me.startswith(f"{socket.gethostname()}:{os.getpid()}:")
    assert worker_alive(me) is True
    assert worker_alive(f"{socket.gethostname()}:{dead_pid()}:1") is False
    assert worker_alive(f"{socket.gethostname()}:{os.getpid()}:1") is False  # same pid, another process start
    assert worker_alive("another-host:1:1") is None  # cannot tell: the heartbeat decides


def test_a_job_whose_worker_died_is_failed_with_a_reason_and_can_run_again(office, client):
    job = running_job(office, worker=f"{socket.gethostname()}:{dead_pid()}:1")
    alive = running_job(office, worker=worker_id())  # this process: still working on it
    assert import_jobs_fail_stale() == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.can_retry and job.finished is not None and job.worker == ""
    assert "导入中断" in job.message and "未导入任何数据" in job.message
    alive.refresh_from_db()
    assert alive.status == "running"
    assert import_jobs_fail_stale() == 0  # idempotent

    client.force_login(office)
    page = client.get(reverse("projects:import_job", args=[job.pk])).content.decode()
    assert "导入中断" in page and 'id="tj-retry"' in page
    refused = client.post(reverse("projects:import_job_apply", args=[job.pk]))  # apply is for validated jobs
    assert refused.status_code == 302 and ImportJob.objects.get(pk=job.pk).status == "failed"
    client.post(reverse("projects:import_job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 3, job.message
    assert Project.objects.count() == 3
    with pytest.raises(excel.ApplicationError):
        import_job_retry(job)  # done: nothing to retry


def test_a_job_killed_while_validating_is_validated_again(office):
    job = running_job(office, worker=f"{socket.gethostname()}:{dead_pid()}:1", status="validating")
    ImportJob.objects.filter(pk=job.pk).update(total_rows=0, error_rows=0, errors=[])
    call_command("fail_stale_imports")
    job.refresh_from_db()
    assert job.status == "failed" and "校验中断" in job.message and job.can_retry
    import_job_retry(job)
    job.refresh_from_db()
    assert job.status == "validated" and job.total_rows == 3


def test_a_job_on_another_machine_fails_when_its_heartbeat_is_older_than_the_lease(office, settings):
    settings.TUIJIN_IMPORT_LEASE_SECONDS = 600
    fresh = running_job(office, worker="another-host:42:7", heartbeat=timezone.now() - timedelta(seconds=60))
    old = running_job(office, worker="another-host:43:7", heartbeat=timezone.now() - timedelta(seconds=700))
    assert import_jobs_fail_stale() == 1
    assert ImportJob.objects.get(pk=fresh.pk).status == "running"
    assert ImportJob.objects.get(pk=old.pk).status == "failed"
    assert import_jobs_fail_stale(lease=timedelta(seconds=30)) == 1


def test_a_job_finished_meanwhile_is_left_alone(office, monkeypatch):
    job = running_job(office, worker=f"{socket.gethostname()}:{dead_pid()}:1")

    def finished_meanwhile(worker):
        ImportJob.objects.filter(pk=job.pk).update(status="done", worker="")
        return False

    monkeypatch.setattr(tasks, "worker_alive", finished_meanwhile)
    assert import_jobs_fail_stale() == 0
    assert ImportJob.objects.get(pk=job.pk).status == "done"


def test_a_queued_or_finished_job_is_not_touched(office):
    job = import_job_create(actor=office, uploaded=upload(workbook_bytes(three_rows())))
    ImportJob.objects.filter(pk=job.pk).update(status="queued", created=timezone.now() - timedelta(days=1))
    assert import_jobs_fail_stale() == 0
    assert ImportJob.objects.get(pk=job.pk).status == "queued"


def test_running_jobs_record_their_worker_and_release_it(office, monkeypatch):
    job = import_job_create(actor=office, uploaded=upload(workbook_bytes(three_rows())))
    seen: list[str] = []
    real = excel.apply_import

    def spy(report, **kwargs):
        seen.append(ImportJob.objects.get(pk=job.pk).worker)
        return real(report, **kwargs)

    monkeypatch.setattr(tasks, "apply_import", spy)
    import_job_start(job)
    assert seen == [worker_id()]
    job.refresh_from_db()
    assert job.status == "done" and job.worker == "" and job.heartbeat is None


@pytest.fixture
def colleague(world):
    return make_user("office_colleague", role=Role.PROJECT_OFFICE, unit=world.office_unit)


class TestImportJobRetry(PostMatrix):
    url_name = "projects:import_job_retry"

    def effect(self, obj, matrix):
        job = ImportJob.objects.get(pk=obj.pk)
        assert (job.status, job.created_count) == ("done", 1), job.message

    @pytest.fixture
    def matrix(self, world, colleague, chain):
        jobs = []
        for actor, name in ((world.office, "甲街道重试项目"), (colleague, "甲街道同事重试项目")):
            job = import_job_create(actor=actor, uploaded=upload(workbook_bytes([row(项目名称=name, 项目代码="")])))
            ImportJob.objects.filter(pk=job.pk).update(status="failed", retryable=True, message="导入中断")
            jobs.append(job)
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=jobs[0], out_of_scope=jobs[1], viewer=colleague
        )

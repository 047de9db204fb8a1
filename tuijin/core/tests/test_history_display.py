"""Issue 12, item 4: history in plain Chinese.

Field labels and choice names, 是/否, names instead of ids, people by name, Beijing time, no false amount changes,
child rows (funding, report problems) as what changed on the parent's page, readable audit details; bounded queries.
"""

import contextlib
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType, AuditOutcome
from tuijin.core.context import current_request
from tuijin.core.history import describe_changes, field_changes, object_history
from tuijin.core.models import ObjectChange
from tuijin.progress import services as progress_services
from tuijin.progress.models import ProgressReport
from tuijin.progress.tests.factories import make_report
from tuijin.projects import services
from tuijin.projects.models import Project
from tuijin.projects.tests.factories import make_project

D = Decimal


@contextlib.contextmanager
def as_request(user):
    """Writes made inside as one request of `user` (the change log takes both from the request)."""

    class FakeRequest:
        id = str(uuid.uuid4())

    FakeRequest.user = user
    token = current_request.set(FakeRequest())
    try:
        yield
    finally:
        current_request.reset(token)


@pytest.fixture
def project(world):
    world.office.display_name = "王科长"
    world.office.save()
    return make_project(unit=world.unit_a, actor=world.office, name="甲街道光电产业园", total="1000.00")


def _update(world, project, fields=None, funding=None, sponsors=None):
    current = Project.objects.get(pk=project.pk)
    with as_request(world.office):
        services.project_update(
            actor=world.office,
            project=current,
            version=current.version,
            data=services.ProjectInput(fields=fields or {}, funding=funding, sponsors=sponsors),
        )


def _lines(entries) -> list[str]:
    return [str(line) for entry in entries for line in entry.lines]


def test_labels_choices_booleans_and_names_instead_of_ids(world, project):
    _update(
        world,
        project,
        {"construction_nature": "extension", "is_industrial": True, "responsible_unit": world.unit_b},
    )
    entry = object_history(Project.objects.get(pk=project.pk))[0]
    lines = _lines([entry])
    assert "建设性质：新建 → 扩建" in lines
    assert "工业项目：否 → 是" in lines
    assert f"责任单位：{world.unit_a.name} → {world.unit_b.name}" in lines
    assert entry.user_name == "王科长"  # the person's name, not the account id or username
    assert not any("version" in line or "版本" in line for line in lines)


def test_status_choices_and_report_people_by_name(world, project):
    report = make_report(project, date(2026, 10, 1))
    with as_request(world.reporter_a):
        progress_services.report_submit(actor=world.reporter_a, report=report, version=report.version)
    entries = object_history(ProgressReport.objects.get(pk=report.pk))
    lines = _lines(entries)
    assert "状态：草稿 → 已提交" in lines, lines
    assert any(line.startswith("提交人：— → reporter_a") for line in lines)
    submitted = next(line for line in lines if line.startswith("提交时间"))
    assert "T" not in submitted and "+" not in submitted  # 2026-12-06 14:05, not an ISO string


def test_beijing_time_on_the_page(client, world, project):
    _update(world, project, {"address": "新地址"})
    change = ObjectChange.objects.filter(changed_object_id=project.pk, action="update").latest("pk")
    # the audit tables are append-only: read the row back with a known UTC time instead of updating it
    change.time = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    entry = describe_changes([change], subject=project)[0]
    html = Template('{% include "inc/history.html" %}').render(Context({"history": [entry]}))
    assert "2026-03-02 00:30" in html and "16:30" not in html


def test_no_false_amount_change_at_write_or_read_time(world, project):
    _update(world, project, {"total_investment": D("1000.0")})  # the same amount, written differently
    changes = ObjectChange.objects.filter(changed_object_id=project.pk, changed_object_type__model="project")
    last = changes.latest("pk")
    assert last.postchange_data["total_investment"] == "1000.00"
    assert describe_changes([last], subject=project) == []  # only the version moved: nothing to show
    old_style = ObjectChange(
        changed_object_type=last.changed_object_type,
        changed_object_id=project.pk,
        action="update",
        prechange_data={"total_investment": "260.50", "address": "甲"},
        postchange_data={"total_investment": "260.5", "address": "乙"},
        time=last.time,
    )
    assert _lines(describe_changes([old_style], subject=project)) == ["建设地点：甲 → 乙"]
    assert [k for k, _b, _a in old_style.diff()] == ["address"]


def test_funding_rows_show_on_the_project_as_what_changed(world, project):
    _update(
        world,
        project,
        {"funding_note": "含专项债"},
        funding=[services.FundingRow("self", D("300.00")), services.FundingRow("special_bond", D("500.00"))],
    )
    _update(world, project, funding=[services.FundingRow("self", D("500.00"))])
    lines = _lines(object_history(Project.objects.get(pk=project.pk)))
    assert "资金来源：新增 地方政府专项债 500.00 万元" in lines
    assert "资金来源：修改 企业自筹 金额（万元） 1000.00 → 300.00" in lines
    assert "资金来源：修改 企业自筹 金额（万元） 300.00 → 500.00" in lines
    assert "资金来源：删除 地方政府专项债 500.00 万元" in lines
    assert not any("self" in line or "special_bond" in line for line in lines)


def test_one_save_is_one_entry(world, project):
    _update(world, project, {"address": "新址"}, funding=[services.FundingRow("bank_loan", D("1000.00"))])
    entry = object_history(Project.objects.get(pk=project.pk))[0]
    assert entry.action == "修改"
    assert _lines([entry])[0] == "建设地点：— → 新址"
    assert {line.label for line in entry.lines} == {"建设地点", "资金来源"}


def test_report_problem_rows_show_on_the_report(world, project):
    report = make_report(project, date(2026, 10, 1))
    with as_request(world.reporter_a):
        report = progress_services.report_save(
            actor=world.reporter_a,
            report=report,
            version=report.version,
            data={"physical_progress": "主体施工"},
            problems=[{"category": "用地", "description": "未交地3亩"}],
        )
    lines = _lines(object_history(ProgressReport.objects.get(pk=report.pk)))
    assert any(line.startswith("月报问题：新增 用地 未交地3亩") for line in lines), lines


def test_relation_lists_are_labelled(world, project):
    _update(world, project, sponsors=[world.leader_person])
    lines = _lines(object_history(Project.objects.get(pk=project.pk)))
    assert f"包联领导：— → {world.leader_person.name}" in lines


def test_correction_records_render_readable_through_the_filter(world, project):
    report = make_report(project, date(2026, 10, 1))
    before = {"month_investment": "260.50", "is_started": "False", "equipment": "10.00"}
    after = {"month_investment": "260.5", "is_started": "True", "equipment": "12.00"}
    assert [str(line) for line in field_changes(report, before, after)] == [
        "已开工：否 → 是",
        "设备购置（万元）：10.00 → 12.00",
    ]

    class Record:
        pass

    record = Record()
    record.before, record.after, record.actor = before, after, world.office
    html = Template(
        "{% load tj_history %}{{ c.actor|person_name }}{% for line in c|field_changes:report %}"
        '|{% include "inc/history_line.html" %}{% endfor %}'
    ).render(Context({"c": record, "report": report}))
    assert html.startswith("王科长|") and "已开工" in html and "True" not in html


def test_audit_details_read_as_label_value_lines(client, world):
    audit_event_record(
        event_type=AuditEventType.LOGIN_FAILED,
        user_name="xijie",
        outcome=AuditOutcome.FAILURE,
        detail={"reason": "bad_credentials"},
    )
    audit_event_record(
        event_type=AuditEventType.ROLE_GRANT, user=world.office, detail={"user": "u1", "unit": world.unit_a.pk}
    )
    audit_event_record(
        event_type=AuditEventType.ACCESS_DENIED,
        user=world.reporter_a,
        outcome=AuditOutcome.FAILURE,
        detail={"path": "/projects/9/", "permission": "projects.change_project", "reason": "out_of_scope"},
    )
    client.force_login(world.auditadmin)
    html = client.get(reverse("core:auditevent_list")).content.decode()
    assert "用户名或密码错误" in html and "原因：" in html
    assert world.unit_a.name in html and "单位：" in html
    assert "不在管理范围内" in html and "修改重点项目" in html
    assert "{&#x27;" not in html and "bad_credentials" not in html


def test_change_log_list_is_readable(client, world, project):
    _update(world, project, {"construction_nature": "extension"})
    client.force_login(world.auditadmin)
    html = client.get(reverse("core:objectchange_list")).content.decode()
    assert "新建" in html and "扩建" in html and "王科长" in html
    assert "construction_nature" not in html


def test_project_page_history_queries_do_not_grow_with_the_history(client, world, project):
    client.force_login(world.office)
    url = project.get_absolute_url()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _update(world, project, {"address": "一"})
    client.get(url)
    few = count()
    for i in range(8):
        _update(
            world,
            project,
            {"address": f"地址{i}", "responsible_unit": world.unit_b if i % 2 else world.unit_a},
            funding=[services.FundingRow("self", D(600 + i)), services.FundingRow("bank_loan", D(400 - i))],
            sponsors=[world.leader_person] if i % 2 else [],
        )
    assert len(object_history(Project.objects.get(pk=project.pk))) >= 9
    many = count()
    assert many <= few + 2  # names and accounts are loaded once per model, not once per change

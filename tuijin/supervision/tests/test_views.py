"""督办 pages: refused input shown again (400) in Chinese with what was typed, a stale version → the conflict page
(409), the 待我处理 counts equal the lists they link to, the colour filter, the XLSX export, query budgets that do not
grow with rows, and reading a meeting report (nothing created before 确认创建)."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tuijin.org.choices import Role
from tuijin.supervision import services
from tuijin.supervision.attention import supervision_attention
from tuijin.supervision.choices import TaskEventType, TaskSource, TaskStatus
from tuijin.supervision.models import Meeting, Task
from tuijin.utilities.testing.queries import count_queries
from tuijin.utilities.testing.world import make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def today() -> date:
    return timezone.localdate()


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def make_task(world, title="加快征迁", *, unit=None, ago=0, due_in=30, meeting=None, actor=None) -> Task:
    return services.task_create(
        actor=actor or world.office,
        title=title,
        content=title + "，具体要求",
        source=TaskSource.MEETING if meeting else TaskSource.INSTRUCTION,
        meeting=meeting,
        responsible_unit=unit or world.unit_a,
        assigned_on=today() - timedelta(days=ago),
        deadline=today() + timedelta(days=due_in),
    )


@pytest.fixture
def sup(world):
    return make_user("sup", role=Role.SUPERVISION_OFFICE, unit=world.office_unit)


def rows(response) -> list:
    return list(response.context["object_list"])


# -- refused input ------------------------------------------------------------------------------------------------


def test_task_add_bad_input_is_shown_again_with_what_was_typed(client, world):
    client.force_login(world.office)
    url = reverse("supervision:task_add")
    response = client.post(url, {"title": "", "content": "保留我输入的要求", "source": "instruction"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写督办事项。" in page and "请选择责任单位。" in page and "保留我输入的要求" in page
    data = {
        "title": "早于交办的事项",
        "content": "要求",
        "source": "instruction",
        "responsible_unit": world.unit_a.pk,
        "deadline": (today() - timedelta(days=3)).isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "办结时限不能早于交办日期。" in page and "早于交办的事项" in page
    response = client.post(url, dict(data, source="meeting", deadline=""))  # neither deadline nor meeting
    assert response.status_code == 400
    assert "来源为会议决定时，请选择会议。" in response.content.decode()
    assert not Task.objects.exists()
    response = client.post(url, dict(data, deadline="", deadline_workdays="5"))
    assert response.status_code == 302
    assert Task.objects.get().title == "早于交办的事项"


def test_progress_and_close_refused_keep_what_was_typed(client, world):
    task = make_task(world)
    client.force_login(world.reporter_a)
    url = reverse("supervision:task_action", args=[task.pk, "progress"])
    response = client.post(url, {"version": task.version, "note": ""})
    assert response.status_code == 400 and "请填写进展情况。" in response.content.decode()

    url = reverse("supervision:task_action", args=[task.pk, "close"])
    response = client.post(url, {"version": task.version, "result": "我写下的办理结果"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "申请办结须上传至少一份佐证材料。" in page and "我写下的办理结果" in page
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and task.version == 1


def test_co_unit_is_refused_closure_with_a_403(client, world):
    task = services.task_create(
        actor=world.office,
        title="配合事项",
        content="配合",
        source=TaskSource.INSTRUCTION,
        responsible_unit=world.unit_a,
        co_units=[world.unit_b],
        deadline_workdays=10,
    )
    client.force_login(world.reporter_b)
    page = client.get(task.get_absolute_url()).content.decode()
    assert "进展情况" in page and "办理结果" not in page  # the co unit gets the progress form only
    url = reverse("supervision:task_action", args=[task.pk, "close"])
    response = client.post(url, {"version": task.version, "result": "配合单位申请办结", "files": pdf()})
    assert response.status_code == 403
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS


def test_stale_version_shows_the_conflict_page(client, world):
    task = make_task(world)
    services.task_report_progress(actor=world.approver_a, task=task, version=task.version, note="他人先报送")
    client.force_login(world.reporter_a)
    url = reverse("supervision:task_action", args=[task.pk, "progress"])
    response = client.post(url, {"version": 1, "note": "我迟到的进展"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "未保存：该督办事项已被他人处理" in page and "我迟到的进展" in page
    assert not Task.objects.get(pk=task.pk).events.filter(note="我迟到的进展").exists()


def test_unknown_action_is_refused(client, world):
    task = make_task(world)
    client.force_login(world.reporter_a)
    response = client.post(reverse("supervision:task_action", args=[task.pk, "delete"]), {"version": 1})
    assert response.status_code == 403


def test_meeting_edit_stale_version_is_409(client, world):
    meeting = services.meeting_create(
        actor=world.office, data={"kind": "dispatch", "title": "调度会", "held_on": today()}
    )
    services.meeting_update(actor=world.office, meeting=meeting, version=1, data={"place": "三楼会议室"})
    client.force_login(world.office)
    data = {
        "version": 1,
        "kind": "dispatch",
        "title": "我改的会议名称",
        "held_on": today().isoformat(),
        "organiser": world.office_unit.pk,
    }
    response = client.post(reverse("supervision:meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 409 and "我改的会议名称" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.title == "调度会" and meeting.version == 2


def test_task_edit_moving_the_deadline_needs_a_reason(client, world):
    task = make_task(world)
    client.force_login(world.office)
    url = reverse("supervision:task_edit", args=[task.pk])
    data = {
        "version": task.version,
        "title": "加快征迁（改）",
        "content": task.content,
        "responsible_unit": world.unit_a.pk,
        "deadline": (task.deadline + timedelta(days=10)).isoformat(),
        "report_every_workdays": 5,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "请填写调整时限的理由。" in response.content.decode() and "加快征迁（改）" in response.content.decode()
    response = client.post(url, dict(data, reason="拆迁协议延后"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "加快征迁（改）" and task.deadline == today() + timedelta(days=40)


# -- 待我处理 counts, filters ----------------------------------------------------------------------------------------


@pytest.fixture
def todo_world(world, sup):
    overdue = make_task(world, "超期事项", ago=60, due_in=-20)
    returned = make_task(world, "退回事项")
    services.task_request_close(
        actor=world.reporter_a, task=returned, version=returned.version, result="已全部完成", files=[pdf()]
    )
    returned.refresh_from_db()
    services.task_review(actor=sup, task=returned, version=returned.version, approve=False, comment="材料不全")
    quiet = make_task(world, "久未报送事项", ago=30, due_in=60)
    review = make_task(world, "待审核事项")
    services.task_request_close(
        actor=world.reporter_a, task=review, version=review.version, result="已全部完成", files=[pdf()]
    )
    other = make_task(world, "乙街道超期", unit=world.unit_b, ago=60, due_in=-10)
    return {"overdue": overdue, "returned": returned, "quiet": quiet, "review": review, "other": other}


def _titles(response) -> set[str]:
    return {t.title for t in rows(response)}


def test_unit_todo_lists(client, world, todo_world):
    client.force_login(world.reporter_a)
    url = reverse("supervision:task_list")
    assert _titles(client.get(url + "?todo=overdue")) == {"超期事项"}
    assert _titles(client.get(url + "?todo=returned")) == {"退回事项"}
    assert _titles(client.get(url + "?todo=report")) == {"超期事项", "久未报送事项"}


def test_attention_counts_equal_the_lists_they_link_to(client, world, todo_world, sup):
    for user, expected in (
        (world.reporter_a, {"本单位超期的督办事项": 1, "办结申请被退回的督办事项": 1, "待报送进展的督办事项": 2}),
        (world.reporter_b, {"本单位超期的督办事项": 1, "待报送进展的督办事项": 1}),
        (sup, {"待审核办结的督办事项": 1, "超期的督办事项": 2}),
        (world.office, {"待审核办结的督办事项": 1, "超期的督办事项": 2}),
    ):
        items = supervision_attention(user)
        assert {str(i.title): i.count for i in items} == expected, user
        client.force_login(user)
        for item in items:
            response = client.get(item.url)
            assert response.status_code == 200
            assert len(rows(response)) == item.count, (user, item.title, item.url)
    assert supervision_attention(world.ent_user_a) == []


def test_colour_filter(client, world, todo_world):
    make_task(world, "绿色事项", due_in=60)
    make_task(world, "黄色事项", due_in=0)
    client.force_login(world.office)
    url = reverse("supervision:task_list")
    assert _titles(client.get(url + "?colour=red")) == {"超期事项", "乙街道超期"}
    assert _titles(client.get(url + "?colour=yellow")) == {"黄色事项"}
    assert "绿色事项" in _titles(client.get(url + "?colour=green"))
    assert "黄色事项" not in _titles(client.get(url + "?colour=green"))
    response = client.get(url)
    assert response.context["colour_counts"]["red"] == 2


# -- export -------------------------------------------------------------------------------------------------------


def test_export_xlsx_content_and_formula_neutralised(client, world):
    make_task(world, '=HYPERLINK("http://evil","点我")', ago=60, due_in=-20)
    make_task(world, "正常事项", unit=world.unit_b)
    client.force_login(world.office)
    response = client.get(reverse("supervision:task_export") + "?colour=red")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["编号", "督办事项", "来源", "责任单位"]
    assert len(values) == 2  # the filter applies: only the red task
    row = values[1]
    assert row[1].startswith("'=") and row[3] == "甲街道办事处" and row[7] == "已超期" and row[8] == "办理中"
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in row)


# -- query budgets ------------------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    return counted.count


def test_task_list_queries_do_not_grow_with_rows(client, world):
    meeting = services.meeting_create(actor=world.office, data={"kind": "dispatch", "title": "会", "held_on": today()})
    for i in range(2):
        make_task(world, f"事项{i}", meeting=meeting)
    client.force_login(world.office)
    url = reverse("supervision:task_list")
    _queries(client, url)  # warm caches (content types, permissions)
    few = _queries(client, url)
    for i in range(2, 14):
        make_task(world, f"事项{i}", meeting=meeting, unit=world.unit_b if i % 2 else world.unit_a)
    many = _queries(client, url)
    assert many == few, (few, many)
    assert few <= 30


def test_meeting_page_queries_do_not_grow_with_tasks(client, world):
    meeting = services.meeting_create(
        actor=world.office, data={"kind": "dispatch", "title": "会", "held_on": today(), "units": [world.unit_a]}
    )
    make_task(world, "事项", meeting=meeting)
    client.force_login(world.office)
    url = reverse("supervision:meeting", args=[meeting.pk])
    _queries(client, url)
    few = _queries(client, url)
    for i in range(10):
        make_task(world, f"事项{i}", meeting=meeting, unit=world.unit_b if i % 2 else world.unit_a)
    many = _queries(client, url)
    assert many == few, (few, many)
    assert few <= 35


def test_task_page_queries_do_not_grow_with_events(client, world, sup):
    task = make_task(world)
    client.force_login(world.office)
    url = task.get_absolute_url()
    _queries(client, url)
    few = _queries(client, url)
    for i in range(5):
        task.refresh_from_db()
        services.task_report_progress(
            actor=world.reporter_a, task=task, version=task.version, note=f"进展{i}", files=[pdf()]
        )
    many = _queries(client, url)
    assert many <= few + 2, (few, many)


# -- reading a report ---------------------------------------------------------------------------------------------

REPORT = (
    "测试区召开项目建设大会。测试副区长主持会议。"
    "会议要求，甲街道办事处要在6月底前完成征迁。"
    "会议强调，乙街道办事处要在10个工作日内完成项目签约。"
)


def _form_data(form) -> dict:
    data: dict[str, str | list[str]] = {}
    for bound in form:
        value = bound.value()
        if value is None or value == "" or value is False:
            continue
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[bound.html_name] = str(getattr(value, "pk", value))
    return data


def _review_post(context) -> dict:
    data = {"step": "accept", "text": REPORT}
    data.update(_form_data(context["meeting_form"]))
    formset = context["formset"]
    data.update(_form_data(formset.management_form))
    for form in formset.forms:
        data.update(_form_data(form))
    return data


def test_read_then_accept_creates_the_meeting_and_accepted_tasks(client, world):
    client.force_login(world.office)
    url = reverse("supervision:read")
    response = client.post(url, {"step": "read", "text": REPORT})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert not Meeting.objects.exists() and not Task.objects.exists()  # reading creates nothing
    context = response.context
    formset = context["formset"]
    assert len(formset.forms) >= 1, "the reader proposed no decision"
    data = _review_post(context)
    accepted = [f for f in formset.forms if f.initial.get("accept")]
    assert accepted, [f.initial for f in formset.forms]
    for i, form in enumerate(formset.forms):  # fill what the reader could not (a deadline) so every row is valid
        if form.initial.get("accept") and not (form.initial.get("deadline") or form.initial.get("deadline_workdays")):
            data[f"d-{i}-deadline_workdays"] = "10"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get()
    assert meeting.source_text == REPORT
    tasks = list(meeting.tasks.order_by("number"))
    assert len(tasks) == len(accepted)
    assert all(t.source == TaskSource.MEETING and t.status == TaskStatus.IN_PROGRESS for t in tasks)
    assert {t.responsible_unit_id for t in tasks} <= {world.unit_a.pk, world.unit_b.pk}
    assert all(t.events.filter(type=TaskEventType.CREATED).exists() for t in tasks)


def test_accept_row_without_unit_is_400_and_keeps_everything(client, world):
    client.force_login(world.office)
    url = reverse("supervision:read")
    response = client.post(url, {"step": "read", "text": REPORT})
    assert response.status_code == 200
    data = _review_post(response.context)
    data["title"] = "我改过的会议名称"
    data["d-0-accept"] = "on"
    data["d-0-title"] = "我改过的事项标题"
    data.pop("d-0-responsible_unit", None)
    data["d-0-deadline_workdays"] = "5"
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择责任单位。" in page and "我改过的事项标题" in page and "我改过的会议名称" in page
    assert not Meeting.objects.exists() and not Task.objects.exists()


def test_read_empty_text_is_400(client, world):
    client.force_login(world.office)
    response = client.post(reverse("supervision:read"), {"step": "read", "text": ""})
    assert response.status_code == 400 and "请粘贴报道原文。" in response.content.decode()

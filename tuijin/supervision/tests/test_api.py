"""/api/supervision/: create, list, retrieve and the workflow actions through the same services as the pages; the
ETag, 412 on a stale version (or a state already moved on), 400 with the field's Chinese message, 403 without the
permission, 404 out of scope, and reading a report (candidates only, nothing stored). The per-route permission
matrix is in test_matrix.py."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tuijin.notifications.models import Notification
from tuijin.org.choices import Role
from tuijin.supervision import services
from tuijin.supervision.choices import TaskSource, TaskStatus
from tuijin.supervision.models import Meeting, Task
from tuijin.utilities.testing.world import make_user

pytestmark = pytest.mark.django_db

JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}
TASKS = "/api/supervision/tasks/"
MEETINGS = "/api/supervision/meetings/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def today():
    return timezone.localdate()


@pytest.fixture
def sup(world):
    return make_user("sup", role=Role.SUPERVISION_OFFICE, unit=world.office_unit)


def make_task(world, unit=None, title="加快征迁", **kwargs) -> Task:
    values = {
        "actor": world.office,
        "title": title,
        "content": "要求",
        "source": TaskSource.INSTRUCTION,
        "responsible_unit": unit or world.unit_a,
        "deadline": today() + timedelta(days=30),
    }
    values.update(kwargs)
    return services.task_create(**values)


def evidence(task, actor):
    services.task_attachment_add(
        actor=actor, task=task, uploaded=SimpleUploadedFile("e.pdf", PDF, content_type="application/pdf")
    )


def test_create_task(client, world):
    client.force_login(world.office)
    body = {
        "title": "接口交办",
        "content": "十个工作日内完成",
        "source": "instruction",
        "responsible_unit": world.unit_a.pk,
        "co_units": [world.unit_b.pk],
        "leader": world.leader_person.pk,
        "deadline_workdays": 10,
    }
    response = client.post(TASKS, body, **JSON)
    assert response.status_code == 201, response.content
    data = response.json()
    task = Task.objects.get(pk=data["id"])
    assert data["number"] == task.number and data["status"] == "in_progress" and data["colour"] == "green"
    assert data["deadline"] == task.deadline.isoformat() and data["deadline_workdays"] == 10
    assert data["co_units"] == [world.unit_b.pk] and response["ETag"] == '"1"'
    assert Notification.objects.filter(user=world.reporter_b, kind="supervision").exists()


def test_create_without_co_units_and_with_a_meeting(client, world):
    meeting = services.meeting_create(
        actor=world.office, data={"kind": "dispatch", "title": "调度会", "held_on": today()}
    )
    client.force_login(world.office)
    body = {
        "title": "会议事项",
        "content": "要求",
        "source": "meeting",
        "meeting": meeting.pk,
        "responsible_unit": world.unit_a.pk,
        "deadline": (today() + timedelta(days=5)).isoformat(),
    }
    response = client.post(TASKS, body, **JSON)
    assert response.status_code == 201, response.content
    assert Task.objects.get().meeting == meeting


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"deadline": "2000-01-01"}, "deadline", "办结时限不能早于交办日期。"),
        ({"source": "meeting"}, "meeting", "来源为会议决定时，请选择会议。"),
        ({"deadline": None}, "deadline", "请填写办结时限（日期或工作日数）。"),
    ],
)
def test_create_refused_is_400_with_the_message(client, world, change, field, message):
    client.force_login(world.office)
    body = {"title": "x", "content": "y", "source": "instruction", "responsible_unit": world.unit_a.pk}
    body.update({"deadline": (today() + timedelta(days=5)).isoformat()}, **change)
    response = client.post(TASKS, body, **JSON)
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not Task.objects.exists()


def test_create_for_a_unit_out_of_scope_is_400(client, world):
    client.force_login(world.office)
    body = {"title": "x", "content": "y", "source": "instruction", "responsible_unit": world.foreign_unit.pk}
    response = client.post(TASKS, dict(body, deadline_workdays=5), **JSON)
    assert response.status_code == 400 and "responsible_unit" in response.json()
    assert not Task.objects.exists()


def test_create_without_permission_is_403(client, world):
    client.force_login(world.reporter_a)
    body = {"title": "x", "content": "y", "source": "instruction", "responsible_unit": world.unit_a.pk}
    response = client.post(TASKS, dict(body, deadline_workdays=5), **JSON)
    assert response.status_code == 403 and "detail" in response.json()
    assert not Task.objects.exists()


def test_list_filters_and_retrieve_etag(client, world, sup):
    a = make_task(world, title="甲")
    b = make_task(world, world.unit_b, title="乙")
    services.task_cancel(actor=sup, task=b, version=b.version, reason="撤销")
    client.force_login(world.office)
    data = client.get(TASKS, HTTP_ACCEPT="application/json").json()
    assert data["count"] == 2
    data = client.get(TASKS + "?status=cancelled", HTTP_ACCEPT="application/json").json()
    assert [row["title"] for row in data["results"]] == ["乙"] and data["results"][0]["colour"] == "cancelled"
    response = client.get(f"{TASKS}{a.pk}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["ETag"] == '"1"' and response.json()["title"] == "甲"
    client.force_login(world.reporter_a)
    assert [r["title"] for r in client.get(TASKS, HTTP_ACCEPT="application/json").json()["results"]] == ["甲"]
    assert client.get(f"{TASKS}{b.pk}/", HTTP_ACCEPT="application/json").status_code == 404


def test_workflow_through_the_api(client, world, sup):
    task = make_task(world)
    client.force_login(world.reporter_a)
    response = client.post(f"{TASKS}{task.pk}/progress/", {"version": 1, "note": "进展过半"}, **JSON)
    assert response.status_code == 200 and response.json()["version"] == 2 and response["ETag"] == '"2"'
    assert response.json()["last_progress_on"] == today().isoformat()

    response = client.post(f"{TASKS}{task.pk}/close/", {"version": 2, "result": "已全部完成"}, **JSON)
    assert response.status_code == 400
    assert response.json()["files"] == ["申请办结须上传至少一份佐证材料。"]
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS
    evidence(task, world.reporter_a)
    response = client.post(f"{TASKS}{task.pk}/close/", {"version": 2, "result": "已全部完成"}, **JSON)
    assert response.status_code == 200 and response.json()["status"] == "review"

    response = client.post(f"{TASKS}{task.pk}/review/", {"version": 3, "approve": True}, **JSON)
    assert response.status_code == 403  # a unit does not review its own closure
    client.force_login(sup)
    response = client.post(f"{TASKS}{task.pk}/review/", {"version": 3, "approve": False}, **JSON)
    assert response.status_code == 400 and response.json()["comment"] == ["请填写退回理由。"]
    response = client.post(f"{TASKS}{task.pk}/review/", {"version": 3, "approve": True, "comment": "同意"}, **JSON)
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "done" and data["finished_on"] == today().isoformat() and data["colour"] == "done"


def test_stale_version_is_412(client, world):
    task = make_task(world)
    services.task_report_progress(actor=world.approver_a, task=task, version=1, note="先报")
    client.force_login(world.reporter_a)
    response = client.post(f"{TASKS}{task.pk}/progress/", {"version": 1, "note": "后报"}, **JSON)
    assert response.status_code == 412
    data = response.json()
    assert data["code"] == "conflict" and data["current_version"] == 2 and response["ETag"] == '"2"'
    assert data["current"]["version"] == 2 and "该督办事项刚被他人处理" in data["detail"]
    assert not Task.objects.get(pk=task.pk).events.filter(note="后报").exists()


def test_wrong_state_is_412(client, world, sup):
    task = make_task(world)
    client.force_login(sup)
    response = client.post(f"{TASKS}{task.pk}/review/", {"version": 1, "approve": True}, **JSON)
    assert response.status_code == 412 and "办理中" in response.json()["detail"]


def test_action_body_errors_are_400(client, world):
    task = make_task(world)
    client.force_login(world.reporter_a)
    response = client.post(f"{TASKS}{task.pk}/progress/", {"note": "没有版本"}, **JSON)
    assert response.status_code == 400 and "version" in response.json()


def test_actions_out_of_scope_are_404(client, world):
    other = make_task(world, world.unit_b)
    client.force_login(world.reporter_a)
    for action in ("progress", "close", "cancel"):
        response = client.post(f"{TASKS}{other.pk}/{action}/", {"version": 1, "note": "x", "result": "xxxx"}, **JSON)
        assert response.status_code == 404, action
    assert Task.objects.get(pk=other.pk).version == 1


def test_create_meeting(client, world):
    client.force_login(world.office)
    body = {"kind": "dispatch", "title": "接口调度会", "held_on": today().isoformat(), "units": [world.unit_a.pk]}
    response = client.post(MEETINGS, body, **JSON)
    assert response.status_code == 201, response.content
    meeting = Meeting.objects.get()
    assert response.json()["organiser"] == world.office_unit.pk == meeting.organiser_id  # defaults to the actor's unit
    assert response.json()["kind_display"] == "调度会" and response["ETag"] == '"1"'
    response = client.post(MEETINGS, dict(body, organiser=world.foreign_unit.pk), **JSON)
    assert response.status_code == 400 and "organiser" in response.json()
    client.force_login(world.reporter_a)
    assert client.post(MEETINGS, body, **JSON).status_code == 403
    assert Meeting.objects.count() == 1
    response = client.get(f"{MEETINGS}{meeting.pk}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["ETag"] == '"1"'


def test_reading_returns_candidates_and_stores_nothing(client, world):
    client.force_login(world.office)
    text = "测试区召开项目建设大会。会议要求，甲街道办事处要在6月底前完成征迁。"
    response = client.post("/api/supervision/readings/", {"text": text}, **JSON)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["text"] and data["sentences"]
    kinds = {c["kind"] for c in data["candidates"]}
    assert "decision" in kinds and "unit" in kinds
    units = [c for c in data["candidates"] if c["kind"] == "unit"]
    assert ["unit", world.unit_a.pk] in [c["ref"] for c in units]
    assert not Meeting.objects.exists() and not Task.objects.exists()
    response = client.post("/api/supervision/readings/", {"text": ""}, **JSON)
    assert response.status_code == 400 and "text" in response.json()

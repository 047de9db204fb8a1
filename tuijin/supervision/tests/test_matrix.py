"""Permission matrix of every 督办 page and API route (utilities/testing/matrix.py): anonymous → login / 401, no
permission → 403, in scope → 200 with the object shown (or the action done), out of scope → 404 or absent, with the
control that a user who reaches the out-of-scope object does get it.

Out of scope: for unit users a task of 乙街道 (world.unit_b); for the district's offices a task or meeting of the
neighbouring district (world.foreign_office's)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tuijin.org.choices import Role
from tuijin.supervision import services
from tuijin.supervision.choices import TaskEventType, TaskSource, TaskStatus
from tuijin.supervision.models import MeetingAttachment, ReadingRule, Task, TaskAttachment
from tuijin.utilities.testing.matrix import ApiMatrix, ApiPostMatrix, Case, PostMatrix, ViewMatrix
from tuijin.utilities.testing.world import make_user

pytestmark = pytest.mark.django_db


def pdf(marker: str) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n% " + marker.encode() + b"\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    return SimpleUploadedFile(f"{marker}.pdf", body, content_type="application/pdf")


def _task(actor, unit, title, *, overdue=False, meeting=None, leader=None) -> Task:
    today = timezone.localdate()
    return services.task_create(
        actor=actor,
        title=title,
        content=title + "的具体要求",
        source=TaskSource.MEETING if meeting else TaskSource.INSTRUCTION,
        meeting=meeting,
        responsible_unit=unit,
        leader=leader,
        assigned_on=today - timedelta(days=60) if overdue else today,
        deadline=today - timedelta(days=20) if overdue else today + timedelta(days=60),
    )


@pytest.fixture
def meetings(world):
    today = timezone.localdate()
    home = services.meeting_create(
        actor=world.office,
        data={"kind": "construction", "title": "本区项目建设大会", "held_on": today, "units": [world.unit_a]},
    )
    foreign = services.meeting_create(
        actor=world.foreign_office, data={"kind": "dispatch", "title": "邻区调度会", "held_on": today}
    )
    return home, foreign


@pytest.fixture
def tasks(world, meetings):
    """甲 and 乙 of this district (from its meeting), and one of the neighbouring district; all overdue."""
    a = _task(world.office, world.unit_a, "甲街道督办事项", overdue=True, meeting=meetings[0])
    b = _task(world.office, world.unit_b, "乙街道督办事项", overdue=True)
    foreign = _task(world.foreign_office, world.foreign_unit, "邻区督办事项", overdue=True, meeting=meetings[1])
    return a, b, foreign


@pytest.fixture
def sup(world):
    return make_user("sup", role=Role.SUPERVISION_OFFICE, unit=world.office_unit)


@pytest.fixture
def foreign_reporter(world):
    return make_user("foreign_reporter", role=Role.UNIT_REPORTER, unit=world.foreign_unit)


def title(obj) -> str:
    return obj.title


def in_review(task, actor):
    services.task_request_close(actor=actor, task=task, version=task.version, result="已全部完成", files=[pdf("close")])
    return Task.objects.get(pk=task.pk)


# -- tasks --------------------------------------------------------------------------------------------------------


class TestTaskList(ViewMatrix):
    url_name = "supervision:task_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=tasks[0], out_of_scope=tasks[1], marker=title
        )


class TestTaskListForeign(ViewMatrix):
    url_name = "supervision:task_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(allowed=world.office, denied=world.norole, in_scope=tasks[1], out_of_scope=tasks[2], marker=title)


class TestTaskExport(ViewMatrix):
    url_name = "supervision:task_export"
    detail = False

    @pytest.fixture
    def matrix(self, world, tasks):
        # a unit reporter reads its tasks but may not export
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=tasks[0], out_of_scope=tasks[2], marker=title
        )


class TestTaskAdd(ViewMatrix):
    url_name = "supervision:task_add"
    detail = False
    scoped = False
    unscoped_reason = "an empty form: it shows no task; the units offered are the user's (test_views)"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestTaskAddFromMeeting(ViewMatrix):
    """?meeting= preselects the meeting: one out of scope is 404."""

    url_name = "supervision:task_add"

    def url_for(self, obj=None):
        return reverse(self.url_name) + f"?meeting={obj.pk}"

    @pytest.fixture
    def matrix(self, world, meetings):
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=meetings[0], out_of_scope=meetings[1], marker=title
        )


class TestTask(ViewMatrix):
    url_name = "supervision:task"

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=tasks[0], out_of_scope=tasks[1], marker=title
        )


class TestTaskForLeader(ViewMatrix):
    """The leader in charge (sponsor scope) sees his task, not another."""

    url_name = "supervision:task"

    @pytest.fixture
    def matrix(self, world, tasks):
        led = _task(world.office, world.unit_b, "分管领导督办事项", leader=world.leader_person)
        return Case(allowed=world.sponsor, denied=world.sysadmin, in_scope=led, out_of_scope=tasks[1], marker=title)


class TestTaskEdit(ViewMatrix):
    url_name = "supervision:task_edit"

    @pytest.fixture
    def matrix(self, world, tasks, sup):
        return Case(allowed=sup, denied=world.reporter_a, in_scope=tasks[0], out_of_scope=tasks[2], marker=title)


class _TaskAction(PostMatrix):
    action = ""

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[obj.pk, self.action])

    def task(self, obj) -> Task:
        task = Task.objects.get(pk=obj.pk)
        assert task.version > obj.version
        return task


class TestTaskProgress(_TaskAction):
    url_name = "supervision:task_action"
    action = "progress"

    def data(self, obj, matrix):
        return {"version": obj.version, "note": "已完成征迁七成", "files": pdf("progress")}

    def effect(self, obj, matrix):
        task = self.task(obj)
        event = task.events.get(type=TaskEventType.PROGRESS)
        assert event.note == "已完成征迁七成" and event.attachments.count() == 1

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=tasks[0],
            out_of_scope=tasks[1],
            viewer=world.reporter_b,
        )


class TestTaskClose(_TaskAction):
    url_name = "supervision:task_action"
    action = "close"

    def data(self, obj, matrix):
        return {"version": obj.version, "result": "征迁全部完成", "files": pdf("close")}

    def effect(self, obj, matrix):
        task = self.task(obj)
        assert task.status == TaskStatus.REVIEW and task.result == "征迁全部完成" and task.attachments.count() == 1

    @pytest.fixture
    def matrix(self, world, tasks):
        # the leader reads the task (region scope) but has no report permission
        return Case(
            allowed=world.approver_a,
            denied=world.leader,
            in_scope=tasks[0],
            out_of_scope=tasks[1],
            viewer=world.reporter_b,
        )


class TestTaskReview(_TaskAction):
    url_name = "supervision:task_action"
    action = "review"

    def data(self, obj, matrix):
        return {"version": obj.version, "decision": "approve", "comment": "同意"}

    def effect(self, obj, matrix):
        task = self.task(obj)
        assert task.status == TaskStatus.DONE and task.finished_on == task.close_requested_on

    @pytest.fixture
    def matrix(self, world, tasks, sup, foreign_reporter):
        a = in_review(tasks[0], world.reporter_a)
        foreign = in_review(tasks[2], foreign_reporter)
        return Case(allowed=sup, denied=world.reporter_a, in_scope=a, out_of_scope=foreign, viewer=world.foreign_office)


class TestTaskCancel(_TaskAction):
    url_name = "supervision:task_action"
    action = "cancel"

    def data(self, obj, matrix):
        return {"version": obj.version, "reason": "已由其他事项涵盖"}

    def effect(self, obj, matrix):
        task = self.task(obj)
        assert task.status == TaskStatus.CANCELLED
        assert task.events.get(type=TaskEventType.CANCELLED).note == "已由其他事项涵盖"

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(allowed=world.office, denied=world.leader, in_scope=tasks[0], out_of_scope=tasks[2])


class TestTaskAttachment(ViewMatrix):
    url_name = "supervision:task_attachment"

    def marker_for(self, case, obj):
        return obj.original_name.removesuffix(".pdf")

    @pytest.fixture
    def matrix(self, world, tasks):
        a = services.task_attachment_add(actor=world.reporter_a, task=tasks[0], uploaded=pdf("evidence-a"))
        b = services.task_attachment_add(actor=world.reporter_b, task=tasks[1], uploaded=pdf("evidence-b"))
        assert TaskAttachment.objects.count() == 2
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=a, out_of_scope=b)


# -- meetings -----------------------------------------------------------------------------------------------------


class TestMeetingList(ViewMatrix):
    url_name = "supervision:meeting_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, meetings):
        return Case(
            allowed=world.office, denied=world.ent_user_a, in_scope=meetings[0], out_of_scope=meetings[1], marker=title
        )


class TestMeetingListForUnit(ViewMatrix):
    """A unit sees the meetings it attended or was given a task of."""

    url_name = "supervision:meeting_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, meetings):
        other = services.meeting_create(
            actor=world.office,
            data={"kind": "special", "title": "乙街道专题会", "held_on": timezone.localdate(), "units": [world.unit_b]},
        )
        return Case(
            allowed=world.reporter_a, denied=world.norole, in_scope=meetings[0], out_of_scope=other, marker=title
        )


class TestMeetingAdd(ViewMatrix):
    url_name = "supervision:meeting_add"
    detail = False
    scoped = False
    unscoped_reason = "an empty form (the dispatch agenda it proposes is scoped in test_agenda)"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestMeeting(ViewMatrix):
    url_name = "supervision:meeting"

    @pytest.fixture
    def matrix(self, world, meetings):
        return Case(
            allowed=world.office, denied=world.ent_user_a, in_scope=meetings[0], out_of_scope=meetings[1], marker=title
        )


class TestMeetingEdit(ViewMatrix):
    url_name = "supervision:meeting_edit"

    @pytest.fixture
    def matrix(self, world, meetings, sup):
        return Case(allowed=sup, denied=world.reporter_a, in_scope=meetings[0], out_of_scope=meetings[1], marker=title)


class TestMeetingUpload(PostMatrix):
    url_name = "supervision:meeting_upload"

    def data(self, obj, matrix):
        return {"file": pdf(f"meeting-{obj.pk}")}

    def effect(self, obj, matrix):
        assert MeetingAttachment.objects.filter(meeting_id=obj.pk).count() == 1

    @pytest.fixture
    def matrix(self, world, meetings):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=meetings[0], out_of_scope=meetings[1])


class TestMeetingMinutes(ViewMatrix):
    url_name = "supervision:meeting_minutes"

    def marker_for(self, case, obj):
        return ""  # a DOCX: the title is inside the zipped XML (test_documents reads it)

    @pytest.fixture
    def matrix(self, world, meetings):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=meetings[0], out_of_scope=meetings[1])

    def test_is_a_docx_of_the_meeting(self, client, world, meetings):
        import io
        import zipfile

        client.force_login(world.office)
        response = client.get(self.url_for(meetings[0]))
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
            assert "本区项目建设大会" in docx.read("word/document.xml").decode()


class TestMeetingAttachment(ViewMatrix):
    url_name = "supervision:meeting_attachment"

    def marker_for(self, case, obj):
        return obj.original_name.removesuffix(".pdf")

    @pytest.fixture
    def matrix(self, world, meetings):
        a = services.meeting_attachment_add(actor=world.office, meeting=meetings[0], uploaded=pdf("meeting-home"))
        b = services.meeting_attachment_add(
            actor=world.foreign_office, meeting=meetings[1], uploaded=pdf("meeting-far")
        )
        return Case(allowed=world.office, denied=world.ent_user_a, in_scope=a, out_of_scope=b)


# -- reading, report, statistics, rules ---------------------------------------------------------------------------


class TestRead(ViewMatrix):
    url_name = "supervision:read"
    detail = False
    scoped = False
    unscoped_reason = "the paste form; what a reading may name is limited to the user's scope (lexicon_for)"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestReport(ViewMatrix):
    url_name = "supervision:report"
    detail = False

    @pytest.fixture
    def matrix(self, world, tasks):
        # the overdue list of the 督办通报
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=tasks[0], out_of_scope=tasks[2], marker=title
        )


class TestReportXlsx(ViewMatrix):
    url_name = "supervision:report"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name) + "?format=xlsx"

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(allowed=world.leader, denied=world.sponsor, in_scope=tasks[0], out_of_scope=tasks[2], marker=title)


def unit_name(task) -> str:
    return task.responsible_unit.name


class TestDashboard(ViewMatrix):
    url_name = "supervision:dashboard"
    detail = False

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(
            allowed=world.sponsor, denied=world.reporter_a, in_scope=tasks[1], out_of_scope=tasks[2], marker=unit_name
        )


class TestDashboardTile(ViewMatrix):
    url_name = "supervision:dashboard_tile"
    detail = False

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=tasks[0], out_of_scope=tasks[2], marker=unit_name
        )


@pytest.fixture
def rule(world):
    return services.rule_add(actor=world.office, kind="directive", text="务必确保测试")


class TestRules(ViewMatrix):
    url_name = "supervision:rules"
    detail = False
    scoped = False
    unscoped_reason = "reading rules are the district-wide vocabulary of the reader, not a unit's rows"

    @pytest.fixture
    def matrix(self, world, rule):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=rule, marker=lambda r: r.text)


class TestRuleToggle(PostMatrix):
    url_name = "supervision:rule_toggle"
    scoped = False
    unscoped_reason = "reading rules are the district-wide vocabulary of the reader, not a unit's rows"

    def data(self, obj, matrix):
        return {"version": obj.version}

    def effect(self, obj, matrix):
        assert ReadingRule.objects.get(pk=obj.pk).is_active is False

    @pytest.fixture
    def matrix(self, world, rule):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=rule)


# -- API ----------------------------------------------------------------------------------------------------------


class TestApiMeetingList(ApiMatrix):
    url_name = "supervision-api:meeting-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, meetings):
        return Case(
            allowed=world.office, denied=world.ent_user_a, in_scope=meetings[0], out_of_scope=meetings[1], marker=title
        )


class TestApiMeetingDetail(ApiMatrix):
    url_name = "supervision-api:meeting-detail"

    @pytest.fixture
    def matrix(self, world, meetings):
        return Case(
            allowed=world.reporter_a, denied=world.norole, in_scope=meetings[0], out_of_scope=meetings[1], marker=title
        )


class TestApiTaskList(ApiMatrix):
    url_name = "supervision-api:task-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=tasks[0], out_of_scope=tasks[1], marker=title
        )


class TestApiTaskDetail(ApiMatrix):
    url_name = "supervision-api:task-detail"

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(allowed=world.office, denied=world.norole, in_scope=tasks[0], out_of_scope=tasks[2], marker=title)


class _ApiAction(ApiPostMatrix):
    def task(self, obj) -> Task:
        task = Task.objects.get(pk=obj.pk)
        assert task.version > obj.version
        return task

    def assert_succeeded(self, response):
        super().assert_succeeded(response)
        assert response["ETag"] == f'"{response.json()["version"]}"'


class TestApiTaskProgress(_ApiAction):
    url_name = "supervision-api:task-progress"

    def data(self, obj, matrix):
        return {"version": obj.version, "note": "接口报送进展"}

    def effect(self, obj, matrix):
        assert self.task(obj).events.filter(type=TaskEventType.PROGRESS, note="接口报送进展").exists()

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(
            allowed=world.reporter_a,
            denied=world.norole,
            in_scope=tasks[0],
            out_of_scope=tasks[1],
            viewer=world.reporter_b,
        )


class TestApiTaskClose(_ApiAction):
    url_name = "supervision-api:task-close"

    def data(self, obj, matrix):
        return {"version": obj.version, "result": "接口申请办结"}

    def effect(self, obj, matrix):
        task = self.task(obj)
        assert task.status == TaskStatus.REVIEW and task.result == "接口申请办结"

    @pytest.fixture
    def matrix(self, world, tasks):
        services.task_attachment_add(actor=world.reporter_a, task=tasks[0], uploaded=pdf("api-a"))
        services.task_attachment_add(actor=world.reporter_b, task=tasks[1], uploaded=pdf("api-b"))
        a, b = (Task.objects.get(pk=t.pk) for t in tasks[:2])
        return Case(allowed=world.reporter_a, denied=world.norole, in_scope=a, out_of_scope=b, viewer=world.reporter_b)


class TestApiTaskReview(_ApiAction):
    url_name = "supervision-api:task-review"

    def data(self, obj, matrix):
        return {"version": obj.version, "approve": False, "comment": "请补充照片"}

    def effect(self, obj, matrix):
        task = self.task(obj)
        assert task.status == TaskStatus.IN_PROGRESS and task.events.filter(type=TaskEventType.RETURNED).exists()

    @pytest.fixture
    def matrix(self, world, tasks, sup, foreign_reporter):
        a = in_review(tasks[0], world.reporter_a)
        foreign = in_review(tasks[2], foreign_reporter)
        return Case(allowed=sup, denied=world.norole, in_scope=a, out_of_scope=foreign, viewer=world.foreign_office)


class TestApiTaskCancel(_ApiAction):
    url_name = "supervision-api:task-cancel"

    def data(self, obj, matrix):
        return {"version": obj.version, "reason": "接口撤销"}

    def effect(self, obj, matrix):
        assert self.task(obj).status == TaskStatus.CANCELLED

    @pytest.fixture
    def matrix(self, world, tasks):
        return Case(allowed=world.office, denied=world.norole, in_scope=tasks[0], out_of_scope=tasks[2])


class TestApiReading(ApiMatrix):
    url_name = "supervision-api:reading-list"
    detail = False
    scoped = False
    unscoped_reason = "reading stores nothing; the names it may resolve are the user's scope (lexicon_for)"

    def fetch(self, client, matrix, obj):
        body = {"text": "测试区召开项目建设大会。会议要求，甲街道办事处要在6月底前完成征迁。"}
        return client.post(self.url_for(obj), body, content_type="application/json", **self.extra_headers())

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)

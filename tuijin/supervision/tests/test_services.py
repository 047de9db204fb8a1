"""督办 services and selectors: the workflow (交办 → 办理中 ⇄ 待审核办结 → 已办结, 撤销) with each refusal and its
Chinese message, the history and the notifications, the 临近提醒 and the escalation ladder on the working-day
calendar, the colour rule (Python and SQL agree), the statistics and the progress-due set.

Dates are in March 2026 (no public holiday): Fri 6, Mon 9 … Fri 13, Mon 16 … Fri 20."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.history import object_history
from tuijin.core.models import ObjectChange
from tuijin.notifications.models import Notification
from tuijin.org.choices import Role
from tuijin.supervision import selectors, services
from tuijin.supervision.choices import TaskColour, TaskEventType, TaskSource, TaskStatus
from tuijin.supervision.models import Task, TaskEscalation, TaskReminder
from tuijin.utilities.testing.world import make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FRI = date(2026, 3, 6)


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def sup(world):
    """A 督查督办专员 of the district."""
    return make_user("sup", role=Role.SUPERVISION_OFFICE, unit=world.office_unit)


def make_task(world, actor=None, **kwargs) -> Task:
    values = {
        "title": "加快征迁",
        "content": "本月底前完成征迁",
        "source": TaskSource.INSTRUCTION,
        "responsible_unit": world.unit_a,
        "assigned_on": FRI - timedelta(days=14),
        "deadline": FRI,
    }
    values.update(kwargs)
    return services.task_create(actor=actor or world.office, **values)


def inbox(user, text: str = "") -> list[str]:
    rows = Notification.objects.filter(user=user, kind="supervision")
    return [n.title for n in rows if text in n.title]


def messages_of(exc) -> str:
    return " ".join(exc.messages) if hasattr(exc, "messages") else str(exc)


# -- creating -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_numbers_the_task_and_tells_units_and_leader(world):
    meeting = services.meeting_create(
        actor=world.office, data={"kind": "construction", "title": "项目建设大会", "held_on": FRI}
    )
    task = make_task(
        world,
        source=TaskSource.MEETING,
        meeting=meeting,
        co_units=[world.unit_b, world.unit_a],  # the responsible unit is dropped from the co units
        leader=world.leader_person,
    )
    assert task.number == "DB2026-0001" and task.status == TaskStatus.IN_PROGRESS
    assert list(task.co_units.all()) == [world.unit_b]
    assert make_task(world).number == "DB2026-0002"
    assert list(task.events.values_list("type", flat=True)) == [TaskEventType.CREATED]
    assert inbox(world.reporter_a, "新的督办事项（2026-03-06前办结）") and inbox(world.approver_a, "新的督办事项")
    assert inbox(world.reporter_b) == ["新的督办事项（配合办理）：加快征迁"]
    assert inbox(world.sponsor) == ["您分管的督办事项：加快征迁"]
    assert not inbox(world.office) and not inbox(world.foreign_office)


@pytest.mark.django_db
def test_deadline_by_working_days_skips_the_weekend(world):
    task = make_task(world, assigned_on=FRI, deadline=None, deadline_workdays=1)
    assert task.deadline == date(2026, 3, 9)  # Friday + 1 working day = Monday, not Saturday
    task = make_task(world, assigned_on=FRI, deadline=None, deadline_workdays=6)
    assert task.deadline == date(2026, 3, 16) and task.deadline_workdays == 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"deadline": FRI - timedelta(days=15)}, "deadline", "办结时限不能早于交办日期。"),
        ({"deadline": None}, "deadline", "请填写办结时限（日期或工作日数）。"),
        ({"deadline": None, "deadline_workdays": 0}, "deadline_workdays", "时限须为 1–500 个工作日。"),
        ({"deadline": date(2040, 1, 1)}, "deadline", "办结时限不能晚于交办后五年。"),
        ({"source": TaskSource.MEETING}, "meeting", "来源为会议决定时，请选择会议。"),
        ({"title": "  "}, "title", "请填写督办事项。"),
    ],
)
def test_create_refusals(world, kwargs, field, message):
    with pytest.raises(ValidationError) as caught:
        make_task(world, **kwargs)
    assert caught.value.message_dict[field] == [message]
    assert not Task.objects.exists() and not Notification.objects.exists()


@pytest.mark.django_db
def test_create_needs_permission_and_scope(world):
    with pytest.raises(PermissionDenied):
        make_task(world, actor=world.reporter_a)
    with pytest.raises(PermissionDenied) as caught:
        make_task(world, responsible_unit=world.foreign_unit)
    assert str(caught.value) == "责任单位不在您的管理范围内。"
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_database_constraints(world):
    task = make_task(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)  # done without a finish date
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(source=TaskSource.MEETING)  # meeting source without a meeting
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(deadline=task.assigned_on - timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(escalation_level=5)
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE, finished_on=FRI)  # both: allowed


# -- the workflow -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_full_workflow_with_history_and_notifications(world, sup):
    task = make_task(world, co_units=[world.unit_b])
    v = task.version
    task = services.task_report_progress(actor=world.reporter_b, task=task, version=v, note="配合单位：已对接")
    assert task.version == v + 1 and task.last_progress_on is not None and task.status == TaskStatus.IN_PROGRESS

    with pytest.raises(PermissionDenied) as caught:  # a co unit reports progress but never asks for closure
        services.task_request_close(
            actor=world.reporter_b, task=task, version=task.version, result="全部完成", files=[pdf()]
        )
    assert str(caught.value) == "只有责任单位可以办理此事项。"

    before = Notification.objects.filter(user=sup).count()
    task = services.task_request_close(
        actor=world.reporter_a,
        task=Task.objects.get(pk=task.pk),
        version=task.version,
        result="已全部完成",
        files=[pdf()],
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.REVIEW and task.close_requested_on is not None and task.result == "已全部完成"
    assert task.attachments.count() == 1
    assert inbox(sup, "申请办结，请审核") and inbox(world.office, "申请办结，请审核")
    assert Notification.objects.filter(user=sup).count() == before + 1
    assert not inbox(world.foreign_office)

    with pytest.raises(ValidationError) as caught:
        services.task_review(actor=sup, task=task, version=task.version, approve=False, comment=" ")
    assert caught.value.message_dict["comment"] == ["请填写退回理由。"]
    task = services.task_review(actor=sup, task=task, version=task.version, approve=False, comment="佐证不足")
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and task.close_requested_on is None
    assert inbox(world.reporter_a, "办结申请被退回")

    # the earlier evidence still counts: a second request needs no new file
    task = services.task_request_close(actor=world.reporter_a, task=task, version=task.version, result="已补充完成")
    task = services.task_review(actor=sup, task=task, version=task.version, approve=True)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.finished_on == task.close_requested_on
    assert inbox(world.approver_a, "已审核办结")
    assert list(task.events.values_list("type", flat=True)) == [
        TaskEventType.CREATED,
        TaskEventType.PROGRESS,
        TaskEventType.CLOSE_REQUESTED,
        TaskEventType.RETURNED,
        TaskEventType.CLOSE_REQUESTED,
        TaskEventType.APPROVED,
    ]
    changes = ObjectChange.objects.filter(changed_object_id=task.pk, changed_object_type__model="task")
    assert changes.filter(action="create").count() == 1 and changes.filter(action="update").count() >= 5
    assert object_history(task)


@pytest.mark.django_db
def test_close_without_evidence_is_refused_and_nothing_changes(world):
    task = make_task(world)
    version = task.version
    with pytest.raises(ValidationError) as caught:
        services.task_request_close(actor=world.reporter_a, task=task, version=version, result="已全部完成")
    assert caught.value.message_dict["files"] == ["申请办结须上传至少一份佐证材料。"]
    fresh = Task.objects.get(pk=task.pk)
    assert fresh.status == TaskStatus.IN_PROGRESS and fresh.version == version and fresh.result == ""
    assert not fresh.events.filter(type=TaskEventType.CLOSE_REQUESTED).exists()


@pytest.mark.django_db
def test_close_result_too_short(world):
    task = make_task(world)
    with pytest.raises(ValidationError) as caught:
        services.task_request_close(
            actor=world.reporter_a, task=task, version=task.version, result="完成", files=[pdf()]
        )
    assert caught.value.message_dict["result"] == ["办理结果至少 4 个字。"]


@pytest.mark.django_db
def test_other_unit_may_not_report(world):
    task = make_task(world)
    with pytest.raises(PermissionDenied) as caught:
        services.task_report_progress(actor=world.reporter_b, task=task, version=task.version, note="x")
    assert str(caught.value) == "该督办事项不在您的管理范围内。"
    with pytest.raises(PermissionDenied):  # a district leader reads every task but reports none
        services.task_report_progress(actor=world.leader, task=task, version=task.version, note="x")


@pytest.mark.django_db
def test_wrong_state_and_stale_version_are_conflicts(world, sup):
    task = make_task(world)
    with pytest.raises(ConflictError) as caught:  # nothing to review yet
        services.task_review(actor=sup, task=task, version=task.version, approve=True)
    assert "该督办事项刚被他人处理" in messages_of(caught.value) and "办理中" in messages_of(caught.value)
    with pytest.raises(ConflictError):
        services.task_report_progress(actor=world.reporter_a, task=task, version=task.version + 1, note="进展")
    assert Task.objects.get(pk=task.pk).version == task.version
    services.task_cancel(actor=sup, task=task, version=task.version, reason="不再需要")
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
    assert inbox(world.reporter_a, "已撤销")
    for call in (
        lambda: services.task_cancel(actor=sup, task=task, version=task.version, reason="再次"),
        lambda: services.task_report_progress(actor=world.reporter_a, task=task, version=task.version, note="x"),
    ):
        with pytest.raises(ConflictError):
            call()
    with pytest.raises(ApplicationError) as caught:
        services.task_update(actor=sup, task=task, version=task.version, data={"title": "改"})
    assert "已办结或已撤销的事项不能修改。" in messages_of(caught.value)


@pytest.mark.django_db
def test_cancel_needs_a_reason_and_the_change_permission(world, sup):
    task = make_task(world)
    with pytest.raises(ValidationError) as caught:
        services.task_cancel(actor=sup, task=task, version=task.version, reason="")
    assert caught.value.message_dict["reason"] == ["请填写撤销理由。"]
    with pytest.raises(PermissionDenied):
        services.task_cancel(actor=world.reporter_a, task=task, version=task.version, reason="不想办")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS


@pytest.mark.django_db
def test_moving_the_deadline_needs_a_reason_and_is_on_the_timeline(world, sup):
    task = make_task(world)
    with pytest.raises(ValidationError) as caught:
        services.task_update(actor=sup, task=task, version=task.version, data={"deadline": FRI + timedelta(days=7)})
    assert caught.value.message_dict["reason"] == ["请填写调整时限的理由。"]
    task = Task.objects.get(pk=task.pk)
    services.task_update(
        actor=sup, task=task, version=task.version, data={"deadline": FRI + timedelta(days=7)}, reason="征迁协议延后"
    )
    event = task.events.get(type=TaskEventType.DEADLINE)
    assert event.note == "征迁协议延后" and event.data == {"old": "2026-03-06", "new": "2026-03-13"}
    assert inbox(world.reporter_a, "办结时限调整为 2026-03-13")


# -- reminders and escalation -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reminder_once_per_deadline(world, sup):
    task = make_task(world, deadline=date(2026, 3, 11), leader=world.leader_person)  # Wednesday
    assert services.remind_due_tasks(date(2026, 3, 5)) == 0  # Thu: 4 working days left, outside the window of 3
    assert services.remind_due_tasks(date(2026, 3, 6)) == 1  # Fri: Mon, Tue, Wed = 3 left
    assert inbox(world.reporter_a, "还有 3 个工作日到期（2026-03-11）") and inbox(world.sponsor, "还有 3 个工作日")
    assert services.remind_due_tasks(date(2026, 3, 9)) == 0  # once per deadline
    assert TaskReminder.objects.filter(task=task).count() == 1
    task.refresh_from_db()
    services.task_update(
        actor=sup, task=task, version=task.version, data={"deadline": date(2026, 3, 12)}, reason="延期一天"
    )
    assert services.remind_due_tasks(date(2026, 3, 9)) == 1  # a new deadline, a new reminder
    assert services.remind_due_tasks(date(2026, 3, 10)) == 0
    assert list(TaskReminder.objects.filter(task=task).values_list("deadline", flat=True)) == [
        date(2026, 3, 11),
        date(2026, 3, 12),
    ]
    assert task.events.filter(type=TaskEventType.REMINDED).count() == 2


@pytest.mark.django_db
def test_no_reminder_for_a_task_under_review_or_done(world):
    task = make_task(world, deadline=date(2026, 3, 11))
    services.task_request_close(
        actor=world.reporter_a, task=task, version=task.version, result="已全部完成", files=[pdf()]
    )
    assert services.remind_due_tasks(date(2026, 3, 9)) == 0


@pytest.mark.django_db
def test_escalation_ladder_each_level_once_on_working_days(world, sup):
    district_leader = world.leader
    task = make_task(world, deadline=FRI, leader=world.leader_person)
    Notification.objects.all().delete()
    fired = {}
    day = FRI
    while day <= date(2026, 3, 25):
        fired[day] = services.escalate_overdue_tasks(day)
        day += timedelta(days=1)
    # 1, 4, 7, 10 working days after Friday 6 March: Mon 9, Thu 12, Tue 17, Fri 20; weekends count nothing
    assert {d: n for d, n in fired.items() if n} == {
        date(2026, 3, 9): 1,
        date(2026, 3, 12): 1,
        date(2026, 3, 17): 1,
        date(2026, 3, 20): 1,
    }
    task.refresh_from_db()
    assert task.escalation_level == 4 and task.version == 1  # not a user edit
    assert list(TaskEscalation.objects.filter(task=task).values_list("level", flat=True)) == [1, 2, 3, 4]
    events = list(task.events.filter(type=TaskEventType.ESCALATED).values_list("data", flat=True))
    assert [(e["level"], e["overdue_workdays"]) for e in events] == [(1, 1), (2, 4), (3, 7), (4, 10)]
    # who was told at each level
    by_level = {e.level: set(e.notified) for e in TaskEscalation.objects.filter(task=task)}
    assert by_level[1] == {world.approver_a.pk}
    assert by_level[2] == {world.approver_a.pk, world.office.pk, sup.pk}
    assert by_level[3] == {world.sponsor.pk}
    assert by_level[4] == {district_leader.pk, world.office.pk, sup.pk}
    assert inbox(world.sponsor, "超期升级（第3级）")
    assert not inbox(world.reporter_b) and not inbox(world.foreign_office)
    assert services.escalate_overdue_tasks(date(2026, 3, 25)) == 0  # twice: nothing new


@pytest.mark.django_db
def test_escalation_catches_up_and_skips_finished_tasks(world, sup):
    late = make_task(world, deadline=FRI)
    done = make_task(world, deadline=FRI)
    services.task_request_close(
        actor=world.reporter_a, task=done, version=done.version, result="已全部完成", files=[pdf()]
    )
    done.refresh_from_db()
    services.task_review(actor=sup, task=done, version=done.version, approve=True)
    assert services.escalate_overdue_tasks(date(2026, 3, 17)) == 3  # 7 working days late: L1–L3 at once
    assert services.escalate_overdue_tasks(date(2026, 3, 17)) == 0
    assert not TaskEscalation.objects.filter(task=done).exists()
    assert list(TaskEscalation.objects.filter(task=late).values_list("level", flat=True)) == [1, 2, 3]


@pytest.mark.django_db
def test_escalation_step_setting(world, settings):
    settings.TUIJIN_SUPERVISION_ESCALATION_STEP_WORKDAYS = 1
    task = make_task(world, deadline=FRI)
    assert services.escalate_overdue_tasks(date(2026, 3, 11)) == 3  # Mon 1, Tue 2, Wed 3
    task.refresh_from_db()
    assert task.escalation_level == 3


@pytest.mark.django_db
def test_the_daily_job_reminds_and_escalates(world):
    from tuijin.supervision.tasks import supervise_tasks_task

    make_task(world, deadline=FRI)
    make_task(world, deadline=date(2026, 3, 11))
    result = supervise_tasks_task.call("2026-03-09")
    assert result == {"today": "2026-03-09", "reminded": 1, "fired": 1}


# -- the colour ---------------------------------------------------------------------------------------------------

TODAY = date(2026, 3, 9)  # Monday; yellow until Thursday 12 March


@pytest.mark.django_db
def test_colour_examples(world):
    until = selectors.yellow_until(TODAY)
    assert until == date(2026, 3, 12)
    task = Task(status=TaskStatus.IN_PROGRESS, deadline=date(2026, 3, 8))
    assert selectors.colour_of(task, TODAY) == TaskColour.RED
    for deadline in (TODAY, date(2026, 3, 12)):
        task.deadline = deadline
        assert selectors.colour_of(task, TODAY) == TaskColour.YELLOW
    task.deadline = date(2026, 3, 13)
    assert selectors.colour_of(task, TODAY) == TaskColour.GREEN
    task.status, task.finished_on = TaskStatus.DONE, date(2026, 3, 14)
    assert selectors.colour_of(task, TODAY) == TaskColour.DONE_LATE
    task.finished_on = date(2026, 3, 13)
    assert selectors.colour_of(task, TODAY) == TaskColour.DONE


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=-10, max_value=15),
            st.sampled_from(list(TaskStatus.values)),
            st.integers(min_value=-5, max_value=5),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_colour_of_and_with_colour_agree(world, rows):
    assigned = TODAY - timedelta(days=30)
    Task.objects.all().delete()
    for i, (offset, status, finish) in enumerate(rows):
        deadline = TODAY + timedelta(days=offset)
        Task.objects.create(
            number=f"T{i}",
            title="t",
            content="c",
            source=TaskSource.INSTRUCTION,
            responsible_unit=world.unit_a,
            assigned_on=assigned,
            deadline=deadline,
            status=status,
            finished_on=deadline + timedelta(days=finish) if status == TaskStatus.DONE else None,
            created_by=world.office,
        )
    for task in selectors.with_colour(Task.objects.all(), TODAY):
        assert task.colour == selectors.colour_of(task, TODAY), (task.status, task.deadline, task.finished_on)


# -- statistics and progress due ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_stats_by_unit_and_leader(world, sup):
    def finish(task, on_time: bool):
        task.refresh_from_db()
        Task.objects.filter(pk=task.pk).update(
            status=TaskStatus.DONE, finished_on=task.deadline + timedelta(days=0 if on_time else 2)
        )

    a1 = make_task(world, deadline=date(2026, 3, 20), leader=world.leader_person)
    a2 = make_task(world, deadline=date(2026, 3, 2), leader=world.leader_person)  # overdue on TODAY
    a3 = make_task(world, deadline=date(2026, 3, 3))
    a4 = make_task(world, deadline=date(2026, 3, 4))
    a5 = make_task(world, deadline=date(2026, 3, 5))
    b1 = make_task(world, responsible_unit=world.unit_b, deadline=date(2026, 3, 2))
    b2 = make_task(world, responsible_unit=world.unit_b, deadline=date(2026, 3, 2), leader=world.leader_person)
    finish(a3, on_time=True)
    finish(a4, on_time=False)
    services.task_cancel(actor=sup, task=a5, version=a5.version, reason="撤销")
    finish(b2, on_time=True)
    assert a1 and a2 and b1

    stats = {row.name: row for row in selectors.stats_by_unit(Task.objects.all(), TODAY)}
    a, b = stats["甲街道办事处"], stats["乙街道办事处"]
    assert (a.assigned, a.done, a.done_on_time, a.open, a.overdue) == (4, 2, 1, 2, 1)
    assert (b.assigned, b.done, b.done_on_time, b.open, b.overdue) == (2, 1, 1, 1, 1)
    assert str(a.completion_rate) == "50.0" and str(a.on_time_rate) == "50.0" and str(b.on_time_rate) == "100.0"

    leaders = {row.name: row for row in selectors.stats_by_leader(Task.objects.all(), TODAY)}
    assert set(leaders) == {"测试副区长", "未明确分管领导"}
    mine, none = leaders["测试副区长"], leaders["未明确分管领导"]
    assert (mine.assigned, mine.done, mine.open, mine.overdue) == (3, 1, 2, 1)
    assert (none.assigned, none.done, none.open, none.overdue) == (3, 2, 1, 1)
    assert none.key is None


@pytest.mark.django_db
def test_rates_of_an_empty_row_are_none():
    row = selectors.UnitStats(key=None, name="x")
    assert row.completion_rate is None and row.on_time_rate is None


@pytest.mark.django_db
def test_progress_due_ids(world, sup):
    # assigned Mon 2 March, report every 5 working days: due once more than 5 have passed (Tue 10 March)
    fresh = make_task(world, assigned_on=date(2026, 3, 2), deadline=date(2026, 4, 30))
    reported = make_task(world, assigned_on=date(2026, 3, 2), deadline=date(2026, 4, 30))
    Task.objects.filter(pk=reported.pk).update(last_progress_on=date(2026, 3, 6))
    weekly = make_task(world, assigned_on=date(2026, 3, 2), deadline=date(2026, 4, 30), report_every_workdays=10)
    review = make_task(world, assigned_on=date(2026, 3, 2), deadline=date(2026, 4, 30))
    Task.objects.filter(pk=review.pk).update(status=TaskStatus.REVIEW)
    qs = Task.objects.all()
    assert selectors.progress_due_ids(qs, date(2026, 3, 9)) == []  # exactly 5 working days: not yet
    assert sorted(selectors.progress_due_ids(qs, date(2026, 3, 10))) == [fresh.pk]
    assert sorted(selectors.progress_due_ids(qs, date(2026, 3, 16))) == [fresh.pk, reported.pk]  # 6 since Fri 6
    assert sorted(selectors.progress_due_ids(qs, date(2026, 3, 17))) == [fresh.pk, reported.pk, weekly.pk]
    assert selectors.progress_due_ids(Task.objects.none(), date(2026, 3, 17)) == []


@pytest.mark.django_db
def test_a_closure_asked_in_time_is_not_overdue_while_the_office_reviews(world):
    """The unit asked for closure before the deadline; the review takes longer: not red, not escalated, and the
    approved task is 按期办结. A closure asked after the deadline stays overdue while it waits."""
    import datetime as dt

    import time_machine

    from tuijin.supervision import selectors
    from tuijin.supervision.choices import TaskColour

    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        task = make_task(world, deadline=dt.date(2026, 3, 6))
        task = services.task_request_close(
            actor=world.reporter_a, task=task, version=task.version, result="已全部完成征迁", files=[pdf()]
        )
    later = dt.date(2026, 3, 20)
    assert not selectors.is_overdue(task, later)
    assert selectors.colour_of(task, later) != TaskColour.RED
    assert not Task.objects.filter(selectors.overdue_condition(later), pk=task.pk).exists()
    assert services.escalate_overdue_tasks(later) == 0
    Task.objects.filter(pk=task.pk).update(close_requested_on=dt.date(2026, 3, 9))
    task.refresh_from_db()
    assert selectors.is_overdue(task, later)
    assert Task.objects.filter(selectors.overdue_condition(later), pk=task.pk).exists()

"""Writes for 督办: meetings, tasks and their workflow (交办 → 办理中 ⇄ 待审核办结 → 已办结, or 已撤销), evidence,
reading rules, and the deadline machinery (临近提醒 and 超期升级 on the shared ladder, core.escalation).

Every write checks the permission and the row's scope itself, saves through the optimistic lock (core.locking) and
lands in the change history; each workflow step adds a TaskEvent to the task's timeline."""

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.escalation import Escalator
from tuijin.core.exceptions import ApplicationError
from tuijin.core.locking import bump_version
from tuijin.core.permissions import check_scope

from .choices import OPEN_STATUSES, TaskEventType, TaskSource, TaskStatus
from .models import (
    Meeting,
    MeetingAttachment,
    ReadingRule,
    Task,
    TaskAttachment,
    TaskEscalation,
    TaskEvent,
    TaskReminder,
)
from .selectors import overdue_condition

__all__ = [
    "ATTACHMENT_TYPES",
    "MEETING_FIELDS",
    "TASK_EDIT_FIELDS",
    "deadline_from_workdays",
    "escalate_overdue_tasks",
    "meeting_attachment_add",
    "meeting_create",
    "meeting_update",
    "remind_due_tasks",
    "rule_add",
    "rule_set",
    "task_attachment_add",
    "task_cancel",
    "task_create",
    "task_report_progress",
    "task_request_close",
    "task_review",
    "task_update",
]

MEETING_FIELDS = (
    "kind",
    "title",
    "held_on",
    "place",
    "organiser",
    "chair",
    "agenda",
    "speakers",
    "minutes",
    "places",
    "enterprises_visited",
    "lessons",
    "source_text",
)
MEETING_M2M = ("leaders", "units")
TASK_EDIT_FIELDS = ("title", "content", "responsible_unit", "leader", "report_every_workdays", "source_reference")
TASK_M2M = ("co_units", "projects", "leads", "tickets")
TEXT_MAX = 5000  # a progress note, a closure summary, a reason


def _attachment_types() -> dict:
    from tuijin.projects.constants import ATTACHMENT_TYPES as PROJECT_TYPES

    return PROJECT_TYPES


ATTACHMENT_TYPES = _attachment_types()


def _today() -> date:
    return timezone.localdate()


def _require(actor, permission: str) -> None:
    if actor is not None and not actor.has_perm(f"supervision.{permission}"):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _text(value, field: str, label: str, *, required: bool = True, minimum: int = 1) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if required and len(text) < minimum:
        raise ValidationError({field: _("%(label)s至少 %(n)d 个字。") % {"label": label, "n": minimum}})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: _("%(label)s不能超过 %(n)d 字。") % {"label": label, "n": TEXT_MAX}})
    return text


def _own_unit(actor):
    from tuijin.org.scoping import user_memberships

    memberships = user_memberships(actor)
    if not memberships:
        raise PermissionDenied(_("您的账户没有所属单位。"))
    return memberships[0].unit


# -- meetings ---------------------------------------------------------------------------------------------------


def _meeting_apply(meeting: Meeting, data: dict) -> dict:
    """Set the plain fields from `data`; returns the many-to-many values to set after the save."""
    for name in MEETING_FIELDS:
        if name in data:
            value = data[name]
            setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    return {name: list(data[name]) for name in MEETING_M2M if name in data}


@transaction.atomic
def meeting_create(*, actor, data: dict) -> Meeting:
    """Register a meeting (or visit). The organiser defaults to the actor's unit and must be in the actor's scope."""
    _require(actor, "add_meeting")
    meeting = Meeting(created_by=actor)
    m2m = _meeting_apply(meeting, data)
    if meeting.organiser_id is None:
        meeting.organiser = _own_unit(actor)
    meeting.full_clean()
    meeting.save()
    for name, values in m2m.items():
        getattr(meeting, name).set(values)
    check_scope(actor, meeting, "add", message=_("组织单位不在您的管理范围内。"))
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, version: int, data: dict) -> Meeting:
    """Edit a meeting on the version the user saw (a stale version is a conflict, nothing saved)."""
    _require(actor, "change_meeting")
    check_scope(actor, meeting, "change", message=_("该会议不在您的管理范围内。"))
    m2m = _meeting_apply(meeting, data)
    meeting.full_clean()
    bump_version(meeting, expected_version=version)
    for name, values in m2m.items():
        getattr(meeting, name).set(values)
    check_scope(actor, meeting, "change", message=_("组织单位不在您的管理范围内。"))
    return meeting


@transaction.atomic
def meeting_attachment_add(*, actor, meeting: Meeting, uploaded) -> MeetingAttachment:
    from tuijin.utilities.uploads import store_checked_upload

    _require(actor, "add_meetingattachment")
    check_scope(actor, meeting, "change", message=_("该会议不在您的管理范围内。"))
    attachment = MeetingAttachment(meeting=meeting, uploaded_by=actor)
    store_checked_upload(attachment, uploaded, ATTACHMENT_TYPES)
    return attachment


# -- tasks ------------------------------------------------------------------------------------------------------


def deadline_from_workdays(start: date, workdays: int) -> date:
    """The date `workdays` working days after `start` on the shared calendar (tuijin.workdays)."""
    from tuijin.workdays.services import add_workdays

    return add_workdays(start, workdays)


def _number(day: date) -> str:
    prefix = f"DB{day:%Y}-"
    last = Task.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _event(task: Task, actor, type: str, note: str = "", **data) -> TaskEvent:
    return TaskEvent.objects.create(task=task, actor=actor, type=type, note=note, data=data)


def _unit_users(unit, roles=("unit_reporter", "unit_approver")) -> list:
    from tuijin.users.models import User

    return list(User.objects.filter(memberships__unit=unit, memberships__role__in=roles, is_active=True).distinct())


def _leader_users(task: Task) -> list:
    from tuijin.users.models import User

    if task.leader_id is None:
        return []
    return list(User.objects.filter(person_id=task.leader_id, is_active=True))


def _office_users(task: Task) -> list:
    """The 督办 office and the 项目办 of the task's own district."""
    from tuijin.org.scoping import _county_path
    from tuijin.users.models import User

    county = _county_path(task.responsible_unit.region.path)
    return list(
        User.objects.filter(
            is_active=True,
            memberships__unit__region__path__startswith=county,
            memberships__role__in=["supervision_office", "project_office"],
        ).distinct()
    )


def _notify(task: Task, users, title: str, level: str = "info") -> list[int]:
    from tuijin.notifications.services import notify

    users = list({u.pk: u for u in users if u is not None}.values())
    if users:
        notify(
            users=users,
            title=title,
            body=task.title[:200],
            url=task.get_absolute_url(),
            level=level,
            kind="supervision",
        )
    return [u.pk for u in users]


def _validate_deadline(assigned_on: date, deadline: date | None, workdays: int | None) -> tuple[date, int | None]:
    if workdays is not None:
        if not 1 <= int(workdays) <= 500:
            raise ValidationError({"deadline_workdays": _("时限须为 1–500 个工作日。")})
        return deadline_from_workdays(assigned_on, int(workdays)), int(workdays)
    if deadline is None:
        raise ValidationError({"deadline": _("请填写办结时限（日期或工作日数）。")})
    if deadline < assigned_on:
        raise ValidationError({"deadline": _("办结时限不能早于交办日期。")})
    if deadline.year > assigned_on.year + 5:
        raise ValidationError({"deadline": _("办结时限不能晚于交办后五年。")})
    return deadline, None


@transaction.atomic
def task_create(
    *,
    actor,
    title: str,
    content: str,
    source: str,
    responsible_unit,
    meeting: Meeting | None = None,
    source_reference: str = "",
    source_sentence: str = "",
    co_units=(),
    leader=None,
    assigned_on: date | None = None,
    deadline: date | None = None,
    deadline_workdays: int | None = None,
    report_every_workdays: int | None = None,
    projects=(),
    leads=(),
    tickets=(),
) -> Task:
    """Assign a task (交办): it starts 办理中 at once; the responsible and co units and the leader are told."""
    _require(actor, "add_task")
    if meeting is not None:
        check_scope(actor, meeting, "view", message=_("该会议不在您的管理范围内。"))
    assigned_on = assigned_on or _today()
    deadline, deadline_workdays = _validate_deadline(assigned_on, deadline, deadline_workdays)
    if source == TaskSource.MEETING and meeting is None:
        raise ValidationError({"meeting": _("来源为会议决定时，请选择会议。")})
    co_units = [u for u in co_units if u.pk != responsible_unit.pk]
    task = Task(
        number=_number(assigned_on),
        title=_text(title, "title", _("督办事项"))[:200],
        content=_text(content, "content", _("具体要求")),
        source=source,
        meeting=meeting,
        source_reference=(source_reference or "").strip()[:300],
        source_sentence=(source_sentence or "").strip()[:TEXT_MAX],
        responsible_unit=responsible_unit,
        leader=leader,
        assigned_on=assigned_on,
        deadline=deadline,
        deadline_workdays=deadline_workdays,
        report_every_workdays=report_every_workdays or settings.TUIJIN_SUPERVISION_REPORT_EVERY_WORKDAYS,
        created_by=actor,
    )
    task.full_clean(exclude=["number"])
    for attempt in range(3):
        try:
            with transaction.atomic():
                task.save()
            break
        except IntegrityError:
            if attempt == 2:
                raise
            task.number = _number(assigned_on)
    task.co_units.set(co_units)
    task.projects.set(projects)
    task.leads.set(leads)
    task.tickets.set(tickets)
    check_scope(actor, task, "add", message=_("责任单位不在您的管理范围内。"))
    _event(task, actor, TaskEventType.CREATED, deadline=deadline.isoformat())
    title_text = _("新的督办事项（%(d)s前办结）：%(t)s") % {"d": deadline.isoformat(), "t": task.title}
    _notify(task, _unit_users(responsible_unit), title_text, "warning")
    for unit in co_units:
        _notify(task, _unit_users(unit), _("新的督办事项（配合办理）：%(t)s") % {"t": task.title})
    _notify(task, _leader_users(task), _("您分管的督办事项：%(t)s") % {"t": task.title})
    return task


def _check(actor, task: Task, permission: str) -> None:
    _require(actor, permission)
    check_scope(actor, task, "view", message=_("该督办事项不在您的管理范围内。"))


def _responsible_check(actor, task: Task, *, co_allowed: bool) -> None:
    """The actor reports for the responsible unit (or, for progress, a co unit): a unit of the actor's memberships
    at or above it. The office may act for any unit."""
    from tuijin.org.scoping import user_memberships

    if actor.has_perm("supervision.review_task"):
        return
    units = [task.responsible_unit, *(task.co_units.all() if co_allowed else [])]
    for membership in user_memberships(actor):
        if any(unit.path.startswith(membership.unit.path) for unit in units):
            return
    raise PermissionDenied(_("只有责任单位可以办理此事项。"))


def _move(task: Task, version, allowed: tuple, **fields) -> Task:
    for name, value in fields.items():
        setattr(task, name, value)
    bump_version(
        task,
        expected_version=version,
        update_fields=[*fields, "last_updated"],
        status__in=allowed,
        message=_("该督办事项刚被他人处理（当前状态：%(status)s），您的操作未执行。"),
    )
    return task


@transaction.atomic
def task_update(*, actor, task: Task, version: int, data: dict, reason: str = "") -> Task:
    """The office edits an open task. Moving the deadline needs a reason; it is on the timeline."""
    _check(actor, task, "change_task")
    if not task.is_open:
        raise ApplicationError(_("已办结或已撤销的事项不能修改。"), code="task_closed")
    old_deadline = task.deadline
    fields = {}
    for name in TASK_EDIT_FIELDS:
        if name in data:
            value = data[name]
            fields[name] = value.strip() if isinstance(value, str) else value
    if "deadline" in data or "deadline_workdays" in data:
        deadline, workdays = _validate_deadline(task.assigned_on, data.get("deadline"), data.get("deadline_workdays"))
        fields["deadline"], fields["deadline_workdays"] = deadline, workdays
        if deadline != old_deadline:
            reason = _text(reason, "reason", _("调整时限的理由"))
    for name, value in fields.items():
        setattr(task, name, value)
    task.full_clean(exclude=["number"])
    _move(task, version, OPEN_STATUSES, **fields)
    for name in TASK_M2M:
        if name in data:
            getattr(task, name).set(data[name])
    check_scope(actor, task, "change", message=_("责任单位不在您的管理范围内。"))
    if task.deadline != old_deadline:
        _event(task, actor, TaskEventType.DEADLINE, reason, old=old_deadline.isoformat(), new=task.deadline.isoformat())
        _notify(
            task,
            _unit_users(task.responsible_unit),
            _("督办事项办结时限调整为 %(d)s：%(t)s") % {"d": task.deadline.isoformat(), "t": task.title},
        )
    return task


def _attach(actor, task: Task, files, event: TaskEvent | None) -> list[TaskAttachment]:
    from tuijin.utilities.uploads import store_checked_upload

    stored = []
    for uploaded in files or ():
        attachment = TaskAttachment(task=task, event=event, uploaded_by=actor)
        store_checked_upload(attachment, uploaded, ATTACHMENT_TYPES)
        stored.append(attachment)
    return stored


@transaction.atomic
def task_report_progress(*, actor, task: Task, version: int, note: str, files=()) -> Task:
    """The responsible (or a co) unit reports progress, with optional evidence. Stays 办理中."""
    _check(actor, task, "report_task")
    _responsible_check(actor, task, co_allowed=True)
    note = _text(note, "note", _("进展情况"))
    task = _move(task, version, (TaskStatus.IN_PROGRESS,), last_progress_on=_today())
    event = _event(task, actor, TaskEventType.PROGRESS, note)
    _attach(actor, task, files, event)
    return task


@transaction.atomic
def task_attachment_add(*, actor, task: Task, uploaded) -> TaskAttachment:
    """Add one piece of evidence to an open task (without a progress note)."""
    _check(actor, task, "add_taskattachment")
    _responsible_check(actor, task, co_allowed=True)
    if not task.is_open:
        raise ApplicationError(_("已办结或已撤销的事项不能再上传材料。"), code="task_closed")
    event = _event(task, actor, TaskEventType.EVIDENCE, getattr(uploaded, "name", ""))
    return _attach(actor, task, [uploaded], event)[0]


@transaction.atomic
def task_request_close(*, actor, task: Task, version: int, result: str, files=()) -> Task:
    """The responsible unit asks for closure with its result and evidence: at least one evidence file on the task
    (uploaded now or earlier). The task waits for the 督办 office's review (待审核办结)."""
    _check(actor, task, "report_task")
    _responsible_check(actor, task, co_allowed=False)
    result = _text(result, "result", _("办理结果"), minimum=4)
    if not files and not task.attachments.exists():
        raise ValidationError({"files": _("申请办结须上传至少一份佐证材料。")})
    task = _move(
        task, version, (TaskStatus.IN_PROGRESS,), status=TaskStatus.REVIEW, result=result, close_requested_on=_today()
    )
    event = _event(task, actor, TaskEventType.CLOSE_REQUESTED, result)
    _attach(actor, task, files, event)
    if not task.attachments.exists():
        raise ValidationError({"files": _("申请办结须上传至少一份佐证材料。")})
    _notify(task, _office_users(task), _("督办事项申请办结，请审核：%(t)s") % {"t": task.title}, "warning")
    return task


@transaction.atomic
def task_review(*, actor, task: Task, version: int, approve: bool, comment: str = "") -> Task:
    """The 督办 office accepts the closure (已办结, finished on the day the unit asked) or returns it with a reason."""
    _check(actor, task, "review_task")
    if approve:
        task = _move(task, version, (TaskStatus.REVIEW,), status=TaskStatus.DONE, finished_on=task.close_requested_on)
        _event(task, actor, TaskEventType.APPROVED, (comment or "").strip()[:TEXT_MAX])
        _notify(task, _unit_users(task.responsible_unit), _("督办事项已审核办结：%(t)s") % {"t": task.title}, "success")
    else:
        comment = _text(comment, "comment", _("退回理由"))
        task = _move(task, version, (TaskStatus.REVIEW,), status=TaskStatus.IN_PROGRESS, close_requested_on=None)
        _event(task, actor, TaskEventType.RETURNED, comment)
        _notify(
            task, _unit_users(task.responsible_unit), _("督办事项办结申请被退回：%(t)s") % {"t": task.title}, "warning"
        )
    return task


@transaction.atomic
def task_cancel(*, actor, task: Task, version: int, reason: str) -> Task:
    """The office withdraws a task that no longer applies (撤销), with a reason."""
    _check(actor, task, "change_task")
    reason = _text(reason, "reason", _("撤销理由"))
    task = _move(task, version, OPEN_STATUSES, status=TaskStatus.CANCELLED)
    _event(task, actor, TaskEventType.CANCELLED, reason)
    _notify(task, _unit_users(task.responsible_unit), _("督办事项已撤销：%(t)s") % {"t": task.title})
    return task


# -- deadlines: reminders and escalation on the shared ladder ---------------------------------------------------


def _escalation_targets(task: Task, level: int) -> list:
    """L1 the unit's deputy and L2 its head (the unit's approvers, else its reporters; L2 also the 督办 office),
    L3 the leader in charge (else the office), L4 the district's leaders and the office."""
    from tuijin.users.models import User

    if level in (1, 2):
        users = _unit_users(task.responsible_unit, ["unit_approver"]) or _unit_users(task.responsible_unit)
        return users + (_office_users(task) if level == 2 else [])
    if level == 3:
        return _leader_users(task) or _office_users(task)
    from tuijin.org.scoping import _county_path

    county = _county_path(task.responsible_unit.region.path)
    leaders = User.objects.filter(
        is_active=True, memberships__unit__region__path__startswith=county, memberships__role="district_leader"
    ).distinct()
    return list(leaders) + _office_users(task)


class _TaskEscalator(Escalator):
    def __init__(self, step: int) -> None:
        self._step = step

    def overdue(self, today):
        return list(Task.objects.filter(overdue_condition(today)).select_related("responsible_unit__region", "leader"))

    def due(self, task):
        return task.deadline

    def level(self, task):
        return task.escalation_level

    def step(self, task):
        return self._step

    def mark(self, task, level):
        return TaskEscalation.objects.create(task=task, level=level)

    def fire(self, task, level, overdue_workdays, escalation):
        escalation.notified = _notify(
            task,
            _escalation_targets(task, level),
            _("督办事项超期升级（第%(l)d级）：%(t)s") % {"l": level, "t": task.title},
            "danger",
        )
        escalation.save(update_fields=["notified"])
        fresh = Task.objects.select_for_update().get(pk=task.pk)
        if fresh.escalation_level < level:
            fresh.escalation_level = level
            fresh._changelog_message = _("超期升级")
            fresh.save(update_fields=["escalation_level", "last_updated"])  # not a user edit: version unchanged
        task.escalation_level = max(task.escalation_level, level)
        _event(task, None, TaskEventType.ESCALATED, level=level, overdue_workdays=overdue_workdays)

    def due_soon(self, today, until):
        return list(
            Task.objects.filter(status=TaskStatus.IN_PROGRESS, deadline__gte=today, deadline__lte=until).select_related(
                "responsible_unit", "leader"
            )
        )

    def mark_reminder(self, task):
        return TaskReminder.objects.create(task=task, deadline=task.deadline)

    def send_reminder(self, task, workdays_left, reminder):
        users = _unit_users(task.responsible_unit) + _leader_users(task)
        if workdays_left < 1:
            title = _("督办事项今天到期：%(t)s") % {"t": task.title}
        else:
            title = _("督办事项还有 %(n)d 个工作日到期（%(d)s）：%(t)s") % {
                "n": workdays_left,
                "d": task.deadline.isoformat(),
                "t": task.title,
            }
        reminder.notified = _notify(task, users, title, "warning")
        reminder.save(update_fields=["notified"])
        _event(task, None, TaskEventType.REMINDED, workdays_left=workdays_left)


def remind_due_tasks(today: date | None = None) -> int:
    """临近提醒: once per deadline, tell the responsible unit and the leader when a task in 办理中 is due within
    TUIJIN_SUPERVISION_YELLOW_WORKDAYS working days (the same window that turns it yellow)."""
    from tuijin.workdays.services import workday_calendar

    today = today or _today()
    until = deadline_from_workdays(today, settings.TUIJIN_SUPERVISION_YELLOW_WORKDAYS)
    return _TaskEscalator(settings.TUIJIN_SUPERVISION_ESCALATION_STEP_WORKDAYS).remind(
        today, workday_calendar(today, until), until
    )


def escalate_overdue_tasks(today: date | None = None) -> int:
    """超期升级 of open tasks past their deadline, on the same ladder as tickets (core.escalation): level k after
    (k−1)×step working days overdue, each level once. Returns levels fired."""
    from tuijin.workdays.services import workday_calendar

    today = today or _today()
    escalator = _TaskEscalator(settings.TUIJIN_SUPERVISION_ESCALATION_STEP_WORKDAYS)
    overdue = escalator.overdue(today)
    if not overdue:
        return 0
    escalator.overdue = lambda today: overdue  # type: ignore[method-assign]  # already read
    return escalator.run(today, workday_calendar(min(t.deadline for t in overdue), today))


# -- reading rules ----------------------------------------------------------------------------------------------


@transaction.atomic
def rule_add(*, actor, kind: str, text: str, value: str = "") -> ReadingRule:
    _require(actor, "add_readingrule")
    rule = ReadingRule(kind=kind, text=(text or "").strip(), value=(value or "").strip())
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def rule_set(*, actor, rule: ReadingRule, version: int, value: str | None = None, is_active: bool | None = None):
    """Change a rule's value or switch it on or off (rules are never deleted, so history keeps what was read)."""
    _require(actor, "change_readingrule")
    if value is not None:
        rule.value = value.strip()
    if is_active is not None:
        rule.is_active = is_active
    rule.full_clean()
    bump_version(rule, expected_version=version)
    return rule

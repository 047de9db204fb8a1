"""督办: meetings (项目建设大会, 调度会, 常务会, 观摩评比, 考察学习, 专题会) and the decisions they make, each a task
tracked to completion with progress reports, evidence, a reviewed closure and the shared escalation ladder
(core.escalation). Reading rules are the data behind reading a pasted meeting report (reading.py)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import BaseModel, ChangeLoggedModel, StoredFileFields

from .choices import MeetingKind, RuleKind, TaskEventType, TaskSource, TaskStatus

__all__ = [
    "Meeting",
    "MeetingAttachment",
    "ReadingRule",
    "Task",
    "TaskAttachment",
    "TaskEscalation",
    "TaskEvent",
    "TaskReminder",
]

# A meeting reaches the units that organised or attended it or were given one of its tasks, and the leaders who
# chaired or attended it or are in charge of one of its tasks.
MEETING_SCOPE: dict[str, str | tuple[str, ...]] = {
    "unit": ("organiser", "units", "tasks__responsible_unit", "tasks__co_units"),
    "region": "organiser",
    "sponsor": ("chair", "leaders", "tasks__leader"),
}
# A task reaches its responsible and co-responsible units, and the leader in charge of it.
TASK_SCOPE: dict[str, str | tuple[str, ...]] = {
    "unit": ("responsible_unit", "co_units"),
    "region": "responsible_unit",
    "sponsor": "leader",
}


def _child_scope(parent: str, scope: dict) -> dict:
    return {k: tuple(f"{parent}__{x}" for x in (v if isinstance(v, tuple) else (v,))) for k, v in scope.items()}


class Meeting(ChangeLoggedModel):
    """A meeting or visit: who met, where, what was on the agenda and what was said. Its decisions are Tasks."""

    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    organiser = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="organised_meetings", verbose_name=_("组织单位")
    )
    chair = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chaired_meetings",
        verbose_name=_("主持人"),
    )
    leaders = models.ManyToManyField(
        "org.Person", blank=True, related_name="attended_meetings", verbose_name=_("出席领导")
    )
    units = models.ManyToManyField(
        "org.OrgUnit", blank=True, related_name="attended_meetings", verbose_name=_("参会单位")
    )
    agenda = models.TextField(_("议程"), blank=True)
    speakers = models.TextField(_("交流发言"), blank=True, help_text=_("每行一位：单位、发言人、题目"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    # 考察学习 and 观摩评比: where the delegation went and what it learned (the actions are Tasks of source 考察学习)
    places = models.CharField(_("考察地点"), max_length=300, blank=True)
    enterprises_visited = models.CharField(_("考察企业"), max_length=500, blank=True)
    lessons = models.TextField(_("学习体会"), blank=True)
    source_text = models.TextField(_("读入的报道原文"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    scope_fields = MEETING_SCOPE

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["kind", "held_on"], name="supervision_meeting_kind_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("supervision:meeting", args=[self.pk])


class MeetingAttachment(StoredFileFields, BaseModel):
    """A file of a meeting (讲话稿, 会议材料, 照片), checked on upload and downloaded through a scoped view."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="supervision/meetings/%Y/%m/", max_length=255)
    created = models.DateTimeField(default=timezone.now)

    scope_fields = _child_scope("meeting", MEETING_SCOPE)

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
        ordering = ["created", "pk"]


class Task(ChangeLoggedModel):
    """A 督办 task: one decision, instruction or lesson, owned by a responsible unit until the 督办 office accepts
    its closure. The deadline is a date (computed from working days when given so); the colour is computed."""

    number = models.CharField(_("编号"), max_length=20, unique=True)
    title = models.CharField(_("督办事项"), max_length=200)
    content = models.TextField(_("具体要求"))
    source = models.CharField(_("来源"), max_length=20, choices=TaskSource.choices)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks", verbose_name=_("来源会议")
    )
    source_reference = models.CharField(
        _("来源说明"), max_length=300, blank=True, help_text=_("批示人与日期、上级文件文号等")
    )
    source_sentence = models.TextField(_("原文"), blank=True)
    responsible_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="supervised_tasks", verbose_name=_("责任单位")
    )
    co_units = models.ManyToManyField(
        "org.OrgUnit", blank=True, related_name="co_supervised_tasks", verbose_name=_("配合单位")
    )
    leader = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_tasks",
        verbose_name=_("分管领导"),
    )
    assigned_on = models.DateField(_("交办日期"))
    deadline_workdays = models.PositiveSmallIntegerField(_("时限（工作日）"), null=True, blank=True)
    deadline = models.DateField(_("办结时限"))
    report_every_workdays = models.PositiveSmallIntegerField(_("进展报送周期（工作日）"), default=5)
    status = models.CharField(
        _("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.IN_PROGRESS, db_index=True
    )
    escalation_level = models.PositiveSmallIntegerField(_("升级层级"), default=0)
    last_progress_on = models.DateField(_("最近报送进展"), null=True, blank=True)
    close_requested_on = models.DateField(_("申请办结日期"), null=True, blank=True)
    finished_on = models.DateField(_("办结日期"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    projects = models.ManyToManyField(
        "projects.Project", blank=True, related_name="supervision_tasks", verbose_name=_("关联项目")
    )
    leads = models.ManyToManyField(
        "investment.Lead", blank=True, related_name="supervision_tasks", verbose_name=_("关联招商项目")
    )
    tickets = models.ManyToManyField(
        "tickets.Ticket", blank=True, related_name="supervision_tasks", verbose_name=_("关联工单")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("交办人")
    )

    scope_fields = TASK_SCOPE

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["deadline", "pk"]
        permissions = [
            ("report_task", _("报告督办进展、申请办结")),
            ("review_task", _("审核督办办结")),
            ("export_task", _("导出督办事项与督办通报")),
            ("dashboard_task", _("查看督办统计")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("assigned_on")),
                name="supervision_task_deadline_order",
                violation_error_message=_("办结时限不能早于交办日期"),
            ),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.DONE) | Q(finished_on__isnull=False),
                name="supervision_task_done_has_date",
                violation_error_message=_("已办结的事项须有办结日期"),
            ),
            models.CheckConstraint(
                condition=~Q(source=TaskSource.MEETING) | Q(meeting__isnull=False),
                name="supervision_task_meeting_source",
                violation_error_message=_("来源为会议决定的事项须关联会议"),
            ),
            models.CheckConstraint(condition=Q(escalation_level__lte=4), name="supervision_task_escalation_max"),
            models.CheckConstraint(
                condition=Q(report_every_workdays__gte=1), name="supervision_task_report_every_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="supervision_task_status_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:task", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (TaskStatus.IN_PROGRESS, TaskStatus.REVIEW)


TASK_CHILD_SCOPE = _child_scope("task", TASK_SCOPE)


class TaskEvent(BaseModel):
    """The task's timeline: each step with its actor, note and details."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("事件"), max_length=20, choices=TaskEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    scope_fields = TASK_CHILD_SCOPE

    class Meta:
        verbose_name = _("督办事项动态")
        verbose_name_plural = _("督办事项动态")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.task.number} {self.get_type_display()}"


class TaskAttachment(StoredFileFields, BaseModel):
    """Evidence (佐证材料) of a task's progress or closure, checked on upload, downloaded through a scoped view."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(TaskEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="supervision/tasks/%Y/%m/", max_length=255)
    created = models.DateTimeField(default=timezone.now)

    scope_fields = TASK_CHILD_SCOPE

    class Meta:
        verbose_name = _("督办佐证材料")
        verbose_name_plural = _("督办佐证材料")
        ordering = ["created", "pk"]


class TaskEscalation(BaseModel):
    """One escalation level fired for a task (exactly once: unique per task and level)."""

    LEVELS = [(1, _("责任单位分管领导")), (2, _("责任单位主要领导")), (3, _("分管县级领导")), (4, _("区主要领导"))]

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("层级"), choices=LEVELS)
    fired_at = models.DateTimeField(default=timezone.now)
    notified = models.JSONField(default=list, blank=True)

    scope_fields = TASK_CHILD_SCOPE

    class Meta:
        verbose_name = _("督办升级")
        ordering = ["task", "level"]
        constraints = [models.UniqueConstraint(fields=["task", "level"], name="supervision_escalation_once")]

    def __str__(self) -> str:
        return f"{self.task.number} L{self.level}"


class TaskReminder(BaseModel):
    """A 临近提醒 sent for a task's deadline (exactly once per deadline: moving the deadline allows a new one)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    deadline = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    notified = models.JSONField(default=list, blank=True)

    scope_fields = TASK_CHILD_SCOPE

    class Meta:
        verbose_name = _("督办临近提醒")
        ordering = ["task", "deadline"]
        constraints = [models.UniqueConstraint(fields=["task", "deadline"], name="supervision_reminder_once")]


class ReadingRule(ChangeLoggedModel):
    """One rule of reading meeting reports: a directive marker, a target term, a position, a place … (data, so the
    office adds a marker or a name without a release). Seeded from reading_rules.DEFAULT_RULES."""

    kind = models.CharField(_("类别"), max_length=20, choices=RuleKind.choices)
    text = models.CharField(_("词语"), max_length=50)
    value = models.CharField(_("取值"), max_length=50, blank=True, help_text=_("如会议类型代码、目标的规范名称"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("读入规则")
        verbose_name_plural = _("读入规则")
        ordering = ["kind", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "text"], name="supervision_rule_unique", violation_error_message=_("该规则已存在")
            ),
            models.CheckConstraint(condition=~Q(text=""), name="supervision_rule_text_nonblank"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.text}"

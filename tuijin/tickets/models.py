"""Coordination tickets (one pool for report problems, meetings, enterprises and leaders), their timeline,
escalations, SLA settings, and the 不叫不到 inspection registry (visits and enterprises' quiet periods)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import BaseModel, ChangeLoggedModel

from .choices import Rating, TicketEventType, TicketSource, TicketStatus

__all__ = [
    "CategorySLA",
    "InspectionVisit",
    "QuietPeriod",
    "Ticket",
    "TicketAttachment",
    "TicketEscalation",
    "TicketEvent",
]

TICKET_SCOPE: dict[str, str | tuple[str, ...]] = {
    "unit": ("lead_unit", "co_units", "project__responsible_unit", "raised_unit"),
    "region": ("lead_unit", "project__responsible_unit", "enterprise", "raised_unit"),
    "enterprise": "enterprise",
    "sponsor": "project__sponsors",
}


class CategorySLA(ChangeLoggedModel):
    """A ticket category (工单类别) and its time limits in working days: first response, resolution, and the step
    between escalation levels.

    The catalogue is the 项目办's (/tickets/sla/, services.category_add / category_sla_set): it adds categories,
    renames and reorders them, sets their limits, and deactivates them. A deactivated category is not offered on new
    tickets, but old tickets keep its code and show its (current) name. The built-in codes of TicketCategory are
    seeded by migration 0004. Names are shown through selectors.category_names(), never the enum labels."""

    category = models.CharField(_("类别代码"), max_length=20, unique=True)
    name = models.CharField(_("类别名称"), max_length=30)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    response_days = models.PositiveSmallIntegerField(_("首次响应时限（工作日）"), default=1)
    resolution_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), default=15)
    escalation_step_days = models.PositiveSmallIntegerField(_("升级间隔（工作日）"), default=3)

    class Meta:
        verbose_name = _("工单类别与办理时限")
        verbose_name_plural = _("工单类别与办理时限")
        ordering = ["sort_order", "category"]

    def __str__(self) -> str:
        return self.name or self.category


class Ticket(ChangeLoggedModel):
    """A problem or request to be coordinated and resolved, with deadlines in working days."""

    number = models.CharField(_("编号"), max_length=20, unique=True)
    source = models.CharField(_("来源"), max_length=20, choices=TicketSource.choices)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("项目"),
    )
    enterprise = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprise_tickets",
        verbose_name=_("企业"),
    )
    category = models.CharField(_("类别"), max_length=20)  # a CategorySLA code (the 项目办's catalogue)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("问题描述"))
    help_requested = models.TextField(_("需协调事项"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.PENDING, db_index=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    raised_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="raised_tickets", verbose_name=_("提出单位")
    )
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    lead_unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_tickets",
        verbose_name=_("牵头单位"),
    )
    co_units = models.ManyToManyField("org.OrgUnit", blank=True, related_name="co_tickets", verbose_name=_("配合单位"))
    responded_at = models.DateTimeField(_("首次响应"), null=True, blank=True)
    response_due = models.DateField(_("响应时限"))
    resolution_due = models.DateField(_("办结时限"))
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    unresolvable_reason = models.TextField(_("无法解决的说明"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("升级层级"), default=0)
    rating = models.CharField(_("企业评价"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("回访重办次数"), default=0)
    from_problem = models.OneToOneField(
        "progress.ReportProblem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ticket",
        verbose_name=_("来源月报问题"),
    )

    scope_fields = TICKET_SCOPE

    class Meta:
        verbose_name = _("协调工单")
        verbose_name_plural = _("协调工单")
        ordering = ["-raised_at", "-pk"]
        permissions = [
            ("handle_ticket", _("办理工单")),
            ("dispatch_ticket", _("受理与交办工单")),
            ("close_ticket", _("销号工单")),
            ("rate_ticket", _("评价工单")),
            ("export_ticket", _("导出工单")),
            ("dashboard_ticket", _("查看工单统计")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(enterprise__isnull=False),
                name="tickets_project_or_enterprise",
                violation_error_message=_("工单须关联项目或企业"),
            ),
            models.CheckConstraint(condition=Q(resolution_due__gte=F("response_due")), name="tickets_due_order"),
            models.CheckConstraint(condition=Q(escalation_level__lte=4), name="tickets_escalation_max"),
        ]
        indexes = [models.Index(fields=["status", "resolution_due"], name="tickets_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:ticket", args=[self.pk])

    def changelog_parent(self):
        return self.project

    def get_category_display(self) -> str:
        """The category's current name from the catalogue (the code itself if it has no catalogue row)."""
        from .selectors import category_name

        return category_name(self.category)

    @property
    def is_open(self) -> bool:
        return self.status in (TicketStatus.PENDING, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS)


class TicketEvent(BaseModel):
    """The ticket's timeline: each step, with its actor and details."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("事件"), max_length=20, choices=TicketEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    scope_fields = {
        k: tuple(f"ticket__{x}" for x in (v if isinstance(v, tuple) else (v,))) for k, v in TICKET_SCOPE.items()
    }

    class Meta:
        verbose_name = _("工单事件")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.get_type_display()}"


class TicketEscalation(BaseModel):
    """One escalation level fired for a ticket (each level fires exactly once: unique per ticket and level)."""

    LEVELS = [(1, _("单位分管领导")), (2, _("单位主要领导")), (3, _("包联县级领导")), (4, _("区主要领导"))]

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("层级"), choices=LEVELS)
    fired_at = models.DateTimeField(default=timezone.now)
    notified = models.JSONField(default=list, blank=True)

    scope_fields = TicketEvent.scope_fields

    class Meta:
        verbose_name = _("工单升级")
        ordering = ["ticket", "level"]
        constraints = [models.UniqueConstraint(fields=["ticket", "level"], name="tickets_escalation_once")]

    def __str__(self) -> str:
        return f"{self.ticket} L{self.level}"


class TicketAttachment(BaseModel):
    """A file attached to a ticket, checked by content and downloaded only through a scoped view."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="tickets/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    scope_fields = TicketEvent.scope_fields

    class Meta:
        verbose_name = _("工单附件")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.original_name


class QuietPeriod(ChangeLoggedModel):
    """A period the enterprise asks not to be visited (不叫不到); a visit inside it needs a justification."""

    enterprise = models.ForeignKey(
        "org.OrgUnit", on_delete=models.CASCADE, related_name="quiet_periods", verbose_name=_("企业")
    )
    start = models.DateField(_("开始"))
    end = models.DateField(_("结束"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    scope_fields = {"unit": "enterprise", "region": "enterprise", "enterprise": "enterprise"}
    scope_public = Q(pk__isnull=False)  # every unit that may visit enterprises must see their quiet periods

    class Meta:
        verbose_name = _("免打扰期")
        verbose_name_plural = _("免打扰期")
        ordering = ["-start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="tickets_quiet_order",
                violation_error_message=_("结束日期不能早于开始日期"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.start}–{self.end}"


class InspectionVisit(ChangeLoggedModel):
    """An on-site inspection or visit to an enterprise: who, when, why and on what legal basis."""

    enterprise = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="visits_received", verbose_name=_("被检查企业")
    )
    visiting_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="visits_made", verbose_name=_("检查单位")
    )
    visitors = models.CharField(_("检查人员"), max_length=200)
    visited_on = models.DateField(_("日期"))
    purpose = models.CharField(_("事由"), max_length=300)
    legal_basis = models.CharField(_("执法/检查依据"), max_length=300)
    justification = models.CharField(_("免打扰期内到访的理由"), max_length=300, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_fields = {
        "unit": ("visiting_unit", "enterprise"),
        "region": ("visiting_unit", "enterprise"),
        "enterprise": "enterprise",
    }

    class Meta:
        verbose_name = _("涉企检查登记")
        verbose_name_plural = _("涉企检查登记")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "visited_on"], name="tickets_visit_ent_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_on}"

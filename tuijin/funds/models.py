"""争取上级资金 and 纳统: a project's preparation record (前期成熟度 inputs, 入库 status), the funding windows
(batches of a channel with their eligibility rules), applications from 编制 to 下达 with their documents and
payments, and the statistics bureau's monthly figures (统计口径) next to the dispatch figures."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import BaseModel, ChangeLoggedModel, StoredFileFields

from .choices import ApplicationStatus, Channel, LibraryStatus, PrepStage

__all__ = [
    "ApplicationEvent",
    "ApplicationFile",
    "BatchReminder",
    "FundApplication",
    "FundPayment",
    "FundingBatch",
    "FundsSettings",
    "ProjectPrep",
    "StatsFigure",
]

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]

PROJECT_SCOPE: dict[str, str | tuple[str, ...]] = {
    "unit": "project__responsible_unit",
    "region": "project__responsible_unit",
    "enterprise": "project__owner_enterprise",
    "sponsor": "project__sponsors",
}


def _through(prefix: str, scope: dict) -> dict:
    return {k: tuple(f"{prefix}__{x}" for x in (v if isinstance(v, tuple) else (v,))) for k, v in scope.items()}


class ProjectPrep(ChangeLoggedModel):
    """What the funding channels ask of a project beyond its registry row: how far its preparation has gone, its
    入库 status in the national project library and the 财政部 debt system, its 资本金 in place and (专项债) how
    many times its revenue covers the debt service. One row per project, created on first edit."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="prep")
    prep_stage = models.CharField(_("前期工作阶段"), max_length=20, choices=PrepStage.choices, default=PrepStage.IDEA)
    library_status = models.CharField(
        _("国家重大建设项目库"), max_length=20, choices=LibraryStatus.choices, default=LibraryStatus.NONE
    )
    in_debt_system = models.BooleanField(_("已入财政部专项债项目库"), default=False)
    land_secured = models.BooleanField(_("用地已落实"), default=False)
    capital_in_place = models.DecimalField(
        _("资本金已落实（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    revenue_coverage = models.DecimalField(
        _("收益覆盖本息倍数"), max_digits=6, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    scope_fields = PROJECT_SCOPE

    class Meta:
        verbose_name = _("项目谋划与储备")
        verbose_name_plural = _("项目谋划与储备")
        constraints = [
            models.CheckConstraint(
                condition=Q(capital_in_place__isnull=True) | Q(capital_in_place__gte=0), name="funds_prep_capital_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(revenue_coverage__isnull=True) | Q(revenue_coverage__gte=0),
                name="funds_prep_coverage_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return str(self.project)

    def changelog_parent(self):
        return self.project


class FundingBatch(ChangeLoggedModel):
    """One funding window: a channel's batch (e.g. 2027年中央预算内投资 城市更新 第一批), its dates, its document and
    the eligibility rules the office keeps for it (each explained on the batch's ranked list)."""

    channel = models.CharField(_("资金渠道"), max_length=20, choices=Channel.choices)
    name = models.CharField(_("批次名称"), max_length=200)
    programme = models.CharField(_("专项"), max_length=100, blank=True)
    opens_on = models.DateField(_("申报开始"))
    deadline = models.DateField(_("申报截止"))
    eligibility_notes = models.TextField(_("申报条件说明"), blank=True)
    document_title = models.CharField(_("申报通知"), max_length=200, blank=True)
    document_url = models.URLField(_("通知链接"), blank=True)
    organiser = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="funding_batches", verbose_name=_("组织单位")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    # eligibility rules (blank = no condition)
    domains = models.JSONField(_("投资领域"), default=list, blank=True)
    chains = models.ManyToManyField("projects.IndustryChain", blank=True, related_name="+", verbose_name=_("产业链"))
    min_total_investment = models.DecimalField(
        _("总投资下限（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    max_total_investment = models.DecimalField(
        _("总投资上限（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    min_prep_stage = models.CharField(
        _("前期工作至少达到"), max_length=20, choices=PrepStage.choices, default=PrepStage.FEASIBILITY
    )
    min_library_status = models.CharField(
        _("国家项目库至少为"), max_length=20, choices=LibraryStatus.choices, default=LibraryStatus.RESERVE
    )
    require_code = models.BooleanField(_("须有项目代码"), default=True)
    require_land = models.BooleanField(_("须落实用地"), default=False)
    require_capital = models.BooleanField(_("须落实资本金"), default=False)
    require_debt_system = models.BooleanField(_("须入财政部专项债项目库"), default=False)
    require_approvals = models.BooleanField(_("须审批手续齐全"), default=False)
    min_revenue_coverage = models.DecimalField(
        _("收益覆盖本息倍数下限"), max_digits=6, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    required_documents = models.JSONField(_("申报材料清单"), default=list, blank=True)

    scope_fields = {"unit": "organiser", "region": "organiser"}
    scope_public = Q(is_active=True)  # every unit of the district may see the open windows

    class Meta:
        verbose_name = _("申报批次")
        verbose_name_plural = _("申报批次")
        ordering = ["deadline", "pk"]
        permissions = [("match_fundingbatch", _("查看批次匹配的项目"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("opens_on")),
                name="funds_batch_dates",
                violation_error_message=_("申报截止不能早于申报开始"),
            ),
            models.CheckConstraint(
                condition=Q(min_total_investment__isnull=True)
                | Q(max_total_investment__isnull=True)
                | Q(max_total_investment__gte=F("min_total_investment")),
                name="funds_batch_size_range",
                violation_error_message=_("总投资上限不能低于下限"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funds:batch", args=[self.pk])


class BatchReminder(BaseModel):
    """A deadline reminder sent for a batch (once per batch and deadline)."""

    batch = models.ForeignKey(FundingBatch, on_delete=models.CASCADE, related_name="reminders")
    deadline = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    notified = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "deadline"], name="funds_batch_reminder_once")]


class FundApplication(ChangeLoggedModel):
    """One project's application to one batch, from 编制 through the levels to 下达 (or 未入选), then its money."""

    number = models.CharField(_("编号"), max_length=20, unique=True)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="fund_applications", verbose_name=_("项目")
    )
    batch = models.ForeignKey(
        FundingBatch, on_delete=models.PROTECT, related_name="applications", verbose_name=_("申报批次")
    )
    requested_amount = models.DecimalField(_("申请金额（万元）"), validators=NON_NEGATIVE, **MONEY)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFTING, db_index=True
    )
    other_funds_statement = models.CharField(
        _("其他中央资金申请情况"), max_length=300, blank=True, help_text=_("申报中央资金须说明是否重复申请")
    )
    approved_amount = models.DecimalField(
        _("下达金额（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    approval_doc = models.CharField(_("下达文号"), max_length=100, blank=True)
    approval_date = models.DateField(_("下达日期"), null=True, blank=True)
    arrived_on = models.DateField(_("资金到位日期"), null=True, blank=True)
    start_deadline = models.DateField(_("开工时限"), null=True, blank=True)
    rejection_reason = models.CharField(_("未入选原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_fields = PROJECT_SCOPE

    class Meta:
        verbose_name = _("资金申报")
        verbose_name_plural = _("资金申报")
        ordering = ["-pk"]
        permissions = [
            ("review_fundapplication", _("区级审核与转报资金申报")),
            ("record_fundapplication", _("登记下达与支付")),
            ("export_fundapplication", _("导出资金申报")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "batch"],
                condition=~Q(status__in=[ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED]),
                name="funds_one_live_application_per_batch",
                violation_error_message=_("该项目已申报此批次"),
            ),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.APPROVED)
                | (Q(approved_amount__isnull=False) & Q(approval_date__isnull=False) & ~Q(approval_doc="")),
                name="funds_approved_has_decision",
                violation_error_message=_("已下达的申报须有下达金额、文号和日期"),
            ),
            models.CheckConstraint(condition=Q(requested_amount__gte=0), name="funds_requested_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.project}"

    def get_absolute_url(self) -> str:
        return reverse("funds:application", args=[self.pk])

    def changelog_parent(self):
        return self.project


APPLICATION_CHILD_SCOPE = _through("application", PROJECT_SCOPE)


class ApplicationEvent(BaseModel):
    """The application's timeline (each move between levels, with its actor and note)."""

    application = models.ForeignKey(FundApplication, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)

    scope_fields = APPLICATION_CHILD_SCOPE

    class Meta:
        ordering = ["created", "pk"]


class ApplicationFile(StoredFileFields, BaseModel):
    """A document of the checklist (资金申请报告, 一案两书 …), checked on upload, downloaded through a scoped view."""

    application = models.ForeignKey(FundApplication, on_delete=models.CASCADE, related_name="files")
    doc_key = models.CharField(_("材料"), max_length=40)
    file = models.FileField(_("文件"), upload_to="funds/%Y/%m/", max_length=255)
    created = models.DateTimeField(default=timezone.now)

    scope_fields = APPLICATION_CHILD_SCOPE

    class Meta:
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")
        ordering = ["doc_key", "created"]


class FundPayment(ChangeLoggedModel):
    """A payment out of the money granted (支付), which makes the 支付进度."""

    application = models.ForeignKey(
        FundApplication, on_delete=models.CASCADE, related_name="payments", verbose_name=_("资金申报")
    )
    paid_on = models.DateField(_("支付日期"))
    amount = models.DecimalField(_("支付金额（万元）"), **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    scope_fields = APPLICATION_CHILD_SCOPE

    class Meta:
        verbose_name = _("资金支付")
        verbose_name_plural = _("资金支付")
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="funds_payment_positive")]

    def changelog_parent(self):
        return self.application


class FundsSettings(ChangeLoggedModel):
    """The office's thresholds (one row): slow use of granted money, the batch reminder, the 纳统 tolerance."""

    idle_months = models.PositiveSmallIntegerField(_("资金到位后须支付的月数"), default=6)
    remind_days = models.PositiveSmallIntegerField(_("申报截止前提醒天数"), default=7)
    stats_tolerance_pct = models.DecimalField(
        _("调度数与统计数差异容忍度（%）"), max_digits=6, decimal_places=2, default=Decimal("20")
    )
    stats_tolerance_amount = models.DecimalField(
        _("差异容忍金额（万元）"), max_digits=14, decimal_places=2, default=Decimal("100")
    )

    class Meta:
        verbose_name = _("资金与纳统设置")
        verbose_name_plural = _("资金与纳统设置")

    def __str__(self) -> str:
        return str(_("资金与纳统设置"))

    @classmethod
    def current(cls) -> "FundsSettings":
        return cls.objects.order_by("pk").first() or cls(pk=None)


class StatsFigure(ChangeLoggedModel):
    """The statistics bureau's figure for one project and month (统计口径): the investment counted in the 联网直报
    and whether the project is in the statistics database. Submitted (报送) figures are locked: nobody edits them,
    leaders included; a correction is a new submission by the bureau with a reason, kept in history."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="stats_figures", verbose_name=_("项目")
    )
    month = models.DateField(_("月份"))
    stats_investment = models.DecimalField(_("统计口径当月投资（万元）"), validators=NON_NEGATIVE, **MONEY)
    in_database = models.BooleanField(_("已入库"), default=False)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_fields = PROJECT_SCOPE

    class Meta:
        verbose_name = _("统计口径数据")
        verbose_name_plural = _("统计口径数据")
        ordering = ["-month", "project"]
        permissions = [("submit_statsfigure", _("报送统计口径数据"))]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="funds_stats_one_per_month"),
            models.CheckConstraint(condition=Q(stats_investment__gte=0), name="funds_stats_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m}"

    def changelog_parent(self):
        return self.project

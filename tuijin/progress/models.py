"""Monthly progress reports, their review, corrections, warning rules and lights, reporting periods."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Abs
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import BaseModel, ChangeLoggedModel

from .choices import AnomalyCode, LightColor, ReportEventType, ReportStatus, WarningDimension

__all__ = [
    "LightOverride",
    "PendingPhoto",
    "ProgressReport",
    "ReportAnomaly",
    "ReportCorrection",
    "ReportEvent",
    "ReportPhoto",
    "ReportProblem",
    "ReportingPeriod",
    "WarningLight",
    "WarningRule",
]

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
PROJECT_SCOPE = {
    "unit": "project__responsible_unit",
    "region": "project__responsible_unit",
    "enterprise": "project__owner_enterprise",
    "sponsor": "project__sponsors",
}
REPORT_SCOPE = {
    "unit": "report__project__responsible_unit",
    "region": "report__project__responsible_unit",
    "enterprise": "report__project__owner_enterprise",
    "sponsor": "report__project__sponsors",
}


class ReportingPeriod(ChangeLoggedModel):
    """A reporting month and its window (e.g. the 1st–5th of the next month); created on demand with defaults."""

    period = models.DateField(_("报告期（月）"), unique=True)
    opens_on = models.DateField(_("填报开始"))
    closes_on = models.DateField(_("填报截止"))

    class Meta:
        verbose_name = _("填报期")
        verbose_name_plural = _("填报期")
        ordering = ["-period"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="progress_window_order",
                violation_error_message=_("截止日期不能早于开始日期"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y年%m月}"


class ProgressReport(ChangeLoggedModel):
    """One project's report for one month: investment (万元) with breakdown, funds, progress, next steps."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="reports", verbose_name=_("项目")
    )
    period = models.DateField(_("报告期（月）"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    month_investment = models.DecimalField(_("当月完成投资（万元）"), default=Decimal("0"), **MONEY)
    construction_install = models.DecimalField(_("建筑安装工程（万元）"), default=Decimal("0"), **MONEY)
    equipment = models.DecimalField(_("设备购置（万元）"), default=Decimal("0"), **MONEY)
    other_cost = models.DecimalField(_("其他费用（万元）"), default=Decimal("0"), **MONEY)
    funds_arrived = models.DecimalField(
        _("当月到位资金（万元）"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    stats_investment = models.DecimalField(_("当月纳统投资（万元，与上报不同时填）"), null=True, blank=True, **MONEY)
    physical_progress = models.TextField(_("形象进度"), blank=True)
    next_month_plan = models.TextField(_("下月计划"), blank=True)
    is_started = models.BooleanField(_("已开工"), default=False)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    milestones = models.CharField(_("本月完成节点"), max_length=300, blank=True)
    negative_reason = models.CharField(_("负数说明（核减原因）"), max_length=300, blank=True)
    over_total_reason = models.CharField(_("累计超总投资说明"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    unit_reviewed_at = models.DateTimeField(_("单位审核时间"), null=True, blank=True)
    unit_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位审核人"),
    )
    office_reviewed_at = models.DateTimeField(_("项目办审核时间"), null=True, blank=True)
    office_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("项目办审核人"),
    )
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    # 历史数据: imported by the project office as already approved, locked, raising no lateness light.
    migration_job = models.ForeignKey(
        "projects.ImportJob",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("历史数据导入"),
    )

    scope_fields = PROJECT_SCOPE
    scope_through = ("project", "projects.Project")  # restrict as `project_id IN (allowed projects)`

    class Meta:
        verbose_name = _("月度进度报告")
        verbose_name_plural = _("月度进度报告")
        ordering = ["-period", "project_id"]
        permissions = [
            ("submit_progressreport", _("提交月报")),
            ("unitapprove_progressreport", _("单位审核月报")),
            ("officeapprove_progressreport", _("项目办审核月报")),
            ("correct_progressreport", _("更正已锁定月报")),
            ("export_progressreport", _("导出月报")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"],
                name="progress_unique_project_period",
                violation_error_message=_("该项目本月已有月报"),
            ),
            # SQLite keeps decimals as floating point, so the database check allows half a cent; the service
            # checks the exact Decimal equality before saving.
            models.CheckConstraint(
                condition=LessThan(
                    Abs(F("month_investment") - (F("construction_install") + F("equipment") + F("other_cost"))),
                    Decimal("0.005"),
                ),
                name="progress_breakdown_sums",
                violation_error_message=_("投资构成三项之和应等于当月完成投资"),
            ),
            models.CheckConstraint(
                condition=Q(month_investment__gte=0) | ~Q(negative_reason=""),
                name="progress_negative_needs_reason",
                violation_error_message=_("当月投资为负数时须填写核减原因"),
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="progress_period_status_idx")]

    def __str__(self) -> str:
        return f"{self.project} {self.period:%Y年%m月}"

    def get_absolute_url(self) -> str:
        return reverse("progress:report", args=[self.pk])

    def changelog_parent(self):
        return self.project

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.OFFICE_APPROVED

    @property
    def is_migrated(self) -> bool:
        """Imported as 历史数据 (who and when: the import job)."""
        return self.migration_job_id is not None


class ReportProblem(ChangeLoggedModel):
    """A problem raised in a report (a later module turns these into coordination tickets)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="problems")
    category = models.CharField(_("问题类别"), max_length=30)
    description = models.TextField(_("问题描述"))
    help_requested = models.TextField(_("需协调事项"), blank=True)

    scope_fields = REPORT_SCOPE

    class Meta:
        verbose_name = _("月报问题")
        verbose_name_plural = _("月报问题")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description[:40]

    def changelog_parent(self):
        return self.report.project


class ReportEvent(BaseModel):
    """The report's timeline (submit, approve, return with reason, correct)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("事件"), max_length=20, choices=ReportEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    scope_fields = REPORT_SCOPE

    class Meta:
        verbose_name = _("月报事件")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.get_type_display()}"


class ReportCorrection(BaseModel):
    """A correction of a locked report by the project office: the reason and the fields before and after."""

    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="corrections")
    reason = models.CharField(_("更正原因"), max_length=300)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    scope_fields = REPORT_SCOPE

    class Meta:
        verbose_name = _("月报更正记录")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} 更正"


class WarningRule(ChangeLoggedModel):
    """A configurable warning rule: dimension, thresholds (JSON params), on/off."""

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    dimension = models.CharField(_("维度"), max_length=20, choices=WarningDimension.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(default=100)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class WarningLight(BaseModel):
    """One rule's colour for one project in one month, with a plain-language explanation (history is kept)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="lights")
    period = models.DateField(_("报告期"), db_index=True)
    rule = models.ForeignKey(WarningRule, on_delete=models.PROTECT, related_name="lights")
    color = models.CharField(_("颜色"), max_length=10, choices=LightColor.choices)
    explanation = models.CharField(_("说明"), max_length=300)
    evaluated_at = models.DateTimeField(default=timezone.now)

    scope_fields = PROJECT_SCOPE
    scope_through = ("project", "projects.Project")

    class Meta:
        verbose_name = _("预警灯")
        verbose_name_plural = _("预警灯")
        ordering = ["-period", "project_id", "rule__sort_order"]
        constraints = [models.UniqueConstraint(fields=["project", "period", "rule"], name="progress_unique_light")]
        indexes = [models.Index(fields=["period", "color"], name="progress_light_period_idx")]

    def __str__(self) -> str:
        return f"{self.project} {self.rule} {self.get_color_display()}"


class LightOverride(ChangeLoggedModel):
    """A manual override of a project's light for a month: a reason code and a plan back to green."""

    REASONS = [
        ("force_majeure", _("不可抗力")),
        ("policy", _("政策调整")),
        ("data_lag", _("数据滞后")),
        ("approved_delay", _("经批准的延期")),
        ("other", _("其他")),
    ]

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="light_overrides")
    period = models.DateField(_("报告期"))
    rule = models.ForeignKey(WarningRule, on_delete=models.PROTECT, related_name="overrides")
    color = models.CharField(_("调整为"), max_length=10, choices=LightColor.choices)
    reason_code = models.CharField(_("原因类别"), max_length=20, choices=REASONS)
    reason = models.CharField(_("原因说明"), max_length=300)
    recovery_plan = models.CharField(_("转绿计划"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_fields = PROJECT_SCOPE

    class Meta:
        verbose_name = _("亮灯人工调整")
        verbose_name_plural = _("亮灯人工调整")
        ordering = ["-period", "-pk"]
        constraints = [models.UniqueConstraint(fields=["project", "period", "rule"], name="progress_unique_override")]

    def __str__(self) -> str:
        return f"{self.project} {self.rule} → {self.get_color_display()}"

    def changelog_parent(self):
        return self.project


class ReportPhoto(BaseModel):
    """A site photo attached to a report; shooting time and place are read from EXIF when present."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="report-photos/%Y/%m/", max_length=255)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    # Evidence (progress/photo_evidence.py): the original above is kept as uploaded; pages show the rendition (long
    # side ≤ 1600 px, EXIF orientation applied, metadata stripped) and the thumbnail.
    width = models.PositiveIntegerField(_("宽度（像素）"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高度（像素）"), null=True, blank=True)
    rendition = models.FileField(upload_to="report-photos/renditions/%Y/%m/", max_length=255, blank=True)
    thumbnail = models.FileField(upload_to="report-photos/thumbs/%Y/%m/", max_length=255, blank=True)
    camera_make = models.CharField(_("设备厂商"), max_length=100, blank=True)
    camera_model = models.CharField(_("设备型号"), max_length=100, blank=True)
    phash = models.CharField(_("感知哈希"), max_length=16, blank=True, db_index=True)
    flag_far = models.BooleanField(_("拍摄地点偏离项目"), default=False)
    flag_early = models.BooleanField(_("拍摄时间早于填报月份"), default=False)
    flag_reused = models.BooleanField(_("与其他项目或月份的照片重复"), default=False)
    flag_details = models.JSONField(_("存疑依据"), default=list, blank=True)
    evidence_checked_at = models.DateTimeField(_("核验时间"), null=True, blank=True)

    scope_fields = REPORT_SCOPE

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("progress:photo", args=[self.pk])


class PendingPhoto(BaseModel):
    """A photo chosen on the report form whose save failed validation: kept (checked, stored) for the same user,
    project and month so the retried save attaches it instead of asking to choose it again. Removed when attached
    or discarded; leftovers older than a day are cleared on the next upload."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    period = models.DateField(_("报告期（月）"))
    file = models.FileField(upload_to="report-photos/pending/%Y/%m/", max_length=255)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    scope_fields = PROJECT_SCOPE

    class Meta:
        verbose_name = _("待保存照片")
        verbose_name_plural = _("待保存照片")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ReportAnomaly(BaseModel):
    """A 数据异常 flag on a counted report (`progress/anomalies.py`): which rule, the reason in plain Chinese and the
    figures behind it. Written when the report is submitted or corrected, removed when it goes back to draft; it
    informs the reviewer and never blocks anything."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="anomalies")
    code = models.CharField(_("异常类型"), max_length=20, choices=AnomalyCode.choices)
    reason = models.CharField(_("异常说明"), max_length=500)
    data = models.JSONField(_("依据数据"), default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    scope_fields = REPORT_SCOPE

    class Meta:
        verbose_name = _("月报数据异常")
        verbose_name_plural = _("月报数据异常")
        ordering = ["report_id", "code"]
        constraints = [models.UniqueConstraint(fields=["report", "code"], name="progress_unique_anomaly")]

    def __str__(self) -> str:
        return f"{self.report} {self.get_code_display()}"

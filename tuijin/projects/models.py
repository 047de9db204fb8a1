"""The key-project record and what hangs off it: funding, annual plans, approval items, attachments, events."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import BaseModel, ChangeLoggedModel, StoredFileFields

from .choices import (
    ApprovalPhase,
    ApprovalStatus,
    AttachmentKind,
    ConstructionNature,
    DatePrecision,
    FundingSourceKind,
    InvestmentSubject,
    PlanStatus,
    ProjectDomain,
    ProjectEventType,
    Stage,
    StatsStatus,
)
from .querysets import ProjectQuerySet

__all__ = [
    "AnnualPlan",
    "ApprovalItem",
    "ApprovalItemType",
    "Attachment",
    "FundingSource",
    "ImportJob",
    "IndustryCategory",
    "IndustryChain",
    "PlanChange",
    "Project",
    "ProjectEvent",
    "ProjectLevel",
    "ProjectSpecialList",
    "SpecialList",
]

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class IndustryCategory(BaseModel):
    """GB/T 4754-2017 国民经济行业分类: 门类 (A–T) and 大类 (two-digit codes) as a two-level lookup."""

    code = models.CharField(_("代码"), max_length=4, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("门类")
    )

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndustryChain(ChangeLoggedModel):
    """A leading industry / industry chain the district promotes (光电信息, 智能制造 …): a configurable list."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("主导产业/产业链")
        verbose_name_plural = _("主导产业/产业链")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class ProjectLevel(BaseModel):
    """省重点 / 市重点 / 区重点 / 储备: a project may carry several."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    sort_order = models.PositiveIntegerField(default=100)

    class Meta:
        verbose_name = _("项目级别")
        verbose_name_plural = _("项目级别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class SpecialList(BaseModel):
    """A special list a project may be on (三个一批, 两重, 两新, 专项债, 中央预算内 …)."""

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    has_batch = models.BooleanField(_("有期次"), default=False)
    sort_order = models.PositiveIntegerField(default=100)

    class Meta:
        verbose_name = _("专项名单")
        verbose_name_plural = _("专项名单")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Project(ChangeLoggedModel):
    """A key project (重点项目): the spine every dispatch figure, warning and ranking derives from."""

    code = models.CharField(_("项目代码"), max_length=24, null=True, blank=True)
    code_is_legacy = models.BooleanField(_("旧版项目代码"), default=False, editable=False)
    name = models.CharField(_("项目名称"), max_length=200)
    owner_name = models.CharField(_("项目业主"), max_length=200)
    owner_credit_code = models.CharField(_("业主统一社会信用代码"), max_length=18, blank=True)
    owner_enterprise = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_projects",
        verbose_name=_("业主企业（平台账户）"),
    )
    scale_content = models.TextField(_("建设规模及内容"), blank=True)
    address = models.CharField(_("建设地点"), max_length=200, blank=True)
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("73")), MaxValueValidator(Decimal("136"))],
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("3")), MaxValueValidator(Decimal("54"))],
    )
    industry = models.ForeignKey(
        IndustryCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("国民经济行业"),
    )
    chain = models.ForeignKey(
        IndustryChain,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("主导产业/产业链"),
    )
    # 投资领域, 建设性质, 投资主体: "" = 未填 (a blank cell stays blank; nothing is defaulted silently).
    domain = models.CharField(_("投资领域"), max_length=20, choices=ProjectDomain.choices, blank=True, default="")
    levels = models.ManyToManyField(ProjectLevel, blank=True, related_name="projects", verbose_name=_("项目级别"))
    special_lists = models.ManyToManyField(  # type: ignore[var-annotated]
        SpecialList, through="ProjectSpecialList", blank=True, related_name="projects", verbose_name=_("专项名单")
    )
    construction_nature = models.CharField(
        _("建设性质"), max_length=20, choices=ConstructionNature.choices, blank=True, default=""
    )
    investment_subject = models.CharField(
        _("投资主体"), max_length=20, choices=InvestmentSubject.choices, blank=True, default=""
    )
    responsible_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="responsible_projects", verbose_name=_("责任单位")
    )
    sponsors = models.ManyToManyField(
        "org.Person", blank=True, related_name="sponsored_projects", verbose_name=_("包联领导")
    )
    locality = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_projects",
        verbose_name=_("属地"),
    )
    locality_text = models.CharField(
        _("区外属地"), max_length=100, blank=True, help_text=_("项目不在本区时，填写所在地（如“新乡市牧野区”）")
    )
    # None = 未填 (unknown): sums leave it out and say how many projects lack it, never count it as 0.
    total_investment = models.DecimalField(_("总投资（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    total_investment_approx = models.BooleanField(_("总投资为约数"), default=False)
    funding_note = models.TextField(_("资金来源说明"), blank=True)
    construction_start = models.DateField(_("建设起始年月"), null=True, blank=True)
    construction_end = models.DateField(_("建设截止年月"), null=True, blank=True)
    planned_start = models.DateField(_("计划开工日期"), null=True, blank=True)
    planned_finish = models.DateField(_("计划竣工日期"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工日期"), null=True, blank=True)
    actual_finish = models.DateField(_("实际竣工日期"), null=True, blank=True)
    # A date known only to its month is stored as the month's 1st, one known only to its year as 1 January.
    planned_start_precision = models.CharField(
        _("计划开工日期精度"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    planned_finish_precision = models.CharField(
        _("计划竣工日期精度"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    actual_start_precision = models.CharField(
        _("实际开工日期精度"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    actual_finish_precision = models.CharField(
        _("实际竣工日期精度"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    remarks = models.TextField(_("备注"), blank=True)
    is_industrial = models.BooleanField(_("工业项目"), default=False)
    land_area_mu = models.DecimalField(
        _("用地面积（亩）"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    floor_area_m2 = models.DecimalField(
        _("建筑面积（平方米）"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    expected_output = models.DecimalField(
        _("预计年产值（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    expected_tax = models.DecimalField(_("预计年税收（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    expected_jobs = models.PositiveIntegerField(_("预计新增就业（人）"), null=True, blank=True)
    stats_status = models.CharField(
        _("纳统状态"), max_length=20, choices=StatsStatus.choices, default=StatsStatus.NOT_COUNTED
    )
    stats_month = models.DateField(_("纳统入库月份"), null=True, blank=True)
    stage = models.CharField(
        _("项目阶段"), max_length=20, choices=Stage.choices, default=Stage.PREPARATION, db_index=True
    )
    stage_reason = models.CharField(_("暂缓/取消原因"), max_length=200, blank=True)
    is_fast_track = models.BooleanField(_("拿地即开工"), default=False)
    land_deal_date = models.DateField(_("土地成交/出让合同日期"), null=True, blank=True)
    ndl_days_to_permit = models.IntegerField(_("拿地至施工许可（工作日）"), null=True, blank=True, editable=False)
    ndl_days_to_start = models.IntegerField(_("施工许可至开工（工作日）"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    migration_job = models.ForeignKey(
        "ImportJob",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("历史数据导入"),
    )

    objects = ProjectQuerySet.as_manager()  # type: ignore[misc]

    scope_fields = {
        "unit": "responsible_unit",
        "region": "responsible_unit",
        "enterprise": "owner_enterprise",
        "sponsor": "sponsors",
    }

    class Meta:
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        ordering = [models.F("total_investment").desc(nulls_last=True), "pk"]
        permissions = [
            ("transition_project", _("变更项目阶段")),
            ("import_project", _("导入项目")),
            ("export_project", _("导出项目")),
            ("bulkedit_project", _("批量调整项目")),
            ("dashboard_project", _("查看驾驶舱（汇总数据）")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(code__isnull=False),
                name="projects_unique_code",
                violation_error_message=_("项目代码已存在"),
            ),
            models.CheckConstraint(
                condition=Q(total_investment__isnull=True) | Q(total_investment__gte=0),
                name="projects_total_investment_gte_0",
                violation_error_message=_("总投资不能为负数"),
            ),
            models.CheckConstraint(
                condition=Q(actual_finish__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_finish__gte=models.F("actual_start")),
                name="projects_finish_after_start",
                violation_error_message=_("实际竣工日期不能早于实际开工日期"),
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.CONSTRUCTION) | Q(actual_start__isnull=False),
                name="projects_construction_needs_start",
                violation_error_message=_("在建项目必须有实际开工日期"),
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=[Stage.COMPLETED, Stage.OPERATING]) | Q(actual_finish__isnull=False),
                name="projects_completed_needs_finish",
                violation_error_message=_("竣工/投产项目必须有实际竣工日期"),
            ),
        ]
        indexes = [
            models.Index(fields=["responsible_unit", "stage"], name="projects_unit_stage_idx"),
            models.Index(fields=["name"], name="projects_name_idx"),
            models.Index(fields=["owner_name"], name="projects_owner_idx"),
            models.Index(fields=["ndl_days_to_permit"], name="projects_ndl_permit_idx"),
            models.Index(fields=["-total_investment", "id"], name="projects_total_desc_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:project", args=[self.pk])

    @property
    def total_investment_yi(self) -> Decimal | None:
        """Total investment in 亿元 (storage is 万元); None when it is not known."""
        return None if self.total_investment is None else self.total_investment / Decimal(10000)

    @property
    def is_migrated(self) -> bool:
        """Imported as 历史数据 (who and when: the import job)."""
        return self.migration_job_id is not None


class ProjectSpecialList(models.Model):
    """A project's place on a special list, with the batch (期次) where the list has batches."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="special_list_entries")
    special_list = models.ForeignKey(SpecialList, on_delete=models.PROTECT, related_name="entries")
    batch = models.CharField(_("期次"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("专项名单成员")
        ordering = ["special_list__sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "special_list"], name="projects_unique_special_list")]

    def __str__(self) -> str:
        return f"{self.special_list}{(' ' + self.batch) if self.batch else ''}"


class FundingSource(ChangeLoggedModel):
    """One funding source row; the rows of a project sum to its total investment, or the project explains why not."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding_sources")
    kind = models.CharField(_("资金来源"), max_length=20, choices=FundingSourceKind.choices)
    amount = models.DecimalField(_("金额（万元）"), validators=NON_NEGATIVE, **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    scope_fields = {
        "unit": "project__responsible_unit",
        "region": "project__responsible_unit",
        "enterprise": "project__owner_enterprise",
        "sponsor": "project__sponsors",
    }

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="projects_funding_amount_gte_0")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    def changelog_parent(self):
        return self.project


class AnnualPlan(ChangeLoggedModel):
    """A project's plan for one year. Once approved it is the baseline; later changes go through PlanChange."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="annual_plans")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    planned_investment = models.DecimalField(_("年度计划投资（万元）"), validators=NON_NEGATIVE, **MONEY)
    progress_target = models.CharField(_("年度形象进度目标"), max_length=300, blank=True)
    monthly_plan = models.JSONField(_("月度计划（万元，12个月）"), null=True, blank=True)
    planned_start_quarter = models.PositiveSmallIntegerField(
        _("计划开工季度"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    planned_start_month = models.PositiveSmallIntegerField(
        _("计划开工月份"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    planned_finish_month = models.PositiveSmallIntegerField(
        _("计划竣工月份"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    status = models.CharField(_("状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    baseline_investment = models.DecimalField(_("基线计划投资（万元）"), null=True, blank=True, **MONEY)
    baseline_monthly_plan = models.JSONField(_("基线月度计划"), null=True, blank=True)
    baseline_approved_at = models.DateTimeField(_("基线批准时间"), null=True, blank=True)
    baseline_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("基线批准人"),
    )
    migration_job = models.ForeignKey(
        "ImportJob",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("历史数据导入"),
    )

    scope_fields = FundingSource.scope_fields

    class Meta:
        verbose_name = _("年度计划")
        verbose_name_plural = _("年度计划")
        ordering = ["project", "-year"]
        permissions = [("approve_annualplan", _("批准年度计划及调整"))]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="projects_unique_plan_year",
                violation_error_message=_("该项目此年度已有计划"),
            ),
            models.CheckConstraint(condition=Q(planned_investment__gte=0), name="projects_plan_gte_0"),
            models.CheckConstraint(
                condition=Q(planned_start_month__isnull=True)
                | Q(planned_finish_month__isnull=True)
                | Q(planned_finish_month__gte=models.F("planned_start_month")),
                name="projects_plan_month_order",
                violation_error_message=_("计划竣工月份不能早于计划开工月份"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}年计划"

    def changelog_parent(self):
        return self.project

    @property
    def is_migrated(self) -> bool:
        return self.migration_job_id is not None

    @property
    def ranking_investment(self) -> Decimal:
        """Rankings and rates use the approved baseline; the current plan only until one exists."""
        return self.baseline_investment if self.baseline_investment is not None else self.planned_investment


class PlanChange(ChangeLoggedModel):
    """A request to change an approved annual plan: a reason, then an approval or a rejection."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="changes")
    new_investment = models.DecimalField(_("调整后计划投资（万元）"), validators=NON_NEGATIVE, **MONEY)
    new_monthly_plan = models.JSONField(_("调整后月度计划"), null=True, blank=True)
    reason = models.CharField(_("调整原因"), max_length=300)
    status = models.CharField(
        _("状态"),
        max_length=20,
        default="pending",
        choices=[("pending", _("待审批")), ("approved", _("已批准")), ("rejected", _("已驳回"))],
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    scope_fields = {
        "unit": "plan__project__responsible_unit",
        "region": "plan__project__responsible_unit",
        "enterprise": "plan__project__owner_enterprise",
        "sponsor": "plan__project__sponsors",
    }

    class Meta:
        verbose_name = _("年度计划调整")
        verbose_name_plural = _("年度计划调整")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan} → {self.new_investment}"

    def changelog_parent(self):
        return self.plan.project


class ApprovalItemType(ChangeLoggedModel):
    """The configurable catalogue of approval items (前期手续 / 联审联批), with phase and parallel group."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=100)
    phase = models.CharField(_("阶段"), max_length=20, choices=ApprovalPhase.choices)
    parallel_group = models.CharField(_("并联组"), max_length=30, blank=True)
    default_department = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("默认办理部门")
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("审批事项")
        verbose_name_plural = _("审批事项目录")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class ApprovalItem(ChangeLoggedModel):
    """One approval item of one project: status, department, dates, permit number, attachment."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approval_items")
    item_type = models.ForeignKey(
        ApprovalItemType, on_delete=models.PROTECT, related_name="items", verbose_name=_("事项")
    )
    status = models.CharField(_("状态"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    department = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("办理部门")
    )
    due_date = models.DateField(_("计划完成时限"), null=True, blank=True)
    completed_date = models.DateField(_("办结日期"), null=True, blank=True)
    permit_no = models.CharField(_("批准文号/证号"), max_length=100, blank=True)
    attachment = models.ForeignKey(
        "Attachment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("附件")
    )
    note = models.CharField(_("办理情况"), max_length=300, blank=True)

    scope_fields = FundingSource.scope_fields

    class Meta:
        verbose_name = _("审批手续")
        verbose_name_plural = _("审批手续")
        ordering = ["item_type__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "item_type"],
                name="projects_unique_approval_item",
                violation_error_message=_("该项目已有此审批事项"),
            ),
            models.CheckConstraint(
                condition=~Q(status=ApprovalStatus.DONE) | Q(completed_date__isnull=False),
                name="projects_done_needs_date",
                violation_error_message=_("已办结的事项须填写办结日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.item_type}"

    def changelog_parent(self):
        return self.project


def attachment_path(instance, filename: str) -> str:
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(StoredFileFields, ChangeLoggedModel):
    """A file (approval document, site photo) stored under MEDIA_ROOT, downloadable only through a checked view."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.OTHER)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255)

    scope_fields = FundingSource.scope_fields

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    def changelog_parent(self):
        return self.project

    def get_absolute_url(self) -> str:
        return reverse("projects:attachment_download", args=[self.pk])


class ProjectEvent(BaseModel):
    """The project's timeline: typed domain events written by services in the same transaction."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("事件"), max_length=30, choices=ProjectEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    scope_fields = FundingSource.scope_fields

    class Meta:
        verbose_name = _("项目事件")
        verbose_name_plural = _("项目事件")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_type_display()}"


class ImportJob(BaseModel):
    """An Excel import: the uploaded file, its validation report, and progress when it runs in the background."""

    STATUS_CHOICES = [
        ("validating", _("校验中")),
        ("validated", _("已校验")),
        ("queued", _("排队中")),
        ("running", _("导入中")),
        ("done", _("已完成")),
        ("failed", _("失败")),
    ]

    file = models.FileField(upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("状态"), max_length=20, choices=STATUS_CHOICES, default="validated")
    only_valid = models.BooleanField(_("仅导入无误的行"), default=False)
    kind = models.CharField(_("导入内容"), max_length=20, default="projects")  # projects / plans / reports
    historical = models.BooleanField(_("历史数据"), default=False)
    total_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": 5, "column": "项目代码", "message": "…"}]
    message = models.CharField(max_length=300, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # the annotated error copy, built by the background validation (`tasks.validate_import_job`) when rows have errors
    annotated = models.FileField(upload_to="imports/%Y/%m/", max_length=255, blank=True)
    # the lease of the worker running it ("host:pid:start"), renewed by `heartbeat`; `tasks.import_jobs_fail_stale`
    # fails a job whose worker is gone, and the user may then run it again (`retryable`)
    worker = models.CharField(max_length=200, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    retryable = models.BooleanField(default=False)

    scope_fields = None  # jobs are read through `created_by = user` in the views

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0

    @property
    def in_progress(self) -> bool:
        return self.status in ("validating", "queued", "running")

    @property
    def can_retry(self) -> bool:
        return self.status == "failed" and self.retryable

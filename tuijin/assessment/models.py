"""激励奖惩 / 容错纠错: the rubrics the 项目办 writes, the rounds they score, each unit's score line by line with the
evidence behind it, the bonuses and deductions entered by hand, appeals and the 容错 register.

A rubric is versioned (`RubricVersion`): a round is scored with the version in force on its first day, and a version
once used by a published round can no longer be edited (a new version is made instead). Every figure a line scores
is read from the module that defines it (metrics.py); nothing here recomputes a figure.
"""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import BaseModel, ChangeLoggedModel

from .choices import AdjustmentKind, AppealStatus, CaseDecision, LineStatus, NoData, PeriodType, RoundStatus, RuleKind

__all__ = [
    "Adjustment",
    "Appeal",
    "Exemption",
    "Indicator",
    "LeniencyCase",
    "Round",
    "Rubric",
    "RubricGroup",
    "RubricVersion",
    "ScoreLine",
    "UnitScore",
]

POINTS: dict[str, Any] = {"max_digits": 9, "decimal_places": 2}
VALUE: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}


class Rubric(ChangeLoggedModel):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("考核办法"), max_length=100, unique=True)
    period_type = models.CharField(_("考核周期"), max_length=10, choices=PeriodType.choices)
    # the district whose units it scores (None: every unit of the installation)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("适用区划")
    )
    description = models.TextField(_("说明"), blank=True, max_length=4000)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)

    scope_fields = None

    class Meta:
        verbose_name = _("考核办法")
        verbose_name_plural = _("考核办法")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessment:rubric", args=[self.pk])


class RubricVersion(ChangeLoggedModel):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="versions", verbose_name=_("考核办法"))
    number = models.PositiveSmallIntegerField(_("版本号"))
    effective_from = models.DateField(_("施行日期"))
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    locked = models.BooleanField(_("已用于发布"), default=False)  # set when a round scored with it is published

    scope_fields = None

    class Meta:
        verbose_name = _("考核办法版本")
        verbose_name_plural = _("考核办法版本")
        ordering = ["rubric", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "number"], name="assessment_version_unique_number"),
            models.UniqueConstraint(
                fields=["rubric", "effective_from"],
                name="assessment_version_unique_start",
                violation_error_message=_("同一考核办法的两个版本不能在同一天施行。"),
            ),
        ]

    def __str__(self) -> str:
        return "%s 第%d版（%s 起）" % (self.rubric.name, self.number, self.effective_from.isoformat())


class RubricGroup(ChangeLoggedModel):
    """A group of units ranked together (街道、镇、区直、开发区、国企): by unit type, plus units named one by one."""

    rubric_version = models.ForeignKey(
        RubricVersion, on_delete=models.CASCADE, related_name="groups", verbose_name=_("版本")
    )
    name = models.CharField(_("分组"), max_length=30)
    unit_types = models.JSONField(_("单位类型"), default=list, blank=True)
    units = models.ManyToManyField("org.OrgUnit", blank=True, related_name="+", verbose_name=_("指定单位"))
    excluded_units = models.ManyToManyField(
        "org.OrgUnit", blank=True, related_name="+", verbose_name=_("不参加考核的单位")
    )
    red_count = models.PositiveSmallIntegerField(_("红榜名额"), default=3)
    black_count = models.PositiveSmallIntegerField(_("黑榜名额"), default=2)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)

    scope_fields = None

    class Meta:
        verbose_name = _("考核分组")
        verbose_name_plural = _("考核分组")
        ordering = ["rubric_version", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rubric_version", "name"], name="assessment_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(ChangeLoggedModel):
    rubric_version = models.ForeignKey(
        RubricVersion, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("版本")
    )
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("指标"), max_length=50)
    metric = models.CharField(_("数据来源"), max_length=40)  # a key of metrics.METRICS
    rule_kind = models.CharField(_("计分方式"), max_length=10, choices=RuleKind.choices)
    params = models.JSONField(_("计分参数"), default=dict)
    max_points = models.DecimalField(_("满分"), **POINTS)  # shown as 可得分; what "视同满分" gives
    weight = models.DecimalField(
        _("权重"), max_digits=5, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    # {"1": "1.5"}: the weight in a given quarter (一季度开门红 weighs 开工 more); absent quarters use `weight`.
    quarter_weights = models.JSONField(_("分季度权重"), default=dict, blank=True)
    no_data = models.CharField(_("无可考核项目时"), max_length=10, choices=NoData.choices, default=NoData.SKIP)
    groups = models.ManyToManyField(RubricGroup, blank=True, related_name="indicators", verbose_name=_("适用分组"))
    note = models.CharField(_("口径说明"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)

    scope_fields = None

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["rubric_version", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rubric_version", "code"], name="assessment_indicator_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Exemption(ChangeLoggedModel):
    """A unit excused from one indicator for a span of periods (免考), with the reason."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="exemptions", verbose_name=_("考核指标")
    )
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    starts = models.DateField(_("起始"))
    ends = models.DateField(_("截止"), null=True, blank=True)
    reason = models.CharField(_("免考理由"), max_length=300)

    scope_fields = {"unit": "unit", "region": "unit"}

    class Meta:
        verbose_name = _("免考")
        verbose_name_plural = _("免考")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(ends__gte=F("starts")),
                name="assessment_exemption_span",
                violation_error_message=_("截止日期不能早于起始日期。"),
            )
        ]


class Round(ChangeLoggedModel):
    """One period of one rubric: 试算 (recomputed as the figures change) → 发布 (frozen; appeals) → 定稿."""

    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("考核办法"))
    rubric_version = models.ForeignKey(
        RubricVersion, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("版本")
    )
    period_start = models.DateField(_("周期起"))
    period_end = models.DateField(_("周期止"))
    label = models.CharField(_("名称"), max_length=60)
    status = models.CharField(_("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    stale = models.BooleanField(_("待重算"), default=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    appeal_until = models.DateField(_("申诉截止"), null=True, blank=True)

    scope_fields = None

    class Meta:
        verbose_name = _("考核期")
        verbose_name_plural = _("考核期")
        permissions = [("publish_round", _("发布考核结果")), ("export_round", _("导出考核结果"))]
        ordering = ["-period_start", "rubric__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rubric", "period_start"],
                name="assessment_round_unique_period",
                violation_error_message=_("该考核办法在这一周期已有考核。"),
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="assessment_round_span"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(published_at__isnull=False),
                name="assessment_round_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("assessment:round", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @property
    def as_of(self):
        """The last day whose figures the round reads: the period's end, or — while the period is not over — the
        end of last month (the latest month reported), never before the period's first month."""
        from django.utils import timezone

        from tuijin.core.periods import add_months, month_end

        cap = month_end(add_months(timezone.localdate(), -1))
        if cap >= self.period_end:
            return self.period_end
        return max(cap, month_end(self.period_start))


class UnitScore(BaseModel):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    group = models.ForeignKey(RubricGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("分组"))
    total = models.DecimalField(_("总分"), **POINTS)
    available = models.DecimalField(_("可得分"), **POINTS)  # the maximum of the lines that count
    rank = models.PositiveIntegerField(_("组内名次"), null=True)
    published_total = models.DecimalField(_("发布时总分"), null=True, **POINTS)
    published_rank = models.PositiveIntegerField(_("发布时名次"), null=True)
    appealed = models.BooleanField(_("经申诉调整"), default=False)

    scope_fields = {"unit": "unit", "region": "unit"}

    class Meta:
        verbose_name = _("单位得分")
        verbose_name_plural = _("单位得分")
        permissions = [("appeal_unitscore", _("对本单位考核得分申诉"))]
        ordering = ["round", "group__sort_order", "rank", "unit__sort_order"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="assessment_score_unique_unit")]

    def __str__(self) -> str:
        return "%s %s" % (self.unit, self.total)


class ScoreLine(BaseModel):
    """One indicator's (or one bonus/deduction's) points for a unit in a round, with the figure and records behind."""

    score = models.ForeignKey(UnitScore, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, null=True, related_name="+")
    adjustment = models.ForeignKey("Adjustment", on_delete=models.PROTECT, null=True, related_name="lines")
    label = models.CharField(_("项目"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=LineStatus.choices, default=LineStatus.SCORED)
    value = models.DecimalField(_("指标值"), null=True, **VALUE)
    numerator = models.DecimalField(null=True, **VALUE)
    denominator = models.DecimalField(null=True, **VALUE)
    count = models.IntegerField(default=0)
    rank = models.PositiveIntegerField(null=True)
    raw_points = models.DecimalField(_("计分"), **POINTS)  # before the weight
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)
    points = models.DecimalField(_("得分"), **POINTS)  # counted in the total (after weight, 容错 and appeals)
    max_points = models.DecimalField(_("满分"), null=True, **POINTS)
    figure = models.CharField(_("指标"), max_length=200, blank=True)  # "开工率 7/9 = 77.8%"
    explanation = models.CharField(_("计分说明"), max_length=500, blank=True)
    evidence = models.JSONField(_("依据"), default=list, blank=True)  # [{"label", "url", "note"}]
    appeal_points = models.DecimalField(_("申诉调整后得分"), null=True, **POINTS)
    neutralised = models.BooleanField(_("容错免责"), default=False)
    sort_order = models.PositiveIntegerField(default=100)

    scope_through = ("score", "assessment.UnitScore")
    scope_fields = {"unit": "score__unit", "region": "score__unit"}

    class Meta:
        verbose_name = _("得分明细")
        verbose_name_plural = _("得分明细")
        ordering = ["score", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(indicator__isnull=True) | Q(adjustment__isnull=True),
                name="assessment_line_one_source",
            )
        ]

    def __str__(self) -> str:
        return "%s %s" % (self.label, self.points)


class Adjustment(ChangeLoggedModel):
    """A bonus or deduction entered by hand with its evidence (集中开工, 上级通报批评 …) for a unit and period."""

    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("考核办法"))
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    occurred_on = models.DateField(_("发生日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=AdjustmentKind.choices)
    category = models.CharField(_("事项"), max_length=50)
    points = models.DecimalField(_("分值"), validators=[MinValueValidator(0), MaxValueValidator(1000)], **POINTS)
    reason = models.CharField(_("依据说明"), max_length=500)
    evidence = models.CharField(_("证明材料"), max_length=300, blank=True)  # document number / link
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("项目")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    withdrawn = models.BooleanField(_("已撤销"), default=False)

    scope_fields = {"unit": "unit", "region": "unit"}

    class Meta:
        verbose_name = _("加减分")
        verbose_name_plural = _("加减分")
        ordering = ["-occurred_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="assessment_adjustment_points_positive"),
        ]

    def __str__(self) -> str:
        sign = "+" if self.kind == AdjustmentKind.BONUS else "−"
        return "%s %s%s" % (self.category, sign, self.points)

    @property
    def signed_points(self):
        return self.points if self.kind == AdjustmentKind.BONUS else -self.points


class Appeal(ChangeLoggedModel):
    line = models.ForeignKey(ScoreLine, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("得分项"))
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    reason = models.TextField(_("申诉理由"), max_length=2000)
    evidence = models.CharField(_("证明材料"), max_length=300, blank=True)
    requested_points = models.DecimalField(_("申请调整为"), null=True, blank=True, **POINTS)
    status = models.CharField(_("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申诉人")
    )
    decided_points = models.DecimalField(_("调整后得分"), null=True, blank=True, **POINTS)
    decision_reason = models.CharField(_("审核意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    scope_fields = {"unit": "unit", "region": "unit"}

    class Meta:
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        permissions = [("decide_appeal", _("审核考核申诉"))]
        ordering = ["-created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                condition=Q(status="submitted"),
                name="assessment_one_open_appeal_per_line",
                violation_error_message=_("该得分项已有待审核的申诉。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(decided_points__isnull=False),
                name="assessment_accepted_appeal_has_points",
            ),
        ]

    def __str__(self) -> str:
        return "%s · %s" % (self.unit, self.line.label)


class LeniencyCase(ChangeLoggedModel):
    """容错纠错: a matter, who, the circumstances weighed against the 区别开来 checklist, and the decision."""

    number = models.CharField(_("编号"), max_length=30, unique=True)
    matter = models.CharField(_("事项"), max_length=200)
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    person = models.CharField(_("当事人"), max_length=50, blank=True)
    circumstances = models.TextField(_("情况说明"), max_length=4000)
    criteria = models.JSONField(_("对照情形"), default=list, blank=True)  # keys of choices.CRITERIA
    decision = models.CharField(
        _("认定结果"), max_length=10, choices=CaseDecision.choices, default=CaseDecision.PENDING
    )
    reduce_percent = models.PositiveSmallIntegerField(
        _("减轻比例（%）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    decision_note = models.CharField(_("认定意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("认定人"),
    )
    decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    adjustments = models.ManyToManyField(Adjustment, blank=True, related_name="cases", verbose_name=_("涉及扣分"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    scope_fields = {"unit": "unit", "region": "unit"}

    class Meta:
        verbose_name = _("容错纠错案例")
        verbose_name_plural = _("容错纠错案例")
        permissions = [("decide_leniencycase", _("认定容错纠错"))]
        ordering = ["-created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="reduce") | Q(reduce_percent__isnull=False),
                name="assessment_reduce_has_percent",
                violation_error_message=_("减轻责任须填写减轻比例。"),
            ),
        ]

    def __str__(self) -> str:
        return "%s %s" % (self.number, self.matter)

    def get_absolute_url(self) -> str:
        return reverse("assessment:case", args=[self.pk])

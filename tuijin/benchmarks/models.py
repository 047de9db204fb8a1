"""对标对表: the peer regions the district compares itself with, the indicators compared, their published values
(by month or quarter, each with its source and publication date) and the district's targets. The district itself is
the region marked `is_self`; where the platform knows one of its values (固投 from approved reports, 开工 counts from
the facts layer) that value is computed (figures.py), otherwise the 统计局 enters or imports it."""

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel

from .choices import Frequency, IndicatorKind, PlatformSource

__all__ = ["Indicator", "IndicatorTarget", "IndicatorValue", "PeerRegion"]

VALUE: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class PeerRegion(ChangeLoggedModel):
    name = models.CharField(_("地区"), max_length=50, unique=True)
    group = models.CharField(_("分组/说明"), max_length=100, blank=True)
    is_self = models.BooleanField(_("本区"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("对标地区")
        verbose_name_plural = _("对标地区")
        ordering = ["-is_self", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_self"],
                condition=Q(is_self=True),
                name="benchmarks_one_self_region",
                violation_error_message=_("只能有一个地区标为本区。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(ChangeLoggedModel):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("指标"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=IndicatorKind.choices)
    frequency = models.CharField(_("频率"), max_length=10, choices=Frequency.choices, default=Frequency.MONTH)
    higher_is_better = models.BooleanField(_("越高越好"), default=True)
    platform_source = models.CharField(
        _("本区数据来源"), max_length=30, choices=PlatformSource.choices, blank=True, default=PlatformSource.NONE
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    note = models.CharField(_("口径说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("对标指标")
        verbose_name_plural = _("对标指标")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("benchmarks:indicator", args=[self.pk])


class IndicatorValue(ChangeLoggedModel):
    """A published (cumulative) value: 1–12月 for monthly indicators, 3/6/9/12 for quarterly ones."""

    region = models.ForeignKey(PeerRegion, on_delete=models.CASCADE, related_name="values", verbose_name=_("地区"))
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("指标"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("截至月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    value = models.DecimalField(_("数值"), **VALUE)
    source = models.CharField(_("来源"), max_length=200)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("指标数值")
        verbose_name_plural = _("指标数值")
        ordering = ["indicator", "region", "-year", "-month"]
        permissions = [
            ("import_indicatorvalue", _("导入对标指标数值")),
            ("export_indicatorvalue", _("导出对标表")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "indicator", "year", "month"],
                name="benchmarks_value_unique",
                violation_error_message=_("该地区该指标该期已有数值。"),
            ),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="benchmarks_value_month_1_12"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.indicator} {self.year}-{self.month:02d}"

    def changelog_parent(self):
        return self.indicator


class IndicatorTarget(ChangeLoggedModel):
    """The district's own target for an indicator in a year (e.g. 固投增速 8%, 二产占比 32%)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("指标"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    value = models.DecimalField(_("目标值"), **VALUE)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("本区目标")
        verbose_name_plural = _("本区目标")
        ordering = ["indicator", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                name="benchmarks_target_unique",
                violation_error_message=_("该指标该年已有目标。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}"

    def changelog_parent(self):
        return self.indicator

"""The maintained per-project-per-month facts every figure is read from (docs/figures.md).

One row per project and month of every year the project is in play (it has an annual plan or reports that year,
or it is active this year). The row holds the figures *as of the month's end*, computed by `rules.project_months`
from the project, its annual plans and its reports; `maintain` rewrites a project's rows in the same transaction
as any write to those sources, and `tuijin rebuild_facts` recomputes every row from scratch.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import BaseModel

__all__ = ["MONTH_FIELDS", "ProjectMonth"]

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
MONTH_FIELDS = tuple(f"m{month:02d}" for month in range(1, 13))  # the year's month-by-month amounts on every row


class ProjectMonth(BaseModel):
    # No database constraint: the rows are derived and rewritten by `maintain`, which also removes a deleted
    # project's rows; readers always join the project.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.DO_NOTHING, db_constraint=False, related_name="facts"
    )
    period = models.DateField(_("月份"))
    # The project's record as the dashboard groups and lists it (copied: the rows are rewritten on every project save),
    # so a month's figures are read without joining the projects table.
    name = models.CharField(_("项目名称"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    domain = models.CharField(_("投资领域"), max_length=20, blank=True)
    chain = models.ForeignKey(
        "projects.IndustryChain", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    total_investment = models.DecimalField(_("总投资（万元）"), null=True, **MONEY)  # None = 未填
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("年度类别"), max_length=30, blank=True)

    # 年度计划
    in_list = models.BooleanField(_("列入年度计划"), default=False)
    plan_current = models.DecimalField(_("当前年度计划（万元）"), null=True, **MONEY)
    plan_baseline = models.DecimalField(_("基线年度计划（万元）"), null=True, **MONEY)
    plan = models.DecimalField(_("考核年度计划（万元）"), null=True, **MONEY)
    plan_to_date = models.DecimalField(_("序时计划（万元）"), null=True, **MONEY)
    plan_by_month = models.BooleanField(_("按月度计划"), default=False)  # plan_to_date sums the monthly plan
    start_quarter = models.PositiveSmallIntegerField(_("计划开工季度"), null=True)

    # 月报 (counted = submitted, unit-approved or office-approved)
    expected = models.BooleanField(_("应报"), default=False)
    reported = models.BooleanField(_("已报"), default=False)
    report_status = models.CharField(_("月报状态"), max_length=20, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True)
    migrated = models.BooleanField(_("历史数据"), default=False)  # the month's report was imported as 历史数据
    month_investment = models.DecimalField(_("当月完成（万元）"), default=0, **MONEY)
    ytd = models.DecimalField(_("年初至今完成（万元）"), default=0, **MONEY)
    q1 = models.DecimalField(_("一季度完成（万元）"), default=0, **MONEY)
    h1 = models.DecimalField(_("上半年完成（万元）"), default=0, **MONEY)
    cumulative = models.DecimalField(_("累计完成（万元）"), default=0, **MONEY)
    invested_months = models.PositiveSmallIntegerField(_("本年有投资的月数"), default=0)
    idle_months = models.PositiveSmallIntegerField(_("连续无投资月数"), default=0)

    # 当年各月完成（万元）: month k's counted investment for k up to this row's month, 0 after it — so one month's
    # rows sum to the year's month-by-month trend without reading the other months' rows.
    m01 = models.DecimalField(_("1月完成（万元）"), default=0, **MONEY)
    m02 = models.DecimalField(_("2月完成（万元）"), default=0, **MONEY)
    m03 = models.DecimalField(_("3月完成（万元）"), default=0, **MONEY)
    m04 = models.DecimalField(_("4月完成（万元）"), default=0, **MONEY)
    m05 = models.DecimalField(_("5月完成（万元）"), default=0, **MONEY)
    m06 = models.DecimalField(_("6月完成（万元）"), default=0, **MONEY)
    m07 = models.DecimalField(_("7月完成（万元）"), default=0, **MONEY)
    m08 = models.DecimalField(_("8月完成（万元）"), default=0, **MONEY)
    m09 = models.DecimalField(_("9月完成（万元）"), default=0, **MONEY)
    m10 = models.DecimalField(_("10月完成（万元）"), default=0, **MONEY)
    m11 = models.DecimalField(_("11月完成（万元）"), default=0, **MONEY)
    m12 = models.DecimalField(_("12月完成（万元）"), default=0, **MONEY)

    # 开工
    started = models.BooleanField(_("已开工"), default=False)
    start_date = models.DateField(_("开工日期"), null=True)
    start_source = models.CharField(_("开工依据"), max_length=10, blank=True)  # actual | report
    planned_new = models.BooleanField(_("计划新开工"), default=False)
    unplanned_new = models.BooleanField(_("计划外开工项目"), default=False)
    start_due = models.BooleanField(_("应已开工"), default=False)
    late = models.BooleanField(_("逾期未开工"), default=False)
    early = models.BooleanField(_("提前开工"), default=False)
    q1_planned = models.BooleanField(_("一季度计划开工"), default=False)
    q1_started = models.BooleanField(_("一季度已开工"), default=False)
    resumed = models.BooleanField(_("续建已复工"), default=False)

    # 竣工 / 投产 / 纳统
    completing = models.BooleanField(_("计划当年竣工"), default=False)
    finished = models.BooleanField(_("已竣工"), default=False)
    early_completed = models.BooleanField(_("提前竣工"), default=False)
    operating = models.BooleanField(_("已投产"), default=False)
    stats_counted = models.BooleanField(_("已纳统"), default=False)

    # The project's levels (省/市/区重点…) as sorted ids "1,3" ("" = 未定级): grouped on without a join.
    levels = models.CharField(_("项目级别"), max_length=200, blank=True)
    # The month's warning light in effect (the worst colour among the project's lights, manual overrides applied;
    # "" = no light). Not a rule of this layer: written by the lights engine (tuijin.dispatch.warnings) whenever it
    # evaluates, kept when `maintain` rewrites the row, and ignored by `diff`.
    light = models.CharField(_("亮灯"), max_length=10, blank=True)

    scope_fields = {  # the responsible unit is on the row (`unit`): a region or unit scope needs no project join
        "unit": "unit",
        "region": "unit",
        "enterprise": "project__owner_enterprise",
        "sponsor": "project__sponsors",
    }
    scope_through = ("project", "projects.Project")

    class Meta:
        verbose_name = _("项目月度统计")
        verbose_name_plural = _("项目月度统计")
        ordering = ["period", "project_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="facts_unique_project_period"),
            models.CheckConstraint(
                condition=models.Q(reported=False) | models.Q(expected=True), name="facts_reported_expected"
            ),
        ]
        indexes = [models.Index(fields=["period", "in_list"], name="facts_period_list_idx")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.period:%Y-%m}"

"""Reads for projects: list/detail querysets with bounded queries, columns, totals."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, Sum
from django.utils.translation import gettext_lazy as _

from tuijin.core.figures_cache import cached_aggregate

from .filtersets import current_year
from .models import AnnualPlan, ApprovalItem, ProjectEvent, ProjectSpecialList

__all__ = [
    "COLUMNS",
    "Column",
    "PlanRow",
    "cached_project_totals",
    "chosen_columns",
    "draft_plans",
    "plan_rows",
    "project_detail_queryset",
    "project_list_queryset",
    "project_totals",
    "year_param",
    "year_param_post",
]


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy translation
    sort: str = ""
    numeric: bool = False
    default: bool = True


COLUMNS = [
    Column("code", _("项目代码"), "code"),
    Column("unit", _("责任单位"), "unit"),
    Column("locality", _("属地"), default=False),
    Column("sponsors", _("包联领导")),
    Column("stage", _("阶段")),
    Column("yearly", _("年度类别")),
    Column("levels", _("级别")),
    Column("chain", _("产业链"), default=False),
    Column("industry", _("行业"), default=False),
    Column("total", _("总投资（万元）"), "total", True),
    Column("plan", _("年度计划（万元）"), numeric=True),
    Column("start", _("实际开工"), "start", default=False),
    Column("ndl", _("拿地→施工许可（工作日）"), "ndl", True, default=False),
    Column("owner", _("项目业主"), default=False),
    Column("updated", _("更新时间"), "updated", default=False),
]
COLUMN_KEYS = {c.key for c in COLUMNS}


def year_param(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return current_year()
    return year if 2000 <= year <= 2100 else current_year()


def chosen_columns(request) -> list[Column]:
    """Columns from ?cols=a,b (remembered in the session), else the defaults."""
    raw = request.GET.get("cols")
    if raw is not None:
        keys = [k for k in raw.split(",") if k in COLUMN_KEYS]
        request.session["project_columns"] = keys
    else:
        keys = request.session.get("project_columns") or [c.key for c in COLUMNS if c.default]
    return [c for c in COLUMNS if c.key in keys]


def project_list_queryset(queryset, *, year: int):
    plans = AnnualPlan.objects.filter(year=year)
    return (
        queryset.with_yearly_category(year)
        .select_related("responsible_unit", "locality", "chain", "industry")
        .prefetch_related("levels", "sponsors", Prefetch("annual_plans", queryset=plans, to_attr="year_plans"))
    )


def project_detail_queryset(queryset):
    return queryset.select_related(
        "responsible_unit__region", "locality", "chain", "industry__parent", "owner_enterprise"
    ).prefetch_related(
        "levels",
        "sponsors",
        "funding_sources",
        Prefetch("special_list_entries", queryset=ProjectSpecialList.objects.select_related("special_list")),
        Prefetch("annual_plans", queryset=AnnualPlan.objects.select_related("baseline_approved_by")),
        Prefetch(
            "approval_items", queryset=ApprovalItem.objects.select_related("item_type", "department", "attachment")
        ),
        "attachments",
        Prefetch("events", queryset=ProjectEvent.objects.select_related("actor")),
    )


@dataclass(frozen=True)
class PlanRow:
    """An annual plan with what it changed from its approved baseline (None before approval)."""

    plan: Any
    change: Decimal | None

    @property
    def change_rate(self) -> Decimal | None:
        """The change in % of the baseline."""
        baseline = self.plan.baseline_investment
        if self.change is None or not baseline:
            return None
        return (self.change * 100 / baseline).quantize(Decimal("0.01"))


def plan_rows(plans) -> list[PlanRow]:
    """Plan vs baseline for the project page, from the already-fetched plans (no query of its own)."""
    rows = []
    for plan in plans:
        baseline = plan.baseline_investment
        rows.append(PlanRow(plan, None if baseline is None else plan.planned_investment - baseline))
    return rows


def project_totals(queryset) -> dict:
    """Count and total investment of the filtered list (one aggregate query): `total` sums the known totals only,
    `missing` counts the projects whose 总投资 is 未填 (None), which the list's totals line names ("另有 2 个项目未填
    总投资") — the same rule as the dashboard's figure `total_missing`."""
    result = queryset.order_by().aggregate(
        count=Count("pk"),
        total=Sum("total_investment"),
        missing=Count("pk", filter=Q(total_investment__isnull=True)),
    )
    return {"count": result["count"], "total": result["total"] or Decimal("0"), "missing": result["missing"] or 0}


def cached_project_totals(queryset) -> dict:
    """`project_totals` through the figures cache, keyed by the filtered list's SQL: any committed project write (the
    services always save the Project row) makes it stale. At 100,000 projects this saves the list's only full scan."""
    empty = {"count": 0, "total": Decimal("0"), "missing": 0}
    return cached_aggregate("project_totals", queryset, project_totals, empty)


def fast_track_calendar_warnings(project) -> list[str]:
    """Warnings for 拿地即开工 day counts that fall in years whose official holidays are not known yet."""
    if not project.is_fast_track or not project.land_deal_date:
        return []
    from django.utils import timezone

    from tuijin.workdays.services import fallback_warning, uncovered_years

    end = project.actual_start or timezone.localdate()
    return [fallback_warning(year) for year in uncovered_years(project.land_deal_date, end)]


def year_param_post(request) -> int:
    """The year of a POSTed form (same bounds as `year_param`)."""
    raw = request.POST.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else current_year()


def draft_plans(user, year: int, pks=None):
    """The draft plans of `year` the user may approve, with project and unit (one query)."""
    from .choices import PlanStatus

    queryset = (
        AnnualPlan.objects.restrict(user, "approve")
        .filter(year=year, status=PlanStatus.DRAFT)
        .select_related("project__responsible_unit")
        .order_by("project__responsible_unit__name", "project__code", "project__name", "pk")
    )
    return queryset.filter(pk__in=pks) if pks is not None else queryset

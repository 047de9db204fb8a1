"""Reads for the OC4IDS export: the coded projects (from the 项目库) and their reported months (from the facts
layer, `facts.ProjectMonth`: the platform's one definition of each figure — nothing is recomputed here)."""

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tuijin.facts.models import ProjectMonth

from .models import PublicationSettings
from .oc4ids import MonthFigures, build_package, build_project

__all__ = [
    "MONTH_FIELDS",
    "coded_projects",
    "months_by_project",
    "package",
    "publisher_name",
    "uncoded_count",
]

MONTH_FIELDS = frozenset({"month_investment", "cumulative_investment"})


def coded_projects(queryset: QuerySet) -> QuerySet:
    """The projects that have a 项目代码 (an OC4IDS identifier needs one), with what the mapping reads."""
    return (
        queryset.exclude(code__isnull=True)
        .exclude(code="")
        .select_related("responsible_unit__region", "locality__region", "industry__parent")
        .order_by("code")
    )


def uncoded_count(queryset: QuerySet) -> int:
    """How many of the projects cannot be published because they have no 项目代码 yet."""
    return queryset.filter(code__isnull=True).count() + queryset.filter(code="").count()


def months_by_project(project_ids: Iterable[int]) -> dict[int, list[MonthFigures]]:
    """Each project's reported months (a counted report: `ProjectMonth.reported`), oldest first."""
    found: dict[int, list[MonthFigures]] = defaultdict(list)
    rows = (
        ProjectMonth.objects.filter(project_id__in=list(project_ids), reported=True)
        .order_by("project_id", "period")
        .values_list("project_id", "period", "month_investment", "cumulative")
    )
    for project_id, period, month_investment, cumulative in rows.iterator():
        found[project_id].append(MonthFigures(period, month_investment, cumulative))
    return found


def publisher_name(row: PublicationSettings) -> str:
    return row.publisher_name.strip() or _("重点项目推进平台")


def package(queryset: QuerySet, *, uri: str, row: PublicationSettings | None = None) -> dict:
    """The OC4IDS project package of the coded projects in `queryset` (already restricted by the caller)."""
    row = row or PublicationSettings.current()
    public = row.public
    projects = list(coded_projects(queryset))
    months = months_by_project(p.pk for p in projects) if public & MONTH_FIELDS else {}
    prefix = settings.TUIJIN_OC4IDS_PREFIX
    return build_package(
        (build_project(p, prefix=prefix, public=public, months=months.get(p.pk, ())) for p in projects),
        uri=uri,
        publisher_name=publisher_name(row),
        publisher_uri=row.publisher_uri,
        license=row.license,
    )

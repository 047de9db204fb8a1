"""招商驾驶舱 (`investment:dashboard`, permission investment.view_lead): the figures of `kpis.kpi_summary` for the
user's leads (restrict(user, "view")) in a year, optionally narrowed to months. Every number links to the lead list
filtered to exactly the leads behind it (`?kpi=…&year=…&months=…` plus the breakdown's filter).

Thin: the period from the query string, the summary, the chart data (fed to the page with json_script and drawn by
the static investment_dashboard.js with the vendored ECharts, as the 驾驶舱 does).
"""

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from tuijin.core.views_generic import ScopedViewMixin

from .kpis import Group, KpiPeriod, KpiSummary, kpi_summary, parse_period
from .models import Lead

__all__ = ["KpiDashboardView", "dashboard_charts", "period_from_request"]

TENK = Decimal(10000)


def period_from_request(request) -> KpiPeriod:
    """?year= (default this year, Asia/Shanghai) and ?from=&to= months, or ?months=a-b."""
    months = request.GET.get("months", "")
    first, last = request.GET.get("from", ""), request.GET.get("to", "")
    if first or last:
        months = f"{first or 1}-{last or 12}"
    return parse_period(request.GET.get("year"), months)


def _yi(value: Decimal | None) -> float | None:
    # chart values only (display): the sums themselves stay Decimal
    return None if value is None else float((value / TENK).quantize(Decimal("0.01")))


def _series(groups: list[Group], link: str) -> list[dict[str, Any]]:
    return [
        {"name": g.label, "value": g.count, "amount": _yi(g.amount), "url": f"{link}?{g.count_query}"} for g in groups
    ]


def dashboard_charts(summary: KpiSummary) -> dict[str, Any]:
    """The chart data (counts, 亿元) for the page's charts, each point with its drill-down URL."""
    link = reverse("investment:lead_list")
    return {
        "months": _series(summary.by_month, link),
        "bands": [row for row in _series(summary.by_band, link) if row["value"] or row["amount"]],
        "chains": _series(summary.by_chain, link),
        "funnel": [{"name": s["label"], "value": s["count"], "url": f"{link}?{s['query']}"} for s in summary.funnel],
        "labels": {"count": _("签约项目数"), "amount": _("签约金额（亿元）"), "unit_yi": _("亿元"), "unit_n": _("个")},
    }


class KpiDashboardView(ScopedViewMixin, TemplateView):
    """招商驾驶舱 (403 without investment.view_lead; the figures cover the user's leads only)."""

    queryset = Lead.objects.all()
    action = "view"
    template_name = "investment/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = period_from_request(self.request)
        summary = kpi_summary(self.queryset, period)
        this_year = timezone.localdate().year
        context.update(
            s=summary,
            period=period,
            years=sorted({*range(this_year, this_year - 6, -1), period.year}, reverse=True),
            month_choices=range(1, 13),
            lead_list=reverse("investment:lead_list"),
            charts=dashboard_charts(summary),
        )
        return context

"""The facts the report anomaly rules read (`tuijin/progress/anomalies.py`): registered into progress at start-up
(`FactsConfig.ready()`), since progress sits below facts in the import layers. Every figure here is a column of
`ProjectMonth`, never computed anew."""

from datetime import date
from decimal import Decimal

from tuijin.core.periods import month_start
from tuijin.progress.anomalies import MonthFigures
from tuijin.progress.choices import COUNTED_STATUSES

from .models import ProjectMonth

__all__ = ["ProjectMonthReader"]


class ProjectMonthReader:
    def month(self, project_id: int, period: date) -> MonthFigures | None:
        """The month's 累计完成 and the project's 总投资 (None when 未填)."""
        row = (
            ProjectMonth.objects.filter(project_id=project_id, period=month_start(period))
            .values("cumulative", "total_investment")
            .first()
        )
        return MonthFigures(row["cumulative"], row["total_investment"]) if row else None

    def history(self, project_id: int, before: date, limit: int) -> list[Decimal]:
        """当月完成 of the project's latest `limit` months before `before` that have a counted report."""
        return list(
            ProjectMonth.objects.filter(
                project_id=project_id, period__lt=month_start(before), report_status__in=COUNTED_STATUSES
            )
            .order_by("-period")
            .values_list("month_investment", flat=True)[:limit]
        )

    def same_amount(self, unit_id: int, period: date, amount: Decimal) -> list[int]:
        """The projects of the responsible unit whose counted report of the month has 当月完成 = `amount`."""
        return list(
            ProjectMonth.objects.filter(
                unit_id=unit_id,
                period=month_start(period),
                report_status__in=COUNTED_STATUSES,
                month_investment=amount,
            )
            .order_by("project_id")
            .values_list("project_id", flat=True)
        )

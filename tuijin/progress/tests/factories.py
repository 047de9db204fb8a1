from datetime import date
from decimal import Decimal

from tuijin.progress.models import ProgressReport

__all__ = ["make_report"]


def make_report(project, period: date, amount="100.00", status="draft", **fields) -> ProgressReport:
    amount = Decimal(amount)
    return ProgressReport.objects.create(
        project=project, period=period, status=status, month_investment=amount, construction_install=amount, **fields
    )

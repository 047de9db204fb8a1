"""数据异常 pages: the warnings a reporter sees on submitting, and the per-unit counts for the 项目办 (each count a
link to exactly the flagged reports it counts). The rules are in `anomalies.py`."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from tuijin.core.periods import parse_month
from tuijin.core.permissions import require

from .anomalies import anomaly_counts, anomaly_reports
from .choices import AnomalyCode
from .models import ProgressReport
from .services import period_for_reporting

__all__ = ["anomalies_page", "anomalies_warn"]


def anomalies_warn(request, report: ProgressReport) -> None:
    """Tell the reporter, after a successful submission, what the reviewer will see flagged (never blocking)."""
    for flag in report.anomalies.all():
        messages.warning(
            request,
            _(
                "数据异常提示（%(kind)s）：%(reason)s 月报已提交，审核人会看到此提示；"
                "如数据无误可不处理，如有误请联系审核人退回后修改。"
            )
            % {"kind": flag.get_code_display(), "reason": flag.reason},
        )


@login_required
def anomalies_page(request):
    """/progress/anomalies/?period=YYYY-MM[&unit=…][&code=…]: counts per unit and kind, and the flagged reports of a
    chosen cell (the user's view scope)."""
    require(request, "view", ProgressReport)
    try:
        period = parse_month(request.GET.get("period"))
    except ValueError:
        period = period_for_reporting()
    rows = anomaly_counts(request.user, period)
    flags = anomaly_reports(request.user, period).select_related("report__project__responsible_unit")
    unit, code = request.GET.get("unit", ""), request.GET.get("code", "")
    if unit.isdigit():
        flags = flags.filter(report__project__responsible_unit_id=int(unit))
    if code in AnomalyCode.values:
        flags = flags.filter(code=code)
    base = {"period": f"{period:%Y-%m}"}
    codes = AnomalyCode.values
    table = [
        {
            "unit_id": row.unit_id,
            "unit_name": row.unit_name,
            "reports": row.reports,
            "link": "?" + urlencode({**base, "unit": row.unit_id}),
            "cells": [(c, row.counts[c], "?" + urlencode({**base, "unit": row.unit_id, "code": c})) for c in codes],
        }
        for row in rows
    ]
    totals = [sum(r.counts[c] for r in rows) for c in codes]
    return render(
        request,
        "progress/anomalies.html",
        {
            "period": period,
            "rows": table,
            "kinds": [(c, AnomalyCode(c).label) for c in AnomalyCode.values],
            "totals": totals,
            "total": sum(totals),
            "flags": flags.order_by("report__project__responsible_unit__name", "report__project__name", "code")[:500],
            "filtered": bool(unit or code),
            "unit": unit,
            "code": code,
        },
    )

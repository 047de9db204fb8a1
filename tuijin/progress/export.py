"""XLSX export of a month's report table (real numbers; text neutralised against formula injection)."""

import io
from datetime import date

from openpyxl import Workbook

from tuijin.utilities.excel import neutralize

from .services import report_figures_bulk

__all__ = ["reports_xlsx"]

HEADERS = [
    "项目名称",
    "项目代码",
    "责任单位",
    "报告期",
    "状态",
    "当月完成投资（万元）",
    "建筑安装工程",
    "设备购置",
    "其他费用",
    "当月到位资金",
    "年初至今累计（万元）",
    "占年度计划%",
    "开工至今累计（万元）",
    "形象进度",
    "提交时间",
]


def reports_xlsx(queryset, period: date) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{period:%Y年%m月}月报")
    sheet.append(HEADERS)
    rows = list(
        queryset.select_related("project__responsible_unit").order_by(
            "project__responsible_unit__sort_order", "project__name"
        )
    )
    all_figures = report_figures_bulk(rows)
    for report in rows:
        figures = all_figures[report.pk]
        sheet.append(
            [
                neutralize(report.project.name),
                neutralize(report.project.code or ""),
                neutralize(report.project.responsible_unit.name),
                f"{report.period:%Y-%m}",
                str(report.get_status_display()),
                float(report.month_investment),
                float(report.construction_install),
                float(report.equipment),
                float(report.other_cost),
                float(report.funds_arrived),
                float(figures.ytd),
                float(round(figures.ytd_rate, 2)) if figures.ytd_rate is not None else None,
                float(figures.cumulative),
                neutralize(report.physical_progress),
                report.submitted_at.astimezone().replace(tzinfo=None) if report.submitted_at else None,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

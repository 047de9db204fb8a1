"""历史数据导入: a project office loads a district's past projects, annual plans and monthly reports from three
Excel files, in that order, each one validated in full, previewed, then written in ONE transaction.

Every file becomes an `ImportJob(kind=…, historical=True, created_by=…)`: it keeps the file, who uploaded it and
when, the errors found, and the outcome. Every record the confirmed import creates or changes carries
`migration_job` = that job, which is how the pages show 「历史数据」 with the importer and the time.

- 项目 (`kind="projects"`): the project import's own reader and writer (`projects.excel.parse_workbook` /
  `apply_import`): the projects are ordinary live projects afterwards, marked.
- 年度计划 (`kind="plans"`): the plan workbook (`projects.plan_excel`), written as drafts and approved as baselines
  at once by the importer (`annual_plan_approve`: status approved, baseline_* set, approver = importer, time = now);
  a plan already approved is never overwritten (listed as skipped with the reason).
- 月报 (`kind="reports"`): a workbook of several months (one row per project and month), read here with the same
  cell converters. Reports are created already office-approved (locked): office_reviewed_by/at = importer and the
  import time; submitted_by/at stay empty — the report was never submitted on the platform, and an import-time
  submission stamp would read as 逾期提交 for a past month. A report that already exists for the project and month is
  never overwritten: a real one (filed on the platform) and a migrated one that differs are listed as skipped with
  the reason. Reports are inserted in bulk; the facts of the touched projects are rebuilt once at the end, and the
  warning lights of the covered months are evaluated for them (the reporting rule skips migrated reports).

Permissions: `projects.import_project`, `projects.approve_annualplan` and `progress.officeapprove_progressreport`
(the 项目办). Rows name projects in the importer's scope only; others are row errors.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.changelog import object_changes_bulk_record
from tuijin.core.choices import ChangeAction
from tuijin.core.exceptions import ApplicationError
from tuijin.core.figures_cache import figures_changed
from tuijin.core.periods import month_end, month_start, next_month
from tuijin.projects import excel as project_excel
from tuijin.projects import plan_excel
from tuijin.projects.choices import PlanStatus
from tuijin.projects.excel import CellError, _bool, _date, _decimal, _is_blank, _norm_header, _text, read_keyed_rows
from tuijin.projects.models import AnnualPlan, ImportJob, Project
from tuijin.projects.services import annual_plan_approve
from tuijin.utilities.excel import XLSX_TYPES, neutralize, workbook_bytes
from tuijin.utilities.uploads import check_upload

from . import sheet
from .choices import ReportEventType, ReportStatus
from .models import ProgressReport, ReportEvent, ReportProblem

__all__ = [
    "KINDS",
    "PERMISSIONS",
    "REPORT_COLUMNS",
    "HistoryCheck",
    "annotated_history_copy",
    "build_reports_template",
    "can_import_history",
    "history_apply",
    "history_check",
    "history_job_create",
    "history_template",
    "parse_history_reports",
]

PERMISSIONS = ("projects.import_project", "projects.approve_annualplan", "progress.officeapprove_progressreport")
KINDS = {
    "projects": gettext_lazy("项目"),
    "plans": gettext_lazy("年度计划"),
    "reports": gettext_lazy("月报"),
}
REPORT_SHEET = "历史月报"
REPORT_MAX_ROWS = 20000
REPORT_COLUMNS = [
    sheet.H_CODE,
    sheet.H_NAME,
    sheet.H_UNIT,
    sheet.H_PERIOD,
    sheet.H_MONTH,
    sheet.H_CI,
    sheet.H_EQ,
    sheet.H_OTHER,
    sheet.H_FUNDS,
    sheet.H_STARTED,
    sheet.H_START_DATE,
    sheet.H_PROGRESS,
    sheet.H_PROBLEMS,
]
REPORT_REQUIRED = [sheet.H_CODE, sheet.H_NAME, sheet.H_PERIOD, sheet.H_MONTH]
REPORT_HEADER_INDEX = {_norm_header(h): h for h in REPORT_COLUMNS}
REPORT_MONEY = {
    sheet.H_MONTH: "month_investment",
    sheet.H_CI: "construction_install",
    sheet.H_EQ: "equipment",
    sheet.H_OTHER: "other_cost",
    sheet.H_FUNDS: "funds_arrived",
}
TEMPLATE_MAX_MONTHS = 24
PROBLEM_CATEGORY = "其他"
ZERO = Decimal("0")


def can_import_history(user) -> bool:
    return bool(user and user.is_authenticated and all(user.has_perm(p) for p in PERMISSIONS))


def _check_actor(actor) -> None:
    if not can_import_history(actor):
        raise PermissionDenied(_("您没有导入历史数据的权限（须为项目办）。"))


def _wan(value: Decimal) -> str:
    return f"{Decimal(value or 0).quantize(Decimal('0.01')):,}"


# ---------------------------------------------------------------------------------------------------------------
# The reports file: several months, one row per project and month
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    row: int
    project: Project
    period: date
    values: dict[str, Any]
    problems: list[str]
    action: str = "create"  # create / unchanged / skipped
    reason: str = ""


@dataclass
class ReportsCheck:
    rows: list[ReportRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    total_rows: int = 0
    blank_rows: int = 0  # rows of the template left without any figure: nothing to import
    fatal: str = ""

    def add_error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": str(message)})


KEY_COLUMNS = {sheet.H_CODE, sheet.H_NAME, sheet.H_UNIT, sheet.H_PERIOD}


def _period(value: Any) -> date:
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    match = project_excel.MONTH_RE.match(_text(value))
    if match and 1 <= int(match.group(2)) <= 12:
        return date(int(match.group(1)), int(match.group(2)), 1)
    raise CellError(_("“%(v)s”不是有效报告期，应为“YYYY-MM”（如 2026-03）。") % {"v": _text(value)})


def _same(report: ProgressReport, values: dict[str, Any]) -> bool:
    return all(getattr(report, key) == value for key, value in values.items())


def parse_history_reports(data: bytes, *, actor) -> ReportsCheck:
    """Validate every row of a historical reports workbook (several past months); writes nothing."""
    check = ReportsCheck()
    raw_rows = read_keyed_rows(
        data,
        check,
        sheet_name=REPORT_SHEET,
        header_index=REPORT_HEADER_INDEX,
        required=REPORT_REQUIRED,
        max_rows=REPORT_MAX_ROWS,
        kind=_("历史月报表"),
        max_col=40,
    )
    if raw_rows is None:
        return check
    check.total_rows = len(raw_rows)
    projects = project_excel.ProjectFinder(
        Project.objects.restrict(actor, "view").select_related("responsible_unit"),
        not_found_code=gettext_lazy("项目代码“%(c)s”不存在或不在您的管理范围内（请先导入项目）。"),
        not_found_name=gettext_lazy("项目“%(n)s”不存在或不在您的管理范围内（请先导入项目）。"),
    )
    today = timezone.localdate()
    this_month = month_start(today)
    parsed: list[tuple[int, Project, date, dict[str, Any], list[str]]] = []
    seen: dict[tuple[int, date], int] = {}
    for number, cells in raw_rows:
        errors_before = len(check.errors)
        if all(_is_blank(value) for header, (value, _f) in cells.items() if header not in KEY_COLUMNS):
            check.blank_rows += 1  # a template row nobody filled in (a project without a report that month)
            continue

        def read(header: str, convert, number=number, cells=cells):
            value, formula = cells.get(header, (None, False))
            if formula:
                check.add_error(number, header, _("不能使用公式，请填写数值（可“选择性粘贴为数值”）。"))
                return None
            if _is_blank(value):
                return None
            try:
                return convert(value)
            except CellError as exc:
                check.add_error(number, header, str(exc))
                return None

        project = None
        code = read(sheet.H_CODE, _text) or ""
        name = read(sheet.H_NAME, _text) or ""
        try:
            project = projects.find(code, name)
        except CellError as exc:
            check.add_error(number, sheet.H_CODE if code else sheet.H_NAME, str(exc))
        period = read(sheet.H_PERIOD, _period)
        if period is None and not any(e["row"] == number and e["column"] == sheet.H_PERIOD for e in check.errors):
            check.add_error(number, sheet.H_PERIOD, _("请填写报告期（YYYY-MM）。"))
        elif period is not None and period >= this_month:
            check.add_error(
                number, sheet.H_PERIOD, _("历史数据只能是已过去的月份（%(p)s 尚未结束）。") % {"p": f"{period:%Y-%m}"}
            )
            period = None
        elif period is not None and period.year < 2000:
            check.add_error(number, sheet.H_PERIOD, _("报告期不能早于2000年。"))
            period = None
        money = {name_: read(header, lambda v: _decimal(v, places=2)) for header, name_ in REPORT_MONEY.items()}
        if money["month_investment"] is None and not any(
            e["row"] == number and e["column"] == sheet.H_MONTH for e in check.errors
        ):
            check.add_error(number, sheet.H_MONTH, _("必填：当月完成投资（没有投资填0）。"))
        started = read(sheet.H_STARTED, _bool)
        started_on = read(sheet.H_START_DATE, _date)
        progress = read(sheet.H_PROGRESS, _text) or ""
        problems_text = read(sheet.H_PROBLEMS, _text) or ""
        if len(check.errors) > errors_before or project is None or period is None:
            continue
        values: dict[str, Any] = {key: (value if value is not None else ZERO) for key, value in money.items()}
        parts = values["construction_install"] + values["equipment"] + values["other_cost"]
        if parts != values["month_investment"]:
            check.add_error(
                number,
                sheet.H_MONTH,
                _(
                    "投资构成合计 %(sum)s 万元（建筑安装工程、设备购置、其他费用，留空按0计），"
                    "应等于当月完成投资 %(total)s 万元。"
                )
                % {"sum": _wan(parts), "total": _wan(values["month_investment"])},
            )
        if started is None:  # blank: started when the project's recorded actual start lies within the month
            started = project.actual_start is not None and project.actual_start <= month_end(period)
        if started and started_on is None and project.actual_start is None:
            check.add_error(number, sheet.H_START_DATE, _("已开工的项目须填写开工日期。"))
        if started_on is not None and started_on > month_end(period):
            check.add_error(
                number,
                sheet.H_START_DATE,
                _("开工日期 %(d)s 晚于报告期 %(p)s。") % {"d": f"{started_on:%Y-%m-%d}", "p": f"{period:%Y-%m}"},
            )
        if started_on is not None and not started:
            check.add_error(number, sheet.H_STARTED, _("填写了开工日期时，已开工应为“是”。"))
        if len(progress) > 5000:
            check.add_error(number, sheet.H_PROGRESS, _("形象进度最多5000字。"))
        if len(check.errors) > errors_before:
            continue
        values.update(is_started=bool(started), started_on=started_on, physical_progress=progress)
        key = (project.pk, period)
        if key in seen:
            check.add_error(
                number,
                sheet.H_PERIOD,
                _("与第 %(r)d 行是同一项目同一月份，每个项目每月只能填一行。") % {"r": seen[key]},
            )
            continue
        seen[key] = number
        problems = [line.strip() for line in problems_text.splitlines() if line.strip()]
        parsed.append((number, project, period, values, problems))
    existing: dict[tuple[int, date], ProgressReport] = {}
    ids = sorted({p.pk for _n, p, *_r in parsed})
    for start in range(0, len(ids), 500):
        for report in ProgressReport.objects.filter(project_id__in=ids[start : start + 500]).select_related(
            "migration_job__created_by"
        ):
            existing[(report.project_id, report.period)] = report
    for number, project, period, values, problems in parsed:
        row = ReportRow(number, project, period, values, problems)
        current = existing.get((project.pk, period))
        if current is not None:
            if current.is_migrated:
                job = current.migration_job
                assert job is not None  # is_migrated
                if _same(current, values):
                    row.action = "unchanged"
                    row.reason = _("已作为历史数据导入，内容一致。")
                else:
                    row.action = "skipped"
                    row.reason = _(
                        "该月月报已于 %(t)s 由 %(u)s 作为历史数据导入，内容不同，未覆盖；如需修改请走更正流程。"
                    ) % {"t": f"{timezone.localtime(job.created):%Y-%m-%d %H:%M}", "u": _user_name(job.created_by)}
            else:
                row.action = "skipped"
                row.reason = _("该月已有在平台填报的月报（状态：%(s)s），历史数据不覆盖。") % {
                    "s": current.get_status_display()
                }
        check.rows.append(row)
    order = {h: i for i, h in enumerate(REPORT_COLUMNS)}
    check.errors.sort(key=lambda e: (e["row"], order.get(e["column"], len(order))))
    return check


def _user_name(user) -> str:
    return (getattr(user, "display_name", "") or user.get_username()) if user is not None else _("系统")


def build_reports_template(*, actor, first: date, last: date) -> bytes:
    """The historical reports workbook: one row per project in scope and month from `first` to `last`, the
    projects' key columns filled in, the figures blank."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    first, last = month_start(first), month_start(last)
    months: list[date] = []
    current = first
    while current <= last and len(months) < TEMPLATE_MAX_MONTHS:
        months.append(current)
        current = next_month(current)
    projects = list(
        Project.objects.restrict(actor, "view")
        .select_related("responsible_unit")
        .order_by("responsible_unit__sort_order", "responsible_unit__name", "name", "pk")
    )
    book = Workbook()
    ws = book.active
    ws.title = REPORT_SHEET
    notes = {
        sheet.H_CODE: _("按项目代码匹配项目（无代码的项目按名称匹配）。项目须已导入。"),
        sheet.H_NAME: _("与项目代码同时填写时须一致。"),
        sheet.H_UNIT: _("仅供参考，导入时忽略。"),
        sheet.H_PERIOD: _("报告期（年-月），如 2026-03；只能是已过去的月份。一个文件可含多个月份。"),
        sheet.H_MONTH: _("必填，万元，不小于0，最多2位小数；须等于投资构成三项之和（留空的项按0计）。"),
        sheet.H_CI: _("万元，留空按0计。"),
        sheet.H_EQ: _("万元，留空按0计。"),
        sheet.H_OTHER: _("万元，留空按0计。"),
        sheet.H_FUNDS: _("万元，留空按0计。"),
        sheet.H_STARTED: _("是/否；留空时按项目的实际开工日期判断。"),
        sheet.H_START_DATE: _("已开工且项目未录实际开工日期时必填，YYYY-MM-DD，不能晚于报告期。"),
        sheet.H_PROGRESS: _("该月形象进度。"),
        sheet.H_PROBLEMS: _("可选，每行一个问题。"),
    }
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, header in enumerate(REPORT_COLUMNS, start=1):
        cell = ws.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True, color="C00000" if header in REPORT_REQUIRED else "000000")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(str(notes[header]), project_excel.ANNOTATION_AUTHOR, width=280, height=100)
        ws.column_dimensions[get_column_letter(index)].width = sheet.WIDTHS.get(header, 13)
    row = 2
    for project in projects:
        for period in months:
            values = {
                sheet.H_CODE: neutralize(project.code or ""),
                sheet.H_NAME: neutralize(project.name),
                sheet.H_UNIT: neutralize(project.responsible_unit.name),
                sheet.H_PERIOD: f"{period:%Y-%m}",
            }
            for col, header in enumerate(REPORT_COLUMNS, start=1):
                cell = ws.cell(row=row, column=col, value=values.get(header) or None)
                if header in REPORT_MONEY:
                    cell.number_format = project_excel.MONEY_FORMAT
                elif header == sheet.H_START_DATE:
                    cell.number_format = "yyyy-mm-dd"
                elif header in (sheet.H_CODE, sheet.H_NAME, sheet.H_PERIOD):
                    cell.number_format = "@"
            row += 1
    last_row = max(row - 1, 2) + 1000
    money = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("输入值无效"),
        error=_("请填写不小于0的数字（万元，最多2位小数）。"),
    )
    for header in REPORT_MONEY:
        letter = get_column_letter(REPORT_COLUMNS.index(header) + 1)
        money.add(f"{letter}2:{letter}{last_row}")
    yes_no = DataValidation(type="list", formula1=f'"{_("是")},{_("否")}"', allow_blank=True, showErrorMessage=True)
    letter = get_column_letter(REPORT_COLUMNS.index(sheet.H_STARTED) + 1)
    yes_no.add(f"{letter}2:{letter}{last_row}")
    ws.add_data_validation(money)
    ws.add_data_validation(yes_no)
    ws.freeze_panes = "C2"
    info = book.create_sheet(sheet.SHEET_NOTES)
    info.column_dimensions["A"].width = 110
    lines = [
        _("历史月报：每行一个项目一个月份，一个文件可包含多个月份、多个单位。"),
        _("1. 项目须已存在（先完成第1步“项目”导入）；按项目代码匹配，无代码的按项目名称匹配。"),
        _("2. 报告期只能是已过去的月份；同一项目同一月份只能有一行。"),
        _("3. 当月完成投资必填，须等于建筑安装工程、设备购置、其他费用三项之和（留空的项按0计）。"),
        _("4. 导入的月报为“项目办审核通过（锁定）”并标记为历史数据，不计逾期；导入后如需修改，由项目办走更正流程。"),
        _("5. 平台上已有的月报不会被覆盖，预览中列为“跳过”并说明原因。"),
        _(
            "6. 只有项目、报告期而未填任何数据的行不导入（该项目该月没有月报）。"
            "先校验全部行：有任何错误时不写入任何数据，并可下载标注了错误单元格的文件。"
        ),
        _("7. 不要使用公式，不要修改表头。"),
    ]
    info.cell(row=1, column=1, value=_("填写说明")).font = Font(bold=True, size=14)
    for number, line in enumerate(lines, start=2):
        info.cell(row=number, column=1, value=neutralize(str(line)))
    book.active = 0
    return workbook_bytes(book)


# ---------------------------------------------------------------------------------------------------------------
# One step: check a file (any kind) → preview
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class PreviewGroup:
    """One line of the preview: a year or month, a unit, how many records, their sum (万元)."""

    key: str
    unit: str
    count: int
    amount: Decimal | None = None
    blank: int = 0  # records without an amount (总投资 未填): left out of `amount`, shown as "另有 N 个未填"


@dataclass
class HistoryCheck:
    kind: str
    total_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    fatal: str = ""
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    blank_rows: int = 0
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (row, what, reason)
    groups: list[PreviewGroup] = field(default_factory=list)
    totals: list[PreviewGroup] = field(default_factory=list)  # per year / month, every unit
    report: Any = None  # the parsed report of the reader used

    @property
    def error_rows(self) -> int:
        return len({e["row"] for e in self.errors if e["row"] and e["row"] > 1})

    @property
    def can_apply(self) -> bool:
        return not self.fatal and not self.errors and self.to_create + self.to_update > 0

    def summary(self) -> str:
        if self.fatal:
            return self.fatal
        text = _("共 %(t)d 行：将新增 %(c)d 条，更新 %(u)d 条，与现有一致 %(n)d 条，跳过 %(s)d 条") % {
            "t": self.total_rows,
            "c": self.to_create,
            "u": self.to_update,
            "n": self.unchanged,
            "s": len(self.skipped),
        }
        if self.blank_rows:
            text += _("，未填写 %(b)d 行") % {"b": self.blank_rows}
        if self.errors:
            text += _("；%(r)d 行有错误（共 %(n)d 处），未导入任何数据") % {"r": self.error_rows, "n": len(self.errors)}
        return text + "。"


def _grouped(items: Sequence[tuple[str, str, Decimal | None]]) -> tuple[list[PreviewGroup], list[PreviewGroup]]:
    by: dict[tuple[str, str], PreviewGroup] = {}
    totals: dict[str, PreviewGroup] = {}
    for key, unit, amount in items:
        group = by.setdefault((key, unit), PreviewGroup(key, unit, 0, ZERO))
        total = totals.setdefault(key, PreviewGroup(key, "", 0, ZERO))
        for target in (group, total):
            target.count += 1
            if amount is None:
                target.blank += 1
            elif target.amount is not None:
                target.amount += amount
    return sorted(by.values(), key=lambda g: (g.key, g.unit)), sorted(totals.values(), key=lambda g: g.key)


def _check_projects(data: bytes, actor) -> HistoryCheck:
    report = project_excel.parse_workbook(data, actor=actor)
    check = HistoryCheck("projects", report.total_rows, list(report.errors), report.fatal, report=report)
    check.to_create, check.to_update, check.unchanged = report.to_create, report.to_update, report.unchanged
    items = []
    for row in report.rows:
        if row.unchanged:
            continue
        unit = row.data.fields.get("responsible_unit")
        total = row.data.fields.get("total_investment")
        items.append((str(_("新增")) if row.project_pk is None else str(_("更新")), str(unit or ""), total))
    check.groups, check.totals = _grouped(items)
    return check


def _check_plans(data: bytes, actor) -> HistoryCheck:
    report = plan_excel.parse_plan_workbook(data, actor=actor)
    check = HistoryCheck("plans", report.total_rows, list(report.errors), report.fatal, report=report)
    check.blank_rows = report.blank_rows
    items = []
    units = dict(
        Project.objects.filter(pk__in={row.project.pk for row in report.rows}).values_list(
            "pk", "responsible_unit__name"
        )
    )
    for row in report.rows:
        approved = row.plan is not None and row.plan.status != PlanStatus.DRAFT
        if approved:
            reason = (
                _("该年度计划已批准为基线，内容一致。")
                if row.action == "unchanged"
                else _("该年度计划已批准为基线，历史数据不覆盖；如需修改请在项目页“申请调整”。")
            )
            check.skipped.append((row.row, f"{row.project.name} {row.year}", str(reason)))
            continue
        if row.action == "create":
            check.to_create += 1
        else:  # a draft (changed or not): written and approved as the baseline
            check.to_update += 1
        items.append((str(row.year), units.get(row.project.pk, ""), row.planned_investment))
    check.groups, check.totals = _grouped(items)
    return check


def _check_reports(data: bytes, actor) -> HistoryCheck:
    report = parse_history_reports(data, actor=actor)
    check = HistoryCheck("reports", report.total_rows, list(report.errors), report.fatal, report=report)
    check.blank_rows = report.blank_rows
    items = []
    for row in report.rows:
        if row.action == "create":
            check.to_create += 1
            items.append((f"{row.period:%Y-%m}", row.project.responsible_unit.name, row.values["month_investment"]))
        elif row.action == "unchanged":
            check.unchanged += 1
        else:
            check.skipped.append((row.row, f"{row.project.name} {row.period:%Y-%m}", row.reason))
    check.groups, check.totals = _grouped(items)
    return check


CHECKERS = {"projects": _check_projects, "plans": _check_plans, "reports": _check_reports}


def history_check(*, actor, kind: str, data: bytes) -> HistoryCheck:
    """Validate a file of `kind` as `actor` would import it (every row, every cell) and preview it; writes nothing."""
    _check_actor(actor)
    if kind not in CHECKERS:
        raise ApplicationError(_("未知的导入内容。"), code="kind")
    return CHECKERS[kind](data, actor)


def history_job_create(*, actor, kind: str, uploaded) -> tuple[ImportJob, HistoryCheck]:
    """Check the upload (type, size), validate it, and keep it as a historical ImportJob ("validated") with its
    errors; a file refused as a whole raises ValidationError (nothing kept)."""
    _check_actor(actor)
    checked = check_upload(uploaded, XLSX_TYPES)
    result = history_check(actor=actor, kind=kind, data=checked.content)
    if result.fatal:
        details = [e["message"] for e in result.errors if e["message"] != result.fatal]
        raise ValidationError(" ".join([result.fatal, *details]), code="import_file")
    name = (getattr(uploaded, "name", "") or "import.xlsx").replace("\\", "/").rsplit("/", 1)[-1][-200:]
    job = ImportJob(
        original_name=name,
        sha256=checked.sha256,
        created_by=actor,
        status="validated",
        kind=kind,
        historical=True,
        total_rows=result.total_rows,
        error_rows=result.error_rows,
        errors=result.errors[:5000],
        message=result.summary()[:300],
    )
    job.file.save(f"history-{uuid.uuid4().hex}.xlsx", ContentFile(checked.content), save=False)
    job.save()
    return job, result


def _job_data(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def annotated_history_copy(job: ImportJob) -> bytes:
    """The job's file with every erroneous cell marked (the reader of its kind's own annotated copy)."""
    data = _job_data(job)
    if job.kind == "projects":
        return project_excel.annotated_copy(data, job.errors)
    if job.kind == "plans":
        return plan_excel.annotated_plan_copy(data, job.errors)
    return sheet.annotated_sheet_copy(data, job.errors)


# ---------------------------------------------------------------------------------------------------------------
# Apply (one transaction per file)
# ---------------------------------------------------------------------------------------------------------------


def _apply_projects(check: HistoryCheck, job: ImportJob, actor) -> tuple[int, int]:
    report = check.report
    before = Project.objects.aggregate(m=Max("pk"))["m"] or 0
    created, updated = project_excel.apply_import(report, actor=actor)
    new_rows = [row for row in report.rows if row.project_pk is None]
    codes = {row.data.fields.get("code") for row in new_rows if row.data.fields.get("code")}
    names = {row.data.fields.get("name") for row in new_rows}
    new_ids = [
        pk
        for pk, code, name in Project.objects.filter(pk__gt=before).values_list("pk", "code", "name")
        if code in codes or name in names
    ]
    changed = [row.project_pk for row in report.rows if row.project_pk is not None and not row.unchanged]
    Project.objects.filter(pk__in=[*new_ids, *changed]).update(migration_job=job)
    return created, updated


def _apply_plans(check: HistoryCheck, job: ImportJob, actor) -> tuple[int, int]:
    report = check.report
    plan_excel.apply_plan_import(report, actor=actor)
    keys = [
        (row.project.pk, row.year)
        for row in report.rows
        if row.action in ("create", "update") or (row.action == "unchanged" and row.plan.status == PlanStatus.DRAFT)
    ]
    created = sum(1 for row in report.rows if row.action == "create")
    plan_ids = []
    with project_excel.rows_written(_("无权批准该项目的计划。")) as at:
        rows = {(row.project.pk, row.year): row.row for row in report.rows}
        for project_id, year in keys:
            at.row = rows[(project_id, year)]
            plan = AnnualPlan.objects.select_related("project").get(project_id=project_id, year=year)
            plan = annual_plan_approve(actor=actor, plan=plan, version=plan.version)
            plan_ids.append(plan.pk)
    AnnualPlan.objects.filter(pk__in=plan_ids).update(migration_job=job)
    return created, len(plan_ids) - created


def _apply_reports(check: HistoryCheck, job: ImportJob, actor) -> tuple[int, int]:
    rows = [row for row in check.report.rows if row.action == "create"]
    now = timezone.now()
    reports = []
    for row in rows:
        report = ProgressReport(
            project=row.project,
            period=row.period,
            status=ReportStatus.OFFICE_APPROVED,
            office_reviewed_at=now,
            office_reviewed_by=actor,
            migration_job=job,
            **row.values,
        )
        reports.append(report)
    ProgressReport.objects.bulk_create(reports, batch_size=500)
    ReportProblem.objects.bulk_create(
        [
            ReportProblem(report=report, category=PROBLEM_CATEGORY, description=text)
            for report, row in zip(reports, rows, strict=True)
            for text in row.problems
        ],
        batch_size=1000,
    )
    source = {"historical": job.pk, "file": job.original_name}
    # One timeline entry a report (项目办审核通过（锁定）, by the importer, naming the job): 10,000 rows stay quick.
    ReportEvent.objects.bulk_create(
        [
            ReportEvent(report=report, actor=actor, type=ReportEventType.OFFICE_APPROVED, data=source)
            for report in reports
        ],
        batch_size=1000,
    )
    object_changes_bulk_record(reports, ChangeAction.CREATE, str(_("历史数据导入：%(f)s") % {"f": job.original_name}))
    project_ids = sorted({row.project.pk for row in rows})
    # bulk_create sends no signals: the facts of these projects are rebuilt once here, and once the import commits
    # the lights engine re-evaluates the covered months (from the first one) for them (dispatch.warnings.relight)
    if rows:
        figures_changed(project_ids, since=min(row.period for row in rows))
    return len(reports), 0


APPLIERS = {"projects": _apply_projects, "plans": _apply_plans, "reports": _apply_reports}
DONE_MESSAGES = {
    "projects": gettext_lazy("历史项目导入完成：新增 %(c)d 个，更新 %(u)d 个，与现有一致 %(n)d 个。"),
    "plans": gettext_lazy("历史年度计划导入完成：新增并批准为基线 %(c)d 个，更新并批准 %(u)d 个，跳过 %(s)d 个。"),
    "reports": gettext_lazy("历史月报导入完成：新增 %(c)d 份（已锁定），与现有一致 %(n)d 份，跳过 %(s)d 份。"),
}


def history_apply(*, actor, job: ImportJob) -> ImportJob:
    """Re-validate the job's file against the current data and write it in one transaction, every record marked
    with the job; the job ends "done" (or stays "validated" with the refusal raised as ApplicationError)."""
    from tuijin.notifications.services import notify

    _check_actor(actor)
    if job.created_by_id != actor.pk or not job.historical:
        raise PermissionDenied(_("只能执行本人上传的历史数据导入。"))
    if job.status != "validated":
        raise ApplicationError(_("该文件已导入，不能重复执行。"), code="job_done")
    check = history_check(actor=actor, kind=job.kind, data=_job_data(job))
    if check.fatal or check.errors:
        ImportJob.objects.filter(pk=job.pk).update(
            errors=check.errors[:5000], error_rows=check.error_rows, message=check.summary()[:300]
        )
        raise ApplicationError(
            _("重新校验时发现 %(n)d 处错误（数据已有变化），未导入任何数据。请下载标注错误的文件修正后重新上传。")
            % {"n": len(check.errors)},
            code="import_invalid",
        )
    with project_excel._acting_as(actor), transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status="validated").update(status="running")
        if not claimed:
            raise ApplicationError(_("该文件已导入，不能重复执行。"), code="job_done")
        created, updated = APPLIERS[job.kind](check, job, actor)
        message = DONE_MESSAGES[job.kind] % {
            "c": created,
            "u": updated,
            "n": check.unchanged,
            "s": len(check.skipped),
        }
        ImportJob.objects.filter(pk=job.pk).update(
            status="done",
            finished=timezone.now(),
            processed_rows=check.total_rows,
            created_count=created,
            updated_count=updated,
            message=message[:300],
        )
        notify(
            users=[actor],
            title=_("历史数据导入完成：%(f)s") % {"f": job.original_name},
            body=message,
            url=reverse("progress:history"),
            level="success",
            kind="import_finished",
            dedup_key=f"import:{job.pk}",
        )
    job.refresh_from_db()
    return job


def history_template(*, actor, kind: str, year: int | None = None, first=None, last=None) -> bytes:
    """The file to fill in for a step: the project import template, the plan workbook of `year`, or the reports
    workbook of the months `first`–`last`."""
    _check_actor(actor)
    if kind == "projects":
        return project_excel.build_template(actor=actor)
    if kind == "plans":
        return plan_excel.build_plan_workbook(actor=actor, year=year or timezone.localdate().year)
    if kind == "reports":
        return build_reports_template(actor=actor, first=first, last=last)
    raise ApplicationError(_("未知的导入内容。"), code="kind")

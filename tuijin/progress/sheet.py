"""The monthly 调度表 in Excel: the pre-filled workbook of a month, validating an upload, applying it, the error copy.

One sheet 「调度表」, one row per project expected to report that month (the facts' 应报) in the user's scope.
项目代码, 项目名称, 责任单位, 报告期, 月报状态 and the two read-only figures (年初至今 and 开工累计 before this month)
are locked; the month's figures, 已开工, 开工日期, 形象进度 and 存在问题 are unlocked. The sheet is protected WITHOUT
a password: protection only guards against accidental edits of the key columns (anyone can lift it in Excel), the
import checks everything again.

Import follows the plan import (`tuijin.projects.plan_excel`): `open_xlsx` checks the file, every row is read with
the same cell converters and validated with the report form's own rules (`services._validate` after `full_clean`,
exactly what `report_save` runs), and only a file without errors is written — a new draft in one write through
`report_create`, a changed one through `report_save`, all in ONE transaction. A report already submitted is never
changed: a row that would change it is listed as skipped with the reason.

Two modes: a unit's reporter (add_progressreport) writes its own unit's drafts; the project office
(officeapprove_progressreport without the fill permissions) fills in on behalf of a unit (代填): a reason is
required, the services check the office's own scope (`on_behalf_reason`), each report written records a 代填
event (reason, office user), and its timeline and change log name the office user.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError
from tuijin.core.periods import month_start, next_month
from tuijin.projects.excel import (
    ANNOTATION_AUTHOR,
    ERROR_HEADER,
    MONEY_FORMAT,
    MONTH_RE,
    CellError,
    KeyedRows,
    ProjectFinder,
    _acting_as,
    _bool,
    _date,
    _decimal,
    _is_blank,
    _norm_header,
    _service_errors,
    _text,
    read_keyed_rows,
    rows_written,
)
from tuijin.projects.models import Project
from tuijin.utilities.excel import (
    clear_annotations,
    header_cells,
    neutralize,
    notes_column_for,
    open_xlsx,
    workbook_bytes,
)

from . import services
from .choices import COUNTED_STATUSES, ReportStatus
from .models import ProgressReport, ReportProblem
from .selectors import CARRIED_FIELDS

__all__ = [
    "COLUMNS",
    "SHEET",
    "SheetReport",
    "SheetRow",
    "annotated_sheet_copy",
    "apply_sheet",
    "build_sheet",
    "is_proxy",
    "parse_sheet",
    "sheet_projects",
    "submittable",
]

SHEET = "调度表"
SHEET_NOTES = "填写说明"
MAX_ROWS = 20000  # a district workbook: one row per expected project (make bench: 10,000 rows)
H_CODE = "项目代码"
H_NAME = "项目名称"
H_UNIT = "责任单位"
H_PERIOD = "报告期"
H_STATUS = "月报状态"
H_YTD = "年初至今（万元，不含本月）"
H_CUM = "开工累计（万元，不含本月）"
H_MONTH = "当月完成投资（万元）"
H_CI = "建筑安装工程（万元）"
H_EQ = "设备购置（万元）"
H_OTHER = "其他费用（万元）"
H_FUNDS = "当月到位资金（万元）"
H_STARTED = "已开工"
H_START_DATE = "开工日期"
H_PROGRESS = "形象进度"
H_PROBLEMS = "存在问题（可选）"
LOCKED = [H_CODE, H_NAME, H_UNIT, H_PERIOD, H_STATUS, H_YTD, H_CUM]
EDITABLE = [H_MONTH, H_CI, H_EQ, H_OTHER, H_FUNDS, H_STARTED, H_START_DATE, H_PROGRESS, H_PROBLEMS]
COLUMNS = [*LOCKED, *EDITABLE]
REFERENCE = {H_UNIT, H_STATUS, H_YTD, H_CUM}  # shown for orientation, ignored on import
REQUIRED_HEADERS = [h for h in COLUMNS if h not in REFERENCE and h != H_PROBLEMS]
MONEY = {H_MONTH: "month_investment", H_CI: "construction_install", H_EQ: "equipment", H_OTHER: "other_cost"}
MONEY[H_FUNDS] = "funds_arrived"
HEADER_OF_FIELD = {
    **{name: header for header, name in MONEY.items()},
    "is_started": H_STARTED,
    "started_on": H_START_DATE,
    "physical_progress": H_PROGRESS,
    "negative_reason": H_MONTH,
    "over_total_reason": H_MONTH,
}
HEADER_INDEX = {_norm_header(h): h for h in COLUMNS}
WIDTHS = {H_CODE: 22, H_NAME: 34, H_UNIT: 16, H_PERIOD: 9, H_STATUS: 12, H_PROGRESS: 40, H_PROBLEMS: 36}
ZERO = Decimal("0")
PROBLEM_CATEGORY = "其他"


def is_proxy(user) -> bool:
    """Whether `user` uploads as the project office on behalf of units (代填) rather than as a unit's reporter."""
    return not user.has_perm("progress.add_progressreport") and user.has_perm("progress.officeapprove_progressreport")


# The facts app sits above progress in the import layers: at start-up it registers its 应报 figure here
# (`tuijin.facts.apps`), so the sheet lists exactly the projects 本单位月报 and 未上报 expect, by the one rule.
expected_projects: Callable[[Any, date], Any] | None = None


def sheet_projects(actor, period: date):
    """The projects of the month's sheet: those in the actor's scope expected to report (the facts' 应报 — the same
    rule as 本单位月报 and 未上报), by unit and name."""
    if expected_projects is None:
        raise ImproperlyConfigured("tuijin.facts is not installed: the sheet needs its 应报 figure")
    return (
        expected_projects(Project.objects.restrict(actor, "view"), month_start(period))
        .select_related("responsible_unit")
        .order_by("responsible_unit__sort_order", "responsible_unit__name", "name", "pk")
    )


# ---------------------------------------------------------------------------------------------------------------
# Reads for the workbook (bulk: a fixed number of queries whatever the number of projects)
# ---------------------------------------------------------------------------------------------------------------


def _carry_over_bulk(projects: Sequence[Project], period: date) -> dict[int, dict]:
    """`selectors.report_carry_over` for many projects in one query (the same rule: the latest earlier submitted
    report, else the latest earlier draft; the project's actual start when recorded before the month ends)."""
    latest: dict[int, dict] = {}
    latest_counted: dict[int, dict] = {}
    rows = (
        ProgressReport.objects.filter(project_id__in=[p.pk for p in projects], period__lt=period)
        .order_by("project_id", "-period")
        .values("project_id", "status", *CARRIED_FIELDS)
    )
    for row in rows:
        values = {name: row[name] for name in CARRIED_FIELDS}
        latest.setdefault(row["project_id"], values)
        if row["status"] in COUNTED_STATUSES:
            latest_counted.setdefault(row["project_id"], values)
    result = {}
    for project in projects:
        initial = dict(latest_counted.get(project.pk) or latest.get(project.pk) or {})
        if project.actual_start is not None and project.actual_start < next_month(period):
            initial["is_started"] = True
            initial["started_on"] = initial.get("started_on") or project.actual_start
        result[project.pk] = initial
    return result


def _before_month(project_ids: list[int], period: date) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """(年初至今, 累计) of the submitted reports before `period`, by project."""
    counted = ProgressReport.objects.filter(project_id__in=project_ids, status__in=COUNTED_STATUSES, period__lt=period)
    ytd = dict(
        counted.filter(period__year=period.year)
        .values("project_id")
        .annotate(s=Sum("month_investment"))
        .values_list("project_id", "s")
    )
    cumulative = dict(counted.values("project_id").annotate(s=Sum("month_investment")).values_list("project_id", "s"))
    return ytd, cumulative


def _problems_text(problems: Sequence[ReportProblem]) -> str:
    return "\n".join(p.description for p in problems)


# ---------------------------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------------------------


def build_sheet(*, actor, period: date) -> bytes:
    """The month's 调度表 for `actor`: every 应报 project in scope, pre-filled with its report (any status) or, when
    none exists, with the carry-over of the earlier reports; key columns locked, the sheet protected."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    period = month_start(period)
    projects = list(sheet_projects(actor, period))
    ids = [p.pk for p in projects]
    reports = {
        r.project_id: r
        for r in ProgressReport.objects.filter(project_id__in=ids, period=period).prefetch_related("problems")
    }
    carry = _carry_over_bulk([p for p in projects if p.pk not in reports], period)
    ytd, cumulative = _before_month(ids, period)

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    locked_fill = PatternFill("solid", fgColor="EDEDED")
    editable_fill = PatternFill("solid", fgColor="DDEBF7")
    notes = {
        H_CODE: _("按项目代码匹配项目（无代码的项目按名称匹配）。请勿修改。"),
        H_NAME: _("请勿修改。"),
        H_UNIT: _("仅供参考，导入时忽略。"),
        H_PERIOD: _("报告期（年-月）。请勿修改。"),
        H_STATUS: _("仅供参考。已提交的月报不会被修改，须由审核人退回后再改。"),
        H_YTD: _("本年度此前各月已上报的完成投资合计（不含本月），仅供参考。"),
        H_CUM: _("此前各月已上报的完成投资累计（不含本月），仅供参考。"),
        H_MONTH: _(
            "万元，不小于0，最多2位小数；须等于建筑安装工程、设备购置、其他费用三项之和。核减（负数）请在网页表单填报。"
        ),
        H_CI: _("万元，不小于0，最多2位小数；留空按0计。"),
        H_EQ: _("万元，不小于0，最多2位小数；留空按0计。"),
        H_OTHER: _("万元，不小于0，最多2位小数；留空按0计。"),
        H_FUNDS: _("万元，不小于0，最多2位小数；留空按0计。"),
        H_STARTED: _("是/否。"),
        H_START_DATE: _("已开工的项目须填写，格式 YYYY-MM-DD，不能晚于今天。"),
        H_PROGRESS: _("本月形象进度（预填上月内容，请更新）。"),
        H_PROBLEMS: _("可选。每行一个问题；与已填的问题相同的行保持不变。"),
    }
    for index, header in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True, color="C00000" if header == H_MONTH else "000000")
        cell.fill = locked_fill if header in LOCKED else editable_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(str(notes[header]), ANNOTATION_AUTHOR, width=280, height=100)
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(header, 13)
    unlocked = Protection(locked=False)
    for row, project in enumerate(projects, start=2):
        report = reports.get(project.pk)
        if report is not None:
            state: dict[str, Any] = {name: getattr(report, name) for name in (*MONEY.values(), *CARRIED_FIELDS)}
            problems = _problems_text(list(report.problems.all()))
            status = str(report.get_status_display())
        else:
            state = {name: None for name in MONEY.values()}
            state.update(carry.get(project.pk, {}))
            problems = ""
            status = _("未填报")
        values = {
            H_CODE: neutralize(project.code or ""),
            H_NAME: neutralize(project.name),
            H_UNIT: neutralize(project.responsible_unit.name),
            H_PERIOD: f"{period:%Y-%m}",
            H_STATUS: status,
            H_YTD: Decimal(ytd.get(project.pk) or 0),
            H_CUM: Decimal(cumulative.get(project.pk) or 0),
            **{header: state.get(name) for header, name in MONEY.items()},
            H_STARTED: (_("是") if state.get("is_started") else _("否")) if "is_started" in state else None,
            H_START_DATE: state.get("started_on"),
            H_PROGRESS: neutralize(state.get("physical_progress") or ""),
            H_PROBLEMS: neutralize(problems),
        }
        for col, header in enumerate(COLUMNS, start=1):
            value = values[header]
            cell = sheet.cell(row=row, column=col, value=value if value != "" else None)
            if header in MONEY or header in (H_YTD, H_CUM):
                cell.number_format = MONEY_FORMAT
            elif header == H_START_DATE:
                cell.number_format = "yyyy-mm-dd"
            elif header in (H_CODE, H_NAME, H_PERIOD, H_PROGRESS, H_PROBLEMS):
                cell.number_format = "@"
            if header in EDITABLE:
                cell.protection = unlocked
                cell.fill = editable_fill
            if header in (H_PROGRESS, H_PROBLEMS):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = max(len(projects) + 1, 2)

    def letter(header: str) -> str:
        return get_column_letter(COLUMNS.index(header) + 1)

    money = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("输入值无效"),
        error=_("请填写不小于0的数字（万元，最多2位小数）。"),
    )
    for header in MONEY:
        money.add(f"{letter(header)}2:{letter(header)}{last}")
    yes_no = DataValidation(
        type="list",
        formula1=f'"{_("是")},{_("否")}"',
        allow_blank=True,
        showErrorMessage=True,
        error=_("请选择是或否。"),
    )
    yes_no.add(f"{letter(H_STARTED)}2:{letter(H_STARTED)}{last}")
    dates = DataValidation(
        type="date",
        operator="between",
        formula1="DATE(2000,1,1)",
        formula2="TODAY()",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("输入值无效"),
        error=_("请填写不晚于今天的日期（YYYY-MM-DD）。"),
    )
    dates.add(f"{letter(H_START_DATE)}2:{letter(H_START_DATE)}{last}")
    for validation in (money, yes_no, dates):
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 36
    # No password: a guard against accidental edits of the key columns, not a security control.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False

    info = book.create_sheet(SHEET_NOTES)
    info.column_dimensions["A"].width = 110
    lines = [
        _("%(y)d年%(m)d月调度表：每行一个本月应报项目。") % {"y": period.year, "m": period.month},
        _(
            "1. 灰色列（项目代码、项目名称、责任单位、报告期、月报状态、年初至今、开工累计）已锁定，请勿修改；"
            "蓝色列可填写。"
        ),
        _(
            "2. 工作表保护未设密码，仅为防止误改关键列，并非安全措施；如需调整列宽等，可在“审阅—撤销工作表保护”中解除，"
            "导入时仍会逐项校验。"
        ),
        _("3. 当月完成投资须等于建筑安装工程、设备购置、其他费用三项之和；金额单位为万元，不小于0，最多2位小数。"),
        _("4. 已开工填“是”或“否”；已开工的项目须填写开工日期（YYYY-MM-DD，不能晚于今天）。"),
        _("5. 形象进度已预填上月内容，请按本月实际更新；存在问题可选，每行一个问题。"),
        _("6. 上传时先校验全部行：有任何错误时不写入任何数据，并可下载标注了错误单元格的文件。"),
        _("7. 无误时保存为草稿，可在结果页“一键提交”；已提交的月报不会被修改，须由审核人退回后再改。"),
        _("8. 金额都未填写的未填报项目不会生成月报。核减（负数）、纳统投资、下月计划等请在网页表单填写。"),
        _("9. 不要使用公式，不要增删列。"),
    ]
    info.cell(row=1, column=1, value=_("填写说明")).font = Font(bold=True, size=14)
    for row, line in enumerate(lines, start=2):
        info.cell(row=row, column=1, value=neutralize(str(line)))
    book.active = 0
    return workbook_bytes(book)


# ---------------------------------------------------------------------------------------------------------------
# Parse
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class SheetRow:
    """A valid row: the report to write (None: created on apply), the values, what it would do."""

    row: int
    project: Project
    report: ProgressReport | None
    data: dict[str, Any]
    problems: list[dict] | None
    action: str = "create"  # create / update / unchanged / skipped / blank
    reason: str = ""

    @property
    def version(self) -> int:
        return self.report.version if self.report is not None else 0


@dataclass
class SheetReport:
    period: date | None = None
    rows: list[SheetRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    total_rows: int = 0
    fatal: str = ""
    written: list[ProgressReport] = field(default_factory=list)

    def add_error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": str(message)})

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def of(self, action: str) -> list[SheetRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def error_rows(self) -> int:
        return len({e["row"] for e in self.errors if e["row"] and e["row"] > 1})

    def summary(self, *, done: bool = False) -> str:
        if self.fatal:
            return self.fatal
        if done:
            text = _(
                "共 %(t)d 行：新建草稿 %(c)d 份，更新草稿 %(u)d 份，无变化 %(n)d 份，跳过 %(s)d 份，未填写 %(b)d 行"
            )
        else:
            text = _("共 %(t)d 行：可新建 %(c)d 份，可更新 %(u)d 份，无变化 %(n)d 份，将跳过 %(s)d 份，未填写 %(b)d 行")
        text = text % {
            "t": self.total_rows,
            "c": self.count("create"),
            "u": self.count("update"),
            "n": self.count("unchanged"),
            "s": self.count("skipped"),
            "b": self.count("blank"),
        }
        if self.errors:
            text += _("；%(r)d 行有错误（共 %(n)d 处）") % {"r": self.error_rows, "n": len(self.errors)}
        return text + "。"


def _read(data: bytes, report: SheetReport) -> KeyedRows | None:
    return read_keyed_rows(
        data,
        report,
        sheet_name=SHEET,
        header_index=HEADER_INDEX,
        required=REQUIRED_HEADERS,
        max_rows=MAX_ROWS,
        kind=_("调度表"),
        max_col=60,
    )


def _period(value: Any) -> date:
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    match = MONTH_RE.match(_text(value)) if value is not None else None
    if match and 1 <= int(match.group(2)) <= 12:
        return date(int(match.group(1)), int(match.group(2)), 1)
    raise CellError(_("“%(v)s”不是有效报告期，应为“YYYY-MM”（如 2026-10）。") % {"v": _text(value)})


def _problem_rows(text: str, existing: Sequence[ReportProblem]) -> list[dict] | None:
    """The problem rows for `report_save` from the cell (one problem a line); None when it names exactly the
    existing problems (they stay as they are, categories and requests for help included)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines == [p.description.strip() for p in existing]:
        return None
    by_description = {p.description.strip(): p for p in existing}
    rows = []
    for line in lines:
        same = by_description.pop(line, None)
        if same is not None:
            rows.append(
                {"id": same.pk, "category": same.category, "description": line, "help_requested": same.help_requested}
            )
        else:
            rows.append({"category": PROBLEM_CATEGORY, "description": line, "help_requested": ""})
    return rows


def parse_sheet(data: bytes, *, actor) -> SheetReport:
    """Validate every row of an uploaded 调度表 with the report form's rules; writes nothing."""
    report = SheetReport()
    raw_rows = _read(data, report)
    if raw_rows is None:
        return report
    report.total_rows = len(raw_rows)
    projects = ProjectFinder(Project.objects.restrict(actor, "view").select_related("responsible_unit"))
    today = timezone.localdate()
    parsed: list[tuple[int, Project, date, dict[str, Any], str, dict[str, tuple[Any, bool]]]] = []
    seen: dict[int, int] = {}
    for number, values in raw_rows:
        errors_before = len(report.errors)

        def cell(header: str, values=values) -> Any:
            value, formula = values.get(header, (None, False))
            if formula:
                raise CellError(_("不能使用公式，请填写数值（可“选择性粘贴为数值”）。"))
            return None if _is_blank(value) else value

        def read(header: str, convert, number=number):
            try:
                value = cell(header)
                return None if value is None else convert(value)
            except CellError as exc:
                report.add_error(number, header, str(exc))
                return None

        project = None
        try:
            code, name = cell(H_CODE), cell(H_NAME)
            project = projects.find(_text(code) if code is not None else "", _text(name) if name is not None else "")
        except CellError as exc:
            report.add_error(number, H_CODE, str(exc))
        period = read(H_PERIOD, _period)
        if period is None and not any(e["row"] == number and e["column"] == H_PERIOD for e in report.errors):
            report.add_error(number, H_PERIOD, _("请填写报告期（YYYY-MM）。"))
        elif period is not None:
            if period > month_start(today):
                report.add_error(number, H_PERIOD, _("不能填报未来月份的月报。"))
            elif report.period is None:
                report.period = period
            elif period != report.period:
                report.add_error(
                    number,
                    H_PERIOD,
                    _("一个文件只能填报一个月份（第一行为 %(p)s）。") % {"p": f"{report.period:%Y-%m}"},
                )
        fields: dict[str, Any] = {}
        for header, name in MONEY.items():
            fields[name] = read(header, lambda v: _decimal(v, places=2))
        fields["is_started"] = read(H_STARTED, _bool)
        fields["started_on"] = read(H_START_DATE, _date)
        fields["physical_progress"] = read(H_PROGRESS, _text) or ""
        problems_text = read(H_PROBLEMS, _text) or ""
        if len(report.errors) > errors_before or project is None or period is None:
            continue
        if project.pk in seen:
            report.add_error(
                number, H_CODE, _("与第 %(r)d 行是同一项目，每个项目只能填一行。") % {"r": seen[project.pk]}
            )
            continue
        seen[project.pk] = number
        parsed.append((number, project, period, fields, problems_text, values))
    if report.period is None or any(e["column"] == H_PERIOD for e in report.errors):
        return report  # the rows' own checks need the month; every other row is still checked below
    period = report.period
    existing = {
        r.project_id: r
        for r in ProgressReport.objects.filter(project_id__in=[p.pk for _n, p, *_r in parsed], period=period)
        .select_related("project")
        .prefetch_related("problems")
    }
    carry = _carry_over_bulk([p for _n, p, *_r in parsed if p.pk not in existing], period)
    checks: list[tuple[SheetRow, ProgressReport]] = []
    for number, project, _p, fields, problems_text, _values in parsed:
        current = existing.get(project.pk)
        money_blank = all(fields[name] is None for name in MONEY.values())
        wanted = {
            name: (value if value is not None else ZERO) for name, value in fields.items() if name in MONEY.values()
        }
        wanted["is_started"] = bool(fields["is_started"])
        wanted["started_on"] = fields["started_on"]
        wanted["physical_progress"] = fields["physical_progress"]
        if current is None:
            initial = carry.get(project.pk, {})
            unchanged_state = (
                bool(initial.get("is_started")) == wanted["is_started"]
                and initial.get("started_on") == wanted["started_on"]
                and (initial.get("physical_progress") or "") == wanted["physical_progress"]
            )
            if money_blank and not problems_text and unchanged_state:
                report.rows.append(SheetRow(number, project, None, wanted, None, action="blank"))
                continue
            target = ProgressReport(project=project, period=period)
            problems = _problem_rows(problems_text, [])
            action = "create"
        else:
            old_problems = list(current.problems.all())
            problems = _problem_rows(problems_text, old_problems)
            same = problems is None and all(getattr(current, k) == v for k, v in wanted.items())
            if same:
                report.rows.append(SheetRow(number, project, current, wanted, None, action="unchanged"))
                continue
            if current.status != ReportStatus.DRAFT:
                reason = _("月报已%(s)s，未修改；如需修改请联系审核人退回。") % {"s": current.get_status_display()}
                report.rows.append(SheetRow(number, project, current, wanted, None, action="skipped", reason=reason))
                continue
            target = current
            action = "update"
        for key, value in wanted.items():
            setattr(target, key, value)
        checks.append((SheetRow(number, project, current, wanted, problems, action=action), target))
    # the rules of report_save, on the unsaved reports (their figures computed for all rows at once)
    for (row, target), figures in zip(checks, services.report_figures_many([t for _r, t in checks]), strict=True):
        try:
            target.full_clean(exclude=["project", "period"], validate_constraints=False)
            services._validate(target, figures)
        except ValidationError as exc:
            for key, message in _service_errors(exc):
                report.add_error(row.row, HEADER_OF_FIELD.get(key, ""), message)
            continue
        report.rows.append(row)
    report.rows.sort(key=lambda row: row.row)
    return report


# ---------------------------------------------------------------------------------------------------------------
# Apply
# ---------------------------------------------------------------------------------------------------------------


def apply_sheet(report: SheetReport, *, actor, proxy_reason: str = "") -> list[ProgressReport]:
    """Write the new and changed drafts in one transaction (nothing on any failure); the reports written.

    As the project office (`is_proxy`), a reason is required: each report is written by the office user on behalf
    of its unit (the services' `on_behalf_reason`: the office's own scope is checked, the timeline and change log
    name the office user, a 代填 event keeps the reason)."""
    if report.fatal or report.errors or report.period is None:
        raise ApplicationError(
            _("文件中有 %(n)d 处错误，未导入任何数据。请修正后重新上传。") % {"n": len(report.errors)},
            code="import_invalid",
        )
    proxy = is_proxy(actor)
    reason = (proxy_reason or "").strip()
    if proxy and not reason:
        raise ApplicationError(_("代填须填写代填原因。"), code="reason_required")
    if not proxy and not actor.has_perm("progress.add_progressreport"):
        raise PermissionDenied(_("您没有填报月报的权限。"))
    on_behalf = reason if proxy else None
    written: list[ProgressReport] = []
    new = [row for row in report.rows if row.action == "create" and row.report is None]
    changed = [row for row in report.rows if row.action == "update" and row.report is not None]
    with rows_written(_("无权填报该项目的月报。")) as at, _acting_as(actor), transaction.atomic():
        # new drafts in bulk, each as report_create would write it (created meanwhile → ConflictError)

        def at_row(index: int) -> None:
            at.row = new[index].row

        written += services.reports_create_bulk(
            actor=actor,
            period=report.period,
            rows=[services.NewReport(row.project, row.data, row.problems) for row in new],
            on_behalf_reason=on_behalf,
            at_row=at_row,
        )
        for row in changed:
            at.row = row.row
            assert row.report is not None  # `changed` holds existing drafts only
            written.append(
                services.report_save(
                    actor=actor,
                    report=row.report,
                    version=row.version,
                    data=row.data,
                    problems=row.problems,
                    on_behalf_reason=on_behalf,
                )
            )
    report.written = written
    return written


def submittable(report: SheetReport) -> list[ProgressReport]:
    """The drafts of the file (written now or unchanged), for 一键提交."""
    drafts = list(report.written)
    seen = {r.pk for r in drafts}
    for row in report.rows:
        if row.action == "unchanged" and row.report is not None and row.report.status == ReportStatus.DRAFT:
            if row.report.pk not in seen:
                drafts.append(row.report)
    return drafts


# ---------------------------------------------------------------------------------------------------------------
# Annotated copy
# ---------------------------------------------------------------------------------------------------------------


def annotated_sheet_copy(data: bytes, errors: Sequence[Mapping[str, Any]]) -> bytes:
    """The uploaded workbook with each erroneous cell filled red and commented, plus a 「错误说明」 column."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    try:
        workbook = open_xlsx(data, read_only=False)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="invalid_file") from exc
    sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
    red = PatternFill("solid", fgColor="FFC7CE")
    # Only the cells the file holds are walked, never its claimed dimensions (a stray cell at XFD1048576).
    headers = header_cells(sheet)
    columns: dict[str, int] = {
        HEADER_INDEX[_norm_header(cell.value)]: cell.column
        for cell in headers
        if _norm_header(cell.value) in HEADER_INDEX
    }
    error_col, existed = notes_column_for(sheet, headers, lambda value: _norm_header(value) == ERROR_HEADER)
    clear_annotations(sheet, author=ANNOTATION_AUTHOR, notes_column=error_col if existed else None)
    head = sheet.cell(row=1, column=error_col, value=ERROR_HEADER)
    head.font = Font(bold=True, color="9C0006")
    sheet.column_dimensions[head.column_letter].width = 60
    by_row: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for error in errors:
        by_row[int(error.get("row") or 0)].append(error)
    file_messages = [str(e["message"]) for e in by_row.pop(0, []) + by_row.pop(1, [])]
    for number, row_errors in sorted(by_row.items()):
        per_cell: dict[int, list[str]] = defaultdict(list)
        lines = []
        for error in row_errors:
            column, message = str(error.get("column") or ""), str(error.get("message", ""))
            lines.append(f"{column}：{message}" if column else message)
            if column in columns:
                per_cell[columns[column]].append(message)
        for col, messages in per_cell.items():
            target = sheet.cell(row=number, column=col)
            target.fill = red
            target.comment = Comment("\n".join(messages), ANNOTATION_AUTHOR, width=300, height=120)
        note = sheet.cell(row=number, column=error_col, value=neutralize("；".join(lines)))
        note.font = Font(color="9C0006")
    if file_messages:
        head.comment = Comment("\n".join(file_messages), ANNOTATION_AUTHOR, width=400, height=160)
    return workbook_bytes(workbook)

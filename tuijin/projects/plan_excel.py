"""Annual plans in Excel: the pre-filled workbook of a year, validating an upload, applying it, the error copy.

One sheet 「年度计划」, one row per project the user may change (matched by 项目代码, else by 项目名称), with the
year, the annual figure, the 12 monthly amounts, 计划开工季度, 计划开工月份 / 计划竣工月份 (1–12, finish not before
start) and 形象进度目标. 责任单位 and 计划状态 are shown for reference and ignored on import. The workbook is pre-filled
with the existing plans, so exporting and importing it unchanged changes nothing. The two month columns are optional
in an upload (a file downloaded before they existed): without the column, the stored months are left as they are; a
blank cell in a present column clears the month.

Import follows the project import (`excel.py`): the file is checked by `open_xlsx`, every row is validated first
(cells read by the same converters, the monthly breakdown by `services.monthly_plan_clean`), and only a file without
errors is written — through `services.annual_plan_save`, as drafts, in ONE transaction. A plan already approved as a
baseline is never overwritten: a row that would change it is listed as skipped (change it by 申请调整).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError
from tuijin.utilities.excel import (
    clear_annotations,
    header_cells,
    neutralize,
    notes_column_for,
    open_xlsx,
    workbook_bytes,
)

from . import services
from .choices import PlanStatus, Stage
from .excel import (
    ANNOTATION_AUTHOR,
    ERROR_HEADER,
    MONEY_FORMAT,
    CellError,
    KeyedRows,
    ProjectFinder,
    _acting_as,
    _decimal,
    _int,
    _is_blank,
    _norm_header,
    _text,
    read_keyed_rows,
    rows_written,
)
from .models import AnnualPlan, Project

__all__ = [
    "COLUMNS",
    "MONTH_HEADERS",
    "SHEET",
    "PlanImportReport",
    "PlanImportRow",
    "annotated_plan_copy",
    "apply_plan_import",
    "build_plan_workbook",
    "parse_plan_workbook",
]

SHEET = "年度计划"
SHEET_NOTES = "填写说明"
MAX_ROWS = 5000
H_CODE = "项目代码"
H_NAME = "项目名称"
H_UNIT = "责任单位"
H_STATUS = "计划状态"
H_YEAR = "年度"
H_INVEST = "年度计划投资（万元）"
MONTH_HEADERS = [f"{m}月（万元）" for m in range(1, 13)]
H_QUARTER = "计划开工季度"
H_START_MONTH = "计划开工月份"
H_FINISH_MONTH = "计划竣工月份"
H_TARGET = "形象进度目标"
COLUMNS = [
    H_CODE,
    H_NAME,
    H_UNIT,
    H_STATUS,
    H_YEAR,
    H_INVEST,
    *MONTH_HEADERS,
    H_QUARTER,
    H_START_MONTH,
    H_FINISH_MONTH,
    H_TARGET,
]
REFERENCE = {H_UNIT, H_STATUS}  # shown for orientation, ignored on import
OPTIONAL = {H_START_MONTH, H_FINISH_MONTH}  # absent from a file made before they existed: left as stored
REQUIRED_HEADERS = [h for h in COLUMNS if h not in REFERENCE and h not in OPTIONAL]
WIDTHS = {
    H_CODE: 24,
    H_NAME: 36,
    H_UNIT: 18,
    H_STATUS: 14,
    H_YEAR: 8,
    H_INVEST: 14,
    H_QUARTER: 10,
    H_START_MONTH: 10,
    H_FINISH_MONTH: 10,
    H_TARGET: 40,
}
HEADER_INDEX = {_norm_header(h): h for h in COLUMNS}
TARGET_MAX = 300


@dataclass
class PlanImportRow:
    """A valid row: what to write, and what it would do (create / update / unchanged / skipped)."""

    row: int
    project: Project
    year: int
    planned_investment: Decimal
    monthly_plan: list[str] | None
    planned_start_quarter: int | None
    progress_target: str
    plan: AnnualPlan | None = None
    action: str = "create"
    # 1–12, None (blank), or services.KEEP when the file has no such column (the stored month stays)
    planned_start_month: Any = services.KEEP
    planned_finish_month: Any = services.KEEP

    @property
    def version(self) -> int:
        return self.plan.version if self.plan is not None else 0


@dataclass
class PlanImportReport:
    rows: list[PlanImportRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    total_rows: int = 0
    blank_rows: int = 0  # project rows without a plan figure: nothing to do
    fatal: str = ""

    def add_error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": str(message)})

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def skipped(self) -> list[PlanImportRow]:
        return [row for row in self.rows if row.action == "skipped"]

    @property
    def error_rows(self) -> int:
        return len({e["row"] for e in self.errors if e["row"] and e["row"] > 1})

    def summary(self, *, done: bool = False) -> str:
        """The counts in one line: what was written (`done`) or what the file would write."""
        if self.fatal:
            return self.fatal
        if done:
            text = _(
                "共 %(t)d 行：新增 %(c)d 个计划，更新 %(u)d 个，与现有数据一致 %(n)d 个，已批准为基线而跳过 %(s)d 个"
            )
        else:
            text = _(
                "共 %(t)d 行：可新增 %(c)d 个计划，可更新 %(u)d 个，与现有一致 %(n)d 个，已批准为基线将跳过 %(s)d 个"
            )
        text = text % {
            "t": self.total_rows,
            "c": self.count("create"),
            "u": self.count("update"),
            "n": self.count("unchanged"),
            "s": self.count("skipped"),
        }
        if self.blank_rows:
            text += _("，未填计划 %(b)d 个") % {"b": self.blank_rows}
        if self.errors:
            text += _("；%(r)d 行有错误（共 %(n)d 处）") % {"r": self.error_rows, "n": len(self.errors)}
        return text + "。"


# ---------------------------------------------------------------------------------------------------------------
# Export / template
# ---------------------------------------------------------------------------------------------------------------


def plan_projects(actor, year: int):
    """The projects of the workbook: those the actor may change, without cancelled ones that have no plan this year."""
    from django.db.models import Q

    return (
        Project.objects.restrict(actor, "change")
        .exclude(Q(stage=Stage.CANCELLED) & ~Q(annual_plans__year=year))
        .select_related("responsible_unit")
        .order_by("responsible_unit__name", "code", "name", "pk")
        .distinct()
    )


def _money(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None


def build_plan_workbook(*, actor, year: int) -> bytes:
    """The year's plan workbook for `actor`: every project in scope, pre-filled with its plan for `year`."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    projects = list(plan_projects(actor, year))
    plans = {p.project_id: p for p in AnnualPlan.objects.filter(project__in=[p.pk for p in projects], year=year)}
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    reference_fill = PatternFill("solid", fgColor="EDEDED")
    required_fill = PatternFill("solid", fgColor="F8CBAD")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    notes = {
        H_CODE: _("按项目代码匹配项目；无代码的项目按项目名称匹配。请勿修改。"),
        H_NAME: _("项目名称（与项目代码同时填写时须一致）。"),
        H_UNIT: _("仅供参考，导入时忽略。"),
        H_STATUS: _("仅供参考，导入时忽略。已批准为基线的计划不会被覆盖，须在项目页“申请调整”。"),
        H_YEAR: _("计划年度，4位数字，如 %(y)d。") % {"y": year},
        H_INVEST: _("万元，最多2位小数，不能为负数。留空表示该项目本年度不编制计划。"),
        H_QUARTER: _("1–4，可留空。"),
        H_START_MONTH: _("计划开工月份，1–12（如 3 或“3月”），可留空。"),
        H_FINISH_MONTH: _("计划竣工月份，1–12，可留空；不能早于计划开工月份。"),
        H_TARGET: _("年度形象进度目标，最多 %(n)d 字。") % {"n": TARGET_MAX},
    }
    for index, header in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        required = header in (H_CODE, H_NAME, H_YEAR, H_INVEST)
        cell.font = Font(bold=True, color="C00000" if required else "000000")
        cell.fill = reference_fill if header in REFERENCE else (required_fill if required else optional_fill)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        note = notes.get(header) or _(
            "该月计划投资（万元）。12个月可全部留空；填写时合计须等于年度计划投资，留空的月份按0计。"
        )
        cell.comment = Comment(str(note), ANNOTATION_AUTHOR, width=260, height=90)
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(header, 11)
    for row, project in enumerate(projects, start=2):
        plan = plans.get(project.pk)
        months = list(plan.monthly_plan) if plan is not None and plan.monthly_plan else [None] * 12
        values = [
            neutralize(project.code or ""),
            neutralize(project.name),
            neutralize(project.responsible_unit.name),
            str(plan.get_status_display()) if plan is not None else _("未编制"),
            year,
            plan.planned_investment if plan is not None else None,
            *[_money(v) for v in months],
            plan.planned_start_quarter if plan is not None else None,
            plan.planned_start_month if plan is not None else None,
            plan.planned_finish_month if plan is not None else None,
            neutralize(plan.progress_target) if plan is not None else "",
        ]
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col, value=value if value != "" else None)
            header = COLUMNS[col - 1]
            if header == H_INVEST or header in MONTH_HEADERS:
                cell.number_format = MONEY_FORMAT
            elif header in (H_CODE, H_NAME, H_TARGET):
                cell.number_format = "@"
    last = max(len(projects) + 1, 2) + 500
    money_cols = [COLUMNS.index(h) + 1 for h in (H_INVEST, *MONTH_HEADERS)]
    money = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("输入值无效"),
        error=_("请填写不小于0的数字（万元）。"),
    )
    for col in money_cols:
        letter = get_column_letter(col)
        money.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(money)
    quarter = DataValidation(
        type="list", formula1='"1,2,3,4"', allow_blank=True, showErrorMessage=True, error=_("请选择1–4。")
    )
    letter = get_column_letter(COLUMNS.index(H_QUARTER) + 1)
    quarter.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(quarter)
    month = DataValidation(
        type="whole",
        operator="between",
        formula1="1",
        formula2="12",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("输入值无效"),
        error=_("请填写1–12的整数（月份）。"),
    )
    for header in (H_START_MONTH, H_FINISH_MONTH):
        letter = get_column_letter(COLUMNS.index(header) + 1)
        month.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(month)
    years = DataValidation(
        type="whole", operator="between", formula1="2000", formula2="2100", allow_blank=False, showErrorMessage=True
    )
    letter = get_column_letter(COLUMNS.index(H_YEAR) + 1)
    years.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(years)
    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 32

    info = book.create_sheet(SHEET_NOTES)
    info.column_dimensions["A"].width = 110
    lines = [
        _("%(y)d 年度计划：每行一个项目，只列出您可以编制计划的项目。") % {"y": year},
        _("1. 不要修改表头；“责任单位”“计划状态”两列仅供参考，导入时忽略。"),
        _("2. 年度计划投资留空的行不导入（该项目本年度不编制计划）。"),
        _("3. 月度计划可全部留空；填写时12个月合计须等于年度计划投资，留空的月份按0计。"),
        _("4. 导入时先校验全部行：有任何错误时不写入任何数据，并可下载标注了错误单元格的文件。"),
        _("5. 导入的计划为“编制中”（草稿），须再经“批准为基线”；已批准为基线的计划不会被覆盖，须在项目页“申请调整”。"),
        _("6. 不要使用公式；金额单位为万元，最多2位小数。"),
        _("7. 计划开工月份、计划竣工月份填1–12的整数，可留空；竣工月份不能早于开工月份。"),
    ]
    info.cell(row=1, column=1, value=_("填写说明")).font = Font(bold=True, size=14)
    for row, line in enumerate(lines, start=2):
        info.cell(row=row, column=1, value=neutralize(str(line)))
    book.active = 0
    return workbook_bytes(book)


# ---------------------------------------------------------------------------------------------------------------
# Parse
# ---------------------------------------------------------------------------------------------------------------


def _read(data: bytes, report: PlanImportReport) -> KeyedRows | None:
    return read_keyed_rows(
        data,
        report,
        sheet_name=SHEET,
        header_index=HEADER_INDEX,
        required=REQUIRED_HEADERS,
        max_rows=MAX_ROWS,
        kind=_("年度计划表"),
        max_col=100,
    )


def _present_headers(data: bytes) -> set[str]:
    """The known headers of the upload's plan sheet (called after `_read` accepted the file)."""
    workbook = open_xlsx(data)
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        header = next(sheet.iter_rows(min_row=1, max_row=1, max_col=100, values_only=True), ())
        return {HEADER_INDEX[name] for name in map(_norm_header, header) if name in HEADER_INDEX}
    finally:
        workbook.close()


def _month(value: Any) -> int:
    """A month number: 3, "3", "03" or "3月"; 1–12."""
    if isinstance(value, str):
        value = value.strip().removesuffix("月").strip()
    try:
        month = _int(value)
    except CellError:
        raise CellError(_("请填写1–12的整数（月份），如 3 或“3月”（填写的是 %(v)s）。") % {"v": value}) from None
    if not 1 <= month <= 12:
        raise CellError(_("月份须为1–12（填写的是 %(v)s）。") % {"v": month})
    return month


def _same(plan: AnnualPlan, row: PlanImportRow) -> bool:
    def months(values):
        return [Decimal(str(v)) for v in values] if values else None

    def month(stored, given) -> bool:
        return given is services.KEEP or stored == given

    return (
        plan.planned_investment == row.planned_investment
        and months(plan.monthly_plan) == months(row.monthly_plan)
        and plan.planned_start_quarter == row.planned_start_quarter
        and month(plan.planned_start_month, row.planned_start_month)
        and month(plan.planned_finish_month, row.planned_finish_month)
        and (plan.progress_target or "") == row.progress_target
    )


def parse_plan_workbook(data: bytes, *, actor) -> PlanImportReport:
    """Validate every row of an uploaded plan workbook; writes nothing."""
    report = PlanImportReport()
    raw_rows = _read(data, report)
    if raw_rows is None:
        return report
    report.total_rows = len(raw_rows)
    present = _present_headers(data)
    projects = ProjectFinder(Project.objects.restrict(actor, "change").only("pk", "code", "name", "version"))
    parsed: list[tuple[int, Project, int, dict[str, Any]]] = []
    seen: dict[tuple[int, int], int] = {}
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
        year = read(H_YEAR, _int)
        if year is not None and not 2000 <= year <= 2100:
            report.add_error(number, H_YEAR, _("年度须在2000至2100之间（填写的是 %(v)s）。") % {"v": year})
            year = None
        elif year is None and not any(e["row"] == number and e["column"] == H_YEAR for e in report.errors):
            report.add_error(number, H_YEAR, _("请填写年度。"))
        invest = read(H_INVEST, lambda v: _decimal(v, places=2))
        months = [read(h, lambda v: _decimal(v, places=2)) for h in MONTH_HEADERS]
        quarter = read(H_QUARTER, _int)
        if quarter is not None and not 1 <= quarter <= 4:
            report.add_error(number, H_QUARTER, _("计划开工季度须为1–4（填写的是 %(v)s）。") % {"v": quarter})
        plan_months: dict[str, Any] = {}
        for header in (H_START_MONTH, H_FINISH_MONTH):
            plan_months[header] = read(header, _month) if header in present else services.KEEP
        start, finish = plan_months[H_START_MONTH], plan_months[H_FINISH_MONTH]
        if isinstance(start, int) and isinstance(finish, int) and finish < start:
            report.add_error(
                number,
                H_FINISH_MONTH,
                _("计划竣工月份（%(f)d月）不能早于计划开工月份（%(s)d月）。") % {"f": finish, "s": start},
            )
        target = read(H_TARGET, _text) or ""
        if len(target) > TARGET_MAX:
            report.add_error(
                number, H_TARGET, _("最多 %(n)d 字（填写了 %(k)d 字）。") % {"n": TARGET_MAX, "k": len(target)}
            )
        filled_months = any(cell_value is not None for cell_value in (values.get(h, (None,))[0] for h in MONTH_HEADERS))
        months_filled = any(not _is_blank(values.get(h, (None,))[0]) for h in (H_START_MONTH, H_FINISH_MONTH))
        other_filled = filled_months or quarter is not None or bool(target) or months_filled
        if invest is None and not any(e["row"] == number and e["column"] == H_INVEST for e in report.errors):
            if other_filled:
                report.add_error(
                    number,
                    H_INVEST,
                    _("填写了月度计划、开工季度、开工/竣工月份或形象进度目标时，年度计划投资必填。"),
                )
            elif len(report.errors) == errors_before:
                report.blank_rows += 1  # a project listed without a plan: nothing to do
                continue
        if len(report.errors) > errors_before or project is None or year is None or invest is None:
            continue
        monthly = None
        if filled_months:
            try:
                monthly = services.monthly_plan_clean([m if m is not None else "" for m in months], invest)
            except ValidationError as exc:
                report.add_error(number, H_INVEST, "；".join(exc.messages))
                continue
        key = (project.pk, year)
        if key in seen:
            report.add_error(
                number, H_CODE, _("与第 %(r)d 行是同一项目同一年度，每个项目每年只能填一行。") % {"r": seen[key]}
            )
            continue
        seen[key] = number
        parsed.append(
            (
                number,
                project,
                year,
                {
                    "invest": invest,
                    "monthly": monthly,
                    "quarter": quarter,
                    "target": target,
                    "start": start,
                    "finish": finish,
                },
            )
        )
    existing = _existing_plans((p.pk, y) for _n, p, y, _v in parsed)
    for number, project, year, v in parsed:
        row = PlanImportRow(
            row=number,
            project=project,
            year=year,
            planned_investment=v["invest"],
            monthly_plan=v["monthly"],
            planned_start_quarter=v["quarter"],
            progress_target=v["target"],
            plan=existing.get((project.pk, year)),
            planned_start_month=v["start"],
            planned_finish_month=v["finish"],
        )
        stored = row.plan
        start = stored.planned_start_month if stored is not None else None
        finish = stored.planned_finish_month if stored is not None else None
        start = start if row.planned_start_month is services.KEEP else row.planned_start_month
        finish = finish if row.planned_finish_month is services.KEEP else row.planned_finish_month
        if start is not None and finish is not None and finish < start:  # one month column missing from the file
            column = H_FINISH_MONTH if row.planned_finish_month is not services.KEEP else H_START_MONTH
            report.add_error(
                number,
                column,
                _("计划竣工月份（%(f)d月）不能早于计划开工月份（%(s)d月）。") % {"f": finish, "s": start},
            )
            continue
        if row.plan is None:
            row.action = "create"
        elif _same(row.plan, row):
            row.action = "unchanged"
        elif row.plan.status != PlanStatus.DRAFT:
            row.action = "skipped"
        else:
            row.action = "update"
        report.rows.append(row)
    return report


def _existing_plans(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], AnnualPlan]:
    keys = list(keys)
    by_year: dict[int, list[int]] = defaultdict(list)
    for pk, year in keys:
        by_year[year].append(pk)
    found: dict[tuple[int, int], AnnualPlan] = {}
    for year, pks in by_year.items():
        for start in range(0, len(pks), 500):
            for plan in AnnualPlan.objects.filter(year=year, project_id__in=pks[start : start + 500]):
                found[(plan.project_id, plan.year)] = plan
    return found


# ---------------------------------------------------------------------------------------------------------------
# Apply
# ---------------------------------------------------------------------------------------------------------------


def apply_plan_import(report: PlanImportReport, *, actor) -> tuple[int, int]:
    """Write the created and changed draft plans in one transaction; (created, updated). Nothing on any failure."""
    if report.fatal or report.errors:
        raise ApplicationError(
            _("文件中有 %(n)d 处错误，未导入任何数据。请修正后重新上传。") % {"n": len(report.errors)},
            code="import_invalid",
        )
    created = updated = 0
    with rows_written(_("无权修改该项目的计划。")) as at, _acting_as(actor), transaction.atomic():
        for row in report.rows:
            if row.action not in ("create", "update"):
                continue
            at.row = row.row
            services.annual_plan_save(
                actor=actor,
                project=row.project,
                year=row.year,
                planned_investment=row.planned_investment,
                progress_target=row.progress_target,
                monthly_plan=row.monthly_plan,
                planned_start_quarter=row.planned_start_quarter,
                version=row.version,
                planned_start_month=row.planned_start_month,
                planned_finish_month=row.planned_finish_month,
            )
            if row.action == "create":
                created += 1
            else:
                updated += 1
    return created, updated


# ---------------------------------------------------------------------------------------------------------------
# Annotated copy
# ---------------------------------------------------------------------------------------------------------------


def annotated_plan_copy(data: bytes, errors: Sequence[Mapping[str, Any]]) -> bytes:
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

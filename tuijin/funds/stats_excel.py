"""纳统 in Excel: the template of a month's 统计口径 figures (the month's projects listed, with what is already
entered) and its import by the 统计局 — check every row (a dry run through `services.stats_save`, so each row gets the
service's own answer: scope, locked figure, values), show the preview with the row errors in Chinese, then confirm:
every row written in one transaction, or none."""

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError
from tuijin.projects.models import Project
from tuijin.utilities.excel import is_formula_cell, open_xlsx, table_xlsx, unneutralize

from . import services
from .models import StatsFigure
from .stats import month_rows

__all__ = [
    "HEADERS",
    "MAX_MB",
    "MAX_ROWS",
    "ImportCheck",
    "ImportRow",
    "import_apply",
    "import_check",
    "template_xlsx",
]

MAX_MB = 5
MAX_ROWS = 5000
HEADERS = ["项目代码", "项目名称", "当月统计口径投资（万元）", "是否入库", "说明"]
YES = {"是", "已入库", "y", "yes", "1", "true", "√", "✓"}
NO = {"否", "未入库", "n", "no", "0", "false", "×", "✗", ""}


@dataclass
class ImportRow:
    """One good row of the file, as kept between the preview and the confirmation (JSON-safe)."""

    line: int
    project_id: int
    code: str
    name: str
    stats_investment: str  # Decimal as text
    in_database: bool
    note: str
    version: int | None  # the figure's version when checked (None: new)
    before: str  # the figure's amount before ("" when new)


@dataclass
class ImportCheck:
    month: date
    rows: list[ImportRow]
    errors: list[tuple[int, str]]  # (line, message)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def session_data(self) -> dict:
        return {"month": self.month.isoformat(), "rows": [asdict(r) for r in self.rows]}

    @classmethod
    def from_session(cls, data: dict) -> "ImportCheck":
        return cls(date.fromisoformat(data["month"]), [ImportRow(**r) for r in data["rows"]], [])


def template_xlsx(user, month: date) -> bytes:
    """The month's projects in the user's scope with their figure so far (blank when none entered)."""
    rows = [
        [
            r.code,
            r.name,
            r.stats if r.figure is not None else None,
            ("是" if r.figure.in_database else "否") if r.figure is not None else ("是" if r.in_database else "否"),
            r.figure.note if r.figure is not None else "",
        ]
        for r in month_rows(user, month)
        # a row without a code cannot be imported; a submitted (locked) figure cannot be changed here
        if r.code and not (r.figure is not None and r.figure.submitted_at is not None)
    ]
    return table_xlsx(
        _("%(y)d年%(m)d月统计口径") % {"y": month.year, "m": month.month},
        HEADERS,
        rows,
        widths=[22, 40, 20, 10, 30],
    )


def _text(cell) -> str:
    value = cell.value if cell is not None else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unneutralize(str(value)).strip()


def _amount(cell) -> Decimal:
    value = cell.value if cell is not None else None
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("请填写当月统计口径投资"))
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(_("当月统计口径投资须为数字（万元），收到“%(v)s”") % {"v": value}) from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(_("当月统计口径投资不能为负数"))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("当月统计口径投资最多保留两位小数"))
    return amount


def _flag(text: str) -> bool:
    lowered = text.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError(_("是否入库请填“是”或“否”，收到“%(v)s”") % {"v": text})


def _service_message(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or _("您没有执行此操作的权限。")


def import_check(*, actor, month: date, data: bytes) -> ImportCheck:
    """Read and check the file for `month`; nothing is written (the service runs in a savepoint rolled back)."""
    month = month.replace(day=1)
    book = open_xlsx(data, max_mb=MAX_MB)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    check = ImportCheck(month, [], [])
    raw: list[tuple[int, str, object, str, str]] = []
    header_seen = False
    for line, cells in enumerate(sheet.iter_rows(max_col=len(HEADERS)), start=1):
        cells = list(cells) + [None] * (len(HEADERS) - len(cells))
        if any(c is not None and is_formula_cell(c) for c in cells):
            check.errors.append((line, _("第%(n)d行：单元格含公式，请粘贴为数值后再导入。") % {"n": line}))
            continue
        code = _text(cells[0])
        if not header_seen:
            header_seen = True
            if code == HEADERS[0]:
                continue
        if not code and all(_text(c) == "" for c in cells):
            continue
        if _text(cells[2]) == "":  # no figure entered on this row: left alone, not an error
            continue
        raw.append((line, code, cells[2], _text(cells[3]), _text(cells[4])))
        if len(raw) > MAX_ROWS:
            check.errors.append((line, _("文件超过 %(n)d 行，请分批导入。") % {"n": MAX_ROWS}))
            return check
    codes = {code for _line, code, *_rest in raw if code}
    projects = {p.code: p for p in Project.objects.restrict(actor, "view").filter(code__in=codes)}
    figures = {f.project_id: f for f in StatsFigure.objects.filter(month=month, project__in=list(projects.values()))}
    seen: dict[str, int] = {}
    for line, code, amount_cell, flag_text, note in raw:
        label = _("第%(n)d行") % {"n": line}
        if not code:
            check.errors.append((line, _("%(l)s：请填写项目代码。") % {"l": label}))
            continue
        if code in seen:
            check.errors.append(
                (line, _("%(l)s：项目代码“%(c)s”与第%(o)d行重复。") % {"l": label, "c": code, "o": seen[code]})
            )
            continue
        seen[code] = line
        project = projects.get(code)
        if project is None:
            check.errors.append(
                (line, _("%(l)s：项目代码“%(c)s”不存在或不在您的管理范围内。") % {"l": label, "c": code})
            )
            continue
        try:
            amount = _amount(amount_cell)
            in_db = _flag(flag_text)
        except ValueError as exc:
            check.errors.append((line, _("%(l)s：%(e)s。") % {"l": label, "e": exc}))
            continue
        figure = figures.get(project.pk)
        if (
            figure is not None
            and figure.submitted_at is not None
            and figure.stats_investment == amount
            and figure.in_database == in_db
        ):
            continue  # a submitted figure re-sent unchanged: nothing to do
        row = ImportRow(
            line,
            project.pk,
            code,
            project.name,
            str(amount),
            in_db,
            note[:300],
            figure.version if figure is not None else None,
            str(figure.stats_investment) if figure is not None else "",
        )
        error = _dry_run(actor, project, month, row)
        if error:
            check.errors.append((line, _("%(l)s：%(e)s") % {"l": label, "e": error}))
            continue
        check.rows.append(row)
    if not raw and not check.errors:
        check.errors.append((0, _("文件中没有数据行。")))
    return check


def _save(actor, project, month: date, row: ImportRow) -> StatsFigure:
    return services.stats_save(
        actor=actor,
        project=project,
        month=month,
        stats_investment=Decimal(row.stats_investment),
        in_database=row.in_database,
        note=row.note,
        version=row.version,
    )


class _Rollback(Exception):
    pass


def _dry_run(actor, project, month: date, row: ImportRow) -> str:
    """The service's answer for the row, nothing kept ("" = it would be saved)."""
    try:
        with transaction.atomic():
            _save(actor, project, month, row)
            raise _Rollback
    except _Rollback:
        return ""
    except (ApplicationError, ValidationError, PermissionDenied) as exc:
        return _service_message(exc)


@transaction.atomic
def import_apply(*, actor, check: ImportCheck) -> int:
    """Write every checked row (one transaction); the first refusal (a figure submitted or changed since the
    preview) undoes them all and raises ApplicationError naming the row."""
    projects = Project.objects.in_bulk([r.project_id for r in check.rows])
    for row in check.rows:
        try:
            _save(actor, projects[row.project_id], check.month, row)
        except (ApplicationError, ValidationError, PermissionDenied, KeyError) as exc:
            raise ApplicationError(
                _("第%(n)d行（%(c)s）：%(e)s 未导入任何数据。")
                % {"n": row.line, "c": row.code, "e": _service_message(exc)},
                code="import",
            ) from exc
    return len(check.rows)

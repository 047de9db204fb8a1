"""对标对表 in Excel.

- The template: one row per active region (本区 included) and indicator for a period, with what is already entered.
- The export: the first sheet is every value of the year in the template's columns (so it imports back unchanged),
  the second the comparison table of the chosen month (values, targets, gaps). Text cells are neutralised against
  formula injection (`utilities.excel.neutralize`).
- The import: the first sheet is read (bounded, type-checked upload, `utilities.excel.open_xlsx`); every row is
  checked by a dry run of `services.value_save` (the service's own answers: source, 发布日期, months, ranges),
  the preview shows the row errors in Chinese, and the confirmation writes every row in one transaction or none.
  A row without a 数值 is left alone; a row equal to what is stored is counted as unchanged.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError
from tuijin.utilities.excel import is_formula_cell, neutralize, open_xlsx, unneutralize, workbook_bytes

from . import services
from .choices import Frequency
from .figures import QUARTER_ENDS, Board, fmt, period_label
from .models import Indicator, IndicatorValue, PeerRegion

__all__ = [
    "HEADERS",
    "MAX_MB",
    "MAX_ROWS",
    "ImportCheck",
    "ImportRow",
    "export_xlsx",
    "import_apply",
    "import_check",
    "template_xlsx",
]

MAX_MB = 5
MAX_ROWS = 5000
HEADERS = ["地区", "指标", "年度", "截至月份", "数值", "来源", "发布日期", "备注"]
WIDTHS = [14, 22, 8, 10, 12, 40, 14, 30]
IMPORT_MESSAGE = "Excel 导入"


def _cell(value):
    """Numbers and dates stay typed; any text is neutralised (a leading = + - @ … gets a quote)."""
    if value is None or isinstance(value, int | float | Decimal | dt.date):
        return value
    return neutralize(str(value))


def _write_sheet(sheet, title: str, headers: list[str], rows, widths: list[int]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.title = neutralize(title)[:31].replace("/", "-").replace(":", "-") or "Sheet"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def _book(sheets: list[tuple[str, list[str], list, list[int]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for index, (title, headers, rows, widths) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        _write_sheet(sheet, title, headers, rows, widths)
    return workbook_bytes(book)


def _value_row(v: IndicatorValue) -> list:
    return [v.region.name, v.indicator.name, v.year, v.month, v.value, v.source, v.published_on, v.note]


NOTES = [
    ["填写说明"],
    ["每行一个地区一个指标一期的累计数据；“数值”留空的行不导入。"],
    ["增速、占比填百分数（8.5 表示 8.5%）；个数填整数；金额填亿元。"],
    ["季度指标的截至月份填 3、6、9 或 12。来源和发布日期必填，发布日期如 2026-07-15。"],
    ["地区、指标须与平台中的名称一致（指标也可填代码）；已有数值的行导入后以文件为准（修改留痕）。"],
]


def template_xlsx(year: int, month: int) -> bytes:
    """Rows to fill for `year`/`month` (a quarterly indicator: the latest quarter end up to the month)."""
    regions = list(PeerRegion.objects.filter(Q(is_active=True) | Q(is_self=True)))
    indicators = list(Indicator.objects.all())
    stored = {
        (v.region_id, v.indicator_id, v.month): v
        for v in IndicatorValue.objects.filter(year=year, region__in=regions).select_related("region", "indicator")
    }
    rows = []
    for indicator in indicators:
        at = month
        if indicator.frequency == Frequency.QUARTER:
            at = max((m for m in QUARTER_ENDS if m <= month), default=0)
            if not at:
                continue
        for region in regions:
            value = stored.get((region.pk, indicator.pk, at))
            if value is not None:
                rows.append(_value_row(value))
            else:
                rows.append([region.name, indicator.name, year, at, None, "", None, ""])
    return _book(
        [
            (_("%(y)d年%(m)d月对标数据") % {"y": year, "m": month}, HEADERS, rows, WIDTHS),
            (_("填写说明"), ["说明"], NOTES[1:], [100]),
        ]
    )


def export_xlsx(board: Board, month: int) -> bytes:
    """Sheet 1: the year's values (importable); sheet 2: the comparison table at `month`."""
    values = (
        IndicatorValue.objects.filter(year=board.year)
        .select_related("region", "indicator")
        .order_by("indicator__sort_order", "indicator_id", "region__sort_order", "region_id", "month")
    )
    value_rows = [_value_row(v) for v in values]
    headers = ["指标", "期间", "本区", "口径", "目标", "与目标差距"]
    for region in board.peers:
        headers += [region.name, _("与%(r)s差距") % {"r": region.name}]
    table = []
    for comparison in board.comparisons(month):
        point = comparison.self_point
        row = [
            comparison.indicator.name,
            period_label(comparison.indicator, point.month) if point is not None else "",
            point.value if point is not None and point.value is not None else fmt(None),
            point.basis_label if point is not None else comparison.reason,
            comparison.target.value if comparison.target is not None else None,
            comparison.target_gap,
        ]
        for gap in comparison.peers:
            row += [gap.point.value if gap.point is not None else None, gap.gap]
        table.append(row)
    return _book(
        [
            (_("%(y)d年指标数值") % {"y": board.year}, HEADERS, value_rows, WIDTHS),
            (
                _("%(y)d年%(m)d月对标表") % {"y": board.year, "m": month},
                headers,
                table,
                [22, 10, 10, 12, 10, 12] + [10, 12] * len(board.peers),
            ),
        ]
    )


# -- import ---------------------------------------------------------------------------------------------------------


@dataclass
class ImportRow:
    """One good row, kept between the preview and the confirmation (JSON-safe)."""

    line: int
    region_id: int
    region: str
    indicator_id: int
    indicator: str
    year: int
    month: int
    value: str
    source: str
    published_on: str
    note: str
    pk: int | None = None  # the stored value it replaces
    version: int | None = None
    before: str = ""


@dataclass
class ImportCheck:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def session_data(self) -> dict:
        return {"rows": [asdict(r) for r in self.rows], "unchanged": self.unchanged}

    @classmethod
    def from_session(cls, data: dict) -> "ImportCheck":
        return cls([ImportRow(**r) for r in data["rows"]], [], data.get("unchanged", 0))


def _text(cell) -> str:
    value = cell.value if cell is not None else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unneutralize(str(value)).strip()


def _whole(text: str, label: str) -> int:
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise ValueError(_("%(f)s须为整数，收到“%(v)s”") % {"f": label, "v": text})
    return int(number)


def _number(cell) -> Decimal:
    value = cell.value if cell is not None else None
    text = str(value).strip().replace(",", "").removesuffix("%") if value is not None else ""
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("数值须为数字，收到“%(v)s”") % {"v": value}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValueError(_("数值须为数字，收到“%(v)s”") % {"v": value})
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("数值最多保留两位小数"))
    return number.quantize(Decimal("0.01"))


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    for fmt_ in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt_).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(_("发布日期格式应为 2026-07-15，收到“%(v)s”") % {"v": text})


def _service_message(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or _("您没有执行此操作的权限。")


class _Rollback(Exception):
    pass


def _data(row: ImportRow, regions: dict, indicators: dict) -> dict:
    return {
        "region": regions[row.region_id],
        "indicator": indicators[row.indicator_id],
        "year": row.year,
        "month": row.month,
        "value": Decimal(row.value),
        "source": row.source,
        "published_on": dt.date.fromisoformat(row.published_on) if row.published_on else None,
        "note": row.note,
    }


def _save(actor, row: ImportRow, regions: dict, indicators: dict, stored: IndicatorValue | None) -> None:
    services.value_save(
        actor=actor,
        data=_data(row, regions, indicators),
        value=stored,
        version=row.version,
        message=IMPORT_MESSAGE,
    )


def _dry_run(actor, row: ImportRow, regions: dict, indicators: dict, stored: IndicatorValue | None) -> str:
    try:
        with transaction.atomic():
            _save(actor, row, regions, indicators, stored)
            raise _Rollback
    except _Rollback:
        return ""
    except (ApplicationError, ValidationError, PermissionDenied) as exc:
        return _service_message(exc)


def import_check(*, actor, data: bytes) -> ImportCheck:
    """Read and check the file; nothing is written (each row's service call runs in a savepoint rolled back)."""
    book = open_xlsx(data, max_mb=MAX_MB)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    check = ImportCheck()
    regions = {r.name: r for r in PeerRegion.objects.all()}
    indicators: dict[str, Indicator] = {}
    for indicator in Indicator.objects.all():
        indicators[indicator.name] = indicator
        indicators[indicator.code] = indicator
    by_pk_regions = {r.pk: r for r in regions.values()}
    by_pk_indicators = {i.pk: i for i in indicators.values()}
    seen: dict[tuple[int, int, int, int], int] = {}
    parsed: list[tuple[int, list]] = []
    header_seen = False
    for line, cells in enumerate(sheet.iter_rows(max_col=len(HEADERS)), start=1):
        cells = list(cells) + [None] * (len(HEADERS) - len(cells))
        if any(c is not None and is_formula_cell(c) for c in cells):
            check.errors.append((line, _("第%(n)d行：单元格含公式，请粘贴为数值后再导入。") % {"n": line}))
            continue
        texts = [_text(c) for c in cells]
        if not header_seen:
            header_seen = True
            if texts[0] == HEADERS[0]:
                continue
        if not any(texts) or texts[4] == "":  # no value on this row: left alone
            continue
        parsed.append((line, cells))
        if len(parsed) > MAX_ROWS:
            check.errors.append((line, _("文件超过 %(n)d 行，请分批导入。") % {"n": MAX_ROWS}))
            return check
    stored = {
        (v.region_id, v.indicator_id, v.year, v.month): v
        for v in IndicatorValue.objects.filter(year__in={_year_of(c) for _l, c in parsed} - {None})
    }
    for line, cells in parsed:
        label = _("第%(n)d行") % {"n": line}
        texts = [_text(c) for c in cells]
        try:
            region = regions.get(texts[0])
            if region is None:
                raise ValueError(_("地区“%(v)s”不在对标地区中（请先在“对标地区”中添加）") % {"v": texts[0]})
            indicator = indicators.get(texts[1])
            if indicator is None:
                raise ValueError(_("指标“%(v)s”不存在（填指标名称或代码）") % {"v": texts[1]})
            year = _whole(texts[2], _("年度"))
            month = _whole(texts[3].removesuffix("月"), _("截至月份"))
            number = _number(cells[4])
            published = _date(texts[6])
        except ValueError as exc:
            check.errors.append((line, _("%(l)s：%(e)s。") % {"l": label, "e": exc}))
            continue
        key = (region.pk, indicator.pk, year, month)
        if key in seen:
            check.errors.append((line, _("%(l)s：与第%(o)d行是同一地区、指标和月份。") % {"l": label, "o": seen[key]}))
            continue
        seen[key] = line
        current = stored.get(key)
        row = ImportRow(
            line=line,
            region_id=region.pk,
            region=region.name,
            indicator_id=indicator.pk,
            indicator=indicator.name,
            year=year,
            month=month,
            value=str(number),
            source=texts[5][:200],
            published_on=published.isoformat() if published else "",
            note=texts[7][:300],
            pk=current.pk if current is not None else None,
            version=current.version if current is not None else None,
            before=fmt(current.value) if current is not None else "",
        )
        if (
            current is not None
            and current.value == number
            and current.source == row.source
            and current.published_on == published
            and current.note == row.note
        ):
            check.unchanged += 1
            continue
        error = _dry_run(actor, row, by_pk_regions, by_pk_indicators, current)
        if error:
            check.errors.append((line, _("%(l)s：%(e)s") % {"l": label, "e": error}))
            continue
        check.rows.append(row)
    if not parsed and not check.errors:
        check.errors.append((0, _("文件中没有填写数值的行。")))
    return check


def _year_of(cells: list) -> int | None:
    try:
        return int(Decimal(_text(cells[2])))
    except (InvalidOperation, ValueError):
        return None


@transaction.atomic
def import_apply(*, actor, check: ImportCheck) -> int:
    """Write every checked row (one transaction); the first refusal (a value changed since the preview) undoes them
    all and raises ApplicationError naming the row."""
    regions = PeerRegion.objects.in_bulk([r.region_id for r in check.rows])
    indicators = Indicator.objects.in_bulk([r.indicator_id for r in check.rows])
    stored = IndicatorValue.objects.in_bulk([r.pk for r in check.rows if r.pk is not None])
    for row in check.rows:
        try:
            current = stored[row.pk] if row.pk is not None else None
            _save(actor, row, regions, indicators, current)
        except (ApplicationError, ValidationError, PermissionDenied, KeyError) as exc:
            raise ApplicationError(
                _("第%(n)d行（%(r)s %(i)s）：%(e)s 未导入任何数据。")
                % {"n": row.line, "r": row.region, "i": row.indicator, "e": _service_message(exc)},
                code="import",
            ) from exc
    return len(check.rows)

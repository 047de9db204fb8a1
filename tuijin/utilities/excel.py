"""Spreadsheet helpers shared by every Excel import/export: opening uploads safely, formula-injection neutralisation.

Opening an uploaded .xlsx (security.md AS-FI-2/3): the bytes are checked *before* openpyxl sees them — size limit,
ZIP magic and structure, entry count, uncompressed size and compression ratio (zip bombs, via
`tuijin.utilities.uploads.sniff_type`), macros and links to external workbooks. openpyxl parses XML through
defusedxml (installed), so entity-expansion attacks fail inside the parser.

Bounded work (issue 19): `check_xlsx` also streams every worksheet's XML (and the shared strings) before openpyxl
sees it and refuses a workbook with more cells or strings than `TUIJIN_XLSX_MAX_CELLS`, or with a row number past
Excel's last row (1,048,576), so no reader can be made to build millions of cells. openpyxl creates a cell for every
coordinate it is asked to iterate, so code that edits an uploaded workbook (the annotated error copies) walks only
the cells that exist (`existing_cells`) and the header row's real cells (`header_cells`), never the sheet's
claimed dimensions (`max_row` × `max_column`: one stray cell at XFD1048576 claims 17 billion).

Writing (AS-CSV-1): text that a spreadsheet program could read as a formula — starting with = + - @, tab, CR, NUL or
their full-width forms — is prefixed with a single quote by `neutralize`; numbers stay numbers.
"""

import io
import re
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import strip_control
from .uploads import sniff_type

__all__ = [
    "FORMULA_TRIGGERS",
    "XLSX_CONTENT_TYPE",
    "XLSX_TYPES",
    "check_xlsx",
    "clear_annotations",
    "existing_cells",
    "header_cells",
    "is_formula_cell",
    "neutralize",
    "notes_column_for",
    "open_xlsx",
    "table_xlsx",
    "unneutralize",
    "workbook_bytes",
]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_TYPES: dict[str, tuple[str, ...]] = {XLSX_CONTENT_TYPE: (".xlsx",)}

# First characters that make Excel/WPS evaluate a cell as a formula (ASVS V1.2.10, OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")

MAX_ENTRIES = 1000
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_MAX_ROW = 1_048_576  # Excel's last row; a file claiming more was not written by Excel or WPS
HEADER_MAX_COL = 200  # the header row is read this far (a template has fewer than 50 columns)
SCAN_CHUNK = 4 * 1024 * 1024
_ROOT_RE = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?(?:worksheet|sst)\b")


def neutralize(value: str) -> str:
    """`value` prefixed with ' when its first character could start a formula; anything else unchanged. Control
    characters (which no XLSX can hold: one of them made a whole export fail) are dropped first."""
    value = strip_control(value)
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralize(value: str) -> str:
    """The inverse of `neutralize`, for re-importing an exported file; an imported cell's control characters are
    dropped (utilities.text)."""
    value = strip_control(value)
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def is_formula_cell(cell: Any) -> bool:
    """True for a cell openpyxl read as a formula (data_type 'f', or an array/data-table formula object)."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    if getattr(cell, "data_type", None) == "f":
        return True
    return isinstance(getattr(cell, "value", None), ArrayFormula | DataTableFormula)


def check_xlsx(data: bytes, *, max_mb: int | None = None) -> int:
    """Raise ValidationError (one Chinese message) unless `data` is a plausible, safe .xlsx workbook of at most
    `TUIJIN_XLSX_MAX_CELLS` cells; the number of cells (over all sheets, slightly over-counted)."""
    limit = (max_mb or settings.TUIJIN_UPLOAD_MAX_MB) * 1024 * 1024
    if not data:
        raise ValidationError(_("文件为空。"), code="empty")
    if len(data) > limit:
        raise ValidationError(_("文件超过 %(mb)d MB 的上限。") % {"mb": limit // (1024 * 1024)}, code="too_large")
    if data.startswith(OLE2_MAGIC):
        raise ValidationError(_("不支持旧版 Excel（.xls）文件，请在 Excel/WPS 中另存为 .xlsx 后再上传。"), code="xls")
    not_xlsx = _("文件不是有效的 Excel（.xlsx）文件（按文件内容识别）。请使用下载的模板填写后上传。")
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError(not_xlsx, code="not_xlsx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, NotImplementedError (crafted "version needed"), ValueError, EOFError …
        raise ValidationError(not_xlsx, code="not_xlsx") from exc
    if sniff_type(data) != XLSX_CONTENT_TYPE:  # also refuses zip bombs (size and ratio of every member)
        raise ValidationError(not_xlsx, code="not_xlsx")
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ValidationError(_("文件内部结构异常（条目过多），已拒绝。"), code="entries")
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise ValidationError(not_xlsx, code="not_xlsx")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(_("文件包含宏，已拒绝。请另存为不含宏的 .xlsx 文件后上传。"), code="macro")
    try:  # every member must decompress with a good CRC: a crafted local header would fail later, mid-import
        broken = archive.testzip()
    except Exception as exc:
        raise ValidationError(not_xlsx, code="not_xlsx") from exc
    if broken is not None:
        raise ValidationError(_("无法读取文件：文件已损坏或不是有效的 Excel（.xlsx）文件。"), code="corrupt")
    if any(name.startswith("xl/externalLinks/") for name in names):
        raise ValidationError(
            _("文件包含指向其他工作簿的外部链接，已拒绝。请在 Excel 中“断开链接”（或复制后“粘贴为数值”）后再上传。"),
            code="external_links",
        )
    try:
        return _check_extent(archive, names, settings.TUIJIN_XLSX_MAX_CELLS)
    except ValidationError:
        raise
    except Exception as exc:  # a member that does not decompress (already tested above) or other zip trouble
        raise ValidationError(not_xlsx, code="not_xlsx") from exc


def _member_extent(archive: zipfile.ZipFile, name: str, budget: int) -> tuple[int, int]:
    """Stream one XML member: (cells, or strings of the shared-string table, counted; the highest 7-digit row number,
    else 0), stopping as soon as `budget` or Excel's last row is passed."""
    cells = last_row = 0
    is_sst = name.endswith("sharedStrings.xml")
    with archive.open(name) as source:
        buffer = source.read(SCAN_CHUNK)
        root = _ROOT_RE.search(buffer[:4096])
        prefix = (root.group(1) + b":") if root and root.group(1) else b""
        # "<c" also counts <col>, <cfRule> … outside the cell data: a slight over-count, never an under-count.
        tag = b"<" + prefix + (b"si" if is_sst else b"c")
        rows = re.compile(b"<" + re.escape(prefix) + rb'row [^>]*?r="(\d{7,})"')
        while buffer:
            more = source.read(SCAN_CHUNK)
            if more:
                cut = buffer.rfind(b">") + 1  # whole tags only: the rest waits for the next chunk
                if cut <= 0:
                    buffer += more
                    continue
                chunk, buffer = buffer[:cut], buffer[cut:] + more
            else:
                chunk, buffer = buffer, b""
            cells += chunk.count(tag)
            if not is_sst:
                last_row = max([last_row, *map(int, rows.findall(chunk))])
            if cells > budget or last_row > EXCEL_MAX_ROW:
                break
    return cells, last_row


def _check_extent(archive: zipfile.ZipFile, names: set[str], max_cells: int) -> int:
    """Refuse a workbook whose sheets hold more cells (or shared strings) than `max_cells`, or a row past Excel's;
    the number of cells."""
    total = 0
    for name in sorted(names):
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")) and name != "xl/sharedStrings.xml":
            continue
        budget = max_cells if name.endswith("sharedStrings.xml") else max_cells - total
        cells, last_row = _member_extent(archive, name, budget)
        if last_row > EXCEL_MAX_ROW:
            raise ValidationError(
                _(
                    "文件中的行号超出了 Excel 的上限（%(max)d 行），不是由 Excel/WPS 正常保存的。"
                    "请在 Excel/WPS 中打开，只复制数据区粘贴到下载的模板中，保存后重新上传。"
                )
                % {"max": EXCEL_MAX_ROW},
                code="rows_beyond_excel",
            )
        if name.endswith("sharedStrings.xml"):
            if cells > max_cells:
                raise ValidationError(_too_many_cells(max_cells), code="too_many_cells")
            continue
        total += cells
        if total > max_cells:
            raise ValidationError(_too_many_cells(max_cells), code="too_many_cells")
    return total


def _too_many_cells(max_cells: int) -> str:
    return _(
        "文件过大：工作表中的单元格超过 %(n)s 个（可能含有大量空白格式，或在远离数据的位置误填了内容）。"
        "请删除数据区以外多余的行和列，或只把数据复制到下载的模板中，再重新上传。"
    ) % {"n": f"{max_cells:,}"}


def existing_cells(sheet) -> list[Any]:
    """The cells a (not read-only) worksheet really holds, in no order: never the dense `max_row` × `max_column`
    grid, which openpyxl would create cell by cell. Bounded by `TUIJIN_XLSX_MAX_CELLS` (`check_xlsx`)."""
    return list(sheet._cells.values())


def header_cells(sheet, *, max_col: int = HEADER_MAX_COL) -> list[Any]:
    """Row 1's existing cells with a value within the first `max_col` columns, left to right (a stray cell at XFD1
    neither creates 16,384 cells nor pushes the error column past Excel's last column)."""
    cells = [cell for (row, column), cell in sheet._cells.items() if row == 1 and column <= max_col]
    return sorted(
        (cell for cell in cells if cell.value is not None and str(cell.value).strip()), key=lambda c: c.column
    )


def clear_annotations(sheet, *, author: str, notes_column: int | None) -> None:
    """Remove an earlier annotation: every comment signed `author` (and its red fill), and the values below the
    header of an existing error column `notes_column`. Walks only the existing cells."""
    from openpyxl.styles import PatternFill

    no_fill = PatternFill(fill_type=None)
    for cell in existing_cells(sheet):
        if cell.comment is not None and cell.comment.author == author:
            cell.comment = None
            if cell.row > 1:
                cell.fill = no_fill
        if notes_column is not None and cell.column == notes_column and cell.row > 1:
            cell.value = None


NOTES_REACH = 10  # un-headed columns right of the headers that may hold the user's own notes


def notes_column_for(sheet, headers: list[Any], is_notes: Any) -> tuple[int, bool]:
    """Where the 「错误说明」 column goes: (the column of an earlier one — `is_notes(value)` — , True), else (the
    first column after the headers and after any value the user typed in the `NOTES_REACH` columns beyond them,
    False). A stray cell far to the right does not move it."""
    for cell in headers:
        if is_notes(cell.value):
            return int(cell.column), True
    last = int(headers[-1].column) if headers else 0
    near = [c.column for c in existing_cells(sheet) if last < c.column <= last + NOTES_REACH and c.value is not None]
    return max([last, *near]) + 1, False


def open_xlsx(data: bytes, *, read_only: bool = True, max_mb: int | None = None):
    """`check_xlsx`, then openpyxl's workbook (formulas kept as formulas, external links dropped).

    Any parser failure (corrupt XML, entity expansion refused by defusedxml) becomes one ValidationError.
    """
    import openpyxl

    check_xlsx(data, max_mb=max_mb)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=read_only, data_only=False, keep_links=False, keep_vba=False, rich_text=False
        )
        if not workbook.worksheets:
            raise ValueError("no worksheet")
        if read_only:
            # a read-only workbook parses its sheets lazily: read them once here (check_xlsx bounded the cells), so
            # a broken sheet (bad XML, a shared-string index out of range) is refused now, not mid-import (#19)
            for sheet in workbook.worksheets:
                for _row in sheet.iter_rows(values_only=True):
                    pass
    except Exception as exc:  # openpyxl, zipfile and defusedxml raise many unrelated types
        raise ValidationError(_("无法读取文件：文件已损坏或不是有效的 Excel（.xlsx）文件。"), code="corrupt") from exc
    return workbook


def workbook_bytes(workbook) -> bytes:
    """Save an openpyxl workbook (normal or write-only) to bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_xlsx(title: str, headers: list[str], rows, *, widths: list[int] | None = None) -> bytes:
    """One sheet: a bold, frozen header row and `rows` below it. Text is neutralised; Decimal, int, date and
    datetime stay typed (a datetime is written in local time without zone, as Excel expects); None stays blank."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = neutralize(title)[:31].replace("/", "-").replace(":", "-") or "Sheet1"
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        values = []
        for value in row:
            if isinstance(value, dt.datetime):
                value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
            elif isinstance(value, str):
                value = neutralize(value)
            elif value is not None and not isinstance(value, (int, float, Decimal, dt.date)):
                value = neutralize(str(value))
            values.append(value)
        sheet.append(values)
    for i, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    return workbook_bytes(book)

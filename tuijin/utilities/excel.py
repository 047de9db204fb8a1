"""Spreadsheet helpers shared by every Excel import/export: opening uploads safely, formula-injection neutralisation.

Opening an uploaded .xlsx (security.md AS-FI-2/3): the bytes are checked *before* openpyxl sees them — size limit,
ZIP magic and structure, entry count, uncompressed size and compression ratio (zip bombs, via
`tuijin.utilities.uploads.sniff_type`), macros and links to external workbooks. openpyxl parses XML through
defusedxml (installed), so entity-expansion attacks fail inside the parser.

Writing (AS-CSV-1): text that a spreadsheet program could read as a formula — starting with = + - @, tab, CR, NUL or
their full-width forms — is prefixed with a single quote by `neutralize`; numbers stay numbers.
"""

import io
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
    "is_formula_cell",
    "neutralize",
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


def check_xlsx(data: bytes, *, max_mb: int | None = None) -> None:
    """Raise ValidationError (one Chinese message) unless `data` is a plausible, safe .xlsx workbook."""
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


def open_xlsx(data: bytes, *, read_only: bool = True, max_mb: int | None = None):
    """`check_xlsx`, then openpyxl's workbook (formulas kept as formulas, external links dropped).

    Any parser failure (corrupt XML, entity expansion refused by defusedxml) becomes one ValidationError.
    """
    import openpyxl

    check_xlsx(data, max_mb=max_mb)
    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=read_only, data_only=False, keep_links=False, keep_vba=False, rich_text=False
        )
    except Exception as exc:  # openpyxl, zipfile and defusedxml raise many unrelated types
        raise ValidationError(_("无法读取文件：文件已损坏或不是有效的 Excel（.xlsx）文件。"), code="corrupt") from exc


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

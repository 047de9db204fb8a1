"""Excel for 招商: the lead list and the promise ledger (承诺台账) exported, imported with a preview, and the annotated
error copy of a refused upload.

The file format is one contract per kind (`LEAD_COLUMNS`, `LEDGER_COLUMNS`: fixed Chinese headers). An export can be
imported again unchanged: its extra columns (阶段, 审核状态, each stage's data, the ledger's 兑现 state …) are
reference columns, recognised and ignored, and an unchanged row writes nothing.

Reading reuses the project import's pieces (`tuijin.projects.excel`): `read_keyed_rows` (the file checked first by
`tuijin.utilities.excel.open_xlsx`: a real .xlsx, no zip bomb, no macros, no external links; headers matched; at
most `MAX_ROWS` rows), its cell converters (`_text` undoes the export's formula neutralisation, `_amount` reads
"约5亿元" through `projects.partial.parse_amount` as the lead form does, `_date`, `_decimal`), `rows_written` and
`_acting_as`. A formula in a cell is an error.

Every row is then checked by the services themselves: `services.lead_create` / `lead_update` and
`ledger.commitment_create` run on the row inside a savepoint that is always rolled back (`_dry_run`), so the rules,
the messages and the scope check are exactly those of the pages; nothing is written while checking. Names are
resolved first, within what the importing user may see: the tracking or responsible unit by name
(`forms.tracking_unit_choices`), the chain by name, the industry by code or name, investor tags by label, the lead
of a ledger line by its ID or its exact name.

Import is two steps, like the 历史数据 import: the upload is checked and kept as a `projects.ImportJob`
(kind "leads" / "commitments") with its errors; the page shows the errors (and the annotated copy: each bad cell
filled red with its Chinese message as a comment, and a 「错误说明」 column), or a preview. 确认导入
(`import_apply`) checks the stored file again against the current data and writes every row in ONE transaction:
any refusal rolls everything back and names its row.

Leads: a row with 招商项目ID updates that lead at the 版本 the file was exported with (an older version is an
error: the lead changed since), a row without creates one. Only the 在谈 fields (`services.LEAD_FIELDS`) are
imported; stage data goes through the stage workflow and its review. Ledger lines are created as 草拟 (DRAFT); the
preview shows the 公平竞争审查 flags each would raise (`ledger.fc_flags`). An exported line (with its 承诺ID) is not
changed by an import: unchanged it is skipped, changed it is an error (edit it on the ledger page).
"""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.exceptions import ApplicationError
from tuijin.org.choices import UnitType
from tuijin.org.models import OrgUnit
from tuijin.progress.history import HistoryCheck, _grouped
from tuijin.projects.excel import (
    ANNOTATION_AUTHOR,
    ERROR_HEADER,
    LIST_SPLIT,
    CellError,
    _acting_as,
    _amount,
    _date,
    _decimal,
    _is_blank,
    _norm_header,
    _service_errors,
    _text,
    read_keyed_rows,
    rows_written,
)
from tuijin.projects.models import ImportJob, IndustryCategory, IndustryChain
from tuijin.utilities.excel import (
    XLSX_TYPES,
    clear_annotations,
    header_cells,
    neutralize,
    notes_column_for,
    open_xlsx,
    table_xlsx,
    workbook_bytes,
)
from tuijin.utilities.uploads import check_upload

from . import ledger, services
from .choices import (
    GOVERNMENT_CATEGORIES,
    INVESTOR_CATEGORIES,
    CommitmentCategory,
    CommitmentSide,
    CommitmentState,
    CommitmentStatus,
    Confirmation,
    ContractKind,
    InvestorTag,
    LeadStage,
    ReviewStatus,
)
from .forms import tracking_unit_choices
from .models import Commitment, Lead

__all__ = [
    "KINDS",
    "LEAD_COLUMNS",
    "LEDGER_COLUMNS",
    "MAX_ROWS",
    "ImportCheck",
    "PreviewRow",
    "annotated_copy",
    "export_leads_xlsx",
    "export_ledger_xlsx",
    "import_apply",
    "import_check",
    "import_job_create",
    "import_template",
    "parse_leads",
    "parse_ledger",
]

LEAD_SHEET = "招商项目"
LEDGER_SHEET = "承诺台账"
NOTES_SHEET = "填写说明"
OPTIONS_SHEET = "选项"
MAX_ROWS = 1000  # each row runs the services to check it (in a savepoint), ~30 ms a lead: a district's leads fit
TEMPLATE_ROWS = 1000  # data-validation ranges of the templates
MAX_STORED_ERRORS = 5000

# how a column is read and written
RESPONSIBLE = "responsible"  # a unit of the lead's district (`views_ledger.county_units`), resolved with the lead
ID, VERSION, TEXT, DECIMAL, AMOUNT, DATE, UNIT, ENTERPRISE, CHAIN, INDUSTRY, TAGS, SIDE, CATEGORY, LEAD_NAME = (
    "id",
    "version",
    "text",
    "decimal",
    "amount",
    "date",
    "unit",
    "enterprise",
    "chain",
    "industry",
    "tags",
    "side",
    "category",
    "lead_name",
)


@dataclass(frozen=True)
class Col:
    """One column: its header (the file-format contract: fixed Chinese text), the model field, how it is read."""

    header: str
    key: str
    kind: str = TEXT
    required: bool = False
    note: Any = ""
    width: int = 16


# The lead's own (在谈) fields and the data added later; a column is imported when its field is in
# services.LEAD_FIELDS (read at run time), otherwise it is exported for reference only.
LEAD_COLUMNS = [
    Col("招商项目ID", "id", ID, note=gettext_lazy("已有项目的编号（导出文件自带）；新增的项目留空"), width=11),
    Col("版本", "version", VERSION, note=gettext_lazy("导出时的版本号，更新已有项目时必填；新增留空"), width=7),
    Col("项目名称", "name", required=True, width=30),
    Col("投资方", "investor", required=True, width=24),
    Col("投资方性质", "investor_tags", TAGS, note=gettext_lazy("可填多个，用顿号分隔"), width=18),
    Col("国民经济行业", "industry", INDUSTRY, note=gettext_lazy("大类代码或名称，如“39”"), width=18),
    Col("所属产业链", "chain", CHAIN, note=gettext_lazy("启用中的产业链名称"), width=16),
    Col("项目建设内容", "content", width=36),
    Col(
        "拟投资额（万元）",
        "planned_investment",
        AMOUNT,
        note=gettext_lazy("万元数，如 50000；也可写“5亿元”，估算的写“约5亿元”；不知道就留空"),
        width=16,
    ),
    Col("拟选址", "planned_site", width=20),
    Col("用地需求（亩）", "land_need_mu", DECIMAL, width=12),
    Col("跟踪单位", "tracking_unit", UNIT, required=True, note=gettext_lazy("单位全称，须在您的权限范围内"), width=18),
    Col("跟踪人", "tracking_person", width=10),
    Col("客商联系人", "contact_name", width=10),
    Col("联系人职务", "contact_position", width=12),
    Col("联系电话", "contact_phone", width=14),
    Col("项目引荐单位", "recommender", width=18),
    Col("注册资本（万元）", "reg_capital", DECIMAL, width=14),
    Col("法定代表人", "legal_person", width=10),
    Col("股东及出资", "shareholders", width=24),
    Col("建设地点", "site", width=20),
    Col("项目用地（亩）", "land_mu", DECIMAL, width=12),
    Col("累计实际到位资金（万元）", "arrived_funds", DECIMAL, width=16),
    Col("已形成产能（万元）", "capacity", DECIMAL, width=14),
    Col("月度销售收入（万元）", "monthly_sales", DECIMAL, width=14),
    Col("企业账号", "enterprise", ENTERPRISE, note=gettext_lazy("投资方在本平台的企业单位名称"), width=18),
]
# Exported for reference, ignored on import (stage data moves with the stage workflow and its review).
LEAD_REFERENCE = [
    Col("阶段", "stage", width=8),
    Col("审核状态", "review_status", width=10),
    Col("审核意见", "review_opinion", width=20),
    Col("终止原因", "termination_reason", width=20),
    Col("签约时间", "signed_date", DATE, width=12),
    Col("协议/合同", "contract_kind", width=9),
    Col("合同（协议）投资总额（万元）", "signed_total", DECIMAL, width=16),
    Col("一期投资额（万元）", "phase1_investment", DECIMAL, width=14),
    Col("在本地注册企业名称", "registered_name", width=24),
    Col("统一社会信用代码", "credit_code", width=20),
    Col("注册时间", "registered_date", DATE, width=12),
    Col("开工时间", "start_date", DATE, width=12),
    Col("投产时间", "production_date", DATE, width=12),
    Col("达产时间", "reached_date", DATE, width=12),
    Col("转化的重点项目", "project", width=24),
]

LEDGER_COLUMNS = [
    Col("承诺ID", "id", ID, note=gettext_lazy("已有台账行的编号（导出文件自带）；新增的承诺留空"), width=9),
    Col("招商项目ID", "lead_id", ID, note=gettext_lazy("填写招商项目ID或项目名称之一"), width=11),
    Col("招商项目名称", "lead_name", LEAD_NAME, note=gettext_lazy("与系统中的项目名称完全一致"), width=28),
    Col("承诺方", "side", SIDE, required=True, width=10),
    Col("承诺类别", "category", CATEGORY, required=True, width=14),
    Col("承诺事项", "content", required=True, width=36),
    Col("承诺依据（合同条款）", "clause", width=20),
    Col("兑现条件", "condition", width=24),
    Col("计划兑现时间", "due_date", DATE, required=True, note=gettext_lazy("YYYY-MM-DD"), width=13),
    Col("承诺金额（万元）", "amount", DECIMAL, width=14),
    Col("承诺指标值", "target_value", DECIMAL, width=12),
    Col("指标单位", "target_unit", width=10),
    Col(
        "责任单位",
        "responsible_unit",
        RESPONSIBLE,
        note=gettext_lazy("政府承诺必填；招商项目所在区县的政府部门或单位全称"),
        width=18,
    ),
]
LEDGER_REFERENCE = [
    Col("跟踪单位", "lead__tracking_unit", width=16),
    Col("签订状态", "state", width=9),
    Col("兑现状态", "status", width=14),
    Col("兑现金额（万元）", "realised_amount", DECIMAL, width=14),
    Col("实际完成值", "realised_value", DECIMAL, width=12),
    Col("兑现日期", "fulfilled_on", DATE, width=12),
    Col("兑现佐证", "evidence", width=20),
    Col("情况说明", "status_note", width=20),
    Col("企业确认", "confirmation", width=12),
    Col("企业意见", "confirmation_comment", width=20),
    Col("公平竞争审查提示", "fc_flags", width=24),
]


CHOICES = {
    "stage": LeadStage,
    "review_status": ReviewStatus,
    "contract_kind": ContractKind,
    "side": CommitmentSide,
    "category": CommitmentCategory,
    "state": CommitmentState,
    "status": CommitmentStatus,
    "confirmation": Confirmation,
}


def _header_index(columns: Iterable[Col]) -> dict[str, str]:
    return {_norm_header(column.header): column.header for column in columns}


def _lead_importable() -> list[Col]:
    return [c for c in LEAD_COLUMNS if c.kind in (ID, VERSION) or c.key in services.LEAD_FIELDS]


def _label(choices, value: str) -> str:
    with translation.override("zh-hans"):
        return str(dict(choices.choices).get(value, value)) if value else ""


def _labels(choices, values: Iterable[str] | None = None) -> list[str]:
    with translation.override("zh-hans"):
        known = dict(choices.choices)
        return [str(known[v]) for v in (values if values is not None else known)]


# ---------------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A cell's value for `table_xlsx`: numbers and dates typed, anything else as text (neutralised there)."""
    if value is None or value == "":
        return None
    return value


def _lead_value(lead: Lead, column: Col) -> Any:
    key, kind = column.key, column.kind
    if kind == VERSION:
        return lead.version
    if kind == ID:
        return lead.pk
    if kind == TAGS:
        return "、".join(_labels(InvestorTag, [t for t in lead.investor_tags or [] if t in InvestorTag.values]))
    if kind == INDUSTRY:
        return f"{lead.industry.code} {lead.industry.name}" if lead.industry is not None else None
    if kind in (UNIT, ENTERPRISE, CHAIN):
        related = getattr(lead, key)
        return related.name if related is not None else None
    if kind == AMOUNT:  # an estimate is written "约30000.00", which imports back as the same value and flag
        value = lead.planned_investment
        return f"约{value}" if value is not None and lead.planned_investment_approx else value
    if key == "project":
        project = lead.project
        return (f"{project.code} {project.name}" if project.code else project.name) if project is not None else None
    value = getattr(lead, key)
    if key in CHOICES:  # the file format is Chinese, whatever the user's language
        return _label(CHOICES[key], value) or None
    return value


def export_leads_xlsx(queryset) -> bytes:
    """The leads of `queryset` (already scoped and filtered) in the import's format plus the reference columns:
    amounts in 万元 as numbers, dates as dates, every text neutralised against formula injection."""
    columns = [*LEAD_COLUMNS, *LEAD_REFERENCE]
    queryset = queryset.select_related("tracking_unit", "chain", "industry", "enterprise", "project")
    rows = ([_plain(_lead_value(lead, c)) for c in columns] for lead in queryset.iterator(chunk_size=2000))
    return table_xlsx(LEAD_SHEET, [c.header for c in columns], rows, widths=[c.width for c in columns])


def _ledger_value(line: Commitment, column: Col) -> Any:
    key = column.key
    if key == "id":
        return line.pk
    if key == "lead_id":
        return line.lead_id
    if key == "lead_name":
        return line.lead.name
    if key == "lead__tracking_unit":
        return line.lead.tracking_unit.name
    if key == "responsible_unit":
        return line.responsible_unit.name if line.responsible_unit is not None else None
    if key == "fc_flags":
        return "、".join(str(flag) for flag in line.fc_flags or []) or None
    value = getattr(line, key)
    if key in CHOICES:
        return _label(CHOICES[key], value) or None
    return value


def export_ledger_xlsx(queryset, *, supervision: bool = True) -> bytes:
    """The ledger lines of `queryset` (already scoped), both sides, in the import's format plus their state. Without
    `supervision` (an enterprise account: `ledger.sees_supervision`) the 公平竞争审查 column is left out."""
    columns = [*LEDGER_COLUMNS, *LEDGER_REFERENCE]
    if not supervision:
        columns = [c for c in columns if c.key != "fc_flags"]
    queryset = queryset.select_related("lead__tracking_unit", "responsible_unit").order_by("lead_id", "side", "pk")
    rows = ([_plain(_ledger_value(line, c)) for c in columns] for line in queryset.iterator(chunk_size=2000))
    return table_xlsx(LEDGER_SHEET, [c.header for c in columns], rows, widths=[c.width for c in columns])


# ---------------------------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------------------------


def _template(sheet_name: str, columns: Sequence[Col], options: Mapping[str, list[str]], notes: list[str]) -> bytes:
    """A data sheet (headers, required ones in red, drop-downs from a hidden 「选项」 sheet where `options` has the
    column's header) and a 「填写说明」 sheet with the general notes and one line per column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name
    info = book.create_sheet(NOTES_SHEET)
    lists = book.create_sheet(OPTIONS_SHEET)
    lists.sheet_state = "hidden"
    last = TEMPLATE_ROWS + 1
    listed = 0
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = PatternFill("solid", fgColor="F8CBAD" if column.required else "DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[letter].width = column.width
        if column.kind not in (DECIMAL, ID, VERSION, DATE):
            sheet.column_dimensions[letter].number_format = "@"
        values = options.get(column.header)
        if not values:
            continue
        listed += 1
        option_letter = get_column_letter(listed)
        lists[f"{option_letter}1"] = column.header
        for row, value in enumerate(values, start=2):
            lists[f"{option_letter}{row}"] = neutralize(value)
        validation = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(OPTIONS_SHEET)}!${option_letter}$2:${option_letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=column.kind != TAGS,  # several tags in one cell are not one list item
            errorTitle=_("输入值无效"),
            error=_("请从下拉列表中选择。"),
        )
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    info.column_dimensions["A"].width = 26
    info.column_dimensions["B"].width = 10
    info.column_dimensions["C"].width = 70
    info.cell(row=1, column=1, value=_("填写说明")).font = Font(bold=True, size=14)
    row = 2
    for line in notes:
        info.cell(row=row, column=1, value=neutralize(str(line)))
        row += 1
    row += 1
    for index, title in enumerate((_("列名"), _("是否必填"), _("格式要求 / 可选值")), start=1):
        info.cell(row=row, column=index, value=title).font = Font(bold=True)
    for column in columns:
        row += 1
        allowed = options.get(column.header) or []
        text = "；".join(p for p in (str(column.note), (_("可选：") + "、".join(allowed)) if allowed else "") if p)
        entry = (column.header, _("必填") if column.required else _("选填"), text)
        for index, value in enumerate(entry, start=1):
            info.cell(row=row, column=index, value=neutralize(value)).alignment = Alignment(wrap_text=True)
    book.active = 0
    return workbook_bytes(book)


def _unit_names(actor) -> list[str]:
    return list(dict.fromkeys(tracking_unit_choices(actor).values_list("name", flat=True)))


def lead_template(*, actor) -> bytes:
    columns = _lead_importable()
    options = {
        "投资方性质": _labels(InvestorTag),
        "所属产业链": list(IndustryChain.objects.filter(is_active=True).values_list("name", flat=True)),
        "国民经济行业": [
            f"{code} {name}"
            for code, name in IndustryCategory.objects.filter(parent__isnull=False).values_list("code", "name")
        ],
        "跟踪单位": _unit_names(actor),
    }
    notes = [
        _("1. 在「招商项目」工作表第2行起每行填写一个招商项目；不要修改表头。红色表头的列必填。"),
        _("2. 招商项目ID留空的行新增项目；填写招商项目ID的行更新该项目，须同时填写导出时的版本号。"),
        _("3. 更新时本表各列整体覆盖原值，留空即清空。阶段、签约、注册等阶段资料不通过导入修改，请在项目页提交阶段。"),
        _("4. 拟投资额单位为万元，可写“5亿元”，估算的写“约5亿元”。投资方性质可填多个，用顿号分隔。"),
        _("5. 跟踪单位只能填写您权限范围内的单位。不要使用公式。单个文件最多 %(n)d 行。") % {"n": MAX_ROWS},
        _("6. 上传后逐行校验：有任何错误时不写入任何数据，可下载标注了错误单元格的文件；无误时核对预览后确认导入。"),
    ]
    return _template(LEAD_SHEET, columns, options, notes)


def _responsible_names(actor) -> list[str]:
    """The units that may be responsible for a promise of the actor's leads: those of each lead's district."""
    from .views_ledger import county_units

    names: list[str] = []
    leads = Lead.objects.restrict(actor, "view").select_related("tracking_unit__region")
    for region in leads.values_list("tracking_unit__region", flat=True).distinct():
        lead = leads.filter(tracking_unit__region=region).first()
        if lead is not None:
            names += county_units(lead).values_list("name", flat=True)
    return list(dict.fromkeys(names))


def ledger_template(*, actor) -> bytes:
    options = {
        "承诺方": _labels(CommitmentSide),
        "承诺类别": _labels(CommitmentCategory),
        "责任单位": _responsible_names(actor),
    }
    notes = [
        _("1. 在「承诺台账」工作表第2行起每行填写一条承诺；不要修改表头。红色表头的列必填。"),
        _("2. 用招商项目ID或完全一致的项目名称指明所属招商项目，须在您的管理范围内。"),
        _("3. 政府承诺的类别：%(g)s；企业承诺的类别：%(i)s。政府承诺须填写责任单位。")
        % {
            "g": "、".join(_labels(CommitmentCategory, GOVERNMENT_CATEGORIES)),
            "i": "、".join(_labels(CommitmentCategory, INVESTOR_CATEGORIES)),
        },
        _("4. 导入的承诺为“草拟”状态，预览中列出每条将触发的公平竞争审查提示；签订须在台账页面完成。"),
        _("5. 已有的台账行（带承诺ID）不通过导入修改；内容一致的行跳过。不要使用公式。"),
        _("6. 上传后逐行校验：有任何错误时不写入任何数据，可下载标注了错误单元格的文件；无误时核对预览后确认导入。"),
    ]
    return _template(LEDGER_SHEET, LEDGER_COLUMNS, options, notes)


# ---------------------------------------------------------------------------------------------------------------
# The check (no writes) and its preview
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class PreviewRow:
    """A valid row and what importing it does: create / update / unchanged."""

    row: int
    action: str
    label: str  # the lead's name, or the ledger line's content
    owner: str = ""  # the tracking unit, or the ledger line's lead
    amount: Decimal | None = None
    changes: list[str] = field(default_factory=list)  # the headers an update changes
    flags: list[str] = field(default_factory=list)  # 公平竞争审查 flags (ledger)
    detail: str = ""  # e.g. 政府承诺 · 奖补资金 · 2026-06-30
    pk: int | None = None  # the lead updated, or the ledger line's lead
    version: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


ACTION_LABELS = {"create": gettext_lazy("新增"), "update": gettext_lazy("更新")}


@dataclass
class ImportCheck(HistoryCheck):
    """The outcome of checking a file: the 历史数据 import's counts, summary and preview groups (per 新增/更新 and
    tracking unit or lead, with their 万元 sums; `tally` fills them), plus every valid row."""

    rows: list[PreviewRow] = field(default_factory=list)

    def add_error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": str(message)})

    def tally(self) -> "ImportCheck":
        self.to_create = sum(1 for row in self.rows if row.action == "create")
        self.to_update = sum(1 for row in self.rows if row.action == "update")
        self.unchanged = sum(1 for row in self.rows if row.action == "unchanged")
        moving = [(str(ACTION_LABELS[r.action]), r.owner, r.amount) for r in self.rows if r.action in ACTION_LABELS]
        self.groups, self.totals = _grouped(moving)
        return self

    def total(self, action: str) -> Decimal:
        return sum((row.amount for row in self.rows if row.action == action and row.amount is not None), Decimal(0))

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.flags and row.action == "create")


class _Rollback(Exception):
    """Raised inside `_dry_run`'s savepoint to undo what the service wrote."""


def _dry_run(write: Callable[[], Any]) -> None:
    """Run a service on one row and undo everything it wrote: its own checks (and its errors) are the row's."""
    try:
        with transaction.atomic():
            write()
            raise _Rollback
    except _Rollback:
        pass


def _read(data: bytes, check: ImportCheck, *, sheet: str, columns: Sequence[Col], required: list[str], kind: str):
    return read_keyed_rows(
        data,
        check,
        sheet_name=sheet,
        header_index=_header_index(columns),
        required=required,
        max_rows=MAX_ROWS,
        kind=kind,
        max_col=80,
    )


class _Cells:
    """One row's cells: read a column with its converter; a bad cell becomes the row's error at that column."""

    def __init__(self, check: ImportCheck, number: int, values: Mapping[str, tuple[Any, bool]]):
        self.check, self.number, self.values, self.failed = check, number, values, False

    def raw(self, header: str) -> Any:
        value, formula = self.values.get(header, (None, False))
        if formula:
            raise CellError(_("不能使用公式，请直接填写内容（可“选择性粘贴为数值”）。"))
        return None if _is_blank(value) else value

    def read(self, header: str, convert: Callable[[Any], Any], empty: Any = None) -> Any:
        try:
            value = self.raw(header)
            return empty if value is None else convert(value)
        except CellError as exc:
            self.error(header, str(exc))
            return empty

    def error(self, header: str, message: str) -> None:
        self.check.add_error(self.number, header, message)
        self.failed = True


def _int(value: Any) -> int:
    return int(_decimal(value, places=0))


def _by_name(objects: Iterable[Any], *, short: bool = False) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = defaultdict(list)
    for obj in objects:
        found[obj.name.strip()].append(obj)
        if short and getattr(obj, "short_name", "").strip() and obj.short_name.strip() != obj.name.strip():
            found[obj.short_name.strip()].append(obj)
    return found


def _one(found: dict[str, list[Any]], value: Any, missing: str, ambiguous: str) -> Any:
    name = _text(value)
    matches = found.get(name, [])
    if not matches:
        raise CellError(missing % {"v": name})
    if len(matches) > 1:
        raise CellError(ambiguous % {"v": name})
    return matches[0]


class _Lookups:
    """The names a row may use, loaded once, within what the importing user may see."""

    def __init__(self, actor):
        self.units = _by_name(tracking_unit_choices(actor), short=True)
        # as the lead form: any enterprise (an inactive one only when the lead has it already, see parse_leads)
        self.enterprises = _by_name(OrgUnit.objects.filter(unit_type=UnitType.ENTERPRISE))
        self.chains = {chain.name.strip(): chain for chain in IndustryChain.objects.all()}
        industries = list(IndustryCategory.objects.filter(parent__isnull=False))
        self.industry_by_code = {i.code.upper(): i for i in industries}
        self.industry_by_name = {i.name.strip(): i for i in industries}
        with translation.override("zh-hans"):
            self.tags = {str(label): value for value, label in InvestorTag.choices} | {v: v for v in InvestorTag.values}
            self.sides = {str(label): value for value, label in CommitmentSide.choices}
            self.sides |= {str(label)[:2]: value for value, label in CommitmentSide.choices}  # 政府 / 企业
            self.categories = {str(label): value for value, label in CommitmentCategory.choices}

    def unit(self, value: Any) -> OrgUnit:
        return _one(
            self.units,
            value,
            _("未找到单位“%(v)s”（或不在您的权限范围内），请填写单位全称。"),
            _("单位“%(v)s”对应多个单位，请填写单位全称。"),
        )

    def enterprise(self, value: Any) -> OrgUnit:
        return _one(
            self.enterprises,
            value,
            _("未找到企业“%(v)s”，请填写企业全称。"),
            _("有多个企业名为“%(v)s”。"),
        )

    def chain(self, value: Any) -> IndustryChain:
        text = _text(value)
        if text not in self.chains:
            raise CellError(_("未找到产业链“%(v)s”。") % {"v": text})
        return self.chains[text]

    def industry(self, value: Any) -> IndustryCategory:
        text = _text(value)
        first = text.split()[0].upper() if text.split() else ""
        found = self.industry_by_code.get(text.upper()) or self.industry_by_name.get(text)
        if found is None and " " in text:
            found = self.industry_by_code.get(first)
        if found is None:
            raise CellError(_("未找到国民经济行业“%(v)s”，请填写大类代码（如 39）或名称。") % {"v": text})
        return found

    def tags_of(self, value: Any) -> list[str]:
        chosen = set()
        for part in (p.strip() for p in LIST_SPLIT.split(_text(value))):
            if not part:
                continue
            if part not in self.tags:
                raise CellError(
                    _("投资方性质“%(v)s”不是可选值，可选：%(all)s。")
                    % {"v": part, "all": "、".join(_labels(InvestorTag))}
                )
            chosen.add(self.tags[part])
        return [tag for tag in InvestorTag.values if tag in chosen]

    def side(self, value: Any) -> str:
        text = _text(value)
        if text not in self.sides:
            raise CellError(
                _("承诺方“%(v)s”不是可选值，可选：%(all)s。") % {"v": text, "all": "、".join(_labels(CommitmentSide))}
            )
        return self.sides[text]

    def category(self, value: Any) -> str:
        text = _text(value)
        if text not in self.categories:
            raise CellError(_("承诺类别“%(v)s”不是可选值，请从下拉列表中选择。") % {"v": text})
        return self.categories[text]

    def convert(self, kind: str) -> Callable[[Any], Any]:
        return {
            TEXT: _text,
            DECIMAL: lambda v: _decimal(v, places=2),
            DATE: _date,
            AMOUNT: _amount,
            UNIT: self.unit,
            ENTERPRISE: self.enterprise,
            CHAIN: self.chain,
            INDUSTRY: self.industry,
            TAGS: self.tags_of,
            SIDE: self.side,
            CATEGORY: self.category,
            ID: _int,
            VERSION: _int,
            LEAD_NAME: _text,
            RESPONSIBLE: _text,  # resolved with the row's lead (_ResponsibleUnits)
        }[kind]


def _empty(kind: str) -> Any:
    return "" if kind == TEXT else [] if kind == TAGS else None


def _record_service_error(
    cells: _Cells, exc: Exception, headers: Mapping[str, str], default: str, step: str = ""
) -> None:
    """A refusal of the service on a row, at the column of the field it names (else the row); a refused step
    (ApplicationError: a lead not signed yet, terminated …) at `step`."""
    if isinstance(exc, ValidationError):
        for key, message in _service_errors(exc):
            cells.error(headers.get(key, "" if key in ("", NON_FIELD_ERRORS) else default), message)
    elif isinstance(exc, PermissionDenied):
        cells.error(default, str(exc) or _("不在您的管理范围内。"))
    elif isinstance(exc, ApplicationError):
        cells.error(step, exc.message)
    else:  # IntegrityError: a database constraint the service left to the database
        cells.error("", _("数据不符合规则（%(e)s）。") % {"e": str(exc)[:200]})


LEAD_HEADERS = {c.key: c.header for c in LEAD_COLUMNS}
LEAD_HEADERS["planned_investment_approx"] = LEAD_HEADERS["planned_investment"]
REQUIRED_MESSAGES = {
    "name": gettext_lazy("请填写项目名称。"),
    "investor": gettext_lazy("请填写投资方。"),
    "tracking_unit": gettext_lazy("请选择跟踪单位。"),
}


def _lead_fields(cells: _Cells, columns: Sequence[Col], lookups: _Lookups) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for column in columns:
        if column.kind in (ID, VERSION):
            continue
        value = cells.read(column.header, lookups.convert(column.kind), _empty(column.kind))
        if column.kind == AMOUNT:
            fields[column.key] = value.value if value is not None else None
            fields[f"{column.key}_approx"] = bool(value is not None and value.approx)
        else:
            fields[column.key] = value
        if (
            column.required
            and value in (None, "")
            and not any(e["row"] == cells.number and e["column"] == column.header for e in cells.check.errors)
        ):
            cells.error(column.header, str(REQUIRED_MESSAGES.get(column.key, _("此项必填。"))))
    return fields


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, list) or isinstance(wanted, list):
        return list(current or []) == list(wanted or [])
    return (current if current is not None else "") == (wanted if wanted is not None else "")


def parse_leads(data: bytes, *, actor, dry_run: bool = True) -> ImportCheck:
    """Check every row of a lead workbook as `actor` would import it (the services on each row, undone); writes
    nothing. `dry_run=False` (确认导入, which writes through the same services next) skips the services' run."""
    check = ImportCheck("leads")
    columns = _lead_importable()
    required = [c.header for c in columns if c.kind not in (ID, VERSION)]
    raw = _read(
        data, check, sheet=LEAD_SHEET, columns=[*LEAD_COLUMNS, *LEAD_REFERENCE], required=required, kind=_("导入模板")
    )
    if raw is None:
        return check
    check.total_rows = len(raw)
    lookups = _Lookups(actor)
    editable = Lead.objects.restrict(actor, "change")
    seen: dict[int, int] = {}
    known = {  # a new row repeating a lead already there (same name and investor) is refused: no double import
        (name.strip(), investor.strip()): pk
        for pk, name, investor in Lead.objects.restrict(actor, "view").values_list("pk", "name", "investor")
    }
    new_rows: dict[tuple[str, str], int] = {}
    id_header, version_header = LEAD_COLUMNS[0].header, LEAD_COLUMNS[1].header
    for number, values in raw:
        cells = _Cells(check, number, values)
        pk = cells.read(id_header, _int)
        version = cells.read(version_header, _int)
        fields = _lead_fields(cells, columns, lookups)
        lead = None
        if pk is not None:
            lead = editable.select_related("tracking_unit", "chain", "industry").filter(pk=pk).first()
            if lead is None:
                cells.error(id_header, _("招商项目ID %(id)s 不存在或不在您的管理范围内。") % {"id": pk})
            elif pk in seen:
                cells.error(id_header, _("与第 %(r)d 行是同一招商项目，每个项目只能有一行。") % {"r": seen[pk]})
            elif version is None and not cells.failed:
                cells.error(version_header, _("更新已有的招商项目须填写版本号（导出文件自带）。"))
            elif version is not None and version != lead.version:
                cells.error(
                    version_header,
                    _("该招商项目在导出后已被修改（文件中为第 %(mine)d 版，当前为第 %(now)d 版），请重新导出后再修改。")
                    % {"mine": version, "now": lead.version},
                )
            else:
                seen[pk] = number
        enterprise = fields.get("enterprise")
        if (
            enterprise is not None
            and not enterprise.is_active
            and (lead is None or lead.enterprise_id != enterprise.pk)
        ):
            cells.error(LEAD_HEADERS["enterprise"], _("企业“%(v)s”已停用，不能选择。") % {"v": enterprise.name})
        if cells.failed:
            continue
        amount = fields.get("planned_investment")
        if lead is None:
            same = (fields["name"].strip(), fields["investor"].strip())
            if same in known:
                cells.error(
                    LEAD_HEADERS["name"],
                    _("已有同名招商项目（投资方相同，招商项目ID %(id)d）；如要更新它，请填写其招商项目ID和版本。")
                    % {"id": known[same]},
                )
                continue
            if same in new_rows:
                cells.error(
                    LEAD_HEADERS["name"],
                    _("与第 %(r)d 行是同一招商项目（项目名称和投资方相同）。") % {"r": new_rows[same]},
                )
                continue
            new_rows[same] = number
            if dry_run:
                _dry_run_lead(cells, partial(services.lead_create, actor=actor, data=fields))
            if not cells.failed:
                unit = fields["tracking_unit"]
                check.rows.append(PreviewRow(number, "create", fields["name"], unit.name, amount, data=fields))
            continue
        changes = [LEAD_HEADERS[k] for k, v in fields.items() if not _same(getattr(lead, k), v)]
        row = PreviewRow(
            number, "update" if changes else "unchanged", fields["name"], fields["tracking_unit"].name, amount
        )
        row.changes, row.pk, row.version, row.data = list(dict.fromkeys(changes)), lead.pk, version, fields
        if changes and dry_run:
            _dry_run_lead(cells, partial(services.lead_update, actor=actor, lead=lead, version=version, data=fields))
            lead.refresh_from_db()
        if not cells.failed:
            check.rows.append(row)
    return check.tally()


def _dry_run_lead(cells: _Cells, write: Callable[[], Any]) -> None:
    try:
        _dry_run(write)
    except (ValidationError, PermissionDenied, ApplicationError, IntegrityError) as exc:
        _record_service_error(cells, exc, LEAD_HEADERS, LEAD_HEADERS["tracking_unit"])


LEDGER_HEADERS = {c.key: c.header for c in LEDGER_COLUMNS}
LEDGER_HEADERS["lead"] = LEDGER_HEADERS["lead_name"]


class _LeadFinder:
    """A ledger row's lead among the leads the actor may see: by ID (which must agree with the name when both are
    given), else by a unique exact name."""

    def __init__(self, actor):
        self.by_pk: dict[int, Lead] = {}
        self.by_name: dict[str, list[Lead]] = defaultdict(list)
        for lead in Lead.objects.restrict(actor, "view").select_related("tracking_unit__region"):
            self.by_pk[lead.pk] = lead
            self.by_name[lead.name.strip()].append(lead)

    def find(self, pk: int | None, name: str) -> Lead:
        if pk is not None:
            lead = self.by_pk.get(pk)
            if lead is None:
                raise CellError(_("招商项目ID %(id)s 不存在或不在您的管理范围内。") % {"id": pk})
            if name and lead.name.strip() != name:
                raise CellError(
                    _("招商项目ID %(id)s 对应的项目是“%(n)s”，与所填项目名称不一致。") % {"id": pk, "n": lead.name}
                )
            return lead
        if not name:
            raise CellError(_("请填写招商项目ID或项目名称。"))
        found = self.by_name.get(name, [])
        if not found:
            raise CellError(_("招商项目“%(n)s”不存在或不在您的管理范围内。") % {"n": name})
        if len(found) > 1:
            raise CellError(_("有 %(k)d 个招商项目名为“%(n)s”，请填写招商项目ID。") % {"k": len(found), "n": name})
        return found[0]


class _ResponsibleUnits:
    """A ledger row's 责任单位 among the units its lead's page offers (`views_ledger.county_units`: the government
    units of the lead's district), loaded once per district."""

    def __init__(self):
        self.by_district: dict[Any, dict[str, list[OrgUnit]]] = {}

    def find(self, lead: Lead, value: str) -> OrgUnit:
        from .views_ledger import county_units

        key = lead.tracking_unit.region_id
        if key not in self.by_district:
            self.by_district[key] = _by_name(county_units(lead), short=True)
        return _one(
            self.by_district[key],
            value,
            _("未找到单位“%(v)s”（责任单位须为招商项目所在区县的政府部门或单位），请填写单位全称。"),
            _("单位“%(v)s”对应多个单位，请填写单位全称。"),
        )


def _ledger_same(line: Commitment, fields: Mapping[str, Any]) -> bool:
    return all(_same(getattr(line, key), value) for key, value in fields.items())


def parse_ledger(data: bytes, *, actor, dry_run: bool = True) -> ImportCheck:
    """Check every row of a ledger workbook as `actor` would import it (`ledger.commitment_create` on each row,
    undone) with the 公平竞争审查 flags each line would raise; writes nothing."""
    check = ImportCheck("commitments")
    required = [c.header for c in LEDGER_COLUMNS if c.required]
    raw = _read(
        data,
        check,
        sheet=LEDGER_SHEET,
        columns=[*LEDGER_COLUMNS, *LEDGER_REFERENCE],
        required=required,
        kind=_("导入模板"),
    )
    if raw is None:
        return check
    check.total_rows = len(raw)
    lookups, finder, responsible = _Lookups(actor), _LeadFinder(actor), _ResponsibleUnits()
    visible = ledger.visible_commitments(actor)
    lead_header, id_header = LEDGER_HEADERS["lead_name"], LEDGER_HEADERS["id"]
    for number, values in raw:
        cells = _Cells(check, number, values)
        line_pk = cells.read(id_header, _int)
        lead_pk = cells.read(LEDGER_HEADERS["lead_id"], _int)
        name = cells.read(lead_header, _text, "")
        lead = None
        try:
            if not cells.failed:
                lead = finder.find(lead_pk, name)
        except CellError as exc:
            cells.error(lead_header if lead_pk is None else LEDGER_HEADERS["lead_id"], str(exc))
        fields: dict[str, Any] = {}
        for column in LEDGER_COLUMNS[3:]:
            fields[column.key] = cells.read(column.header, lookups.convert(column.kind), _empty(column.kind))
            if column.required and fields[column.key] in (None, "") and not cells.failed:
                cells.error(column.header, _("请填写%(f)s。") % {"f": column.header})
        side, category = fields["side"], fields["category"]
        if fields["responsible_unit"] and lead is not None:
            try:
                fields["responsible_unit"] = responsible.find(lead, fields["responsible_unit"])
            except CellError as exc:
                cells.error(LEDGER_HEADERS["responsible_unit"], str(exc))
        else:
            fields["responsible_unit"] = None
        if cells.failed or lead is None:
            continue
        detail = " · ".join(
            [_label(CommitmentSide, side), _label(CommitmentCategory, category), fields["due_date"].isoformat()]
        )
        row = PreviewRow(number, "create", fields["content"], lead.name, fields["amount"], detail=detail)
        row.pk, row.data = lead.pk, fields
        existing = None
        if line_pk is not None:
            existing = visible.filter(pk=line_pk, lead=lead).first()
            if existing is None:
                cells.error(
                    id_header, _("承诺ID %(id)s 不存在、不属于该招商项目或不在您的管理范围内。") % {"id": line_pk}
                )
                continue
            if not _ledger_same(existing, fields):
                cells.error(
                    id_header,
                    _("已有的台账行不能通过导入修改，请在台账页面修改；如要新增一条承诺，请清空承诺ID。"),
                )
                continue
        else:
            existing = next(
                (
                    c
                    for c in visible.filter(lead=lead, side=side, category=category, content=fields["content"])
                    if _ledger_same(c, fields)
                ),
                None,
            )
        if existing is not None:
            row.action = "unchanged"
            check.rows.append(row)
            continue
        try:
            if dry_run:
                _dry_run(partial(ledger.commitment_create, actor=actor, lead=lead, **fields))
        except (ValidationError, PermissionDenied, ApplicationError, IntegrityError) as exc:
            _record_service_error(cells, exc, LEDGER_HEADERS, lead_header, lead_header)
            continue
        row.flags = ledger.fc_flags(category=category, content=fields["content"], clause=fields["clause"])
        check.rows.append(row)
    return check.tally()


# ---------------------------------------------------------------------------------------------------------------
# Jobs: check and keep an upload, apply it
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    permission: str
    parse: Callable[..., ImportCheck]
    denied: Any
    done: Any


def _create_lead(actor, row: PreviewRow) -> None:
    services.lead_create(actor=actor, data=row.data)


def _update_lead(actor, row: PreviewRow) -> None:
    lead = Lead.objects.get(pk=int(row.pk or 0))
    services.lead_update(actor=actor, lead=lead, version=row.version, data=row.data)


def _create_line(actor, row: PreviewRow) -> None:
    ledger.commitment_create(actor=actor, lead=Lead.objects.get(pk=int(row.pk or 0)), **row.data)


KINDS: dict[str, Kind] = {
    "leads": Kind(
        "investment.add_lead",
        parse_leads,
        gettext_lazy("无权登记或修改该招商项目（跟踪单位须在您的管理范围内）。"),
        gettext_lazy("招商项目导入完成：新增 %(c)d 个，更新 %(u)d 个，与现有一致 %(n)d 个。"),
    ),
    "commitments": Kind(
        "investment.add_commitment",
        parse_ledger,
        gettext_lazy("无权为该招商项目登记承诺。"),
        gettext_lazy("承诺台账导入完成：新增草拟承诺 %(c)d 条，已存在跳过 %(n)d 条。"),
    ),
}
WRITERS: dict[tuple[str, str], Callable[[Any, PreviewRow], None]] = {
    ("leads", "create"): _create_lead,
    ("leads", "update"): _update_lead,
    ("commitments", "create"): _create_line,
}


def _require(actor, kind: str) -> Kind:
    if kind not in KINDS:
        raise ApplicationError(_("未知的导入内容。"), code="kind")
    spec = KINDS[kind]
    if not actor.has_perm(spec.permission):
        raise PermissionDenied(_("您没有导入该内容的权限。"))
    return spec


def import_check(*, actor, kind: str, data: bytes) -> ImportCheck:
    """Check a file of `kind` as `actor` would import it and preview it; writes nothing."""
    return _require(actor, kind).parse(data, actor=actor)


def import_template(*, actor, kind: str) -> bytes:
    _require(actor, kind)
    return lead_template(actor=actor) if kind == "leads" else ledger_template(actor=actor)


def import_job_create(*, actor, kind: str, uploaded) -> tuple[ImportJob, ImportCheck]:
    """Check the upload (content-sniffed .xlsx, size limit), check every row, and keep it as an ImportJob
    ("validated") with its errors; a file refused as a whole raises ValidationError (nothing kept)."""
    _require(actor, kind)
    checked = check_upload(uploaded, XLSX_TYPES)
    check = import_check(actor=actor, kind=kind, data=checked.content)
    if check.fatal:
        details = [e["message"] for e in check.errors if e["message"] != check.fatal]
        raise ValidationError(" ".join([check.fatal, *details]), code="import_file")
    job = ImportJob(kind=kind, created_by=actor, original_name=_file_name(uploaded), sha256=checked.sha256)
    _keep_outcome(job, check)
    job.file.save(f"investment-{kind}-{uuid.uuid4().hex}.xlsx", ContentFile(checked.content))
    return job, check


def _file_name(uploaded) -> str:
    return (getattr(uploaded, "name", "") or "import.xlsx").replace("\\", "/").rsplit("/", 1)[-1][-200:]


def _keep_outcome(job: ImportJob, check: ImportCheck) -> None:
    """A check's outcome on its job (the job page and the annotated copy read it)."""
    job.total_rows, job.error_rows, job.message = check.total_rows, check.error_rows, check.summary()[:300]
    job.errors = check.errors[:MAX_STORED_ERRORS]


def job_data(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def import_apply(*, actor, job: ImportJob) -> ImportJob:
    """确认导入: check the job's file again against the current data and write every row in one transaction (any
    refusal rolls it all back and names its row); the job ends "done"."""
    spec = _require(actor, job.kind)
    if job.created_by_id != actor.pk:
        raise PermissionDenied(_("只能确认本人上传的导入文件。"))
    if job.status != "validated":
        raise ApplicationError(_("该文件已导入，不能重复执行。"), code="job_done")
    # the file again against the current data (names, scope, versions); the services check each row as they write
    check = spec.parse(job_data(job), actor=actor, dry_run=False)
    if check.fatal or check.errors:
        _keep_outcome(job, check)
        job.save(update_fields=["total_rows", "error_rows", "message", "errors"])
        raise ApplicationError(
            _("重新校验时发现 %(n)d 处错误（数据已有变化），未导入任何数据。请下载标注错误的文件修正后重新上传。")
            % {"n": len(check.errors)},
            code="import_invalid",
        )
    with _acting_as(actor), transaction.atomic():
        if not ImportJob.objects.filter(pk=job.pk, status="validated").update(status="running"):
            raise ApplicationError(_("该文件已导入，不能重复执行。"), code="job_done")
        with rows_written(str(spec.denied)) as at:
            for row in check.rows:
                writer = WRITERS.get((job.kind, row.action))
                if writer is not None:
                    at.row = row.row
                    writer(actor, row)
        message = str(spec.done) % {"c": check.to_create, "u": check.to_update, "n": check.unchanged}
        ImportJob.objects.filter(pk=job.pk).update(
            status="done",
            finished=timezone.now(),
            processed_rows=check.total_rows,
            created_count=check.to_create,
            updated_count=check.to_update,
            message=message[:300],
        )
    job.refresh_from_db()
    return job


# ---------------------------------------------------------------------------------------------------------------
# The annotated error copy
# ---------------------------------------------------------------------------------------------------------------


def annotated_copy(data: bytes, errors: Sequence[Mapping[str, Any]], *, kind: str) -> bytes:
    """The uploaded workbook with each bad cell filled red and its Chinese message as a comment, a 「错误说明」
    column per row, and the file's own messages on that column's header."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    sheet_name, columns = (
        (LEAD_SHEET, [*LEAD_COLUMNS, *LEAD_REFERENCE])
        if kind == "leads"
        else (LEDGER_SHEET, [*LEDGER_COLUMNS, *LEDGER_REFERENCE])
    )
    index = _header_index(columns)
    try:
        book = open_xlsx(data, read_only=False)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="invalid_file") from exc
    sheet = book[sheet_name] if sheet_name in book.sheetnames else book.worksheets[0]
    headers = header_cells(sheet)  # the cells the file holds, never its claimed dimensions (a stray XFD1048576)
    where = {index[_norm_header(c.value)]: c.column for c in headers if _norm_header(c.value) in index}
    notes_at, existed = notes_column_for(sheet, headers, lambda value: _norm_header(value) == ERROR_HEADER)
    # the marks of an earlier annotation (a corrected copy uploaded again)
    clear_annotations(sheet, author=ANNOTATION_AUTHOR, notes_column=notes_at if existed else None)
    head = sheet.cell(row=1, column=notes_at, value=ERROR_HEADER)
    head.font = Font(bold=True, color="9C0006")
    sheet.column_dimensions[head.column_letter].width = 60
    per_cell: dict[tuple[int, int], list[str]] = defaultdict(list)
    per_row: dict[int, list[str]] = defaultdict(list)
    for error in errors:
        row, column, message = int(error.get("row") or 0), str(error.get("column") or ""), str(error["message"])
        per_row[max(row, 1)].append(f"{column}：{message}" if column else message)
        if row > 1 and column in where:
            per_cell[(row, where[column])].append(message)
    for (at_row, at_column), messages in per_cell.items():
        target = sheet.cell(row=at_row, column=at_column)
        target.fill = PatternFill("solid", fgColor="FFC7CE")
        target.comment = Comment("\n".join(messages), ANNOTATION_AUTHOR, width=300, height=120)
    for at_row, lines in per_row.items():
        if at_row == 1:
            head.comment = Comment("\n".join(lines), ANNOTATION_AUTHOR, width=400, height=160)
        else:
            sheet.cell(row=at_row, column=notes_at, value=neutralize("；".join(lines))).font = Font(color="9C0006")
    return workbook_bytes(book)


def ledger_queryset(actor, lead: Lead | None = None):
    """The ledger lines `actor` may read (`ledger.visible_commitments`), all or one lead's."""
    queryset = ledger.visible_commitments(actor)
    return queryset.filter(Q(lead=lead)) if lead is not None else queryset

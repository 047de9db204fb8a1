"""Excel for key projects: the import template, validating and applying an import, the annotated error copy, export.

The file format is one contract shared by all four: `COLUMNS` (Chinese headers, one per importable field). An export
with the default columns can be imported again unchanged; the importer ignores the 「错误说明」 column of an
annotated copy and the year columns an export adds.

Import is two steps. `parse_workbook` reads the file (checked first by `tuijin.utilities.excel.open_xlsx`: real
.xlsx, no zip bomb, no macros, no external links), converts every cell, resolves names against what the actor may
see, matches rows to existing projects (项目代码, else 项目名称 + 项目业主) and runs the services' own validation
(`services._full_clean`) on every row, writing nothing — on a detached copy whose per-row database checks
(foreign-key existence, the model's constraints) are answered from data loaded once, see `_InMemoryChecks`.
`apply_import` then writes the valid rows through
`project_create` / `project_update` (/ `project_transition` when the 项目阶段 changes) in ONE transaction, so an
unexpected failure leaves the database as it was. Lookups are loaded once per import (no per-row lookup queries).

Empty cells: text, numbers, dates and the list columns (级别, 专项名单, 包联领导, 资金来源) are cleared; the choice
and 是/否 columns, 项目阶段 and 总投资 keep the current value on update (`KEEP_WHEN_EMPTY`: a blank cell never wipes a
known value silently). On create a blank is 未填 — 投资领域 / 建设性质 / 投资主体 stay "" and 总投资 None, never a
default. Writing “未填” clears those four on update. 总投资 reads "约20亿元" (`partial.parse_amount`), the four
计划/实际 开工/竣工 dates read "2024年3月" / "2022年" (`partial.parse_partial_date`); the export writes an estimate as
"约…" text and a partly known date as "2024年3月" / "2022年", so export → import is unchanged. 区外属地 and 备注
are optional headers (a file from the earlier template without them still imports and leaves them as they are).
"""

import copy
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CheckConstraint, F, Prefetch, Q, UniqueConstraint
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.context import current_request
from tuijin.core.exceptions import ApplicationError
from tuijin.org.models import OrgUnit, Person
from tuijin.org.scoping import scope_filter
from tuijin.utilities.excel import (
    clear_annotations,
    header_cells,
    is_formula_cell,
    neutralize,
    notes_column_for,
    open_xlsx,
    unneutralize,
    workbook_bytes,
)

from . import services
from .choices import (
    ConstructionNature,
    DatePrecision,
    FundingSourceKind,
    InvestmentSubject,
    ProjectDomain,
    Stage,
    StatsStatus,
    YearlyCategory,
)
from .constants import ALLOWED_TRANSITIONS
from .models import (
    AnnualPlan,
    FundingSource,
    IndustryCategory,
    IndustryChain,
    Project,
    ProjectLevel,
    ProjectSpecialList,
    SpecialList,
)
from .partial import Amount, PartialDate, format_partial_date, parse_amount, parse_partial_date
from .validators import normalize_project_code
from .yearly import yearly_category

__all__ = [
    "COLUMNS",
    "ERROR_HEADER",
    "MAX_ROWS",
    "SHEET_DATA",
    "SHEET_NOTES",
    "SHEET_OPTIONS",
    "Column",
    "ImportReport",
    "ImportRow",
    "ProjectFinder",
    "annotated_copy",
    "apply_import",
    "build_template",
    "export_projects_xlsx",
    "parse_workbook",
]

SHEET_DATA = "项目"
SHEET_NOTES = "填写说明"
SHEET_OPTIONS = "选项"
ERROR_HEADER = "错误说明"
MAX_ROWS = 20000
# Data rows may be spread over the first MAX_ROWS + SPARE_ROWS rows (blank rows in between are skipped); content
# below that is refused rather than walked (a stray cell at row 1,000,000 is a mistake, not a project).
SPARE_ROWS = MAX_ROWS
TEMPLATE_ROWS = MAX_ROWS  # data-validation ranges in the template cover this many rows
PROGRESS_EVERY = 200
BULK_CHUNK = 1000
CHUNK = 500
EXPORT_CHUNK = 2000  # projects per prefetch batch and per query of the registered export columns
ANNOTATION_AUTHOR = "推进平台校验"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
MONTH_FORMAT = "yyyy-mm"
# Headers the importer skips: the annotated copy's error column and the year columns of an export ("2026年度分类",
# "2026年计划投资（万元）" and the columns other apps add through `sections.register_export_columns`, all of which
# start with the year).
IGNORED_HEADER_RE = re.compile(r"^(错误说明|\d{4}年\S*)$")

TEXT, DECIMAL, INT, DATE, MONTH, BOOL, CHOICE, STAGE = (
    "text",
    "decimal",
    "int",
    "date",
    "month",
    "bool",
    "choice",
    "stage",
)
AMOUNT, PARTIAL_DATE = "amount", "partial_date"  # "约20亿元"; "2024-03-15" / "2024年3月" / "2022年"
UNKNOWN_WORD = "未填"  # written in a choice column or 总投资 to clear a known value on update
UNIT, INDUSTRY, CHAIN, LEVELS, SPECIAL, PERSONS, FUNDING = (
    "unit",
    "industry",
    "chain",
    "levels",
    "special",
    "persons",
    "funding",
)

YES, NO = "是", "否"
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "不是"}
LIST_SPLIT = re.compile(r"[、,，;；\n]+")
FUNDING_SPLIT = re.compile(r"[;；\n]+")
PAIR_SPLIT = re.compile(r"[:：]")
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
PERSON_RE = re.compile(r"^(.+?)\s*[（(](.+)[)）]$")


@dataclass(frozen=True)
class Column:
    """One column of the template: its Chinese header, how a cell is read, and the 填写说明 text."""

    key: str
    header: str  # the file-format contract: fixed Chinese text, deliberately not translated
    kind: str
    required: bool = False
    meaning: Any = ""
    fmt: Any = ""
    choices: Any = None
    places: int = 2
    width: int = 16

    @property
    def title(self) -> str:
        """The header as written in the template: required columns carry an asterisk."""
        return f"{self.header}*" if self.required else self.header


COLUMNS: list[Column] = [
    Column(
        "code",
        "项目代码",
        TEXT,
        meaning=gettext_lazy("投资项目在线审批监管平台赋予的项目代码；用于匹配已有项目"),
        fmt=gettext_lazy("24位，如 2403-410702-04-01-12345X；可留空（按项目名称+项目业主匹配）"),
        width=28,
    ),
    Column("name", "项目名称", TEXT, True, gettext_lazy("项目全称"), gettext_lazy("文本，最多200字"), width=30),
    Column(
        "owner_name",
        "项目业主",
        TEXT,
        True,
        gettext_lazy("项目法人/业主单位名称"),
        gettext_lazy("文本，最多200字"),
        width=24,
    ),
    Column(
        "owner_credit_code",
        "业主统一社会信用代码",
        TEXT,
        meaning=gettext_lazy("项目业主的统一社会信用代码"),
        fmt=gettext_lazy("18位，校验位须正确"),
        width=22,
    ),
    Column(
        "scale_content",
        "建设规模及内容",
        TEXT,
        meaning=gettext_lazy("主要建设内容和规模"),
        fmt=gettext_lazy("文本"),
        width=30,
    ),
    Column(
        "address", "建设地点", TEXT, meaning=gettext_lazy("项目建设地址"), fmt=gettext_lazy("文本，最多200字"), width=20
    ),
    Column(
        "longitude",
        "经度",
        DECIMAL,
        meaning=gettext_lazy("建设地点经度"),
        fmt=gettext_lazy("数字，73～136，最多6位小数"),
        places=6,
        width=12,
    ),
    Column(
        "latitude",
        "纬度",
        DECIMAL,
        meaning=gettext_lazy("建设地点纬度"),
        fmt=gettext_lazy("数字，3～54，最多6位小数"),
        places=6,
        width=12,
    ),
    Column(
        "industry",
        "国民经济行业",
        INDUSTRY,
        meaning=gettext_lazy("GB/T 4754-2017 国民经济行业分类"),
        fmt=gettext_lazy("大类代码或名称，如 39 或“计算机、通信和其他电子设备制造业”；可从下拉列表选择"),
        width=24,
    ),
    Column(
        "chain",
        "主导产业/产业链",
        CHAIN,
        meaning=gettext_lazy("项目所属的主导产业或产业链"),
        fmt=gettext_lazy("从下拉列表选择"),
        width=16,
    ),
    Column(
        "domain",
        "投资领域",
        CHOICE,
        meaning=gettext_lazy("项目投资领域"),
        fmt=gettext_lazy("从下拉列表选择"),
        choices=ProjectDomain,
    ),
    Column(
        "levels",
        "项目级别",
        LEVELS,
        meaning=gettext_lazy("省重点、市重点、区重点、储备，可多个"),
        fmt=gettext_lazy("多个用顿号（、）或逗号分隔，如“省重点、市重点”"),
    ),
    Column(
        "special_lists",
        "专项名单",
        SPECIAL,
        meaning=gettext_lazy("项目所在的专项名单，可多个"),
        fmt=gettext_lazy("名单名称，有期次的写“名称:期次”；多个用顿号分隔，如“两重、专项债:2025第一批”"),
        width=24,
    ),
    Column(
        "construction_nature",
        "建设性质",
        CHOICE,
        meaning=gettext_lazy("新建、扩建、改建等"),
        fmt=gettext_lazy("从下拉列表选择"),
        choices=ConstructionNature,
    ),
    Column(
        "investment_subject",
        "投资主体",
        CHOICE,
        meaning=gettext_lazy("投资主体性质"),
        fmt=gettext_lazy("从下拉列表选择"),
        choices=InvestmentSubject,
    ),
    Column(
        "responsible_unit",
        "责任单位",
        UNIT,
        True,
        gettext_lazy("负责推进项目的单位"),
        gettext_lazy("单位全称或简称，须为您权限范围内的单位；可从下拉列表选择"),
        width=22,
    ),
    Column(
        "sponsors",
        "包联领导",
        PERSONS,
        meaning=gettext_lazy("包联该项目的领导，可多人"),
        fmt=gettext_lazy("姓名，多人用顿号分隔；重名时写“姓名（单位）”"),
    ),
    Column(
        "locality",
        "属地",
        UNIT,
        meaning=gettext_lazy("项目所在的镇街/园区"),
        fmt=gettext_lazy("单位全称或简称；可从下拉列表选择"),
        width=18,
    ),
    Column(
        "locality_text",
        "区外属地",
        TEXT,
        meaning=gettext_lazy("项目不在本区时的所在地（与“属地”二选一）"),
        fmt=gettext_lazy("文本，最多100字，如“新乡市牧野区”"),
        width=18,
    ),
    Column(
        "total_investment",
        "总投资（万元）",
        AMOUNT,
        meaning=gettext_lazy("项目总投资；不知道可留空（未填）"),
        fmt=gettext_lazy("单位万元，如 12000；也可写“20亿元”；估算的写“约20亿元”；清空已有值写“未填”"),
    ),
    Column(
        "funding",
        "资金来源",
        FUNDING,
        meaning=gettext_lazy("资金来源构成，合计应等于总投资"),
        fmt=gettext_lazy("“来源:金额”，多项用分号分隔，如“企业自筹:8000;银行贷款:2000”；来源可选：%(kinds)s"),
    ),
    Column(
        "funding_note",
        "资金来源说明",
        TEXT,
        meaning=gettext_lazy("资金来源合计与总投资不一致时须说明原因"),
        fmt=gettext_lazy("文本"),
        width=20,
    ),
    Column(
        "construction_start",
        "建设起始年月",
        MONTH,
        meaning=gettext_lazy("建设期开始年月"),
        fmt=gettext_lazy("年月，如 2025-03"),
    ),
    Column(
        "construction_end",
        "建设截止年月",
        MONTH,
        meaning=gettext_lazy("建设期结束年月"),
        fmt=gettext_lazy("年月，如 2027-12"),
    ),
    Column(
        "planned_start",
        "计划开工日期",
        PARTIAL_DATE,
        meaning=gettext_lazy("计划开工日期"),
        fmt=gettext_lazy("日期，如 2025-03-15；只知道月份写“2025-03”或“2025年3月”，只知道年份写“2025年”"),
    ),
    Column(
        "planned_finish",
        "计划竣工日期",
        PARTIAL_DATE,
        meaning=gettext_lazy("计划竣工日期"),
        fmt=gettext_lazy("日期，如 2027-12-31；只知道月份写“2027-12”或“2027年12月”，只知道年份写“2027年”"),
    ),
    Column(
        "actual_start",
        "实际开工日期",
        PARTIAL_DATE,
        meaning=gettext_lazy("实际开工日期；在建项目必填"),
        fmt=gettext_lazy("日期，不晚于今天；只知道月份写“2024-03”，只知道年份写“2024年”"),
    ),
    Column(
        "actual_finish",
        "实际竣工日期",
        PARTIAL_DATE,
        meaning=gettext_lazy("实际竣工日期；竣工/投产项目必填"),
        fmt=gettext_lazy("日期，不晚于今天；只知道月份写“2024-03”，只知道年份写“2024年”"),
    ),
    Column(
        "stage",
        "项目阶段",
        STAGE,
        meaning=gettext_lazy("项目当前所处阶段；变更已有项目的阶段须符合阶段变更规则"),
        fmt=gettext_lazy("从下拉列表选择；留空时新项目为“前期”，已有项目不变"),
        choices=Stage,
    ),
    Column(
        "stage_reason",
        "暂缓/取消原因",
        TEXT,
        meaning=gettext_lazy("项目阶段为暂缓或取消时必填"),
        fmt=gettext_lazy("文本，最多200字"),
        width=20,
    ),
    Column("is_industrial", "是否工业项目", BOOL, meaning=gettext_lazy("是否为工业项目"), fmt=gettext_lazy("是/否")),
    Column(
        "land_area_mu",
        "用地面积（亩）",
        DECIMAL,
        meaning=gettext_lazy("项目用地面积"),
        fmt=gettext_lazy("数字，不小于0，最多2位小数"),
    ),
    Column(
        "floor_area_m2",
        "建筑面积（平方米）",
        DECIMAL,
        meaning=gettext_lazy("总建筑面积"),
        fmt=gettext_lazy("数字，不小于0，最多2位小数"),
        width=18,
    ),
    Column(
        "expected_output",
        "预计年产值（万元）",
        DECIMAL,
        meaning=gettext_lazy("达产后预计年产值"),
        fmt=gettext_lazy("数字，单位万元，不小于0，最多2位小数"),
        width=18,
    ),
    Column(
        "expected_tax",
        "预计年税收（万元）",
        DECIMAL,
        meaning=gettext_lazy("达产后预计年税收"),
        fmt=gettext_lazy("数字，单位万元，不小于0，最多2位小数"),
        width=18,
    ),
    Column(
        "expected_jobs",
        "预计新增就业（人）",
        INT,
        meaning=gettext_lazy("预计新增就业人数"),
        fmt=gettext_lazy("不小于0的整数"),
        width=18,
    ),
    Column(
        "stats_status",
        "纳统状态",
        CHOICE,
        meaning=gettext_lazy("是否已纳入固定资产投资统计"),
        fmt=gettext_lazy("从下拉列表选择"),
        choices=StatsStatus,
    ),
    Column(
        "stats_month",
        "纳统入库月份",
        MONTH,
        meaning=gettext_lazy("纳统入库的年月；已纳统时必填"),
        fmt=gettext_lazy("年月，如 2025-06"),
    ),
    Column(
        "is_fast_track",
        "是否拿地即开工",
        BOOL,
        meaning=gettext_lazy("是否为“拿地即开工”项目"),
        fmt=gettext_lazy("是/否"),
    ),
    Column(
        "land_deal_date",
        "土地成交日期",
        DATE,
        meaning=gettext_lazy("土地成交/出让合同日期"),
        fmt=gettext_lazy("日期，不晚于今天"),
    ),
    Column("remarks", "备注", TEXT, meaning=gettext_lazy("其他需要说明的情况"), fmt=gettext_lazy("文本"), width=30),
]

COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
MODEL_FIELD_KEYS = [column.key for column in COLUMNS if column.key in services.PROJECT_FIELDS]
# A blank cell on update keeps the project's value in these columns (a new project gets 未填 / the model default,
# never an invented value); writing 未填 clears 投资领域 / 建设性质 / 投资主体 / 总投资.
KEEP_WHEN_EMPTY = {column.key for column in COLUMNS if column.kind in (CHOICE, BOOL, STAGE, AMOUNT)}
BLANKABLE_CHOICES = {"domain", "construction_nature", "investment_subject"}
# Columns added after the first template: a file without them still imports (their values are left as they are).
OPTIONAL_HEADERS = {"locality_text", "remarks"}


def _norm_header(value: Any) -> str:
    text = re.sub(r"\s+", "", str(value if value is not None else ""))
    text = text.replace("*", "").replace("＊", "").replace("(", "（").replace(")", "）")
    return text


HEADER_TO_KEY = {_norm_header(column.header): column.key for column in COLUMNS}


# ---------------------------------------------------------------------------------------------------------------
# Reading one cell
# ---------------------------------------------------------------------------------------------------------------


class CellError(Exception):
    """A cell that cannot be read: the message names the value and says what was expected."""


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute or value.second) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return YES if value else NO
    return unneutralize(str(value).strip())


def _decimal(value: Any, *, places: int) -> Decimal:
    if isinstance(value, bool) or isinstance(value, datetime | date):
        raise CellError(_("“%(v)s”不是数字。") % {"v": _text(value)})
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        raw = _text(value).replace(",", "").replace("，", "").replace(" ", "")
        try:
            number = Decimal(raw)
        except InvalidOperation as exc:
            raise CellError(_("“%(v)s”不是数字。") % {"v": _text(value)}) from exc
    if not number.is_finite():
        raise CellError(_("“%(v)s”不是数字。") % {"v": _text(value)})
    if number < 0:
        raise CellError(_("不能为负数（填写的是 %(v)s）。") % {"v": _text(value)})
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise CellError(_("最多 %(p)d 位小数（填写的是 %(v)s）。") % {"p": places, "v": _text(value)})
    return number


def _int(value: Any) -> int:
    number = _decimal(value, places=0)
    return int(number)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_RE.match(_text(value)) if isinstance(value, str) else None
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise CellError(_("“%(v)s”不是有效日期，应为日期格式或“YYYY-MM-DD”文本。") % {"v": _text(value)})


def _partial_date(value: Any) -> PartialDate:
    """A date as far as it is known (`partial.parse_partial_date`): a spreadsheet date is a whole day."""
    try:
        known = parse_partial_date(value if isinstance(value, date) else _text(value))
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from exc
    if known is None:  # pragma: no cover - blank cells never reach here
        raise CellError(_("不能为空。"))
    return known


def _amount(value: Any) -> Amount | None:
    """An amount in 万元 (`partial.parse_amount`): 12000, "1,234.5", "20亿元", "约20亿元"; "未填" clears it."""
    if isinstance(value, datetime | date):
        raise CellError(_("“%(v)s”不是金额。") % {"v": _text(value)})
    if isinstance(value, str) and _text(value) == UNKNOWN_WORD:
        return None
    try:
        return parse_amount(value if isinstance(value, int | float | Decimal) else _text(value))
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from exc


def _month(value: Any) -> date:
    if isinstance(value, datetime | date):
        return date(value.year, value.month, 1)
    if isinstance(value, str):
        text = _text(value)
        match = MONTH_RE.match(text) or DATE_RE.match(text)
        if match and 1 <= int(match.group(2)) <= 12:
            return date(int(match.group(1)), int(match.group(2)), 1)
    raise CellError(_("“%(v)s”不是有效年月，应为“YYYY-MM”（如 2025-03）。") % {"v": _text(value)})


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("“%(v)s”无效，应填写“是”或“否”。") % {"v": _text(value)})


def _split(value: Any, pattern: re.Pattern[str] = LIST_SPLIT) -> list[str]:
    return [part.strip() for part in pattern.split(_text(value)) if part.strip()]


def _choice_map(choices) -> dict[str, str]:
    """Label (Chinese, and the active language's) or stored value → stored value."""
    mapping: dict[str, str] = {}
    for value, label in choices.choices:
        mapping[str(value).lower()] = value
        mapping[str(label)] = value
    with translation.override("zh-hans"):
        for value, label in choices.choices:
            mapping[str(label)] = value
    return mapping


def _labels(choices) -> list[str]:
    with translation.override("zh-hans"):
        return [str(label) for _value, label in choices.choices]


def _label_of(choices, value: str) -> str:
    with translation.override("zh-hans"):
        return str(dict(choices.choices).get(value, value))


# ---------------------------------------------------------------------------------------------------------------
# Lookups loaded once per import, and the actor's scope evaluated in Python
# ---------------------------------------------------------------------------------------------------------------


class _Scope:
    """Would a project with this responsible unit / enterprise / sponsors be inside `restrict(actor, action)`?

    Compiled once from `scope_filter`: unit and region rules become a set of OrgUnit ids (one query). A rule shape
    this class does not understand allows the row here; the service re-checks on write and rolls back the import.
    """

    def __init__(self, actor, action: str):
        condition = scope_filter(actor, Project, action)
        self.permitted = condition is not None
        self.everything = condition is True
        self.unit_ids: set[int] = set()
        self.enterprise_ids: set[Any] = set()
        self.person_ids: set[Any] = set()
        if not isinstance(condition, Q):
            return
        unit_q = Q(pk__in=[])
        for key, value in self._leaves(condition):
            if key.startswith("responsible_unit__"):
                unit_q |= Q(**{key.removeprefix("responsible_unit__"): value})
            elif key in ("responsible_unit", "responsible_unit_id"):
                unit_q |= Q(pk=value)
            elif key in ("owner_enterprise", "owner_enterprise_id"):
                self.enterprise_ids.add(value)
            elif key in ("sponsors", "sponsors__pk", "sponsors__id"):
                self.person_ids.add(value)
            else:
                self.everything = True
        if not self.everything:
            self.unit_ids = set(OrgUnit.objects.filter(unit_q).values_list("pk", flat=True))

    def _leaves(self, condition: Q) -> Iterable[tuple[str, Any]]:
        if condition.negated or (condition.connector != Q.OR and len(condition.children) > 1):
            self.everything = True
            return
        for child in condition.children:
            if isinstance(child, Q):
                yield from self._leaves(child)
            else:
                key, value = child  # type: ignore[misc]
                yield key, value

    def allows(self, unit_id: Any, enterprise_id: Any = None, person_ids: Iterable[Any] = ()) -> bool:
        if not self.permitted:
            return False
        if self.everything:
            return True
        return (
            unit_id in self.unit_ids
            or (enterprise_id is not None and enterprise_id in self.enterprise_ids)
            or any(pk in self.person_ids for pk in person_ids)
        )


def _group(objects: Iterable[Any], key: Callable[[Any], str]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for obj in objects:
        name = key(obj)
        if name:
            groups[name].append(obj)
    return groups


class _Lookups:
    """Every name a row may refer to, resolved against what the actor may see; existing projects by natural key."""

    def __init__(self, actor):
        units = list(OrgUnit.objects.restrict(actor, "view").select_related("region"))
        self.units_by_pk = {unit.pk: unit for unit in units}
        self.units_by_name = _group(units, lambda u: u.name.strip())
        self.units_by_short = _group(units, lambda u: u.short_name.strip())
        persons = list(Person.objects.restrict(actor, "view").select_related("unit"))
        self.persons_by_name = _group(persons, lambda p: p.name.strip())
        industries = list(IndustryCategory.objects.all())
        self.industry_by_code = {i.code.upper(): i for i in industries}
        self.industry_by_name = {i.name: i for i in industries}
        self.chains = {c.name: c for c in IndustryChain.objects.all()}
        levels = list(ProjectLevel.objects.all())
        self.levels = {level.name: level for level in levels} | {level.code: level for level in levels}
        lists = list(SpecialList.objects.all())
        self.special_lists = {s.name: s for s in lists} | {s.code: s for s in lists}
        self.choice_maps = {c.key: _choice_map(c.choices) for c in COLUMNS if c.choices is not None}
        for key in BLANKABLE_CHOICES:
            self.choice_maps[key][UNKNOWN_WORD] = ""
        self.funding_kinds = _choice_map(FundingSourceKind)
        self.by_code: dict[str, tuple[int, int]] = {}
        self.by_name_owner: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for pk, code, name, owner, version in Project.objects.values_list(
            "pk", "code", "name", "owner_name", "version"
        ).iterator(chunk_size=5000):
            if code:
                self.by_code[code] = (pk, version)
            else:
                self.by_name_owner[(name.strip(), owner.strip())].append((pk, version))

    def unit(self, value: Any) -> OrgUnit:
        name = _text(value)
        found = self.units_by_name.get(name) or self.units_by_short.get(name) or []
        if len(found) == 1:
            return found[0]
        if not found:
            raise CellError(_("未找到单位“%(v)s”（或不在您的权限范围内）。") % {"v": name})
        raise CellError(_("单位“%(v)s”对应多个单位，请填写单位全称。") % {"v": name})

    def industry(self, value: Any) -> IndustryCategory:
        text = _text(value)
        token = text.split()[0].upper() if text.split() else ""
        found = (
            self.industry_by_code.get(text.upper())
            or self.industry_by_name.get(text)
            or (self.industry_by_code.get(token) if " " in text else None)
        )
        if found is None:
            raise CellError(_("未找到国民经济行业“%(v)s”，请填写大类代码（如 39）或名称。") % {"v": text})
        return found

    def chain(self, value: Any) -> IndustryChain:
        text = _text(value)
        if text not in self.chains:
            raise CellError(_("未找到主导产业/产业链“%(v)s”。") % {"v": text})
        return self.chains[text]

    def levels_of(self, value: Any) -> list[ProjectLevel]:
        result: list[ProjectLevel] = []
        for name in _split(value):
            level = self.levels.get(name)
            if level is None:
                raise CellError(
                    _("未知的项目级别“%(v)s”，可选：%(all)s。")
                    % {"v": name, "all": "、".join(sorted({lv.name for lv in self.levels.values()}))}
                )
            if level not in result:
                result.append(level)
        return result

    def special_lists_of(self, value: Any) -> list[tuple[SpecialList, str]]:
        result: list[tuple[SpecialList, str]] = []
        for item in _split(value):
            parts = PAIR_SPLIT.split(item, maxsplit=1)
            name, batch = parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")
            special = self.special_lists.get(name)
            if special is None:
                raise CellError(_("未知的专项名单“%(v)s”。") % {"v": name})
            if batch and not special.has_batch:
                raise CellError(_("专项名单“%(v)s”没有期次，请只填写名单名称。") % {"v": name})
            if len(batch) > 30:
                raise CellError(_("专项名单“%(v)s”的期次过长（最多30字）。") % {"v": name})
            if any(existing.pk == special.pk for existing, _b in result):
                raise CellError(_("专项名单“%(v)s”重复填写。") % {"v": name})
            result.append((special, batch))
        return result

    def persons_of(self, value: Any) -> list[Person]:
        result: list[Person] = []
        for item in _split(value):
            match = PERSON_RE.match(item)
            name, unit_name = (match.group(1).strip(), match.group(2).strip()) if match else (item, "")
            found = self.persons_by_name.get(name, [])
            if unit_name:
                found = [p for p in found if unit_name in (p.unit.name, p.unit.short_name)]
            if not found:
                raise CellError(_("未找到包联领导“%(v)s”（或不在您的权限范围内）。") % {"v": item})
            if len(found) > 1:
                raise CellError(_("包联领导“%(v)s”有重名，请写成“姓名（单位）”。") % {"v": item})
            if found[0] not in result:
                result.append(found[0])
        return result

    def funding_of(self, value: Any) -> list[services.FundingRow]:
        rows: list[services.FundingRow] = []
        for item in _split(value, FUNDING_SPLIT):
            parts = PAIR_SPLIT.split(item, maxsplit=1)
            if len(parts) != 2 or not parts[0].strip():
                raise CellError(
                    _("资金来源“%(v)s”格式不正确，应为“来源:金额”，多项用分号分隔，如“企业自筹:8000;银行贷款:2000”。")
                    % {"v": item}
                )
            kind = self.funding_kinds.get(parts[0].strip()) or self.funding_kinds.get(parts[0].strip().lower())
            if kind is None:
                raise CellError(
                    _("未知的资金来源“%(v)s”，可选：%(all)s。")
                    % {"v": parts[0].strip(), "all": "、".join(_labels(FundingSourceKind))}
                )
            try:
                amount = _decimal(parts[1].strip(), places=2)
            except CellError as exc:
                raise CellError(_("资金来源“%(v)s”的金额有误：%(e)s") % {"v": parts[0].strip(), "e": exc}) from exc
            rows.append(services.FundingRow(kind=kind, amount=amount))
        return rows

    def convert(self, column: Column, value: Any) -> Any:
        kind = column.kind
        if kind == TEXT:
            return _text(value)
        if kind == DECIMAL:
            return _decimal(value, places=column.places)
        if kind == INT:
            return _int(value)
        if kind == DATE:
            return _date(value)
        if kind == PARTIAL_DATE:
            return _partial_date(value)
        if kind == AMOUNT:
            return _amount(value)
        if kind == MONTH:
            return _month(value)
        if kind == BOOL:
            return _bool(value)
        if kind in (CHOICE, STAGE):
            text = _text(value)
            mapping = self.choice_maps[column.key]
            if text in mapping:
                return mapping[text]
            if text.lower() in mapping:
                return mapping[text.lower()]
            allowed = _labels(column.choices) + ([UNKNOWN_WORD] if column.key in BLANKABLE_CHOICES else [])
            raise CellError(_("“%(v)s”不是可选值，可选：%(all)s。") % {"v": text, "all": "、".join(allowed)})
        if kind == UNIT:
            return self.unit(value)
        if kind == INDUSTRY:
            return self.industry(value)
        if kind == CHAIN:
            return self.chain(value)
        if kind == LEVELS:
            return self.levels_of(value)
        if kind == SPECIAL:
            return self.special_lists_of(value)
        if kind == PERSONS:
            return self.persons_of(value)
        if kind == FUNDING:
            return self.funding_of(value)
        raise AssertionError(kind)  # pragma: no cover


def _empty_value(column: Column) -> Any:
    if column.kind == TEXT:
        return ""
    if column.kind in (LEVELS, SPECIAL, PERSONS, FUNDING):
        return []
    return None


# ---------------------------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class ImportRow:
    """A valid row, ready to write: the service input and, for an update, the project and its version."""

    row: int
    data: services.ProjectInput
    project_pk: int | None = None
    version: int | None = None
    transition: tuple[str, str] | None = None  # (to stage, reason) when an update changes the 项目阶段
    unchanged: bool = False


@dataclass
class ImportReport:
    """The outcome of `parse_workbook`: valid rows and every error as {"row", "column", "message"}."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    total_rows: int = 0
    fatal: str = ""  # the whole file was refused (not an xlsx, zip bomb, external links, wrong headers …)
    absent: set[str] = field(default_factory=set)  # optional columns (OPTIONAL_HEADERS) the file does not have

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def error_rows(self) -> int:
        return len({error["row"] for error in self.errors if error["row"] and error["row"] > 1})

    @property
    def to_create(self) -> int:
        return sum(1 for row in self.rows if row.project_pk is None)

    @property
    def to_update(self) -> int:
        return sum(1 for row in self.rows if row.project_pk is not None and not row.unchanged)

    @property
    def unchanged(self) -> int:
        return sum(1 for row in self.rows if row.unchanged)

    def add_error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": str(message)})

    def summary(self) -> str:
        if self.fatal:
            return self.fatal
        text = _("共 %(total)d 行：可新增 %(c)d 个项目，可更新 %(u)d 个，与现有数据一致 %(n)d 个") % {
            "total": self.total_rows,
            "c": self.to_create,
            "u": self.to_update,
            "n": self.unchanged,
        }
        if self.errors:
            text += _("；%(rows)d 行有错误（共 %(n)d 处）") % {"rows": self.error_rows, "n": len(self.errors)}
        return text + "。"


class ImportTimeout(ApplicationError):
    """The validation or the annotated copy ran past `TUIJIN_IMPORT_TIME_LIMIT` (the deadline given to it)."""


def deadline_after(seconds: float | None) -> float | None:
    """A `time.monotonic()` deadline `seconds` from now (None: no limit)."""
    return None if seconds is None else time.monotonic() + seconds


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise ImportTimeout(
            _("文件过大或过于复杂，处理超过了时限，已停止（未导入任何数据）。请拆分为多个文件后重新上传。"),
            code="import_timeout",
        )


def _beyond_rows(row_number: int, max_rows: int) -> str:
    return _(
        "第 %(row)d 行有内容，但数据只能填在第 2 行至第 %(last)d 行（最多 %(n)d 行数据）。"
        "表格中可能有误填的单元格或大量空行，请删除后重新上传。"
    ) % {"row": row_number, "last": 2 * max_rows + 1, "n": max_rows}


def _failed(message: str, row: int = 0, column: str = "") -> ImportReport:
    report = ImportReport(fatal=str(message))
    report.add_error(row, column, str(message))
    return report


# ---------------------------------------------------------------------------------------------------------------
# parse_workbook
# ---------------------------------------------------------------------------------------------------------------


def _data_sheet(workbook):
    if SHEET_DATA in workbook.sheetnames:
        return workbook[SHEET_DATA]
    return workbook.worksheets[0]


def _read_rows(
    data: bytes, report: ImportReport, deadline: float | None = None
) -> list[tuple[int, dict[str, tuple[Any, bool]]]] | None:
    """Header check and raw cell values (value, is-formula) by column key; None when the file was refused.

    Only the header columns are read, rows stop at the last one with content, and missing rows cost nothing; content
    beyond row MAX_ROWS + SPARE_ROWS + 1 refuses the file (`_beyond_rows`)."""
    try:
        workbook = open_xlsx(data)
    except ValidationError as exc:
        report.fatal = exc.messages[0]
        report.add_error(0, "", report.fatal)
        return None
    rows: list[tuple[int, dict[str, tuple[Any, bool]]]] = []
    try:
        sheet = _data_sheet(workbook)
        sheet.reset_dimensions()  # the stored dimension may be wrong (files written by other tools): read it all
        iterator = sheet.iter_rows(min_row=1, max_col=200)
        header = next(iterator, ())
        positions: dict[int, str] = {}
        unknown: list[str] = []
        for index, cell in enumerate(header):
            name = _norm_header(cell.value)
            if not name or IGNORED_HEADER_RE.match(name):
                continue
            key = HEADER_TO_KEY.get(name)
            if key is None:
                unknown.append(str(cell.value).strip())
            elif key in positions.values():
                report.add_error(
                    1, COLUMN_BY_KEY[key].header, _("表头“%(h)s”重复。") % {"h": COLUMN_BY_KEY[key].header}
                )
            else:
                positions[index] = key
        report.absent = {key for key in OPTIONAL_HEADERS if key not in positions.values()}
        missing = [
            column.header
            for column in COLUMNS
            if column.key not in positions.values() and column.key not in OPTIONAL_HEADERS
        ]
        if missing or unknown or report.errors:
            if missing:
                report.add_error(1, "", _("缺少表头：%(h)s。请使用下载的导入模板。") % {"h": "、".join(missing)})
            if unknown:
                report.add_error(
                    1, "", _("无法识别的表头：%(h)s。请使用下载的导入模板，不要修改表头。") % {"h": "、".join(unknown)}
                )
            report.fatal = _("表头与导入模板不一致。")
            return None
        width = max(positions) + 1
        gap: Any = None  # openpyxl yields one shared tuple for every row missing from the file: skipped at once
        for row_number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=width), start=2):
            if cells is gap:
                continue
            if row_number % 1000 == 0:
                _check_deadline(deadline)
            values: dict[str, tuple[Any, bool]] = {}
            for index, cell in enumerate(cells):
                key = positions.get(index)
                if key is None or cell.value is None:
                    continue
                values[key] = (cell.value, is_formula_cell(cell))
            if not values or all(_is_blank(value) for value, _f in values.values()):
                gap = cells
                continue
            if row_number > MAX_ROWS + SPARE_ROWS + 1:
                report.fatal = _beyond_rows(row_number, MAX_ROWS)
                report.add_error(0, "", report.fatal)
                return None
            if len(rows) >= MAX_ROWS:
                report.fatal = _("数据超过 %(n)d 行的上限，请拆分为多个文件导入。") % {"n": MAX_ROWS}
                report.add_error(0, "", report.fatal)
                return None
            rows.append((row_number, values))
    except ImportTimeout:
        raise
    except Exception:  # a corrupt sheet can fail anywhere inside openpyxl's XML parsing
        report.fatal = _("无法读取文件：文件已损坏或不是有效的 Excel（.xlsx）文件。")
        report.errors = []
        report.add_error(0, "", report.fatal)
        return None
    finally:
        workbook.close()
    if not rows:
        report.fatal = _("文件中没有项目数据（从第2行起填写）。")
        report.add_error(0, "", report.fatal)
        return None
    return rows


class _Unsupported(Exception):
    """A constraint condition the in-memory evaluator does not handle: validate it with the database instead."""


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "in": lambda a, b: a in b,
}
# Constraint violations are reported on the column to fix (Django puts them under "__all__").
CONSTRAINT_FIELDS = {
    "projects_unique_code": "code",
    "projects_total_investment_gte_0": "total_investment",
    "projects_finish_after_start": "actual_finish",
}


def _lookup_holds(obj: Project, key: str, value: Any) -> bool | None:
    """SQL semantics of one `field__lookup=value` against the instance: True, False or None (unknown, NULL)."""
    name, _sep, lookup = key.partition("__")
    lookup = lookup or "exact"
    try:
        attname = Project._meta.get_field(name).attname  # type: ignore[union-attr]
    except FieldDoesNotExist as exc:
        raise _Unsupported(key) from exc
    current = getattr(obj, attname)
    if isinstance(value, F):
        value = getattr(obj, Project._meta.get_field(value.name).attname)  # type: ignore[union-attr]
    elif hasattr(value, "resolve_expression"):
        raise _Unsupported(key)
    if lookup == "isnull":
        return (current is None) == bool(value)
    if lookup not in _COMPARE:
        raise _Unsupported(key)
    if lookup == "exact" and value is None:
        return current is None
    if current is None or value is None:
        return None
    return _COMPARE[lookup](current, value)


def _q_holds(condition: Q, obj: Project) -> bool | None:
    results: list[bool | None] = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_q_holds(child, obj))
        else:
            key, value = child  # type: ignore[misc]
            results.append(_lookup_holds(obj, key, value))
    if condition.connector == Q.AND:
        combined = False if False in results else (None if None in results else True)
    else:
        combined = True if True in results else (None if None in results else False)
    if condition.negated and combined is not None:
        return not combined
    return combined


class _InMemoryChecks:
    """Lets `services._full_clean` run on a validation copy without a database round trip per row.

    `services._full_clean` runs unchanged (field checks, `_validate_project`, uniqueness, constraints). On the copy
    only, two model methods that would query the database for every row are replaced by equivalents over data
    loaded once: `clean_fields` skips the foreign-key existence queries (every related object came from a lookup
    of existing rows), and `validate_constraints` evaluates the same `Project._meta.constraints` in Python with SQL
    NULL semantics, 项目代码 uniqueness against the preloaded codes. Anything it cannot evaluate goes to the database.
    """

    relations = frozenset(f.name for f in Project._meta.concrete_fields if f.is_relation)

    def __init__(self, by_code: Mapping[str, tuple[int, int]]):
        self.by_code = by_code

    def attach(self, project: Project) -> Project:
        def clean_fields(exclude=None):
            Project.clean_fields(project, exclude=set(exclude or ()) | self.relations)

        def validate_constraints(exclude=None):
            self.validate_constraints(project, exclude)

        setattr(project, "clean_fields", clean_fields)  # noqa: B010  (instance attribute shadows the method)
        setattr(project, "validate_constraints", validate_constraints)  # noqa: B010
        return project

    def validate_constraints(self, project: Project, exclude=None) -> None:
        errors: dict[str, list[Any]] = {}
        for constraint in Project._meta.constraints:
            failed = False
            if isinstance(constraint, UniqueConstraint) and tuple(constraint.fields) == ("code",):
                match = self.by_code.get(project.code) if project.code else None
                failed = match is not None and match[0] != project.pk
            elif isinstance(constraint, CheckConstraint):
                try:
                    if not isinstance(constraint.condition, Q):
                        raise _Unsupported(constraint.name)
                    failed = _q_holds(constraint.condition, project) is False
                except _Unsupported:
                    failed = self._database_says_invalid(constraint, project, exclude)
            else:
                failed = self._database_says_invalid(constraint, project, exclude)
            if failed:
                key = CONSTRAINT_FIELDS.get(constraint.name, NON_FIELD_ERRORS)
                errors.setdefault(key, []).append(constraint.get_violation_error_message())
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _database_says_invalid(constraint, project: Project, exclude) -> bool:
        try:
            constraint.validate(Project, project, exclude=exclude)
        except ValidationError:
            return True
        return False


def _clone(project: Project) -> Project:
    """A detached copy to validate changes on (its own related-object cache, unlike copy.copy)."""
    clone = Project(**{f.attname: getattr(project, f.attname) for f in Project._meta.concrete_fields})
    clone._state.adding = False
    clone._state.db = project._state.db
    clone.responsible_unit = project.responsible_unit
    if project.owner_enterprise_id:
        clone.owner_enterprise = project.owner_enterprise
    return clone


@dataclass(frozen=True)
class _Relations:
    """A project's list columns in comparable form (ids, not model instances: 10,000 projects stay small)."""

    levels: frozenset[int] = frozenset()
    sponsors: frozenset[int] = frozenset()
    special_lists: frozenset[tuple[int, str]] = frozenset()
    funding: tuple[tuple[str, Decimal, str], ...] = ()


def _m2m_pairs(name: str, pks: list[int]) -> Iterable[tuple[int, int]]:
    m2m = Project._meta.get_field(name)
    source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()  # type: ignore[union-attr]
    through = getattr(Project, name).through
    return through.objects.filter(**{f"{source}__in": pks}).values_list(source, target)


def _load_projects(
    pks: Iterable[int], units: Mapping[int, OrgUnit]
) -> tuple[dict[int, Project], dict[int, _Relations]]:
    """The matched projects (sharing the lookups' unit objects) and their list columns; a few queries per 500."""
    projects: dict[int, Project] = {}
    relations: dict[int, _Relations] = {}
    ordered = sorted(set(pks))
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        found = list(Project.objects.filter(pk__in=chunk))
        wanted = {p.responsible_unit_id for p in found} | {
            p.owner_enterprise_id for p in found if p.owner_enterprise_id
        }
        missing = wanted - units.keys()
        extra = OrgUnit.objects.select_related("region").in_bulk(missing) if missing else {}
        for project in found:
            project.responsible_unit = units.get(project.responsible_unit_id) or extra[project.responsible_unit_id]
            if project.owner_enterprise_id:
                project.owner_enterprise = units.get(project.owner_enterprise_id) or extra[project.owner_enterprise_id]
            projects[project.pk] = project
        levels: dict[int, set[int]] = defaultdict(set)
        sponsors: dict[int, set[int]] = defaultdict(set)
        specials: dict[int, set[tuple[int, str]]] = defaultdict(set)
        funding: dict[int, list[tuple[str, Decimal, str]]] = defaultdict(list)
        for project_id, level_id in _m2m_pairs("levels", chunk):
            levels[project_id].add(level_id)
        for project_id, person_id in _m2m_pairs("sponsors", chunk):
            sponsors[project_id].add(person_id)
        for project_id, special_id, batch in ProjectSpecialList.objects.filter(project_id__in=chunk).values_list(
            "project_id", "special_list_id", "batch"
        ):
            specials[project_id].add((special_id, batch))
        for project_id, kind, amount, note in FundingSource.objects.filter(project_id__in=chunk).values_list(
            "project_id", "kind", "amount", "note"
        ):
            funding[project_id].append((kind, amount, note))
        for pk in chunk:
            relations[pk] = _Relations(
                frozenset(levels[pk]), frozenset(sponsors[pk]), frozenset(specials[pk]), tuple(sorted(funding[pk]))
            )
    return projects, relations


def _allowed_pks(actor, action: str, pks: Iterable[int]) -> set[int]:
    allowed: set[int] = set()
    pks = sorted(set(pks))
    restricted = Project.objects.restrict(actor, action)
    for start in range(0, len(pks), CHUNK):
        allowed.update(restricted.filter(pk__in=pks[start : start + CHUNK]).values_list("pk", flat=True))
    return allowed


def _unchanged(original: Project, clone: Project, data: services.ProjectInput, current: _Relations) -> bool:
    """Would writing this row change nothing (fields after the services' normalisation, and every list)?"""
    for key in data.fields:
        attname = Project._meta.get_field(key).attname  # type: ignore[union-attr]
        if getattr(original, attname) != getattr(clone, attname):
            return False
    wanted = _Relations(
        frozenset(obj.pk for obj in data.levels or []),
        frozenset(obj.pk for obj in data.sponsors or []),
        frozenset((special.pk, batch) for special, batch in data.special_lists or []),
        tuple(sorted((row.kind, row.amount, row.note) for row in data.funding or [])),
    )
    return wanted == current


def _service_errors(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(key, message) for key, messages in exc.message_dict.items() for message in messages]
    return [("", message) for message in exc.messages]


def parse_workbook(data: bytes, *, actor, deadline: float | None = None) -> ImportReport:
    """Validate every row of an uploaded workbook as `actor` would import it; writes nothing. Past `deadline`
    (`time.monotonic()`), ImportTimeout."""
    report = ImportReport()
    raw_rows = _read_rows(data, report, deadline)
    if raw_rows is None:
        return report
    report.total_rows = len(raw_rows)
    lookups = _Lookups(actor)

    # 1. Cells → values (types, choices, names), collecting every cell error.
    parsed: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    for row_number, raw in raw_rows:
        values: dict[str, Any] = {}
        cell_errors: dict[str, str] = {}
        for column in COLUMNS:
            if column.key in report.absent:
                continue
            value, is_formula = raw.get(column.key, (None, False))
            if is_formula:
                cell_errors[column.key] = _("单元格含有公式，请复制后“选择性粘贴为数值”再导入。")
                continue
            if _is_blank(value):
                if column.required:
                    cell_errors[column.key] = _("必填，不能为空。")
                elif column.key not in KEEP_WHEN_EMPTY:
                    values[column.key] = _empty_value(column)
                continue
            try:
                values[column.key] = lookups.convert(column, value)
            except CellError as exc:
                cell_errors[column.key] = str(exc)
        if values.get("code"):
            values["code"] = normalize_project_code(values["code"])
        parsed.append((row_number, values, cell_errors))
    del raw_rows

    # 2. Match rows to existing projects; the same project (or new key) twice in one file is an error on each row.
    matches: list[tuple[int, int] | None] = []
    ambiguous: set[int] = set()
    seen: dict[Any, list[int]] = defaultdict(list)
    for index, (_row_number, values, _errors) in enumerate(parsed):
        code = values.get("code") or ""
        name_owner = (str(values.get("name", "")).strip(), str(values.get("owner_name", "")).strip())
        match = lookups.by_code.get(code) if code else None
        if match is None and name_owner[0] and name_owner[1]:
            candidates = lookups.by_name_owner.get(name_owner, [])
            if len(candidates) > 1:
                ambiguous.add(index)
            elif candidates:
                match = candidates[0]
        matches.append(match)
        key: Any = ("project", match[0]) if match else (("code", code) if code else ("name", name_owner))
        if key[0] == "name" and not (name_owner[0] and name_owner[1]):
            continue
        seen[key].append(index)
    duplicate_of: dict[int, list[int]] = {}
    for indexes in seen.values():
        if len(indexes) > 1:
            for index in indexes:
                duplicate_of[index] = [parsed[i][0] for i in indexes]

    validator = _RowValidator(actor, lookups, *_load_projects((m[0] for m in matches if m), lookups.units_by_pk))
    header = {column.key: column.header for column in COLUMNS}

    # 3. The services' validation on every row that could be matched.
    for index, (row_number, values, cell_errors) in enumerate(parsed):
        if index % 200 == 0:
            _check_deadline(deadline)
        errors: list[tuple[str, str]] = [(key, message) for key, message in cell_errors.items()]
        match = matches[index]
        id_column = "code" if values.get("code") else "name"
        if index in duplicate_of:
            rows_text = "、".join(str(r) for r in duplicate_of[index])
            if match:
                errors.append(
                    (
                        id_column,
                        _("多行对应同一个已有项目（第 %(rows)s 行），每个项目只能出现一次。") % {"rows": rows_text},
                    )
                )
            elif values.get("code"):
                errors.append(
                    (
                        "code",
                        _("项目代码“%(code)s”在文件中重复出现（第 %(rows)s 行）。")
                        % {"code": values["code"], "rows": rows_text},
                    )
                )
            else:
                errors.append(
                    (
                        "name",
                        _("项目名称与项目业主相同的行重复出现（第 %(rows)s 行），请填写项目代码区分。")
                        % {"rows": rows_text},
                    )
                )
        if index in ambiguous:
            errors.append(("name", _("有多个同名、同业主的已有项目，无法确定更新哪一个，请填写项目代码。")))
        row = validator.validate(row_number, values, errors, match)
        for key, message in errors:
            report.add_error(row_number, header.get(key, ""), message)
        if row is not None and not errors:
            report.rows.append(row)
    order = {column.header: position for position, column in enumerate(COLUMNS)}
    report.errors.sort(key=lambda e: (e["row"], order.get(e["column"], len(order))))
    return report


def _expand_partial(fields: dict[str, Any]) -> None:
    """An Amount → 总投资 + its 约 flag; a PartialDate → the date + its precision (blank: None, 日)."""
    if "total_investment" in fields:
        amount = fields["total_investment"]
        fields["total_investment"] = amount.value if amount is not None else None
        fields["total_investment_approx"] = bool(amount is not None and amount.approx)
    for key in services.PARTIAL_DATE_FIELDS:
        if key in fields:
            known = fields[key]
            fields[key] = known.value if known is not None else None
            fields[f"{key}_precision"] = known.precision if known is not None else DatePrecision.DAY


class _RowValidator:
    """The services' validation of one row, with everything it needs loaded once for the whole file."""

    def __init__(self, actor, lookups: _Lookups, projects: dict[int, Project], relations: dict[int, _Relations]):
        self.projects = projects
        self.relations = relations
        self.changeable = _allowed_pks(actor, "change", projects)
        self.transitionable = _allowed_pks(actor, "transition", projects)
        self.add_scope = _Scope(actor, "add")
        self.change_scope = _Scope(actor, "change")
        self.checks = _InMemoryChecks(lookups.by_code)

    def validate(
        self, row_number: int, values: dict[str, Any], errors: list[tuple[str, str]], match: tuple[int, int] | None
    ) -> ImportRow | None:
        """Append (field, message) for every problem of the row to `errors`; the ImportRow when there is none."""
        bad = {key for key, _message in errors}
        fields = {key: values[key] for key in MODEL_FIELD_KEYS if key in values and key not in bad}
        if "code" in fields:
            fields["code"] = fields["code"] or None
        _expand_partial(fields)
        stage = values.get("stage") if "stage" not in bad else None
        reason = values.get("stage_reason", "") if "stage_reason" not in bad else ""
        data = services.ProjectInput(
            fields=fields,
            levels=values.get("levels"),
            sponsors=values.get("sponsors"),
            special_lists=values.get("special_lists"),
            funding=values.get("funding"),
            stage=stage,
            stage_reason=reason if stage in (Stage.SUSPENDED, Stage.CANCELLED) else "",
            message=_("Excel导入"),
        )
        id_column = "code" if values.get("code") else "name"
        sponsor_ids = [person.pk for person in data.sponsors or []]
        unit = fields.get("responsible_unit")
        transition: tuple[str, str] | None = None
        original: Project | None = None

        chain = fields.get("chain")
        if chain is not None and not chain.is_active:
            current_chain = self.projects[match[0]].chain_id if match and match[0] in self.projects else None
            if chain.pk != current_chain:
                errors.append(("chain", _("主导产业/产业链“%(v)s”已停用，请选择其他产业链。") % {"v": chain.name}))
        if match is None:
            if not self.add_scope.permitted:
                errors.append((id_column, _("未找到可更新的已有项目，且您无权新增项目。")))
                return None
            if unit is not None and not self.add_scope.allows(unit.pk, None, sponsor_ids):
                errors.append(("responsible_unit", _("责任单位“%(u)s”不在您的管理范围内。") % {"u": unit.name}))
            project = Project(**fields)
            if stage:
                project.stage, project.stage_reason = stage, data.stage_reason
            candidates = [project]
        else:
            original = self.projects.get(match[0])
            if original is None or original.pk not in self.changeable:
                errors[:] = [(id_column, _("无权修改该项目。"))]  # nothing else about a project out of scope
                return None
            if unit is not None and not self.change_scope.allows(unit.pk, original.owner_enterprise_id, sponsor_ids):
                errors.append(("responsible_unit", _("责任单位“%(u)s”不在您的管理范围内。") % {"u": unit.name}))
            project = _clone(original)
            for key, value in fields.items():
                setattr(project, key, value)
            candidates = [project]  # project_update runs with the current stage …
            if stage and stage != original.stage:
                if original.pk not in self.transitionable:
                    errors.append(("stage", _("您无权变更该项目的阶段。")))
                elif stage not in ALLOWED_TRANSITIONS.get(original.stage, set()):
                    errors.append(
                        (
                            "stage",
                            _("项目阶段不能从“%(a)s”变更为“%(b)s”。")
                            % {"a": _label_of(Stage, original.stage), "b": _label_of(Stage, stage)},
                        )
                    )
                transition = (stage, data.stage_reason)
                after = copy.copy(project)  # … then project_transition with the new one
                after.stage = stage
                candidates.append(after)
        if stage in (Stage.SUSPENDED, Stage.CANCELLED) and not str(reason).strip() and "stage_reason" not in bad:
            if original is None or stage != original.stage:
                errors.append(("stage_reason", _("项目阶段为暂缓或取消时须填写原因。")))
        bad = {key for key, _message in errors}
        for candidate in candidates:
            try:
                services._full_clean(self.checks.attach(candidate), data)
            except ValidationError as exc:
                for key, message in _service_errors(exc):
                    if key not in bad and (key, message) not in errors:
                        errors.append((key if key in COLUMN_BY_KEY else "", message))
                break
        if errors:
            return None
        if original is None:
            return ImportRow(row=row_number, data=data)
        return ImportRow(
            row=row_number,
            data=data,
            project_pk=original.pk,
            version=original.version,
            transition=transition,
            unchanged=transition is None and _unchanged(original, project, data, self.relations[original.pk]),
        )


# ---------------------------------------------------------------------------------------------------------------
# apply_import
# ---------------------------------------------------------------------------------------------------------------


@contextmanager
def _acting_as(actor):
    """Outside a request (command, background job) attribute change-log rows to the importing account."""
    if current_request.get() is not None or actor is None:
        yield
        return
    token = current_request.set(SimpleNamespace(user=actor, id=uuid.uuid4(), META={}, client_ip=None))
    try:
        yield
    finally:
        current_request.reset(token)


def apply_import(
    report: ImportReport, *, actor, only_valid: bool = False, progress: Callable[[int, int], Any] | None = None
) -> tuple[int, int]:
    """Write the report's valid rows in one transaction; (created, updated). Nothing is written on any failure.

    With errors in the report and `only_valid` False, nothing is written and ApplicationError is raised. Rows
    identical to the database are skipped (counted in `report.unchanged`, not in `updated`).
    """
    if report.fatal:
        raise ApplicationError(report.fatal, code="import_invalid")
    if report.errors and not only_valid:
        raise ApplicationError(
            _("文件中有 %(n)d 处错误（涉及 %(rows)d 行），未导入任何数据。请修正后重新导入，或选择“仅导入无误的行”。")
            % {"n": len(report.errors), "rows": report.error_rows},
            code="import_invalid",
        )
    rows = [row for row in report.rows if not row.unchanged]
    total = len(rows)
    created = updated = 0
    with rows_written(_("无权修改该项目。")) as at, _acting_as(actor), transaction.atomic():
        new_rows = [row for row in rows if row.project_pk is None]
        for start in range(0, len(new_rows), BULK_CHUNK):
            chunk = new_rows[start : start + BULK_CHUNK]
            at.row = chunk[0].row
            services.projects_bulk_create(actor=actor, inputs=[row.data for row in chunk], message=str(_("Excel导入")))
            created += len(chunk)
            if progress is not None:
                progress(created, total)
        old_rows = [row for row in rows if row.project_pk is not None]
        for start in range(0, len(old_rows), CHUNK):
            chunk = old_rows[start : start + CHUNK]
            pks = [row.project_pk for row in chunk]
            projects = Project.objects.select_related("responsible_unit__region", "owner_enterprise").in_bulk(pks)
            for row in chunk:
                at.row = row.row
                project = projects.get(row.project_pk)
                if project is None:
                    raise ApplicationError(_("该项目已被删除。"), code="gone")
                project = services.project_update(actor=actor, project=project, version=row.version or 0, data=row.data)
                if row.transition:
                    services.project_transition(
                        actor=actor,
                        project=project,
                        version=project.version,
                        to_stage=row.transition[0],
                        reason=row.transition[1],
                    )
                updated += 1
                done = created + updated
                if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
                    progress(done, total)
    if progress is not None and total == 0:
        progress(0, 0)
    return created, updated


# ---------------------------------------------------------------------------------------------------------------
# Shared by the keyed-sheet imports (年度计划表 `plan_excel.py`, 调度表 `progress/sheet.py`)
# ---------------------------------------------------------------------------------------------------------------

KeyedRows = list[tuple[int, dict[str, tuple[Any, bool]]]]


def read_keyed_rows(
    data: bytes,
    report,
    *,
    sheet_name: str,
    header_index: dict[str, str],
    required: list[str],
    max_rows: int,
    kind: str,
    max_col: int = 100,
) -> KeyedRows | None:
    """The data rows of a downloaded-and-filled sheet, as (row number, {header: (value, is formula)}); blank rows
    skipped. Headers are matched by `header_index` (normalised name → header); a missing, repeated or unknown header,
    more than `max_rows` rows, no rows, or an unreadable file sets `report.fatal` (and its errors) and returns None.
    `kind` names the sheet in the messages (调度表, 年度计划表). `report` needs `fatal`, `errors` and `add_error`.
    Content below row 2 × `max_rows` + 1 refuses the file; rows missing from the file cost nothing."""
    try:
        workbook = open_xlsx(data)
    except ValidationError as exc:
        report.fatal = exc.messages[0]
        report.add_error(0, "", report.fatal)
        return None
    rows: KeyedRows = []
    try:
        sheet = workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(min_row=1, max_row=1, max_col=max_col), ())
        positions: dict[int, str] = {}
        unknown = []
        for index, cell in enumerate(header):
            name = _norm_header(cell.value)
            if not name or name == ERROR_HEADER:
                continue
            known = header_index.get(name)
            if known is None:
                unknown.append(str(cell.value).strip())
            elif known in positions.values():
                report.add_error(1, known, _("表头“%(h)s”重复。") % {"h": known})
            else:
                positions[index] = known
        missing = [h for h in required if h not in positions.values()]
        if missing:
            report.add_error(1, "", _("缺少表头：%(h)s。请使用下载的%(k)s。") % {"h": "、".join(missing), "k": kind})
        if unknown:
            report.add_error(1, "", _("无法识别的表头：%(h)s。请不要修改表头。") % {"h": "、".join(unknown)})
        if report.errors:
            report.fatal = _("表头与%(k)s不一致。") % {"k": kind}
            return None
        width = max(positions) + 1
        gap: Any = None  # the shared tuple openpyxl yields for each row missing from the file
        for number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=width), start=2):
            if cells is gap:
                continue
            values = {
                positions[i]: (c.value, is_formula_cell(c))
                for i, c in enumerate(cells)
                if i in positions and c.value is not None
            }
            if not values or all(_is_blank(v) for v, _f in values.values()):
                gap = cells
                continue
            if number > 2 * max_rows + 1:
                report.fatal = _beyond_rows(number, max_rows)
                report.add_error(0, "", report.fatal)
                return None
            if len(rows) >= max_rows:
                report.fatal = _("数据超过 %(n)d 行的上限，请拆分为多个文件导入。") % {"n": max_rows}
                report.add_error(0, "", report.fatal)
                return None
            rows.append((number, values))
    except Exception:  # a corrupt sheet can fail anywhere inside openpyxl
        report.fatal = _("无法读取文件：文件已损坏或不是有效的 Excel（.xlsx）文件。")
        report.errors = []
        report.add_error(0, "", report.fatal)
        return None
    finally:
        workbook.close()
    if not rows:
        report.fatal = _("文件中没有%(k)s数据（从第2行起填写）。") % {"k": kind}
        report.add_error(0, "", report.fatal)
        return None
    return rows


@dataclass
class ProjectFinder:
    """The rows' projects for the keyed imports (plans, 调度表, 历史数据): the projects of `queryset` (the caller's
    `restrict(actor, action)`), loaded once, found by 项目代码 — which must agree with 项目名称 when both are given —
    or else by a unique 项目名称. An unknown or out-of-scope project gets one message (`not_found_code` /
    `not_found_name` may say what to do about it)."""

    def __init__(self, queryset, *, not_found_code: Any = None, not_found_name: Any = None):
        self.by_code: dict[str, Project] = {}
        self.by_name: dict[str, list[Project]] = defaultdict(list)
        self.not_found_code = not_found_code or gettext_lazy("项目代码“%(c)s”不存在或不在您的管理范围内。")
        self.not_found_name = not_found_name or gettext_lazy("项目“%(n)s”不存在或不在您的管理范围内。")
        for project in queryset:
            if project.code:
                self.by_code[project.code.strip().upper()] = project
            self.by_name[project.name.strip()].append(project)

    def find(self, code: str, name: str) -> Project:
        if code:
            project = self.by_code.get(code.strip().upper())
            if project is None:
                raise CellError(str(self.not_found_code) % {"c": code})
            if name and project.name.strip() != name:
                raise CellError(
                    _("项目代码“%(c)s”对应的项目是“%(n)s”，与所填项目名称不一致。") % {"c": code, "n": project.name}
                )
            return project
        if not name:
            raise CellError(_("请填写项目代码或项目名称。"))
        found = self.by_name.get(name, [])
        if not found:
            raise CellError(str(self.not_found_name) % {"n": name})
        if len(found) > 1:
            raise CellError(_("有 %(k)d 个项目名为“%(n)s”，请填写项目代码。") % {"k": len(found), "n": name})
        return found[0]


class RowCursor:
    """The sheet row being written (set by the caller's loop), for `rows_written`'s messages."""

    row: int = 0


@contextmanager
def rows_written(denied: str):
    """Around an import's writes (inside its transaction): a refusal from a service becomes one ApplicationError
    naming the row being written — "第 N 行：… 未导入任何数据。" — so the whole import rolls back with a message a
    person can act on. `denied` is the message for PermissionDenied (it says what the user may not change)."""
    cursor = RowCursor()
    try:
        yield cursor
    except ApplicationError as exc:  # changed, created or approved meanwhile (ConflictError included)
        raise ApplicationError(
            _("第 %(row)d 行：%(msg)s 未导入任何数据。") % {"row": cursor.row, "msg": exc.message}, code=exc.code
        ) from exc
    except ValidationError as exc:
        text = "；".join(message for _key, message in _service_errors(exc))
        raise ApplicationError(
            _("第 %(row)d 行：%(msg)s 未导入任何数据。") % {"row": cursor.row, "msg": text}, code="invalid"
        ) from exc
    except PermissionDenied as exc:
        raise ApplicationError(
            _("第 %(row)d 行：%(msg)s未导入任何数据。") % {"row": cursor.row, "msg": denied}, code="permission_denied"
        ) from exc


# ---------------------------------------------------------------------------------------------------------------
# annotated_copy
# ---------------------------------------------------------------------------------------------------------------


def annotated_copy(
    data: bytes, report: ImportReport | Sequence[Mapping[str, Any]], *, deadline: float | None = None
) -> bytes:
    """The user's workbook with every erroneous cell filled red and commented, plus a 「错误说明」 column per row.

    `report` is an ImportReport or its `errors` list (as stored on ImportJob.errors). The work is bounded by the
    cells the file really holds (at most `TUIJIN_XLSX_MAX_CELLS`, checked before loading) and the errors, never by
    the sheet's claimed dimensions: the 「错误说明」 column goes after the last header, a stray cell far away is
    neither walked nor moved. Past `deadline`, ImportTimeout.
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    errors: list[Mapping[str, Any]] = list(report.errors if isinstance(report, ImportReport) else report)
    try:
        workbook = open_xlsx(data, read_only=False)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="invalid_file") from exc
    _check_deadline(deadline)
    sheet = _data_sheet(workbook)
    red = PatternFill("solid", fgColor="FFC7CE")
    header_fill = PatternFill("solid", fgColor="FFE699")

    # Clear the marks of an earlier annotation (the user may upload a fixed annotated copy again).
    headers = header_cells(sheet)
    error_col, existed = notes_column_for(sheet, headers, lambda value: _norm_header(value) == ERROR_HEADER)
    clear_annotations(sheet, author=ANNOTATION_AUTHOR, notes_column=error_col if existed else None)
    columns = {HEADER_TO_KEY.get(_norm_header(cell.value)): cell.column for cell in headers}
    columns_by_header = {COLUMN_BY_KEY[key].header: col for key, col in columns.items() if key}
    head = sheet.cell(row=1, column=error_col, value=ERROR_HEADER)
    head.font = Font(bold=True, color="9C0006")
    head.fill = header_fill
    sheet.column_dimensions[head.column_letter].width = 60

    by_row: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for error in errors:
        by_row[int(error.get("row") or 0)].append(error)
    file_messages = [str(e["message"]) for e in by_row.pop(0, [])]
    for done, (row_number, row_errors) in enumerate(sorted(by_row.items())):
        if done % 1000 == 0:
            _check_deadline(deadline)
        per_cell: dict[int, list[str]] = defaultdict(list)
        lines = []
        for error in row_errors:
            column_name = str(error.get("column") or "")
            message = str(error.get("message", ""))
            lines.append(f"{column_name}：{message}" if column_name else message)
            if column_name in columns_by_header:
                per_cell[columns_by_header[column_name]].append(message)
        for col, messages in per_cell.items():
            cell = sheet.cell(row=row_number, column=col)
            cell.fill = red
            comment = Comment("\n".join(messages), ANNOTATION_AUTHOR)
            comment.width, comment.height = 300, 120
            cell.comment = comment
        if row_number == 1:
            file_messages.extend(lines)
            continue
        note = sheet.cell(row=row_number, column=error_col, value=neutralize("；".join(lines)))
        note.font = Font(color="9C0006")
    if file_messages:
        comment = Comment("\n".join(file_messages), ANNOTATION_AUTHOR)
        comment.width, comment.height = 400, 160
        head.comment = comment
    return workbook_bytes(workbook)


# ---------------------------------------------------------------------------------------------------------------
# build_template
# ---------------------------------------------------------------------------------------------------------------


def _option_lists(actor) -> dict[str, list[str]]:
    """The dropdown lists of the template (scoped to the actor when given)."""
    if actor is not None:
        units = OrgUnit.objects.restrict(actor, "view").filter(is_active=True)
        persons = Person.objects.restrict(actor, "view")
    else:
        units = OrgUnit.objects.filter(is_active=True)
        persons = Person.objects.all()
    unit_names = list(dict.fromkeys(units.order_by("sort_order", "name").values_list("name", flat=True)))
    person_names = list(dict.fromkeys(persons.order_by("-is_county_leader", "name").values_list("name", flat=True)))
    industries = [
        f"{code} {name}"
        for code, name in IndustryCategory.objects.filter(parent__isnull=False).values_list("code", "name")
    ]
    return {
        "stage": _labels(Stage),
        "domain": [*_labels(ProjectDomain), UNKNOWN_WORD],
        "construction_nature": [*_labels(ConstructionNature), UNKNOWN_WORD],
        "investment_subject": [*_labels(InvestmentSubject), UNKNOWN_WORD],
        "stats_status": _labels(StatsStatus),
        "bool": [YES, NO],
        "levels": list(ProjectLevel.objects.values_list("name", flat=True)),
        "special_lists": list(SpecialList.objects.values_list("name", flat=True)),
        "chain": list(IndustryChain.objects.filter(is_active=True).values_list("name", flat=True)),
        "industry": industries,
        "unit": unit_names,
        "sponsors": person_names,
        "funding": _labels(FundingSourceKind),
    }


def _option_key(column: Column) -> str | None:
    if column.kind == BOOL:
        return "bool"
    if column.kind == UNIT:
        return "unit"
    if column.key in (
        "stage",
        "domain",
        "construction_nature",
        "investment_subject",
        "stats_status",
        "levels",
        "special_lists",
        "chain",
        "industry",
        "sponsors",
    ):
        return column.key
    return None


def build_template(*, actor=None) -> bytes:
    """The import template: 「项目」 (headers, dropdowns), 「填写说明」 and the hidden 「选项」 lists."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    options = _option_lists(actor)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_DATA
    notes = workbook.create_sheet(SHEET_NOTES)
    lists = workbook.create_sheet(SHEET_OPTIONS)
    lists.sheet_state = "hidden"

    option_ranges: dict[str, str] = {}
    for index, (key, values) in enumerate(options.items(), start=1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=key)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=neutralize(value))
        if values:
            option_ranges[key] = f"{quote_sheetname(SHEET_OPTIONS)}!${letter}$2:${letter}${len(values) + 1}"

    required_fill = PatternFill("solid", fgColor="F8CBAD")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    last = TEMPLATE_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.title)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = required_fill if column.required else optional_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(_column_format(column), ANNOTATION_AUTHOR, width=260, height=90)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.kind == DATE:
            dimension.number_format = DATE_FORMAT
        elif column.kind not in (DECIMAL, INT):
            dimension.number_format = "@"  # text: keeps 项目代码 and "2025-03" as typed
        option = _option_key(column)
        if option and option in option_ranges:
            multi = column.kind in (LEVELS, SPECIAL, PERSONS)
            validation = DataValidation(
                type="list",
                formula1=option_ranges[option],
                allow_blank=True,
                showErrorMessage=not multi and column.kind != INDUSTRY,
                errorTitle=_("输入值无效"),
                error=_("请从下拉列表中选择。"),
                promptTitle=column.header,
                prompt=str(column.fmt)[:250],
                showInputMessage=True,
            )
            validation.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(validation)
        elif column.kind in (DECIMAL, INT):
            minimum, maximum = {"longitude": ("73", "136"), "latitude": ("3", "54")}.get(column.key, ("0", None))
            validation = DataValidation(
                type="decimal" if column.kind == DECIMAL else "whole",
                operator="between" if maximum else "greaterThanOrEqual",
                formula1=minimum,
                formula2=maximum,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("输入值无效"),
                error=str(column.fmt)[:250],
            )
            validation.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 32

    _write_notes(notes)
    workbook.active = 0
    return workbook_bytes(workbook)


def _column_format(column: Column) -> str:
    text = str(column.fmt)
    if column.kind == FUNDING:
        text = text % {"kinds": "、".join(_labels(FundingSourceKind))}
    return text


def _write_notes(notes) -> None:
    from openpyxl.styles import Alignment, Font

    general = [
        _("1. 在「项目」工作表第2行起每行填写一个项目；不要修改、删除或增加表头。带 * 的列必填。"),
        _("2. 导入时先校验全部行：有任何错误时不写入任何数据，并可下载标注了错误单元格的文件；修正后重新上传。"),
        _(
            "3. 已有项目按“项目代码”匹配；未填项目代码的按“项目名称 + 项目业主”匹配。匹配到的项目被更新，其余新增。"
            "同一文件中同一项目只能出现一次；重复导入同一文件不会产生重复项目。"
        ),
        _(
            "4. 更新已有项目时，本表各列内容整体覆盖原值：文本、数字、日期和多值列留空即清空；"
            "选择类列（投资领域、建设性质、投资主体、纳统状态、是/否、项目阶段）和总投资留空则保持原值，"
            "要清空投资领域、建设性质、投资主体或总投资请填写“未填”。新项目留空即为“未填”，不会自动取默认值"
            "（纳统状态为未纳统，是/否为否，项目阶段为前期）。"
        ),
        _(
            "4a. 不确切的信息照实填写：总投资可写“20亿元”，估算的写“约20亿元”；计划/实际开工、竣工日期只知道月份写"
            "“2024-03”或“2024年3月”，只知道年份写“2024年”。项目不在本区的，属地留空，在“区外属地”填写所在地。"
        ),
        _("5. 不要使用公式或指向其他文件的链接；数字和日期请直接填写数值（可“选择性粘贴为数值”）。"),
        _("6. 单位、包联领导只能填写您权限范围内的；金额单位为万元，最多2位小数，不能为负数。单个文件最多 %(n)d 行。")
        % {"n": MAX_ROWS},
    ]
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 40
    notes.column_dimensions["D"].width = 60
    notes.cell(row=1, column=1, value=_("填写说明")).font = Font(bold=True, size=14)
    row = 2
    for line in general:
        cell = notes.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=False)
        row += 1
    row += 1
    for index, title in enumerate((_("列名"), _("是否必填"), _("含义"), _("格式要求 / 可选值")), start=1):
        notes.cell(row=row, column=index, value=title).font = Font(bold=True)
    for column in COLUMNS:
        row += 1
        allowed = ""
        if column.choices is not None:
            allowed = _("可选：") + "、".join(_labels(column.choices))
        elif column.kind == BOOL:
            allowed = _("可选：是、否")
        values = (
            column.header,
            _("必填") if column.required else _("选填"),
            str(column.meaning),
            "；".join(part for part in (_column_format(column), allowed) if part),
        )
        for index, value in enumerate(values, start=1):
            notes.cell(row=row, column=index, value=neutralize(value)).alignment = Alignment(
                wrap_text=True, vertical="top"
            )


# ---------------------------------------------------------------------------------------------------------------
# export_projects_xlsx
# ---------------------------------------------------------------------------------------------------------------


def _export_value(project: Project, column: Column) -> Any:
    key, kind = column.key, column.kind
    if kind == UNIT:
        unit = getattr(project, key)
        return unit.name if unit is not None else None
    if kind == INDUSTRY:
        return f"{project.industry.code} {project.industry.name}" if project.industry is not None else None
    if kind == CHAIN:
        return project.chain.name if project.chain is not None else None
    if kind == LEVELS:
        return "、".join(level.name for level in project.levels.all()) or None
    if kind == SPECIAL:
        return (
            "、".join(
                f"{e.special_list.name}:{e.batch}" if e.batch else e.special_list.name
                for e in project.special_list_entries.all()
            )
            or None
        )
    if kind == PERSONS:
        return "、".join(person.name for person in project.sponsors.all()) or None
    if kind == FUNDING:
        return (
            ";".join(f"{_label_of(FundingSourceKind, row.kind)}:{row.amount}" for row in project.funding_sources.all())
            or None
        )
    value = getattr(project, key)
    if kind == AMOUNT:  # exact: a number; an estimate: "约200000.00" (imports back as the same value and flag)
        if value is None or not project.total_investment_approx:
            return value
        return f"约{value}"
    if kind == PARTIAL_DATE:  # a whole day: a date; otherwise "2024年3月" / "2024年" (imports back unchanged)
        precision = getattr(project, f"{key}_precision")
        if value is None or precision == DatePrecision.DAY:
            return value
        return format_partial_date(value, precision)
    if kind in (CHOICE, STAGE):
        return _label_of(column.choices, value) if value else None
    if kind == BOOL:
        return YES if value else NO
    return value


def export_projects_xlsx(queryset, *, columns: list[str] | None = None, year: int | None = None) -> bytes:
    """An .xlsx of the projects (write-only, streamed in chunks of 2000): numbers as numbers, dates as dates,
    every text neutralised against formula injection. Default columns = the template's, so it re-imports;
    with `year`, the columns the apps above register (`sections.register_export_columns`: the facts' 年度计划,
    年初至今完成 and 灯色), then the year's 年度分类 and 年度计划投资 are appended (the importer ignores them)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    from .sections import ExportColumn, export_columns

    keys = columns or [column.key for column in COLUMNS]
    unknown = [key for key in keys if key not in COLUMN_BY_KEY]
    if unknown:
        raise ValueError(f"unknown export columns: {unknown}")
    selected = [COLUMN_BY_KEY[key] for key in keys]
    with_year = year is not None

    queryset = queryset.select_related("responsible_unit", "locality", "chain", "industry").prefetch_related(None)
    lookups: list[Any] = [
        "levels",
        "sponsors",
        "funding_sources",
        Prefetch("special_list_entries", queryset=ProjectSpecialList.objects.select_related("special_list")),
    ]
    if year is not None:
        lookups.append(Prefetch("annual_plans", queryset=AnnualPlan.objects.filter(year=year), to_attr="_export_plans"))
    queryset = queryset.prefetch_related(*lookups)
    # The registered columns' headers (asked with no projects), then their values chunk by chunk.
    extra: list[ExportColumn] = export_columns([], year) if year is not None else []

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_DATA)
    widths = [column.width for column in selected]
    if with_year:
        widths += [column.width for column in extra] + [16, 18]
    for index, width in enumerate(widths):
        sheet.column_dimensions[_letter(index)].width = width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    headers = [column.title for column in selected]
    if with_year:
        headers += [column.header for column in extra] + [f"{year}年度分类", f"{year}年计划投资（万元）"]
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=neutralize(str(title)))
        cell.font, cell.fill = bold, fill
        header_cells.append(cell)
    sheet.append(header_cells)

    def number(value: Any, places: int) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT if places == 2 else ("0" if places == 0 else "0.000000")
        return cell

    def day(value: date, fmt: str) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = fmt
        return cell

    def registered(column: ExportColumn, pk: int) -> Any:
        value = column.values.get(pk, column.default)
        if value is None or value == "":
            return None
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = column.number_format or MONEY_FORMAT
            return cell
        return neutralize(str(value))

    def write(chunk: list[Project]) -> None:
        columns_ = export_columns(chunk, year) if year is not None and extra else []
        for project in chunk:
            out: list[Any] = []
            for column in selected:
                value = _export_value(project, column)
                if value is None or value == "":
                    out.append(None)
                elif column.kind in (AMOUNT, PARTIAL_DATE) and isinstance(value, str):
                    out.append(neutralize(value))
                elif column.kind in (DECIMAL, AMOUNT):
                    out.append(number(value, column.places))
                elif column.kind == INT:
                    out.append(number(value, 0))
                elif column.kind in (DATE, PARTIAL_DATE):
                    out.append(day(value, DATE_FORMAT))
                elif column.kind == MONTH:
                    out.append(day(value, MONTH_FORMAT))
                else:
                    out.append(neutralize(str(value)))
            if year is not None:
                out.extend(registered(column, project.pk) for column in columns_)
                category = yearly_category(project, year)
                out.append(_label_of(YearlyCategory, category) if category else None)
                plans = getattr(project, "_export_plans", [])
                out.append(number(plans[0].planned_investment, 2) if plans else None)
            sheet.append(out)

    chunk: list[Project] = []
    for project in queryset.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(project)
        if len(chunk) == EXPORT_CHUNK:
            write(chunk)
            chunk = []
    if chunk:
        write(chunk)
    return workbook_bytes(workbook)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)

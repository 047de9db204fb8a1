"""高校资源 in Excel: the export (the register with its filters), the blank template (with a sheet of the allowed
values) and the import: the upload is bounded and type-checked (utilities.uploads, utilities.excel), every row is
checked through `universities.resource_save` in a savepoint that is rolled back, the preview shows the row errors in
Chinese, and the confirmation writes every row in one transaction, or none.

A row is keyed by 高校 + 类别 + 名称: an existing resource is updated (at the version it had at the preview), a new
one is created. The export has the same columns, so an exported file can be edited and imported again. 服务环节 is a
list of "产业链/环节" (or "产业链/上级环节/环节" when a name repeats), separated by ；.
"""

from dataclasses import asdict, dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.utilities.excel import (
    XLSX_TYPES,
    is_formula_cell,
    neutralize,
    open_xlsx,
    table_xlsx,
    unneutralize,
    workbook_bytes,
)
from tuijin.utilities.uploads import check_upload

from .choices import ResourceKind
from .models import ChainNode, University, UniversityResource
from .universities import normalise_keywords, resource_save

__all__ = [
    "HEADERS",
    "MAX_MB",
    "MAX_ROWS",
    "ImportCheck",
    "ImportRow",
    "export_xlsx",
    "import_apply",
    "import_check",
    "node_path",
    "template_xlsx",
]

MAX_MB = 5
MAX_ROWS = 2000
HEADERS = ["高校", "类别", "名称", "研究方向", "关键词", "简介", "联系人", "联系电话", "服务环节", "是否有效"]
WIDTHS = [18, 10, 36, 24, 36, 48, 10, 16, 40, 10]
YES = {"是", "有效", "y", "yes", "1", "true", "√", "✓", ""}
NO = {"否", "停用", "已停用", "无效", "n", "no", "0", "false", "×", "✗"}
NODE_SEPARATORS = ("；", ";", "\n")


def node_path(node: ChainNode) -> str:
    parts = [node.chain.name]
    if node.parent is not None:
        parts.append(node.parent.name)
    parts.append(node.name)
    return "/".join(parts)


def _row(resource: UniversityResource) -> list:
    return [
        resource.university.name,
        resource.get_kind_display(),
        resource.name,
        resource.field,
        resource.keywords,
        resource.description,
        resource.contact_name,
        resource.contact_phone,
        "；".join(node_path(n) for n in resource.nodes.all()),
        "是" if resource.is_active else "否",
    ]


def export_xlsx(resources) -> bytes:
    """The resources (an iterable with university and nodes → chain, parent prefetched) as the import's columns."""
    return table_xlsx(_("高校资源"), HEADERS, [_row(r) for r in resources], widths=WIDTHS)


def template_xlsx() -> bytes:
    """The import columns (no rows) and a second sheet of the allowed values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "高校资源"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    notes = book.create_sheet("填写说明")
    notes.append(["栏目", "可填写的值"])
    notes.append(["高校", "、".join(neutralize(u.name) for u in University.objects.order_by("sort_order", "pk"))])
    notes.append(["类别", "、".join(str(label) for _code, label in ResourceKind.choices)])
    notes.append(["关键词", "以逗号、顿号或空格分隔；关键词或研究方向至少填一项"])
    notes.append(["服务环节", "“产业链/环节”，多个以；分隔；同名环节写成“产业链/上级环节/环节”；可不填"])
    notes.append(["是否有效", "是 / 否（不填为是）"])
    notes.append(["说明", "高校+类别+名称已存在的行将更新该资源，其余新增"])
    nodes = ChainNode.objects.filter(chain__is_active=True).select_related("chain", "parent")
    for node in nodes.order_by("chain__sort_order", "chain_id", "sort_order", "pk"):
        notes.append(["环节", neutralize(node_path(node))])
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 80
    return workbook_bytes(book)


@dataclass
class ImportRow:
    """One good row, as kept between the preview and the confirmation (JSON-safe)."""

    line: int
    pk: int | None  # the resource updated (None: new)
    version: int | None
    university_id: int
    university: str
    kind: str
    name: str
    values: dict = field(default_factory=dict)  # field, keywords, description, contact_name, contact_phone, is_active
    node_ids: list[int] = field(default_factory=list)
    nodes: str = ""  # as shown in the preview

    @property
    def action(self) -> str:
        return _("更新") if self.pk else _("新增")


@dataclass
class ImportCheck:
    rows: list[ImportRow]
    errors: list[tuple[int, str]]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if not r.pk)

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.pk)

    def session_data(self) -> dict:
        return {"rows": [asdict(r) for r in self.rows]}

    @classmethod
    def from_session(cls, data: dict) -> "ImportCheck":
        return cls([ImportRow(**r) for r in data["rows"]], [])


def _text(cell) -> str:
    value = cell.value if cell is not None else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unneutralize(str(value)).strip()


class _Nodes:
    """Node paths → nodes, from one query."""

    def __init__(self) -> None:
        self.by_name: dict[tuple[str, str], list[ChainNode]] = {}
        self.by_parent: dict[tuple[str, str, str], list[ChainNode]] = {}
        for node in ChainNode.objects.select_related("chain", "parent"):
            chain = node.chain.name.strip()
            self.by_name.setdefault((chain, node.name.strip()), []).append(node)
            if node.parent_id:
                self.by_parent.setdefault((chain, node.parent.name.strip(), node.name.strip()), []).append(node)

    def resolve(self, text: str) -> tuple[list[ChainNode], list[str]]:
        for separator in NODE_SEPARATORS[1:]:
            text = text.replace(separator, NODE_SEPARATORS[0])
        found: list[ChainNode] = []
        problems: list[str] = []
        for path in [p.strip() for p in text.split(NODE_SEPARATORS[0]) if p.strip()]:
            parts = [p.strip() for p in path.replace("／", "/").split("/")]
            if len(parts) == 2:
                candidates = self.by_name.get((parts[0], parts[1]), [])
            elif len(parts) == 3:
                candidates = self.by_parent.get((parts[0], parts[1], parts[2]), [])
            else:
                problems.append(_("服务环节“%(p)s”请写成“产业链/环节”") % {"p": path})
                continue
            if not candidates:
                problems.append(_("服务环节“%(p)s”不存在") % {"p": path})
            elif len(candidates) > 1:
                problems.append(_("服务环节“%(p)s”有重名，请写成“产业链/上级环节/环节”") % {"p": path})
            elif candidates[0] not in found:
                found.append(candidates[0])
        return found, problems


def _service_message(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or _("您没有执行此操作的权限。")


class _Rollback(Exception):
    pass


def _data(row: ImportRow, universities: dict, nodes: dict) -> dict:
    return {
        "university": universities[row.university_id],
        "kind": row.kind,
        "name": row.name,
        **row.values,
        "nodes": [nodes[pk] for pk in row.node_ids if pk in nodes],
    }


def _save(actor, row: ImportRow, universities: dict, nodes: dict, resources: dict):
    return resource_save(
        actor=actor,
        data=_data(row, universities, nodes),
        resource=resources.get(row.pk) if row.pk else None,
        version=row.version,
    )


def _dry_run(actor, row: ImportRow, universities: dict, nodes: dict, resources: dict) -> str:
    try:
        with transaction.atomic():
            _save(actor, row, universities, nodes, resources)
            raise _Rollback
    except _Rollback:
        return ""
    except (ApplicationError, ValidationError, PermissionDenied, ConflictError) as exc:
        return _service_message(exc)


def import_check(*, actor, uploaded) -> ImportCheck:
    """Check the upload (size, type by content, a safe workbook) and every row; nothing is written. A bad file
    raises ValidationError with one Chinese message."""
    checked = check_upload(uploaded, XLSX_TYPES, max_mb=MAX_MB)
    book = open_xlsx(checked.content, max_mb=MAX_MB)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    check = ImportCheck([], [])
    universities = {}
    for university in University.objects.all():
        universities[university.name] = university
        if university.short_name:
            universities.setdefault(university.short_name, university)
    kinds = {str(label): code for code, label in ResourceKind.choices} | {c: c for c in ResourceKind.values}
    node_index = _Nodes()
    existing = {
        (r.university_id, r.kind, r.name): r
        for r in UniversityResource.objects.select_related("university").prefetch_related("nodes")
    }
    seen: dict[tuple[int, str, str], int] = {}
    raw = 0
    header_seen = False
    for line, cells in enumerate(sheet.iter_rows(max_col=len(HEADERS)), start=1):
        cells = list(cells) + [None] * (len(HEADERS) - len(cells))
        label = _("第%(n)d行") % {"n": line}
        if any(c is not None and is_formula_cell(c) for c in cells):
            check.errors.append((line, _("%(l)s：单元格含公式，请粘贴为数值后再导入。") % {"l": label}))
            continue
        values = [_text(c) for c in cells]
        if not header_seen:
            header_seen = True
            if values[0] == HEADERS[0]:
                continue
        if not any(values):
            continue
        raw += 1
        if raw > MAX_ROWS:
            check.errors.append((line, _("文件超过 %(n)d 行，请分批导入。") % {"n": MAX_ROWS}))
            break
        university_text, kind_text, name, field_text, keywords, description, contact, phone, node_text, flag = values
        problems = []
        university = universities.get(university_text)
        if not university_text:
            problems.append(_("请填写高校"))
        elif university is None:
            problems.append(_("高校“%(u)s”不在名单中") % {"u": university_text})
        kind = kinds.get(kind_text)
        if not kind_text:
            problems.append(_("请填写类别"))
        elif kind is None:
            problems.append(
                _("类别“%(k)s”无效，可填：%(c)s")
                % {"k": kind_text, "c": "、".join(str(lb) for _c, lb in ResourceKind.choices)}
            )
        if not name:
            problems.append(_("请填写名称"))
        if flag.lower() in YES:
            active = True
        elif flag.lower() in NO:
            active = False
        else:
            active = True
            problems.append(_("是否有效请填“是”或“否”，收到“%(v)s”") % {"v": flag})
        nodes, node_problems = node_index.resolve(node_text)
        problems.extend(node_problems)
        if problems or university is None or kind is None:
            check.errors.append((line, _("%(l)s：%(e)s。") % {"l": label, "e": "；".join(problems)}))
            continue
        key = (university.pk, kind, name)
        if key in seen:
            check.errors.append(
                (line, _("%(l)s：与第%(o)d行是同一资源（高校、类别、名称相同）。") % {"l": label, "o": seen[key]})
            )
            continue
        seen[key] = line
        current = existing.get(key)
        row = ImportRow(
            line=line,
            pk=current.pk if current else None,
            version=current.version if current else None,
            university_id=university.pk,
            university=university.name,
            kind=kind,
            name=name,
            values={
                "field": field_text,
                "keywords": normalise_keywords(keywords),
                "description": description,
                "contact_name": contact,
                "contact_phone": phone,
                "is_active": active,
            },
            node_ids=[n.pk for n in nodes],
            nodes="；".join(node_path(n) for n in nodes),
        )
        if current is not None and _unchanged(current, row):
            continue
        error = _dry_run(
            actor,
            row,
            {university.pk: university},
            {n.pk: n for n in nodes},
            {current.pk: current} if current else {},
        )
        if error:
            check.errors.append((line, _("%(l)s：%(e)s") % {"l": label, "e": error}))
            continue
        check.rows.append(row)
    book.close()
    if not raw and not check.errors:
        check.errors.append((0, _("文件中没有数据行。")))
    return check


def _unchanged(resource: UniversityResource, row: ImportRow) -> bool:
    same = all(getattr(resource, name) == value for name, value in row.values.items())
    return same and sorted(n.pk for n in resource.nodes.all()) == sorted(row.node_ids)


@transaction.atomic
def import_apply(*, actor, check: ImportCheck) -> tuple[int, int]:
    """Write every checked row in one transaction: (created, updated). The first refusal (a resource changed since
    the preview, a permission) undoes them all and raises ApplicationError naming the row."""
    universities = University.objects.in_bulk({r.university_id for r in check.rows})
    nodes = ChainNode.objects.select_related("chain").in_bulk({pk for r in check.rows for pk in r.node_ids})
    resources = UniversityResource.objects.in_bulk({r.pk for r in check.rows if r.pk})
    created = updated = 0
    for row in check.rows:
        try:
            if row.pk and row.pk not in resources:
                raise ApplicationError(_("该资源已被删除。"), code="missing")
            _save(actor, row, universities, nodes, resources)
        except (ApplicationError, ValidationError, PermissionDenied, ConflictError, KeyError) as exc:
            raise ApplicationError(
                _("第%(n)d行（%(r)s）：%(e)s 未导入任何数据。")
                % {"n": row.line, "r": row.name, "e": _service_message(exc)},
                code="import",
            ) from exc
        if row.pk:
            updated += 1
        else:
            created += 1
    return created, updated

"""The chain map in Excel: the map (every node with its status, reason and counts), the six lists (one sheet each),
and the import of nodes from a template — every row checked first (chain, 上级环节 path "A/B", 链位, name), the
preview with the row errors in Chinese, then every row written in one transaction through the services, or none.

Every text cell written goes through `tuijin.utilities.excel.neutralize` (no formula can run when the file is
opened); uploads are bounded and type-checked by `open_xlsx` before openpyxl parses them."""

from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError
from tuijin.projects.models import IndustryChain
from tuijin.utilities.excel import is_formula_cell, neutralize, open_xlsx, table_xlsx, unneutralize, workbook_bytes

from . import services
from .choices import Segment
from .models import ChainNode
from .rules import NodeCounts

__all__ = [
    "HEADERS",
    "MAX_MB",
    "MAX_ROWS",
    "ImportCheck",
    "ImportRow",
    "import_apply",
    "import_check",
    "lists_xlsx",
    "map_xlsx",
    "template_xlsx",
]

MAX_MB = 5
MAX_ROWS = 2000
HEADERS = ["产业链", "上级环节", "链位", "环节名称", "关键词", "说明"]
SEGMENTS = {str(label): value for value, label in Segment.choices}
COUNT_LABELS = {
    "enterprises": "本地在产企业",
    "leaders": "其中链主企业",
    "producing": "已投产项目",
    "building": "在建项目",
    "open_leads": "在谈招商项目",
    "suppliers": "关键供应商",
    "resources": "高校资源",
}


def _cell(value):
    import datetime as dt
    from decimal import Decimal

    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str):
        return neutralize(value)
    if value is None or isinstance(value, (int, float, Decimal, dt.date)):
        return value
    return neutralize(str(value))


def _sheet(book, title: str, headers: list[str], rows, widths: list[int]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(neutralize(title)[:31].replace("/", "-").replace(":", "-"))
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def map_xlsx(chain, tree: dict) -> bytes:
    """Every node of the chain in tree order: 链位, path, name, status, since, reason, the counts, keywords."""
    keys = list(NodeCounts().as_dict())
    headers = [
        "链位",
        "环节路径",
        "环节名称",
        "缺链状态",
        "状态起始",
        "状态依据",
        *[COUNT_LABELS[k] for k in keys],
        "关键词",
    ]
    rows = []
    labels = dict(Segment.choices)
    for segment, row in tree["flat"]:
        node = row.node
        counts = node.counts or {}
        rows.append(
            [
                str(labels.get(segment, segment)),
                row.path,
                node.name,
                node.get_status_display(),
                node.status_since,
                node.status_reason,
                *[int(counts.get(k, 0)) for k in keys],
                node.keywords,
            ]
        )
    return table_xlsx(
        _("%(c)s产业链图谱") % {"c": chain.name},
        headers,
        rows,
        widths=[8, 36, 20, 10, 18, 60, *[10] * len(keys), 30],
    )


def lists_xlsx(chain, lists: dict) -> bytes:
    """The six lists, one sheet each."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        "重点事项",
        ["类别", "事项", "项目", "责任单位", "时限", "状态"],
        [[m.kind, m.title, m.subject, m.unit, m.due, m.state] for m in lists["matters"]],
        [10, 50, 36, 20, 12, 24],
    )
    _sheet(
        book,
        "重点园区",
        ["园区/属地", "项目数", "总投资（万元）"],
        [[p.name, p.projects, p.investment] for p in lists["parks"]],
        [30, 10, 16],
    )
    _sheet(
        book,
        "重点企业",
        ["企业", "角色", "所在环节", "所在地", "主要产品", "链上项目数", "项目总投资（万元）"],
        [
            [e.name, e.role, e.nodes, e.location, e.products, e.projects or None, e.investment]
            for e in lists["enterprises"]
        ],
        [36, 12, 30, 16, 30, 12, 18],
    )
    project_rows = [
        [
            _("重点项目"),
            p.name,
            p.responsible_unit.display_name,
            p.get_stage_display(),
            p.total_investment,
            p.chain_nodes,
        ]
        for p in lists["projects"]
    ]
    project_rows += [
        [
            _("招商项目"),
            lead.name,
            lead.tracking_unit.display_name,
            lead.get_stage_display(),
            lead.planned_investment,
            lead.chain_node_link.node.name if hasattr(lead, "chain_node_link") else "",
        ]
        for lead in lists["leads"]
    ]
    _sheet(
        book,
        "重点项目",
        ["类别", "名称", "责任/跟踪单位", "阶段", "总投资/拟投资（万元）", "所在环节"],
        project_rows,
        [10, 40, 20, 8, 18, 30],
    )
    _sheet(
        book,
        "重点创新平台",
        ["高校", "类别", "名称", "研究方向", "服务环节", "联系人", "联系电话"],
        [
            [r.university.name, r.get_kind_display(), r.name, r.field, r.chain_nodes, r.contact_name, r.contact_phone]
            for r in lists["platforms"]
        ],
        [20, 10, 36, 30, 30, 10, 16],
    )
    _sheet(
        book,
        "重点短板需求",
        ["类别", "名称", "关键词/说明", "状态"],
        [[s.kind, s.title, s.detail, s.status] for s in lists["shortages"]],
        [12, 40, 50, 12],
    )
    book.properties.title = neutralize(f"{chain.name}产业链六清单")
    return workbook_bytes(book)


def template_xlsx(chain=None) -> bytes:
    """The import template: the headers, the chain's nodes when one is given (a re-import updates them), and a
    sheet of instructions."""
    from openpyxl import Workbook

    rows = []
    if chain is not None:
        from .selectors import chain_tree

        labels = dict(Segment.choices)
        for segment, row in chain_tree(chain)["flat"]:
            parent = row.path.rsplit("/", 1)[0] if "/" in row.path else ""
            rows.append(
                [
                    chain.name,
                    parent,
                    str(labels.get(segment, segment)) if not parent else "",
                    row.node.name,
                    row.node.keywords,
                    row.node.description,
                ]
            )
    book = Workbook()
    book.remove(book.active)
    _sheet(book, "产业链环节", HEADERS, rows, [14, 30, 8, 24, 36, 40])
    _sheet(
        book,
        "填写说明",
        ["列", "说明"],
        [
            ["产业链", "必填：系统中已有的产业链名称，如“光电信息”"],
            ["上级环节", "一级环节留空；下级环节填上级环节的路径，逐级以“/”分隔，如“光学元件/镜头”"],
            ["链位", "一级环节必填：上游、中游或下游；下级环节可留空（与上级相同）"],
            ["环节名称", "必填，同一上级环节下不能重名"],
            ["关键词", "产品、技术等关键词，以逗号或空格分隔，用于政产学研匹配"],
            ["说明", "选填"],
            ["已有环节", "产业链、上级环节和名称都相同的行视为已有环节：更新其关键词和说明（留空则不改）"],
        ],
        [12, 80],
    )
    return workbook_bytes(book)


@dataclass
class ImportRow:
    """One good row, kept between the preview and the confirmation (JSON-safe)."""

    line: int
    chain_id: int
    chain: str
    parent_path: str
    segment: str
    name: str
    keywords: str
    description: str
    node_id: int | None  # an existing node to update
    version: int | None

    @property
    def action(self) -> str:
        return _("更新") if self.node_id else _("新增")

    @property
    def segment_label(self) -> str:
        return str(dict(Segment.choices).get(self.segment, self.segment))


@dataclass
class ImportCheck:
    rows: list[ImportRow]
    errors: list[tuple[int, str]]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

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


def _paths(chain_ids) -> dict[tuple[int, str], ChainNode]:
    """{(chain id, "A/B"): node} of every existing node of these chains (one query)."""
    nodes = list(ChainNode.objects.filter(chain_id__in=list(chain_ids)))
    by_pk = {n.pk: n for n in nodes}
    found = {}
    for node in nodes:
        names, parent, hops = [node.name], by_pk.get(node.parent_id), 0
        while parent is not None and hops < 10:
            names.append(parent.name)
            parent, hops = by_pk.get(parent.parent_id), hops + 1
        found[(node.chain_id, "/".join(reversed(names)))] = node
    return found


def _path(text: str) -> str:
    return "/".join(part.strip() for part in text.replace("／", "/").split("/") if part.strip())


def import_check(*, actor, data: bytes) -> ImportCheck:
    """Read and check the file; nothing is written."""
    if actor is not None and not actor.has_perm("chains.import_chainnode"):
        raise PermissionDenied(_("您没有导入产业链环节的权限。"))
    book = open_xlsx(data, max_mb=MAX_MB)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    check = ImportCheck([], [])
    raw: list[tuple[int, list[str]]] = []
    header_seen = False
    for line, cells in enumerate(sheet.iter_rows(max_col=len(HEADERS)), start=1):
        cells = list(cells) + [None] * (len(HEADERS) - len(cells))
        if any(c is not None and is_formula_cell(c) for c in cells):
            check.errors.append((line, _("第%(n)d行：单元格含公式，请粘贴为数值后再导入。") % {"n": line}))
            continue
        values = [_text(c) for c in cells]
        if not header_seen:
            header_seen = True
            if values[0] == HEADERS[0]:
                continue
        if not any(values):
            continue
        raw.append((line, values))
        if len(raw) > MAX_ROWS:
            check.errors.append((line, _("文件超过 %(n)d 行，请分批导入。") % {"n": MAX_ROWS}))
            return check
    chains = {c.name: c for c in IndustryChain.objects.filter(name__in={v[0] for _l, v in raw if v[0]})}
    existing = _paths(c.pk for c in chains.values())
    planned: dict[tuple[int, str], tuple[int, str]] = {}  # (chain, path) → (line, segment) of rows in the file
    for line, (chain_name, parent_text, segment_text, name, keywords, description) in raw:
        label = _("第%(n)d行") % {"n": line}

        def fail(message: str, line=line, label=label) -> None:
            check.errors.append((line, _("%(l)s：%(e)s") % {"l": label, "e": message}))

        if not chain_name:
            fail(_("请填写产业链。"))
            continue
        chain = chains.get(chain_name)
        if chain is None:
            fail(_("产业链“%(c)s”不存在，请先由项目办在产业链目录中添加。") % {"c": chain_name})
            continue
        if not name:
            fail(_("请填写环节名称。"))
            continue
        if "/" in name or "／" in name:
            fail(_("环节名称不能含“/”（“/”用于分隔上级环节的路径）。"))
            continue
        if len(name) > 100 or len(keywords) > 300:
            fail(_("环节名称最多100字，关键词最多300字。"))
            continue
        parent_path = _path(parent_text)
        segment = ""
        if segment_text:
            segment = SEGMENTS.get(segment_text, "")
            if not segment:
                fail(_("链位应为“上游”“中游”或“下游”，收到“%(v)s”。") % {"v": segment_text})
                continue
        if parent_path:
            parent = existing.get((chain.pk, parent_path))
            parent_segment = parent.segment if parent is not None else planned.get((chain.pk, parent_path), (0, ""))[1]
            if parent is None and (chain.pk, parent_path) not in planned:
                fail(
                    _("上级环节“%(p)s”在产业链“%(c)s”中不存在（也不在本文件的前面各行）。")
                    % {"p": parent_path, "c": chain.name}
                )
                continue
            if segment and segment != parent_segment:
                fail(_("下级环节的链位须与上级环节相同，可留空。"))
                continue
            segment = parent_segment
        elif not segment:
            fail(_("一级环节请填写链位（上游、中游或下游）。"))
            continue
        path = f"{parent_path}/{name}" if parent_path else name
        key = (chain.pk, path)
        if key in planned:
            fail(_("与第%(o)d行重复（同一上级环节下的同名环节）。") % {"o": planned[key][0]})
            continue
        node = existing.get(key)
        if node is not None and not parent_path and segment != node.segment:
            fail(
                _("环节“%(n)s”已在%(s)s，导入不改变已有环节的链位，请在环节页面修改。")
                % {"n": name, "s": node.get_segment_display()}
            )
            continue
        planned[key] = (line, segment)
        check.rows.append(
            ImportRow(
                line,
                chain.pk,
                chain.name,
                parent_path,
                segment,
                name,
                keywords,
                description[:2000],
                node.pk if node is not None else None,
                node.version if node is not None else None,
            )
        )
    if not raw and not check.errors:
        check.errors.append((0, _("文件中没有数据行。")))
    return check


def _message(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or _("您没有执行此操作的权限。")


@transaction.atomic
def import_apply(*, actor, check: ImportCheck) -> tuple[int, int]:
    """Write every checked row in file order (one transaction); the first refusal undoes them all and raises
    ApplicationError naming the row. Returns (created, updated)."""
    if actor is not None and not actor.has_perm("chains.import_chainnode"):
        raise PermissionDenied(_("您没有导入产业链环节的权限。"))
    chains = IndustryChain.objects.in_bulk({r.chain_id for r in check.rows})
    paths = _paths(chains)
    created = updated = 0
    for row in check.rows:
        try:
            chain = chains[row.chain_id]
            parent = paths.get((row.chain_id, row.parent_path)) if row.parent_path else None
            if row.parent_path and parent is None:
                raise ApplicationError(_("上级环节“%(p)s”已不存在。") % {"p": row.parent_path})
            if row.node_id:
                node = ChainNode.objects.get(pk=row.node_id, chain_id=row.chain_id)
                data = {k: getattr(row, k) for k in ("keywords", "description") if getattr(row, k)}
                if data:
                    node = services.node_update(actor=actor, node=node, version=row.version, data=data)
                    updated += 1
            else:
                node = services.node_create(
                    actor=actor,
                    chain=chain,
                    data={
                        "parent": parent,
                        "segment": row.segment,
                        "name": row.name,
                        "keywords": row.keywords,
                        "description": row.description,
                        "message": _("Excel 导入"),
                    },
                )
                created += 1
            path = f"{row.parent_path}/{row.name}" if row.parent_path else row.name
            paths[(row.chain_id, path)] = node
        except (ApplicationError, ValidationError, PermissionDenied, KeyError, ChainNode.DoesNotExist) as exc:
            raise ApplicationError(
                _("第%(n)d行（%(c)s）：%(e)s 未导入任何数据。") % {"n": row.line, "c": row.name, "e": _message(exc)},
                code="import",
            ) from exc
    return created, updated

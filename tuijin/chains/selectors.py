"""Reads of the chain map: the chains with their node counts and 补链 progress, a chain's tree (for the map and its
table), a node's page, the 链长 cockpit and the 四清单/六清单.

Counts of nodes and their status are district-wide (they are the status basis, computed from every link); the lists
of records (leads, projects, tickets, problems, 督办 tasks) are restricted to what the user may see. Every function
runs a fixed number of queries whatever the number of nodes and links: aggregates in SQL, capped lists."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.investment.choices import LeadStage
from tuijin.investment.models import Lead
from tuijin.projects.models import IndustryChain, Project

from .choices import STATUS_COLOURS, EnterpriseRole, GapStatus, ResourceKind, Segment
from .maintain import LEAD_OPEN
from .models import ChainNode, ChainProfile, NodeEnterprise, NodeLead, NodeProject, NodeStatusChange, UniversityResource

__all__ = [
    "COLOURS",
    "LIST_LIMIT",
    "SHORTAGE_CATEGORIES",
    "ChainRow",
    "TreeRow",
    "chain_leads",
    "chain_lists",
    "chain_projects",
    "chain_rows",
    "chain_tree",
    "chains_for_user",
    "cockpit",
    "filled_counts",
    "gap_without_talks",
    "node_list",
    "node_page",
    "status_counts",
    "trigger_for",
    "year_bounds",
]

LIST_LIMIT = 20  # rows of each cockpit list (the total is shown beside it)
LISTS_LIMIT = 200  # rows of each of the six lists
CANDIDATE_LIMIT = 200  # leads/projects offered for linking
PROBLEM_MONTHS = 3  # report problems of the last three reporting months
# ticket categories that are 短板需求 (技术, 人才, 资金, 政策); besides them, the gap nodes' keywords
SHORTAGE_CATEGORIES = {
    "tech": gettext_lazy("技术"),
    "labour": gettext_lazy("人才"),
    "finance": gettext_lazy("资金"),
    "policy": gettext_lazy("政策"),
}
STATUS_ORDER = [GapStatus.GAP, GapStatus.WEAK, GapStatus.STRONG]
SEGMENT_ORDER = [Segment.UPSTREAM, Segment.MIDSTREAM, Segment.DOWNSTREAM]
LEAD_STAGES = [s for s in LeadStage if s != LeadStage.TERMINATED]
COLOURS: dict[str, str] = {str(status): colour for status, colour in STATUS_COLOURS.items()}


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The calendar year in Beijing time, as aware datetimes [start, end)."""
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def _year(year: int | None) -> int:
    return year or timezone.localdate().year


# -- chains ---------------------------------------------------------------------------------------------------------


def chains_for_user(user=None) -> QuerySet[IndustryChain]:
    """The chains the map knows: active ones, and inactive ones that still have nodes."""
    has_nodes = Exists(ChainNode.objects.filter(chain=OuterRef("pk")))
    return IndustryChain.objects.filter(Q(is_active=True) | has_nodes).order_by("sort_order", "name", "pk")


def status_counts(chain_ids=None) -> dict[int, dict[str, int]]:
    """{chain id: {"gap": n, "weak": n, "strong": n, "total": n}} (district-wide), one query."""
    queryset = ChainNode.objects.all() if chain_ids is None else ChainNode.objects.filter(chain_id__in=chain_ids)
    rows = (
        queryset.order_by()
        .values("chain_id")
        .annotate(
            total=Count("pk"),
            gap=Count("pk", filter=Q(status=GapStatus.GAP)),
            weak=Count("pk", filter=Q(status=GapStatus.WEAK)),
            strong=Count("pk", filter=Q(status=GapStatus.STRONG)),
        )
    )
    return {r["chain_id"]: {k: r[k] for k in ("total", "gap", "weak", "strong")} for r in rows}


def _filled(year: int) -> QuerySet[ChainNode]:
    start, end = year_bounds(year)
    left_gap = NodeStatusChange.objects.filter(
        node=OuterRef("pk"), from_status=GapStatus.GAP, time__gte=start, time__lt=end
    ).exclude(to_status=GapStatus.GAP)
    return ChainNode.objects.exclude(status=GapStatus.GAP).filter(Exists(left_gap))


def filled_counts(year: int, chain_ids=None) -> dict[int, int]:
    """补链进度: per chain, the nodes that left 空白 during `year` (a status change 空白 → 薄弱/优势 dated in the
    year) and are not 空白 now. One query."""
    queryset = _filled(year)
    if chain_ids is not None:
        queryset = queryset.filter(chain_id__in=chain_ids)
    return dict(queryset.order_by().values("chain_id").annotate(n=Count("pk")).values_list("chain_id", "n"))


@dataclass
class ChainRow:
    chain: IndustryChain
    profile: ChainProfile | None
    counts: dict[str, int]
    filled: int
    target: int

    @property
    def fill_pct(self) -> int | None:
        if not self.target:
            return None
        return min(100, round(self.filled * 100 / self.target))


def chain_rows(user=None, *, year: int | None = None) -> list[ChainRow]:
    """Every chain with its 链长制, node counts by status and this year's 补链 progress (four queries)."""
    year = _year(year)
    chains = list(chains_for_user(user))
    ids = [c.pk for c in chains]
    profiles = {
        p.chain_id: p for p in ChainProfile.objects.filter(chain_id__in=ids).select_related("leader", "lead_unit")
    }
    counts = status_counts(ids)
    filled = filled_counts(year, ids)
    empty = {"total": 0, "gap": 0, "weak": 0, "strong": 0}
    rows = []
    for chain in chains:
        profile = profiles.get(chain.pk)
        rows.append(
            ChainRow(
                chain,
                profile,
                counts.get(chain.pk, empty),
                filled.get(chain.pk, 0),
                profile.fill_target if profile else 0,
            )
        )
    return rows


# -- the tree ---------------------------------------------------------------------------------------------------------


@dataclass
class TreeRow:
    node: ChainNode
    depth: int
    path: str
    children: list["TreeRow"] = field(default_factory=list)


def _node_rows(nodes: list[ChainNode]) -> dict[str, list[TreeRow]]:
    """{segment: top-level rows, each with its sub-links} in sort order; `path` is "A/B"."""
    by_parent: dict[int | None, list[ChainNode]] = defaultdict(list)
    for node in nodes:
        by_parent[node.parent_id].append(node)

    def build(node: ChainNode, depth: int, prefix: str) -> TreeRow:
        path = f"{prefix}/{node.name}" if prefix else node.name
        row = TreeRow(node, depth, path)
        if depth < 8:  # a broken cycle in the data must not hang the page
            row.children = [build(child, depth + 1, path) for child in by_parent.get(node.pk, [])]
        return row

    segments: dict[str, list[TreeRow]] = {s: [] for s in SEGMENT_ORDER}
    for node in by_parent.get(None, []):
        segments.setdefault(node.segment, []).append(build(node, 0, ""))
    return segments


def _flatten(rows: list[TreeRow]) -> list[TreeRow]:
    out: list[TreeRow] = []
    for row in rows:
        out.append(row)
        out.extend(_flatten(row.children))
    return out


def counts_text(counts: dict) -> str:
    """The counts a node shows on the map: 本地企业, 投产/在建 projects, open leads."""
    c = counts or {}
    return _("企业%(e)d 投产%(p)d 在建%(b)d 在谈%(l)d") % {
        "e": c.get("enterprises", 0),
        "p": c.get("producing", 0),
        "b": c.get("building", 0),
        "l": c.get("open_leads", 0),
    }


def _echarts(row: TreeRow) -> dict[str, Any]:
    node = row.node
    colour = COLOURS.get(node.status, "#999")
    return {
        "name": node.name,
        "status": node.get_status_display(),
        "counts": counts_text(node.counts),
        "reason": node.status_reason,
        "url": node.get_absolute_url(),
        "itemStyle": {"color": colour, "borderColor": colour},
        "children": [_echarts(child) for child in row.children],
    }


def chain_tree(chain) -> dict[str, Any]:
    """The chain's nodes (one query) as segments of rows (the table), a flat list in tree order, the ECharts tree
    data (chain → 上游/中游/下游 → 链环节 → sub-links) and the district-wide counts by status."""
    nodes = list(ChainNode.objects.filter(chain=chain).order_by("sort_order", "pk"))
    segments = _node_rows(nodes)
    labels = dict(Segment.choices)
    data = {
        "name": chain.name,
        "url": "",
        "itemStyle": {"color": "#1f4e8c", "borderColor": "#1f4e8c"},
        "children": [
            {
                "name": str(labels.get(segment, segment)),
                "url": "",
                "itemStyle": {"color": "#6c757d", "borderColor": "#6c757d"},
                "children": [_echarts(row) for row in rows],
            }
            for segment, rows in segments.items()
        ],
    }
    parents = {n.parent_id for n in nodes}
    counts = {s.value: 0 for s in STATUS_ORDER}
    for node in nodes:
        counts[node.status] = counts.get(node.status, 0) + 1
    flat = [(segment, row) for segment, rows in segments.items() for row in _flatten(rows)]
    return {
        "segments": [(segment, labels.get(segment, segment), _flatten(rows)) for segment, rows in segments.items()],
        "flat": flat,
        "echarts": data,
        "counts": counts,
        "total": len(nodes),
        "leaves": sum(1 for n in nodes if n.pk not in parents),
    }


# -- the node list (filters; the home page's to-do links here) ------------------------------------------------------


def _no_talks() -> Exists:
    return Exists(NodeLead.objects.filter(node=OuterRef("pk"), lead__stage__in=LEAD_OPEN))


def node_list(*, chain_ids=None, status: str = "", segment: str = "", todo: str = "", q: str = ""):
    """Nodes filtered by chains, status, segment, a text, or `todo=gap_no_talks` (空白 without a lead in talks)."""
    queryset = ChainNode.objects.select_related("chain", "parent")
    if chain_ids:
        queryset = queryset.filter(chain_id__in=list(chain_ids))
    if status in GapStatus.values:
        queryset = queryset.filter(status=status)
    if segment in Segment.values:
        queryset = queryset.filter(segment=segment)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(keywords__icontains=q))
    if todo == "gap_no_talks":
        queryset = queryset.filter(status=GapStatus.GAP).exclude(_no_talks())
    return queryset.order_by("chain__sort_order", "chain_id", "sort_order", "pk")


def gap_without_talks(chain_ids=None) -> int:
    """空白 nodes with no lead in talks (在谈/签约/注册) on them: the 招商 targets nobody is working on."""
    queryset = ChainNode.objects.filter(status=GapStatus.GAP).exclude(_no_talks())
    if chain_ids is not None:
        queryset = queryset.filter(chain_id__in=chain_ids)
    return queryset.count()


# -- a node's page ---------------------------------------------------------------------------------------------------


def _enterprise_order():
    return Case(
        When(role=EnterpriseRole.LEADER, then=Value(0)),
        When(role=EnterpriseRole.LOCAL, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


NAMED = re.compile(r"「[^」]*」")


def trigger_for(user, trigger: str) -> str:
    """A status change's trigger as `user` may read it: the names of the records behind it (「…」) only for those who
    keep the maps (region-wide roles); others read what kind of change it was, never a record out of their scope."""
    if user is not None and user.has_perm("chains.change_chainnode"):
        return trigger
    return NAMED.sub("", trigger)


def node_page(node: ChainNode, user) -> dict[str, Any]:
    """What the node page shows: path, sub-links, status history, enterprises (链主 first), the leads and projects
    the user may see (and how many others are linked), and the leads/projects the user could link."""
    ancestors = []
    parent = node.parent
    while parent is not None:
        ancestors.append(parent)
        parent = parent.parent
    ancestors.reverse()
    visible_leads = Lead.objects.restrict(user, "view")
    visible_projects = Project.objects.restrict(user, "view")
    leads = list(
        visible_leads.filter(chain_node_link__node=node)
        .select_related("tracking_unit", "project")
        .order_by("-created", "-pk")
    )
    projects = list(
        visible_projects.filter(chain_node_links__node=node).select_related("responsible_unit").order_by("name", "pk")
    )
    history = list(NodeStatusChange.objects.filter(node=node).order_by("-time", "-pk")[:100])
    for change in history:
        change.trigger_shown = trigger_for(user, change.trigger)
    lead_total = NodeLead.objects.filter(node=node).count()
    project_total = NodeProject.objects.filter(node=node).count()
    context = {
        "ancestors": ancestors,
        "children": list(ChainNode.objects.filter(parent=node).order_by("sort_order", "pk")),
        "status_history": history,
        "enterprises": list(NodeEnterprise.objects.filter(node=node).order_by(_enterprise_order(), "name", "pk")),
        "leads": leads,
        "projects": projects,
        "hidden_leads": max(0, lead_total - len(leads)),
        "hidden_projects": max(0, project_total - len(projects)),
        "lead_candidates": [],
        "project_candidates": [],
    }
    if user.has_perm("chains.link_chainnode"):
        context["lead_candidates"] = list(
            visible_leads.filter(chain_node_link__isnull=True)
            .exclude(stage=LeadStage.TERMINATED)
            .annotate(same=Case(When(chain_id=node.chain_id, then=Value(0)), default=Value(1)))
            .order_by("same", "-created", "-pk")
            .only("pk", "name", "stage", "chain_id")[:CANDIDATE_LIMIT]
        )
        linked = NodeProject.objects.filter(node=node).values("project_id")
        via_leads = NodeLead.objects.filter(node=node, lead__project__isnull=False).values("lead__project_id")
        context["project_candidates"] = list(
            visible_projects.exclude(pk__in=linked)
            .exclude(pk__in=via_leads)
            .annotate(same=Case(When(chain_id=node.chain_id, then=Value(0)), default=Value(1)))
            .order_by("same", "name", "pk")
            .only("pk", "name", "stage", "chain_id")[:CANDIDATE_LIMIT]
        )
    return context


# -- chain records --------------------------------------------------------------------------------------------------


def chain_projects(chain) -> QuerySet[Project]:
    """The chain's key projects (not restricted): on the chain, linked to one of its nodes, or converted from a lead
    on one of its nodes."""
    linked = NodeProject.objects.filter(node__chain=chain).values("project_id")
    converted = Lead.objects.filter(chain_node_link__node__chain=chain, project__isnull=False).values("project_id")
    return Project.objects.filter(Q(chain=chain) | Q(pk__in=linked) | Q(pk__in=converted))


def chain_leads(chain) -> QuerySet[Lead]:
    """The chain's leads (not restricted): on the chain or on one of its nodes."""
    return Lead.objects.filter(Q(chain=chain) | Q(chain_node_link__node__chain=chain))


def _problem_window() -> date:
    today = timezone.localdate()
    month = today.month - PROBLEM_MONTHS
    year = today.year
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def _problems(chain, user, limit: int) -> tuple[list, int]:
    from tuijin.progress.choices import COUNTED_STATUSES
    from tuijin.progress.models import ReportProblem

    queryset = ReportProblem.objects.restrict(user, "view").filter(
        report__project__in=chain_projects(chain).values("pk"),
        report__status__in=COUNTED_STATUSES,
        report__period__gte=_problem_window(),
        ticket__isnull=True,
    )
    total = queryset.count()
    rows = list(queryset.select_related("report__project__responsible_unit").order_by("-report__period", "-pk")[:limit])
    return rows, total


def _tickets(chain, user, limit: int, *, categories=None) -> tuple[list, int]:
    from tuijin.tickets.filtersets import OPEN_STATUSES
    from tuijin.tickets.models import Ticket

    queryset = Ticket.objects.restrict(user, "view").filter(
        status__in=OPEN_STATUSES, project__in=chain_projects(chain).values("pk")
    )
    if categories is not None:
        queryset = queryset.filter(category__in=list(categories))
    total = queryset.count()
    rows = list(queryset.select_related("project", "lead_unit").order_by("resolution_due", "pk")[:limit])
    return rows, total


def _tasks(chain, user, limit: int) -> tuple[list, int]:
    from tuijin.supervision.choices import OPEN_STATUSES
    from tuijin.supervision.models import Task

    by_project = Task.projects.through.objects.filter(project_id__in=chain_projects(chain).values("pk")).values(
        "task_id"
    )
    by_lead = Task.leads.through.objects.filter(lead_id__in=chain_leads(chain).values("pk")).values("task_id")
    queryset = Task.objects.restrict(user, "view").filter(
        Q(pk__in=by_project) | Q(pk__in=by_lead), status__in=OPEN_STATUSES
    )
    total = queryset.count()
    rows = list(queryset.select_related("responsible_unit").order_by("deadline", "pk")[:limit])
    return rows, total


@dataclass
class LeadNodeRow:
    node: ChainNode
    path: str
    stages: list[int]
    total: int


def cockpit(chain, user, *, year: int | None = None) -> dict[str, Any]:
    """The 链长 cockpit of `chain` for `user`: the 链长制, node counts by status (district-wide), the year's 补链
    progress against the target, the leads on each node by stage, the chain projects' open problems and tickets and
    the open 督办 tasks of its projects and leads (each restricted to the user and capped, with its total).

    A fixed number of queries whatever the size of the chain and its pipeline."""
    year = _year(year)
    profile = ChainProfile.objects.filter(chain=chain).select_related("leader", "lead_unit").first()
    task_force = list(profile.task_force.order_by("sort_order", "name", "pk")) if profile else []
    tree = chain_tree(chain)
    paths = {row.node.pk: row.path for _segment, row in tree["flat"]}
    nodes = {row.node.pk: row.node for _segment, row in tree["flat"]}
    filled_nodes = list(_filled(year).filter(chain=chain).order_by("sort_order", "pk")[:LIST_LIMIT])
    filled = filled_counts(year, [chain.pk]).get(chain.pk, 0)

    visible_leads = Lead.objects.restrict(user, "view")
    stage_index = {s.value: i for i, s in enumerate(LEAD_STAGES)}
    per_node: dict[int, list[int]] = {}
    for row in (
        NodeLead.objects.filter(node__chain=chain, lead__in=visible_leads.values("pk"))
        .order_by()
        .values("node_id", "lead__stage")
        .annotate(n=Count("pk"))
    ):
        if row["lead__stage"] not in stage_index:
            continue
        cells = per_node.setdefault(row["node_id"], [0] * len(LEAD_STAGES))
        cells[stage_index[row["lead__stage"]]] += row["n"]
    lead_rows = [
        LeadNodeRow(nodes[pk], paths.get(pk, ""), cells, sum(cells)) for pk, cells in per_node.items() if pk in nodes
    ]
    lead_rows.sort(key=lambda r: (-r.total, r.path))
    stage_totals = [sum(r.stages[i] for r in lead_rows) for i in range(len(LEAD_STAGES))]

    problems, problem_total = _problems(chain, user, LIST_LIMIT)
    tickets, ticket_total = _tickets(chain, user, LIST_LIMIT)
    tasks, task_total = _tasks(chain, user, LIST_LIMIT)
    projects = Project.objects.restrict(user, "view").filter(pk__in=chain_projects(chain).values("pk"))
    project_total = projects.count()
    lead_total = visible_leads.filter(pk__in=chain_leads(chain).values("pk")).count()
    return {
        "chain": chain,
        "year": year,
        "profile": profile,
        "task_force": task_force,
        "status_counts": tree["counts"],
        "node_total": tree["total"],
        "filled": filled,
        "fill_target": profile.fill_target if profile else 0,
        "fill_pct": min(100, round(filled * 100 / profile.fill_target)) if profile and profile.fill_target else None,
        "filled_nodes": filled_nodes,
        "lead_stages": [s.label for s in LEAD_STAGES],
        "lead_rows": lead_rows[:50],
        "lead_rows_more": max(0, len(lead_rows) - 50),
        "stage_totals": stage_totals,
        "problems": problems,
        "problem_total": problem_total,
        "tickets": tickets,
        "ticket_total": ticket_total,
        "tasks": tasks,
        "task_total": task_total,
        "project_total": project_total,
        "lead_total": lead_total,
        "can_see": {
            "problems": user.has_perm("progress.view_reportproblem"),
            "tickets": user.has_perm("tickets.view_ticket"),
            "tasks": user.has_perm("supervision.view_task"),
            "leads": user.has_perm("investment.view_lead"),
            "projects": user.has_perm("projects.view_project"),
        },
    }


# -- 四清单 / 六清单 --------------------------------------------------------------------------------------------------


@dataclass
class MatterRow:
    kind: str
    title: str
    subject: str
    unit: str
    due: date | None
    state: str
    url: str


@dataclass
class ParkRow:
    name: str
    projects: int
    investment: Any


@dataclass
class EnterpriseRow:
    name: str
    role: str
    nodes: str
    location: str
    products: str
    projects: int = 0
    investment: Any = None
    is_leader: bool = False


@dataclass
class ShortageRow:
    kind: str
    title: str
    detail: str
    status: str
    url: str


def _matters(chain, user, limit: int) -> tuple[list[MatterRow], int]:
    from tuijin.tickets.selectors import category_name

    problems, problem_total = _problems(chain, user, limit)
    tickets, ticket_total = _tickets(chain, user, limit)
    tasks, task_total = _tasks(chain, user, limit)
    rows = [
        MatterRow(
            _("督办事项"),
            f"{t.number} {t.title}",
            "",
            t.responsible_unit.display_name,
            t.deadline,
            t.get_status_display(),
            t.get_absolute_url(),
        )
        for t in tasks
    ]
    rows += [
        MatterRow(
            _("协调工单"),
            f"{t.number} {t.title}",
            t.project.name if t.project else "",
            t.lead_unit.display_name if t.lead_unit else "",
            t.resolution_due,
            f"{t.get_status_display()} · {category_name(t.category)}",
            t.get_absolute_url(),
        )
        for t in tickets
    ]
    rows += [
        MatterRow(
            _("月报问题"),
            p.description[:100],
            p.report.project.name,
            p.report.project.responsible_unit.display_name,
            None,
            _("%(m)s月报 · %(c)s") % {"m": p.report.period.strftime("%Y-%m"), "c": p.category},
            p.report.get_absolute_url(),
        )
        for p in problems
    ]
    return rows, problem_total + ticket_total + task_total


def chain_lists(chain, user, *, limit: int = LISTS_LIMIT) -> dict[str, Any]:
    """The six lists of the chain, generated from the map and the pipeline (never typed): 重点事项, 重点园区,
    重点企业, 重点项目, 重点创新平台, 重点短板需求. Records are restricted to the user; each list is capped."""
    from tuijin.tickets.selectors import category_name

    matters, matter_total = _matters(chain, user, limit)
    projects_q = Project.objects.restrict(user, "view").filter(pk__in=chain_projects(chain).values("pk"))
    parks = []
    for row in (
        projects_q.order_by()
        .values("locality__name", "locality__short_name", "locality_text")
        .annotate(n=Count("pk"), total=Sum("total_investment"))
        .order_by("-n", "locality__name")[:limit]
    ):
        name = row["locality__short_name"] or row["locality__name"] or row["locality_text"] or _("（未填属地）")
        parks.append(ParkRow(name, row["n"], row["total"]))

    enterprises: list[EnterpriseRow] = []
    seen: dict[str, EnterpriseRow] = {}
    labels = dict(EnterpriseRole.choices)
    for e in (
        NodeEnterprise.objects.filter(node__chain=chain)
        .select_related("node")
        .order_by(_enterprise_order(), "name", "pk")[: limit * 2]
    ):
        if e.name in seen:
            if e.node.name not in seen[e.name].nodes.split("、"):
                seen[e.name].nodes += "、" + e.node.name
            continue
        row = EnterpriseRow(
            e.name,
            str(labels.get(e.role, e.role)),
            e.node.name,
            e.location,
            e.products,
            is_leader=e.role == EnterpriseRole.LEADER,
        )
        seen[e.name] = row
        enterprises.append(row)
    owners = list(
        projects_q.order_by()
        .values("owner_name")
        .annotate(n=Count("pk"), total=Sum("total_investment"))
        .order_by("-total", "owner_name")[:limit]
    )
    for owner in owners:
        name = owner["owner_name"]
        if name in seen:
            seen[name].projects, seen[name].investment = owner["n"], owner["total"]
            continue
        row = EnterpriseRow(name, _("项目业主"), "", "", "", owner["n"], owner["total"])
        seen[name] = row
        enterprises.append(row)

    projects = list(projects_q.select_related("responsible_unit").order_by("-total_investment", "pk")[:limit])
    node_names: dict[int, list[str]] = defaultdict(list)
    for project_id, name in NodeProject.objects.filter(
        node__chain=chain, project_id__in=[p.pk for p in projects]
    ).values_list("project_id", "node__name"):
        node_names[project_id].append(name)
    for project_id, name in NodeLead.objects.filter(
        node__chain=chain, lead__project_id__in=[p.pk for p in projects]
    ).values_list("lead__project_id", "node__name"):
        node_names[project_id].append(name)
    for project in projects:
        project.chain_nodes = "、".join(sorted(set(node_names.get(project.pk, []))))
    leads = list(
        Lead.objects.restrict(user, "view")
        .filter(pk__in=chain_leads(chain).values("pk"))
        .filter(project__isnull=True)
        .exclude(stage=LeadStage.TERMINATED)
        .select_related("tracking_unit", "chain_node_link__node")
        .order_by("-planned_investment", "pk")[:limit]
    )

    platforms = list(
        UniversityResource.objects.filter(
            kind__in=[ResourceKind.PLATFORM, ResourceKind.LAB], is_active=True, nodes__chain=chain
        )
        .distinct()
        .select_related("university")
        .order_by("university__sort_order", "kind", "name")[:limit]
    )
    resource_nodes: dict[int, list[str]] = defaultdict(list)
    for resource_id, name in UniversityResource.nodes.through.objects.filter(
        universityresource_id__in=[r.pk for r in platforms], chainnode__chain=chain
    ).values_list("universityresource_id", "chainnode__name"):
        resource_nodes[resource_id].append(name)
    for resource in platforms:
        resource.chain_nodes = "、".join(resource_nodes.get(resource.pk, []))

    shortages = [
        ShortageRow(
            _("缺链环节") if n.status == GapStatus.GAP else _("薄弱环节"),
            n.name,
            n.keywords or n.description[:100],
            n.get_status_display(),
            n.get_absolute_url(),
        )
        for n in ChainNode.objects.filter(chain=chain, status__in=[GapStatus.GAP, GapStatus.WEAK]).order_by(
            Case(When(status=GapStatus.GAP, then=Value(0)), default=Value(1)), "sort_order", "pk"
        )[:limit]
    ]
    needs, need_total = _tickets(chain, user, limit, categories=SHORTAGE_CATEGORIES)
    shortages += [
        ShortageRow(
            _("%(k)s需求") % {"k": SHORTAGE_CATEGORIES.get(t.category, category_name(t.category))},
            f"{t.number} {t.title}",
            t.project.name if t.project else "",
            t.get_status_display(),
            t.get_absolute_url(),
        )
        for t in needs
    ]
    return {
        "matters": matters,
        "matter_total": matter_total,
        "parks": parks,
        "enterprises": enterprises,
        "projects": projects,
        "project_total": projects_q.count(),
        "leads": leads,
        "platforms": platforms,
        "shortages": shortages,
        "need_total": need_total,
        "limit": limit,
    }

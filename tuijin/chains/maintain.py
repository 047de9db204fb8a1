"""Keeping every node's gap status equal to what rules.judge computes from its links, without anyone editing it.

- A save or delete of a Lead, a Project, a node's enterprise, lead or project link, a resource's nodes or the rules
  notes what changed; when the transaction commits, the nodes it touches are recomputed (`refresh`). A project that
  reaches 投产 (or its lead) therefore turns its node from 空白 to 薄弱 or 优势 at the commit that made it so.
- Bulk project writers send `core.figures_cache.bulk_source_change`; the daily `tuijin refresh_chains` recomputes
  every node as a safety net (for writes that send no signal at all).
- Each change of status is written to NodeStatusChange with the reason (the counts and the rule) and the trigger.

The work happens after the commit, so a rolled-back write leaves no trace and the writers' query budgets are not
touched inside their transactions.
"""

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from tuijin.core.figures_cache import bulk_source_change
from tuijin.investment.choices import LeadStage
from tuijin.investment.models import Lead
from tuijin.projects.choices import Stage
from tuijin.projects.models import Project

from .choices import EnterpriseRole
from .models import ChainNode, ChainRules, NodeEnterprise, NodeLead, NodeProject, NodeStatusChange, UniversityResource
from .rules import NodeCounts, judge

__all__ = ["connect", "counts_for", "refresh", "refresh_chains_task", "rules"]

logger = logging.getLogger(__name__)

PRODUCING_STAGES = {Stage.OPERATING}
BUILDING_STAGES = {Stage.CONSTRUCTION, Stage.COMPLETED}
LEAD_PRODUCING = {LeadStage.PRODUCING, LeadStage.REACHED}
LEAD_BUILDING = {LeadStage.STARTED}
LEAD_OPEN = {LeadStage.NEGOTIATING, LeadStage.SIGNED, LeadStage.REGISTERED}
_RANK = {"producing": 2, "building": 1, "open": 0}


def rules() -> ChainRules:
    found = ChainRules.objects.order_by("pk").first()
    return found if found is not None else ChainRules()


def _project_state(stage: str | None) -> str | None:
    if stage in PRODUCING_STAGES:
        return "producing"
    if stage in BUILDING_STAGES:
        return "building"
    return None


def _lead_state(stage: str | None) -> str | None:
    if stage in LEAD_PRODUCING:
        return "producing"
    if stage in LEAD_BUILDING:
        return "building"
    if stage in LEAD_OPEN:
        return "open"
    return None


def counts_for(node_ids: Iterable[int] | None = None) -> dict[int, NodeCounts]:
    """The link counts of these nodes (None: every node), in five queries whatever the number of links."""
    nodes = ChainNode.objects.all() if node_ids is None else ChainNode.objects.filter(pk__in=list(node_ids))
    ids = list(nodes.values_list("pk", flat=True))
    scope = Q(node_id__in=ids) if node_ids is not None else Q()
    raw: dict[int, dict] = {pk: defaultdict(int) for pk in ids}
    local = Q(is_local=True, in_production=True, role__in=[EnterpriseRole.LOCAL, EnterpriseRole.LEADER])
    for row in (
        NodeEnterprise.objects.filter(scope)
        .values("node_id")
        .annotate(
            enterprises=Count("pk", filter=local),
            leaders=Count("pk", filter=local & Q(role=EnterpriseRole.LEADER)),
            suppliers=Count("pk", filter=Q(role=EnterpriseRole.SUPPLIER)),
        )
    ):
        for key in ("enterprises", "leaders", "suppliers"):
            raw[row["node_id"]][key] = row[key]
    # one state per project (or per lead not yet converted): the furthest of the project's and its lead's
    units: dict[int, dict[str, str]] = defaultdict(dict)
    for node_id, project_id, stage in NodeProject.objects.filter(scope).values_list(
        "node_id", "project_id", "project__stage"
    ):
        state = _project_state(stage)
        if state:
            units[node_id][f"p{project_id}"] = state
    for node_id, lead_id, lead_stage, project_id, project_stage in NodeLead.objects.filter(scope).values_list(
        "node_id", "lead_id", "lead__stage", "lead__project_id", "lead__project__stage"
    ):
        key = f"p{project_id}" if project_id else f"l{lead_id}"
        for state in (_lead_state(lead_stage), _project_state(project_stage) if project_id else None):
            if state and _RANK[state] > _RANK.get(units[node_id].get(key, ""), -1):
                units[node_id][key] = state
    for node_id, found in units.items():
        for state in found.values():
            raw[node_id][{"producing": "producing", "building": "building", "open": "open_leads"}[state]] += 1
    for row in (
        UniversityResource.nodes.through.objects.filter(
            Q(chainnode_id__in=ids) if node_ids is not None else Q(), universityresource__is_active=True
        )
        .values("chainnode_id")
        .annotate(n=Count("pk"))
    ):
        raw[row["chainnode_id"]]["resources"] = row["n"]
    return {pk: NodeCounts(**values) for pk, values in raw.items()}


def refresh(
    node_ids: Iterable[int] | None = None,
    *,
    trigger: str = "",
    triggers: dict[int, str] | None = None,
    notify: bool = True,
) -> int:
    """Recompute these nodes (None: all); write the changed ones and a history row per status change, then (after
    the commit, unless `notify` is False) tell the chains' 链长 and 牵头部门. Returns the number of status changes.
    `triggers` names what set off each node's recomputation (default `trigger`)."""
    current = rules()
    counts = counts_for(node_ids)
    if not counts:
        return 0
    now = timezone.now()
    nodes = ChainNode.objects.filter(pk__in=list(counts)).only("pk", "status", "status_reason", "counts")
    changed_nodes, history = [], []
    for node in nodes:
        c = counts[node.pk]
        verdict = judge(
            c,
            strong_min=current.strong_min,
            count_building=current.count_building,
            strong_requires_leader=current.strong_requires_leader,
        )
        as_dict = c.as_dict()
        moved = verdict.status != node.status
        if moved:
            history.append(
                NodeStatusChange(
                    node_id=node.pk,
                    time=now,
                    from_status=node.status,
                    to_status=verdict.status,
                    reason=verdict.reason[:300],
                    trigger=((triggers or {}).get(node.pk) or trigger or _("重新计算"))[:200],
                    counts=as_dict,
                )
            )
            node.status = verdict.status
            node.status_since = now
        if moved or node.status_reason != verdict.reason[:300] or node.counts != as_dict:
            node.status_reason = verdict.reason[:300]
            node.counts = as_dict
            changed_nodes.append(node)
    with transaction.atomic():
        if changed_nodes:
            ChainNode.objects.bulk_update(
                changed_nodes, ["status", "status_reason", "status_since", "counts"], batch_size=500
            )
        NodeStatusChange.objects.bulk_create(history, batch_size=500)
    if history and notify:
        transaction.on_commit(lambda: _tell(history))
    return len(history)


def _tell(history: list[NodeStatusChange]) -> None:
    """The 链长 and the 牵头部门 hear of the changes (notify.py), once the new statuses are stored."""
    from .notify import status_changed

    try:
        status_changed(history)
    except Exception:  # the statuses are stored; a failed message must not undo them
        logger.exception("chain status notification failed")


@task()
def refresh_chains_task(today_iso: str | None = None) -> dict:
    """The daily safety net (`tuijin refresh_chains`): every node recomputed; the day is only echoed."""
    return {"today": today_iso or "", "changed": refresh(None, trigger=_("每日校核"))}


# -- after-commit bookkeeping --------------------------------------------------------------------------------------

_pending = threading.local()


def _queue(kind: str, pk: int | None, trigger: str) -> None:
    """Note a change (kind: node / project / lead / all) and make sure it is processed when the transaction
    commits. Rolled-back changes may stay queued and be recomputed later: harmless, since refresh reads the truth."""
    queue = getattr(_pending, "queue", None)
    if queue is None:
        queue = _pending.queue = {}
    queue[(kind, pk)] = trigger
    transaction.on_commit(_flush)


def _flush() -> None:
    queue = getattr(_pending, "queue", None)
    if not queue:
        return
    _pending.queue = {}
    try:
        if any(kind == "all" for kind, _pk in queue):
            trigger = next(t for (kind, _pk), t in queue.items() if kind == "all")
            refresh(None, trigger=trigger)
            return
        by_node: dict[int, str] = {}
        project_ids = {pk: t for (kind, pk), t in queue.items() if kind == "project"}
        lead_ids = {pk: t for (kind, pk), t in queue.items() if kind == "lead"}
        for (kind, pk), t in queue.items():
            if kind == "node":
                by_node[pk] = t
        if project_ids:
            for node_id, pid in NodeProject.objects.filter(project_id__in=project_ids).values_list(
                "node_id", "project_id"
            ):
                by_node.setdefault(node_id, project_ids[pid])
            for node_id, pid in NodeLead.objects.filter(lead__project_id__in=project_ids).values_list(
                "node_id", "lead__project_id"
            ):
                by_node.setdefault(node_id, project_ids[pid])
        if lead_ids:
            for node_id, lid in NodeLead.objects.filter(lead_id__in=lead_ids).values_list("node_id", "lead_id"):
                by_node[node_id] = lead_ids[lid]
        if by_node:
            refresh(list(by_node), triggers=by_node)  # one pass, each node with its own trigger
    except Exception:  # the write has committed; the nightly refresh_chains repairs what failed here
        logger.exception("chain status refresh failed")


def _on_project(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        _queue(
            "project", instance.pk, _("项目「%(n)s」：%(s)s") % {"n": instance.name, "s": instance.get_stage_display()}
        )


def _on_lead(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        _queue(
            "lead", instance.pk, _("招商项目「%(n)s」：%(s)s") % {"n": instance.name, "s": instance.get_stage_display()}
        )


def _related_name(instance, attr: str) -> str:
    """The name of a link's lead or project, from the cache when loaded; "" when it is gone (a cascade)."""
    try:
        related = getattr(instance, attr)
    except ObjectDoesNotExist:
        return ""
    return getattr(related, "name", "") or ""


def _on_link(sender, instance, raw: bool = False, created: bool | None = None, **kwargs) -> None:
    if raw:
        return
    removed = created is None  # post_delete sends no `created`
    if isinstance(instance, NodeEnterprise):
        trigger = (_("移除环节企业「%(n)s」") if removed else _("环节企业「%(n)s」变更")) % {"n": instance.name}
    elif isinstance(instance, NodeLead):
        name = _related_name(instance, "lead")
        trigger = (_("取消关联招商项目「%(n)s」") if removed else _("关联招商项目「%(n)s」")) % {"n": name}
    else:
        name = _related_name(instance, "project")
        trigger = (_("取消关联重点项目「%(n)s」") if removed else _("关联重点项目「%(n)s」")) % {"n": name}
    _queue("node", instance.node_id, trigger)


def _on_node(sender, instance, raw: bool = False, created: bool = False, **kwargs) -> None:
    """A new node gets its reason and counts at once (its status stays 空白 until links say otherwise)."""
    if created and not raw:
        _queue("node", instance.pk, _("新增环节"))


def _on_resource_nodes(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if reverse:
        _queue("node", instance.pk, _("高校资源关联变更"))
    else:
        for pk in pk_set or instance.nodes.values_list("pk", flat=True):
            _queue("node", pk, _("高校资源关联变更"))


def _on_rules(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        _queue("all", None, _("判定规则调整"))


def _on_bulk(sender, project_ids: list[int] | None = None, **kwargs) -> None:
    if project_ids is None:
        _queue("all", None, _("项目批量变更"))
    else:
        for pk in project_ids:
            _queue("project", pk, _("项目批量变更"))


def connect() -> None:
    for model, receiver in ((Project, _on_project), (Lead, _on_lead)):
        label = model._meta.label_lower
        post_save.connect(receiver, sender=model, dispatch_uid=f"chains-{label}-save", weak=False)
    for link in (NodeEnterprise, NodeLead, NodeProject):
        label = link._meta.label_lower
        post_save.connect(_on_link, sender=link, dispatch_uid=f"chains-{label}-save", weak=False)
        post_delete.connect(_on_link, sender=link, dispatch_uid=f"chains-{label}-delete", weak=False)
    m2m_changed.connect(
        _on_resource_nodes, sender=UniversityResource.nodes.through, dispatch_uid="chains-res", weak=False
    )
    post_save.connect(_on_rules, sender=ChainRules, dispatch_uid="chains-rules-save", weak=False)
    post_save.connect(_on_node, sender=ChainNode, dispatch_uid="chains-node-save", weak=False)
    bulk_source_change.connect(_on_bulk, dispatch_uid="chains-bulk", weak=False)

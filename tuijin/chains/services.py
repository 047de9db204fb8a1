"""Writes of the chain map: nodes (链环节 and sub-links), their enterprises, the links to leads and key projects, a
lead started from a node, the 链长制 profile of a chain, the gap rules, and the import of nodes.

Each write checks the permission itself (and, for leads and projects, that the caller may see the record), saves
through the optimistic lock where the row is versioned, and lands in the change history. The gap status is never
written here: maintain.py recomputes it when the transaction commits."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.locking import bump_version, changes_since
from tuijin.core.permissions import check_scope

from .choices import EnterpriseRole
from .models import ChainNode, ChainProfile, ChainRules, NodeEnterprise, NodeLead, NodeProject

__all__ = [
    "ENTERPRISE_FIELDS",
    "NODE_FIELDS",
    "PROFILE_FIELDS",
    "RULES_FIELDS",
    "enterprise_add",
    "enterprise_remove",
    "enterprise_update",
    "lead_link",
    "lead_start",
    "lead_unlink",
    "node_create",
    "node_delete",
    "node_path",
    "node_update",
    "profile_for",
    "profile_save",
    "project_link",
    "project_unlink",
    "rules_save",
]

NODE_FIELDS = ("parent", "segment", "name", "keywords", "description", "sort_order")
ENTERPRISE_FIELDS = (
    "name",
    "credit_code",
    "role",
    "is_local",
    "in_production",
    "location",
    "products",
    "enterprise",
    "note",
)
PROFILE_FIELDS = ("leader", "lead_unit", "task_force_note", "fill_target", "summary")
RULES_FIELDS = ("strong_min", "count_building", "strong_requires_leader")
MAX_DEPTH = 4  # 链环节 → 子环节 → … : deeper trees do not read on a map


def _require(actor, permission: str, message: str = "") -> None:
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(message or _("您没有执行此操作的权限。"))


def _expect_version(obj, version, message: str = "") -> None:
    """Deletes: the row must still be at the version the user saw (locked for the rest of the transaction)."""
    current = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
    if current is None:
        raise ConflictError(_("该记录已被删除。"), current=None)
    try:
        expected = int(version)
    except (TypeError, ValueError):
        expected = None
    if expected is None or current.version != expected:
        text = message or _(
            "该记录已被他人修改（您看到的是第 %(mine)d 版，当前为第 %(now)d 版），未删除，请刷新后重试。"
        )
        raise ConflictError(
            text % {"mine": expected or 0, "now": current.version},
            current=current,
            changes=changes_since(current, expected or 0),
        )


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def node_path(node: ChainNode) -> str:
    """ "上级/下级" names from the top-level link down to `node` (one query per level, at most MAX_DEPTH)."""
    names = [node.name]
    parent = node.parent
    while parent is not None:
        names.append(parent.name)
        parent = parent.parent
    return "/".join(reversed(names))


def _depth(node: ChainNode | None) -> int:
    depth = 0
    while node is not None:
        depth += 1
        node = node.parent
    return depth


def _clean_node(node: ChainNode) -> None:
    errors: dict[str, list[str]] = {}
    node.name = (node.name or "").strip()
    node.keywords = " ".join((node.keywords or "").replace("，", ",").replace("、", ",").replace(",", " ").split())
    parent = node.parent
    if parent is not None:
        if parent.chain_id != node.chain_id:
            errors.setdefault("parent", []).append(_("上级环节必须属于同一产业链。"))
        else:
            # a sub-link sits where its parent sits on the chain
            node.segment = parent.segment
            ancestor: ChainNode | None = parent
            while ancestor is not None:
                if node.pk is not None and ancestor.pk == node.pk:
                    errors.setdefault("parent", []).append(_("不能把环节移到它自己的下级环节之下。"))
                    break
                ancestor = ancestor.parent
            if _depth(parent) >= MAX_DEPTH:
                errors.setdefault("parent", []).append(
                    _("环节最多 %(n)d 级，请选择更上一级的环节。") % {"n": MAX_DEPTH}
                )
    if node.chain_id and node.pk is None and not node.chain.is_active:
        errors.setdefault("__all__", []).append(_("产业链“%(c)s”已停用，不能新增环节。") % {"c": node.chain})
    try:
        node.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    _raise(errors)


@transaction.atomic
def node_create(*, actor, chain, data: dict[str, Any]) -> ChainNode:
    """A new node on `chain` (a top-level 链环节 without parent, or a sub-link): 空白 until links say otherwise."""
    _require(actor, "chains.add_chainnode")
    node = ChainNode(chain=chain, **{k: v for k, v in data.items() if k in NODE_FIELDS})
    _clean_node(node)
    node._changelog_message = data.get("message", "")
    node.save()
    return node


@transaction.atomic
def node_update(*, actor, node: ChainNode, version, data: dict[str, Any]) -> ChainNode:
    """Edit a node's name, place, keywords or description (never its status). A top-level node's new 链位 carries
    its sub-links along."""
    _require(actor, "chains.change_chainnode")
    for key, value in data.items():
        if key in NODE_FIELDS:
            setattr(node, key, value)
    _clean_node(node)
    bump_version(node, expected_version=version)
    _carry_segment(node)
    return node


def _carry_segment(node: ChainNode) -> None:
    children = list(ChainNode.objects.filter(parent=node).exclude(segment=node.segment))
    for child in children:
        child.segment = node.segment
        bump_version(child, expected_version=child.version, update_fields=["segment"])
        _carry_segment(child)


@transaction.atomic
def node_delete(*, actor, node: ChainNode, version) -> None:
    """Delete a node that has no sub-links and no links (its status history goes with it)."""
    _require(actor, "chains.delete_chainnode")
    _expect_version(node, version)
    blockers = []
    if ChainNode.objects.filter(parent=node).exists():
        blockers.append(_("下级环节"))
    if NodeEnterprise.objects.filter(node=node).exists():
        blockers.append(_("企业"))
    if NodeLead.objects.filter(node=node).exists():
        blockers.append(_("招商项目"))
    if NodeProject.objects.filter(node=node).exists():
        blockers.append(_("重点项目"))
    if blockers:
        raise ApplicationError(
            _("该环节还有%(b)s，请先删除或移除后再删除环节。") % {"b": "、".join(blockers)}, code="in_use"
        )
    node.delete()


# -- enterprises ------------------------------------------------------------------------------------------------------


def _clean_enterprise(row: NodeEnterprise) -> None:
    from tuijin.projects.validators import validate_credit_code

    errors: dict[str, list[str]] = {}
    row.name = (row.name or "").strip()
    if row.credit_code:
        try:
            row.credit_code = validate_credit_code(row.credit_code)
        except ValidationError as exc:
            errors.setdefault("credit_code", []).extend(exc.messages)
    if row.enterprise is not None and row.enterprise.unit_type != "enterprise":
        errors.setdefault("enterprise", []).append(_("企业账号只能选择企业。"))
    if row.role == EnterpriseRole.LEADER and not row.is_local:
        errors.setdefault("is_local", []).append(_("链主企业应为本地企业；区外企业请登记为关键供应商。"))
    try:
        row.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    _raise(errors)


@transaction.atomic
def enterprise_add(*, actor, node: ChainNode, data: dict[str, Any]) -> NodeEnterprise:
    """A local enterprise, the 链主 or a key supplier on `node`."""
    _require(actor, "chains.add_nodeenterprise")
    row = NodeEnterprise(node=node, **{k: v for k, v in data.items() if k in ENTERPRISE_FIELDS})
    _clean_enterprise(row)
    row.save()
    return row


@transaction.atomic
def enterprise_update(*, actor, enterprise: NodeEnterprise, version, data: dict[str, Any]) -> NodeEnterprise:
    _require(actor, "chains.change_nodeenterprise")
    for key, value in data.items():
        if key in ENTERPRISE_FIELDS:
            setattr(enterprise, key, value)
    _clean_enterprise(enterprise)
    bump_version(enterprise, expected_version=version)
    return enterprise


@transaction.atomic
def enterprise_remove(*, actor, enterprise: NodeEnterprise, version) -> None:
    _require(actor, "chains.delete_nodeenterprise")
    _expect_version(
        enterprise, version, _("该企业信息已被他人修改（您看到的是第 %(mine)d 版，当前为第 %(now)d 版），未移除。")
    )
    enterprise.delete()


# -- leads and projects -----------------------------------------------------------------------------------------------


@transaction.atomic
def lead_link(*, actor, node: ChainNode, lead) -> NodeLead:
    """Put a lead the caller may see on `node` (a lead sits on one node)."""
    _require(actor, "chains.link_chainnode")
    check_scope(actor, lead, "view", message=_("该招商项目不在您的查看范围内。"))
    existing = NodeLead.objects.select_related("node").filter(lead=lead).first()
    if existing is not None:
        if existing.node_id == node.pk:
            raise ApplicationError(_("该招商项目已关联本环节。"), code="already_linked")
        raise ApplicationError(
            _("该招商项目已关联环节“%(n)s”，一个招商项目只能关联一个环节；请先在该环节取消关联。")
            % {"n": existing.node.name},
            code="linked_elsewhere",
        )
    return NodeLead.objects.create(node=node, lead=lead)


@transaction.atomic
def lead_unlink(*, actor, node: ChainNode, lead) -> None:
    _require(actor, "chains.link_chainnode")
    check_scope(actor, lead, "view", message=_("该招商项目不在您的查看范围内。"))
    link = NodeLead.objects.filter(node=node, lead=lead).first()
    if link is None:
        raise ApplicationError(_("该招商项目未关联本环节。"), code="not_linked")
    link.delete()


@transaction.atomic
def lead_start(*, actor, node: ChainNode, data: dict[str, Any]):
    """A new lead (在谈) for `node`: created by the investment services with the node's chain, and put on the node,
    in one transaction (either both exist or neither)."""
    from tuijin.investment import services as investment_services

    _require(actor, "chains.link_chainnode")
    data = {**data, "chain": node.chain}
    lead = investment_services.lead_create(actor=actor, data=data)
    NodeLead.objects.create(node=node, lead=lead)
    return lead


@transaction.atomic
def project_link(*, actor, node: ChainNode, project) -> NodeProject:
    """Put a key project the caller may see on `node` (a project may serve several nodes)."""
    _require(actor, "chains.link_chainnode")
    check_scope(actor, project, "view", message=_("该项目不在您的查看范围内。"))
    if NodeProject.objects.filter(node=node, project=project).exists():
        raise ApplicationError(_("该项目已关联本环节。"), code="already_linked")
    if NodeLead.objects.filter(node=node, lead__project=project).exists():
        raise ApplicationError(
            _("该项目由本环节的招商项目转化而来，已计入本环节，无需重复关联。"), code="already_linked"
        )
    return NodeProject.objects.create(node=node, project=project)


@transaction.atomic
def project_unlink(*, actor, node: ChainNode, project) -> None:
    _require(actor, "chains.link_chainnode")
    check_scope(actor, project, "view", message=_("该项目不在您的查看范围内。"))
    link = NodeProject.objects.filter(node=node, project=project).first()
    if link is None:
        raise ApplicationError(_("该项目未直接关联本环节。"), code="not_linked")
    link.delete()


# -- 链长制 and the rules --------------------------------------------------------------------------------------------


def profile_for(chain) -> ChainProfile:
    """The chain's 链长制 record, or an unsaved empty one."""
    try:
        return chain.profile
    except ChainProfile.DoesNotExist:
        return ChainProfile(chain=chain)


@transaction.atomic
def profile_save(*, actor, chain, version, data: dict[str, Any]) -> ChainProfile:
    """Save the chain's 链长, 牵头部门, 专班 and 补链 target on the version the user saw (None/0 for the first save)."""
    _require(actor, "chains.change_chainprofile")
    profile = profile_for(chain)
    for key in PROFILE_FIELDS:
        if key in data:
            value = data[key]
            setattr(profile, key, value.strip() if isinstance(value, str) else value)
    profile.full_clean()
    if profile.pk is None:
        if version not in (None, 0, "0", ""):
            current = ChainProfile.objects.filter(chain=chain).first()
            raise ConflictError(_("该产业链的链长制信息刚被他人创建，请刷新后重试。"), current=current)
        profile.save()
    else:
        bump_version(profile, expected_version=version)
    if "task_force" in data:
        profile.task_force.set(data["task_force"] or [])
    return profile


@transaction.atomic
def rules_save(*, actor, version, data: dict[str, Any]) -> ChainRules:
    """Change the gap thresholds; every node is recomputed when the transaction commits (maintain.py)."""
    _require(actor, "chains.change_chainrules")
    row = ChainRules.objects.order_by("pk").first()
    if row is None:
        row = ChainRules()
    for key in RULES_FIELDS:
        if key in data:
            setattr(row, key, data[key])
    row.full_clean()
    if row.pk is None:
        row.save()
    else:
        bump_version(row, expected_version=version)
    return row

"""The 项目办's configurable catalogues: the approval-item catalogue (with its parallel groups) and the industry
chains. Writes (create, edit, 停用/启用, delete of unused rows) and the reads behind their pages and previews.

Rows in use are never deleted — a project's chain and a project's approval items point at them — they are
deactivated instead: new projects can no longer pick a deactivated chain or get a deactivated approval item, and
existing projects keep what they have. Every edit is saved on the version the user edited (`bump_version`), so a
stale save is a conflict, never a silent overwrite; the change log records each write.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from tuijin.core.locking import bump_version

from .choices import ApprovalPhase, ApprovalStatus
from .models import ApprovalItem, ApprovalItemType, IndustryChain, Project

__all__ = [
    "APPROVAL_TYPE_FIELDS",
    "CHAIN_FIELDS",
    "ChainUsage",
    "GroupPreview",
    "ItemTypeUsage",
    "approval_type_create",
    "approval_type_delete",
    "approval_type_rows",
    "approval_type_set_active",
    "approval_type_update",
    "approval_type_usage",
    "chain_create",
    "chain_delete",
    "chain_rows",
    "chain_set_active",
    "chain_update",
    "chain_usage",
    "group_preview",
]

CHAIN_FIELDS = ("name", "sort_order")
APPROVAL_TYPE_FIELDS = ("code", "name", "phase", "parallel_group", "default_department", "sort_order")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
MAX_SORT = 9999


def _conflict_message() -> str:
    return _("该条目已被他人修改（您编辑的是第 %(mine)d 版，当前为第 %(now)d 版），您的修改未保存。")


def _require(actor, permission: str, message: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(message)


def _sort_order(value, errors: dict) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors["sort_order"] = _("排序请填写 0 到 %(max)d 之间的整数。") % {"max": MAX_SORT}
        return 0
    if not 0 <= number <= MAX_SORT:
        errors["sort_order"] = _("排序请填写 0 到 %(max)d 之间的整数。") % {"max": MAX_SORT}
    return number


# --- industry chains ----------------------------------------------------------------------------------------------


def _chain_clean(name, sort_order, exclude_pk=None) -> dict:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写产业链名称。")
    elif len(name) > 50:
        errors["name"] = _("产业链名称不能超过 50 个字。")
    elif IndustryChain.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        errors["name"] = _("已有名为“%(n)s”的产业链，请换一个名称（停用的也算）。") % {"n": name}
    order = _sort_order(sort_order, errors)
    if errors:
        raise ValidationError(errors)
    return {"name": name, "sort_order": order}


@transaction.atomic
def chain_create(*, actor, name: str, sort_order=100) -> IndustryChain:
    _require(actor, "projects.add_industrychain", _("您没有新增产业链的权限。"))
    fields = _chain_clean(name, sort_order)
    chain = IndustryChain(**fields)
    chain._changelog_message = _("新增产业链")
    try:
        with transaction.atomic():
            chain.save()
    except IntegrityError:  # created by someone else meanwhile
        raise ValidationError({"name": _("已有名为“%(n)s”的产业链，请换一个名称。") % {"n": fields["name"]}}) from None
    return chain


@transaction.atomic
def chain_update(*, actor, chain: IndustryChain, version, name: str, sort_order) -> IndustryChain:
    _require(actor, "projects.change_industrychain", _("您没有修改产业链的权限。"))
    fields = _chain_clean(name, sort_order, exclude_pk=chain.pk)
    for key, value in fields.items():
        setattr(chain, key, value)
    chain._changelog_message = _("修改产业链")
    bump_version(chain, expected_version=version, message=_conflict_message())
    return chain


@transaction.atomic
def chain_set_active(*, actor, chain: IndustryChain, version, active: bool) -> IndustryChain:
    _require(actor, "projects.change_industrychain", _("您没有修改产业链的权限。"))
    chain.is_active = bool(active)
    chain._changelog_message = _("启用产业链") if active else _("停用产业链")
    bump_version(
        chain, expected_version=version, message=_conflict_message(), update_fields=["is_active", "last_updated"]
    )
    return chain


@transaction.atomic
def chain_delete(*, actor, chain: IndustryChain) -> None:
    """Delete a chain no project uses; one in use is refused (deactivate it instead)."""
    _require(actor, "projects.delete_industrychain", _("您没有删除产业链的权限。"))
    used = Project.objects.filter(chain=chain).count()
    if used:
        raise ValidationError(
            _("%(n)d 个项目使用产业链“%(c)s”，不能删除；如不再使用，请将其停用（已有项目保持不变）。")
            % {"n": used, "c": chain.name}
        )
    chain._changelog_message = _("删除未使用的产业链")
    chain.delete()


@dataclass(frozen=True)
class ChainUsage:
    projects: int


def chain_usage(chain: IndustryChain) -> ChainUsage:
    """How many projects (all districts: the list is global) use the chain."""
    return ChainUsage(projects=Project.objects.filter(chain=chain).count())


def chain_rows() -> QuerySet[IndustryChain]:
    """Every chain, active first, with `project_count` (one query)."""
    return IndustryChain.objects.annotate(project_count=Count("projects")).order_by("-is_active", "sort_order", "name")


# --- approval-item catalogue -------------------------------------------------------------------------------------


def _approval_clean(data: dict, exclude_pk=None) -> dict:
    errors: dict[str, str] = {}
    code = (data.get("code") or "").strip()
    name = (data.get("name") or "").strip()
    group = (data.get("parallel_group") or "").strip()
    phase = data.get("phase") or ""
    if not code:
        errors["code"] = _("请填写事项代码。")
    elif not CODE_RE.match(code):
        errors["code"] = _("事项代码为 2 到 40 位小写字母、数字或下划线，以字母开头，如 land_preexam。")
    elif ApprovalItemType.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        errors["code"] = _("事项代码“%(c)s”已被其他事项使用（停用的也算），请换一个。") % {"c": code}
    if not name:
        errors["name"] = _("请填写事项名称。")
    elif len(name) > 100:
        errors["name"] = _("事项名称不能超过 100 个字。")
    elif ApprovalItemType.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        errors["name"] = _("已有名为“%(n)s”的审批事项（停用的也算），请换一个名称。") % {"n": name}
    if phase not in ApprovalPhase.values:
        errors["phase"] = _("请选择事项所属阶段。")
    if len(group) > 30:
        errors["parallel_group"] = _("并联组名称不能超过 30 个字。")
    order = _sort_order(data.get("sort_order"), errors)
    if errors:
        raise ValidationError(errors)
    return {
        "code": code,
        "name": name,
        "phase": phase,
        "parallel_group": group,
        "default_department": data.get("default_department"),
        "sort_order": order,
    }


@transaction.atomic
def approval_type_create(*, actor, **data) -> ApprovalItemType:
    """A new catalogue item; projects created from now on get it (existing projects: when their items are
    next completed from the catalogue)."""
    _require(actor, "projects.add_approvalitemtype", _("您没有新增审批事项的权限。"))
    item_type = ApprovalItemType(**_approval_clean(data))
    item_type._changelog_message = _("新增审批事项")
    try:
        with transaction.atomic():
            item_type.save()
    except IntegrityError:
        raise ValidationError(
            {"code": _("事项代码“%(c)s”已被其他事项使用，请换一个。") % {"c": item_type.code}}
        ) from None
    return item_type


@transaction.atomic
def approval_type_update(*, actor, item_type: ApprovalItemType, version, **data) -> ApprovalItemType:
    _require(actor, "projects.change_approvalitemtype", _("您没有修改审批事项的权限。"))
    for key, value in _approval_clean(data, exclude_pk=item_type.pk).items():
        setattr(item_type, key, value)
    item_type._changelog_message = _("修改审批事项")
    bump_version(item_type, expected_version=version, message=_conflict_message())
    return item_type


@transaction.atomic
def approval_type_set_active(*, actor, item_type: ApprovalItemType, version, active: bool) -> ApprovalItemType:
    _require(actor, "projects.change_approvalitemtype", _("您没有修改审批事项的权限。"))
    item_type.is_active = bool(active)
    item_type._changelog_message = _("启用审批事项") if active else _("停用审批事项")
    bump_version(
        item_type, expected_version=version, message=_conflict_message(), update_fields=["is_active", "last_updated"]
    )
    return item_type


@transaction.atomic
def approval_type_delete(*, actor, item_type: ApprovalItemType) -> None:
    """Delete a catalogue item no project has; one in use is refused (deactivate it instead)."""
    _require(actor, "projects.delete_approvalitemtype", _("您没有删除审批事项的权限。"))
    used = ApprovalItem.objects.filter(item_type=item_type).values("project").distinct().count()
    if used:
        raise ValidationError(
            _("%(n)d 个项目已有审批事项“%(c)s”，不能删除；如不再使用，请将其停用（已有项目的事项保持不变）。")
            % {"n": used, "c": item_type.name}
        )
    item_type._changelog_message = _("删除未使用的审批事项")
    item_type.delete()


@dataclass(frozen=True)
class ItemTypeUsage:
    projects: int  # projects that have the item
    open: int  # of them, items not yet 已办结 / 不涉及


def approval_type_usage(item_type: ApprovalItemType) -> ItemTypeUsage:
    closed = [ApprovalStatus.DONE, ApprovalStatus.NOT_APPLICABLE]
    counts = ApprovalItem.objects.filter(item_type=item_type).aggregate(
        projects=Count("project", distinct=True), open=Count("pk", filter=~Q(status__in=closed))
    )
    return ItemTypeUsage(projects=counts["projects"] or 0, open=counts["open"] or 0)


def approval_type_rows() -> QuerySet[ApprovalItemType]:
    """The catalogue in flow order with `project_count` and `open_count` (one query)."""
    closed = [ApprovalStatus.DONE, ApprovalStatus.NOT_APPLICABLE]
    return (
        ApprovalItemType.objects.select_related("default_department")
        .annotate(
            project_count=Count("items__project", distinct=True),
            open_count=Count("items", filter=~Q(items__status__in=closed)),
        )
        .order_by("-is_active", "sort_order", "code")
    )


@dataclass(frozen=True)
class GroupPreview:
    old_group: str
    new_group: str
    left_behind: list[str]  # the items staying in the old group
    joined: list[str]  # the items the edited one will be handled in parallel with


def group_preview(item_type: ApprovalItemType, new_group: str) -> GroupPreview | None:
    """What moving `item_type` to `new_group` changes: which active items it leaves and which it joins
    (None when the group does not change)."""
    old_group = item_type.parallel_group if item_type.pk else ""
    new_group = (new_group or "").strip()
    if item_type.pk and old_group == new_group:
        return None
    groups = [g for g in (old_group, new_group) if g]
    members: dict[str, list[str]] = {g: [] for g in groups}
    for group, name in (
        ApprovalItemType.objects.filter(parallel_group__in=groups, is_active=True)
        .exclude(pk=item_type.pk)
        .order_by("sort_order", "code")
        .values_list("parallel_group", "name")
    ):
        members[group].append(name)
    return GroupPreview(
        old_group=old_group,
        new_group=new_group,
        left_behind=members.get(old_group, []) if old_group else [],
        joined=members.get(new_group, []) if new_group else [],
    )

"""Writes of 政产学研: the universities' resources (the register) and the cooperation records.

Each write checks the permission itself, validates (Chinese messages on the fields), saves through the optimistic
lock when editing and lands in the change history (a change of a resource's 服务环节 is written as the history
message, since the link table has no history of its own). A cooperation record that names a 诉求 tells the units
handling it, with the record's link (sent once the transaction commits).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.locking import bump_version

from .matching import split_terms
from .models import ChainNode, Cooperation, UniversityResource

__all__ = [
    "COOPERATION_FIELDS",
    "RESOURCE_FIELDS",
    "cooperation_save",
    "normalise_keywords",
    "resource_save",
    "ticket_handlers",
]

RESOURCE_FIELDS = (
    "university",
    "kind",
    "name",
    "field",
    "keywords",
    "description",
    "contact_name",
    "contact_phone",
    "is_active",
)
COOPERATION_FIELDS = (
    "resource",
    "kind",
    "happened_on",
    "enterprise_name",
    "enterprise",
    "node",
    "ticket",
    "summary",
    "outcome",
    "amount",
)


def _require(actor, permission: str, message: str) -> None:
    if actor is not None and not actor.has_perm(f"chains.{permission}"):
        raise PermissionDenied(message)


def normalise_keywords(text: str) -> str:
    """Keywords as typed, one spelling each, joined with 、 (what the matching splits on)."""
    return "、".join(split_terms(text))[:300] if text else ""


def _node_label(node: ChainNode) -> str:
    return f"{node.chain.name}/{node.name}" if getattr(node, "chain", None) else node.name


@transaction.atomic
def resource_save(
    *, actor, data: dict, resource: UniversityResource | None = None, version: int | None = None
) -> UniversityResource:
    """Create (`resource` None) or edit a university resource; `data` may hold `nodes` (the 服务环节)."""
    data = dict(data)
    nodes = data.pop("nodes", None)
    if resource is None:
        _require(actor, "add_universityresource", _("您没有登记高校资源的权限。"))
        resource = UniversityResource()
    else:
        _require(actor, "change_universityresource", _("您没有修改高校资源的权限。"))
    for name in RESOURCE_FIELDS:
        if name in data:
            value = data[name]
            setattr(resource, name, value.strip() if isinstance(value, str) else value)
    resource.keywords = normalise_keywords(resource.keywords)
    if not resource.keywords and not resource.field.strip():
        raise ValidationError({"keywords": _("请填写关键词或研究方向，匹配按它们进行。")})
    resource.full_clean()
    if nodes is not None:
        nodes = list(nodes)
        before = set(resource.nodes.values_list("pk", flat=True)) if resource.pk else set()
        if {n.pk for n in nodes} != before:
            labels = "、".join(_node_label(n) for n in nodes) or _("无")
            resource._changelog_message = _("服务环节：%(n)s") % {"n": labels}
    if resource.pk is None:
        resource.save()
    else:
        bump_version(resource, expected_version=version)
    if nodes is not None:
        resource.nodes.set(nodes)
    return resource


def ticket_handlers(ticket) -> list:
    """Who handles a 诉求: the people of its 牵头单位 and 配合单位 who may handle tickets; while it is not yet
    交办, the office that dispatches it."""
    from tuijin.org.choices import ScopeKind
    from tuijin.users.recipients import users_covering

    users: dict[int, object] = {}
    units = ([ticket.lead_unit] if ticket.lead_unit_id else []) + list(ticket.co_units.all())
    for unit in units:
        for user in users_covering(unit, "tickets.handle_ticket", kinds=(ScopeKind.UNIT,)):
            users.setdefault(user.pk, user)
    if not units:
        for user in users_covering(ticket.raised_unit, "tickets.dispatch_ticket", kinds=(ScopeKind.REGION,)):
            users.setdefault(user.pk, user)
    return list(users.values())


def _tell_handlers(actor, cooperation: Cooperation) -> None:
    from tuijin.notifications.services import notify

    ticket = cooperation.ticket
    if ticket is None:
        return
    users = [u for u in ticket_handlers(ticket) if actor is None or u.pk != actor.pk]
    if not users:
        return
    notify(
        users=users,
        title=_("诉求 %(n)s 已有高校对接（%(k)s）：%(r)s")
        % {"n": ticket.number, "k": cooperation.get_kind_display(), "r": cooperation.resource},
        body=cooperation.summary[:200],
        url=f"{cooperation.resource.get_absolute_url()}#coop-{cooperation.pk}",
        kind="chains_cooperation",
        dedup_key=f"chains_cooperation:{cooperation.pk}:{ticket.pk}",
    )


@transaction.atomic
def cooperation_save(
    *, actor, data: dict, cooperation: Cooperation | None = None, version: int | None = None
) -> Cooperation:
    """Record (`cooperation` None) or correct a cooperation: a visit, an agreement or an outcome between a resource
    and an enterprise, optionally on a node and for a 诉求 (which the actor must be able to see). The enterprise
    defaults to the 诉求's, its name to the enterprise account's. Naming a 诉求 tells its handlers."""
    from tuijin.org.choices import UnitType
    from tuijin.tickets.models import Ticket

    new = cooperation is None
    old_ticket_id: int | None = None
    old_resource_id: int | None = None
    if cooperation is None:
        _require(actor, "add_cooperation", _("您没有登记合作记录的权限。"))
        cooperation = Cooperation()
    else:
        _require(actor, "change_cooperation", _("您没有修改合作记录的权限。"))
        old_ticket_id, old_resource_id = cooperation.ticket_id, cooperation.resource_id
    for name in COOPERATION_FIELDS:
        if name in data:
            value = data[name]
            setattr(cooperation, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, str] = {}
    ticket = cooperation.ticket
    if ticket is not None and ticket.pk != old_ticket_id and actor is not None:
        if not Ticket.objects.restrict(actor, "view").filter(pk=ticket.pk).exists():
            errors["ticket"] = _("该诉求不存在或不在您的管理范围内。")
    enterprise = cooperation.enterprise
    if enterprise is None and ticket is not None and ticket.enterprise_id and "ticket" not in errors:
        enterprise = cooperation.enterprise = ticket.enterprise
    if enterprise is not None and enterprise.unit_type != UnitType.ENTERPRISE:
        errors["enterprise"] = _("请选择企业账号（不能选择政府部门或其他单位）。")
    if not cooperation.enterprise_name and enterprise is not None:
        cooperation.enterprise_name = enterprise.name
    if not cooperation.enterprise_name:
        errors["enterprise_name"] = _("请填写企业名称，或选择企业账号。")
    resource = cooperation.resource if cooperation.resource_id else None
    if resource is not None and not resource.is_active and resource.pk != old_resource_id:
        errors["resource"] = _("该高校资源已停用，不能登记新的合作。")
    if cooperation.happened_on and cooperation.happened_on > timezone.localdate():
        errors["happened_on"] = _("日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    cooperation.full_clean()
    if new:
        cooperation.save()
    else:
        bump_version(cooperation, expected_version=version)
    if cooperation.ticket_id and cooperation.ticket_id != old_ticket_id:
        _tell_handlers(actor, cooperation)  # the messages are sent after the commit (notifications.notify)
    return cooperation

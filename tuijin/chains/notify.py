"""Who hears of a node's status change: the chain's 链长 (the accounts of that person) and the people of the chain's
牵头部门 whose role reads the map. One message per chain and recomputation, whatever the number of nodes changed;
sent by maintain.refresh after its write has committed."""

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from tuijin.org.roles import ROLE_SPECS

from .choices import GapStatus
from .models import ChainNode, ChainProfile, NodeStatusChange

__all__ = ["recipients", "status_changed"]

PERMISSION = "chains.view_chainnode"
LABELS = dict(GapStatus.choices)


def recipients(profile: ChainProfile) -> list:
    """The 链长's active accounts and the active accounts of the lead unit that may read the map."""
    from tuijin.users.models import User

    condition = Q(pk__in=[])
    if profile.leader_id:
        condition |= Q(person_id=profile.leader_id)
    if profile.lead_unit_id:
        roles = [role for role, spec in ROLE_SPECS.items() if PERMISSION in spec.permissions]
        condition |= Q(memberships__unit_id=profile.lead_unit_id, memberships__role__in=roles)
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("pk"))


def _level(changes: list[NodeStatusChange]) -> str:
    if any(c.to_status == GapStatus.GAP for c in changes):
        return "warning"
    if any(c.from_status == GapStatus.GAP for c in changes):
        return "success"
    return "info"


def status_changed(changes: list[NodeStatusChange]) -> int:
    """Notify each chain's people of its nodes' changes; returns the number of messages created."""
    from tuijin.notifications.services import notify

    if not changes:
        return 0
    nodes = {n.pk: n for n in ChainNode.objects.filter(pk__in={c.node_id for c in changes}).select_related("chain")}
    by_chain: dict[int, list[NodeStatusChange]] = defaultdict(list)
    for change in changes:
        node = nodes.get(change.node_id)
        if node is not None:
            by_chain[node.chain_id].append(change)
    profiles = ChainProfile.objects.filter(chain_id__in=list(by_chain)).select_related("chain")
    sent = 0
    for profile in profiles:
        users = recipients(profile)
        chain_changes = by_chain[profile.chain_id]
        if not users or not chain_changes:
            continue
        if len(chain_changes) == 1:
            change = chain_changes[0]
            node = nodes[change.node_id]
            title = _("产业链“%(c)s”环节“%(n)s”：%(a)s → %(b)s") % {
                "c": profile.chain.name,
                "n": node.name,
                "a": LABELS.get(change.from_status, "—"),
                "b": LABELS.get(change.to_status, ""),
            }
            body = _("依据：%(r)s；触发：%(t)s") % {"r": change.reason, "t": change.trigger}
            url = node.get_absolute_url()
        else:
            from django.urls import reverse

            title = _("产业链“%(c)s”有 %(n)d 个环节的缺链状态发生变化") % {
                "c": profile.chain.name,
                "n": len(chain_changes),
            }
            body = "；".join(
                _("%(n)s：%(a)s → %(b)s")
                % {
                    "n": nodes[c.node_id].name,
                    "a": LABELS.get(c.from_status, "—"),
                    "b": LABELS.get(c.to_status, ""),
                }
                for c in chain_changes[:10]
            )
            url = reverse("chains:map", args=[profile.chain_id])
        sent += len(notify(users=users, title=title, body=body, url=url, level=_level(chain_changes), kind="chains"))
    return sent

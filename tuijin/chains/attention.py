"""Home-page 待我处理 item of the chain map: "N 个空白环节尚无在谈项目" — 空白 nodes with no lead in talks on them,
the 招商 targets nobody is working on. For whoever keeps the maps (chains.change_chainnode): every chain; for the
people of a chain's 牵头部门: their chains. The link opens the node list filtered to exactly those nodes."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention

__all__ = ["chains_attention", "chains_for_todo"]


def chains_for_todo(user) -> list[int] | None:
    """None: every chain (the map keepers); else the chains whose 牵头部门 is one of the user's units."""
    from tuijin.org.scoping import user_memberships

    from .models import ChainProfile

    if user.has_perm("chains.change_chainnode"):
        return None
    units = [m.unit_id for m in user_memberships(user)]
    return list(
        ChainProfile.objects.filter(lead_unit_id__in=units).order_by("chain_id").values_list("chain_id", flat=True)
    )


@register_attention
def chains_attention(user) -> list[AttentionItem]:
    from .selectors import gap_without_talks

    if not user.has_perm("chains.view_chainnode"):
        return []
    chain_ids = chains_for_todo(user)
    if chain_ids is not None and not chain_ids:
        return []
    count = gap_without_talks(chain_ids)
    if not count:
        return []
    query = "todo=gap_no_talks" + "".join(f"&chain={pk}" for pk in chain_ids or [])
    title = _("%(n)d 个空白环节尚无在谈项目") % {"n": count}
    return [AttentionItem(title, None, f"{reverse('chains:node_list')}?{query}", "warning")]

"""Home-page 待我处理 item of 政产学研, for those who record cooperation (`chains.add_cooperation`):
"技术/人才诉求有可对接的高校资源" with the count N — the open 技术/人才 诉求 they may see with no cooperation record
yet whose best resource scores at least matching.STRONG_SCORE. It links to the match page, which lists exactly those
(matching.pending_tickets)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention

__all__ = ["universities_attention"]


@register_attention
def universities_attention(user) -> list[AttentionItem]:
    if not (user.has_perm("chains.add_cooperation") and user.has_perm("tickets.view_ticket")):
        return []
    from .matching import pending_tickets

    count = len(pending_tickets(user))
    if not count:
        return []
    # shown as "技术/人才诉求有可对接的高校资源 [N]" (the home page puts the count in a badge)
    return [AttentionItem(_("技术/人才诉求有可对接的高校资源"), count, reverse("chains:match"), "info")]

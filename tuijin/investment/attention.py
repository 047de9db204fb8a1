"""Home-page 待我处理 items for investment leads, each a count and a link to the lead list filtered to exactly those
rows (the same `restrict()` and condition as the list):

- a reviewer (investment.review_lead): 待审核的招商项目, stage submissions waiting for review;
- a tracking unit (investment.change_lead without review): 被退回的招商项目, to correct and submit again.

One aggregate query per user.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention

from .choices import LeadStage, ReviewStatus

__all__ = ["lead_attention"]


def _list_url(query: str) -> str:
    return f"{reverse('investment:lead_list')}?{query}"


@register_attention
def lead_attention(user) -> list[AttentionItem]:
    from .models import Lead

    review = user.has_perm("investment.review_lead")
    change = user.has_perm("investment.change_lead")
    if not (review or change):
        return []
    live = ~Q(stage=LeadStage.TERMINATED)
    items: list[AttentionItem] = []
    if review:
        pending = (
            Lead.objects.restrict(user, "review")
            .filter(live, review_status=ReviewStatus.PENDING)
            .aggregate(n=Count("pk"))["n"]
        )
        if pending:
            items.append(AttentionItem(_("待审核的招商项目"), pending, _list_url("review=pending"), "warning"))
    else:
        returned = (
            Lead.objects.restrict(user, "change")
            .filter(live, review_status=ReviewStatus.RETURNED)
            .aggregate(n=Count("pk"))["n"]
        )
        if returned:
            items.append(AttentionItem(_("被退回的招商项目"), returned, _list_url("review=returned"), "danger"))
    return items

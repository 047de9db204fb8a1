"""Home-page 待我处理 items for tickets, each a count and a link to the ticket list filtered to exactly those rows
(the same `restrict(user, "view")` and the same condition as the list, so the count is the list's length):

- the project office (tickets.dispatch_ticket): new 诉求 and tickets awaiting 交办 (待受理), and overdue tickets;
- a unit (tickets.handle_ticket without dispatch): tickets newly assigned to it and not yet taken up, and its
  overdue tickets;
- an enterprise (tickets.rate_ticket): resolved tickets awaiting its rating (待评价).

One aggregate query per role, whatever the number of tickets.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention

from .choices import TicketStatus
from .services import OPEN

__all__ = ["ticket_attention"]


def _list_url(query: str) -> str:
    return f"{reverse('tickets:ticket_list')}?{query}"


@register_attention
def ticket_attention(user) -> list[AttentionItem]:
    from .models import Ticket
    from .selectors import awaiting_rating, todo_condition

    if not user.has_perm("tickets.view_ticket"):
        return []
    visible = Ticket.objects.restrict(user, "view")
    today = timezone.localdate()
    items: list[AttentionItem] = []
    if user.has_perm("tickets.dispatch_ticket"):
        counts = visible.aggregate(
            pending=Count("pk", filter=Q(status=TicketStatus.PENDING)),
            overdue=Count("pk", filter=Q(status__in=OPEN, resolution_due__lt=today)),
        )
        if counts["pending"]:
            items.append(
                AttentionItem(_("新诉求和工单待交办"), counts["pending"], _list_url("status=pending"), "warning")
            )
        if counts["overdue"]:
            items.append(AttentionItem(_("超期未办结的工单"), counts["overdue"], _list_url("status=overdue"), "danger"))
    elif user.has_perm("tickets.handle_ticket"):
        counts = visible.aggregate(
            assigned=Count("pk", filter=todo_condition("assigned", user, today=today)),
            overdue=Count("pk", filter=todo_condition("overdue", user, today=today)),
        )
        if counts["assigned"]:
            items.append(
                AttentionItem(_("新交办给本单位的工单"), counts["assigned"], _list_url("todo=assigned"), "warning")
            )
        if counts["overdue"]:
            items.append(
                AttentionItem(_("本单位牵头的超期工单"), counts["overdue"], _list_url("todo=overdue"), "danger")
            )
    if user.has_perm("tickets.rate_ticket"):
        to_rate = awaiting_rating(visible).count()
        if to_rate:
            items.append(AttentionItem(_("已办结待评价的诉求"), to_rate, _list_url("todo=rate"), "warning"))
    return items

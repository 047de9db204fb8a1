"""Test helpers: tickets made through the real services (numbers, deadlines and timeline included)."""

from itertools import count

from tuijin.tickets import services
from tuijin.tickets.choices import TicketCategory, TicketSource, TicketStatus
from tuijin.tickets.models import Ticket

__all__ = ["advance", "make_ticket"]

_seq = count(1)


def make_ticket(
    *,
    actor,
    project=None,
    enterprise=None,
    title=None,
    category=TicketCategory.LAND,
    source=TicketSource.OTHER,
    **fields,
) -> Ticket:
    n = next(_seq)
    ticket = services.ticket_raise(
        actor=actor,
        source=source,
        category=category,
        title=title or f"测试工单{n}",
        description=fields.pop("description", f"测试问题描述{n}"),
        help_requested=fields.pop("help_requested", "请协调解决"),
        project=project,
        enterprise=enterprise,
    )
    if fields:
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
        ticket.refresh_from_db()
    return ticket


def advance(ticket: Ticket, to: str, *, office, lead_unit=None, handler=None) -> Ticket:
    """Take a ticket through the workflow to status `to` (assigned / in_progress / resolved / closed)."""
    order = [TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED]
    handler = handler or office
    for step in order[: order.index(to) + 1]:
        ticket.refresh_from_db()
        if step == TicketStatus.ASSIGNED:
            assert lead_unit is not None
            ticket = services.ticket_assign(actor=office, ticket=ticket, version=ticket.version, lead_unit=lead_unit)
        elif step == TicketStatus.IN_PROGRESS:
            ticket = services.ticket_start(actor=handler, ticket=ticket, version=ticket.version)
        elif step == TicketStatus.RESOLVED:
            ticket = services.ticket_resolve(actor=handler, ticket=ticket, version=ticket.version, result="已协调解决")
        else:
            ticket = services.ticket_close(actor=office, ticket=ticket, version=ticket.version)
    return ticket

"""Ticket state changes go through services that record history (the change log and the timeline, no raw
UPDATE); quiet_period_set checks the actor's scope against a real other enterprise."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tuijin.core.exceptions import ConflictError
from tuijin.core.models import ObjectChange
from tuijin.tickets import services
from tuijin.tickets.choices import TicketEventType, TicketStatus
from tuijin.tickets.models import QuietPeriod, Ticket

from .factories import advance, make_ticket


def history(ticket):
    content_type = ContentType.objects.get_for_model(Ticket)
    return ObjectChange.objects.filter(changed_object_type=content_type, changed_object_id=ticket.pk).order_by("pk")


def test_every_transition_is_in_the_change_log_and_the_timeline(world):
    ticket = make_ticket(actor=world.reporter_a, enterprise=world.enterprise_a)
    ticket = advance(ticket, TicketStatus.CLOSED, office=world.office, lead_unit=world.unit_a, handler=world.reporter_a)
    steps = [
        (c.prechange_data["status"], c.postchange_data["status"], c.prechange_data["version"], c.user_name)
        for c in history(ticket).filter(action="update")
    ]
    assert [(a, b) for a, b, _v, _u in steps] == [
        ("pending", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
    ]
    assert [v for _a, _b, v, _u in steps] == [1, 2, 3, 4] and ticket.version == 5
    assert history(ticket).last().postchange_data["lead_unit"] == world.unit_a.pk
    types = list(ticket.events.order_by("pk").values_list("type", flat=True))
    assert types == ["raised", "assigned", "started", "resolved", "closed"]


def test_a_stale_transition_changes_nothing(world):
    ticket = make_ticket(actor=world.reporter_a, enterprise=world.enterprise_a)
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_accept(actor=world.office, ticket=ticket, version=ticket.version)
    before = history(ticket).count()
    with pytest.raises(ConflictError) as exc:
        services.ticket_assign(actor=world.office, ticket=stale, version=stale.version, lead_unit=world.unit_b)
    assert exc.value.current.version == 2
    assert Ticket.objects.get(pk=ticket.pk).lead_unit is None and history(ticket).count() == before


def test_escalation_is_in_the_change_log_and_leaves_the_version(world):
    ticket = make_ticket(actor=world.reporter_a, enterprise=world.enterprise_a)
    past = timezone.localdate() - timedelta(days=40)
    Ticket.objects.filter(pk=ticket.pk).update(response_due=past, resolution_due=past)
    assert services.escalate_overdue() == 4
    ticket.refresh_from_db()
    assert ticket.escalation_level == 4 and ticket.version == 1
    levels = [c.postchange_data["escalation_level"] for c in history(ticket).filter(action="update")]
    assert levels == [1, 2, 3, 4]
    assert ticket.events.filter(type=TicketEventType.ESCALATED).count() == 4


def test_quiet_period_for_another_enterprise_is_refused(world):
    today = date(2026, 12, 1)
    with pytest.raises(PermissionDenied):
        services.quiet_period_set(actor=world.ent_user_a, enterprise=world.enterprise_b, start=today, end=today)
    with pytest.raises(PermissionDenied):  # government units do not declare quiet periods
        services.quiet_period_set(actor=world.reporter_a, enterprise=world.enterprise_a, start=today, end=today)
    assert not QuietPeriod.objects.exists()
    services.quiet_period_set(actor=world.ent_user_a, enterprise=world.enterprise_a, start=today, end=today)
    assert QuietPeriod.objects.filter(enterprise=world.enterprise_a).count() == 1

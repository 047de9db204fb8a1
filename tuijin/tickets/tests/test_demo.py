"""The demo tickets and inspection registry (tuijin.tickets.demo.load_tickets) after the org, project and report
demo steps, loaded twice (idempotent); and the scheduled escalation (command and task)."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from tuijin.core import demo as core_demo
from tuijin.projects.tests.factories import make_project
from tuijin.tickets.choices import Rating, TicketSource, TicketStatus
from tuijin.tickets.models import InspectionVisit, QuietPeriod, Ticket, TicketEscalation, TicketEvent
from tuijin.users.models import User

from .factories import make_ticket

STEPS = ["tuijin.projects.demo.load_projects", "tuijin.progress.demo.load_reports", "tuijin.tickets.demo.load_tickets"]


@pytest.fixture
def demo_steps(monkeypatch):
    """Until the steps are registered in DEMO_STEPS, add them after the organisation steps for these tests."""
    missing = [step for step in STEPS if step not in core_demo.DEMO_STEPS]
    if missing:
        monkeypatch.setattr(core_demo, "DEMO_STEPS", [*core_demo.DEMO_STEPS, *missing])


def _counts():
    return (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        TicketEscalation.objects.count(),
        InspectionVisit.objects.count(),
        QuietPeriod.objects.count(),
    )


def test_demo_tickets_and_visits(db, demo_steps):
    out = StringIO()
    core_demo.run_demo_steps(out)
    assert "示例工单：" in out.getvalue() and "示例涉企检查：" in out.getvalue()

    # the 招商 ledger's demo adds the tickets of its overdue government promises (source 招商承诺超期)
    tickets = list(Ticket.objects.exclude(source=TicketSource.COMMITMENT))
    assert 38 <= len(tickets) <= 42
    assert Ticket.objects.filter(source=TicketSource.COMMITMENT).exists()
    assert set(Counter(t.status for t in tickets)) == set(TicketStatus.values)  # every state
    assert {t.source for t in tickets} >= {TicketSource.REPORT, TicketSource.ENTERPRISE, TicketSource.MEETING}
    assert Ticket.objects.filter(from_problem__isnull=False).count() >= 4
    today = timezone.localdate()
    overdue = [t for t in tickets if t.is_open and t.resolution_due < today]
    assert len(overdue) >= 6
    levels = Counter(t.escalation_level for t in tickets)
    assert all(levels[level] >= 1 for level in (1, 2, 3, 4)), levels
    assert all(t.escalation_level >= 1 for t in overdue)
    assert TicketEscalation.objects.exclude(ticket__source=TicketSource.COMMITMENT).count() == sum(
        t.escalation_level for t in tickets
    )

    qiye = User.objects.get(username="qiye")
    enterprise = qiye.memberships.get().unit
    own = [t for t in tickets if t.raised_by_id == qiye.pk]
    assert len(own) == 10 and all(t.enterprise_id == enterprise.pk for t in own)
    ratings = Counter(t.rating for t in own)
    assert ratings[Rating.SATISFIED] >= 3 and ratings[Rating.BASIC] >= 1 and ratings[Rating.UNSATISFIED] == 1
    reopened = next(t for t in own if t.rating == Rating.UNSATISFIED)
    assert reopened.status == TicketStatus.IN_PROGRESS and reopened.reopen_count == 1
    for t in tickets:  # back-dated consistently
        assert t.raised_at <= timezone.now() and t.response_due <= t.resolution_due
        if t.responded_at:
            assert t.responded_at > t.raised_at
        if t.resolved_at:
            assert t.resolved_at > t.raised_at
    assert Ticket.objects.filter(events__type="returned").exists()
    assert Ticket.objects.filter(events__type="transferred").exists()

    visits = InspectionVisit.objects.all()
    assert 13 <= visits.count() <= 17
    monthly = (
        visits.values("enterprise", "visited_on__year", "visited_on__month").annotate(n=Count("pk")).order_by("-n")
    )
    assert monthly[0]["n"] > settings.TUIJIN_VISIT_MONTHLY_LIMIT  # one enterprise over the limit in a month
    assert QuietPeriod.objects.filter(enterprise=enterprise, start__lte=today, end__gte=today).exists()
    inside = visits.filter(enterprise=enterprise, visited_on__gte=today - timedelta(days=3)).exclude(justification="")
    assert inside.exists()

    before = _counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert _counts() == before
    assert "示例工单：已存在" in out.getvalue() and "示例涉企检查：已存在" in out.getvalue()


def test_escalate_command_and_task(world):
    project = make_project(unit=world.unit_a, actor=world.office)
    ticket = make_ticket(actor=world.office, project=project, lead_unit=world.unit_a)
    later = ticket.resolution_due + timedelta(days=30)
    out = StringIO()
    call_command("escalate_tickets", "--today", later.isoformat(), stdout=out)
    assert "触发 4 级次" in out.getvalue()
    assert Ticket.objects.get(pk=ticket.pk).escalation_level == 4
    out = StringIO()
    call_command("escalate_tickets", "--today", later.isoformat(), stdout=out)
    assert "触发 0 级次" in out.getvalue()  # each level fires once
    with pytest.raises(CommandError):
        call_command("escalate_tickets", "--today", "2026-13-01")
    out = StringIO()
    call_command("escalate_tickets", "--enqueue", stdout=out)  # the immediate backend runs it at once in tests
    assert "已加入后台任务" in out.getvalue()

    from tuijin.tickets.tasks import escalate_tickets_task

    result = escalate_tickets_task.enqueue(later.isoformat())
    assert result.return_value == {"today": later.isoformat(), "fired": 0}

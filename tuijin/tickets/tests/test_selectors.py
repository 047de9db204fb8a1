"""Ticket figures on hand-built data: counts, response and resolution averages, satisfaction, blockers, escalated
lists by role, the notice's 主要问题 rows, scoping and bounded queries."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tuijin.projects.tests.factories import make_project
from tuijin.tickets import selectors
from tuijin.tickets.choices import Rating, TicketCategory, TicketStatus
from tuijin.tickets.models import Ticket

from .factories import make_ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2025, 3, 20)  # March 2025 has no public holiday: plain Monday–Friday working days


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def foreign_ticket(world, **fields) -> Ticket:
    """A ticket of the neighbouring district (out of every world user's scope)."""
    return make_ticket(
        actor=world.foreign_office, enterprise=world.foreign_enterprise, title=fields.pop("title", "邻区工单"), **fields
    )


@pytest.fixture
def data(world):
    """T1–T3 resolved and rated, T4–T6 open (T4, T6 overdue and escalated), T7 last year, T8 out of scope."""
    a = make_project(unit=world.unit_a, actor=world.office, name="甲街道选择器项目", sponsors=[world.leader_person])
    b = make_project(unit=world.unit_b, actor=world.office, name="乙街道选择器项目")

    def ticket(title, raised, responded_hours=None, resolved=None, **fields):
        fields.setdefault("resolution_due", raised + timedelta(days=21))
        return make_ticket(
            actor=world.office,
            project=fields.pop("project", a),
            title=title,
            category=fields.pop("category", TicketCategory.LAND),
            raised_at=at(raised),
            responded_at=at(raised) + timedelta(hours=responded_hours) if responded_hours is not None else None,
            resolved_at=at(resolved, 16) if resolved else None,
            response_due=raised,
            **fields,
        )

    t = {
        1: ticket(
            "T1已销号",
            date(2025, 3, 3),
            2,
            date(2025, 3, 5),
            status=TicketStatus.CLOSED,
            rating=Rating.SATISFIED,
            lead_unit=world.unit_a,
        ),
        2: ticket(
            "T2已办结",
            date(2025, 3, 3),
            4,
            date(2025, 3, 10),
            status=TicketStatus.RESOLVED,
            rating=Rating.BASIC,
            lead_unit=world.unit_a,
            category=TicketCategory.POWER,
        ),
        3: ticket(
            "T3不满意",
            date(2025, 3, 4),
            6,
            date(2025, 3, 6),
            status=TicketStatus.CLOSED,
            rating=Rating.UNSATISFIED,
            lead_unit=world.unit_b,
        ),
        4: ticket(
            "T4超期二级",
            date(2025, 3, 5),
            8,
            status=TicketStatus.IN_PROGRESS,
            lead_unit=world.unit_a,
            resolution_due=date(2025, 3, 10),
            escalation_level=2,
        ),
        5: ticket(
            "T5待受理",
            date(2025, 3, 6),
            None,
            project=b,
            resolution_due=date(2025, 4, 1),
            help_requested="请自然资源分局协调",
        ),
        6: ticket(
            "T6超期一级",
            date(2025, 3, 7),
            10,
            status=TicketStatus.ASSIGNED,
            lead_unit=world.unit_b,
            category=TicketCategory.POWER,
            resolution_due=date(2025, 3, 19),
            escalation_level=1,
        ),
        7: ticket(
            "T7去年",
            date(2024, 12, 20),
            100,
            date(2024, 12, 30),
            status=TicketStatus.CLOSED,
            rating=Rating.SATISFIED,
            lead_unit=world.unit_a,
        ),
    }
    t[8] = foreign_ticket(
        world,
        title="T8邻区",
        status=TicketStatus.IN_PROGRESS,
        escalation_level=3,
        raised_at=at(date(2025, 3, 3)),
        response_due=date(2025, 3, 3),
        resolution_due=date(2025, 3, 4),
    )
    return t


def test_figures(world, data):
    stats = selectors.ticket_stats(world.office, 2025, 3, today=TODAY)
    assert (stats.raised, stats.resolved, stats.open, stats.overdue, stats.escalated) == (6, 3, 3, 2, 2)
    assert (stats.cohort, stats.responded) == (6, 5)
    assert stats.response_hours == Decimal("6.00")  # (2 + 4 + 6 + 8 + 10) / 5 calendar hours
    assert (stats.resolved_cohort, stats.resolution_workdays) == (3, Decimal("3.00"))  # (2 + 5 + 2) / 3
    assert (stats.rated, stats.satisfied, stats.basic, stats.unsatisfied) == (3, 1, 1, 1)
    assert stats.satisfaction_display == Decimal("66.67")  # (满意 + 基本满意) / rated
    units = [(r.label, r.open, r.overdue) for r in stats.by_unit]
    assert units == [("乙街道办事处", 1, 1), ("甲街道办事处", 1, 1), ("待交办", 1, 0)]  # unit order, unassigned last
    assert [(r.key, r.open, r.overdue) for r in stats.by_category] == [("land", 2, 1), ("power", 1, 1)]
    assert [r.label for r in stats.blockers] == ["用地", "电力"]
    assert [(e.title, e.level, e.unit) for e in stats.escalated_list] == [
        ("T4超期二级", 2, "甲街道办事处"),
        ("T6超期一级", 1, "乙街道办事处"),
    ]
    assert stats.escalated_list[0].level_label == "单位主要领导" and stats.escalated_list[0].url.endswith(
        f"/tickets/{data[4].pk}/"
    )


def test_cohort_is_year_to_date(world, data):
    december = selectors.ticket_stats(world.office, 2024, 12, today=TODAY)
    assert (december.raised, december.cohort, december.response_hours) == (1, 1, Decimal("100.00"))
    assert december.resolution_workdays == Decimal("6.00")  # 2024-12-20 (Fri) → 12-30 (Mon): 6 working days
    february = selectors.ticket_stats(world.office, 2025, 2, today=TODAY)
    assert (february.cohort, february.rated, february.satisfaction_rate, february.response_hours) == (0, 0, None, None)
    assert february.open == 3  # open / overdue are a snapshot as of today


def test_dashboard_scope(world, data):
    assert selectors.ticket_stats(world.reporter_a, 2025, 3, today=TODAY).cohort == 0  # no dashboard permission
    assert selectors.dashboard_tickets(world.leader).count() > 0  # 区领导: region-wide ticket dashboard
    assert selectors.dashboard_tickets(world.norole).count() == 0


def test_escalated_for_each_role(world, data):
    def titles(user):
        return [e.title for e in selectors.escalated_for(user)]

    assert titles(world.office) == ["T4超期二级", "T6超期一级"]
    assert titles(world.leader) == ["T4超期二级", "T6超期一级"]  # 区领导: view scope, region-wide
    assert titles(world.sponsor) == ["T4超期二级", "T6超期一级"]  # both on the project the leader sponsors
    assert titles(world.reporter_a) == ["T4超期二级", "T6超期一级"]  # the project's responsible unit
    assert titles(world.reporter_b) == ["T6超期一级"]  # lead unit of T6 only
    assert titles(world.ent_user_a) == [] and titles(world.norole) == []
    assert len(selectors.escalated_for(world.office, limit=1)) == 1


def test_notice_problems(world, data):
    rows = selectors.notice_problems(world.office, 2025, 3, today=TODAY)
    by_title = {Ticket.objects.get(pk=r.ticket_pk).title: r for r in rows}
    assert set(by_title) == {"T1已销号", "T2已办结", "T3不满意", "T4超期二级", "T5待受理", "T6超期一级"}
    assert [r.category for r in rows] == ["用地", "用地", "用地", "用地", "电力", "电力"]  # category order first
    t4, t5 = by_title["T4超期二级"], by_title["T5待受理"]
    assert (t4.overdue, t4.new, t4.status, t4.unit, t4.escalation_level) == (True, True, "办理中", "甲街道办事处", 2)
    assert t4.project == "甲街道选择器项目" and t4.resolution_due == date(2025, 3, 10)
    assert (t5.overdue, t5.unit, t5.help_requested) == (False, "乙街道办事处", "请自然资源分局协调")  # project's unit
    assert by_title["T1已销号"].overdue is False
    april = selectors.notice_problems(world.office, 2025, 4, today=TODAY)
    assert {Ticket.objects.get(pk=r.ticket_pk).title for r in april} == {"T4超期二级", "T5待受理", "T6超期一级"}
    assert not any(r.new for r in april)
    february = selectors.notice_problems(world.office, 2025, 2, today=TODAY)
    assert february == []  # the open tickets were raised after February


def test_notice_rows_fit_the_notice_table(world, data):
    """Same attributes as progress.selectors.ProblemRow, so the notice can render them unchanged."""
    from tuijin.dispatch.selectors import ProblemRow

    rows = selectors.notice_problems(world.office, 2025, 3, today=TODAY)
    assert rows and all(isinstance(r, ProblemRow) for r in rows)
    own = make_ticket(actor=world.ent_user_a, title="企业自提诉求")  # no project: named by the enterprise
    today = timezone.localdate()
    row = next(r for r in selectors.notice_problems(world.office, today.year, today.month) if r.ticket_pk == own.pk)
    assert (row.project_pk, row.project, row.unit, row.new) == (0, "甲企业有限公司", "待交办", True)


def _bulk(world, n: int, start: int = 0) -> None:
    project = make_project(unit=world.unit_a, actor=world.office)
    statuses = [TicketStatus.PENDING, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED]
    categories = list(TicketCategory.values)
    for i in range(start, start + n):
        raised = date(2025, 1, 2) + timedelta(days=i % 70)
        make_ticket(
            actor=world.office,
            project=project,
            category=categories[i % len(categories)],
            status=statuses[i % 4],
            lead_unit=[world.unit_a, world.unit_b, None][i % 3],
            raised_at=at(raised),
            responded_at=at(raised, 15),
            resolved_at=at(raised + timedelta(days=i % 9 + 1), 16) if i % 4 == 3 else None,
            rating=[Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED, ""][i % 4],
            response_due=raised,
            resolution_due=raised + timedelta(days=i % 40),
            escalation_level=i % 3,
        )


def _queries(world) -> int:
    from tuijin.users.models import User

    office, leader = User.objects.get(pk=world.office.pk), User.objects.get(pk=world.leader.pk)  # no cached roles
    with CaptureQueriesContext(connection) as captured:
        selectors.ticket_stats(office, 2025, 3, today=TODAY)
        selectors.notice_problems(office, 2025, 3, today=TODAY)
        selectors.escalated_for(leader)
    return len(captured)


def test_queries_do_not_grow(world):
    _bulk(world, 5)
    small = _queries(world)
    _bulk(world, 40, start=5)
    assert _queries(world) == small <= 15  # 3 of them read the category catalogue (names and order)

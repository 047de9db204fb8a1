"""Ticket workflow: every transition and who may take it, conflicts on stale versions, the enterprise rating loop,
deadlines in working days across holidays, and escalation of overdue tickets (each level once, right people)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.notifications.models import Notification
from tuijin.projects.tests.factories import make_project
from tuijin.tickets import services
from tuijin.tickets.choices import Rating, TicketEventType, TicketSource, TicketStatus
from tuijin.tickets.models import CategorySLA, Ticket, TicketEscalation
from tuijin.workdays.services import add_workdays

from .factories import advance, make_ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10):
    """A moment on `day` in Beijing time, for time_machine (frozen: tick=False)."""
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def projects(world):
    a = make_project(
        unit=world.unit_a,
        actor=world.office,
        name="甲街道工单项目",
        owner_enterprise=world.enterprise_a,
        sponsors=[world.leader_person],
    )
    b = make_project(unit=world.unit_b, actor=world.office, name="乙街道工单项目", owner_enterprise=world.enterprise_b)
    return a, b


@pytest.fixture
def ticket(world, projects):
    return make_ticket(actor=world.reporter_a, project=projects[0])


def events(ticket) -> list[str]:
    return list(ticket.events.values_list("type", flat=True))


# --- raising ----------------------------------------------------------------------------------------------------


def test_unit_raises_for_its_project(world, projects):
    with at(date(2026, 3, 2)):
        t = make_ticket(actor=world.reporter_a, project=projects[0], source=TicketSource.MEETING)
    assert t.number == "GD202603-0001"
    assert t.status == TicketStatus.PENDING and t.raised_unit == world.unit_a and t.raised_by == world.reporter_a
    assert t.enterprise == world.enterprise_a  # the project's owner
    assert t.source == TicketSource.MEETING and events(t) == [TicketEventType.RAISED]
    with at(date(2026, 3, 3)):
        assert make_ticket(actor=world.office, enterprise=world.enterprise_b).number == "GD202603-0002"


def test_enterprise_raises_only_for_itself(world, projects):
    t = make_ticket(actor=world.ent_user_a, project=None, enterprise=world.enterprise_b, source=TicketSource.MEETING)
    assert t.enterprise == world.enterprise_a and t.source == TicketSource.ENTERPRISE and t.project is None
    assert make_ticket(actor=world.ent_user_a, project=projects[0]).enterprise == world.enterprise_a
    with pytest.raises(PermissionDenied):
        make_ticket(actor=world.ent_user_a, project=projects[1])


def test_raise_needs_project_or_enterprise_and_permission(world):
    with pytest.raises(ValidationError):
        make_ticket(actor=world.reporter_a)
    for user in (world.norole, world.sysadmin, world.auditadmin):
        with pytest.raises(PermissionDenied):
            make_ticket(actor=user, enterprise=world.enterprise_a)


def test_ticket_from_problem_once(world, projects):
    from tuijin.progress.models import ReportProblem
    from tuijin.progress.tests.factories import make_report

    report = make_report(projects[0], date(2026, 9, 1), status="submitted")
    problem = ReportProblem.objects.create(
        report=report, category="用地", description="剩余5亩未交地", help_requested="请自然资源分局协调"
    )
    t = services.ticket_from_problem(actor=world.reporter_a, problem=problem)
    assert t.source == TicketSource.REPORT and t.category == "land" and t.from_problem == problem
    assert t.project == projects[0] and t.help_requested == "请自然资源分局协调"
    assert services.ticket_from_problem(actor=world.office, problem=problem) == t
    assert Ticket.objects.count() == 1


# --- dispatching: the project office ----------------------------------------------------------------------------


def test_accept_is_office_only(world, ticket):
    for user in (world.reporter_a, world.approver_a, world.ent_user_a, world.leader, world.sponsor):
        with pytest.raises(PermissionDenied):
            services.ticket_accept(actor=user, ticket=ticket, version=ticket.version)
    t = services.ticket_accept(actor=world.office, ticket=ticket, version=ticket.version)
    assert t.status == TicketStatus.PENDING and t.responded_at is not None and t.version == 2
    assert events(t)[-1] == TicketEventType.ACCEPTED


def test_assign_sets_lead_and_co_units_and_notifies(world, ticket):
    with pytest.raises(PermissionDenied):
        services.ticket_assign(actor=world.reporter_a, ticket=ticket, version=ticket.version, lead_unit=world.unit_a)
    with pytest.raises(ValidationError):
        services.ticket_assign(actor=world.office, ticket=ticket, version=ticket.version, lead_unit=None)
    t = services.ticket_assign(
        actor=world.office,
        ticket=ticket,
        version=ticket.version,
        lead_unit=world.unit_a,
        co_units=[world.unit_b, world.unit_a],
        note="请尽快对接",
    )
    assert t.status == TicketStatus.ASSIGNED and t.lead_unit == world.unit_a and t.responded_at is not None
    assert list(t.co_units.all()) == [world.unit_b]  # the lead unit is not also a co-unit
    assert t.events.get(type=TicketEventType.ASSIGNED).data["note"] == "请尽快对接"
    notified = set(Notification.objects.filter(kind="ticket").values_list("user__username", flat=True))
    assert notified == {"reporter_a", "approver_a", "reporter_b"}  # the co-unit is told too


def test_assignment_and_transfer_notify_the_units_users(world, ticket):
    """Issue 12: a unit is told that a ticket was assigned or transferred to it (in the app and the channel)."""
    from tuijin.org.choices import Role
    from tuijin.utilities.testing.world import make_user

    make_user("reporter_b2", role=Role.UNIT_APPROVER, unit=world.unit_b)
    Notification.objects.all().delete()
    t = services.ticket_assign(
        actor=world.office, ticket=ticket, version=ticket.version, lead_unit=world.unit_a, co_units=[world.unit_b]
    )
    assigned = {n.user.username: n for n in Notification.objects.select_related("user")}
    assert set(assigned) == {"reporter_a", "approver_a", "reporter_b", "reporter_b2"}
    assert (
        assigned["reporter_a"].title == f"新交办工单：{t.title}" and assigned["reporter_a"].url == t.get_absolute_url()
    )
    assert "配合办理" in assigned["reporter_b"].title

    Notification.objects.all().delete()
    services.ticket_transfer(actor=world.office, ticket=t, version=t.version, lead_unit=world.unit_b, reason="属地")
    transferred = {n.user.username: n.title for n in Notification.objects.select_related("user")}
    assert transferred == {"reporter_b": f"转办工单：{t.title}", "reporter_b2": f"转办工单：{t.title}"}


def test_transfer_and_unresolvable_are_office_only(world, ticket):
    t = advance(ticket, TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
    with pytest.raises(PermissionDenied):
        services.ticket_transfer(
            actor=world.reporter_a, ticket=t, version=t.version, lead_unit=world.unit_b, reason="不归我们管"
        )
    with pytest.raises(ApplicationError):
        services.ticket_transfer(actor=world.office, ticket=t, version=t.version, lead_unit=world.unit_b, reason=" ")
    t = services.ticket_transfer(
        actor=world.office, ticket=t, version=t.version, lead_unit=world.unit_b, reason="属乙街道辖区"
    )
    assert t.lead_unit == world.unit_b and t.status == TicketStatus.ASSIGNED
    assert t.events.get(type=TicketEventType.TRANSFERRED).data == {
        "reason": "属乙街道辖区",
        "old": "甲街道办事处",
        "new": "乙街道办事处",
    }
    with pytest.raises(PermissionDenied):
        services.ticket_unresolvable(actor=world.reporter_b, ticket=t, version=t.version, explanation="无")
    with pytest.raises(ApplicationError):
        services.ticket_unresolvable(actor=world.office, ticket=t, version=t.version, explanation="")
    t = services.ticket_unresolvable(actor=world.office, ticket=t, version=t.version, explanation="超出区级权限")
    assert t.status == TicketStatus.UNRESOLVABLE and t.closed_at is not None
    assert Notification.objects.filter(user=world.reporter_a, title__contains="无法解决").exists()


# --- handling: the lead unit (or the office) --------------------------------------------------------------------


def test_only_the_lead_unit_handles(world, ticket):
    t = advance(ticket, TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_b)
    # reporter_a sees the ticket (its project) but its unit is not the lead unit
    with pytest.raises(PermissionDenied, match="牵头单位"):
        services.ticket_start(actor=world.reporter_a, ticket=t, version=t.version)
    for user in (world.ent_user_a, world.leader, world.sponsor):
        with pytest.raises(PermissionDenied):
            services.ticket_start(actor=user, ticket=t, version=t.version)
    t = services.ticket_start(actor=world.reporter_b, ticket=t, version=t.version)
    assert t.status == TicketStatus.IN_PROGRESS
    t = services.ticket_progress(actor=world.office, ticket=t, version=t.version, note="项目办督办")  # office may act
    assert t.events.filter(type=TicketEventType.PROGRESS).count() == 1


def test_progress_resolve_need_text_and_resolve_notifies_raiser(world, ticket):
    t = advance(ticket, TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
    with pytest.raises(ApplicationError):
        services.ticket_progress(actor=world.approver_a, ticket=t, version=t.version, note="  ")
    t = services.ticket_progress(actor=world.approver_a, ticket=t, version=t.version, note="已对接自然资源分局")
    assert t.status == TicketStatus.IN_PROGRESS
    with pytest.raises(ApplicationError):
        services.ticket_resolve(actor=world.approver_a, ticket=t, version=t.version, result="")
    t = services.ticket_resolve(actor=world.approver_a, ticket=t, version=t.version, result="已完成交地")
    assert t.status == TicketStatus.RESOLVED and t.result == "已完成交地" and t.resolved_at is not None
    assert Notification.objects.filter(user=world.reporter_a, title__contains="已办结").exists()


def test_return_to_office(world, ticket):
    t = advance(ticket, TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
    t.co_units.set([world.unit_b])
    with pytest.raises(PermissionDenied):
        services.ticket_return(actor=world.ent_user_a, ticket=t, version=t.version, reason="x")
    with pytest.raises(ApplicationError):
        services.ticket_return(actor=world.reporter_a, ticket=t, version=t.version, reason="")
    t = services.ticket_return(actor=world.reporter_a, ticket=t, version=t.version, reason="非本单位职责")
    assert t.status == TicketStatus.PENDING and t.lead_unit is None and not t.co_units.exists()
    assert t.events.get(type=TicketEventType.RETURNED).data["reason"] == "非本单位职责"


def test_close_by_raiser_or_office_only(world, projects):
    raised_by_unit = make_ticket(actor=world.reporter_a, project=projects[0])
    t = advance(raised_by_unit, TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a)
    with pytest.raises(PermissionDenied):  # same unit, not the raiser, no 销号 permission
        services.ticket_close(actor=world.approver_a, ticket=t, version=t.version)
    with pytest.raises(PermissionDenied):
        services.ticket_close(actor=world.ent_user_a, ticket=t, version=t.version)
    t = services.ticket_close(actor=world.reporter_a, ticket=t, version=t.version)
    assert t.status == TicketStatus.CLOSED and t.closed_at is not None

    office_closes = advance(
        make_ticket(actor=world.reporter_a, project=projects[0]),
        TicketStatus.RESOLVED,
        office=world.office,
        lead_unit=world.unit_a,
    )
    assert services.ticket_close(actor=world.office, ticket=office_closes, version=office_closes.version).closed_at

    by_enterprise = advance(
        make_ticket(actor=world.ent_user_a, enterprise=world.enterprise_a),
        TicketStatus.RESOLVED,
        office=world.office,
        lead_unit=world.unit_a,
    )
    t = services.ticket_close(actor=world.ent_user_a, ticket=by_enterprise, version=by_enterprise.version)
    assert t.status == TicketStatus.CLOSED


# --- the enterprise's rating ------------------------------------------------------------------------------------


@pytest.fixture
def resolved(world):
    t = make_ticket(actor=world.ent_user_a, enterprise=world.enterprise_a, title="用电增容")
    return advance(t, TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a, handler=world.reporter_a)


def test_unsatisfied_rating_reopens(world, resolved):
    Notification.objects.all().delete()
    with pytest.raises(ApplicationError):  # 不满意 needs a reason
        services.ticket_rate(
            actor=world.ent_user_a, ticket=resolved, version=resolved.version, rating=Rating.UNSATISFIED
        )
    t = services.ticket_rate(
        actor=world.ent_user_a,
        ticket=resolved,
        version=resolved.version,
        rating=Rating.UNSATISFIED,
        comment="变压器仍未安装",
    )
    assert t.status == TicketStatus.IN_PROGRESS and t.reopen_count == 1 and t.closed_at is None
    assert t.rating == Rating.UNSATISFIED and t.rating_comment == "变压器仍未安装"
    assert events(t)[-2:] == [TicketEventType.RATED, TicketEventType.REOPENED]
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"reporter_a", "approver_a"}
    # resolved again, then rated again
    t = services.ticket_resolve(actor=world.reporter_a, ticket=t, version=t.version, result="已安装")
    t = services.ticket_rate(actor=world.ent_user_a, ticket=t, version=t.version, rating=Rating.SATISFIED)
    assert t.status == TicketStatus.RESOLVED and t.reopen_count == 1 and t.rating == Rating.SATISFIED


def test_satisfied_rating_keeps_status(world, resolved):
    t = services.ticket_rate(actor=world.ent_user_a, ticket=resolved, version=resolved.version, rating=Rating.BASIC)
    assert t.status == TicketStatus.RESOLVED and t.reopen_count == 0 and t.rating == Rating.BASIC
    t = services.ticket_close(actor=world.office, ticket=t, version=t.version)
    t = services.ticket_rate(actor=world.ent_user_a, ticket=t, version=t.version, rating=Rating.SATISFIED, comment="好")
    assert t.status == TicketStatus.CLOSED and t.closed_at is not None and t.rating_comment == "好"
    assert events(t).count(TicketEventType.RATED) == 2 and TicketEventType.REOPENED not in events(t)


def test_only_the_enterprise_rates(world, resolved):
    for user in (world.reporter_a, world.office, world.leader):  # no rating permission
        with pytest.raises(PermissionDenied):
            services.ticket_rate(actor=user, ticket=resolved, version=resolved.version, rating=Rating.SATISFIED)
    with pytest.raises(PermissionDenied, match="范围"):  # another enterprise
        services.ticket_rate(actor=world.ent_user_b, ticket=resolved, version=resolved.version, rating=Rating.SATISFIED)
    with pytest.raises(ValidationError):
        services.ticket_rate(actor=world.ent_user_a, ticket=resolved, version=resolved.version, rating="great")


def test_cannot_rate_an_open_ticket(world):
    t = make_ticket(actor=world.ent_user_a, enterprise=world.enterprise_a)
    with pytest.raises(ConflictError):
        services.ticket_rate(actor=world.ent_user_a, ticket=t, version=t.version, rating=Rating.SATISFIED)


# --- conflicts --------------------------------------------------------------------------------------------------


def test_stale_version_is_a_conflict(world, ticket):
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_assign(actor=world.office, ticket=ticket, version=ticket.version, lead_unit=world.unit_a)
    with pytest.raises(ConflictError, match="刚被他人处理") as info:
        services.ticket_assign(actor=world.office, ticket=stale, version=stale.version, lead_unit=world.unit_b)
    assert info.value.current.lead_unit == world.unit_a
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.lead_unit == world.unit_a and fresh.version == 2
    assert fresh.events.filter(type=TicketEventType.ASSIGNED).count() == 1


def test_wrong_status_is_a_conflict(world, ticket):
    with pytest.raises(ConflictError):  # not assigned yet
        services.ticket_start(actor=world.office, ticket=ticket, version=ticket.version)
    with pytest.raises(ConflictError):  # not resolved yet
        services.ticket_close(actor=world.office, ticket=ticket, version=ticket.version)
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


# --- deadlines in working days ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "response", "resolution"),
    [
        (date(2024, 9, 30), date(2024, 10, 8), date(2024, 10, 25)),  # National Day 10-1..7, 10-12 a make-up workday
        (date(2024, 2, 9), date(2024, 2, 18), date(2024, 3, 7)),  # Spring Festival 2-10..17, 2-18 (Sun) a workday
        (date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 24)),  # an ordinary month
    ],
)
def test_deadlines_across_holidays(world, raised, response, resolution):
    with at(raised):
        t = make_ticket(actor=world.office, enterprise=world.enterprise_a)
    assert (t.response_due, t.resolution_due) == (response, resolution)


def test_category_sla(world):
    CategorySLA.objects.filter(category="power").update(resolution_days=5)  # the seeded row (migration 0004)
    with at(date(2024, 9, 30)):
        power = make_ticket(actor=world.office, enterprise=world.enterprise_a, category="power")
        land = make_ticket(actor=world.office, enterprise=world.enterprise_a, category="land")
    assert power.resolution_due == date(2024, 10, 12)  # the Saturday make-up workday
    assert land.resolution_due == date(2024, 10, 25)  # the seeded default: 15 working days


# --- escalation of overdue tickets ------------------------------------------------------------------------------


def _notified(level: int) -> set[str]:
    return set(
        Notification.objects.filter(kind="ticket", title__contains=f"第{level}级").values_list(
            "user__username", flat=True
        )
    )


def test_escalation_levels_fire_once_each(world, projects, settings):
    settings.TUIJIN_TICKET_ESCALATION_STEP_DAYS = 3
    with at(date(2025, 3, 3)):
        t = make_ticket(actor=world.ent_user_a, project=projects[0])
        t = advance(t, TicketStatus.IN_PROGRESS, office=world.office, lead_unit=world.unit_a)
    due = t.resolution_due
    assert due == date(2025, 3, 24)

    with at(due, 23):
        assert services.escalate_overdue() == 0  # due today: not overdue yet
    expected = {
        1: {"approver_a"},  # the lead unit's approver (分管领导)
        2: {"approver_a", "office"},  # the unit's head and the project office
        3: {"sponsor"},  # the project's 包联县级领导
        4: {"leader", "office"},  # the district's principal leaders
    }
    for level in (1, 2, 3, 4):
        day = add_workdays(due, 1 + (level - 1) * 3)
        with at(add_workdays(due, (level - 1) * 3), 23):  # the working day before it is due
            services.escalate_overdue()
            assert TicketEscalation.objects.filter(ticket=t).count() == level - 1  # the day before: nothing new
        with at(day):
            assert services.escalate_overdue() == 1
            assert services.escalate_overdue() == 0  # run again at the same time: nothing fires twice
            assert services.escalate_overdue() == 0
        t.refresh_from_db()
        assert t.escalation_level == level
        assert list(TicketEscalation.objects.filter(ticket=t).values_list("level", flat=True)) == list(
            range(1, level + 1)
        )
        assert _notified(level) == expected[level], level
        escalation = TicketEscalation.objects.get(ticket=t, level=level)
        assert sorted(escalation.notified) == sorted(getattr(world, name).pk for name in expected[level])
    with at(add_workdays(due, 30)):
        assert services.escalate_overdue() == 0  # level 4 is the highest
    assert TicketEscalation.objects.filter(ticket=t).count() == 4
    assert t.events.filter(type=TicketEventType.ESCALATED).count() == 4


def test_escalation_catches_up_once_and_skips_finished_tickets(world, projects):
    with at(date(2025, 3, 3)):
        late = make_ticket(actor=world.reporter_a, project=projects[0])
        late = advance(late, TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
        done = advance(
            make_ticket(actor=world.reporter_a, project=projects[0]),
            TicketStatus.RESOLVED,
            office=world.office,
            lead_unit=world.unit_a,
        )
        no_project = make_ticket(actor=world.ent_user_a, enterprise=world.enterprise_a)  # pending, no lead unit
    with at(add_workdays(late.resolution_due, 10)):
        assert services.escalate_overdue() == 8  # L1–L4 for each open ticket, at once
        assert services.escalate_overdue() == 0
    assert not TicketEscalation.objects.filter(ticket=done).exists()
    assert Ticket.objects.get(pk=late.pk).escalation_level == 4
    assert set(TicketEscalation.objects.filter(ticket=no_project).values_list("level", flat=True)) == {1, 2, 3, 4}
    # without a project there is no 包联领导: level 3 goes to the project office; level 4 reaches the district
    assert TicketEscalation.objects.get(ticket=no_project, level=3).notified == [world.office.pk]

    assert TicketEscalation.objects.get(ticket=no_project, level=4).notified


def test_sponsor_sees_escalated_ticket(world, projects):
    t = make_ticket(actor=world.reporter_a, project=projects[0])
    assert Ticket.objects.restrict(world.sponsor, "view").filter(pk=t.pk).exists()
    other = make_ticket(actor=world.reporter_b, project=projects[1])
    assert not Ticket.objects.restrict(world.sponsor, "view").filter(pk=other.pk).exists()


# --- isolation between enterprises ------------------------------------------------------------------------------


def test_enterprises_see_only_their_own_tickets(world, projects):
    mine = make_ticket(actor=world.ent_user_a, enterprise=world.enterprise_a)
    about_my_project = make_ticket(actor=world.reporter_a, project=projects[0])
    theirs = make_ticket(actor=world.ent_user_b, enterprise=world.enterprise_b)
    their_project = make_ticket(actor=world.reporter_b, project=projects[1])
    visible = set(Ticket.objects.restrict(world.ent_user_a, "view"))
    assert visible == {mine, about_my_project}
    assert set(Ticket.objects.restrict(world.ent_user_b, "view")) == {theirs, their_project}

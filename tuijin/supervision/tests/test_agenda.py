"""The 调度会 agenda: each section holds exactly the rows its source counts (red lights, overdue tickets, overdue
督办 tasks, overdue government promises, units behind the 序时进度), only within the user's scope; the text is
numbered; the number of queries does not grow with the rows."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from tuijin.dispatch import warnings
from tuijin.dispatch.schedule import span_label
from tuijin.investment.choices import CommitmentSide, CommitmentState, CommitmentStatus
from tuijin.investment.models import Commitment
from tuijin.investment.tests.factories import advance, make_lead
from tuijin.org.models import OrgUnit
from tuijin.progress.choices import LightColor
from tuijin.progress.models import ProgressReport, WarningLight, WarningRule
from tuijin.progress.services import period_for_reporting
from tuijin.projects.models import AnnualPlan, Project
from tuijin.supervision.agenda import SECTION_LIMIT, assemble_dispatch_agenda
from tuijin.supervision.choices import TaskSource, TaskStatus
from tuijin.supervision.models import Task
from tuijin.tickets.choices import TicketStatus
from tuijin.tickets.tests.factories import make_ticket
from tuijin.workdays.services import workdays_between

D = Decimal
TODAY = timezone.localdate()
PERIOD = period_for_reporting(TODAY)
KEYS = ["red_lights", "overdue_tickets", "overdue_tasks", "overdue_promises", "below_pace"]


def _project(unit, name, *, invested: Decimal | None, light: str | None, rule) -> Project:
    """A project of the annual list with a plan of 100 万元, `invested` this period, and a light of `light`."""
    project = Project.objects.create(name=name, owner_name="x", total_investment=D(1000), responsible_unit=unit)
    AnnualPlan.objects.create(project=project, year=PERIOD.year, planned_investment=D(100))
    if invested is not None:
        ProgressReport.objects.create(
            project=project, period=PERIOD, status="submitted", month_investment=invested, construction_install=invested
        )
    if light is not None:
        WarningLight.objects.create(project=project, period=PERIOD, rule=rule, color=light, explanation=f"{name}的原因")
    return project


_task_seq = iter(range(1, 1000))


def _task(world, unit, title, deadline, **fields) -> Task:
    assigned = min(deadline, TODAY) - timedelta(days=30)
    return Task.objects.create(
        number=f"DB{TODAY:%Y}-{next(_task_seq):04d}",
        title=title,
        content="按期办结",
        source=TaskSource.INSTRUCTION,
        responsible_unit=unit,
        assigned_on=assigned,
        deadline=deadline,
        created_by=world.office,
        **fields,
    )


def _promise(lead, unit, content, due, **fields) -> Commitment:
    data = {
        "state": CommitmentState.SIGNED,
        "status": CommitmentStatus.NOT_MET,
        "side": CommitmentSide.GOVERNMENT,
        "category": "land",
    }
    data.update(fields)
    return Commitment.objects.create(lead=lead, content=content, due_date=due, responsible_unit=unit, **data)


@pytest.fixture
def scene(world):
    OrgUnit.objects.filter(pk=world.unit_a.pk).update(sort_order=1)
    OrgUnit.objects.filter(pk=world.unit_b.pk).update(sort_order=2)
    rule = WarningRule.objects.filter(is_active=True).order_by("sort_order").first()
    # unit A: 1 of 200 万元 done (0.50%), always behind the schedule; unit B: 100 of 100 (never behind)
    red_a = _project(world.unit_a, "甲红灯项目", invested=D(1), light=LightColor.RED, rule=rule)
    green_a = _project(world.unit_a, "甲绿灯项目", invested=None, light=LightColor.GREEN, rule=rule)
    red_b = _project(world.unit_b, "乙红灯项目", invested=D(100), light=LightColor.RED, rule=rule)
    _project(world.foreign_unit, "邻区红灯项目", invested=D(1), light=LightColor.RED, rule=rule)
    warnings.light_resync(PERIOD)  # lights written directly: their facts rows follow

    ticket_a = make_ticket(
        actor=world.reporter_a,
        project=red_a,
        title="甲超期工单",
        lead_unit=world.unit_a,
        status=TicketStatus.ASSIGNED,
        response_due=TODAY - timedelta(days=20),
        resolution_due=TODAY - timedelta(days=10),
    )
    make_ticket(
        actor=world.reporter_a, project=green_a, title="甲未超期工单", resolution_due=TODAY + timedelta(days=30)
    )
    make_ticket(
        actor=world.reporter_a,
        project=green_a,
        title="甲今天到期工单",
        response_due=TODAY - timedelta(days=2),
        resolution_due=TODAY,
    )
    ticket_b = make_ticket(
        actor=world.reporter_b,
        project=red_b,
        title="乙超期工单",
        lead_unit=world.unit_b,
        status=TicketStatus.ASSIGNED,
        response_due=TODAY - timedelta(days=20),
        resolution_due=TODAY - timedelta(days=1),
    )

    task_a = _task(world, world.unit_a, "甲超期督办事项", TODAY - timedelta(days=3), leader=world.leader_person)
    _task(world, world.unit_a, "甲明天到期事项", TODAY + timedelta(days=1))
    _task(world, world.unit_a, "甲今天到期事项", TODAY)  # due today: not yet overdue
    _task(world, world.unit_a, "甲已办结事项", TODAY - timedelta(days=5), status=TaskStatus.DONE, finished_on=TODAY)
    _task(world, world.unit_a, "甲已撤销事项", TODAY - timedelta(days=5), status=TaskStatus.CANCELLED)
    task_b = _task(world, world.unit_b, "乙超期督办事项", TODAY - timedelta(days=8), status=TaskStatus.REVIEW)

    lead_a = advance(
        make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲招商项目"),
        "signed",
        actor=world.reporter_a,
        reviewer=world.office,
    )
    lead_b = advance(
        make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙招商项目"),
        "signed",
        actor=world.reporter_b,
        reviewer=world.office,
    )
    promise_a = _promise(lead_a, world.unit_a, "交付净地80亩", TODAY - timedelta(days=5))
    _promise(
        lead_a,
        world.unit_a,
        "已兑现的奖补",
        TODAY - timedelta(days=5),
        status=CommitmentStatus.FULFILLED,
        fulfilled_on=TODAY - timedelta(days=6),
    )
    _promise(lead_a, world.unit_a, "尚未到期的配套", TODAY + timedelta(days=5))
    _promise(lead_a, world.unit_a, "今天到期的代办", TODAY)
    _promise(lead_a, world.unit_a, "草拟的承诺", TODAY - timedelta(days=5), state=CommitmentState.DRAFT)
    _promise(lead_a, None, "企业的投资承诺", TODAY - timedelta(days=5), side=CommitmentSide.INVESTOR, category="capex")
    promise_b = _promise(lead_b, world.unit_b, "修通进场道路", TODAY - timedelta(days=9))
    return {
        "red_a": red_a,
        "red_b": red_b,
        "ticket_a": ticket_a,
        "ticket_b": ticket_b,
        "task_a": task_a,
        "task_b": task_b,
        "promise_a": promise_a,
        "promise_b": promise_b,
    }


def _texts(agenda, key):
    return [item.text for item in agenda.section(key).items]


def _schedule() -> Decimal:
    """序时进度 without a district schedule: month ÷ 12, in %, shown to two places."""
    return (D(PERIOD.month) * 100 / 12).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def _pace_text(schedule: Decimal) -> str:
    gap = schedule - D("0.50")
    return f"甲街道办事处：完成年度计划 0.50%，低于序时进度 ({schedule}%) {gap} 个百分点"


def _late(due) -> int:
    return workdays_between(due, TODAY)


def test_office_sees_the_district(world, scene):
    agenda = assemble_dispatch_agenda(world.office, TODAY)
    assert [s.key for s in agenda.sections] == KEYS
    assert _texts(agenda, "red_lights") == [
        f"甲红灯项目（甲街道办事处）：{scene['red_a'].lights.get().rule.name}：甲红灯项目的原因",
        f"乙红灯项目（乙街道办事处）：{scene['red_b'].lights.get().rule.name}：乙红灯项目的原因",
    ]
    assert agenda.section("red_lights").items[0].url == scene["red_a"].get_absolute_url()

    ticket_a, ticket_b = scene["ticket_a"], scene["ticket_b"]
    assert [i.detail for i in agenda.section("overdue_tickets").items] == [
        f"办结时限 {ticket_a.resolution_due}，已超期 {_late(ticket_a.resolution_due)} 个工作日",
        f"办结时限 {ticket_b.resolution_due}，已超期 {_late(ticket_b.resolution_due)} 个工作日",
    ]
    assert [t.split(" — ")[0] for t in _texts(agenda, "overdue_tickets")] == [
        f"{ticket_a.number} 甲超期工单（甲红灯项目）",
        f"{ticket_b.number} 乙超期工单（乙红灯项目）",
    ]

    task_a, task_b = scene["task_a"], scene["task_b"]
    assert _texts(agenda, "overdue_tasks") == [
        f"{task_b.number} 乙超期督办事项 — 责任单位：乙街道办事处，办结时限 {task_b.deadline}，"
        f"已超期 {_late(task_b.deadline)} 个工作日",
        f"{task_a.number} 甲超期督办事项 — 责任单位：甲街道办事处，办结时限 {task_a.deadline}，"
        f"已超期 {_late(task_a.deadline)} 个工作日，分管领导：测试副区长",
    ]

    assert _texts(agenda, "overdue_promises") == [
        f"乙招商项目：修通进场道路 — 责任单位：乙街道办事处，计划兑现时间 {scene['promise_b'].due_date}，"
        "状态：未达条件",
        f"甲招商项目：交付净地80亩 — 责任单位：甲街道办事处，计划兑现时间 {scene['promise_a'].due_date}，"
        "状态：未达条件",
    ]

    assert _texts(agenda, "below_pace") == [_pace_text(_schedule())]
    assert agenda.section("below_pace").items[0].unit == "甲街道办事处"
    assert [s.total for s in agenda.sections] == [2, 2, 2, 2, 1]


def test_unit_user_sees_only_its_own_unit(world, scene):
    agenda = assemble_dispatch_agenda(world.reporter_a, TODAY)
    assert [item.unit for s in agenda.sections for item in s.items] == ["甲街道办事处"] * 5
    assert [s.total for s in agenda.sections] == [1, 1, 1, 1, 1]
    text = agenda.as_text()
    for absent in (
        "乙",
        "邻区",
        "甲绿灯项目",
        "甲未超期工单",
        "甲明天到期事项",
        "已兑现",
        "尚未到期",
        "草拟",
        "企业的",
    ):
        assert absent not in text


def test_without_permissions_every_section_is_empty(world, scene):
    agenda = assemble_dispatch_agenda(world.norole, TODAY)
    assert [s.total for s in agenda.sections] == [0] * 5
    assert agenda.as_text().splitlines()[1] == "（无待调度事项）"
    foreign = assemble_dispatch_agenda(world.foreign_office, TODAY)
    assert _texts(foreign, "red_lights") == [
        f"邻区红灯项目（邻区发改委）：{WarningRule.objects.filter(is_active=True).order_by('sort_order').first().name}：邻区红灯项目的原因"
    ]
    assert foreign.section("overdue_tickets").total == foreign.section("overdue_tasks").total == 0


def test_as_text_numbers_sections_and_items(world, scene):
    lines = assemble_dispatch_agenda(world.office, TODAY).as_text().splitlines()
    assert lines[0] == f"调度会议程（{TODAY.year}年{TODAY.month}月{TODAY.day}日）"
    headings = [line for line in lines if line[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert headings == [
        f"一、红灯项目（{PERIOD.year}年{PERIOD.month}月）（2 项）",
        "二、超期未办结的协调工单（2 项）",
        "三、超期的督办事项（2 项）",
        "四、超期未兑现的政府承诺（2 项）",
        f"五、低于序时进度的单位（{PERIOD.year}年{span_label(PERIOD.month)}）（1 项）",
    ]
    first = lines.index(headings[0])
    assert lines[first + 1].startswith("1. 甲红灯项目") and lines[first + 2].startswith("2. 乙红灯项目")
    assert lines[lines.index(headings[4]) + 1] == "1. " + _pace_text(_schedule())


def test_a_section_is_capped_and_says_how_many_more(world, scene):
    for n in range(SECTION_LIMIT + 3):
        _task(world, world.unit_b, f"批量超期事项{n:02d}", TODAY - timedelta(days=60))
    agenda = assemble_dispatch_agenda(world.office, TODAY)
    section = agenda.section("overdue_tasks")
    assert section.total == SECTION_LIMIT + 5 and len(section.items) == SECTION_LIMIT
    assert "另有 5 项" in agenda.as_text().splitlines()


def test_queries_do_not_grow_with_rows(world, scene, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        assemble_dispatch_agenda(world.office, TODAY)
    rule = WarningRule.objects.filter(is_active=True).order_by("sort_order").first()
    for n in range(6):
        project = _project(world.unit_b, f"乙新增红灯{n}", invested=D(100), light=LightColor.RED, rule=rule)
        make_ticket(
            actor=world.reporter_b,
            project=project,
            response_due=TODAY - timedelta(days=9),
            resolution_due=TODAY - timedelta(days=5),
        )
        _task(world, world.unit_b, f"乙新增超期{n}", TODAY - timedelta(days=4), leader=world.leader_person)
        lead = advance(
            make_lead(actor=world.reporter_b, unit=world.unit_b),
            "signed",
            actor=world.reporter_b,
            reviewer=world.office,
        )
        _promise(lead, world.unit_b, f"新增承诺{n}", TODAY - timedelta(days=2))
    warnings.light_resync(PERIOD)
    with django_assert_max_num_queries(len(before.captured_queries)):
        agenda = assemble_dispatch_agenda(world.office, TODAY)
    assert [s.total for s in agenda.sections] == [8, 8, 8, 8, 1]
    assert len(before.captured_queries) <= 30

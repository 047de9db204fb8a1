"""Demo tickets and the 不叫不到 inspection registry (tuijin.tickets.demo.load_tickets, run by `tuijin load_demo`).

About 40 coordination tickets in every state, written through the real services (numbers, deadlines in working
days, timeline, notifications): some from problems raised in the demo monthly reports (ticket_from_problem), some
raised by the project office, a 包联领导 and unit reporters, and ten raised by the demo enterprise account `qiye`
(rated, one unsatisfied and reopened for a return visit). Dates are then moved back with update() so that response
and resolution times vary and some open tickets are past their deadline (nothing is dated after now), each ticket is
numbered by the month it was raised, and `escalate_overdue` fires their escalation levels (1–4). Then about 15
inspection visits (one enterprise over TUIJIN_VISIT_MONTHLY_LIMIT in a month, one visit inside a quiet period with a
justification) and a quiet period declared by `qiye`'s enterprise.

Idempotent: each part is skipped when its demo rows exist (tickets raised by, visits registered by, demo accounts;
a quiet period of qiye's enterprise). Needs the org, accounts, projects and reports demo steps before it.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from tuijin.org.choices import Role
from tuijin.org.models import Membership, OrgUnit
from tuijin.projects.models import Project

from . import services
from .choices import Rating, TicketCategory, TicketSource, TicketStatus
from .models import CategorySLA, InspectionVisit, QuietPeriod, Ticket, TicketEvent

__all__ = ["load_tickets"]

ASSETS = "新乡市自然资源和规划局红旗分局"
ECOLOGY = "新乡市生态环境局红旗分局"
# The lead unit a category usually goes to (names of tuijin.org.demo units); None: the project's responsible unit.
LEAD_FOR_CATEGORY: dict[str, str | None] = {
    TicketCategory.LAND: ASSETS,
    TicketCategory.PLANNING: ASSETS,
    TicketCategory.EIA: ECOLOGY,
    TicketCategory.ENERGY: "区发展和改革委员会",
    TicketCategory.WATER: "区城市管理局",
    TicketCategory.POWER: "区住房和城乡建设局",
    TicketCategory.GAS: "区城市管理局",
    TicketCategory.HEAT: "区城市管理局",
    TicketCategory.TELECOM: "区工业和信息化局",
    TicketCategory.FINANCE: "区财政局",
    TicketCategory.LABOUR: "区工业和信息化局",
    TicketCategory.APPROVAL: "区优化营商环境服务中心",
    TicketCategory.DEMOLITION: None,
    TicketCategory.POLICY: "区商务局",
    TicketCategory.OTHER: None,
}
# (category, title, description, help requested)
PROBLEMS = [
    (
        TicketCategory.LAND,
        "二期用地未完成交地",
        "二期约15亩用地尚未完成交地，影响厂房基础施工。",
        "请自然资源红旗分局加快组卷报批和交地。",
    ),
    (
        TicketCategory.POWER,
        "专线接入进度慢",
        "10千伏专线接入方案已批复，但施工排期在两个月后，设备无法按期调试。",
        "请协调供电公司提前排期。",
    ),
    (
        TicketCategory.FINANCE,
        "项目贷款放款慢",
        "合作银行授信已批，放款进度不足计划的一半，工程款支付紧张。",
        "请金融办协调加快放款。",
    ),
    (
        TicketCategory.APPROVAL,
        "施工许可办理卡在图审",
        "施工图审查意见往返三次，施工许可证迟迟不能办理。",
        "请组织联合会审，一次性告知修改意见。",
    ),
    (
        TicketCategory.DEMOLITION,
        "红线内3户未完成拆迁",
        "项目红线内仍有3户未签协议，影响场地平整。",
        "请属地街道加大工作力度。",
    ),
    (
        TicketCategory.EIA,
        "环评批复前置条件不明确",
        "环评报告书技术评估提出补充监测，周期不确定。",
        "请生态环境分局明确补充监测要求和时限。",
    ),
    (
        TicketCategory.WATER,
        "施工用水压力不足",
        "临时施工用水管径偏小，混凝土养护用水不足。",
        "请协调水务公司扩容临时管线。",
    ),
    (
        TicketCategory.GAS,
        "燃气管道迁改未启动",
        "场地内原有中压燃气管道需迁改，燃气公司尚未出具方案。",
        "请城管局督促燃气公司出具迁改方案。",
    ),
    (
        TicketCategory.LABOUR,
        "技术工人招聘难",
        "光电器件产线缺少熟练技术工人约40名。",
        "请协调高校和职业院校开展订单式培训。",
    ),
    (TicketCategory.POLICY, "设备补贴兑现慢", "去年技改设备补贴已公示，资金尚未拨付。", "请商务局、财政局加快兑现。"),
    (TicketCategory.PLANNING, "规划条件调整", "因工艺调整，需对容积率指标进行论证调整。", "请规划部门指导论证程序。"),
    (TicketCategory.TELECOM, "园区5G信号覆盖不足", "厂区内5G信号弱，影响智能产线联调。", "请协调运营商补建基站。"),
    (TicketCategory.HEAT, "冬季供暖接入", "新建研发楼冬季供暖管网未接入。", "请协调热力公司年内接入。"),
    (TicketCategory.ENERGY, "节能审查意见待出具", "节能报告已提交一个月，审查意见尚未出具。", "请发改委加快节能审查。"),
    (TicketCategory.OTHER, "周边道路施工影响运输", "项目东侧道路封闭施工，大型设备无法进场。", "请协调临时通行方案。"),
    (TicketCategory.FINANCE, "专项债资金拨付", "专项债资金已下达，项目单位尚未收到首笔拨付。", "请财政局按进度拨付。"),
]
ENTERPRISE_REQUESTS = [
    (TicketCategory.POWER, "申请增容变压器", "新产线投产需增容一台2000千伏安变压器。", "请协助对接供电公司办理增容。"),
    (TicketCategory.LABOUR, "高层次人才落户", "引进的两名博士需办理落户和子女入学。", "请协调人才服务窗口一站式办理。"),
    (TicketCategory.POLICY, "研发费用补助申报", "不清楚今年研发费用后补助的申报条件和时间。", "请科技局上门辅导申报。"),
    (TicketCategory.FINANCE, "流动资金贷款", "订单增加，需流动资金贷款约3000万元。", "请推荐合作银行并协调贴息政策。"),
    (
        TicketCategory.APPROVAL,
        "消防验收预约",
        "新厂房已具备消防验收条件，预约排期较长。",
        "请协调住建部门尽快安排验收。",
    ),
    (TicketCategory.WATER, "污水管网接入", "厂区污水需接入市政管网，接口位置不明确。", "请城管局明确接入点。"),
    (TicketCategory.OTHER, "厂区周边路灯不亮", "厂区门前道路路灯损坏，夜间下班员工出行不便。", "请城管局维修。"),
    (TicketCategory.TELECOM, "工业互联网专线", "需申请工业互联网专线，运营商报价过高。", "请工信局协调优惠政策。"),
    (TicketCategory.LAND, "厂区边角地使用", "厂区北侧约2亩边角地，希望依法办理使用手续。", "请自然资源分局指导办理。"),
    (TicketCategory.POLICY, "稳岗补贴", "今年稳岗补贴申报后未见结果。", "请人社部门告知进度。"),
]
RESULTS = [
    "已现场协调，相关单位明确了时间表并已落实。",
    "经联合会商，问题已解决，企业已确认。",
    "已完成审批，相关文书已送达企业。",
    "已协调到位，后续由属地持续跟踪。",
]
VISIT_PURPOSES = [
    ("安全生产检查", "《中华人民共和国安全生产法》第六十五条"),
    ("消防安全检查", "《中华人民共和国消防法》第五十三条"),
    ("环保执法检查", "《中华人民共和国环境保护法》第二十四条"),
    ("统计执法检查", "《中华人民共和国统计法》第三十五条"),
    ("特种设备安全检查", "《中华人民共和国特种设备安全法》第五十七条"),
    ("走访服务（企业邀请）", "企业来函邀请"),
]
VISITORS = ["王建国、李明", "赵磊、孙丽", "周强、吴敏", "郑涛、冯静", "陈伟、褚红"]


@dataclass
class _Plan:
    """One demo ticket: how far through the workflow it goes and how old / overdue it is."""

    state: str  # pending | accepted | assigned | in_progress | resolved | closed | unresolvable | reopened
    overdue: int = 0  # working days past the resolution deadline (0: not overdue)
    rating: str = ""
    returned: bool = False  # returned once by a wrong lead unit, then re-assigned
    transferred: bool = False
    lead: str = ""  # the lead unit's name, instead of the category's usual one (the demo reporter's unit)


DEMO_REPORTER_UNIT = "西街街道"  # the unit of the demo reporter `xijie`: its 待我处理 has tickets to take up

# Office, leader and unit tickets (24), report problems (6), enterprise requests (10): 40 in all.
OFFICE_PLANS = [
    _Plan("pending"),
    _Plan("accepted"),
    _Plan("pending", overdue=2),
    _Plan("assigned", lead=DEMO_REPORTER_UNIT),
    _Plan("assigned", returned=True),
    _Plan("assigned", transferred=True),
    _Plan("assigned", overdue=2),
    _Plan("assigned", overdue=5),
    _Plan("in_progress"),
    _Plan("in_progress"),
    _Plan("in_progress"),
    _Plan("in_progress"),
    _Plan("in_progress", overdue=5, lead=DEMO_REPORTER_UNIT),
    _Plan("in_progress", overdue=8),
    _Plan("in_progress", overdue=11),
    _Plan("resolved"),
    _Plan("resolved"),
    _Plan("resolved"),
    _Plan("closed"),
    _Plan("closed"),
    _Plan("closed"),
    _Plan("closed"),
    _Plan("unresolvable"),
    _Plan("unresolvable"),
]
PROBLEM_PLANS = [
    _Plan("pending"),
    _Plan("pending"),
    _Plan("assigned"),
    _Plan("assigned"),
    _Plan("in_progress", overdue=5),
    _Plan("closed"),
]
ENTERPRISE_PLANS = [
    _Plan("pending"),
    _Plan("assigned"),
    _Plan("in_progress"),
    _Plan("in_progress", overdue=2),
    _Plan("resolved"),
    _Plan("resolved", rating=Rating.SATISFIED),
    _Plan("closed", rating=Rating.SATISFIED),
    _Plan("closed", rating=Rating.SATISFIED),
    _Plan("closed", rating=Rating.BASIC),
    _Plan("reopened", rating=Rating.UNSATISFIED),
]
OPEN_STATES = ("pending", "accepted", "assigned", "in_progress", "reopened")


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class _Builder:
    def __init__(self, context: dict, rng: random.Random, today: date):
        from tuijin.users.models import User
        from tuijin.workdays.services import workday_calendar

        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.calendar = workday_calendar(today - timedelta(days=150), today + timedelta(days=60))
        self.units: dict[str, OrgUnit] = dict(context.get("units") or {})
        for unit in OrgUnit.objects.filter(name__in=[v for v in LEAD_FOR_CATEGORY.values() if v]):
            self.units.setdefault(unit.name, unit)
        self.office = User.objects.get(username="xmb")
        self.leader = User.objects.filter(username="baolian").first() or self.office
        self.reporters = {
            m.unit_id: m.user
            for m in Membership.objects.filter(role=Role.UNIT_REPORTER, user__is_active=True).select_related("user")
        }
        self.plans: list[tuple[Ticket, _Plan]] = []

    # -- dates ----------------------------------------------------------------------------------------------
    def workdays_before(self, n: int) -> date:
        """The latest date with exactly `n` working days after it up to today."""
        day = self.today
        while self.calendar.workdays_between(day, self.today) < n:
            day -= timedelta(days=1)
        while self.calendar.workdays_between(day - timedelta(days=1), self.today) == n:
            day -= timedelta(days=1)
        return day

    @staticmethod
    def sla_days(category: str) -> int:
        days = CategorySLA.objects.filter(category=category).values_list("resolution_days", flat=True).first()
        return days or services.DEFAULT_RESOLUTION_DAYS

    # -- units ----------------------------------------------------------------------------------------------
    def lead_unit(self, category: str, project) -> OrgUnit:
        name = LEAD_FOR_CATEGORY.get(category)
        if name and name in self.units:
            return self.units[name]
        if project is not None:
            locality = project.locality or project.responsible_unit
            return locality
        return self.units.get("区优化营商环境服务中心") or self.office.memberships.first().unit

    def other_unit(self, unit: OrgUnit) -> OrgUnit:
        candidates = [u for u in self.units.values() if u.pk != unit.pk and u.pk in self.reporters]
        return self.rng.choice(candidates) if candidates else unit

    def handler(self, ticket: Ticket):
        """Who handles the ticket: the lead unit's reporter, else the project office (may act for any unit)."""
        return self.reporters.get(ticket.lead_unit_id) or self.office

    # -- workflow -------------------------------------------------------------------------------------------
    def run(self, ticket: Ticket, plan: _Plan, category: str, project, rater=None) -> Ticket:
        office = self.office
        if plan.state == "pending":
            return ticket
        if plan.state in ("accepted", "unresolvable"):
            ticket = services.ticket_accept(actor=office, ticket=ticket, version=ticket.version)
            if plan.state == "unresolvable":
                ticket = services.ticket_unresolvable(
                    actor=office,
                    ticket=ticket,
                    version=ticket.version,
                    explanation="经会商，该事项涉及上级审批权限和现行政策限制，本级无法解决，已向企业当面说明并提出替代方案。",
                )
            return ticket
        lead = self.lead_unit(category, project)
        if plan.lead:
            lead = OrgUnit.objects.filter(name=plan.lead).first() or lead
        if plan.returned:
            wrong = self.other_unit(lead)
            ticket = services.ticket_assign(actor=office, ticket=ticket, version=ticket.version, lead_unit=wrong)
            ticket = services.ticket_return(
                actor=self.handler(ticket),
                ticket=ticket,
                version=ticket.version,
                reason="不属于本单位职责，请重新交办。",
            )
        co_units = [self.other_unit(lead)] if self.rng.random() < 0.3 else []
        ticket = services.ticket_assign(
            actor=office,
            ticket=ticket,
            version=ticket.version,
            lead_unit=lead,
            co_units=co_units,
            note="请于时限内办结并反馈。",
        )
        if plan.transferred:
            ticket = services.ticket_transfer(
                actor=office,
                ticket=ticket,
                version=ticket.version,
                lead_unit=self.other_unit(lead),
                reason="经核实由属地牵头更便于协调。",
            )
        if plan.state == "assigned":
            return ticket
        handler = self.handler(ticket)
        ticket = services.ticket_start(actor=handler, ticket=ticket, version=ticket.version)
        if self.rng.random() < 0.6:
            ticket = services.ticket_progress(
                actor=handler, ticket=ticket, version=ticket.version, note="已组织现场对接，正在推进。"
            )
        if plan.state == "in_progress":
            return ticket
        ticket = services.ticket_resolve(
            actor=handler, ticket=ticket, version=ticket.version, result=self.rng.choice(RESULTS)
        )
        if plan.state == "closed":
            ticket = services.ticket_close(actor=ticket.raised_by, ticket=ticket, version=ticket.version)
        if plan.rating and rater is not None:
            comment = "问题仍未解决，变压器增容仍在排队。" if plan.rating == Rating.UNSATISFIED else "响应及时，感谢。"
            ticket = services.ticket_rate(
                actor=rater, ticket=ticket, version=ticket.version, rating=plan.rating, comment=comment
            )
        return ticket

    def raise_ticket(self, *, actor, source, spec, project=None, enterprise=None, plan: _Plan, rater=None) -> Ticket:
        category, title, description, help_requested = spec
        ticket = services.ticket_raise(
            actor=actor,
            source=source,
            category=category,
            title=title,
            description=description,
            help_requested=help_requested,
            project=project,
            enterprise=enterprise,
        )
        ticket = self.run(ticket, plan, category, project, rater)
        self.plans.append((ticket, plan))
        return ticket

    # -- back-dating ----------------------------------------------------------------------------------------
    def backdate(self, ticket: Ticket, plan: _Plan) -> None:
        rng = self.rng
        sla = self.sla_days(ticket.category)
        if plan.overdue:
            raised_on = self.workdays_before(sla + plan.overdue)
        elif plan.state in OPEN_STATES:
            raised_on = self.today - timedelta(days=rng.randint(0, 8))
        else:
            raised_on = self.today - timedelta(days=rng.randint(12, 110))
        # Nothing in the future, whatever the time of day; a ticket "raised today" just after midnight is raised the
        # evening before, early enough that its reply and resolution still fit (strictly in order) before now.
        latest = self.now - timedelta(hours=1)
        raised_at = min(_aware(raised_on, rng.randint(8, 11), rng.choice([0, 15, 30, 45])), latest - timedelta(hours=8))
        response_due, resolution_due = services.ticket_deadlines(ticket.category, raised_on)
        if plan.overdue:  # exactly `overdue` working days late, whatever the category's SLA rounding
            resolution_due = max(self.workdays_before(plan.overdue), response_due)
        moments = [raised_at]
        fields: dict = {"raised_at": raised_at, "response_due": response_due, "resolution_due": resolution_due}
        if ticket.responded_at is not None:
            hours = rng.choice([1, 2, 3, 5, 8, 20, 26, 50])
            responded_at = min(raised_at + timedelta(hours=hours), latest - timedelta(hours=4))
            fields["responded_at"] = responded_at
            moments.append(responded_at)
        if ticket.resolved_at is not None:
            resolved_on = min(raised_on + timedelta(days=rng.randint(3, 24)), self.today - timedelta(days=2))
            resolved_at = min(max(_aware(resolved_on, 16, 30), moments[-1] + timedelta(hours=4)), latest)
            fields["resolved_at"] = resolved_at
            moments.append(resolved_at)
            if ticket.closed_at is not None:
                fields["closed_at"] = max(min(resolved_at + timedelta(days=rng.randint(1, 3)), latest), resolved_at)
                moments.append(fields["closed_at"])
        elif ticket.closed_at is not None:  # unresolvable
            fields["closed_at"] = min(raised_at + timedelta(days=rng.randint(5, 12)), latest)
            moments.append(fields["closed_at"])
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
        events = list(TicketEvent.objects.filter(ticket=ticket).order_by("created", "pk"))
        end = max(moments[-1], min(self.now, raised_at + timedelta(days=20)))
        step = (end - raised_at) / max(len(events), 1)
        for i, event in enumerate(events):
            event.created = raised_at + step * i
        TicketEvent.objects.bulk_update(events, ["created"])


def _renumber_by_month(pks: list[int]) -> None:
    """Number the back-dated tickets by the month they were raised (a ticket raised in October is GD202610-…, as
    services._number would have numbered it then), in the order raised, after any number that month already has."""
    from django.db.models import Max

    tickets = list(Ticket.objects.filter(pk__in=pks).order_by("raised_at", "pk"))
    for ticket in tickets:  # free the numbers first: the new ones may be taken by another demo ticket now
        ticket.number = f"DEMO-{ticket.pk}"
    Ticket.objects.bulk_update(tickets, ["number"])
    next_seq: dict[str, int] = {}
    for ticket in tickets:
        prefix = f"GD{timezone.localtime(ticket.raised_at):%Y%m}-"
        if prefix not in next_seq:
            last = Ticket.objects.filter(number__startswith=prefix).exclude(pk__in=pks).aggregate(m=Max("number"))["m"]
            next_seq[prefix] = int(last.rsplit("-", 1)[1]) + 1 if last else 1
        ticket.number = f"{prefix}{next_seq[prefix]:04d}"
        next_seq[prefix] += 1
    Ticket.objects.bulk_update(tickets, ["number"])


def _load_ticket_set(context: dict, stdout, rng: random.Random, today: date) -> tuple[int, int]:
    from tuijin.progress.models import ReportProblem
    from tuijin.users.models import User

    builder = _Builder(context, rng, today)
    projects = list(
        Project.objects.filter(is_demo=True, stage__in=["preparation", "construction"])
        .select_related("responsible_unit", "locality")
        .order_by("pk")
    )
    qiye = User.objects.get(username="qiye")
    enterprise = qiye.memberships.get(role=Role.ENTERPRISE).unit
    own_projects = [p for p in projects if p.owner_enterprise_id == enterprise.pk]
    problems = list(
        ReportProblem.objects.filter(report__project__is_demo=True, report__project__stage="construction")
        .select_related("report__project__responsible_unit", "report__project__locality")
        .order_by("-report__period", "pk")[: len(PROBLEM_PLANS)]
    )
    for problem, plan in zip(problems, PROBLEM_PLANS, strict=False):
        ticket = services.ticket_from_problem(actor=builder.office, problem=problem)
        ticket = builder.run(ticket, plan, ticket.category, problem.report.project)
        builder.plans.append((ticket, plan))
    specs = PROBLEMS * 2
    sponsored = [
        p
        for p in projects
        if p.pk in set(Project.objects.restrict(builder.leader, "view").values_list("pk", flat=True))
    ]
    for i, plan in enumerate(OFFICE_PLANS if projects else []):
        project = projects[(i * 7) % len(projects)]
        actor, source = builder.office, rng.choice([TicketSource.MEETING, TicketSource.MEETING, TicketSource.OTHER])
        if i % 6 == 5 and sponsored:
            actor, source, project = builder.leader, TicketSource.LEADER, sponsored[i % len(sponsored)]
        elif i % 6 == 2 and project.responsible_unit_id in builder.reporters:
            actor, source = builder.reporters[project.responsible_unit_id], TicketSource.OTHER
        builder.raise_ticket(actor=actor, source=source, spec=specs[i], project=project, plan=plan)
    for i, plan in enumerate(ENTERPRISE_PLANS):
        project = own_projects[i % len(own_projects)] if own_projects and i % 2 == 0 else None
        builder.raise_ticket(
            actor=qiye,
            source=TicketSource.ENTERPRISE,
            spec=ENTERPRISE_REQUESTS[i],
            project=project,
            enterprise=enterprise,
            plan=plan,
            rater=qiye,
        )
    for ticket, plan in builder.plans:
        ticket.refresh_from_db()
        builder.backdate(ticket, plan)
    _renumber_by_month([ticket.pk for ticket, _plan in builder.plans])
    fired = services.escalate_overdue(today)
    return len(builder.plans), fired


def _load_visits(context: dict, rng: random.Random, today: date) -> tuple[int, int]:
    """About 15 visits (one enterprise over the monthly limit) and a quiet period of qiye's enterprise."""
    from tuijin.org.demo import ENTERPRISES
    from tuijin.users.models import User

    enterprises = {u.name: u for u in OrgUnit.objects.filter(name__in=ENTERPRISES)}
    ordered = [enterprises[name] for name in ENTERPRISES if name in enterprises]
    if not ordered:
        return 0, 0
    qiye = User.objects.get(username="qiye")
    own = qiye.memberships.get(role=Role.ENTERPRISE).unit
    periods = 0
    if not QuietPeriod.objects.filter(enterprise=own).exists():
        services.quiet_period_set(
            actor=qiye,
            enterprise=own,
            start=today - timedelta(days=3),
            end=today + timedelta(days=25),
            note="新产线调试期间，除安全生产等法定事项外，请勿入企检查。",
        )
        services.quiet_period_set(
            actor=qiye,
            enterprise=own,
            start=today - timedelta(days=70),
            end=today - timedelta(days=56),
            note="春季订单交付高峰。",
        )
        periods = 2
    if InspectionVisit.objects.filter(registered_by__is_demo=True).exists():
        return 0, periods
    visitors = [
        (m.user, m.unit)
        for m in Membership.objects.filter(role=Role.UNIT_REPORTER, user__is_demo=True)
        .select_related("user", "unit")
        .order_by("unit__sort_order")
    ]
    office = User.objects.get(username="xmb")
    visitors.append((office, office.memberships.get(role=Role.PROJECT_OFFICE).unit))
    busy_month = today.replace(day=1) if today.day >= 5 else (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    busy = ordered[1] if len(ordered) > 1 else ordered[0]
    plan: list[tuple[OrgUnit, date, str]] = []
    for k in range(settings.TUIJIN_VISIT_MONTHLY_LIMIT + 2):  # over the limit in `busy_month`
        plan.append((busy, busy_month + timedelta(days=k), ""))
    plan.append((own, today - timedelta(days=1), "接群众举报，该企业存在疑似安全生产隐患，依法须立即核查。"))
    for i in range(15 - len(plan)):
        enterprise = ordered[i % len(ordered)]
        if enterprise.pk == busy.pk:
            enterprise = ordered[(i + 2) % len(ordered)]
        day = today - timedelta(days=rng.randint(20, 75))
        quiet = QuietPeriod.objects.filter(enterprise=enterprise, start__lte=day, end__gte=day).exists()
        plan.append((enterprise, day, "企业来函邀请上门服务。" if quiet else ""))
    registered = 0
    for i, (enterprise, day, justification) in enumerate(plan):
        actor, unit = visitors[i % len(visitors)]
        purpose, basis = VISIT_PURPOSES[i % len(VISIT_PURPOSES)]
        services.inspection_visit_register(
            actor=actor,
            enterprise=enterprise,
            visiting_unit=unit,
            visitors=rng.choice(VISITORS),
            visited_on=day,
            purpose=purpose,
            legal_basis=basis,
            justification=justification,
        )
        registered += 1
    return registered, periods


def load_tickets(context: dict, stdout) -> None:
    rng = random.Random(2026)  # noqa: S311 (demo data)
    today = timezone.localdate()
    if Ticket.objects.filter(raised_by__is_demo=True).exists():
        stdout.write("示例工单：已存在，跳过。")
    else:
        count, fired = _load_ticket_set(context, stdout, rng, today)
        states = dict(TicketStatus.choices)
        rows = Ticket.objects.order_by("status").values("status").annotate(n=Count("pk"))
        detail = "、".join(f"{states.get(r['status'], r['status'])} {r['n']}" for r in rows)
        escalated = Ticket.objects.filter(escalation_level__gte=1).count()
        stdout.write(f"示例工单：{count} 个（{detail}），超期升级 {fired} 级次（{escalated} 个工单）。")
        context["demo_tickets"] = count
    visits, periods = _load_visits(context, rng, today)
    if visits or periods:
        stdout.write(f"示例涉企检查：{visits} 条；免打扰期 {periods} 个。")
    else:
        stdout.write("示例涉企检查：已存在，跳过。")

"""Demo 督办 (a `load_demo` step): a 项目建设大会 with 15 decisions in every state, two 调度会 (the latest with the
agenda assembled from the demo's current state) and one 考察学习 visit with its actions.

Everything goes through the services (the 项目办 `xmb` assigns, the units report and ask for closure, the 督办 office
`duban` reviews); then dates are moved back so that the story is plausible — assigned weeks ago, some finished on
time, some late, some overdue and escalated, some due within days — and never later than now. Idempotent: skipped
when demo meetings exist.
"""

from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from . import services
from .choices import MeetingKind, TaskSource, TaskStatus
from .models import Meeting, Task, TaskEvent

__all__ = ["load_supervision"]

EVIDENCE = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# (title, responsible unit key, leader title, assigned days ago, deadline in days from today, plan)
# plan: "done" (finished on time), "late" (finished after its deadline), "review" (closure asked), "returned"
# (closure returned, working again), "progress" (working, reported), "new" (working, not yet reported),
# "cancelled"
CONGRESS = [
    ("加快运通智慧电商产业园二期征迁交地", "xiaodian", "常务副区长", 70, -30, "done"),
    ("推动光电产业园标准化厂房竣工验收", "hongkai", "副区长", 70, -20, "late"),
    ("确保一季度新开工项目全部纳统入库", "区统计局", "常务副区长", 70, -25, "done"),
    ("力争上半年固定资产投资实现双过半", "区发展和改革委员会", "常务副区长", 70, 40, "progress"),
    ("加快老旧小区改造项目开工手续办理", "区住房和城乡建设局", "副区长", 70, -12, "new"),
    ("做好重点项目用地报批和土地组卷", "区住房和城乡建设局", "副区长", 70, -6, "progress"),
    ("推进西街片区城市更新项目签约", "xijie", "常务副区长", 60, 2, "progress"),
    ("落实企业服务专员制度，每月走访重点企业", "区优化营商环境服务中心", "区长", 60, 25, "progress"),
    ("加快智能装备产业园招商项目落地", "区商务局", "副区长", 60, -3, "review"),
    ("抓紧编制三年滚动项目储备计划", "区发展和改革委员会", "常务副区长", 60, 15, "returned"),
    ("确保重点项目建设资金按时拨付", "区财政局", "常务副区长", 55, 1, "new"),
    ("推动洪门镇农贸市场升级改造开工", "hongmen", "副区长", 55, -9, "progress"),
    ("加快东街老工业区腾退企业安置", "dongjie", "副区长", 50, 30, "progress"),
    ("做好项目建设安全生产检查", "区应急管理局", "区长", 50, -15, "done"),
    ("原定的会展中心选址论证（已并入城市更新方案）", "区发展和改革委员会", "区长", 50, 20, "cancelled"),
]
VISIT_ACTIONS = [
    ("学习鹤壁“拿地即开工”经验，制定我区并联审批清单", "区发展和改革委员会", "常务副区长", 20, 25, "progress"),
    ("借鉴长垣产业链招商做法，梳理光电信息产业链招商图谱", "区商务局", "副区长", 20, 40, "new"),
]
DISPATCH_DECISIONS = [
    ("红灯项目逐一明确包联领导和整改时限", "区发展和改革委员会", "常务副区长", 12, 8, "progress"),
    ("超期工单由责任单位主要负责同志牵头办结", "xijie", "常务副区长", 12, 4, "new"),
]


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class _Builder:
    def __init__(self, context: dict, today: date):
        from tuijin.users.models import User

        self.today = today
        self.units = context["units"]
        self.people = context["people"]
        self.office = User.objects.get(username="xmb")
        self.reviewer = User.objects.filter(username="duban").first() or self.office
        self.reporters: dict[int, object] = {}
        roles = ["unit_reporter", "unit_approver", "investment_bureau"]  # 商务局's 招商科 reports its own tasks
        for user in User.objects.filter(is_demo=True, memberships__role__in=roles).distinct():
            for membership in user.memberships.filter(role__in=roles):
                self.reporters.setdefault(membership.unit_id, user)

    def unit(self, key: str):
        return self.units[key]

    def reporter(self, unit):
        return self.reporters.get(unit.pk) or self.office  # the office may act for a unit without an account

    def task(self, meeting, spec, source) -> Task:
        title, unit_key, leader, ago, due_in, plan = spec
        unit = self.unit(unit_key)
        assigned = self.today - timedelta(days=ago)
        task = services.task_create(
            actor=self.office,
            title=title,
            content=title + "。",
            source=source,
            meeting=meeting,
            responsible_unit=unit,
            leader=self.people.get(leader),
            assigned_on=assigned,
            deadline=self.today + timedelta(days=due_in),
        )
        reporter = self.reporter(unit)
        steps: list[int] = []  # day offsets after assignment of each later event, in order
        if plan in ("progress", "review", "returned", "done", "late"):
            task = services.task_report_progress(
                actor=reporter, task=task, version=task.version, note="已召开专题推进会，明确时间表和责任人。"
            )
            steps.append(7)
        if plan in ("review", "returned", "done", "late"):
            task = services.task_request_close(
                actor=reporter,
                task=task,
                version=task.version,
                result="已按要求完成，附相关佐证材料。",
                files=[SimpleUploadedFile("佐证材料.pdf", EVIDENCE, content_type="application/pdf")],
            )
            steps.append(ago + due_in + (6 if plan == "late" else -5) if plan in ("done", "late") else ago - 2)
        if plan == "returned":
            task = services.task_review(
                actor=self.reviewer,
                task=task,
                version=task.version,
                approve=False,
                comment="佐证材料不全，请补充储备项目清单。",
            )
            steps.append(ago - 1)
        if plan in ("done", "late"):
            task = services.task_review(actor=self.reviewer, task=task, version=task.version, approve=True)
            steps.append(steps[-1] + 1)
        if plan == "cancelled":
            task = services.task_cancel(
                actor=self.office, task=task, version=task.version, reason="该事项已并入城市更新方案统一推进。"
            )
            steps.append(10)
        self.backdate(task, assigned, steps, plan)
        return task

    def backdate(self, task: Task, assigned: date, steps: list[int], plan: str) -> None:
        """Move the timeline back: 交办 on the assignment day, then each step on its offset (never after now)."""
        events = list(TaskEvent.objects.filter(task=task).order_by("pk"))
        days = [0, *steps]
        now = timezone.now()
        for i, event in enumerate(events):
            offset = days[min(i, len(days) - 1)]
            moment = min(_at(assigned + timedelta(days=max(offset, 0)), 9 + i), now - timedelta(minutes=60 - i))
            TaskEvent.objects.filter(pk=event.pk).update(created=moment)
            event.attachments.update(created=moment)
        fields: dict = {}
        progress = [e for e in events if e.type == "progress"]
        if progress:
            fields["last_progress_on"] = assigned + timedelta(days=steps[0])
        if plan in ("done", "late", "review"):
            asked = min(assigned + timedelta(days=steps[1 if plan != "review" else 1]), self.today)
            fields["close_requested_on"] = asked
            if plan in ("done", "late"):
                fields["finished_on"] = asked
        if fields:
            Task.objects.filter(pk=task.pk).update(**fields)


def load_supervision(context: dict, stdout) -> None:
    if Meeting.objects.filter(created_by__is_demo=True).exists():
        stdout.write("示例督办：已存在，跳过。")
        return
    today = timezone.localdate()
    builder = _Builder(context, today)
    people, units = builder.people, builder.units
    congress = services.meeting_create(
        actor=builder.office,
        data={
            "kind": MeetingKind.CONSTRUCTION,
            "title": "全区项目建设大会",
            "held_on": today - timedelta(days=70),
            "place": "区行政中心一楼会议室",
            "chair": people["区长"],
            "leaders": [people[t] for t in ("区委书记", "区长", "常务副区长", "副区长")],
            "units": [units[k] for k in ("xijie", "dongjie", "hongkai", "区发展和改革委员会", "区商务局")],
            "agenda": "一、通报一季度项目建设情况\n二、交流发言\n三、区委书记讲话，安排部署下一阶段工作",
            "speakers": (
                "红开区 党工委书记 以项目建设引领开发区高质量发展\n"
                "小店镇 镇长 全力保障重点项目要素\n区商务局 局长 拼招引、抓落地"
            ),
            "minutes": "会议强调，要坚持“项目为王”，拼招引、拼开工、拼建设，确保一季度开门红、上半年双过半。",
        },
    )
    for spec in CONGRESS:
        builder.task(congress, spec, TaskSource.MEETING)
    visit = services.meeting_create(
        actor=builder.office,
        data={
            "kind": MeetingKind.STUDY_VISIT,
            "title": "赴鹤壁、长垣考察学习项目建设工作",
            "held_on": today - timedelta(days=21),
            "chair": people["常务副区长"],
            "leaders": [people["常务副区长"]],
            "units": [units[k] for k in ("区发展和改革委员会", "区商务局", "hongkai")],
            "places": "鹤壁、长垣",
            "enterprises_visited": "鹤壁京东智能制造产业园（示例）、长垣起重装备产业园（示例）",
            "lessons": "鹤壁“拿地即开工”并联审批值得借鉴；长垣围绕主导产业链精准招商，链主企业带动作用明显。",
        },
    )
    for spec in VISIT_ACTIONS:
        builder.task(visit, spec, TaskSource.VISIT)
    for ago, title in ((40, "项目建设月度调度会"), (13, "项目建设月度调度会")):
        held = today - timedelta(days=ago)
        meeting = services.meeting_create(
            actor=builder.office,
            data={
                "kind": MeetingKind.DISPATCH,
                "title": f"{held.month}月{title}",
                "held_on": held,
                "place": "区发改委三楼会议室",
                "chair": people["常务副区长"],
                "leaders": [people["常务副区长"]],
                "units": [units[k] for k in ("xijie", "dongjie", "xiaodian", "hongkai", "区发展和改革委员会")],
                "agenda": _agenda_text(builder.office),
            },
        )
        if ago == 13:
            for spec in DISPATCH_DECISIONS:
                builder.task(meeting, spec, TaskSource.MEETING)
    reminded = services.remind_due_tasks(today)
    fired = services.escalate_overdue_tasks(today)
    _backdate_escalations(today)
    done = Task.objects.filter(status=TaskStatus.DONE).count()
    total = Task.objects.count()
    stdout.write(
        f"示例督办：会议 4 个（含考察学习 1 个），督办事项 {total} 项（已办结 {done} 项），"
        f"临近提醒 {reminded} 项，超期升级 {fired} 级次。"
    )


def _backdate_escalations(today: date) -> None:
    """The escalations fired at the end each get the day their level fell due (working days after the deadline,
    one step per level), never later than now — as if the daily job had been running all along."""
    from django.conf import settings

    from tuijin.workdays.services import add_workdays

    from .models import TaskEscalation

    step = settings.TUIJIN_SUPERVISION_ESCALATION_STEP_WORKDAYS
    now = timezone.now()
    for escalation in TaskEscalation.objects.select_related("task"):
        day = add_workdays(escalation.task.deadline, 1 + (escalation.level - 1) * step)
        moment = min(_at(min(day, today), 8), now - timedelta(minutes=30))
        TaskEscalation.objects.filter(pk=escalation.pk).update(fired_at=moment)
        for event in TaskEvent.objects.filter(task=escalation.task, type="escalated", data__level=escalation.level):
            event.created = moment
            event.data = {**event.data, "overdue_workdays": 1 + (escalation.level - 1) * step}
            event.save(update_fields=["created", "data"])


def _agenda_text(user) -> str:
    try:
        from .agenda import assemble_dispatch_agenda
    except ImportError:  # pragma: no cover
        return ""
    return assemble_dispatch_agenda(user).as_text()

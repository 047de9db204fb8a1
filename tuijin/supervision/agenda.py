"""The 调度会 agenda, assembled from the platform's current state: what the meeting must look at today.

Five sections, each read from the module that defines its figure (nothing is recomputed here), each limited to the
user's scope, each capped at `SECTION_LIMIT` items with its full count in `total`:

1. 红灯项目 — the facts' figure `red` for the month being reported (`facts.figures.FIGURES`, the light in effect
   written by the lights engine), over `Project.objects.restrict(user, "view")`; the reasons are the project's red
   lights that month (`WarningLight.objects.restrict(user, "view")`: none without the permission to read lights);
2. 超期未办结的协调工单 — open tickets past `resolution_due` (`/tickets/?status=overdue`);
3. 超期的督办事项 — open tasks past their deadline (`selectors.tasks_for`, the 红 colour of `selectors.colour_of`);
4. 超期未兑现的政府承诺 — `investment.ledger.overdue_government_condition` over `ledger.visible_commitments`;
5. 低于序时进度的单位 — the 驾驶舱's unit figures (`dispatch.selectors.dashboard_summary(...).by_unit`: 完成率 and
   its distance from the region's 序时进度), in the 驾驶舱's own scope and permission ("projects.dashboard_project").

A section whose source needs a permission the user lacks is empty (`restrict` returns nothing). The number of
queries is fixed, whatever the number of rows.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

__all__ = ["SECTION_LIMIT", "Agenda", "AgendaItem", "AgendaSection", "assemble_dispatch_agenda"]

SECTION_LIMIT = 20
CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass
class AgendaItem:
    text: str
    url: str = ""
    unit: str = ""
    detail: str = ""


@dataclass
class AgendaSection:
    key: str
    title: str
    items: list[AgendaItem] = field(default_factory=list)
    total: int = 0  # may exceed len(items): the section shows the first SECTION_LIMIT

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


@dataclass
class Agenda:
    today: date
    sections: list[AgendaSection]

    def section(self, key: str) -> AgendaSection:
        return next(s for s in self.sections if s.key == key)

    def as_text(self) -> str:
        """The plain-text agenda the 项目办 edits before the meeting: a heading, then each non-empty section numbered
        一、二、… with one numbered line per item ("另有 N 项" when the section was capped)."""
        lines = [_("调度会议程（%(d)s）") % {"d": _chinese_date(self.today)}]
        shown = [s for s in self.sections if s.total]
        if not shown:
            lines.append(_("（无待调度事项）"))
        for index, section in enumerate(shown):
            numeral = CHINESE_NUMERALS[index] if index < len(CHINESE_NUMERALS) else str(index + 1)
            lines.append(
                _("%(n)s、%(title)s（%(total)d 项）") % {"n": numeral, "title": section.title, "total": section.total}
            )
            for number, item in enumerate(section.items, start=1):
                lines.append("%d. %s" % (number, item.text))
            if section.more:
                lines.append(_("另有 %(n)d 项") % {"n": section.more})
        return "\n".join(lines) + "\n"


def _chinese_date(day: date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def _url(obj) -> str:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:  # an app whose pages are not mounted (yet)
        return ""


def _unit_label(prefix: str):
    return Coalesce(NullIf(F(f"{prefix}__short_name"), Value("")), F(f"{prefix}__name"))


def _overdue_days(dues: list[date], today: date):
    """A function due → working days overdue on the shared calendar (one query for all of `dues`)."""
    from tuijin.workdays.services import workday_calendar

    if not dues:
        return lambda due: 0
    calendar = workday_calendar(min(dues), today)
    return lambda due: calendar.workdays_between(due, today)


# -- 1. red lights ---------------------------------------------------------------------------------------------


def _red_lights(user, today: date) -> AgendaSection:
    from tuijin.facts.figures import FIGURES, period_facts
    from tuijin.progress.choices import LightColor
    from tuijin.progress.models import WarningLight
    from tuijin.progress.services import period_for_reporting
    from tuijin.projects.models import Project

    period = period_for_reporting(today)
    section = AgendaSection(
        "red_lights", _("红灯项目（%(y)d年%(m)d月）") % {"y": period.year, "m": period.month}, [], 0
    )
    rows = period_facts(Project.objects.restrict(user, "view"), period).filter(FIGURES["red"].condition)
    section.total = rows.count()
    if not section.total:
        return section
    # the facts row's own name and unit, in the 驾驶舱's order (unit, then project name)
    projects = list(
        rows.annotate(unit_label=_unit_label("unit"))
        .order_by("unit__sort_order", "unit_label", "name", "project_id")
        .values_list("project_id", "name", "unit_label")[:SECTION_LIMIT]
    )
    reasons: dict[int, list[str]] = {}
    lights = (
        WarningLight.objects.restrict(user, "view")
        .filter(project_id__in=[p[0] for p in projects], period=period, color=LightColor.RED, rule__is_active=True)
        .order_by("project_id", "rule__sort_order", "rule__code")
        .values_list("project_id", "rule__name", "explanation")
    )
    for project_id, rule_name, explanation in lights:
        reasons.setdefault(project_id, []).append(
            _("%(rule)s：%(text)s") % {"rule": rule_name, "text": explanation} if explanation else rule_name
        )
    for pk, name, unit in projects:
        reason = "；".join(reasons.get(pk, []))
        text = _("%(name)s（%(unit)s）") % {"name": name, "unit": unit or "—"}
        if reason:
            text = _("%(head)s：%(reason)s") % {"head": text, "reason": reason}
        section.items.append(AgendaItem(text, reverse("projects:project", args=[pk]), unit or "", reason))
    return section


# -- 2. overdue tickets ----------------------------------------------------------------------------------------


def _overdue_tickets(user, today: date) -> AgendaSection:
    from tuijin.tickets.models import Ticket
    from tuijin.tickets.services import OPEN

    section = AgendaSection("overdue_tickets", _("超期未办结的协调工单"), [], 0)
    # the condition of the ticket list's 已超期 filter (/tickets/?status=overdue) on `today`
    rows = Ticket.objects.restrict(user, "view").filter(status__in=OPEN, resolution_due__lt=today)
    section.total = rows.count()
    if not section.total:
        return section
    tickets = list(rows.select_related("lead_unit", "project").order_by("resolution_due", "pk")[:SECTION_LIMIT])
    days = _overdue_days([t.resolution_due for t in tickets], today)
    for ticket in tickets:
        unit = ticket.lead_unit.display_name if ticket.lead_unit is not None else _("待交办")
        detail = _("办结时限 %(due)s，已超期 %(n)d 个工作日") % {
            "due": ticket.resolution_due.isoformat(),
            "n": days(ticket.resolution_due),
        }
        subject = _("（%(project)s）") % {"project": ticket.project.name} if ticket.project is not None else ""
        text = _("%(number)s %(title)s%(subject)s — 牵头单位：%(unit)s，%(detail)s") % {
            "number": ticket.number,
            "title": ticket.title,
            "subject": subject,
            "unit": unit,
            "detail": detail,
        }
        section.items.append(AgendaItem(text, _url(ticket), unit, detail))
    return section


# -- 3. overdue supervision tasks ------------------------------------------------------------------------------


def _overdue_tasks(user, today: date) -> AgendaSection:
    from .selectors import overdue_condition, tasks_for

    section = AgendaSection("overdue_tasks", _("超期的督办事项"), [], 0)
    rows = tasks_for(user).filter(overdue_condition(today))  # colour 红 (selectors.colour_of)
    section.total = rows.count()
    if not section.total:
        return section
    tasks = list(rows.select_related("responsible_unit", "leader").order_by("deadline", "pk")[:SECTION_LIMIT])
    days = _overdue_days([t.deadline for t in tasks], today)
    for task in tasks:
        unit = task.responsible_unit.display_name
        detail = _("办结时限 %(due)s，已超期 %(n)d 个工作日") % {
            "due": task.deadline.isoformat(),
            "n": days(task.deadline),
        }
        if task.leader is not None:
            detail = _("%(detail)s，分管领导：%(leader)s") % {"detail": detail, "leader": task.leader.name}
        text = _("%(number)s %(title)s — 责任单位：%(unit)s，%(detail)s") % {
            "number": task.number,
            "title": task.title,
            "unit": unit,
            "detail": detail,
        }
        section.items.append(AgendaItem(text, _url(task), unit, detail))
    return section


# -- 4. overdue government promises ----------------------------------------------------------------------------


def _overdue_promises(user, today: date) -> AgendaSection:
    from tuijin.investment.ledger import overdue_government_condition, visible_commitments

    section = AgendaSection("overdue_promises", _("超期未兑现的政府承诺"), [], 0)
    rows = visible_commitments(user).filter(overdue_government_condition(today))
    section.total = rows.count()
    if not section.total:
        return section
    lines = list(rows.select_related("lead", "responsible_unit").order_by("due_date", "pk")[:SECTION_LIMIT])
    ledger = reverse("investment:ledger")
    for line in lines:
        unit = line.responsible_unit.display_name if line.responsible_unit is not None else ""
        detail = _("计划兑现时间 %(due)s，状态：%(status)s") % {
            "due": line.due_date.isoformat(),
            "status": line.get_status_display(),
        }
        text = _("%(lead)s：%(content)s — 责任单位：%(unit)s，%(detail)s") % {
            "lead": line.lead.name,
            "content": line.content,
            "unit": unit or "—",
            "detail": detail,
        }
        section.items.append(AgendaItem(text, f"{ledger}?lead={line.lead_id}#commitment-{line.pk}", unit, detail))
    return section


# -- 5. units below the time schedule --------------------------------------------------------------------------


def _below_pace(user, today: date) -> AgendaSection:
    from tuijin.dispatch.schedule import span_label
    from tuijin.dispatch.selectors import dashboard_summary, display
    from tuijin.progress.services import period_for_reporting

    period = period_for_reporting(today)
    title = _("低于序时进度的单位（%(y)d年%(span)s）") % {"y": period.year, "span": span_label(period.month)}
    section = AgendaSection("below_pace", title, [], 0)
    if not user.has_perm("projects.dashboard_project"):
        return section
    summary = dashboard_summary(user, period.year, period.month, light_limit=0)
    # the span in the district's own style (1—4月 / 元—4月)
    section.title = _("低于序时进度的单位（%(y)d年%(span)s）") % {"y": period.year, "span": summary.period.span_label}
    schedule = display(summary.schedule)
    behind = [g for g in summary.by_unit if g.delta is not None and (display(g.delta) or 0) < 0]
    behind.sort(key=lambda g: (g.delta, g.label))
    section.total = len(behind)
    projects = reverse("projects:project_list")
    for group in behind[:SECTION_LIMIT]:
        detail = _("完成年度计划 %(rate)s%%，低于序时进度 (%(schedule)s%%) %(pp)s 个百分点") % {
            "rate": display(group.rate),
            "schedule": schedule,
            "pp": -display(group.delta),  # type: ignore[operator]  # delta is known here
        }
        text = _("%(unit)s：%(detail)s") % {"unit": group.label, "detail": detail}
        url = f"{projects}?{group.query}" if group.query else ""
        section.items.append(AgendaItem(text, url, group.label, detail))
    return section


_SECTIONS = (_red_lights, _overdue_tickets, _overdue_tasks, _overdue_promises, _below_pace)


def assemble_dispatch_agenda(user, today: date | None = None) -> Agenda:
    """The 调度会 agenda for `user` on `today` (Asia/Shanghai): red lights, overdue tickets, overdue 督办 tasks,
    overdue government promises, units behind the 序时进度 — each only what the user may see."""
    today = today or timezone.localdate()
    return Agenda(today, [build(user, today) for build in _SECTIONS])

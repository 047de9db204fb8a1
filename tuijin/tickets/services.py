"""Writes for tickets: raise, accept, assign, handle, transfer, return, resolve, close (销号), unresolvable,
rating (an unsatisfied rating reopens the ticket for a return visit), escalation of overdue tickets, and the
inspection registry. Deadlines are in working days on the shared calendar (tuijin.workdays)."""

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.escalation import Escalator
from tuijin.core.exceptions import ApplicationError
from tuijin.core.locking import bump_version
from tuijin.core.permissions import check_scope

from .choices import Rating, TicketEventType, TicketSource, TicketStatus
from .models import CategorySLA, InspectionVisit, QuietPeriod, Ticket, TicketEscalation, TicketEvent

__all__ = [
    "DEFAULT_RESOLUTION_DAYS",
    "OPEN",
    "SLA",
    "SLA_FIELDS",
    "as_sla",
    "category_add",
    "category_sla",
    "category_sla_set",
    "category_slas",
    "category_validate",
    "default_sla",
    "escalate_overdue",
    "inspection_visit_register",
    "open_tickets_with_start",
    "problem_category",
    "quiet_period_set",
    "recomputed_deadlines",
    "sla_deadlines",
    "sla_validate",
    "ticket_accept",
    "ticket_assign",
    "ticket_close",
    "ticket_deadlines",
    "ticket_from_problem",
    "ticket_progress",
    "ticket_raise",
    "ticket_rate",
    "ticket_resolve",
    "ticket_return",
    "ticket_start",
    "ticket_transfer",
    "ticket_unresolvable",
    "visits_over_limit",
]

OPEN = (TicketStatus.PENDING, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS)
DEFAULT_RESOLUTION_DAYS = 15


def _today() -> date:
    return timezone.localdate()


@dataclass(frozen=True)
class SLA:
    """A category's time limits in working days; `version` 0 when the category has no CategorySLA row yet."""

    category: str
    response_days: int
    resolution_days: int
    escalation_step_days: int
    version: int = 0


SLA_FIELDS = ("response_days", "resolution_days", "escalation_step_days")
SLA_MAX_DAYS = 250  # about a working year
CODE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")
RESERVED_CODES = frozenset({"new", "add"})  # would read as a page of /tickets/sla/
NAME_MAX = 30


def default_sla(category: str) -> SLA:
    return SLA(
        category=category,
        response_days=settings.TUIJIN_TICKET_RESPONSE_DAYS,
        resolution_days=DEFAULT_RESOLUTION_DAYS,
        escalation_step_days=settings.TUIJIN_TICKET_ESCALATION_STEP_DAYS,
    )


def as_sla(row: CategorySLA) -> SLA:
    return SLA(row.category, row.response_days, row.resolution_days, row.escalation_step_days, row.version)


def category_slas() -> dict[str, SLA]:
    """Every catalogue category's limits (one query), active or not."""
    return {row.category: as_sla(row) for row in CategorySLA.objects.all()}


def category_sla(category: str) -> SLA:
    """A category's limits: its catalogue row, else (a code without a row, none expected) the defaults."""
    row = CategorySLA.objects.filter(category=category).first()
    return as_sla(row) if row else default_sla(category)


def sla_deadlines(sla: SLA, raised_on: date, started_on: date | None = None, calendar=None) -> tuple[date, date]:
    """(first response due, resolution due) under `sla`: the response counted from the day raised, the resolution
    from `started_on` (the day of the last 回访, else the day raised) and never before the response."""
    from tuijin.workdays.services import add_workdays

    add = calendar.add_workdays if calendar is not None else add_workdays
    response = add(raised_on, sla.response_days)
    resolution = add(started_on or raised_on, sla.resolution_days)
    return response, max(resolution, response)


def ticket_deadlines(category: str, raised_on: date) -> tuple[date, date]:
    """(first response due, resolution due), counted in working days from the day it was raised."""
    return sla_deadlines(category_sla(category), raised_on)


def sla_validate(response_days, resolution_days, escalation_step_days) -> None:
    """Positive whole numbers of working days, at most SLA_MAX_DAYS, and the response due no later than the
    resolution; a ValidationError keyed by field, in Chinese."""
    errors: dict[str, str] = {}
    values = {
        "response_days": (response_days, _("首次响应时限")),
        "resolution_days": (resolution_days, _("办结时限")),
        "escalation_step_days": (escalation_step_days, _("升级间隔")),
    }
    for name, (value, label) in values.items():
        if value is None or not isinstance(value, int) or isinstance(value, bool):
            errors[name] = _("请填写%(f)s（工作日，整数）。") % {"f": label}
        elif value < 1:
            errors[name] = _("%(f)s至少为 1 个工作日。") % {"f": label}
        elif value > SLA_MAX_DAYS:
            errors[name] = _("%(f)s不能超过 %(n)d 个工作日。") % {"f": label, "n": SLA_MAX_DAYS}
    if not errors and response_days > resolution_days:
        errors["response_days"] = _("首次响应时限（%(r)d 个工作日）不能长于办结时限（%(d)d 个工作日）。") % {
            "r": response_days,
            "d": resolution_days,
        }
    if errors:
        raise ValidationError(errors)


def open_tickets_with_start(queryset):
    """Open tickets of `queryset` annotated with `restarted_at`: the time of the last 回访 (不满意 reopening), whose
    day the resolution deadline counts from, or None."""
    last_reopen = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), type=TicketEventType.REOPENED)
        .order_by("-created")
        .values("created")[:1]
    )
    return queryset.filter(status__in=OPEN).annotate(restarted_at=Subquery(last_reopen))


def recomputed_deadlines(tickets, sla: SLA) -> dict[int, tuple[date, date]]:
    """{ticket pk: (response due, resolution due)} under `sla` for tickets from `open_tickets_with_start`, with one
    calendar for all of them."""
    from tuijin.workdays.services import workday_calendar

    tickets = list(tickets)
    if not tickets:
        return {}
    starts = [timezone.localtime(t.raised_at).date() for t in tickets]
    calendar = workday_calendar(min(starts), max(starts))
    result = {}
    for ticket, raised_on in zip(tickets, starts, strict=True):
        restarted = timezone.localtime(ticket.restarted_at).date() if ticket.restarted_at else None
        result[ticket.pk] = sla_deadlines(sla, raised_on, restarted, calendar)
    return result


def _normalised_name(name) -> str:
    return " ".join(str(name or "").split())


def category_validate(*, name, code: str | None = None, exclude_pk: int | None = None) -> str:
    """The category's name (required, at most NAME_MAX characters, unique among all categories, deactivated ones
    included, ignoring spaces) and, for a new category, its code; returns the cleaned name. A ValidationError keyed
    by field, in Chinese."""
    errors: dict[str, str] = {}
    cleaned = _normalised_name(name)
    if not cleaned:
        errors["name"] = _("请填写类别名称。")
    elif len(cleaned) > NAME_MAX:
        errors["name"] = _("类别名称不能超过 %(n)d 个字。") % {"n": NAME_MAX}
    else:
        others = CategorySLA.objects.exclude(pk=exclude_pk) if exclude_pk else CategorySLA.objects.all()
        taken = {_normalised_name(n).casefold(): n for n in others.values_list("name", flat=True)}
        if cleaned.casefold() in taken:
            errors["name"] = _("已有名为“%(n)s”的工单类别（含已停用的类别），请换一个名称。") % {"n": cleaned}
    if code is not None:
        if not CODE_RE.match(code) or code in RESERVED_CODES:
            errors["category"] = _(
                "类别代码须以小写英文字母开头，由小写字母、数字、“-”或“_”组成，不超过 20 个字符（不能为 new、add）；"
                "也可以留空，由系统生成。"
            )
        elif CategorySLA.objects.filter(category=code).exists():
            errors["category"] = _("类别代码“%(c)s”已被使用，请换一个。") % {"c": code}
    if errors:
        raise ValidationError(errors)
    return cleaned


def _generated_code() -> str:
    codes = set(CategorySLA.objects.values_list("category", flat=True))
    n = len(codes) + 1
    while f"c{n:02d}" in codes:
        n += 1
    return f"c{n:02d}"


@transaction.atomic
def category_add(
    *,
    actor,
    name: str,
    code: str = "",
    sort_order: int | None = None,
    response_days: int,
    resolution_days: int,
    escalation_step_days: int,
) -> CategorySLA:
    """A new, active ticket category (项目办, `tickets.add_categorysla`) with its limits. `code` is the short code
    stored on tickets; blank → generated (c16, c17, …). `sort_order` blank → after the last category."""
    if actor is not None and not actor.has_perm("tickets.add_categorysla"):
        raise PermissionDenied(_("您没有新增工单类别的权限。"))
    code = (code or "").strip().lower()
    errors: dict[str, list[str]] = {}
    try:
        name = category_validate(name=name, code=code or None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        sla_validate(response_days, resolution_days, escalation_step_days)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if sort_order is None:
        last = CategorySLA.objects.aggregate(m=Max("sort_order"))["m"] or 0
        sort_order = last + 10
    row = CategorySLA(
        category=code or _generated_code(),
        name=name,
        sort_order=sort_order,
        is_active=True,
        response_days=response_days,
        resolution_days=resolution_days,
        escalation_step_days=escalation_step_days,
    )
    row._changelog_message = _("新增工单类别")
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same code saved meanwhile
        raise ValidationError({"category": _("类别代码“%(c)s”已被使用，请换一个。") % {"c": row.category}}) from None
    return row


@transaction.atomic
def category_sla_set(
    *,
    actor,
    category: str,
    version,
    response_days: int,
    resolution_days: int,
    escalation_step_days: int,
    name: str | None = None,
    sort_order: int | None = None,
    is_active: bool | None = None,
) -> tuple[CategorySLA, int]:
    """Save a category (项目办, `tickets.change_categorysla`) on the version the user edited: its limits and, when
    given, its name, order and active flag. New limits recompute the deadlines of every open ticket of the category.
    Returns the row and how many open tickets' deadlines moved. Escalation levels already fired stay.

    Deactivating keeps the category and its tickets: it is no longer offered on new tickets; old ones keep it and
    show its name. At least one category stays active."""
    if actor is not None and not actor.has_perm("tickets.change_categorysla"):
        raise PermissionDenied(_("您没有修改工单类别与办理时限的权限。"))
    row = CategorySLA.objects.filter(category=category).first()
    if row is None:
        raise ValidationError({"category": _("没有这个工单类别。")})
    errors: dict[str, list[str]] = {}
    if name is not None:
        try:
            name = category_validate(name=name, exclude_pk=row.pk)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        sla_validate(response_days, resolution_days, escalation_step_days)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if is_active is False and row.is_active:
        if not CategorySLA.objects.filter(is_active=True).exclude(pk=row.pk).exists():
            errors["is_active"] = [_("至少要保留一个启用的工单类别。")]
    if errors:
        raise ValidationError(errors)
    limits = {
        "response_days": response_days,
        "resolution_days": resolution_days,
        "escalation_step_days": escalation_step_days,
    }
    limits_changed = any(getattr(row, k) != v for k, v in limits.items())
    fields: dict[str, object] = dict(limits)
    if name is not None:
        fields["name"] = name
    if sort_order is not None:
        fields["sort_order"] = sort_order
    if is_active is not None:
        fields["is_active"] = is_active
    for key, value in fields.items():
        setattr(row, key, value)
    row._changelog_message = _("修改工单类别与办理时限")
    bump_version(
        row,
        expected_version=version,
        message=_("该类别已被他人修改（您编辑的是第 %(mine)d 版，当前为第 %(now)d 版），您的修改未保存。"),
    )
    if not limits_changed:
        return row, 0
    tickets = list(open_tickets_with_start(Ticket.objects.filter(category=category)))
    deadlines = recomputed_deadlines(tickets, as_sla(row))
    moved = 0
    for ticket in tickets:
        response_due, resolution_due = deadlines[ticket.pk]
        if (response_due, resolution_due) == (ticket.response_due, ticket.resolution_due):
            continue
        ticket.response_due, ticket.resolution_due = response_due, resolution_due
        ticket._changelog_message = _("按新的办理时限重算")
        ticket.save(update_fields=["response_due", "resolution_due", "last_updated"])  # not a user edit: no version
        moved += 1
    return row, moved


def _number() -> str:
    prefix = f"GD{timezone.localdate():%Y%m}-"
    last = Ticket.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _event(ticket, actor, type, **data) -> None:
    TicketEvent.objects.create(ticket=ticket, actor=actor, type=type, data=data)


def _check(actor, ticket: Ticket, action: str) -> None:
    permission = f"tickets.{action}_ticket"
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    check_scope(actor, ticket, "view", message=_("该工单不在您的管理范围内。"))


def _move(ticket: Ticket, version: int, allowed: tuple, **fields) -> Ticket:
    """Save `fields` if the ticket is still at `version` and in one of the `allowed` statuses (the optimistic lock
    of core.locking): a concurrent change makes this a conflict, never a lost update. The save writes the change
    log; the caller writes the ticket's timeline event."""
    for name, value in fields.items():
        setattr(ticket, name, value)
    bump_version(
        ticket,
        expected_version=version,
        update_fields=list(fields),
        status__in=allowed,
        message=_("该工单刚被他人处理（当前状态：%(status)s），您的操作未执行。"),
    )
    return ticket


def _own_unit(actor):
    from tuijin.org.scoping import user_memberships

    memberships = user_memberships(actor)
    if not memberships:
        raise PermissionDenied(_("您的账户没有所属单位。"))
    return memberships[0].unit


@transaction.atomic
def ticket_raise(
    *,
    actor,
    source: str,
    category: str,
    title: str,
    description: str,
    help_requested: str = "",
    project=None,
    enterprise=None,
    from_problem=None,
    resolution_due: date | None = None,
) -> Ticket:
    """Raise a ticket; its deadlines come from the category's 办理时限, unless the caller owes a date of its own
    (`resolution_due`: an overdue 招商 promise is due on the promise's date, so the escalation runs from there)."""
    if not actor.has_perm("tickets.add_ticket"):
        raise PermissionDenied(_("您没有提出工单的权限。"))
    unit = _own_unit(actor)
    if unit.unit_type == "enterprise":
        enterprise = unit  # an enterprise raises only for itself
        source = TicketSource.ENTERPRISE
        if project is not None and project.owner_enterprise_id != unit.pk:
            raise PermissionDenied(_("只能就本企业的项目提出诉求。"))
    if project is None and enterprise is None:
        raise ValidationError({"project": _("请选择项目或企业。")})
    row = CategorySLA.objects.filter(category=category).first()
    if row is None or not row.is_active:
        raise ValidationError({"category": _("工单类别不存在或已停用，请重新选择。")})
    response_due, sla_resolution_due = sla_deadlines(as_sla(row), _today())
    if resolution_due is None:
        resolution_due = sla_resolution_due
    else:
        response_due = min(response_due, resolution_due)
    ticket = Ticket(
        number=_number(),
        source=source,
        category=category,
        title=title.strip()[:100],
        description=description.strip(),
        help_requested=help_requested.strip(),
        project=project,
        enterprise=enterprise or (project.owner_enterprise if project else None),
        raised_by=actor,
        raised_unit=unit,
        response_due=response_due,
        resolution_due=resolution_due,
        from_problem=from_problem,
    )
    ticket.full_clean(exclude=["co_units"])
    for _attempt in range(3):
        try:
            with transaction.atomic():
                ticket.save()
            break
        except IntegrityError:
            ticket.number = _number()
    _event(ticket, actor, TicketEventType.RAISED, source=source)
    return ticket


def problem_category(problem_category_name: str) -> str:
    """The active category for a report problem's category (stored as its Chinese name): the active category of that
    name; else the built-in category with that original name (if renamed but active); else 其他 (other) if active;
    else the first active category."""
    from django.utils import translation

    from .choices import TicketCategory

    active = CategorySLA.objects.filter(is_active=True).order_by("sort_order", "category")
    rows = list(active.values_list("category", "name"))
    if not rows:
        raise ValidationError({"category": _("没有启用的工单类别，请先在“工单类别与办理时限”中启用一个。")})
    wanted = _normalised_name(problem_category_name)
    by_name = {_normalised_name(name): code for code, name in rows}
    if wanted in by_name:
        return by_name[wanted]
    codes = {code for code, _name in rows}
    with translation.override("zh-hans"):  # report problems store the Chinese name
        built_in = {str(label): value for value, label in TicketCategory.choices}
    if built_in.get(wanted) in codes:
        return built_in[wanted]
    return TicketCategory.OTHER.value if TicketCategory.OTHER.value in codes else rows[0][0]


def ticket_from_problem(*, actor, problem) -> Ticket:
    """A problem raised in a monthly report becomes a ticket (once), in the active category of the same name."""
    existing = Ticket.objects.filter(from_problem=problem).first()
    if existing is not None:
        return existing
    return ticket_raise(
        actor=actor,
        source=TicketSource.REPORT,
        category=problem_category(problem.category),
        title=problem.description[:60],
        description=problem.description,
        help_requested=problem.help_requested,
        project=problem.report.project,
        from_problem=problem,
    )


@transaction.atomic
def ticket_accept(*, actor, ticket: Ticket, version: int) -> Ticket:
    _check(actor, ticket, "dispatch")
    ticket = _move(ticket, version, (TicketStatus.PENDING,), responded_at=ticket.responded_at or timezone.now())
    _event(ticket, actor, TicketEventType.ACCEPTED)
    return ticket


@transaction.atomic
def ticket_assign(*, actor, ticket: Ticket, version: int, lead_unit, co_units=(), note: str = "") -> Ticket:
    """交办: to a lead unit with optional co-operating units (the first response if not responded yet)."""
    _check(actor, ticket, "dispatch")
    if lead_unit is None:
        raise ValidationError({"lead_unit": _("请选择牵头单位。")})
    ticket = _move(
        ticket,
        version,
        (TicketStatus.PENDING, TicketStatus.ASSIGNED),
        status=TicketStatus.ASSIGNED,
        lead_unit=lead_unit,
        responded_at=ticket.responded_at or timezone.now(),
    )
    ticket.co_units.set([u for u in co_units if u.pk != lead_unit.pk])
    _event(
        ticket,
        actor,
        TicketEventType.ASSIGNED,
        lead_unit=lead_unit.name,
        co_units=[u.name for u in co_units],
        note=note,
    )
    _notify_unit(ticket, lead_unit, _("新交办工单：%(t)s") % {"t": ticket.title})
    for unit in co_units:
        if unit.pk != lead_unit.pk:
            _notify_unit(ticket, unit, _("新交办工单（配合办理）：%(t)s") % {"t": ticket.title})
    return ticket


def _lead_check(actor, ticket: Ticket) -> None:
    """Handling steps belong to the lead unit (its subtree); the project office may act for it."""
    _check(actor, ticket, "handle")
    if actor is None or actor.has_perm("tickets.dispatch_ticket"):
        return
    from tuijin.org.scoping import user_memberships

    paths = [m.unit.path for m in user_memberships(actor)]
    if ticket.lead_unit is None or not any(ticket.lead_unit.path.startswith(p) for p in paths):
        raise PermissionDenied(_("只有牵头单位可以办理该工单。"))


@transaction.atomic
def ticket_start(*, actor, ticket: Ticket, version: int) -> Ticket:
    _lead_check(actor, ticket)
    ticket = _move(ticket, version, (TicketStatus.ASSIGNED,), status=TicketStatus.IN_PROGRESS)
    _event(ticket, actor, TicketEventType.STARTED)
    return ticket


@transaction.atomic
def ticket_progress(*, actor, ticket: Ticket, version: int, note: str) -> Ticket:
    _lead_check(actor, ticket)
    if not note.strip():
        raise ApplicationError(_("请填写办理进展。"), code="note_required")
    ticket = _move(ticket, version, (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS), status=TicketStatus.IN_PROGRESS)
    _event(ticket, actor, TicketEventType.PROGRESS, note=note.strip())
    return ticket


@transaction.atomic
def ticket_transfer(*, actor, ticket: Ticket, version: int, lead_unit, reason: str) -> Ticket:
    """转办: the project office moves the ticket to another lead unit, with a reason."""
    _check(actor, ticket, "dispatch")
    if not reason.strip():
        raise ApplicationError(_("转办须填写原因。"), code="reason_required")
    old = ticket.lead_unit
    ticket = _move(ticket, version, OPEN, status=TicketStatus.ASSIGNED, lead_unit=lead_unit)
    _event(
        ticket,
        actor,
        TicketEventType.TRANSFERRED,
        reason=reason.strip(),
        old=getattr(old, "name", ""),
        new=lead_unit.name,
    )
    _notify_unit(ticket, lead_unit, _("转办工单：%(t)s") % {"t": ticket.title})
    return ticket


@transaction.atomic
def ticket_return(*, actor, ticket: Ticket, version: int, reason: str) -> Ticket:
    """退回: the lead unit returns a ticket it cannot own (wrong unit) to the project office, with a reason."""
    _lead_check(actor, ticket)
    if not reason.strip():
        raise ApplicationError(_("退回须填写原因。"), code="reason_required")
    ticket = _move(
        ticket, version, (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS), status=TicketStatus.PENDING, lead_unit=None
    )
    ticket.co_units.clear()
    _event(ticket, actor, TicketEventType.RETURNED, reason=reason.strip())
    return ticket


@transaction.atomic
def ticket_resolve(*, actor, ticket: Ticket, version: int, result: str) -> Ticket:
    _lead_check(actor, ticket)
    if not result.strip():
        raise ApplicationError(_("请填写办理结果。"), code="result_required")
    ticket = _move(
        ticket,
        version,
        (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS),
        status=TicketStatus.RESOLVED,
        result=result.strip(),
        resolved_at=timezone.now(),
    )
    _event(ticket, actor, TicketEventType.RESOLVED, result=result.strip())
    _notify_users(ticket, [ticket.raised_by], _("您提出的工单已办结，请核实销号或评价：%(t)s") % {"t": ticket.title})
    return ticket


@transaction.atomic
def ticket_close(*, actor, ticket: Ticket, version: int) -> Ticket:
    """销号: verified by whoever raised it, or by the project office."""
    if actor.pk != ticket.raised_by_id:
        _check(actor, ticket, "close")
    ticket = _move(ticket, version, (TicketStatus.RESOLVED,), status=TicketStatus.CLOSED, closed_at=timezone.now())
    _event(ticket, actor, TicketEventType.CLOSED)
    return ticket


@transaction.atomic
def ticket_unresolvable(*, actor, ticket: Ticket, version: int, explanation: str) -> Ticket:
    _check(actor, ticket, "dispatch")
    if not explanation.strip():
        raise ApplicationError(_("须向提出方说明无法解决的原因。"), code="explanation_required")
    ticket = _move(
        ticket,
        version,
        OPEN + (TicketStatus.RESOLVED,),
        status=TicketStatus.UNRESOLVABLE,
        unresolvable_reason=explanation.strip(),
        closed_at=timezone.now(),
    )
    _event(ticket, actor, TicketEventType.UNRESOLVABLE, explanation=explanation.strip())
    _notify_users(ticket, [ticket.raised_by], _("工单无法解决，已说明原因：%(t)s") % {"t": ticket.title})
    return ticket


@transaction.atomic
def ticket_rate(*, actor, ticket: Ticket, version: int, rating: str, comment: str = "") -> Ticket:
    """The enterprise rates the service; 不满意 reopens the ticket for a return visit (回访)."""
    _check(actor, ticket, "rate")
    if rating not in Rating.values:
        raise ValidationError({"rating": _("请选择评价。")})
    if rating == Rating.UNSATISFIED and not comment.strip():
        raise ApplicationError(_("选择“不满意”时请说明原因，便于回访。"), code="comment_required")
    if rating == Rating.UNSATISFIED:
        # a return visit is new work: a fresh resolution deadline, so escalation starts again from there
        _response, resolution_due = ticket_deadlines(ticket.category, _today())
        ticket = _move(
            ticket,
            version,
            (TicketStatus.RESOLVED, TicketStatus.CLOSED),
            rating=rating,
            rating_comment=comment.strip(),
            status=TicketStatus.IN_PROGRESS,
            closed_at=None,
            reopen_count=ticket.reopen_count + 1,
            resolution_due=resolution_due,
        )
        _event(ticket, actor, TicketEventType.RATED, rating=rating, comment=comment.strip())
        _event(ticket, actor, TicketEventType.REOPENED, comment=comment.strip())
        if ticket.lead_unit is not None:
            _notify_unit(ticket, ticket.lead_unit, _("企业对办理结果不满意，请回访：%(t)s") % {"t": ticket.title})
    else:
        ticket = _move(
            ticket, version, (TicketStatus.RESOLVED, TicketStatus.CLOSED), rating=rating, rating_comment=comment.strip()
        )
        _event(ticket, actor, TicketEventType.RATED, rating=rating, comment=comment.strip())
    return ticket


def _notify_users(ticket, users, title: str) -> list[int]:
    from tuijin.notifications.services import notify

    users = [u for u in users if u is not None]
    if users:
        notify(
            users=users,
            title=title,
            body=ticket.description[:200],
            url=ticket.get_absolute_url(),
            level="warning",
            kind="ticket",
        )
    return [u.pk for u in users]


def _unit_users(unit, roles) -> list:
    from tuijin.users.models import User

    return list(User.objects.filter(memberships__unit=unit, memberships__role__in=roles, is_active=True).distinct())


def _notify_unit(ticket, unit, title: str) -> list[int]:
    return _notify_users(ticket, _unit_users(unit, ["unit_reporter", "unit_approver"]), title)


def _escalation_targets(ticket: Ticket, level: int) -> list:
    """L1 unit deputy and L2 unit head (the unit's approvers, L2 also the project office), L3 the sponsoring
    county leaders, L4 the district's principal leaders; office and leaders only of the ticket's own district."""
    from tuijin.org.scoping import _county_path
    from tuijin.users.models import User

    county = _county_path(ticket.raised_unit.region.path)
    local = User.objects.filter(is_active=True, memberships__unit__region__path__startswith=county)
    if level in (1, 2) and ticket.lead_unit is not None:
        users = _unit_users(ticket.lead_unit, ["unit_approver"]) or _unit_users(ticket.lead_unit, ["unit_reporter"])
        if level == 2:
            users += list(local.filter(memberships__role="project_office").distinct())
        return users
    if level in (1, 2):  # not assigned yet: the project office must act
        return list(local.filter(memberships__role="project_office").distinct())
    if level == 3:
        if ticket.project is None:
            return list(local.filter(memberships__role="project_office").distinct())
        return list(User.objects.filter(person__in=ticket.project.sponsors.all(), is_active=True))
    return list(local.filter(memberships__role__in=["district_leader", "project_office"]).distinct())


class _TicketEscalator(Escalator):
    """Overdue open tickets on the shared ladder (core.escalation); the marker is TicketEscalation."""

    def __init__(self) -> None:
        self.slas = category_slas()

    def overdue(self, today):
        return list(
            Ticket.objects.filter(status__in=OPEN, resolution_due__lt=today).select_related("lead_unit", "project")
        )

    def due(self, ticket):
        return ticket.resolution_due

    def level(self, ticket):
        return ticket.escalation_level

    def step(self, ticket):
        return self.slas.get(ticket.category, default_sla(ticket.category)).escalation_step_days

    def mark(self, ticket, level):
        return TicketEscalation.objects.create(ticket=ticket, level=level)

    def fire(self, ticket, level, overdue_workdays, escalation):
        users = _escalation_targets(ticket, level)
        escalation.notified = _notify_users(
            ticket, users, _("工单超期升级（第%(l)d级）：%(t)s") % {"l": level, "t": ticket.title}
        )
        escalation.save(update_fields=["notified"])
        _escalation_level_set(ticket, level)
        _event(ticket, None, TicketEventType.ESCALATED, level=level, overdue_workdays=overdue_workdays)


def escalate_overdue(today: date | None = None) -> int:
    """Escalate open tickets past their resolution deadline: level k fires after (k−1)×step working days overdue,
    each level exactly once (a unique row per ticket and level), each with a notification. Returns levels fired."""
    from tuijin.workdays.services import workday_calendar

    today = today or _today()
    escalator = _TicketEscalator()
    overdue = escalator.overdue(today)
    if not overdue:
        return 0
    escalator.overdue = lambda today: overdue  # type: ignore[method-assign]  # already read
    return escalator.run(today, workday_calendar(min(t.resolution_due for t in overdue), today))


def _escalation_level_set(ticket: Ticket, level: int) -> None:
    """Raise the ticket's escalation level (never lower it); saved with `update_fields`, so the change log records
    it. Not a user edit: the version is left alone, so nobody's open page becomes stale because of it."""
    fresh = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if fresh.escalation_level < level:
        fresh.escalation_level = level
        fresh._changelog_message = _("超期升级")
        fresh.save(update_fields=["escalation_level", "last_updated"])
    ticket.escalation_level = max(ticket.escalation_level, level)


@transaction.atomic
def quiet_period_set(*, actor, enterprise, start: date, end: date, note: str = "") -> QuietPeriod:
    """An enterprise's quiet period (免打扰期); the actor must be allowed to add one for this enterprise."""
    period = QuietPeriod(enterprise=enterprise, start=start, end=end, note=note)
    period.full_clean()
    period.save()
    check_scope(actor, period, "add", message=_("只能申报本企业的免打扰期。"))
    return period


def visits_over_limit(enterprise, month: date) -> int:
    """Visits to the enterprise in the month beyond TUIJIN_VISIT_MONTHLY_LIMIT (0 when within the limit)."""
    count = InspectionVisit.objects.filter(
        enterprise=enterprise, visited_on__year=month.year, visited_on__month=month.month
    ).count()
    return max(0, count - settings.TUIJIN_VISIT_MONTHLY_LIMIT)


@transaction.atomic
def inspection_visit_register(
    *,
    actor,
    enterprise,
    visiting_unit,
    visitors: str,
    visited_on: date,
    purpose: str,
    legal_basis: str,
    justification: str = "",
) -> tuple[InspectionVisit, list[str]]:
    """Register a visit; returns (visit, warnings). A visit in a quiet period needs a justification."""
    if not actor.has_perm("tickets.add_inspectionvisit"):
        raise PermissionDenied(_("您没有登记涉企检查的权限。"))
    quiet = QuietPeriod.objects.filter(enterprise=enterprise, start__lte=visited_on, end__gte=visited_on).first()
    if quiet is not None and not justification.strip():
        raise ValidationError(
            {
                "justification": _("%(e)s 在 %(s)s 至 %(t)s 为免打扰期，到访须说明理由。")
                % {"e": enterprise.name, "s": quiet.start, "t": quiet.end}
            }
        )
    visit = InspectionVisit(
        enterprise=enterprise,
        visiting_unit=visiting_unit,
        visitors=visitors.strip(),
        visited_on=visited_on,
        purpose=purpose.strip(),
        legal_basis=legal_basis.strip(),
        justification=justification.strip(),
        registered_by=actor,
    )
    visit.full_clean()
    visit.save()
    warnings = []
    extra = visits_over_limit(enterprise, visited_on)
    if extra:
        warnings.append(
            _("%(e)s 本月已被检查 %(n)d 次，超过每月 %(l)d 次的上限。")
            % {
                "e": enterprise.name,
                "n": extra + settings.TUIJIN_VISIT_MONTHLY_LIMIT,
                "l": settings.TUIJIN_VISIT_MONTHLY_LIMIT,
            }
        )
    return visit, warnings

"""Ticket pages: the pool (filters, overdue and escalation badges, Excel export), raising a ticket (units, leaders and
the 企业服务 portal for enterprise users), the detail page (timeline, deadlines, escalations, attachments, the action
forms of whoever may act), one POST endpoint for every workflow step, and turning a report problem into a ticket.

Thin: parse input, call a service in services.py, render. Rows are scoped with `restrict()`: no permission → 403,
out of scope → 404. The services check the permission of every step again.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.conflicts import conflict_response, submitted_rows
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.locking import changes_since
from tuijin.core.permissions import DenialReason, denial_record, deny, require, scoped_object_or_404
from tuijin.core.views_generic import ObjectDetailView, ObjectListView, stored_file_response
from tuijin.org.scoping import user_memberships
from tuijin.utilities.excel import XLSX_CONTENT_TYPE, neutralize

from . import services
from .choices import Rating, TicketEventType, TicketSource, TicketStatus
from .filtersets import OPEN_STATUSES, TicketFilterSet, is_enterprise_user, lead_unit_choices
from .forms import ACTIONS, TicketActionForm, TicketForm
from .models import Ticket, TicketAttachment, TicketEscalation

__all__ = [
    "TicketListView",
    "TicketView",
    "event_detail",
    "problem_to_ticket",
    "ticket_action",
    "ticket_actions",
    "ticket_add",
    "ticket_attachment",
    "ticket_export",
    "tickets_xlsx",
]

LIST_RELATED = ("project", "enterprise", "lead_unit", "raised_unit")
ESCALATION_LABELS = dict(TicketEscalation.LEVELS)


def _messages_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return getattr(exc, "message", None) or str(exc)


def _attachment_add(*, actor, ticket: Ticket, checked, name: str) -> TicketAttachment:
    """Store an upload already checked by content (forms.checked_attachment) as the ticket's attachment."""
    attachment = TicketAttachment(
        ticket=ticket,
        original_name=(name or "file")[-200:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(f"{checked.sha256}{checked.extension}", ContentFile(checked.content), save=False)
    attachment.save()
    return attachment


def _in_lead_unit(user, ticket: Ticket) -> bool:
    if ticket.lead_unit is None:
        return False
    return any(ticket.lead_unit.path.startswith(m.unit.path) for m in user_memberships(user))


def _awaiting_rating(events) -> bool:
    """No rating since the ticket was last resolved (a reopened ticket is rated again after it is resolved again)."""
    last_resolved = last_rated = None
    for event in events:
        if event.type == TicketEventType.RESOLVED:
            last_resolved = event
        elif event.type == TicketEventType.RATED:
            last_rated = event
    return last_rated is None or (last_resolved is not None and last_resolved.pk > last_rated.pk)


def event_detail(event) -> str:
    """The details of a timeline entry as one line of Chinese text."""
    data = event.data or {}
    if event.type == TicketEventType.RAISED:
        return str(dict(TicketSource.choices).get(data.get("source", ""), ""))
    if event.type == TicketEventType.ASSIGNED:
        text = _("牵头单位：%(u)s") % {"u": data.get("lead_unit", "")}
        if data.get("co_units"):
            text += _("；配合单位：%(c)s") % {"c": "、".join(data["co_units"])}
        if data.get("note"):
            text += _("；说明：%(n)s") % {"n": data["note"]}
        return text
    if event.type == TicketEventType.TRANSFERRED:
        return _("%(old)s → %(new)s；原因：%(r)s") % {
            "old": data.get("old") or "—",
            "new": data.get("new", ""),
            "r": data.get("reason", ""),
        }
    if event.type == TicketEventType.RATED:
        label = str(dict(Rating.choices).get(data.get("rating", ""), ""))
        return f"{label}：{data['comment']}" if data.get("comment") else label
    if event.type == TicketEventType.ESCALATED:
        level = data.get("level", 0)
        return _("第%(l)d级（%(n)s），超期 %(d)s 个工作日") % {
            "l": level,
            "n": ESCALATION_LABELS.get(level, ""),
            "d": data.get("overdue_workdays", ""),
        }
    for key in ("note", "reason", "result", "explanation", "comment"):
        if data.get(key):
            return str(data[key])
    return ""


def ticket_actions(user, ticket: Ticket, events=()) -> set[str]:
    """The steps `user` may take on `ticket` now (the detail page shows only these forms; services check again)."""
    status = ticket.status
    actions: set[str] = set()
    dispatch = user.has_perm("tickets.dispatch_ticket")
    if dispatch:
        if status == TicketStatus.PENDING and ticket.responded_at is None:
            actions.add("accept")
        if status in (TicketStatus.PENDING, TicketStatus.ASSIGNED):
            actions.add("assign")
        if status in (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS):
            actions.add("transfer")
        if status in (*OPEN_STATUSES, TicketStatus.RESOLVED):
            actions.add("unresolvable")
    if user.has_perm("tickets.handle_ticket") and (dispatch or _in_lead_unit(user, ticket)):
        if status == TicketStatus.ASSIGNED:
            actions.add("start")
        if status in (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS):
            actions |= {"progress", "resolve", "return"}
    if status == TicketStatus.RESOLVED and (user.pk == ticket.raised_by_id or user.has_perm("tickets.close_ticket")):
        actions.add("close")
    if (
        user.has_perm("tickets.rate_ticket")
        and status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
        and _awaiting_rating(events)
    ):
        actions.add("rate")
    if user.has_perm("tickets.add_ticketattachment") and status not in (
        TicketStatus.CLOSED,
        TicketStatus.UNRESOLVABLE,
    ):
        actions.add("attach")
    return actions


class TicketListView(ObjectListView):
    """The ticket pool: everything in the user's scope (an enterprise user sees its own enterprise's tickets)."""

    queryset = Ticket.objects.select_related(*LIST_RELATED)
    filterset_class = TicketFilterSet
    template_name = "tickets/ticket_list.html"
    table_template = "tickets/htmx/ticket_table.html"
    title = gettext_lazy("协调工单")
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        portal = is_enterprise_user(user)
        title = _("我的诉求（企业服务）") if portal else str(self.title)
        todo = self.filterset.todo_label if self.filterset is not None else ""
        context.update(
            title=f"{title} · {todo}" if todo else title,
            todo=todo,
            portal=portal,
            today=timezone.localdate(),
            escalation_labels=ESCALATION_LABELS,
            can_add=user.has_perm("tickets.add_ticket"),
            can_export=user.has_perm("tickets.export_ticket"),
        )
        return context


class TicketView(ObjectDetailView):
    queryset = Ticket.objects.select_related(*LIST_RELATED, "raised_by", "from_problem__report")
    template_name = "tickets/ticket.html"
    show_history = False  # the timeline (TicketEvent) is the ticket's history

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket, user = self.object, self.request.user
        portal = is_enterprise_user(user)
        events = list(ticket.events.select_related("actor"))
        if portal:  # the internal supervision (超期升级, its levels and who was told) is not the enterprise's to read
            events = [event for event in events if event.type != TicketEventType.ESCALATED]
        for event in events:
            event.detail = event_detail(event)
        actions = ticket_actions(user, ticket, events)
        today = timezone.localdate()
        context.update(
            events=events,
            escalations=[] if portal else list(ticket.escalations.all()),
            escalation_labels=ESCALATION_LABELS,
            attachments=list(ticket.attachments.select_related("uploaded_by")),
            co_units=list(ticket.co_units.all()),
            actions=actions,
            step_actions=actions - {"attach"},
            # the project office may handle for the lead unit: its handling forms are folded away
            handle_collapsed=bool(actions & {"start", "progress", "resolve", "return"})
            and user.has_perm("tickets.dispatch_ticket")
            and not _in_lead_unit(user, ticket),
            units=list(lead_unit_choices(user)) if actions & {"assign", "transfer"} else [],
            ratings=Rating.choices,
            today=today,
            response_overdue=ticket.status == TicketStatus.PENDING
            and ticket.responded_at is None
            and ticket.response_due < today,
            resolution_overdue=ticket.is_open and ticket.resolution_due < today,
            portal=portal,
        )
        return context


@login_required
def ticket_add(request):
    """Raise a ticket (units, leaders, the project office), or an enterprise's request in the 企业服务 portal."""
    require(request, "tickets.add_ticket")
    form = TicketForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                ticket = services.ticket_raise(
                    actor=request.user,
                    source=data.get("source") or TicketSource.ENTERPRISE,
                    category=data["category"],
                    title=data["title"],
                    description=data["description"],
                    help_requested=data.get("help_requested", ""),
                    project=data.get("project"),
                    enterprise=data.get("enterprise"),
                )
                if form.checked_upload is not None:
                    _attachment_add(
                        actor=request.user, ticket=ticket, checked=form.checked_upload, name=data["attachment"].name
                    )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                for error in errors:
                    form.add_error(key if key in form.fields else None, error)
        except PermissionDenied as exc:
            denial_record(request, action="add", obj=Ticket, reason=DenialReason.REFUSED, message=str(exc))
            form.add_error(None, str(exc))
        except ApplicationError as exc:
            form.add_error(None, _messages_of(exc))
        else:
            messages.success(
                request,
                _("已提交工单 %(n)s，项目办将在 %(d)s 前受理。") % {"n": ticket.number, "d": ticket.response_due},
            )
            if Ticket.objects.restrict(request.user, "view").filter(pk=ticket.pk).exists():
                return redirect(ticket)
            return redirect("tickets:ticket_list")
    return render(request, "tickets/ticket_form.html", {"form": form, "portal": form.is_enterprise})


def _perform(user, ticket: Ticket, form: TicketActionForm) -> str:
    """Run one workflow step through its service; returns the success message."""
    data = form.cleaned_data
    action, version = data["action"], data["version"]
    common = {"actor": user, "ticket": ticket, "version": version}
    if action == "accept":
        services.ticket_accept(**common)
        return _("已受理。")
    if action == "assign":
        services.ticket_assign(
            **common, lead_unit=data["lead_unit"], co_units=list(data["co_units"]), note=data["note"]
        )
        return _("已交办至 %(u)s。") % {"u": data["lead_unit"].display_name}
    if action == "start":
        services.ticket_start(**common)
        return _("已开始办理。")
    if action == "progress":
        services.ticket_progress(**common, note=data["note"])
        return _("已记录办理进展。")
    if action == "transfer":
        services.ticket_transfer(**common, lead_unit=data["lead_unit"], reason=data["reason"])
        return _("已转办至 %(u)s。") % {"u": data["lead_unit"].display_name}
    if action == "return":
        services.ticket_return(**common, reason=data["reason"])
        return _("已退回项目办重新交办。")
    if action == "resolve":
        services.ticket_resolve(**common, result=data["result"])
        return _("已办结，等待提出方核实销号。")
    if action == "close":
        services.ticket_close(**common)
        return _("已销号。")
    if action == "unresolvable":
        services.ticket_unresolvable(**common, explanation=data["explanation"])
        return _("已标记为无法解决，并向提出方说明原因。")
    if action == "rate":
        rated = services.ticket_rate(**common, rating=data["rating"], comment=data["comment"])
        if rated.status == TicketStatus.IN_PROGRESS:
            return _("感谢评价。工单已转回牵头单位重新办理（回访）。")
        return _("感谢您的评价。")
    # attach
    if not user.has_perm("tickets.add_ticketattachment"):
        raise PermissionDenied(_("您没有上传附件的权限。"))
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.UNRESOLVABLE):
        raise ApplicationError(_("工单已结束，不能再上传附件。"), code="ticket_finished")
    _attachment_add(actor=user, ticket=ticket, checked=form.checked_upload, name=data["file"].name)
    return _("附件已上传。")


# The form fields of the action forms that are stored on the ticket, by the ticket field they set.
ACTION_TICKET_FIELDS = {
    "lead_unit": "lead_unit",
    "co_units": "co_units",
    "result": "result",
    "explanation": "unresolvable_reason",
    "rating": "rating",
    "comment": "rating_comment",
}
ACTION_TEXT_FIELDS = ("note", "reason")  # written to the timeline only


def _ticket_conflict(request, exc: ConflictError, ticket: Ticket, form: TicketActionForm):
    """A step taken on a stale ticket (someone acted since the page was opened): the shared conflict page (409)
    with what they did, and what this user submitted, which is not lost. The step can be posted again on the
    current version only if it is still one this user may take; otherwise the page just keeps the typed text."""
    current = exc.current
    back = ticket.get_absolute_url()
    data = form.cleaned_data
    action = data["action"]
    label = str(dict(ACTIONS).get(action, action))
    if current is None:
        return conflict_response(
            request,
            exc,
            title=_("操作未完成：该工单已不存在"),
            rows=[],
            retry_url="",
            back_url=reverse("tickets:ticket_list"),
        )
    rows: list[tuple[str, object, object]] = [
        (_("办理操作"), _("当前状态：%(s)s") % {"s": current.get_status_display()}, label)
    ]
    stored = {
        ACTION_TICKET_FIELDS[k]: list(v) if k == "co_units" else v
        for k, v in data.items()
        if k in ACTION_TICKET_FIELDS and v not in ("", None) and (k != "co_units" or v)
    }
    rows += submitted_rows(current, stored, list(stored))
    for name in ACTION_TEXT_FIELDS:
        if (data.get(name) or "").strip():
            rows.append((str(form.fields[name].label), "—", data[name].strip()))
    events = list(current.events.all())
    again = action in ticket_actions(request.user, current, events)
    return conflict_response(
        request,
        exc,
        title=_("操作未完成：该工单已被他人处理"),
        rows=rows,
        retry_url=reverse("tickets:ticket_action", args=[current.pk]) if again else "",
        back_url=back,
        resubmit_label=_("按最新状态重新提交“%(a)s”") % {"a": label},
    )


@require_http_methods(["GET", "POST"])
@login_required
def ticket_action(request, pk: int):
    """Every workflow step of the detail page: `action` picks the service, `version` guards against conflicts (a
    stale step gets the conflict page). GET (the conflict page's 载入最新版本) goes to the ticket page."""
    ticket = scoped_object_or_404(request, Ticket.objects.select_related("lead_unit"), pk)
    if request.method == "GET":
        return redirect(ticket)
    form = TicketActionForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        if "action" in form.errors or "version" in form.errors:
            messages.error(request, _("请求无效，请刷新页面后重试。"))
        else:
            messages.error(request, form.error_text())
        return redirect(ticket)
    try:
        with transaction.atomic():
            done = _perform(request.user, ticket, form)
    except ConflictError as exc:
        return _ticket_conflict(request, exc, ticket, form)
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _messages_of(exc))
    except PermissionDenied as exc:
        if form.cleaned_data["version"] != ticket.version:
            # Refused because the ticket moved on since the page was opened (e.g. transferred to another unit):
            # that is a conflict, and what the user typed is shown again rather than lost on a 403 page.
            stale = ConflictError(
                _("该工单刚被他人处理（当前状态：%(status)s），您的操作未执行。")
                % {"status": ticket.get_status_display()},
                current=ticket,
                changes=changes_since(ticket, form.cleaned_data["version"]),
            )
            return _ticket_conflict(request, stale, ticket, form)
        deny(
            request,
            obj=ticket,
            reason=DenialReason.REFUSED,
            message=str(exc),
            extra={"action": form.cleaned_data["action"]},
        )
    else:
        messages.success(request, done)
    return redirect(ticket)


@login_required
def ticket_attachment(request, pk: int):
    return stored_file_response(scoped_object_or_404(request, TicketAttachment.objects.all(), pk))


@require_POST
@login_required
def problem_to_ticket(request, problem_pk: int):
    """A problem raised in a monthly report becomes a coordination ticket (once; again → the same ticket)."""
    from tuijin.progress.models import ReportProblem

    require(request, "tickets.add_ticket")
    problem = scoped_object_or_404(request, ReportProblem.objects.select_related("report__project"), problem_pk)
    existed = Ticket.objects.filter(from_problem=problem).exists()
    try:
        ticket = services.ticket_from_problem(actor=request.user, problem=problem)
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _messages_of(exc))
        return redirect(problem.report)
    if existed:
        messages.info(request, _("该问题已转为工单 %(n)s。") % {"n": ticket.number})
    else:
        messages.success(request, _("已将月报问题转为协调工单 %(n)s。") % {"n": ticket.number})
    return redirect(ticket)


EXPORT_HEADERS = [
    "编号",
    "标题",
    "来源",
    "问题类别",
    "状态",
    "是否超期",
    "升级层级",
    "项目",
    "企业",
    "提出单位",
    "提出时间",
    "牵头单位",
    "配合单位",
    "响应时限",
    "首次响应",
    "办结时限",
    "办结时间",
    "销号时间",
    "企业评价",
    "回访重办次数",
    "问题描述",
    "需协调事项",
    "办理结果",
    "无法解决的说明",
]


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def tickets_xlsx(queryset) -> bytes:
    """The tickets as an .xlsx sheet: real dates and numbers, text neutralised against formula injection."""
    from openpyxl import Workbook

    today = timezone.localdate()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("协调工单")
    sheet.append(EXPORT_HEADERS)
    for t in queryset.select_related(*LIST_RELATED).prefetch_related("co_units"):
        overdue = t.is_open and t.resolution_due < today
        sheet.append(
            [
                t.number,
                neutralize(t.title),
                str(t.get_source_display()),
                neutralize(t.get_category_display()),  # the 项目办 names categories
                str(t.get_status_display()),
                "是" if overdue else "否",
                t.escalation_level,
                neutralize(t.project.name) if t.project else "",
                neutralize(t.enterprise.name) if t.enterprise else "",
                neutralize(t.raised_unit.name),
                _local(t.raised_at),
                neutralize(t.lead_unit.name) if t.lead_unit else "",
                neutralize("、".join(u.name for u in t.co_units.all())),
                t.response_due,
                _local(t.responded_at),
                t.resolution_due,
                _local(t.resolved_at),
                _local(t.closed_at),
                str(t.get_rating_display()) if t.rating else "",
                t.reopen_count,
                neutralize(t.description),
                neutralize(t.help_requested),
                neutralize(t.result),
                neutralize(t.unresolvable_reason),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@login_required
def ticket_export(request):
    require(request, "tickets.export_ticket")
    queryset = Ticket.objects.restrict(request.user, "view")
    queryset = TicketFilterSet(request.GET or None, queryset=queryset, request=request).qs
    content = tickets_xlsx(queryset)
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": "tickets", "filters": request.GET.dict()})
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="tickets-{stamp}.xlsx"'
    return response

"""Pages of 督办: the task list (tri-colour), a task's page with its workflow, meetings, the 督办通报 and statistics,
and the reading rules. Reading a meeting report is in views_reading.py.

Thin: forms parse, services decide, selectors read. Rows are scoped with `restrict()` (no permission → 403, out of
scope → 404). Refused input shows the page again (400) with what was typed; a stale version shows the shared
conflict page.
"""

from datetime import date, timedelta

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.conflicts import conflict_response
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import DenialReason, deny, require, scoped_object_or_404
from tuijin.core.views_generic import ObjectDetailView, ObjectListView, stored_file_response
from tuijin.org.models import OrgUnit, Person

from . import selectors, services
from .choices import MeetingKind, RuleKind, TaskColour, TaskSource, TaskStatus
from .forms import (
    CancelForm,
    CloseRequestForm,
    MeetingForm,
    ProgressForm,
    ReviewForm,
    RuleForm,
    TaskForm,
    apply_errors,
    leader_choices,
    unit_choices,
)
from .models import Meeting, MeetingAttachment, ReadingRule, Task, TaskAttachment

TASK_RELATED = ("responsible_unit", "leader", "meeting", "created_by")


def audit_export(request, what: str, rows: int) -> None:
    audit_event_record(
        event_type=AuditEventType.EXPORT, detail={"what": what, "rows": rows, "filters": request.GET.dict()}
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# -- task list --------------------------------------------------------------------------------------------------


class TaskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=gettext_lazy("搜索"))
    colour = django_filters.ChoiceFilter(
        choices=TaskColour.choices, method="filter_colour", label=gettext_lazy("督办状态")
    )
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices, label=gettext_lazy("办理状态"))
    unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.none(), method="filter_unit", label=gettext_lazy("责任单位")
    )
    leader = django_filters.ModelChoiceFilter(queryset=Person.objects.none(), label=gettext_lazy("分管领导"))
    source = django_filters.ChoiceFilter(choices=TaskSource.choices, label=gettext_lazy("来源"))
    meeting = django_filters.NumberFilter(field_name="meeting", widget=django_filters.widgets.forms.HiddenInput)
    todo = django_filters.CharFilter(method="filter_todo", widget=django_filters.widgets.forms.HiddenInput)

    class Meta:
        model = Task
        fields = ["q", "colour", "status", "unit", "leader", "source", "meeting", "todo"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        self.user = user
        self.filters["unit"].queryset = unit_choices(user)
        self.filters["leader"].queryset = leader_choices(user)
        for name in ("colour", "status", "unit", "leader", "source"):
            self.filters[name].extra["empty_label"] = _("全部")

    def filter_q(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(Q(title__icontains=value) | Q(number__icontains=value) | Q(content__icontains=value))

    def filter_colour(self, queryset, name, value):
        return queryset.filter(colour=value)

    def filter_unit(self, queryset, name, value):
        return queryset.filter(responsible_unit__path__startswith=value.path)

    def filter_todo(self, queryset, name, value):
        return todo_filter(self.user, queryset, value)


TODO_TITLES = {
    "report": gettext_lazy("待报送进展的督办事项"),
    "overdue": gettext_lazy("本单位超期的督办事项"),
    "review": gettext_lazy("待审核办结的督办事项"),
    "returned": gettext_lazy("办结申请被退回的督办事项"),
}


def todo_filter(user, queryset, value: str):
    """The rows a 待我处理 item counts (supervision/attention.py uses the same function)."""
    if value == "report":
        reportable = queryset.filter(pk__in=Task.objects.restrict(user, "report").values("pk"))
        return queryset.filter(pk__in=selectors.progress_due_ids(reportable))
    if value == "overdue":
        return queryset.filter(selectors.overdue_condition(), pk__in=Task.objects.restrict(user, "report").values("pk"))
    if value == "review":
        return queryset.filter(pk__in=Task.objects.restrict(user, "review").values("pk"), status=TaskStatus.REVIEW)
    if value == "returned":
        return queryset.filter(
            pk__in=Task.objects.restrict(user, "report").values("pk"),
            status=TaskStatus.IN_PROGRESS,
            events__type="returned",
        ).distinct()
    return queryset


class TaskListView(ObjectListView):
    queryset = Task.objects.select_related(*TASK_RELATED)
    filterset_class = TaskFilterSet
    template_name = "supervision/task_list.html"
    table_template = "supervision/task_table.html"
    title = gettext_lazy("督办事项")

    def get_queryset(self):
        self.queryset = selectors.with_colour(self.queryset).order_by("deadline", "pk")
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        todo = self.request.GET.get("todo", "")
        if todo in TODO_TITLES:
            context["title"] = TODO_TITLES[todo]
        scoped = selectors.with_colour(Task.objects.restrict(self.request.user, "view"))
        context["colour_counts"] = {
            row["colour"]: row["n"] for row in scoped.values("colour").annotate(n=django_count()).order_by()
        }
        context["colours"] = TaskColour
        context["can_add"] = self.request.user.has_perm("supervision.add_task")
        context["can_export"] = self.request.user.has_perm("supervision.export_task")
        return context


def django_count():
    from django.db.models import Count

    return Count("pk")


# -- a task -----------------------------------------------------------------------------------------------------


def _task_context(request, task: Task, forms: dict | None = None) -> dict:
    user = request.user
    forms = forms or {}
    is_office = user.has_perm("supervision.review_task")
    can_report = (
        task.status == TaskStatus.IN_PROGRESS
        and user.has_perm("supervision.report_task")
        and Task.objects.restrict(user, "report").filter(pk=task.pk).exists()
    )
    responsible = can_report and _is_responsible(user, task)
    can_review = (
        task.status == TaskStatus.REVIEW
        and is_office
        and Task.objects.restrict(user, "review").filter(pk=task.pk).exists()
    )
    can_change = (
        task.is_open
        and user.has_perm("supervision.change_task")
        and Task.objects.restrict(user, "change").filter(pk=task.pk).exists()
    )
    initial = {"version": task.version}
    return {
        "task": task,
        "colour": selectors.colour_of(task),
        "events": task.events.select_related("actor").prefetch_related("attachments"),
        "attachments": task.attachments.all(),
        "escalations": task.escalations.all(),
        "co_units": task.co_units.all(),
        "projects": task.projects.restrict(user, "view"),
        "tickets": task.tickets.restrict(user, "view"),
        "leads": task.leads.restrict(user, "view"),
        "progress_form": forms.get("progress") or (ProgressForm(initial=initial) if can_report else None),
        "close_form": forms.get("close") or (CloseRequestForm(initial=initial) if responsible else None),
        "review_form": forms.get("review") or (ReviewForm(initial=initial) if can_review else None),
        "cancel_form": forms.get("cancel") or (CancelForm(initial=initial) if can_change else None),
        "can_change": can_change,
        "history": object_history(task),
    }


def _is_responsible(user, task: Task) -> bool:
    try:
        services._responsible_check(user, task, co_allowed=False)
    except PermissionDenied:
        return False
    return True


class TaskView(ObjectDetailView):
    queryset = Task.objects.select_related(*TASK_RELATED)
    template_name = "supervision/task.html"
    show_history = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_task_context(self.request, self.object))
        return context


def _task_page(request, task: Task, forms: dict, status: int = 400):
    task = Task.objects.select_related(*TASK_RELATED).get(pk=task.pk)
    context = {"object": task}
    context.update(_task_context(request, task, forms))
    return render(request, "supervision/task.html", context, status=status)


ACTIONS = {
    "progress": (ProgressForm, "report"),
    "close": (CloseRequestForm, "report"),
    "review": (ReviewForm, "review"),
    "cancel": (CancelForm, "change"),
}


@require_POST
@login_required
def task_action(request, pk: int, action: str):
    """报告进展 / 申请办结 / 审核 / 撤销 on the version the user saw."""
    if action not in ACTIONS:
        deny(request, action=action, reason=DenialReason.NO_PERMISSION)
    form_class, scope_action = ACTIONS[action]
    task = scoped_object_or_404(request, Task.objects.select_related(*TASK_RELATED), pk, action=scope_action)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return _task_page(request, task, {action: form})
    data = form.cleaned_data
    try:
        if action == "progress":
            services.task_report_progress(
                actor=request.user, task=task, version=data["version"], note=data["note"], files=data["files"]
            )
            done = _("进展已报送。")
        elif action == "close":
            services.task_request_close(
                actor=request.user, task=task, version=data["version"], result=data["result"], files=data["files"]
            )
            done = _("已申请办结，等待督办部门审核。")
        elif action == "review":
            approve = data["decision"] == "approve"
            services.task_review(
                actor=request.user, task=task, version=data["version"], approve=approve, comment=data["comment"]
            )
            done = _("已审核通过，事项办结。") if approve else _("已退回责任单位继续办理。")
        else:
            services.task_cancel(actor=request.user, task=task, version=data["version"], reason=data["reason"])
            done = _("事项已撤销。")
    except ConflictError as exc:
        typed = {k: v for k, v in data.items() if k not in ("version", "files")}
        return conflict_response(
            request,
            exc,
            title=_("未保存：该督办事项已被他人处理"),
            rows=[(str(form.fields[k].label), "—", v) for k, v in typed.items() if k in form.fields],
            retry_url="",
            back_url=reverse("supervision:task", args=[task.pk]),
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _task_page(request, task, {action: form})
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _task_page(request, task, {action: form})
    except PermissionDenied as exc:
        deny(request, obj=task, reason=DenialReason.REFUSED, message=str(exc))
    messages.success(request, done)
    return redirect(reverse("supervision:task", args=[task.pk]))


@require_http_methods(["GET", "POST"])
@login_required
def task_add(request):
    """交办 a task (from a meeting when `?meeting=` is given: source 会议决定, the meeting preselected)."""
    require(request, "supervision.add_task")
    initial = {"source": TaskSource.INSTRUCTION}
    meeting_pk = request.GET.get("meeting", "")
    meeting = None
    if meeting_pk.isdigit():
        meeting = scoped_object_or_404(request, Meeting.objects.all(), int(meeting_pk), permission=False)
        initial.update(
            meeting=meeting.pk,
            source=TaskSource.VISIT if meeting.kind == MeetingKind.STUDY_VISIT else TaskSource.MEETING,
        )
    form = TaskForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                task = services.task_create(actor=request.user, **form.service_kwargs())
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("督办事项 %(n)s 已交办，已通知责任单位。") % {"n": task.number})
                if "another" in request.POST and task.meeting_id:
                    return redirect(reverse("supervision:task_add") + f"?meeting={task.meeting_id}")
                return redirect(task.get_absolute_url())
    return render(
        request, "supervision/task_form.html", {"form": form, "meeting": meeting, "task": None}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def task_edit(request, pk: int):
    task = scoped_object_or_404(request, Task.objects.select_related(*TASK_RELATED), pk, action="change")
    if not task.is_open:
        messages.warning(request, _("已办结或已撤销的事项不能修改。"))
        return redirect(task.get_absolute_url())
    initial = {
        "version": task.version,
        "title": task.title,
        "content": task.content,
        "source_reference": task.source_reference,
        "responsible_unit": task.responsible_unit_id,
        "co_units": list(task.co_units.values_list("pk", flat=True)),
        "leader": task.leader_id,
        "deadline": task.deadline,
        "deadline_workdays": None,
        "report_every_workdays": task.report_every_workdays,
        "project_refs": "、".join(task.projects.values_list("name", flat=True)),
        "ticket_refs": "、".join(task.tickets.values_list("number", flat=True)),
        "lead_refs": "、".join(task.leads.values_list("name", flat=True)),
    }
    form = TaskForm(request.POST or None, user=request.user, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            kwargs = form.service_kwargs()
            data = {k: kwargs[k] for k in (*services.TASK_EDIT_FIELDS, *services.TASK_M2M)}
            data["deadline"], data["deadline_workdays"] = kwargs["deadline"], kwargs["deadline_workdays"]
            try:
                services.task_update(
                    actor=request.user,
                    task=task,
                    version=form.cleaned_data["version"],
                    data=data,
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ConflictError as exc:
                return conflict_response(
                    request,
                    exc,
                    title=_("未保存：该督办事项已被他人修改"),
                    rows=[(_("督办事项"), task.title, form.cleaned_data["title"])],
                    retry_url=reverse("supervision:task_edit", args=[task.pk]),
                    back_url=task.get_absolute_url(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except (ApplicationError, PermissionDenied) as exc:
                form.add_error(None, getattr(exc, "message", str(exc)))
            else:
                messages.success(request, _("督办事项已保存。"))
                return redirect(task.get_absolute_url())
    return render(
        request, "supervision/task_form.html", {"form": form, "task": task, "meeting": task.meeting}, status=status
    )


@require_GET
@login_required
def task_attachment(request, pk: int):
    attachment = scoped_object_or_404(request, TaskAttachment.objects.all(), pk)
    return stored_file_response(attachment)


@require_GET
@login_required
def task_export(request):
    """The list (with its filters) as XLSX, audited."""
    require(request, "supervision.export_task")
    from tuijin.utilities.excel import table_xlsx

    queryset = selectors.with_colour(Task.objects.restrict(request.user, "view").select_related(*TASK_RELATED))
    filterset = TaskFilterSet(request.GET or None, queryset=queryset.order_by("deadline", "pk"), request=request)
    rows = list(filterset.qs[:20000])
    audit_export(request, "supervision.task", len(rows))
    colours = dict(TaskColour.choices)
    content = table_xlsx(
        str(_("督办事项")),
        [
            _("编号"),
            _("督办事项"),
            _("来源"),
            _("责任单位"),
            _("分管领导"),
            _("交办日期"),
            _("办结时限"),
            _("督办状态"),
            _("办理状态"),
            _("办结日期"),
            _("升级层级"),
        ],
        (
            [
                t.number,
                t.title,
                t.get_source_display(),
                t.responsible_unit.name,
                t.leader.name if t.leader else "",
                t.assigned_on,
                t.deadline,
                str(colours.get(t.colour, "")),
                t.get_status_display(),
                t.finished_on,
                t.escalation_level,
            ]
            for t in rows
        ),
        widths=[14, 40, 10, 18, 10, 12, 12, 10, 10, 12, 8],
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''duban.xlsx"
    return response


# -- meetings ---------------------------------------------------------------------------------------------------


class MeetingFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=gettext_lazy("会议类型"))
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=gettext_lazy("搜索"))

    class Meta:
        model = Meeting
        fields = ["kind", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["kind"].extra["empty_label"] = _("全部")


class MeetingListView(ObjectListView):
    queryset = Meeting.objects.select_related("chair", "organiser")
    filterset_class = MeetingFilterSet
    template_name = "supervision/meeting_list.html"
    table_template = "supervision/meeting_table.html"
    title = gettext_lazy("会议与考察")

    def get_queryset(self):
        from django.db.models import Count

        self.queryset = self.queryset.annotate(
            task_count=Count("tasks", distinct=True),
            done_count=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True),
        ).order_by("-held_on", "-pk")
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = self.request.user.has_perm("supervision.add_meeting")
        return context


class MeetingView(ObjectDetailView):
    queryset = Meeting.objects.select_related("chair", "organiser", "created_by")
    template_name = "supervision/meeting.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        user = self.request.user
        tasks = selectors.with_colour(
            Task.objects.restrict(user, "view").filter(meeting=meeting).select_related("responsible_unit", "leader")
        ).order_by("number")
        context.update(
            meeting=meeting,
            tasks=tasks,
            hidden_tasks=meeting.tasks.count() - len(tasks),
            leaders=meeting.leaders.annotate(rank=Min("positions__rank")).order_by("rank", "name"),
            units=meeting.units.all(),
            attachments=meeting.attachments.all(),
            can_change=user.has_perm("supervision.change_meeting")
            and Meeting.objects.restrict(user, "change").filter(pk=meeting.pk).exists(),
            can_add_task=user.has_perm("supervision.add_task"),
            speakers=[line for line in meeting.speakers.splitlines() if line.strip()],
        )
        return context


def _meeting_form_page(request, form, meeting, status, agenda=None):
    return render(
        request, "supervision/meeting_form.html", {"form": form, "meeting": meeting, "agenda": agenda}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def meeting_add(request):
    """Register a meeting; `?kind=dispatch` (调度会) starts from the agenda assembled from the current state."""
    require(request, "supervision.add_meeting")
    kind = request.GET.get("kind", "")
    initial = {"held_on": timezone.localdate(), "kind": kind if kind in MeetingKind.values else MeetingKind.DISPATCH}
    agenda = None
    if initial["kind"] == MeetingKind.DISPATCH and request.method == "GET":
        from .agenda import assemble_dispatch_agenda

        agenda = assemble_dispatch_agenda(request.user)
        initial.update(
            agenda=agenda.as_text(),
            title=_("%(m)s月项目建设调度会") % {"m": timezone.localdate().month},
        )
    form = MeetingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = services.meeting_create(actor=request.user, data=form.service_data())
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("会议已登记。可在会议页面逐条交办议定事项。"))
                return redirect(meeting.get_absolute_url())
        return _meeting_form_page(request, form, None, 400)
    return _meeting_form_page(request, form, None, 200, agenda)


@require_http_methods(["GET", "POST"])
@login_required
def meeting_edit(request, pk: int):
    meeting = scoped_object_or_404(request, Meeting.objects.all(), pk, action="change")
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)
    if request.method == "POST":
        version = request.POST.get("version")
        if form.is_valid():
            # the ModelForm wrote the typed values onto `meeting`; the service saves them on the version seen
            try:
                services.meeting_update(actor=request.user, meeting=meeting, version=version, data=form.service_data())
            except ConflictError as exc:
                return conflict_response(
                    request,
                    exc,
                    title=_("未保存：该会议已被他人修改"),
                    rows=[(_("会议名称"), "—", form.cleaned_data["title"])],
                    retry_url=reverse("supervision:meeting_edit", args=[meeting.pk]),
                    back_url=meeting.get_absolute_url(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("会议已保存。"))
                return redirect(meeting.get_absolute_url())
        return _meeting_form_page(request, form, meeting, 400)
    return _meeting_form_page(request, form, meeting, 200)


@require_POST
@login_required
def meeting_upload(request, pk: int):
    require(request, "supervision.add_meetingattachment")
    meeting = scoped_object_or_404(request, Meeting.objects.all(), pk, action="change", permission=False)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            services.meeting_attachment_add(actor=request.user, meeting=meeting, uploaded=uploaded)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("附件已上传。"))
    return redirect(meeting.get_absolute_url())


@require_GET
@login_required
def meeting_attachment(request, pk: int):
    attachment = scoped_object_or_404(request, MeetingAttachment.objects.all(), pk)
    return stored_file_response(attachment)


@require_GET
@login_required
def meeting_minutes(request, pk: int):
    """The 会议纪要 as DOCX."""
    meeting = scoped_object_or_404(request, Meeting.objects.select_related("chair", "organiser"), pk)
    from .documents import minutes_docx

    audit_export(request, "supervision.meeting_minutes", 1)
    response = HttpResponse(minutes_docx(meeting), content_type=DOCX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''minutes.docx"
    return response


# -- 督办通报 and statistics ------------------------------------------------------------------------------------


def _period(request) -> tuple[date, date, str]:
    """The report's period from ?start=&end= (default: the current month up to today); a bad date → the default,
    with a message."""
    today = timezone.localdate()
    start, end = today - timedelta(days=30), today
    error = ""
    try:
        if request.GET.get("start"):
            start = date.fromisoformat(request.GET["start"])
        if request.GET.get("end"):
            end = date.fromisoformat(request.GET["end"])
    except ValueError:
        start, end, error = today - timedelta(days=30), today, _("日期格式不正确，已改用最近 30 天。")
    if end < start:
        start, end, error = today - timedelta(days=30), today, _("结束日期早于开始日期，已改用最近 30 天。")
    if (end - start) > timedelta(days=366):
        start, error = end - timedelta(days=366), _("统计期不能超过一年，已截取最近一年。")
    return start, end, error


@require_GET
@login_required
def report(request):
    """督办通报: overdue and finished tasks with completion by unit and by leader, and its DOCX/XLSX downloads."""
    require(request, "supervision.export_task")
    start, end, error = _period(request)
    queryset = Task.objects.restrict(request.user, "view")
    fmt = request.GET.get("format", "")
    if fmt in ("docx", "xlsx"):
        from . import documents

        today = timezone.localdate()
        audit_export(request, f"supervision.report.{fmt}", queryset.count())
        if fmt == "docx":
            response = HttpResponse(documents.report_docx(queryset, start, end, today), content_type=DOCX)
        else:
            response = HttpResponse(documents.report_xlsx(queryset, start, end, today), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''duban-tongbao-{end:%Y%m%d}.{fmt}"
        return response
    rows = selectors.report_rows(queryset, start, end)
    context = {
        "start": start,
        "end": end,
        "error": error,
        "overdue": rows["overdue"],
        "finished": rows["finished"],
        "by_unit": selectors.stats_by_unit(queryset),
        "by_leader": selectors.stats_by_leader(queryset),
    }
    return render(request, "supervision/report.html", context)


@require_GET
@login_required
def dashboard(request):
    """督办统计: completion by unit and by leader (the 驾驶舱 panel links here)."""
    require(request, "supervision.dashboard_task")
    queryset = Task.objects.restrict(request.user, "dashboard")
    context = {
        "by_unit": selectors.stats_by_unit(queryset),
        "by_leader": selectors.stats_by_leader(queryset),
        "colour_counts": dict(
            selectors.with_colour(queryset).values_list("colour").annotate(n=django_count()).order_by()
        ),
        "colours": TaskColour,
    }
    return render(request, "supervision/dashboard.html", context)


@require_GET
@login_required
def dashboard_tile(request):
    """The 驾驶舱's 督办 tile (htmx): the colour counts and the units and leaders with the most overdue tasks."""
    require(request, "supervision.dashboard_task")
    queryset = Task.objects.restrict(request.user, "dashboard")
    context = {
        "by_unit": selectors.stats_by_unit(queryset)[:8],
        "by_leader": selectors.stats_by_leader(queryset)[:8],
        "colour_counts": dict(
            selectors.with_colour(queryset).values_list("colour").annotate(n=django_count()).order_by()
        ),
    }
    return render(request, "supervision/dashboard_tile.html", context)


# -- reading rules ----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def rules(request):
    """读入规则: the words the reader looks for, by kind; the office adds a marker or a name, or switches one off."""
    require(request, "supervision.view_readingrule")
    form = RuleForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    status = 200
    if request.method == "POST":
        require(request, "supervision.add_readingrule")
        status = 400
        if form.is_valid():
            try:
                services.rule_add(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("规则已添加，下次读入报道时生效。"))
                return redirect(reverse("supervision:rules") + f"?kind={form.cleaned_data['kind']}")
    kind = request.GET.get("kind") or RuleKind.DIRECTIVE
    if kind not in RuleKind.values:
        kind = RuleKind.DIRECTIVE
    value_labels = {
        "strong": _("强（单独出现即为部署要求）"),
        "weak": _("弱（非叙述语境才算）"),
        **{code: str(label) for code, label in MeetingKind.choices},
    }
    rows = list(ReadingRule.objects.filter(kind=kind).order_by("-is_active", "text"))
    for row in rows:
        row.value_label = value_labels.get(row.value, row.value)  # type: ignore[attr-defined]
    context = {
        "form": form,
        "kind": kind,
        "kinds": RuleKind.choices,
        "rules": rows,
        "can_change": request.user.has_perm("supervision.change_readingrule"),
    }
    return render(request, "supervision/rules.html", context, status=status)


@require_POST
@login_required
def rule_toggle(request, pk: int):
    require(request, "supervision.change_readingrule")
    rule = scoped_object_or_404(request, ReadingRule.objects.all(), pk, action="change", permission=False)
    try:
        services.rule_set(
            actor=request.user, rule=rule, version=request.POST.get("version"), is_active=not rule.is_active
        )
    except ConflictError:
        messages.error(request, _("该规则刚被他人修改，请重试。"))
    else:
        messages.success(
            request,
            _("已停用“%(t)s”。") % {"t": rule.text} if not rule.is_active else _("已启用“%(t)s”。") % {"t": rule.text},
        )
    return redirect(reverse("supervision:rules") + f"?kind={rule.kind}")

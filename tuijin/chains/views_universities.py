"""Pages of 政产学研 (/chains/universities/): the register of the universities' resources (filters, XLSX export,
template and import with preview), a resource's page (its nodes, the gap nodes and open 技术/人才 诉求 it fits, each
with the explanation, its cooperation records and history), the resource form, the cooperation records (list,
export, form) and the match page (?node=, ?ticket= or ?resource=: the ranked matches with "匹配：…"; without a
parameter the 诉求 that have a fitting resource and no cooperation yet).

Thin: forms parse, services (universities.py) decide, matching.py ranks. Rows are read through `restrict()` (no
permission → 403, a 诉求 out of scope → 404; a cooperation's 诉求 is shown only to those who may see it). Refused input
shows the page again (400) with what was typed and the Chinese error next to the field; a stale version shows the
shared conflict page (409).
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.conflicts import conflict_response, submitted_rows
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import DenialReason, deny, require, scoped_object_or_404
from tuijin.core.views_generic import ObjectListView
from tuijin.tickets.models import Ticket
from tuijin.utilities.excel import XLSX_CONTENT_TYPE, table_xlsx

from . import excel_universities, matching, universities
from .forms_universities import (
    CooperationFilterSet,
    CooperationForm,
    ImportForm,
    ResourceFilterSet,
    ResourceForm,
    apply_errors,
)
from .models import ChainNode, Cooperation, UniversityResource

__all__ = [
    "CooperationListView",
    "ResourceListView",
    "cooperation_edit",
    "cooperation_export",
    "match",
    "resource_detail",
    "resource_edit",
    "resource_export",
    "resource_import",
    "resource_import_apply",
    "resource_template",
    "visible_ticket_ids",
]

SESSION_KEY = "chains_resource_import"
EXPORT_LIMIT = 20000
NODE_LIMIT = 10
TICKET_LIMIT = 10
MATCH_LIMIT = 20
PENDING_LIMIT = 100


def _resources():
    nodes = ChainNode.objects.select_related("chain", "parent").order_by("chain__sort_order", "sort_order", "pk")
    return UniversityResource.objects.select_related("university").prefetch_related(Prefetch("nodes", queryset=nodes))


def _cooperations():
    return Cooperation.objects.select_related("resource__university", "node__chain", "ticket", "enterprise")


def visible_ticket_ids(user, cooperations) -> set[int]:
    """The 诉求 of these cooperation records that `user` may see (one query): the others are not named to them."""
    ids = {c.ticket_id for c in cooperations if c.ticket_id}
    if not ids or not user.has_perm("tickets.view_ticket"):
        return set()
    return set(Ticket.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True))


def _audit_export(request, what: str, rows: int) -> None:
    audit_event_record(
        event_type=AuditEventType.EXPORT, detail={"what": what, "rows": rows, "filters": request.GET.dict()}
    )


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}-{timezone.localdate():%Y%m%d}.xlsx"
    return response


# -- the register ---------------------------------------------------------------------------------------------------


class ResourceListView(ObjectListView):
    queryset = UniversityResource.objects.all()
    filterset_class = ResourceFilterSet
    template_name = "chains/universities/resource_list.html"
    table_template = "chains/universities/resource_table.html"
    title = gettext_lazy("高校资源")

    def get_queryset(self):
        self.queryset = (
            _resources()
            .filter(pk__in=self.queryset.values("pk"))
            .annotate(cooperation_count=Count("cooperations", distinct=True))
            .order_by("university__sort_order", "university_id", "kind", "name", "pk")
        )
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_add=user.has_perm("chains.add_universityresource"),
            can_import=user.has_perm("chains.add_universityresource")
            and user.has_perm("chains.change_universityresource"),
            can_export=user.has_perm("chains.export_chainnode"),
            can_match=user.has_perm("tickets.view_ticket"),
        )
        return context


@require_GET
@login_required
def resource_detail(request, pk: int):
    """A resource: details, the nodes it serves, the gap nodes and open 技术/人才 诉求 it fits (each with
    "匹配：…"), its cooperation records and history."""
    resource = scoped_object_or_404(request, _resources(), pk)
    user = request.user
    node_matches = matching.nodes_for_resource(resource, limit=NODE_LIMIT)
    can_tickets = user.has_perm("tickets.view_ticket")
    ticket_matches = matching.tickets_for_resource(resource, user, limit=TICKET_LIMIT) if can_tickets else None
    cooperations = []
    if user.has_perm("chains.view_cooperation"):
        cooperations = list(_cooperations().restrict(user, "view").filter(resource=resource))
    context = {
        "resource": resource,
        "object": resource,
        "node_matches": node_matches,
        "ticket_matches": ticket_matches,
        "cooperations": cooperations,
        "visible_tickets": visible_ticket_ids(user, cooperations),
        "can_change": user.has_perm("chains.change_universityresource"),
        "can_change_cooperation": user.has_perm("chains.change_cooperation"),
        "can_cooperate": user.has_perm("chains.add_cooperation") and resource.is_active,
        "history": object_history(resource),
    }
    return render(request, "chains/universities/resource.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def resource_edit(request, pk: int | None = None):
    """New resource (pk None) or edit one, with the nodes it serves."""
    if pk is None:
        require(request, "add", UniversityResource)
        resource = None
    else:
        resource = scoped_object_or_404(request, UniversityResource.objects.all(), pk, action="change")
    form = ResourceForm(request.POST or None, instance=resource or UniversityResource())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                saved = universities.resource_save(
                    actor=request.user,
                    data=data,
                    resource=UniversityResource.objects.get(pk=resource.pk) if resource else None,
                    version=form.cleaned_data.get("version"),
                )
            except ConflictError as exc:
                fields = [k for k in data if k != "nodes"]
                return conflict_response(
                    request,
                    exc,
                    title=_("保存冲突：该高校资源已被他人修改"),
                    rows=submitted_rows(exc.current, data, fields),
                    retry_url=reverse("chains:resource_edit", args=[pk]) if exc.current is not None else "",
                    back_url=reverse("chains:resource_list"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                deny(request, obj=UniversityResource, reason=DenialReason.REFUSED, message=str(exc))
            else:
                messages.success(request, _("高校资源已保存。"))
                return redirect(saved)
    return render(
        request, "chains/universities/resource_form.html", {"form": form, "resource": resource}, status=status
    )


@require_GET
@login_required
def resource_export(request):
    """The register (with its filters) as XLSX in the import's columns, audited; text cells are neutralised."""
    require(request, "view", UniversityResource)
    require(request, "chains.export_chainnode")
    queryset = _resources().filter(pk__in=UniversityResource.objects.restrict(request.user, "view").values("pk"))
    filterset = ResourceFilterSet(request.GET or None, queryset=queryset, request=request)
    rows = list(filterset.qs.order_by("university__sort_order", "university_id", "kind", "name", "pk")[:EXPORT_LIMIT])
    _audit_export(request, "chains.universityresource", len(rows))
    return _xlsx(excel_universities.export_xlsx(rows), "university-resources")


@require_GET
@login_required
def resource_template(request):
    require(request, "add", UniversityResource)
    return _xlsx(excel_universities.template_xlsx(), "university-resources-template")


@require_http_methods(["GET", "POST"])
@login_required
def resource_import(request):
    """Upload resources: every row checked (nothing written), then the preview with the row errors."""
    require(request, "add", UniversityResource)
    require(request, "change", UniversityResource)
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    context: dict = {"form": form, "check": None, "max_mb": excel_universities.MAX_MB}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                check = excel_universities.import_check(actor=request.user, uploaded=form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_error("file", "；".join(exc.messages))
            else:
                context["check"] = check
                if check.ok:
                    status = 200
                    token = secrets.token_urlsafe(12)
                    request.session[SESSION_KEY] = {"token": token, **check.session_data()}
                    context["token"] = token
    return render(request, "chains/universities/import.html", context, status=status)


@require_POST
@login_required
def resource_import_apply(request):
    """确认导入: the previewed rows written in one transaction (all or none)."""
    require(request, "add", UniversityResource)
    require(request, "change", UniversityResource)
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("token") != request.POST.get("token"):
        messages.error(request, _("导入预览已失效，请重新上传文件。"))
        return redirect("chains:resource_import")
    check = excel_universities.ImportCheck.from_session(kept)
    try:
        created, updated = excel_universities.import_apply(actor=request.user, check=check)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("chains:resource_import")
    request.session.pop(SESSION_KEY, None)
    audit_event_record(
        event_type=AuditEventType.IMPORT,
        detail={"what": "chains.universityresource", "created": created, "updated": updated},
    )
    messages.success(request, _("已导入高校资源：新增 %(c)d 条，更新 %(u)d 条。") % {"c": created, "u": updated})
    return redirect("chains:resource_list")


# -- cooperation records --------------------------------------------------------------------------------------------


class CooperationListView(ObjectListView):
    queryset = Cooperation.objects.all()
    filterset_class = CooperationFilterSet
    template_name = "chains/universities/cooperation_list.html"
    table_template = "chains/universities/cooperation_table.html"
    title = gettext_lazy("政产学研合作记录")

    def get_queryset(self):
        self.queryset = _cooperations().filter(pk__in=self.queryset.values("pk")).order_by("-happened_on", "-pk")
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["visible_tickets"] = visible_ticket_ids(user, context["object_list"])
        context["can_add"] = user.has_perm("chains.add_cooperation")
        context["can_change"] = user.has_perm("chains.change_cooperation")
        context["can_export"] = user.has_perm("chains.export_chainnode")
        return context


@require_GET
@login_required
def cooperation_export(request):
    """The cooperation records (with the list's filters) as XLSX, audited; a 诉求 the user may not see is left out."""
    require(request, "view", Cooperation)
    require(request, "chains.export_chainnode")
    queryset = _cooperations().filter(pk__in=Cooperation.objects.restrict(request.user, "view").values("pk"))
    filterset = CooperationFilterSet(request.GET or None, queryset=queryset, request=request)
    rows = list(filterset.qs.order_by("-happened_on", "-pk")[:EXPORT_LIMIT])
    visible = visible_ticket_ids(request.user, rows)
    _audit_export(request, "chains.cooperation", len(rows))
    content = table_xlsx(
        _("政产学研合作记录"),
        [
            _("日期"),
            _("类型"),
            _("高校"),
            _("高校资源"),
            _("企业"),
            _("环节"),
            _("对应诉求"),
            _("内容"),
            _("成效"),
            _("合作金额（万元）"),
        ],
        [
            [
                c.happened_on,
                c.get_kind_display(),
                c.resource.university.name,
                c.resource.name,
                c.enterprise_name,
                f"{c.node.chain.name}/{c.node.name}" if c.node_id else "",
                f"{c.ticket.number} {c.ticket.title}" if c.ticket_id in visible else "",
                c.summary,
                c.outcome,
                c.amount,
            ]
            for c in rows
        ],
        widths=[12, 10, 16, 30, 30, 24, 30, 48, 36, 14],
    )
    return _xlsx(content, "cooperations")


def _pick(request, queryset, key: str, *, permission: bool = True):
    """The object named by ?key= (scoped: 404 when out of scope), or None."""
    value = request.GET.get(key, "")
    if not value.isdigit():
        return None
    return scoped_object_or_404(request, queryset, int(value), permission=permission)


@require_http_methods(["GET", "POST"])
@login_required
def cooperation_edit(request, pk: int | None = None):
    """Record a cooperation (pk None; ?resource=, ?node=, ?ticket= prefill it) or correct one."""
    if pk is None:
        require(request, "add", Cooperation)
        cooperation = None
        initial: dict = {"happened_on": timezone.localdate()}
        resource = _pick(request, UniversityResource.objects.all(), "resource")
        node = _pick(request, ChainNode.objects.all(), "node")
        ticket = _pick(request, Ticket.objects.select_related("enterprise"), "ticket")
        if resource is not None:
            initial["resource"] = resource.pk
        if node is not None:
            initial["node"] = node.pk
        if ticket is not None:
            initial["ticket"] = ticket.pk
            if ticket.enterprise_id:
                initial["enterprise"] = ticket.enterprise_id
                initial["enterprise_name"] = ticket.enterprise.name
    else:
        cooperation = scoped_object_or_404(request, _cooperations(), pk, action="change")
        initial = {}
    form = CooperationForm(
        request.POST or None, instance=cooperation or Cooperation(), initial=initial, user=request.user
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                saved = universities.cooperation_save(
                    actor=request.user,
                    data=data,
                    cooperation=Cooperation.objects.get(pk=cooperation.pk) if cooperation else None,
                    version=form.cleaned_data.get("version"),
                )
            except ConflictError as exc:
                return conflict_response(
                    request,
                    exc,
                    title=_("保存冲突：该合作记录已被他人修改"),
                    rows=submitted_rows(exc.current, data),
                    retry_url=reverse("chains:cooperation_edit", args=[pk]) if exc.current is not None else "",
                    back_url=reverse("chains:cooperation_list"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                deny(request, obj=Cooperation, reason=DenialReason.REFUSED, message=str(exc))
            else:
                messages.success(request, _("合作记录已保存。"))
                return redirect(f"{saved.resource.get_absolute_url()}#coop-{saved.pk}")
    context = {"form": form, "cooperation": cooperation}
    return render(request, "chains/universities/cooperation_form.html", context, status=status)


# -- matching -------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def match(request):
    """?node=: the resources that fit a node; ?ticket=: those that fit a 诉求; ?resource=: the nodes and 诉求 a
    resource fits; nothing: the 技术/人才 诉求 with a fitting resource and no cooperation yet. Each row explains its
    score ("匹配：光学薄膜、智能传感")."""
    require(request, "view", UniversityResource)
    user = request.user
    context: dict = {"title": _("政产学研匹配"), "strong": matching.STRONG_SCORE}
    node = _pick(request, ChainNode.objects.select_related("chain"), "node")
    ticket = None if node is not None else _pick(request, Ticket.objects.select_related("enterprise"), "ticket")
    resource = None
    if node is None and ticket is None:
        resource = _pick(request, _resources(), "resource")
    if node is not None:
        context.update(node=node, matches=matching.resources_for_node(node, limit=MATCH_LIMIT))
        context["cooperate_query"] = f"node={node.pk}"
        context["title"] = _("适合“%(n)s”的高校资源") % {"n": node.name}
    elif ticket is not None:
        context.update(ticket=ticket, matches=matching.resources_for_ticket(ticket, limit=MATCH_LIMIT))
        context["cooperate_query"] = f"ticket={ticket.pk}"
        context["is_talent"] = ticket.category in matching.talent_categories()
        context["title"] = _("适合诉求 %(n)s 的高校资源") % {"n": ticket.number}
    elif resource is not None:
        context.update(
            resource=resource,
            node_matches=matching.nodes_for_resource(resource, limit=MATCH_LIMIT),
            ticket_matches=matching.tickets_for_resource(resource, user, limit=MATCH_LIMIT)
            if user.has_perm("tickets.view_ticket")
            else None,
        )
        context["title"] = _("“%(r)s”可服务的环节与诉求") % {"r": resource.name}
    else:
        pending = matching.pending_tickets(user) if user.has_perm("tickets.view_ticket") else None
        context.update(pending=pending[:PENDING_LIMIT] if pending is not None else None)
        context["pending_total"] = len(pending) if pending is not None else 0
        context["title"] = _("待对接的技术/人才诉求")
    context["can_cooperate"] = user.has_perm("chains.add_cooperation")
    return render(request, "chains/universities/match.html", context)

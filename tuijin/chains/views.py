"""Pages of the chain map (/chains/): the chains, a chain's map (ECharts tree with a table beside it that works on a
phone and without JavaScript), the 链长 cockpit, the 四清单/六清单, a node's page (status, history, enterprises,
leads, projects, the universities' panel), the filtered node list, the gap rules, the 链长制 form, node and enterprise
forms, linking leads and projects, a lead started from a node, and the Excel export and import.

Thin: forms parse, services (services.py) write, selectors read. Chain data is district-wide (the permission decides);
lead and project lists are restricted to the user (`restrict()`), and a lead or project out of the user's scope is
404. Refused input shows the page again (400) with what was typed; a stale version shows the conflict page (409)."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.conflicts import conflict_response, submitted_rows
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import DenialReason, denial_record, deny, require, scoped_object_or_404
from tuijin.investment.models import Lead
from tuijin.projects.models import IndustryChain, Project
from tuijin.utilities.excel import XLSX_CONTENT_TYPE

from . import excel, selectors, services
from .choices import GapStatus, Segment
from .forms import (
    EnterpriseForm,
    ImportForm,
    LeadStartForm,
    LinkForm,
    NodeForm,
    ProfileForm,
    RulesForm,
    VersionForm,
    apply_errors,
)
from .maintain import rules as current_rules
from .models import ChainNode, ChainProfile, NodeEnterprise

__all__ = [
    "chain_cockpit",
    "chain_index",
    "chain_lists",
    "chain_map",
    "enterprise_add",
    "enterprise_delete",
    "enterprise_edit",
    "import_apply",
    "import_template",
    "lead_link",
    "lead_start",
    "lead_unlink",
    "lists_export",
    "map_export",
    "node_add",
    "node_delete",
    "node_detail",
    "node_edit",
    "node_import",
    "node_list",
    "profile_edit",
    "project_link",
    "project_unlink",
    "rules_edit",
]

VIEW = "chains.view_chainnode"
SESSION_KEY = "chains_node_import"
STATUS_LABELS = dict(GapStatus.choices)


def _chain(request, chain_pk: int, permission: str = VIEW) -> IndustryChain:
    require(request, permission)
    return get_object_or_404(IndustryChain, pk=chain_pk)


def _node(request, pk: int, action: str = "view") -> ChainNode:
    return scoped_object_or_404(request, ChainNode.objects.select_related("chain", "parent"), pk, action=action)


def _legend() -> list[tuple[str, str, str]]:
    return [(value, str(label), selectors.COLOURS[value]) for value, label in GapStatus.choices]


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}-{timezone.localdate():%Y%m%d}.xlsx"
    return response


def _year(request) -> int:
    raw = request.GET.get("year", "")
    this_year = timezone.localdate().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else this_year


# -- chains, map, cockpit, lists ----------------------------------------------------------------------------------


@require_GET
@login_required
def chain_index(request):
    """Every chain with its 链长, 牵头部门, node counts by status and this year's 补链 progress."""
    require(request, VIEW)
    year = timezone.localdate().year
    context = {
        "title": _("产业链图谱"),
        "rows": selectors.chain_rows(request.user, year=year),
        "year": year,
        "legend": _legend(),
        "can_import": request.user.has_perm("chains.import_chainnode"),
        "can_rules": request.user.has_perm("chains.view_chainrules"),
    }
    return render(request, "chains/index.html", context)


@require_GET
@login_required
def chain_map(request, chain_pk: int):
    """The chain's map: an ECharts tree coloured by status (each node opens its page), and the same nodes as a table."""
    chain = _chain(request, chain_pk)
    tree = selectors.chain_tree(chain)
    user = request.user
    context = {
        "chain": chain,
        "tree": tree,
        "legend": _legend(),
        "profile": ChainProfile.objects.filter(chain=chain).select_related("leader", "lead_unit").first(),
        "can_add": user.has_perm("chains.add_chainnode"),
        "can_export": user.has_perm("chains.export_chainnode"),
        "can_import": user.has_perm("chains.import_chainnode"),
        "chart_height": max(420, min(3200, tree["leaves"] * 46 + 60)),
    }
    return render(request, "chains/map.html", context)


@require_GET
@login_required
def chain_cockpit(request, chain_pk: int):
    """链长驾驶舱: the selector `cockpit` for the chain and the user."""
    chain = _chain(request, chain_pk)
    year = _year(request)
    context = selectors.cockpit(chain, request.user, year=year)
    context.update(
        {
            "legend": _legend(),
            "can_profile": request.user.has_perm("chains.change_chainprofile"),
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        }
    )
    return render(request, "chains/cockpit.html", context)


@require_GET
@login_required
def chain_lists(request, chain_pk: int):
    """四清单/六清单, generated from the map and the pipeline."""
    chain = _chain(request, chain_pk)
    context = selectors.chain_lists(chain, request.user)
    context.update({"chain": chain, "can_export": request.user.has_perm("chains.export_chainnode")})
    return render(request, "chains/lists.html", context)


def _audit_export(request, what: str, rows: int) -> None:
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": what, "rows": rows})


@require_GET
@login_required
def map_export(request, chain_pk: int):
    chain = _chain(request, chain_pk, "chains.export_chainnode")
    tree = selectors.chain_tree(chain)
    _audit_export(request, "chains.map", tree["total"])
    return _xlsx(excel.map_xlsx(chain, tree), "chain-map")


@require_GET
@login_required
def lists_export(request, chain_pk: int):
    chain = _chain(request, chain_pk, "chains.export_chainnode")
    lists = selectors.chain_lists(chain, request.user)
    _audit_export(request, "chains.lists", len(lists["projects"]) + len(lists["matters"]))
    return _xlsx(excel.lists_xlsx(chain, lists), "chain-lists")


# -- nodes ---------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def node_list(request):
    """Nodes filtered by chain, status, 链位, a text, or `todo=gap_no_talks` (the home page's to-do)."""
    require(request, VIEW)
    data = request.GET
    chain_ids = [int(v) for v in data.getlist("chain") if v.isdigit()]
    status = data.get("status", "")
    todo = data.get("todo", "")
    nodes = selectors.node_list(
        chain_ids=chain_ids, status=status, segment=data.get("segment", ""), todo=todo, q=data.get("q", "").strip()[:50]
    )
    total = nodes.count()
    title = _("缺链环节")
    if todo == "gap_no_talks":
        title = _("尚无在谈项目的空白环节")
    elif status in STATUS_LABELS:
        title = _("%(s)s环节") % {"s": STATUS_LABELS[status]}
    context = {
        "title": title,
        "nodes": list(nodes[:500]),
        "total": total,
        "chains": list(selectors.chains_for_user(request.user)),
        "chain_ids": chain_ids,
        "status": status,
        "segment": data.get("segment", ""),
        "todo": todo,
        "q": data.get("q", ""),
        "statuses": GapStatus.choices,
        "segments": Segment.choices,
        "legend": _legend(),
    }
    return render(request, "chains/node_list.html", context)


def _matches(node):
    """政产学研 resources matched to the node (H3's matching.resources_for_node)."""
    from .matching import resources_for_node

    return resources_for_node(node)


@require_GET
@login_required
def node_detail(request, pk: int):
    """A node: status with its reason and since-when, the status history, sub-links, enterprises, the leads and
    projects the user may see, and the universities' resources for it."""
    node = _node(request, pk)
    user = request.user
    context = selectors.node_page(node, user)
    context.update(
        {
            "node": node,
            "object": node,
            "legend": _legend(),
            "colour": selectors.COLOURS.get(node.status, "#999"),
            "counts_text": selectors.counts_text(node.counts),
            "counts": node.counts or {},
            "node_matches": _matches(node),
            "can_change": user.has_perm("chains.change_chainnode"),
            "can_add": user.has_perm("chains.add_chainnode"),
            "can_enterprise": user.has_perm("chains.add_nodeenterprise"),
            "can_enterprise_change": user.has_perm("chains.change_nodeenterprise"),
            "can_enterprise_delete": user.has_perm("chains.delete_nodeenterprise"),
            "can_link": user.has_perm("chains.link_chainnode"),
            "can_start_lead": user.has_perm("chains.link_chainnode") and user.has_perm("investment.add_lead"),
            "history": object_history(node),
        }
    )
    return render(request, "chains/node.html", context)


def _node_conflict(request, exc: ConflictError, form, retry_url: str, back_url: str):
    current = exc.current
    data = form.service_data()
    return conflict_response(
        request,
        exc,
        title=_("保存冲突：该环节已被他人修改"),
        rows=submitted_rows(current, data),
        retry_url=retry_url if current is not None else "",
        back_url=back_url,
    )


@require_http_methods(["GET", "POST"])
@login_required
def node_add(request, chain_pk: int):
    """A new node on the chain (`?parent=` presets the 上级环节)."""
    chain = _chain(request, chain_pk, "chains.add_chainnode")
    initial = {}
    parent_pk = request.GET.get("parent", "")
    if parent_pk.isdigit():
        parent = ChainNode.objects.filter(pk=int(parent_pk), chain=chain).first()
        if parent is not None:
            initial = {"parent": parent.pk, "segment": parent.segment}
    elif request.GET.get("segment") in Segment.values:
        initial = {"segment": request.GET["segment"]}
    form = NodeForm(request.POST or None, instance=ChainNode(chain=chain), chain=chain, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                node = services.node_create(actor=request.user, chain=chain, data=form.service_data())
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                deny(request, obj=ChainNode, reason=DenialReason.REFUSED, message=str(exc))
            else:
                messages.success(request, _("环节“%(n)s”已添加。") % {"n": node.name})
                return redirect(node)
    return render(request, "chains/node_form.html", {"form": form, "chain": chain, "node": None}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def node_edit(request, pk: int):
    node = _node(request, pk, "change")
    form = NodeForm(request.POST or None, instance=node, chain=node.chain)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                node = services.node_update(
                    actor=request.user,
                    node=ChainNode.objects.get(pk=node.pk),
                    version=form.cleaned_data.get("version"),
                    data=form.service_data(),
                )
            except ConflictError as exc:
                return _node_conflict(
                    request, exc, form, reverse("chains:node_edit", args=[pk]), node.get_absolute_url()
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                deny(request, obj=node, reason=DenialReason.REFUSED, message=str(exc))
            else:
                messages.success(request, _("环节已保存。"))
                return redirect(node)
    context = {
        "form": form,
        "chain": node.chain,
        "node": node,
        "can_delete": request.user.has_perm("chains.delete_chainnode"),
    }
    return render(request, "chains/node_form.html", context, status=status)


@require_POST
@login_required
def node_delete(request, pk: int):
    node = _node(request, pk, "delete")
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请刷新页面后重试。"))
        return redirect(node)
    try:
        services.node_delete(actor=request.user, node=node, version=form.cleaned_data["version"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(node)
    except PermissionDenied as exc:
        deny(request, obj=node, reason=DenialReason.REFUSED, message=str(exc))
    messages.success(request, _("环节“%(n)s”已删除。") % {"n": node.name})
    return redirect("chains:map", node.chain_id)


# -- enterprises ---------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def enterprise_add(request, pk: int):
    node = _node(request, pk)
    require(request, "chains.add_nodeenterprise")
    form = EnterpriseForm(request.POST or None, instance=NodeEnterprise(node=node))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                row = services.enterprise_add(actor=request.user, node=node, data=form.service_data())
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                deny(request, obj=NodeEnterprise, reason=DenialReason.REFUSED, message=str(exc))
            else:
                messages.success(request, _("企业“%(n)s”已添加到本环节。") % {"n": row.name})
                return redirect(reverse("chains:node", args=[node.pk]) + "#tj-node-enterprises")
    return render(request, "chains/enterprise_form.html", {"form": form, "node": node, "row": None}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def enterprise_edit(request, pk: int):
    row = scoped_object_or_404(request, NodeEnterprise.objects.select_related("node__chain"), pk, action="change")
    node = row.node
    form = EnterpriseForm(request.POST or None, instance=row)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.enterprise_update(
                    actor=request.user,
                    enterprise=NodeEnterprise.objects.get(pk=row.pk),
                    version=form.cleaned_data.get("version"),
                    data=form.service_data(),
                )
            except ConflictError as exc:
                data = form.service_data()
                return conflict_response(
                    request,
                    exc,
                    title=_("保存冲突：该企业信息已被他人修改"),
                    rows=submitted_rows(exc.current, data),
                    retry_url=reverse("chains:enterprise_edit", args=[pk]) if exc.current is not None else "",
                    back_url=node.get_absolute_url(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                deny(request, obj=row, reason=DenialReason.REFUSED, message=str(exc))
            else:
                messages.success(request, _("企业信息已保存。"))
                return redirect(reverse("chains:node", args=[node.pk]) + "#tj-node-enterprises")
    return render(request, "chains/enterprise_form.html", {"form": form, "node": node, "row": row}, status=status)


@require_POST
@login_required
def enterprise_delete(request, pk: int):
    row = scoped_object_or_404(request, NodeEnterprise.objects.select_related("node"), pk, action="delete")
    back = reverse("chains:node", args=[row.node_id]) + "#tj-node-enterprises"
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请刷新页面后重试。"))
        return redirect(back)
    try:
        services.enterprise_remove(actor=request.user, enterprise=row, version=form.cleaned_data["version"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    except PermissionDenied as exc:
        deny(request, obj=row, reason=DenialReason.REFUSED, message=str(exc))
    messages.success(request, _("已从本环节移除企业“%(n)s”。") % {"n": row.name})
    return redirect(back)


# -- leads and projects --------------------------------------------------------------------------------------------


def _target(request, queryset, key: str = "target"):
    """The lead or project named in the POST, within the user's scope (404 otherwise)."""
    form = LinkForm(request.POST)
    if not form.is_valid():
        return None
    return scoped_object_or_404(request, queryset, form.cleaned_data[key], permission=False)


def _link_action(request, pk: int, queryset, perform, done: str, anchor: str, target_pk: int | None = None):
    """Link (the record chosen in the form) or unlink (`target_pk`) a lead or project on a node, then back to it."""
    node = _node(request, pk)
    require(request, "chains.link_chainnode")
    if target_pk is None:
        target = _target(request, queryset)
    else:
        target = scoped_object_or_404(request, queryset, target_pk, permission=False)
    back = reverse("chains:node", args=[node.pk]) + anchor
    if target is None:
        messages.error(request, _("请选择要关联的记录。"))
        return redirect(back)
    try:
        perform(node, target)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    except PermissionDenied as exc:
        deny(request, obj=node, reason=DenialReason.REFUSED, message=str(exc))
    messages.success(request, done % {"n": target.name})
    return redirect(back)


@require_POST
@login_required
def lead_link(request, pk: int):
    return _link_action(
        request,
        pk,
        Lead.objects.all(),
        lambda node, lead: services.lead_link(actor=request.user, node=node, lead=lead),
        _("招商项目“%(n)s”已关联本环节。"),
        "#tj-node-leads",
    )


@require_POST
@login_required
def lead_unlink(request, pk: int, lead_pk: int):
    return _link_action(
        request,
        pk,
        Lead.objects.all(),
        lambda node, lead: services.lead_unlink(actor=request.user, node=node, lead=lead),
        _("已取消招商项目“%(n)s”与本环节的关联。"),
        "#tj-node-leads",
        target_pk=lead_pk,
    )


@require_POST
@login_required
def project_link(request, pk: int):
    return _link_action(
        request,
        pk,
        Project.objects.all(),
        lambda node, project: services.project_link(actor=request.user, node=node, project=project),
        _("重点项目“%(n)s”已关联本环节。"),
        "#tj-node-projects",
    )


@require_POST
@login_required
def project_unlink(request, pk: int, project_pk: int):
    return _link_action(
        request,
        pk,
        Project.objects.all(),
        lambda node, project: services.project_unlink(actor=request.user, node=node, project=project),
        _("已取消重点项目“%(n)s”与本环节的关联。"),
        "#tj-node-projects",
        target_pk=project_pk,
    )


@require_http_methods(["GET", "POST"])
@login_required
def lead_start(request, pk: int):
    """从本环节发起招商项目: the lead form (chain fixed to the node's); the lead is created by the investment services
    and put on the node in one transaction."""
    node = _node(request, pk)
    require(request, "chains.link_chainnode")
    require(request, "investment.add_lead")
    form = LeadStartForm(request.POST or None, instance=Lead(chain=node.chain), user=request.user, node=node)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.service_data()
            data["planned_investment_approx"] = form.cleaned_data.get("planned_investment_approx", False)
            try:
                lead = services.lead_start(actor=request.user, node=node, data=data)
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                denial_record(request, action="add", obj=Lead, reason=DenialReason.REFUSED, message=str(exc))
                form.add_error("tracking_unit", str(exc))
            else:
                messages.success(
                    request, _("招商项目“%(n)s”已登记并关联环节“%(node)s”。") % {"n": lead.name, "node": node.name}
                )
                return redirect(lead)
    return render(request, "chains/lead_start.html", {"form": form, "node": node}, status=status)


# -- 链长制, rules -------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def profile_edit(request, chain_pk: int):
    chain = _chain(request, chain_pk, "chains.change_chainprofile")
    profile = services.profile_for(chain)
    form = ProfileForm(request.POST or None, instance=profile, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.service_data()
            try:
                services.profile_save(
                    actor=request.user, chain=chain, version=form.cleaned_data.get("version"), data=data
                )
            except ConflictError as exc:
                fields = [k for k in data if k != "task_force"]
                return conflict_response(
                    request,
                    exc,
                    title=_("保存冲突：该产业链的链长制信息已被他人修改"),
                    rows=submitted_rows(exc.current, data, fields),
                    retry_url=reverse("chains:profile", args=[chain.pk]),
                    back_url=reverse("chains:cockpit", args=[chain.pk]),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                deny(request, obj=ChainProfile, reason=DenialReason.REFUSED, message=str(exc))
            else:
                messages.success(request, _("链长制信息已保存。"))
                return redirect("chains:cockpit", chain.pk)
    return render(request, "chains/profile_form.html", {"form": form, "chain": chain}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def rules_edit(request):
    """The gap rules in words and (for the office) the form; saving recomputes every node."""
    require(request, "chains.view_chainrules")
    row = current_rules()
    can_change = request.user.has_perm("chains.change_chainrules")
    form = RulesForm(request.POST or None, instance=row)
    status = 200
    if request.method == "POST":
        require(request, "chains.change_chainrules")
        status = 400
        if form.is_valid():
            try:
                services.rules_save(
                    actor=request.user, version=form.cleaned_data.get("version"), data=form.service_data()
                )
            except ConflictError as exc:
                data = form.service_data()
                return conflict_response(
                    request,
                    exc,
                    title=_("保存冲突：缺链判定规则已被他人修改"),
                    rows=submitted_rows(exc.current, data),
                    retry_url=reverse("chains:rules"),
                    back_url=reverse("chains:rules"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("判定规则已保存，所有环节的缺链状态已按新规则重新计算。"))
                return redirect("chains:rules")
    counts = selectors.status_counts()
    totals = {k: sum(c[k] for c in counts.values()) for k in ("total", "gap", "weak", "strong")}
    context = {
        "form": form,
        "rules_row": row,
        "can_change": can_change,
        "totals": totals,
        "legend": _legend(),
        "history": object_history(row) if row.pk else [],
    }
    return render(request, "chains/rules.html", context, status=status)


# -- import --------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def import_template(request):
    """The import template (`?chain=` fills in that chain's nodes, so a re-import updates them)."""
    require(request, "chains.import_chainnode")
    raw = request.GET.get("chain", "")
    chain = get_object_or_404(IndustryChain, pk=int(raw)) if raw.isdigit() else None
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": "chains.import_template", "chain": raw})
    return _xlsx(excel.template_xlsx(chain), "chain-nodes-template")


@require_http_methods(["GET", "POST"])
@login_required
def node_import(request):
    """Upload nodes: every row checked (nothing written), then the preview with the row errors."""
    require(request, "chains.import_chainnode")
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form, "check": None, "max_mb": excel.MAX_MB, "headers": excel.HEADERS}
    context["chains"] = list(selectors.chains_for_user(request.user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > excel.MAX_MB * 1024 * 1024:
                form.add_error("file", _("文件超过 %(mb)d MB 的上限。") % {"mb": excel.MAX_MB})
            else:
                try:
                    check = excel.import_check(actor=request.user, data=upload.read())
                except ValidationError as exc:
                    form.add_error("file", "；".join(exc.messages))
                else:
                    context["check"] = check
                    if check.ok:
                        token = secrets.token_urlsafe(12)
                        request.session[SESSION_KEY] = {"token": token, **check.session_data()}
                        context["token"] = token
                        status = 200
    return render(request, "chains/import.html", context, status=status)


@require_POST
@login_required
def import_apply(request):
    """确认导入: the previewed rows written in one transaction (all or none)."""
    require(request, "chains.import_chainnode")
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("token") != request.POST.get("token"):
        messages.error(request, _("导入预览已失效，请重新上传文件。"))
        return redirect("chains:import")
    check = excel.ImportCheck.from_session(kept)
    try:
        created, updated = excel.import_apply(actor=request.user, check=check)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("chains:import")
    except PermissionDenied as exc:
        deny(request, obj=ChainNode, reason=DenialReason.REFUSED, message=str(exc))
    request.session.pop(SESSION_KEY, None)
    audit_event_record(
        event_type=AuditEventType.IMPORT, detail={"what": "chains.nodes", "created": created, "updated": updated}
    )
    messages.success(request, _("已导入：新增 %(c)d 个环节，更新 %(u)d 个环节。") % {"c": created, "u": updated})
    chain_ids = {r.chain_id for r in check.rows}
    if len(chain_ids) == 1:
        return redirect("chains:map", chain_ids.pop())
    return redirect("chains:index")

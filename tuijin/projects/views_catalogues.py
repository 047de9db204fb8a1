"""Configuration pages of the 项目办 for the approval-item catalogue (审批事项目录, with parallel groups) and the
industry chains (主导产业/产业链): list with usage counts, add, edit (with history and, where results change, a
preview before saving), 停用/启用 with a preview, and delete of unused rows.

Thin: rules and writes in `catalogues`. Global configuration (one list for the whole platform, owned by no unit):
permissions only, no row scope.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tuijin.core.conflicts import conflict_response, submitted_rows
from tuijin.core.exceptions import ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import require
from tuijin.org.choices import UnitType
from tuijin.org.models import OrgUnit

from . import catalogues
from .choices import ApprovalPhase
from .models import ApprovalItemType, IndustryChain

__all__ = [
    "approval_add",
    "approval_delete",
    "approval_edit",
    "approval_list",
    "approval_toggle",
    "chain_add",
    "chain_delete",
    "chain_edit",
    "chain_list",
    "chain_toggle",
]

INPUT = {"class": "form-control"}


class ChainForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=200, widget=forms.TextInput(attrs=INPUT))
    sort_order = forms.CharField(
        label=gettext_lazy("排序"), initial=100, widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ApprovalTypeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("代码"), max_length=200, widget=forms.TextInput(attrs=INPUT))
    name = forms.CharField(label=gettext_lazy("事项名称"), max_length=300, widget=forms.TextInput(attrs=INPUT))
    phase = forms.ChoiceField(
        label=gettext_lazy("阶段"),
        choices=[("", "—")] + list(ApprovalPhase.choices),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    parallel_group = forms.CharField(
        label=gettext_lazy("并联组"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=INPUT),
        help_text=gettext_lazy("同一并联组的事项并联办理；留空表示单独办理。"),
    )
    default_department = forms.ModelChoiceField(
        label=gettext_lazy("默认办理部门"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    sort_order = forms.CharField(
        label=gettext_lazy("排序"), initial=100, widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    previewed_group = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the user's active departments, plus the item's current one (kept even if outside them: nothing is lost)
        visible = OrgUnit.objects.restrict(user, "view").filter(unit_type=UnitType.DEPARTMENT, is_active=True)
        keep = OrgUnit.objects.filter(pk=getattr(current, "default_department_id", None))
        self.fields["default_department"].queryset = (visible | keep).distinct()


def _rows(exc: ConflictError, data: dict, fields) -> list[tuple[str, object, object]]:
    return list(submitted_rows(exc.current, data, fields)) if exc.current is not None else []


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


# --- industry chains ----------------------------------------------------------------------------------------------


@login_required
def chain_list(request):
    require(request, "projects.view_industrychain")
    return render(
        request,
        "projects/catalogue_chain_list.html",
        {
            "rows": list(catalogues.chain_rows()),
            "can_add": request.user.has_perm("projects.add_industrychain"),
            "can_change": request.user.has_perm("projects.change_industrychain"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def chain_add(request):
    require(request, "projects.add_industrychain")
    form = ChainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            chain = catalogues.chain_create(
                actor=request.user, name=form.cleaned_data["name"], sort_order=form.cleaned_data["sort_order"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已新增产业链“%(n)s”。") % {"n": chain.name})
            return redirect("projects:catalogue_chain_list")
    return render(request, "projects/catalogue_chain_form.html", {"form": form, "chain": None})


@require_http_methods(["GET", "POST"])
@login_required
def chain_edit(request, pk: int):
    require(request, "projects.change_industrychain")
    chain = get_object_or_404(IndustryChain, pk=pk)
    if request.method == "GET":
        form = ChainForm(initial={"name": chain.name, "sort_order": chain.sort_order, "version": chain.version})
    else:
        form = ChainForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                catalogues.chain_update(
                    actor=request.user,
                    chain=chain,
                    version=data["version"],
                    name=data["name"],
                    sort_order=data["sort_order"],
                )
            except ConflictError as exc:
                url = reverse("projects:catalogue_chain_edit", args=[pk])
                return conflict_response(
                    request,
                    exc,
                    title=_("保存冲突：产业链“%(n)s”已被他人修改") % {"n": chain.name},
                    rows=_rows(exc, data, catalogues.CHAIN_FIELDS),
                    retry_url=url if exc.current else "",
                    back_url=reverse("projects:catalogue_chain_list"),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已保存产业链“%(n)s”。") % {"n": chain.name})
                return redirect("projects:catalogue_chain_list")
    chain.refresh_from_db()
    return render(
        request,
        "projects/catalogue_chain_form.html",
        {"form": form, "chain": chain, "usage": catalogues.chain_usage(chain), "history": object_history(chain)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def chain_toggle(request, pk: int):
    """GET: the preview of 停用/启用 (how many projects use the chain, what changes). POST: do it."""
    require(request, "projects.change_industrychain")
    chain = get_object_or_404(IndustryChain, pk=pk)
    usage = catalogues.chain_usage(chain)
    if request.method == "POST":
        try:
            catalogues.chain_set_active(
                actor=request.user, chain=chain, version=request.POST.get("version"), active=not chain.is_active
            )
        except ConflictError as exc:
            url = reverse("projects:catalogue_chain_toggle", args=[pk])
            return conflict_response(
                request, exc, title=_("操作冲突：产业链“%(n)s”已被他人修改") % {"n": chain.name},
                rows=[], retry_url=url if exc.current else "", back_url=reverse("projects:catalogue_chain_list"),
            )  # fmt: skip
        text = _("已启用产业链“%(n)s”。") if chain.is_active else _("已停用产业链“%(n)s”，已有项目保持不变。")
        messages.success(request, text % {"n": chain.name})
        return redirect("projects:catalogue_chain_list")
    return render(
        request,
        "projects/catalogue_toggle.html",
        {
            "kind": "chain",
            "obj": chain,
            "usage": usage,
            "can_delete": request.user.has_perm("projects.delete_industrychain") and not usage.projects,
            "action_url": reverse("projects:catalogue_chain_toggle", args=[pk]),
            "delete_url": reverse("projects:catalogue_chain_delete", args=[pk]),
            "back_url": reverse("projects:catalogue_chain_list"),
        },
    )


@require_POST
@login_required
def chain_delete(request, pk: int):
    require(request, "projects.delete_industrychain")
    chain = get_object_or_404(IndustryChain, pk=pk)
    name = chain.name
    try:
        catalogues.chain_delete(actor=request.user, chain=chain)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已删除产业链“%(n)s”。") % {"n": name})
    return redirect("projects:catalogue_chain_list")


# --- approval-item catalogue -------------------------------------------------------------------------------------


@login_required
def approval_list(request):
    require(request, "projects.view_approvalitemtype")
    rows = list(catalogues.approval_type_rows())
    groups: dict[str, list[str]] = {}
    for row in rows:
        if row.parallel_group and row.is_active:
            groups.setdefault(row.parallel_group, []).append(row.name)
    return render(
        request,
        "projects/catalogue_approval_list.html",
        {
            "rows": rows,
            "groups": sorted(groups.items()),
            "can_add": request.user.has_perm("projects.add_approvalitemtype"),
            "can_change": request.user.has_perm("projects.change_approvalitemtype"),
        },
    )


def _approval_data(form) -> dict:
    return {name: form.cleaned_data[name] for name in catalogues.APPROVAL_TYPE_FIELDS}


@require_http_methods(["GET", "POST"])
@login_required
def approval_add(request):
    require(request, "projects.add_approvalitemtype")
    form = ApprovalTypeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item_type = catalogues.approval_type_create(actor=request.user, **_approval_data(form))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已新增审批事项“%(n)s”，此后新建的项目将生成该事项。") % {"n": item_type.name})
            return redirect("projects:catalogue_approval_list")
    return render(request, "projects/catalogue_approval_form.html", {"form": form, "obj": None})


@require_http_methods(["GET", "POST"])
@login_required
def approval_edit(request, pk: int):
    """GET: the form. POST: save; when the parallel group changes, first the form again with a preview of which
    items the edited one leaves and joins, saved on the next POST (`confirm`) if the group is still the one
    previewed."""
    require(request, "projects.change_approvalitemtype")
    item_type = get_object_or_404(ApprovalItemType.objects.select_related("default_department"), pk=pk)
    preview = None
    if request.method == "GET":
        form = ApprovalTypeForm(
            initial={
                **{name: getattr(item_type, name) for name in catalogues.APPROVAL_TYPE_FIELDS},
                "version": item_type.version,
            },
            user=request.user,
            current=item_type,
        )
    else:
        form = ApprovalTypeForm(request.POST, user=request.user, current=item_type)
        if form.is_valid():
            data = _approval_data(form)
            preview = catalogues.group_preview(item_type, data["parallel_group"])
            confirmed = (
                "confirm" in request.POST
                and form.cleaned_data["previewed_group"] == (data["parallel_group"] or "").strip()
            )
            if preview is None or confirmed:
                try:
                    catalogues.approval_type_update(
                        actor=request.user, item_type=item_type, version=form.cleaned_data["version"], **data
                    )
                except ConflictError as exc:
                    url = reverse("projects:catalogue_approval_edit", args=[pk])
                    return conflict_response(
                        request,
                        exc,
                        title=_("保存冲突：审批事项“%(n)s”已被他人修改") % {"n": item_type.name},
                        rows=_rows(exc, data, catalogues.APPROVAL_TYPE_FIELDS),
                        retry_url=url if exc.current else "",
                        back_url=reverse("projects:catalogue_approval_list"),
                    )
                except ValidationError as exc:
                    _add_errors(form, exc)
                    preview = None
                else:
                    messages.success(request, _("已保存审批事项“%(n)s”。") % {"n": item_type.name})
                    return redirect("projects:catalogue_approval_list")
            else:
                posted = request.POST.copy()
                posted["previewed_group"] = (data["parallel_group"] or "").strip()
                # the same input, now marked as previewed
                form = ApprovalTypeForm(posted, user=request.user, current=item_type)
    item_type.refresh_from_db()
    return render(
        request,
        "projects/catalogue_approval_form.html",
        {
            "form": form,
            "obj": item_type,
            "preview": preview,
            "usage": catalogues.approval_type_usage(item_type),
            "history": object_history(item_type),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def approval_toggle(request, pk: int):
    require(request, "projects.change_approvalitemtype")
    item_type = get_object_or_404(ApprovalItemType, pk=pk)
    usage = catalogues.approval_type_usage(item_type)
    if request.method == "POST":
        try:
            catalogues.approval_type_set_active(
                actor=request.user,
                item_type=item_type,
                version=request.POST.get("version"),
                active=not item_type.is_active,
            )
        except ConflictError as exc:
            url = reverse("projects:catalogue_approval_toggle", args=[pk])
            return conflict_response(
                request, exc, title=_("操作冲突：审批事项“%(n)s”已被他人修改") % {"n": item_type.name},
                rows=[], retry_url=url if exc.current else "", back_url=reverse("projects:catalogue_approval_list"),
            )  # fmt: skip
        text = (
            _("已启用审批事项“%(n)s”，此后新建的项目将生成该事项。")
            if item_type.is_active
            else _("已停用审批事项“%(n)s”，已有项目的该事项保持不变。")
        )
        messages.success(request, text % {"n": item_type.name})
        return redirect("projects:catalogue_approval_list")
    return render(
        request,
        "projects/catalogue_toggle.html",
        {
            "kind": "approval",
            "obj": item_type,
            "usage": usage,
            "can_delete": request.user.has_perm("projects.delete_approvalitemtype") and not usage.projects,
            "action_url": reverse("projects:catalogue_approval_toggle", args=[pk]),
            "delete_url": reverse("projects:catalogue_approval_delete", args=[pk]),
            "back_url": reverse("projects:catalogue_approval_list"),
        },
    )


@require_POST
@login_required
def approval_delete(request, pk: int):
    require(request, "projects.delete_approvalitemtype")
    item_type = get_object_or_404(ApprovalItemType, pk=pk)
    name = item_type.name
    try:
        catalogues.approval_type_delete(actor=request.user, item_type=item_type)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已删除审批事项“%(n)s”。") % {"n": name})
    return redirect("projects:catalogue_approval_list")

"""工单类别与办理时限 for the 项目办: the catalogue of ticket categories with their limits, a form to add a category,
an edit form (name, order, active flag, limits), a confirm step that previews the effect on the open tickets in the
user's scope, and the save.

Thin: the rules and the recomputation live in services (`category_validate`, `sla_validate`, `category_add`,
`category_sla_set`), the counts in selectors (`sla_rows`, `sla_preview`). Global configuration: permissions only
(`view_categorysla`, `add_categorysla`, `change_categorysla`), no row scope.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tuijin.core.conflicts import conflict_response, submitted_rows
from tuijin.core.exceptions import ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import require

from . import selectors, services
from .forms import CategoryAddForm, CategorySLAForm
from .models import CategorySLA

__all__ = ["sla_add", "sla_edit", "sla_list"]

FIELDS = services.SLA_FIELDS
EDIT_FIELDS = ("name", "sort_order", "is_active", *FIELDS)


def _category(category: str) -> CategorySLA:
    row = CategorySLA.objects.filter(category=category).first()
    if row is None:
        raise Http404(_("没有这个工单类别。"))
    return row


def _form_errors(form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


@login_required
def sla_list(request):
    """Every category (active ones first, in their order) with its limits and its tickets in the user's scope."""
    require(request, "tickets.view_categorysla")
    return render(
        request,
        "tickets/sla_list.html",
        {
            "rows": selectors.sla_rows(request.user),
            "can_change": request.user.has_perm("tickets.change_categorysla"),
            "can_add": request.user.has_perm("tickets.add_categorysla"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def sla_add(request):
    """GET: the form (limits pre-filled with the defaults). POST: save, or the form again with everything typed and
    the errors in Chinese. A new category has no tickets: no preview step."""
    require(request, "tickets.add_categorysla")
    if request.method == "GET":
        defaults = services.default_sla("")
        form = CategoryAddForm(initial={n: getattr(defaults, n) for n in FIELDS})
    else:
        form = CategoryAddForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.category_add(
                    actor=request.user,
                    name=data["name"],
                    code=data.get("category") or "",
                    sort_order=data.get("sort_order"),
                    **{n: data[n] for n in FIELDS},
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已新增工单类别“%(n)s”（代码 %(c)s），新工单即可选用。") % {"n": row.name, "c": row.category},
                )
                return redirect("tickets:sla_list")
    return render(request, "tickets/sla_add.html", {"form": form}, status=200)


def _edit_page(request, row: CategorySLA, form, status: int = 200):
    return render(
        request,
        "tickets/sla_form.html",
        {
            "form": form,
            "row": row,
            "category": row.category,
            "label": row.name,
            "current": services.as_sla(row),
            "history": object_history(row),
        },
        status=status,
    )


def _initial(row: CategorySLA) -> dict:
    return {**{n: getattr(row, n) for n in EDIT_FIELDS}, "version": row.version}


@require_http_methods(["GET", "POST"])
@login_required
def sla_edit(request, category: str):
    """GET: the form. POST: check the input; with errors the form again (everything typed kept), else the confirm
    step with the preview. POST with `confirm` (from the confirm step): save. POST with `back`: the form again."""
    require(request, "tickets.change_categorysla")
    row = _category(category)
    if request.method == "GET":
        return _edit_page(request, row, CategorySLAForm(initial=_initial(row), category_pk=row.pk))
    if "confirm" in request.POST:
        return _save(request, row)
    form = CategorySLAForm(request.POST, category_pk=row.pk)
    if "back" in request.POST:
        initial = {k: request.POST.get(k, "") for k in (*EDIT_FIELDS, "version")}
        initial["is_active"] = bool(request.POST.get("is_active"))
        return _edit_page(request, row, CategorySLAForm(initial=initial, category_pk=row.pk))
    if not form.is_valid():
        return _edit_page(request, row, form)
    data = form.cleaned_data
    new = services.SLA(row.category, *(data[n] for n in FIELDS))
    return render(
        request,
        "tickets/sla_confirm.html",
        {
            "category": row.category,
            "label": row.name,
            "row": row,
            "current": services.as_sla(row),
            "new": new,
            "data": data,
            "version": data["version"],
            "preview": selectors.sla_preview(request.user, row.category, new),
        },
    )


def _save(request, row: CategorySLA):
    """Save the confirmed category on the version the user edited; a stale version → the shared conflict page,
    whose re-post (hidden fields, `confirm` included) comes back here on the current version."""
    form = CategorySLAForm(request.POST, category_pk=row.pk)
    if not form.is_valid():
        return _edit_page(request, row, form)
    data = form.cleaned_data
    try:
        saved, moved = services.category_sla_set(
            actor=request.user,
            category=row.category,
            version=data["version"],
            name=data["name"],
            sort_order=data["sort_order"],
            is_active=data["is_active"],
            **{n: data[n] for n in FIELDS},
        )
    except ConflictError as exc:
        edit_url = reverse("tickets:sla_edit", args=[row.category])
        current = exc.current if exc.current is not None else row
        rows: list[tuple[str, object, object]] = list(submitted_rows(current, data, EDIT_FIELDS))
        return conflict_response(
            request,
            exc,
            title=_("保存冲突：工单类别“%(c)s”已被他人修改") % {"c": current.name},
            rows=rows,
            retry_url=edit_url,
            back_url=edit_url,
        )
    except ValidationError as exc:
        _form_errors(form, exc)
        return _edit_page(request, row, form)
    state = "" if saved.is_active else _("（已停用：新工单不再可选，已有工单照常显示）")
    messages.success(
        request,
        _(
            "已保存工单类别“%(c)s”%(state)s：响应 %(r)d、办结 %(d)d、升级间隔 %(s)d 个工作日；"
            "%(n)d 张未办结工单的时限已按新标准重算。"
        )
        % {
            "c": saved.name,
            "state": state,
            "r": saved.response_days,
            "d": saved.resolution_days,
            "s": saved.escalation_step_days,
            "n": moved,
        },
    )
    return redirect("tickets:sla_list")

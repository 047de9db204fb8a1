"""办理时限 (category SLAs) for the 项目办: the list of the fixed ticket categories with their limits, an edit form,
a confirm step that previews the effect on the open tickets in the user's scope, and the save.

Thin: the rules and the recomputation live in services (`sla_validate`, `category_sla_set`), the counts in
selectors (`sla_rows`, `sla_preview`). Global configuration: permissions only (`view_categorysla`,
`change_categorysla`), no row scope.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tuijin.core.conflicts import conflict_response
from tuijin.core.exceptions import ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import require

from . import selectors, services
from .choices import TicketCategory
from .forms import CategorySLAForm
from .models import CategorySLA

__all__ = ["sla_edit", "sla_list"]

FIELDS = services.SLA_FIELDS


def _category(category: str) -> tuple[str, str]:
    labels = dict(TicketCategory.choices)
    if category not in labels:
        raise Http404(_("没有这个工单类别。"))
    return category, str(labels[category])


@login_required
def sla_list(request):
    """Every category with its response / resolution / escalation limits and its open and overdue tickets."""
    require(request, "tickets.view_categorysla")
    return render(
        request,
        "tickets/sla_list.html",
        {
            "rows": selectors.sla_rows(request.user),
            "can_change": request.user.has_perm("tickets.change_categorysla"),
        },
    )


def _edit_page(request, category: str, label: str, form, status: int = 200):
    row = CategorySLA.objects.filter(category=category).first()
    return render(
        request,
        "tickets/sla_form.html",
        {
            "form": form,
            "category": category,
            "label": label,
            "current": services.category_sla(category),
            "history": object_history(row) if row is not None else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def sla_edit(request, category: str):
    """GET: the form. POST: check the input; with errors the form again (everything typed kept), else the confirm
    step with the preview. POST with `confirm` (from the confirm step): save. POST with `back`: the form again."""
    require(request, "tickets.change_categorysla")
    category, label = _category(category)
    if request.method == "GET":
        current = services.category_sla(category)
        form = CategorySLAForm(initial={**{n: getattr(current, n) for n in FIELDS}, "version": current.version})
        return _edit_page(request, category, label, form)
    if "confirm" in request.POST:
        return _save(request, category, label)
    form = CategorySLAForm(request.POST)
    if "back" in request.POST or not form.is_valid():
        if "back" in request.POST:
            form = CategorySLAForm(initial={k: request.POST.get(k, "") for k in (*FIELDS, "version")})
        return _edit_page(request, category, label, form)
    data = form.cleaned_data
    new = services.SLA(category, *(data[n] for n in FIELDS))
    return render(
        request,
        "tickets/sla_confirm.html",
        {
            "category": category,
            "label": label,
            "current": services.category_sla(category),
            "new": new,
            "version": data["version"],
            "preview": selectors.sla_preview(request.user, category, new),
        },
    )


def _save(request, category: str, label: str):
    """Save the confirmed limits on the version the user edited; a stale version → the shared conflict page, whose
    re-post (hidden fields, `confirm` included) comes back here on the current version."""
    form = CategorySLAForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, category, label, form)
    data = form.cleaned_data
    try:
        row, moved = services.category_sla_set(
            actor=request.user, category=category, version=data["version"], **{n: data[n] for n in FIELDS}
        )
    except ConflictError as exc:
        current = exc.current
        rows: list[tuple[str, object, object]] = []
        for name in FIELDS:
            now = getattr(current, name, "—") if current is not None else "—"
            if now != data[name]:
                rows.append((str(form.fields[name].label), now, data[name]))
        edit_url = reverse("tickets:sla_edit", args=[category])
        return conflict_response(
            request,
            exc,
            title=_("保存冲突：“%(c)s”的办理时限已被他人修改") % {"c": label},
            rows=rows,
            retry_url=edit_url if current is not None else "",
            back_url=edit_url,
        )
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return _edit_page(request, category, label, form)
    messages.success(
        request,
        _(
            "已保存“%(c)s”的办理时限：响应 %(r)d、办结 %(d)d、升级间隔 %(s)d 个工作日；"
            "%(n)d 张未办结工单的时限已按新标准重算。"
        )
        % {"c": label, "r": row.response_days, "d": row.resolution_days, "s": row.escalation_step_days, "n": moved},
    )
    return redirect("tickets:sla_list")

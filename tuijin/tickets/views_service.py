"""不叫不到 inspection registry (涉企检查登记, 免打扰期) and the ticket dashboard (工单统计).

- `visit_list` (visits/): the visits the user may see — an enterprise the visits it received, a unit the visits it
  made (or received, for its own subtree), the project office and leaders the whole district — filtered by
  enterprise and month, with the month's visit count per enterprise; enterprises over TUIJIN_VISIT_MONTHLY_LIMIT
  are highlighted. The count is of ALL visits the enterprise received that month (every unit), because the limit is
  about the enterprise; only the count is shown for visits made by other units, never their details.
- `visit_add` (visits/new/): register a visit (permission "tickets.add_inspectionvisit") for one of the user's own
  units; a visit inside the enterprise's quiet period needs a justification (form error), and going over the monthly
  limit is a warning message after saving.
- `quiet_list` (quiet/): the quiet periods; an enterprise user declares its own (POST, "tickets.add_quietperiod").
  Enterprise users see only their own enterprise's periods; everyone else who may visit enterprises sees all.
- `quiet_delete` (quiet/<pk>/delete/, POST): an enterprise user deletes its own period (others' → 404).
- `TicketDashboardView` (dashboard/): `selectors.ticket_stats` for the user's dashboard scope
  (permission "tickets.dashboard_ticket").
"""

from datetime import date

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from tuijin.core.periods import month_end
from tuijin.core.permissions import deny, require
from tuijin.core.views_generic import ScopedViewMixin
from tuijin.org.choices import Role, UnitType
from tuijin.org.models import OrgUnit
from tuijin.org.scoping import user_memberships

from . import selectors, services
from .models import InspectionVisit, QuietPeriod, Ticket

__all__ = [
    "QuietPeriodForm",
    "TicketDashboardView",
    "VisitForm",
    "enterprise_only",
    "enterprise_units",
    "quiet_delete",
    "quiet_list",
    "visit_add",
    "visit_list",
    "visitable_enterprises",
    "visiting_units",
]

PAGE_SIZE = 50


# --------------------------------------------------------------------------------------------------------------
# Helpers


def _county_path(path: str) -> str:
    """A region path cut after its county-level (6-digit) code."""
    parts = [p for p in path.split("/") if p]
    for i, code in enumerate(parts):
        if len(code) >= 6:
            return "/".join(parts[: i + 1]) + "/"
    return path


def enterprise_units(user) -> list[OrgUnit]:
    """The enterprises the user acts for (memberships with the enterprise role)."""
    return [m.unit for m in user_memberships(user) if m.role == Role.ENTERPRISE]


def enterprise_only(user) -> bool:
    """Whether every role of the user is an enterprise role (an enterprise account, not a government one)."""
    memberships = user_memberships(user)
    return bool(memberships) and all(m.role == Role.ENTERPRISE for m in memberships)


def visiting_units(user):
    """The units a user may register a visit for: their own units and the units below them (not enterprises)."""
    condition = Q(pk__in=[])
    for m in user_memberships(user):
        if m.role != Role.ENTERPRISE and m.unit.unit_type != UnitType.ENTERPRISE:
            condition |= Q(path__startswith=m.unit.path)
    return OrgUnit.objects.filter(condition, is_active=True).exclude(unit_type=UnitType.ENTERPRISE)


def visitable_enterprises(user):
    """Active enterprises in the county-level region(s) of the user's units."""
    condition = Q(pk__in=[])
    for path in {_county_path(m.unit.region.path) for m in user_memberships(user)}:
        condition |= Q(region__path__startswith=path)
    return OrgUnit.objects.filter(condition, unit_type=UnitType.ENTERPRISE, is_active=True)


def _month(raw: str) -> date | None:
    try:
        year, month = (int(x) for x in raw.split("-")[:2])
        return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None
    except ValueError:
        return None


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class _StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


# --------------------------------------------------------------------------------------------------------------
# Inspection visits


class VisitForm(_StyledForm):
    enterprise = forms.ModelChoiceField(label=gettext_lazy("被检查企业"), queryset=OrgUnit.objects.none())
    visiting_unit = forms.ModelChoiceField(label=gettext_lazy("检查单位"), queryset=OrgUnit.objects.none())
    visitors = forms.CharField(label=gettext_lazy("检查人员"), max_length=200)
    visited_on = forms.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label=gettext_lazy("事由"), max_length=300)
    legal_basis = forms.CharField(
        label=gettext_lazy("执法/检查依据"), max_length=300, help_text=gettext_lazy("法律法规条款或上级文件")
    )
    justification = forms.CharField(
        label=gettext_lazy("免打扰期内到访的理由"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("企业在免打扰期内时必填"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = visitable_enterprises(user)  # type: ignore[attr-defined]
        units = visiting_units(user)
        self.fields["visiting_unit"].queryset = units  # type: ignore[attr-defined]
        if len(units) == 1:
            self.fields["visiting_unit"].initial = units[0]


class _VisitFilter:
    def __init__(self, request):
        self.enterprise = request.GET.get("enterprise", "")
        if not self.enterprise.isdigit():
            self.enterprise = ""
        self.month = _month(request.GET.get("month", ""))


@login_required
def visit_list(request):
    """涉企检查登记: the visits in the user's scope, with the month's count per enterprise."""
    require(request, "tickets.view_inspectionvisit")
    scoped = InspectionVisit.objects.restrict(request.user, "view")
    chosen = _VisitFilter(request)
    visits = scoped.select_related("enterprise", "visiting_unit")
    if chosen.enterprise:
        visits = visits.filter(enterprise_id=int(chosen.enterprise))
    if chosen.month:
        visits = visits.filter(visited_on__gte=chosen.month, visited_on__lte=month_end(chosen.month))
    page = Paginator(visits.order_by("-visited_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))

    month = chosen.month or timezone.localdate().replace(day=1)
    in_month = Q(visited_on__gte=month, visited_on__lte=month_end(month))
    limit = settings.TUIJIN_VISIT_MONTHLY_LIMIT
    counts = list(
        InspectionVisit.objects.filter(in_month, enterprise_id__in=scoped.filter(in_month).values("enterprise_id"))
        .order_by()
        .values("enterprise_id", "enterprise__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "enterprise__name")
    )
    for row in counts:
        row["over"] = row["n"] > limit
    enterprises = scoped.order_by("enterprise__name").values_list("enterprise_id", "enterprise__name").distinct()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tickets/inspection_list.html",
        {
            "page_obj": page,
            "visits": page.object_list,
            "filter": chosen,
            "month": month,
            "counts": counts,
            "over_count": sum(1 for row in counts if row["over"]),
            "limit": limit,
            "enterprises": list(enterprises),
            "can_add": request.user.has_perm("tickets.add_inspectionvisit"),
            "querystring": query.urlencode(),
        },
    )


@login_required
def visit_add(request):
    """Register an inspection visit (涉企检查登记)."""
    require(request, "tickets.add_inspectionvisit")
    user = request.user
    form = VisitForm(request.POST or None, user=user, initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit, warnings = services.inspection_visit_register(
                actor=user,
                enterprise=data["enterprise"],
                visiting_unit=data["visiting_unit"],
                visitors=data["visitors"],
                visited_on=data["visited_on"],
                purpose=data["purpose"],
                legal_basis=data["legal_basis"],
                justification=data["justification"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已登记：%(e)s %(d)s。") % {"e": visit.enterprise.name, "d": visit.visited_on})
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(f"{reverse('tickets:visit_list')}?month={visit.visited_on:%Y-%m}")
    today = timezone.localdate()
    quiet = (
        QuietPeriod.objects.restrict(user, "view")
        .filter(end__gte=today, enterprise__in=visitable_enterprises(user))
        .select_related("enterprise")
        .order_by("start", "enterprise__name")[:50]
    )
    return render(
        request,
        "tickets/inspection_form.html",
        {"form": form, "quiet": quiet, "limit": settings.TUIJIN_VISIT_MONTHLY_LIMIT},
    )


# --------------------------------------------------------------------------------------------------------------
# Quiet periods


class QuietPeriodForm(_StyledForm):
    enterprise = forms.ModelChoiceField(label=gettext_lazy("企业"), queryset=OrgUnit.objects.none())
    start = forms.DateField(label=gettext_lazy("开始"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("结束"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        field.queryset = OrgUnit.objects.filter(pk__in=[e.pk for e in enterprises])  # type: ignore[attr-defined]
        if len(enterprises) == 1:
            field.initial = enterprises[0].pk
            field.widget = forms.HiddenInput()


def _quiet_periods(user):
    """The quiet periods shown to the user: an enterprise user only its own, others every one in scope."""
    periods = QuietPeriod.objects.restrict(user, "view")
    if enterprise_only(user):
        periods = periods.filter(enterprise__in=[e.pk for e in enterprise_units(user)])
    return periods


@login_required
def quiet_list(request):
    """免打扰期: list; an enterprise user declares its quiet periods here (POST)."""
    require(request, "tickets.view_quietperiod")
    user = request.user
    own = enterprise_units(user) if user.has_perm("tickets.add_quietperiod") else []
    form = None
    if own:
        form = QuietPeriodForm(request.POST or None, enterprises=own)
    if request.method == "POST":
        if form is None:
            require(request, "tickets.add_quietperiod")
            deny(request, action="tickets.add_quietperiod", message=_("只有企业用户可以申报本企业的免打扰期。"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.quiet_period_set(
                    actor=user, enterprise=data["enterprise"], start=data["start"], end=data["end"], note=data["note"]
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request, _("已申报免打扰期：%(s)s 至 %(e)s。") % {"s": data["start"], "e": data["end"]}
                )
                return redirect("tickets:quiet_list")
    today = timezone.localdate()
    show = request.GET.get("show", "")
    periods = _quiet_periods(user).select_related("enterprise")
    if show != "all":
        periods = periods.filter(end__gte=today)
    deletable = {e.pk for e in enterprise_units(user)} if user.has_perm("tickets.delete_quietperiod") else set()
    page = Paginator(periods.order_by("start", "enterprise__name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/quiet_list.html",
        {
            "form": form,
            "page_obj": page,
            "periods": page.object_list,
            "deletable": deletable,
            "today": today,
            "show": show,
            "querystring": "show=all" if show == "all" else "",
        },
    )


@login_required
@require_POST
def quiet_delete(request, pk: int):
    """Delete one of the user's own enterprise's quiet periods."""
    require(request, "tickets.delete_quietperiod")
    own = [e.pk for e in enterprise_units(request.user)]
    period = get_object_or_404(QuietPeriod.objects.restrict(request.user, "delete").filter(enterprise__in=own), pk=pk)
    period.delete()
    messages.success(request, _("已删除免打扰期：%(s)s 至 %(e)s。") % {"s": period.start, "e": period.end})
    return redirect("tickets:quiet_list")


# --------------------------------------------------------------------------------------------------------------
# Ticket dashboard


def dashboard_month(request) -> tuple[int, int]:
    """?year=&month= when valid, else the current month (tickets are live data)."""
    today = timezone.localdate()
    try:
        year, month = int(request.GET.get("year", "")), int(request.GET.get("month", ""))
    except ValueError:
        return today.year, today.month
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return today.year, today.month
    return year, month


class TicketDashboardView(ScopedViewMixin, TemplateView):
    """工单统计: open and overdue tickets by unit and category, response and resolution times, satisfaction,
    top blockers and the escalated tickets (permission "tickets.dashboard_ticket", dashboard scope)."""

    queryset = Ticket.objects.all()
    action = "dashboard"
    template_name = "tickets/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = dashboard_month(self.request)
        this_year = timezone.localdate().year
        context.update(
            stats=selectors.ticket_stats(self.request.user, year, month),
            year=year,
            month=month,
            years=sorted({*range(this_year, this_year - 6, -1), year}, reverse=True),
            months=range(1, 13),
        )
        return context

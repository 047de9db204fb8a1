"""One filterset for the ticket pool page and its Excel export (the rows are scoped before filtering)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.org.choices import UnitType
from tuijin.org.models import OrgUnit
from tuijin.org.scoping import user_memberships

from .choices import TicketSource, TicketStatus
from .models import Ticket
from .selectors import TODO_CHOICES, ticket_todo

__all__ = ["OPEN_STATUSES", "STATUS_CHOICES", "TicketFilterSet", "is_enterprise_user", "lead_unit_choices"]

OPEN_STATUSES = (TicketStatus.PENDING, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS)
STATUS_CHOICES = [("open", _("未办结（全部）")), ("overdue", _("已超期")), *TicketStatus.choices]


def is_enterprise_user(user) -> bool:
    """True when the user acts for an enterprise (the 企业服务 portal): raising, following and rating its tickets."""
    memberships = user_memberships(user)
    return bool(memberships) and all(m.unit.unit_type == UnitType.ENTERPRISE for m in memberships)


def lead_unit_choices(user):
    """Units a ticket can be assigned to (or filtered by): government units the user may see, no enterprises."""
    return (
        OrgUnit.objects.restrict(user, "view")
        .filter(is_active=True)
        .exclude(unit_type__in=["enterprise", "university"])
        .order_by("sort_order", "name", "pk")
    )


class TicketFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("编号/标题/项目/企业"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("状态"))
    category = django_filters.ChoiceFilter(choices=[], label=_("类别"))  # the catalogue, set per instance
    source = django_filters.ChoiceFilter(choices=TicketSource.choices, label=_("来源"))
    lead_unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.none(), method="filter_lead_unit", label=_("牵头单位")
    )
    # A home-page 待我处理 item's list (hidden: kept while the other filters change, cleared by 重置).
    todo = django_filters.ChoiceFilter(
        choices=TODO_CHOICES, method="filter_todo", label=_("待我处理"), widget=forms.HiddenInput
    )

    class Meta:
        model = Ticket
        fields = ["q", "status", "category", "source", "lead_unit", "todo"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        from .selectors import category_filter_choices

        self.filters["category"].extra["choices"] = category_filter_choices()
        user = getattr(request, "user", None)
        if is_enterprise_user(user):  # the units are not theirs to browse
            self.filters.pop("lead_unit")
        else:
            self.filters["lead_unit"].queryset = lead_unit_choices(user)
        for name in ("status", "category", "source", "lead_unit"):
            if name in self.filters:
                self.filters[name].extra["empty_label"] = _("全部")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(project__name__icontains=value)
            | Q(enterprise__name__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "overdue":
            return queryset.filter(status__in=OPEN_STATUSES, resolution_due__lt=timezone.localdate())
        return queryset.filter(status=value)

    def filter_todo(self, queryset, name, value):
        return ticket_todo(queryset, value, getattr(self.request, "user", None))

    @property
    def todo_label(self) -> str:
        """The label of the active to-do set, "" when none (shown in the page title)."""
        value = self.form.cleaned_data.get("todo") if self.form.is_valid() else ""
        return str(dict(TODO_CHOICES).get(value, "")) if value else ""

    def filter_lead_unit(self, queryset, name, value):
        return queryset.filter(lead_unit__path__startswith=value.path)

"""The application list's filters (rows are scoped before filtering), with the hidden ones the other pages link
through: `kpi` + `year` (+ `channel` / `unit_id`) for a 资金统计 number, `todo` for a 待我处理 item, `batch` and
`project` for a batch's or a project's applications. The conditions come from selectors.py, so a linked list
counts exactly what the number counted."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.org.models import OrgUnit

from .choices import ApplicationStatus, Channel
from .models import FundApplication, FundingBatch
from .selectors import FIGURES, TODOS, figure_applications, todo_applications

__all__ = ["ApplicationFilterSet", "BatchFilterSet", "unit_choices"]


def unit_choices(user):
    """Government units the user may see (no enterprises, no universities), in the directory's order."""
    return (
        OrgUnit.objects.restrict(user, "view")
        .filter(is_active=True)
        .exclude(unit_type__in=["enterprise", "university"])
        .order_by("sort_order", "name", "pk")
    )


class ApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("项目/编号"))
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices, label=_("状态"))
    channel = django_filters.ChoiceFilter(field_name="batch__channel", choices=Channel.choices, label=_("资金渠道"))
    unit = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.none(), method="filter_unit", label=_("责任单位"))
    year = django_filters.NumberFilter(method="filter_year", label=_("年度"), min_value=1, max_value=9999)
    # hidden: the drill-downs of the other pages
    kpi = django_filters.ChoiceFilter(
        choices=[(k, f.label) for k, f in FIGURES.items()], method="filter_nothing", widget=forms.HiddenInput
    )
    unit_id = django_filters.NumberFilter(field_name="project__responsible_unit_id", widget=forms.HiddenInput)
    batch = django_filters.NumberFilter(field_name="batch_id", widget=forms.HiddenInput)
    project = django_filters.NumberFilter(field_name="project_id", widget=forms.HiddenInput)
    todo = django_filters.ChoiceFilter(choices=list(TODOS.items()), method="filter_todo", widget=forms.HiddenInput)

    class Meta:
        model = FundApplication
        fields = ["q", "status", "channel", "unit", "year", "kpi", "unit_id", "batch", "project", "todo"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = getattr(request, "user", None)
        self.filters["unit"].queryset = unit_choices(self.user)
        for name in ("status", "channel", "unit"):
            self.filters[name].extra["empty_label"] = _("全部")

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(Q(project__name__icontains=value) | Q(number__icontains=value))

    def filter_unit(self, queryset, name, value):
        return queryset.filter(project__responsible_unit__path__startswith=value.path)

    def filter_year(self, queryset, name, value):
        if self.form.cleaned_data.get("kpi"):
            return queryset  # the figure applies the year itself
        return queryset.filter(batch__deadline__year=int(value))

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        kpi = self.form.cleaned_data.get("kpi")
        if kpi:
            year = self.form.cleaned_data.get("year")
            queryset = figure_applications(queryset, kpi, int(year) if year else None)
        return queryset

    def filter_todo(self, queryset, name, value):
        return todo_applications(self.user, queryset, value)


class BatchFilterSet(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("资金渠道"))
    year = django_filters.NumberFilter(field_name="deadline__year", label=_("年度"), min_value=1, max_value=9999)

    class Meta:
        model = FundingBatch
        fields = ["channel", "year"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.filters["channel"].extra["empty_label"] = _("全部")

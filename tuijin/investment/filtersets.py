"""The lead list's filters (the rows are scoped before filtering), and the 招商 figures' drill-down:
`?kpi=<figure>&year=YYYY&months=a-b` narrows the list to the leads the figure counts (kpis.FIGURES, the very
condition the dashboard counts), combined with the other filters (band, chain — `null` for 未填 —, unit, stage)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.org.models import OrgUnit
from tuijin.projects.models import IndustryChain

from .choices import InvestorTag, LeadStage, ReviewStatus, SizeBand
from .forms import tracking_unit_choices
from .kpis import FIGURES, figure_leads, parse_period
from .models import Lead
from .selectors import band_condition, with_amount

__all__ = ["LeadFilterSet"]

STAGE_CHOICES = [("live", _("进行中（未终止）")), *LeadStage.choices]


class LeadFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("项目/投资方/企业"))
    stage = django_filters.ChoiceFilter(choices=STAGE_CHOICES, method="filter_stage", label=_("阶段"))
    review = django_filters.ChoiceFilter(field_name="review_status", choices=ReviewStatus.choices, label=_("审核状态"))
    chain = django_filters.ModelChoiceFilter(
        queryset=IndustryChain.objects.all(), label=_("产业链"), null_label=_("未填")
    )
    tracking_unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.none(), method="filter_unit", label=_("跟踪单位")
    )
    band = django_filters.ChoiceFilter(choices=SizeBand.choices, method="filter_band", label=_("投资规模"))
    tag = django_filters.ChoiceFilter(choices=InvestorTag.choices, method="filter_tag", label=_("投资方性质"))
    # the dashboard's drill-down (kpis.py)
    kpi = django_filters.ChoiceFilter(
        choices=[(key, figure.label) for key, figure in FIGURES.items()], method="filter_kpi", label=_("统计口径")
    )
    year = django_filters.NumberFilter(method="filter_nothing", label=_("统计年度"))
    months = django_filters.CharFilter(method="filter_nothing", widget=forms.HiddenInput, label=_("统计月份"))
    unit = django_filters.NumberFilter(
        field_name="tracking_unit_id", widget=forms.HiddenInput, label=_("跟踪单位（不含下级）")
    )

    class Meta:
        model = Lead
        fields = ["q", "stage", "review", "chain", "tracking_unit", "band", "tag", "kpi", "year", "months", "unit"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.filters["tracking_unit"].queryset = tracking_unit_choices(getattr(request, "user", None))
        for name in ("stage", "review", "chain", "tracking_unit", "band", "tag", "kpi"):
            self.filters[name].extra["empty_label"] = _("全部")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(investor__icontains=value) | Q(registered_name__icontains=value)
        )

    def filter_stage(self, queryset, name, value):
        if value == "live":
            return queryset.exclude(stage=LeadStage.TERMINATED)
        return queryset.filter(stage=value)

    def filter_unit(self, queryset, name, value):
        return queryset.filter(tracking_unit__path__startswith=value.path)

    def filter_band(self, queryset, name, value):
        return with_amount(queryset).filter(band_condition(value))

    def filter_tag(self, queryset, name, value):
        # the list's JSON text holds each tag quoted (works on SQLite and PostgreSQL alike)
        return queryset.filter(investor_tags__icontains=f'"{value}"')

    def filter_kpi(self, queryset, name, value):
        """The leads the figure counts in the period of `year`/`months` (default: this year)."""
        data = self.data or {}
        period = parse_period(data.get("year"), data.get("months"))
        return figure_leads(queryset, value, period)

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_kpi

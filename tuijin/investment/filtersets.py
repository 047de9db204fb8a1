"""The lead list's filters (the rows are scoped before filtering)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.org.models import OrgUnit
from tuijin.projects.models import IndustryChain

from .choices import InvestorTag, LeadStage, ReviewStatus, SizeBand
from .forms import tracking_unit_choices
from .models import Lead
from .selectors import band_condition, with_amount

__all__ = ["LeadFilterSet"]

STAGE_CHOICES = [("live", _("进行中（未终止）")), *LeadStage.choices]


class LeadFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("项目/投资方/企业"))
    stage = django_filters.ChoiceFilter(choices=STAGE_CHOICES, method="filter_stage", label=_("阶段"))
    review = django_filters.ChoiceFilter(field_name="review_status", choices=ReviewStatus.choices, label=_("审核状态"))
    chain = django_filters.ModelChoiceFilter(queryset=IndustryChain.objects.all(), label=_("产业链"))
    tracking_unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.none(), method="filter_unit", label=_("跟踪单位")
    )
    band = django_filters.ChoiceFilter(choices=SizeBand.choices, method="filter_band", label=_("投资规模"))
    tag = django_filters.ChoiceFilter(choices=InvestorTag.choices, method="filter_tag", label=_("投资方性质"))

    class Meta:
        model = Lead
        fields = ["q", "stage", "review", "chain", "tracking_unit", "band", "tag"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.filters["tracking_unit"].queryset = tracking_unit_choices(getattr(request, "user", None))
        for name in ("stage", "review", "chain", "tracking_unit", "band", "tag"):
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

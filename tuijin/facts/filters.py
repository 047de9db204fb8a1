"""The figures' drill-down as project-list filters: `?fact=<figure>&period=YYYY-MM` (registered into
projects.filtersets by FactsConfig.ready)."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.periods import month_start, previous_month

from .figures import FIGURES, parse_period_param, projects_with

__all__ = ["FactFilter", "PeriodFilter", "register"]


class FactFilter(django_filters.ChoiceFilter):
    """The projects a figure counts in the month given by the `period` parameter (default: last month)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", [(key, figure.label) for key, figure in FIGURES.items()])
        kwargs.setdefault("label", _("统计口径"))
        kwargs.setdefault("empty_label", _("全部"))
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value in (None, "") or value not in FIGURES:
            return qs
        data = getattr(self.parent, "data", None) or {}
        period = parse_period_param(data.get("period")) or previous_month(month_start(timezone.localdate()))
        return projects_with(qs, value, period)


class PeriodFilter(django_filters.CharFilter):
    """The month of `fact` (read by FactFilter); alone it filters nothing."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("统计月份"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        super().__init__(**kwargs)

    def filter(self, qs, value):
        return qs


def register() -> None:
    from tuijin.projects.filtersets import register_filter

    register_filter("fact", FactFilter)
    register_filter("period", PeriodFilter)

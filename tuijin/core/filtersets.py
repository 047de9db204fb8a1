import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.conf import settings as filter_settings

from .choices import AuditEventType, AuditOutcome, ChangeAction
from .models import AuditEvent, ObjectChange

__all__ = ["EMPTY_CHOICE_LABEL", "AuditEventFilterSet", "FilterSet", "ObjectChangeFilterSet"]

# The label of a filter drop-down's "no filter" option (django-filter's default is "---------").
EMPTY_CHOICE_LABEL = _("全部")


class FilterSet(django_filters.FilterSet):
    """A filterset whose drop-downs offer "全部" as the no-filter choice (choice, model-choice and yes/no filters).

    The generic list page (generic/object_list.html) also shows "全部" for the empty option of any filterset's
    drop-down, so a filterset that does not derive from this one still reads right there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            if isinstance(filter_, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                if (
                    filter_.extra.get("empty_label", filter_settings.EMPTY_CHOICE_LABEL)
                    == filter_settings.EMPTY_CHOICE_LABEL
                ):
                    filter_.extra["empty_label"] = EMPTY_CHOICE_LABEL
            elif isinstance(filter_, django_filters.BooleanFilter) and "widget" not in filter_.extra:
                filter_.extra["widget"] = forms.Select(
                    choices=[("", EMPTY_CHOICE_LABEL), ("true", _("是")), ("false", _("否"))]
                )


class _DateRange(FilterSet):
    date_from = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("起始日期"))
    date_to = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("截止日期"))


class AuditEventFilterSet(_DateRange):
    q = django_filters.CharFilter(method="search", label=_("用户/对象/地址"))
    event_type = django_filters.ChoiceFilter(choices=AuditEventType.choices, label=_("事件类型"))
    outcome = django_filters.ChoiceFilter(choices=AuditOutcome.choices, label=_("结果"))

    class Meta:
        model = AuditEvent
        fields = ["q", "event_type", "outcome", "date_from", "date_to"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(user_name__icontains=value)
            | Q(object_repr__icontains=value)
            | Q(ip__startswith=value)
            | Q(request_id=value)
        )


class ObjectChangeFilterSet(_DateRange):
    q = django_filters.CharFilter(method="search", label=_("用户/对象/请求编号"))
    action = django_filters.ChoiceFilter(choices=ChangeAction.choices, label=_("操作"))

    class Meta:
        model = ObjectChange
        fields = ["q", "action", "date_from", "date_to"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(user_name__icontains=value)
            | Q(object_repr__icontains=value)
            | Q(request_id=value)
            | Q(message__icontains=value)
        )

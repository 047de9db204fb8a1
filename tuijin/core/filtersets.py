import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AuditEventType, AuditOutcome, ChangeAction
from .models import AuditEvent, ObjectChange

__all__ = ["AuditEventFilterSet", "ObjectChangeFilterSet"]


class _DateRange(django_filters.FilterSet):
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

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.filtersets import FilterSet

from .models import User

__all__ = ["AccountFilterSet"]


class AccountFilterSet(FilterSet):
    """The account list's search box (the generic list form, which stays in place while the table is swapped)."""

    q = django_filters.CharFilter(method="search", label=_("用户名或姓名"))

    class Meta:
        model = User
        fields = ["q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(display_name__icontains=value))

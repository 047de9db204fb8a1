import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import UnitType
from .models import OrgUnit, Person

__all__ = ["OrgUnitFilterSet", "PersonFilterSet"]


class OrgUnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称/信用代码"))
    unit_type = django_filters.ChoiceFilter(choices=UnitType.choices, label=_("单位类型"))

    class Meta:
        model = OrgUnit
        fields = ["q", "unit_type"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(credit_code=value))


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("姓名"))
    is_county_leader = django_filters.BooleanFilter(label=_("县级领导"))

    class Meta:
        model = Person
        fields = ["q", "is_county_leader"]

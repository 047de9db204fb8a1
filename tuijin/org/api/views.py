from tuijin.api.viewsets import ScopedReadOnlyViewSet

from ..filtersets import OrgUnitFilterSet, PersonFilterSet
from ..models import OrgUnit, Person
from .serializers import OrgUnitSerializer, PersonSerializer

__all__ = ["OrgUnitViewSet", "PersonViewSet"]


class OrgUnitViewSet(ScopedReadOnlyViewSet):
    queryset = OrgUnit.objects.select_related("region")
    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilterSet


class PersonViewSet(ScopedReadOnlyViewSet):
    queryset = Person.objects.select_related("unit").prefetch_related("positions")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

"""`?ordering=` for every API list: DRF's OrderingFilter with unknown values (NULL: 总投资 未填, no start date yet)
last in either direction, so a list sorts the same on SQLite (NULLs first ascending) and PostgreSQL (NULLs first
descending)."""

from django.db.models import F
from rest_framework.filters import OrderingFilter

__all__ = ["NullsLastOrderingFilter"]


class NullsLastOrderingFilter(OrderingFilter):
    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        terms = []
        for term in ordering:
            if not isinstance(term, str):
                terms.append(term)
            elif term.startswith("-"):
                terms.append(F(term[1:]).desc(nulls_last=True))
            else:
                terms.append(F(term).asc(nulls_last=True))
        return queryset.order_by(*terms)

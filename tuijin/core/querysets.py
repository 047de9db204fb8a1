"""`RestrictedQuerySet`: every scoped read goes through `restrict(user, action)` (NetBox `utilities/querysets.py`)."""

from collections.abc import Iterator

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP

from .scoping import scope_filter

__all__ = ["RestrictedQuerySet"]


def _lookups(condition: Q) -> Iterator[str]:
    for child in condition.children:
        if isinstance(child, Q):
            yield from _lookups(child)
        else:
            yield child[0]  # type: ignore[index]  # a (lookup, value) pair


def _single_valued(model, lookup: str) -> bool:
    """True when every relation on the lookup's path is a forward foreign key / one-to-one (no row can repeat)."""
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return True  # a transform or lookup (startswith, in …): the path ends here
        if field.many_to_many or field.one_to_many:
            return False
        if not field.is_relation:
            return True
        model = field.related_model
    return True


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "RestrictedQuerySet":
        """Only the rows `user` may `action`, as one `pk IN (subquery)` so joins never duplicate rows.

        No permission → empty queryset. The rules (role → permissions, role → scope) come from the registered
        scope filter (`tuijin.core.scoping`, provided by the org app); models declare how they reach a unit in
        `scope_fields`.
        """
        through = getattr(self.model, "scope_through", None)
        if through is not None:
            # A child with millions of rows (monthly reports) is scoped through its parent's much smaller table:
            # `project_id IN (allowed projects)` instead of `id IN (allowed reports)`.
            fk, parent_label = through
            parent = apps.get_model(parent_label)
            condition = scope_filter(user, self.model, action, scope_model=parent)
            if condition is None:
                return self.none()
            if condition is True:
                return self
            return self.filter(**{f"{fk}__in": parent._default_manager.filter(condition).values("pk")})
        condition = scope_filter(user, self.model, action)
        if condition is None:
            return self.none()
        if condition is True:
            return self
        allowed = self.model._default_manager.filter(condition).values("pk")
        return self.filter(pk__in=allowed)

    def restrict_inline(self, user, action: str = "view") -> "RestrictedQuerySet":
        """`restrict`, with the scope condition written into the query itself instead of `pk IN (subquery)`, so it
        shares the joins of the caller's own lookups (one pass over the parent table instead of two). Used only
        when every lookup of the condition follows single-valued relations (no row can repeat); otherwise, and for
        conditions that cannot be inlined, `restrict`'s `pk IN (subquery)`. On a child scoped through its parent
        (`scope_through`) the permission checked is the parent's, as when filtering by the parent's `restrict`."""
        through = getattr(self.model, "scope_through", None)
        parent = apps.get_model(through[1]) if through is not None else self.model
        # For a child scoped through its parent, the permission is the parent's ("dashboard" a project's).
        condition = scope_filter(user, parent, action, scope_model=self.model)
        if condition is None:
            return self.none()
        if condition is True or condition is False:
            return self if condition else self.none()
        if all(_single_valued(self.model, lookup) for lookup in _lookups(condition)):
            return self.filter(condition)
        if through is None:
            return self.restrict(user, action)
        allowed = parent._default_manager.restrict(user, action).values("pk")
        return self.filter(**{f"{through[0]}__in": allowed})

"""`RestrictedQuerySet`: every scoped read goes through `restrict(user, action)` (NetBox `utilities/querysets.py`)."""

from django.apps import apps
from django.db import models

from .scoping import scope_filter

__all__ = ["RestrictedQuerySet"]


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

"""`RestrictedQuerySet`: every scoped read goes through `restrict(user, action)` (NetBox `utilities/querysets.py`)."""

from django.db import models

__all__ = ["RestrictedQuerySet"]


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "RestrictedQuerySet":
        """Only the rows `user` may `action`, as one `pk IN (subquery)` so joins never duplicate rows.

        No permission → empty queryset. The rules (role → permissions, role → scope) live in
        `tuijin.org.scoping`; models declare how they reach a unit in `scope_fields`.
        """
        from tuijin.org.scoping import scope_filter

        condition = scope_filter(user, self.model, action)
        if condition is None:
            return self.none()
        if condition is True:
            return self
        allowed = self.model._default_manager.filter(condition).values("pk")
        return self.filter(pk__in=allowed)

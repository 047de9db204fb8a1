"""The hook behind `RestrictedQuerySet.restrict()`: core asks, one app answers (the org app, `tuijin.org.scoping`).

Core knows only the question: which rows of `model` may `user` `action`? The answer depends on memberships, roles
and the unit tree, which are the org app's, so that app registers its function here in its `AppConfig.ready()`:

    register_scope_filter(scope_filter)

The function is called as `provider(user, model, action, scope_model=None)` and returns None (no permission: no
rows), True (permitted without row limits) or a `Q` over `scope_model` (default `model`) selecting the rows allowed.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q

__all__ = ["ScopeFilter", "register_scope_filter", "scope_filter"]

ScopeFilter = Callable[..., Q | bool | None]

_provider: ScopeFilter | None = None


def register_scope_filter(provider: ScopeFilter) -> ScopeFilter:
    """Make `provider` the one scope filter (a later registration replaces an earlier one)."""
    global _provider
    _provider = provider
    return provider


def scope_filter(
    user: Any, model: type[Model], action: str, *, scope_model: type[Model] | None = None
) -> Q | bool | None:
    """The registered provider's answer; ImproperlyConfigured when no app registered one (never "everything")."""
    if _provider is None:
        raise ImproperlyConfigured("No scope filter is registered: restrict() needs the org app (tuijin.org).")
    return _provider(user, model, action, scope_model=scope_model)

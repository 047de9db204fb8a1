"""What the org app adds to every page (see `tuijin.core.context_processors`): the user's units and roles."""

from typing import Any

from .scoping import user_memberships

__all__ = ["shell_context"]


def shell_context(request, user) -> dict[str, Any]:
    return {"memberships": user_memberships(user)}

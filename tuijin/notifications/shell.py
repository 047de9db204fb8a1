"""What the notifications app adds to every page (see `tuijin.core.context_processors`): the unread badge."""

from typing import Any

from .services import unread_count

__all__ = ["SHELL_DEFAULTS", "shell_context"]

SHELL_DEFAULTS = {"unread_notifications": 0}


def shell_context(request, user) -> dict[str, Any]:
    return {"unread_notifications": unread_count(user)}

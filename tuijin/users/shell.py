"""What the users app adds to every page (see `tuijin.core.context_processors`): the password-expiry warning."""

from typing import Any

from django.conf import settings
from django.utils import timezone

from .middleware import password_expires_at

__all__ = ["SHELL_DEFAULTS", "shell_context"]

SHELL_DEFAULTS = {"password_warning_days": None}  # None: no warning


def shell_context(request, user) -> dict[str, Any]:
    """Days left before the password expires, once that is TUIJIN_PASSWORD_WARN_DAYS or fewer."""
    expires = password_expires_at(user)
    if expires is None:
        return {}
    days = (expires - timezone.now()).days
    if days > settings.TUIJIN_PASSWORD_WARN_DAYS:
        return {}
    return {"password_warning_days": max(days, 0)}

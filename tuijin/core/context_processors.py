"""The `shell` context processor: what every page's frame (base.html) shows, contributed by the apps.

Core adds the version, the request id and the navigation. Each app that puts something in the frame registers a
provider in its `AppConfig.ready()`:

    register_shell_context(provider, defaults={"unread_notifications": 0})

`provider(request, user)` runs only for an authenticated user and returns a dict of template variables; `defaults`
(optional) are set on every page, so templates can rely on the names for anonymous visitors too.
"""

from collections.abc import Callable, Mapping
from typing import Any

from tuijin import __version__

from .navigation import nav_for

__all__ = ["register_shell_context", "shell"]

ShellProvider = Callable[[Any, Any], Mapping[str, Any]]

_PROVIDERS: list[tuple[ShellProvider, dict[str, Any]]] = []


def register_shell_context(provider: ShellProvider, *, defaults: Mapping[str, Any] | None = None) -> ShellProvider:
    """Add `provider(request, user) -> dict` to every page's context (authenticated users only; see above)."""
    if all(registered is not provider for registered, _defaults in _PROVIDERS):
        _PROVIDERS.append((provider, dict(defaults or {})))
    return provider


def shell(request) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {
        "tuijin_version": __version__,
        "request_id": str(getattr(request, "id", "")),
        "nav_groups": nav_for(user) if user is not None else [],
    }
    for _provider, defaults in _PROVIDERS:
        context.update(defaults)
    if user is not None and user.is_authenticated:
        for provider, _defaults in _PROVIDERS:
            context.update(provider(request, user))
    return context

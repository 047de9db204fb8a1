"""Client address behind a configured set of trusted proxies (security.md §0.4, AS-API-2)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

__all__ = ["client_ip"]


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless it is a trusted proxy; then walk X-Forwarded-For from the right.

    Entries added by untrusted clients sit on the left of the header, so only the right-most entry that is not
    itself a trusted proxy is believed. A spoofed header sent straight to the application is ignored because
    REMOTE_ADDR is then not a trusted proxy.
    """
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104
    trusted = set(settings.TUIJIN_TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = [item for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    for item in reversed(forwarded):
        address = _valid(item)
        if address is None:
            return remote
        if address not in trusted:
            return address
    return remote

"""Where to go after a POST: only a path on this site, never an address an attacker put in the form."""

from django.utils.http import url_has_allowed_host_and_scheme

__all__ = ["safe_next"]


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default

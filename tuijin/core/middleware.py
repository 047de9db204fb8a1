"""Request id + context, and no-store caching for authenticated pages."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .context import current_request
from .net import client_ip

__all__ = ["DenialAuditMiddleware", "NoStoreMiddleware", "RequestContextMiddleware"]


class RequestContextMiddleware:
    """Give every request a UUID (`request.id`, echoed as X-Request-ID) and publish it in a ContextVar."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.id = uuid.uuid4()  # type: ignore[attr-defined]
        request.client_ip = client_ip(request)  # type: ignore[attr-defined]
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = str(request.id)  # type: ignore[attr-defined]
        return response


class NoStoreMiddleware:
    """Authenticated pages must not be kept by the browser or a proxy (Back after logout shows nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store, private"
        return response


class DenialAuditMiddleware:
    """Every page 403 is in the audit log: a `PermissionDenied` that reaches Django's handler without an
    `access_denied` event (one raised by a service, after its transaction rolled back) is recorded here as
    `refused`. Refusals made through `core.permissions.deny()` are already recorded and are not written twice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        from .audit import denial_recorded
        from .permissions import DenialReason, denial_record

        if isinstance(exception, PermissionDenied) and not denial_recorded(request):
            denial_record(request, reason=DenialReason.REFUSED, message=str(exception))

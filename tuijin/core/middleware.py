"""Request id + context, no-store caching for authenticated pages, and control characters dropped from input."""

import io
import json
import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from tuijin.utilities.text import CONTROL_CHARACTERS, strip_control, strip_control_deep

from .context import current_request
from .net import client_ip

__all__ = ["ControlCharacterMiddleware", "DenialAuditMiddleware", "NoStoreMiddleware", "RequestContextMiddleware"]

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
WRITE_METHODS = ("POST", "PUT", "PATCH")


class ControlCharacterMiddleware:
    """Drop C0 control characters (tab, LF and CR kept) from every text a request brings: form fields and JSON
    bodies, so that no form, API endpoint or service stores one (utilities.text). A JSON body that does not parse is
    left for the API to refuse; a body with nothing to drop is left byte for byte as it came."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in WRITE_METHODS:
            if request.content_type in FORM_TYPES:
                self._clean_form(request)
            elif request.content_type == "application/json":
                self._clean_json(request)
        return self.get_response(request)

    @staticmethod
    def _clean_form(request: HttpRequest) -> None:
        if request.method != "POST":
            return
        post = request.POST
        if not any(CONTROL_CHARACTERS.search(v) for values in post.lists() for v in values[1]):
            return
        cleaned = post.copy()
        for key, values in post.lists():
            cleaned.setlist(key, [strip_control(v) for v in values])
        cleaned._mutable = False
        request.POST = cleaned  # type: ignore[misc,assignment]

    @staticmethod
    def _clean_json(request: HttpRequest) -> None:
        body = request.body
        if not body:
            return
        try:
            data = json.loads(body)
        except ValueError:
            return
        data, changed = strip_control_deep(data)
        if changed:
            cleaned = json.dumps(data, ensure_ascii=False).encode()
            request._body = cleaned  # type: ignore[attr-defined]
            request._stream = io.BytesIO(cleaned)  # type: ignore[attr-defined]
            request.META["CONTENT_LENGTH"] = str(len(cleaned))


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

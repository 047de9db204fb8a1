"""The one place where API errors are translated: viewsets call services and let their exceptions through.

| Raised | Status | Body |
|---|---|---|
| Django `ValidationError` | 400 | `{field: [message, …]}`; rule errors not tied to a field under `non_field_errors` |
| `ApplicationError` | 400 | `{"detail", "code"}` |
| `ConflictError` (stale version/status) | 412 | `{"detail", "code": "conflict", "current", "current_version"}`, ETag |
| `PreconditionRequired` (no `If-Match` where one is required) | 428 | `{"detail", "code"}` |
| `PermissionDenied` (Django or DRF) | 403 | `{"detail"}`; recorded as `access_denied` unless already recorded |
| `Http404`, DRF errors (401, 404, 405, 415, 429 …) | as DRF | `{"detail"}` |

Every body also carries `request_id`. Anything else is a 500, answered as JSON by `core.views.server_error`.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from tuijin.core.context import get_request_id
from tuijin.core.exceptions import ApplicationError, ConflictError

__all__ = ["PreconditionRequired", "exception_handler", "if_match_version"]


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "修改须携带 If-Match 请求头（取自上次读取的 ETag）。"
    default_code = "precondition_required"


def if_match_version(request) -> int | None:
    """The version in the `If-Match` header (`"3"`, `W/"3"` or `3`). Missing: 428. Present but not a version:
    None, which matches no version, so the service's `bump_version` answers 412 like for a stale one."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    value = header.removeprefix("W/").strip().strip('"')
    return int(value) if value.isdigit() else None


def _field_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        key = api_settings.NON_FIELD_ERRORS_KEY
        return {(key if name == "__all__" else name): messages for name, messages in exc.message_dict.items()}
    return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}


def _current(exc: ConflictError, context) -> dict | None:
    """The object as it is now, in the view's own serializer when it is of the view's model."""
    current = exc.current
    if current is None:
        return None
    view = context.get("view")
    queryset = getattr(view, "queryset", None)
    serializer_class = getattr(view, "serializer_class", None)
    if queryset is not None and serializer_class is not None and isinstance(current, queryset.model):
        return serializer_class(current, context={"request": context.get("request")}).data
    return {"id": current.pk, "version": getattr(current, "version", None)}


def _response(data: dict, code: int, headers: dict | None = None) -> Response:
    set_rollback()
    data.setdefault("request_id", get_request_id())
    return Response(data, status=code, headers=headers)


def exception_handler(exc, context):
    if isinstance(exc, ConflictError):
        current = _current(exc, context)
        version = exc.extra.get("current_version")
        headers = {"ETag": f'"{version}"'} if version is not None else None
        body = {"detail": exc.message, "code": exc.code, "current": current, "current_version": version}
        return _response(body, status.HTTP_412_PRECONDITION_FAILED, headers)
    if isinstance(exc, ApplicationError):
        return _response({"detail": exc.message, "code": exc.code}, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        return _response(_field_errors(exc), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied):
        from tuijin.core.audit import denial_recorded
        from tuijin.core.permissions import DenialReason, denial_record

        request = context.get("request")
        if request is not None and not denial_recorded(request):
            denial_record(request, reason=DenialReason.REFUSED, message=str(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict):
        response.data.setdefault("request_id", get_request_id())
    return response

"""API errors as DRF's `{"detail": …}` (or field errors) plus `request_id`; never a traceback."""

from rest_framework.views import exception_handler as drf_exception_handler

from tuijin.core.context import get_request_id

__all__ = ["exception_handler"]


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict):
        response.data.setdefault("request_id", get_request_id())
    return response

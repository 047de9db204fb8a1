"""The current request, reachable from signal receivers (NetBox `netbox/context.py` pattern)."""

from contextvars import ContextVar
from typing import Any

__all__ = ["current_request", "get_request_id"]

current_request: ContextVar[Any] = ContextVar("current_request", default=None)


def get_request_id() -> str:
    request = current_request.get()
    return str(getattr(request, "id", "")) if request is not None else ""

"""Application errors with a stable code, so pages and the API show the same Chinese message."""

from typing import Any

__all__ = ["ApplicationError", "ConflictError"]


class ApplicationError(Exception):
    def __init__(self, message: str, *, code: str = "error", extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """An edit was made on a stale version (optimistic locking): nothing was written."""

    def __init__(self, message: str, *, current: Any = None, changes: list | None = None):
        super().__init__(message, code="conflict", extra={"current_version": getattr(current, "version", None)})
        self.current = current
        self.changes = changes or []

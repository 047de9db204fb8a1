import logging

from .context import get_request_id

__all__ = ["RequestIdFilter"]


class RequestIdFilter(logging.Filter):
    """Put the current request id on every log record (`%(request_id)s`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_request_id() or "-"
        return True

"""Writing the security audit log. Call `audit_event_record` in the same transaction as the action it records."""

from typing import Any

from .choices import AuditEventType, AuditOutcome
from .context import current_request
from .models import AuditEvent

__all__ = ["audit_command_record", "audit_event_record", "denial_recorded"]

_DENIAL_MARK = "_tuijin_denial_recorded"


def denial_recorded(request) -> bool:
    """Whether an `access_denied` event was already written for this request (so a refusal is recorded once)."""
    request = getattr(request, "_request", request)
    return bool(getattr(request, _DENIAL_MARK, False))


def audit_event_record(
    *,
    event_type: AuditEventType,
    user=None,
    user_name: str = "",
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    object_repr: str = "",
    detail: dict[str, Any] | None = None,
    request=None,
) -> AuditEvent:
    request = request or current_request.get()
    request = getattr(request, "_request", request)  # a DRF Request wraps the Django one
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if not user_name and user is not None:
        user_name = user.get_username()
    if event_type == AuditEventType.ACCESS_DENIED and request is not None:
        setattr(request, _DENIAL_MARK, True)
    return AuditEvent.objects.create(
        user=user,
        user_name=user_name[:150],
        event_type=event_type,
        outcome=outcome,
        ip=getattr(request, "client_ip", None) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        request_id=str(getattr(request, "id", "")) if request is not None else "",
        object_repr=object_repr[:200],
        detail=detail or {},
    )


def audit_command_record(
    *,
    event_type: AuditEventType,
    command: str,
    user=None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """The audit event of a management command that moves data in or out (import, export, notice): the same event
    type as its web counterpart, marked as run from the command line, in the name of the `--user` it ran as (else
    the operating-system account that ran it, with no platform user)."""
    import getpass
    import os

    try:
        os_user = getpass.getuser()
    except Exception:  # no passwd entry in some containers
        os_user = os.environ.get("USER", "")
    return audit_event_record(
        event_type=event_type,
        user=user,
        user_name=user.get_username() if user is not None else f"命令行（{os_user}）",
        outcome=outcome,
        detail={"channel": "cli", "command": command, **(detail or {})},
    )

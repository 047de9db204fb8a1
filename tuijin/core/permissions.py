"""Refusing access, written once: every page, viewset and service refuses through these helpers.

- `deny()` records an `access_denied` audit event (outcome *failure*, with the request path) and raises
  `PermissionDenied` (403), or `Http404` for an object outside the caller's scope (it must look missing).
- `denial_record()` records the same event without raising, for a page that shows the refusal as a message.
- `require()` checks a permission and denies when it is missing; `scoped_object_or_404()` adds the
  restricted fetch of one object (404 when out of scope, audited when the object exists).
- `check_scope()` is for services: after (or before) a write, the object must be in `restrict(actor, action)`,
  else `PermissionDenied` inside the service's transaction, so nothing is saved. It records nothing itself:
  the page or API boundary records the refusal once the transaction has rolled back (a record written inside
  it would be rolled back too). `core.middleware.DenialAuditMiddleware` (pages) and
  `tuijin.api.exceptions.exception_handler` (API) do that for every `PermissionDenied` not yet recorded.
"""

from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from .audit import audit_event_record
from .choices import AuditEventType, AuditOutcome
from .context import current_request

__all__ = [
    "DenialReason",
    "check_scope",
    "denial_record",
    "deny",
    "permission_name",
    "require",
    "scoped_object_or_404",
]


class DenialReason:
    """`detail.reason` of an `access_denied` event."""

    NO_PERMISSION = "no_permission"  # the role does not grant the permission
    OUT_OF_SCOPE = "out_of_scope"  # the object exists but lies outside the caller's scope (answered 404)
    REFUSED = "refused"  # a service refused (scope after a write, workflow rule on who may act)


def permission_name(model, action: str) -> str:
    """`<app_label>.<action>_<model_name>`; `action` may already be a full permission name."""
    if "." in action:
        return action
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def _request_and_user(request_or_actor) -> tuple[HttpRequest | None, Any]:
    """(the Django request, the acting user) from a request (Django or DRF) or from a user."""
    if request_or_actor is None or not (hasattr(request_or_actor, "META") or hasattr(request_or_actor, "_request")):
        return current_request.get(), request_or_actor
    request = getattr(request_or_actor, "_request", request_or_actor)
    user = getattr(request_or_actor, "user", None)
    return request, user


def denial_record(
    request_or_actor,
    *,
    action: str = "",
    obj: models.Model | type[models.Model] | None = None,
    reason: str = DenialReason.NO_PERMISSION,
    message: str = "",
    extra: dict[str, Any] | None = None,
):
    """Record an `access_denied` audit event (outcome failure, path, permission, reason) and return it.

    `action` is an action name ("change", "dispatch") resolved against `obj`'s model, or a full permission name;
    `obj` a model class or instance; `extra` more detail (e.g. the workflow step). The request comes from the
    argument or, for a user, from the current request.
    """
    request, user = _request_and_user(request_or_actor)
    detail: dict[str, Any] = {**(extra or {}), "path": getattr(request, "path", ""), "reason": reason}
    if request is not None:
        detail["method"] = request.method
        if request.path.startswith("/api/"):
            detail["api"] = True
    if action:
        detail["permission"] = permission_name(obj, action) if obj is not None else action
    object_repr = ""
    if isinstance(obj, models.Model):
        detail["object"] = {"type": obj._meta.label_lower, "id": obj.pk}
        object_repr = str(obj)
    if message:
        detail["message"] = str(message)[:300]
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return audit_event_record(
        event_type=AuditEventType.ACCESS_DENIED,
        outcome=AuditOutcome.FAILURE,
        user=user,
        object_repr=object_repr,
        detail=detail,
        request=request,
    )


def deny(
    request_or_actor,
    *,
    action: str = "",
    obj: models.Model | type[models.Model] | None = None,
    reason: str = DenialReason.NO_PERMISSION,
    message: str = "",
    extra: dict[str, Any] | None = None,
) -> NoReturn:
    """Record the refusal (see `denial_record`) and raise it: `Http404` when the object is out of scope (it must
    look like a missing one), else `PermissionDenied` with `message` (a Chinese default)."""
    denial_record(request_or_actor, action=action, obj=obj, reason=reason, message=message, extra=extra)
    if reason == DenialReason.OUT_OF_SCOPE:
        raise Http404(message or _("对象不存在。"))
    raise PermissionDenied(message or _("您没有执行此操作的权限。"))


def require(request, action: str, model: type[models.Model] | None = None, *, message: str = "") -> None:
    """Deny (audited 403) unless the request's user holds the permission (`action` on `model`, or a full name)."""
    permission = permission_name(model, action) if model is not None else action
    if not request.user.has_perm(permission):
        deny(request, action=permission, reason=DenialReason.NO_PERMISSION, message=message)


def scoped_object_or_404(request, queryset, pk, *, action: str = "view", permission: bool = True):
    """The object `pk` from `queryset.restrict(user, action)`: the permission first (audited 403, unless
    `permission=False` because the caller checked another one), then 404 when missing or out of scope — the
    latter audited with reason `out_of_scope`."""
    model = queryset.model
    if permission:
        require(request, action, model)
    try:
        return queryset.restrict(request.user, action).get(pk=pk)
    except model.DoesNotExist:
        if model._default_manager.filter(pk=pk).exists():
            deny(request, action=action, obj=model, reason=DenialReason.OUT_OF_SCOPE)
        raise Http404(_("对象不存在。")) from None


def check_scope(actor, obj: models.Model, action: str, *, message: str = "") -> None:
    """Inside a service: `obj` must be in `restrict(actor, action)`, else `PermissionDenied` (the service's
    transaction rolls the write back). `actor=None` (commands, tasks, demo data) is the system and always passes."""
    if actor is None:
        return
    manager: Any = type(obj)._default_manager  # a RestrictedQuerySet manager (core.models.BaseModel)
    if not manager.restrict(actor, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(message or _("该对象不在您的管理范围内。"))

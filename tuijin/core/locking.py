"""Optimistic locking, written once: every editing service of a versioned model saves through `bump_version`.

A `ChangeLoggedModel` carries `version`. The user (page form, API `If-Match`, or the `version` of a workflow
action) says which version they edited; the service sets the new values on the instance and calls
`bump_version(obj, expected_version=…)`, which

1. runs `UPDATE … SET version = version + 1 WHERE pk = … AND version = <expected> [AND <conditions>]`. The row
   lock it takes serialises concurrent editors: the second one matches no row;
2. when no row matched, raises `ConflictError` with the current object and the change-log rows written since
   the expected version (nothing is saved; the API answers 412, pages show the conflict);
3. otherwise saves the instance (`update_fields` if given) in the same transaction. The save goes through the
   change-log signals, so the history records the edit, version N → N+1, like any other save (the "before" is
   the row as it was at version N): this is the only place a raw `UPDATE` touches a domain row, and it never
   bypasses the history.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _

from .changelog import serialize_object
from .exceptions import ConflictError
from .models import ObjectChange

__all__ = ["bump_version", "changes_since"]


def changes_since(obj: models.Model, version: int) -> list[ObjectChange]:
    """The change-log rows of `obj` whose new state is newer than `version` (what someone else changed)."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return list(
        ObjectChange.objects.filter(
            changed_object_type=content_type, changed_object_id=obj.pk, postchange_data__version__gt=version
        ).order_by("time", "pk")
    )


def _conflict(obj: models.Model, expected: int | None, message: str) -> ConflictError:
    current = type(obj)._default_manager.filter(pk=obj.pk).first()
    if current is None:
        return ConflictError(_("该记录已被删除，您的修改未保存。"), current=None)
    values: dict[str, Any] = {"mine": expected or 0, "now": getattr(current, "version", 0), "status": ""}
    if hasattr(current, "get_status_display"):
        values["status"] = current.get_status_display()
    text = (
        message
        or _("该记录已被他人修改（您编辑的是第 %(mine)d 版，当前为第 %(now)d 版），您的修改未保存，请刷新后重试。")
    ) % values
    # an expected version beyond the current one (or a nonsense number from an API body) has nothing newer: clamp,
    # so the JSON lookup never gets a number the database cannot hold
    since = max(0, min(expected or 0, getattr(current, "version", 0) or 0))
    return ConflictError(text, current=current, changes=changes_since(current, since))


def bump_version(
    obj: models.Model,
    *,
    expected_version: int | None,
    update_fields: Iterable[str] | None = None,
    message: str = "",
    **conditions: Any,
) -> models.Model:
    """Save `obj` if its row is still at `expected_version` (and matches `conditions`, e.g. `status=…` or
    `status__in=…`); otherwise raise `ConflictError` and save nothing.

    Call it inside the service's transaction, after validation, with the new values already set on `obj`.
    `message` may use `%(mine)d` (the expected version), `%(now)d` (the current one) and `%(status)s` (the current
    status label). Returns `obj`, now at `expected_version + 1`.
    """
    if obj.pk is None:
        raise ValueError("bump_version() needs a saved object")
    manager = type(obj)._default_manager
    try:
        expected = int(expected_version) if expected_version is not None else None
    except (TypeError, ValueError):
        expected = None
    if expected is None:
        raise _conflict(obj, None, message)
    matched = manager.filter(pk=obj.pk, version=expected, **conditions).update(version=F("version") + 1)
    if not matched:
        raise _conflict(obj, expected, message)
    # The row is locked now: read it once, as the history's "before" (at the edited version) and, for a partial
    # save, as the values of the fields this save leaves alone (so the history's "after" is the row as stored).
    row = manager.get(pk=obj.pk)
    fields = None
    if update_fields is not None:
        fields = set(update_fields) | {"version"}
        if any(f.name == "last_updated" for f in obj._meta.concrete_fields):
            fields.add("last_updated")
        for field in obj._meta.concrete_fields:
            if field.name not in fields and not field.primary_key:
                value = getattr(row, field.attname)
                if getattr(obj, field.attname) != value:
                    setattr(obj, field.attname, value)
    before = serialize_object(row)
    if "version" in before:
        before["version"] = expected
    obj._locked_snapshot = before  # type: ignore[attr-defined]  # used by core.signals.snapshot_before_save
    obj.version = expected + 1  # type: ignore[attr-defined]
    obj.save(update_fields=fields)
    return obj

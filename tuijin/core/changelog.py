"""Serialising objects for the change log, and writing `ObjectChange` rows (also in bulk, for imports)."""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .choices import ChangeAction
from .context import current_request
from .models import ObjectChange

__all__ = ["object_change_record", "object_changes_bulk_record", "serialize_object"]

MASK = "******"
SENSITIVE = {"password", "secret", "token", "key_hash"}


def _quantized(value: Any, places: int | None) -> Any:
    """An amount at its field's places (260.5 → 260.50), so an unchanged amount never shows as a change."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return number.quantize(Decimal(1).scaleb(-places)) if places is not None else number
    except (InvalidOperation, ValueError, TypeError):
        return value


def serialize_object(obj: models.Model) -> dict[str, Any]:
    """Concrete field values (foreign keys as ids, amounts at their decimal places), sensitive fields masked."""
    exclude = set(getattr(obj, "changelog_exclude", ()))
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        elif isinstance(field, models.DecimalField) and value is not None:
            value = _quantized(value, field.decimal_places)
        data[field.name] = MASK if field.name in SENSITIVE and value else value
    return data


def _actor() -> tuple[Any, str, str]:
    request = current_request.get()
    if request is None:
        return None, "", ""
    user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    return user, (user.get_username() if user else ""), str(getattr(request, "id", ""))


def _build(obj: models.Model, action: str, before, after, message: str) -> ObjectChange:
    user, user_name, request_id = _actor()
    parent = obj.changelog_parent() if hasattr(obj, "changelog_parent") else None
    change = ObjectChange(
        user=user,
        user_name=user_name,
        request_id=request_id,
        action=action,
        changed_object_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        changed_object_id=obj.pk,
        object_repr=str(obj)[:200],
        message=message[:200],
        prechange_data=before,
        postchange_data=after,
    )
    if parent is not None:
        change.related_object_type = ContentType.objects.get_for_model(parent, for_concrete_model=True)
        change.related_object_id = parent.pk
    return change


def object_change_record(obj: models.Model, action: str, before=None, after=None, message: str = "") -> ObjectChange:
    change = _build(obj, action, before, after, message)
    change.save()
    return change


def object_changes_bulk_record(
    objects: Iterable[models.Model], action: str = ChangeAction.CREATE, message: str = ""
) -> None:
    """For bulk_create paths, which bypass the signals: the new state only, one INSERT per 500 rows."""
    rows = [_build(obj, action, None, serialize_object(obj), message) for obj in objects]
    ObjectChange.objects.bulk_create(rows, batch_size=500)

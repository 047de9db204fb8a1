"""Field values for people: labels, choice names, 是/否, amounts, Beijing time, names instead of ids.

Used by the change history (`core/history.py`), the conflict page (`core/conflicts.py`) and the audit pages. Works on
the JSON the change log stores (ids, Decimal strings, ISO times) and on Python values alike. Imports no domain app:
related rows are read through the model a field points to.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

__all__ = [
    "EMPTY",
    "Names",
    "display_value",
    "field_label",
    "load_names",
    "model_field",
    "same_value",
    "user_display",
]

EMPTY = "—"
MASK = "******"

# Names to load: {related model: {pk, …}}; loaded names: {(related model, pk): name}
Names = dict[tuple[type[models.Model], int], str]


def user_display(user) -> str:
    """A person's name: the account's 姓名, else the full name, else the username."""
    if user is None:
        return ""
    name = getattr(user, "display_name", "") or ""
    if not name and hasattr(user, "get_full_name"):
        name = user.get_full_name() or ""
    return name.strip() or user.get_username()


def model_field(model: type[models.Model] | None, name: str):
    """The field called `name` on `model`, or None (a field removed since the change was logged)."""
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """The field's verbose name; a reverse relation by the other model's name; an unknown key as it is."""
    field = model_field(model, name)
    if field is None:
        return name
    label = getattr(field, "verbose_name", None)
    related = getattr(field, "related_model", None)
    # A reverse relation has no verbose name, and a relation left at Django's default ("registered by") reads
    # better as the name of what it points to.
    if related is not None and (label is None or str(label) == field.name.replace("_", " ")):
        label = related._meta.verbose_name
    return str(label if label is not None else name)


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed
    return None


def _normalized(field, value) -> Any:
    """A value comparable across JSON and Python: empty → None, amounts as Decimal, booleans, times, ids."""
    if value in (None, "") or (value == "None" and not isinstance(field, models.CharField | models.TextField)):
        return None
    if isinstance(field, models.BooleanField):
        return {"True": True, "False": False}.get(value, value) if isinstance(value, str) else bool(value)
    if isinstance(field, models.DecimalField | models.FloatField):
        number = _decimal(value)
        return number if number is not None else value
    if isinstance(field, models.DateTimeField):
        return _datetime(value) or value
    if isinstance(field, models.DateField):
        return value.isoformat()[:10] if isinstance(value, date) else str(value)[:10]
    if isinstance(field, models.ForeignKey):
        pk = getattr(value, "pk", value)
        return int(pk) if str(pk).isdigit() else pk
    if isinstance(field, models.ManyToManyField) and isinstance(value, Iterable) and not isinstance(value, str):
        return sorted(str(getattr(v, "pk", v)) for v in value)
    if isinstance(field, models.JSONField) and isinstance(value, list):
        return [_decimal(v) if _decimal(v) is not None else v for v in value]
    return value


def same_value(field, a, b) -> bool:
    """Whether two values of `field` mean the same (260.50 and 260.5; '' and None; None and False)."""
    na, nb = _normalized(field, a), _normalized(field, b)
    if na == nb:
        return True
    return {na, nb} <= {None, False} if not isinstance(na, list | dict) and not isinstance(nb, list | dict) else False


def _related_model(field) -> type[models.Model] | None:
    if isinstance(field, models.ForeignKey | models.ManyToManyField):
        return field.related_model  # type: ignore[return-value]
    return None


def wanted_names(field, value, into: dict[type[models.Model], set[int]]) -> None:
    """Note the related ids `value` names, for one batched `load_names()`."""
    related = _related_model(field)
    if related is None or value in (None, ""):
        return
    values = value if isinstance(value, list | tuple | set) else [value]
    for item in values:
        pk = getattr(item, "pk", item)
        if isinstance(pk, int) or (isinstance(pk, str) and pk.isdigit()):
            into.setdefault(related, set()).add(int(pk))


def load_names(wanted: dict[type[models.Model], set[int]]) -> Names:
    """One query per related model: accounts by their 姓名, rows with a `name` by it, others by str()."""
    names: Names = {}
    user_model = get_user_model()
    for model, ids in wanted.items():
        if not ids:
            continue
        manager = model._base_manager
        if model is user_model:
            for user in manager.filter(pk__in=ids):
                names[(model, user.pk)] = user_display(user)
        elif any(f.name == "name" for f in model._meta.concrete_fields):
            for pk, name in manager.filter(pk__in=ids).values_list("pk", "name"):
                names[(model, pk)] = str(name)
        else:
            for obj in manager.select_related().filter(pk__in=ids):
                names[(model, obj.pk)] = str(obj)
    return names


def _amount(field, number: Decimal) -> str:
    places = getattr(field, "decimal_places", None)
    if places is not None:
        try:
            number = number.quantize(Decimal(1).scaleb(-places))
        except InvalidOperation:
            pass
    return format(number, "f")


def _plain(value) -> str:
    """A value without a field to go by (relation lists, JSON parts, audit details)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | tuple | set):
        return "、".join(_plain(v) for v in value) if value else EMPTY
    if isinstance(value, dict):
        return "；".join(f"{k}：{_plain(v)}" for k, v in value.items()) if value else EMPTY
    when = _datetime(value) if isinstance(value, str) and len(value) >= 16 and value[10:11] == "T" else None
    if when is not None:
        return timezone.localtime(when).strftime("%Y-%m-%d %H:%M")
    return str(value)


def display_value(field, value, names: Names | None = None) -> str:
    """`value` of `field` as a person reads it: choice label, 是/否, 260.50, 2026-12-06 14:05 (Beijing), a name."""
    if value is None or value == "" or (value == "None" and not isinstance(field, models.CharField)):
        return EMPTY
    if value == MASK or field is None:
        return _plain(value)
    names = names or {}
    normalized = _normalized(field, value)
    if normalized is None:
        return EMPTY
    choices = getattr(field, "flatchoices", None)
    if choices and not isinstance(field, models.ForeignKey | models.ManyToManyField):
        labels = {str(k): v for k, v in choices}
        if isinstance(value, list):
            return "、".join(str(labels.get(str(v), v)) for v in value)
        return str(labels.get(str(getattr(value, "value", value)), value))
    if isinstance(field, models.BooleanField):
        return _("是") if normalized else _("否")
    if isinstance(field, models.DecimalField):
        return _amount(field, normalized) if isinstance(normalized, Decimal) else str(value)
    if isinstance(field, models.DateTimeField):
        return timezone.localtime(normalized).strftime("%Y-%m-%d %H:%M") if isinstance(normalized, datetime) else value
    if isinstance(field, models.DateField):
        parsed = parse_date(str(normalized))
        return parsed.isoformat() if parsed else str(value)
    related = _related_model(field)
    if related is not None:
        items = value if isinstance(value, list | tuple | set) else [value]
        shown = []
        for item in items:
            if isinstance(item, models.Model):
                shown.append(str(item))
                continue
            pk = int(item) if str(item).isdigit() else None
            if pk is None:  # a name already (relation snapshots store names)
                shown.append(str(item))
            else:
                shown.append(names.get((related, pk), _("编号 %(pk)s（已删除）") % {"pk": pk}))
        return "、".join(shown) if shown else EMPTY
    if isinstance(field, models.FileField):
        return str(getattr(value, "name", value)).rsplit("/", 1)[-1]
    if isinstance(field, models.JSONField) and isinstance(value, list):
        return ", ".join(_plain(v) for v in value) if value else EMPTY
    return _plain(value)

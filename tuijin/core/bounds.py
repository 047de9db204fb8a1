"""Plausible input (issue 19 item 12): a date in year 0001 or 9999, or a text cell of 10 MB, was accepted. One
mechanism bounds every field, wherever input comes in:

- **Model fields** (`install`, run by `CoreConfig.ready()`): every `DateField` / `DateTimeField` gets a validator
  keeping it within `TUIJIN_DATE_MIN` … `TUIJIN_DATE_MAX` (1949-10-01 … 2100-12-31), and every `TextField`
  without a declared `max_length` one keeping it within `TUIJIN_TEXT_MAX_LENGTH` (20,000) characters; a
  `CharField` already has its `max_length`. The messages name the field: "开工日期须在 1949-10-01 至 2100-12-31
  之间". Model validators run in `full_clean`, so they cover the model forms, the services that clean before saving,
  the Excel imports (which clean every row) and the API's model serializers (DRF copies them onto each field).
  They are added to the field's validator list, not to its declaration, so no migration changes.
- **Plain form and serializer fields** (`forms.DateField`, `forms.DateTimeField`, DRF `DateField` and
  `DateTimeField` declared by hand): the same range through their `default_validators`.
- **Oversized bodies**: `RequestSizeMiddleware` answers a form or JSON body above `DATA_UPLOAD_MAX_MEMORY_SIZE` with
  a 413 and a Chinese message, instead of Django's bare 400.
- **Anything else** (an import reading cells by hand): `date_problem(value, label)` and `text_problem(value,
  label)` give the same message, or None.
"""

from datetime import date, datetime
from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.deconstruct import deconstructible
from django.utils.functional import Promise
from django.utils.translation import gettext as _

__all__ = [
    "DateBoundsValidator",
    "RequestSizeMiddleware",
    "TextLengthValidator",
    "date_bounds",
    "date_problem",
    "install",
    "text_limit",
    "text_problem",
]


@cache
def _parse_bounds(low: str, high: str) -> tuple[date, date]:
    try:
        bounds = date.fromisoformat(low), date.fromisoformat(high)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TUIJIN_DATE_MIN / TUIJIN_DATE_MAX must be ISO dates: {exc}") from exc
    if bounds[0] >= bounds[1]:
        raise ImproperlyConfigured("TUIJIN_DATE_MIN must be before TUIJIN_DATE_MAX")
    return bounds


def date_bounds() -> tuple[date, date]:
    """The earliest and the latest date accepted (settings TUIJIN_DATE_MIN, TUIJIN_DATE_MAX)."""
    return _parse_bounds(
        str(getattr(settings, "TUIJIN_DATE_MIN", "1949-10-01")), str(getattr(settings, "TUIJIN_DATE_MAX", "2100-12-31"))
    )


def text_limit() -> int:
    """The most characters a text without its own max_length holds (TUIJIN_TEXT_MAX_LENGTH)."""
    return int(getattr(settings, "TUIJIN_TEXT_MAX_LENGTH", 20000))


def date_problem(value: date | datetime | None, label: str = "") -> str | None:
    """The Chinese message when `value` is outside the accepted range, else None."""
    if value is None:
        return None
    day = value.date() if isinstance(value, datetime) else value
    low, high = date_bounds()
    if low <= day <= high:
        return None
    if label:
        return _("%(field)s须在 %(min)s 至 %(max)s 之间（填写的是 %(value)s）") % {
            "field": label,
            "min": low.isoformat(),
            "max": high.isoformat(),
            "value": day.isoformat(),
        }
    return _("日期须在 %(min)s 至 %(max)s 之间（填写的是 %(value)s）") % {
        "min": low.isoformat(),
        "max": high.isoformat(),
        "value": day.isoformat(),
    }


def text_problem(value: str | None, label: str = "", limit: int | None = None) -> str | None:
    """The Chinese message when `value` is longer than `limit` (default: TUIJIN_TEXT_MAX_LENGTH), else None."""
    limit = limit or text_limit()
    if value is None or len(value) <= limit:
        return None
    values = {"field": label, "limit": f"{limit:,}", "n": f"{len(value):,}"}
    if label:
        return _("%(field)s不能超过 %(limit)s 个字符（现有 %(n)s 个），请精简后再提交") % values
    return _("内容不能超过 %(limit)s 个字符（现有 %(n)s 个），请精简后再提交") % values


@deconstructible
class DateBoundsValidator:
    """Refuses a date (or the day of a datetime) outside TUIJIN_DATE_MIN … TUIJIN_DATE_MAX."""

    code = "date_out_of_range"

    def __init__(self, label: "str | Promise" = ""):
        self.label = label

    def __call__(self, value) -> None:
        if isinstance(value, date):
            message = date_problem(value, str(self.label))
            if message:
                raise ValidationError(message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, DateBoundsValidator) and other.label == self.label


@deconstructible
class TextLengthValidator:
    """Refuses a text longer than `limit` characters (default TUIJIN_TEXT_MAX_LENGTH, read when validating)."""

    code = "text_too_long"

    def __init__(self, label: "str | Promise" = "", limit: int | None = None):
        self.label = label
        self.limit = limit

    def __call__(self, value) -> None:
        if isinstance(value, str):
            message = text_problem(value, str(self.label), self.limit)
            if message:
                raise ValidationError(message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, TextLengthValidator) and (other.label, other.limit) == (self.label, self.limit)


def _bound_model_field(field: models.Field) -> None:
    if isinstance(field, models.DateField):  # DateTimeField is a DateField
        extra: object = DateBoundsValidator(field.verbose_name)
    elif isinstance(field, models.TextField) and field.max_length is None:
        extra = TextLengthValidator(field.verbose_name)
    else:
        return
    current = list(field.validators)
    if not any(type(v) is type(extra) for v in current):
        # `validators` is a cached property over the declared `_validators`: extending the cached list leaves the
        # field's declaration (hence its migrations) as it is.
        field.__dict__["validators"] = [*current, extra]


def install() -> None:
    """Bound every model date and text field, and the plain form and serializer date fields (idempotent)."""
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.concrete:
                _bound_model_field(field)
    from django import forms
    from rest_framework import serializers

    for cls in (forms.DateField, forms.DateTimeField, serializers.DateField, serializers.DateTimeField):
        current = list(cls.default_validators)  # type: ignore[misc]
        if not any(isinstance(v, DateBoundsValidator) for v in current):
            cls.default_validators = [*current, DateBoundsValidator()]  # type: ignore[misc]


class RequestSizeMiddleware:
    """A request whose form fields or JSON body exceed DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413 with a Chinese
    message (JSON for the API) instead of Django's bare 400: a JSON body by its length before anything reads it, a
    form post when parsing it says so (files are limited by their own checks)."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.method in ("POST", "PUT", "PATCH"):
            if request.content_type == "application/json":
                try:
                    length = int(request.META.get("CONTENT_LENGTH") or 0)
                except ValueError:
                    length = 0
                if length > limit:
                    return self._too_large(request, limit)
            elif request.method == "POST" and request.content_type in self.FORM_TYPES:
                try:
                    request.POST  # noqa: B018  (parsed here once; every later reader gets the parsed form)
                except RequestDataTooBig:
                    return self._too_large(request, limit)
        return self.get_response(request)

    @staticmethod
    def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
        message = _(
            "提交的内容过大（超过 %(mb)s MB），未保存。请返回上一页（浏览器会保留已填写的内容），"
            "精简过长的文字后再提交。"
        ) % {"mb": f"{limit / 1024 / 1024:g}"}
        if request.path.startswith("/api/") or request.content_type == "application/json":
            return JsonResponse({"detail": message, "code": "request_too_large"}, status=413)
        return HttpResponse(
            f'<!doctype html><meta charset="utf-8"><title>{_("内容过大")}</title><p>{message}</p>',
            status=413,
            content_type="text/html; charset=utf-8",
        )

"""Display helpers: money in 万元/亿元 (Decimal, half-up, 2 places only at display), percentages."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_CENT = Decimal("0.01")
BLANK_KEYS = ("", "unknown")  # the value of a drop-down's "no filter" option (NullBooleanSelect: "unknown")


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def wan(value) -> str:
    """万元 with thousands separators: 12345.6 → 12,345.60."""
    number = _decimal(value)
    return "—" if number is None else f"{number.quantize(_CENT, rounding=ROUND_HALF_UP):,}"


@register.filter
def yi(value) -> str:
    """万元 → 亿元: 405340 → 40.53."""
    number = _decimal(value)
    return "—" if number is None else f"{(number / 10000).quantize(_CENT, rounding=ROUND_HALF_UP):,}"


@register.filter
def pct(value) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{number.quantize(_CENT, rounding=ROUND_HALF_UP)}%"


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some keys replaced (empty value removes the key)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.simple_tag
def select_options(bound_field, choices=None, blank=None):
    """The <option> elements of a filter's drop-down (`choices`, default the field's), the current value selected.
    `blank`, when given, labels the no-filter option (value "" or a yes/no filter's "unknown"): "全部", not
    django-filter's "---------".

    One pass in Python instead of a template loop that re-reads the bound value for every option: a scope's unit
    list has hundreds of entries (the drop-down is replaced by a search picker above
    TUIJIN_UNIT_PICKER_THRESHOLD)."""
    value = bound_field.value()
    current = {str(v) for v in value} if isinstance(value, list | tuple) else {"" if value is None else str(value)}
    options = []
    for choice_value, label in bound_field.field.widget.choices if choices is None else choices:
        key = "" if choice_value is None else str(getattr(choice_value, "value", choice_value))
        if blank is not None and key in BLANK_KEYS:
            label = blank
        options.append(
            format_html(
                '<option value="{}"{}>{}</option>', key, mark_safe(" selected") if key in current else "", label
            )
        )
    return mark_safe("".join(options))  # noqa: S308 - every part escaped by format_html above

"""Display helpers: money in 万元/亿元 (Decimal, half-up, 2 places only at display), percentages, and what is not
known (未填, 约, a date known only to its month or year)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


# ---------------------------------------------------------------------------------------------------------------
# Honest blanks: what is not known reads 未填 (muted), an estimate 约, a partly known date at its precision.
# ---------------------------------------------------------------------------------------------------------------


def _unknown() -> str:
    return format_html('<span class="text-muted tj-unknown">{}</span>', _("未填"))


@register.filter
def or_unknown(value) -> str:
    """The value, or a muted 未填 when it is blank (a choice left 未填, an unknown amount)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _unknown()
    return conditional_escape(value)


@register.simple_tag
def amount(value, approx=False, unit="wan") -> str:
    """An amount in 万元 as known: 未填 (muted), "1,234.50", or "约 200,000.00". unit="both": with 万元 and 亿元,
    "约 200,000.00 万元（约 20.00 亿元）"."""
    number = _decimal(value)
    if number is None:
        return _unknown()
    prefix = _("约") + " " if approx else ""
    text = f"{prefix}{wan(number)}"
    if unit == "both":
        text = _("%(wan)s 万元（%(pre)s%(yi)s 亿元）") % {"wan": text, "pre": prefix, "yi": yi(number)}
    return conditional_escape(text)


@register.simple_tag
def partial_date(obj, name: str, blank: str = "—") -> str:
    """`obj.<name>` shown at its precision (`obj.<name>_precision`): 2024-03-15 / 2024年3月 / 2024年."""
    value = getattr(obj, name, None)
    if value is None:
        return conditional_escape(blank)
    precision = getattr(obj, f"{name}_precision", "day")
    if precision == "year":
        return _("%(y)d年") % {"y": value.year}
    if precision == "month":
        return _("%(y)d年%(m)d月") % {"y": value.year, "m": value.month}
    return value.isoformat()

"""Display helpers: money in 万元/亿元 (Decimal, half-up, 2 places only at display), percentages."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

_CENT = Decimal("0.01")


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

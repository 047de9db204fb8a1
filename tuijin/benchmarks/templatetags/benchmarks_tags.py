"""Display helpers of the 对标对表 pages: values as people write them, gaps as 落后/领先 with their colour."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tuijin.benchmarks.figures import fmt, period_label

register = template.Library()


@register.filter
def num(value) -> str:
    """15.30 → 15.3, None → —."""
    return fmt(value)


@register.filter
def period(month, indicator) -> str:
    """A month as the indicator's period: 1—6月, or 上半年 for a quarterly one."""
    return period_label(indicator, month) if month else ""


@register.simple_tag
def gap(value, unit: str = "") -> str:
    """A gap (positive: 本区 behind) as 落后 2.7 / 领先 2.5 / 持平, coloured; "—" when unknown."""
    if value is None:
        return format_html('<span class="text-muted">{}</span>', "—")
    if value > 0:
        return format_html('<span class="text-danger tj-gap-behind">{} {}{}</span>', _("落后"), fmt(value), unit)
    if value < 0:
        return format_html('<span class="text-success tj-gap-ahead">{} {}{}</span>', _("领先"), fmt(-value), unit)
    return format_html('<span class="text-secondary">{}</span>', _("持平"))


@register.filter
def suffix(indicator) -> str:
    """What follows a value: % for growth and share, 个 for counts, 亿元 for amounts."""
    return {"count": _("个"), "amount": _("亿元")}.get(indicator.kind, "%")

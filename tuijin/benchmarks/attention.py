"""Home-page 待我处理 item of 对标对表, for those who enter the values (统计局, 项目办: `add_indicatorvalue`):
对标数据待录入 with the count of missing values — for each indicator, its latest expected period (last month; a
quarterly one, the latest quarter end) without a value for an active peer, or for 本区 when the platform does not
compute it (`selectors.missing_values`). The link opens the list of exactly those."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention

__all__ = ["benchmarks_attention"]


@register_attention
def benchmarks_attention(user) -> list[AttentionItem]:
    from .selectors import missing_values

    if not user.has_perm("benchmarks.add_indicatorvalue"):
        return []
    count = len(missing_values())
    if not count:
        return []
    url = f"{reverse('benchmarks:value_list')}?todo=missing"
    return [AttentionItem(_("对标数据待录入（项）"), count, url, "warning")]

"""Home-page 待我处理 item for everyone: unread notifications, linking to the unread list (same rows, same count)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention

from .services import unread_count

__all__ = ["notification_attention"]


@register_attention
def notification_attention(user) -> list[AttentionItem]:
    count = unread_count(user)
    if not count:
        return []
    return [AttentionItem(_("未读消息"), count, f"{reverse('notifications:list')}?unread=1", "info")]

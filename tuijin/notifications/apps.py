"""App configuration of the notifications app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

__all__ = ["NotificationsConfig"]


class NotificationsConfig(AppConfig):
    name = "tuijin.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

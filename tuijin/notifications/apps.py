"""App configuration of the notifications app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

__all__ = ["NotificationsConfig"]


class NotificationsConfig(AppConfig):
    name = "tuijin.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from tuijin.core.context_processors import register_shell_context

        from . import attention  # noqa: F401  (home-page 待我处理: unread notifications)
        from .shell import SHELL_DEFAULTS, shell_context

        register_shell_context(shell_context, defaults=SHELL_DEFAULTS)  # the unread badge in the page frame

        # users sits below notifications, so the dormant-account job is handed the sender here
        from tuijin.users.dormant import register_notifier

        from .services import notify

        register_notifier(notify)

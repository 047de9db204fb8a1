"""A notification for one user: shown in the app (with an unread badge) and sent through the outbound channel."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import BaseModel

__all__ = ["Notification", "NotificationLevel"]


class NotificationLevel(models.TextChoices):
    INFO = "info", _("通知")
    SUCCESS = "success", _("完成")
    WARNING = "warning", _("提醒")
    DANGER = "danger", _("紧急")


class Notification(BaseModel):
    """One message to one user. Only its recipient ever sees it (views filter by user, not by role scope).

    `kind` groups messages of one source (e.g. "report_reminder"); `dedup_key`, when set, is unique per user so a
    sender can make a message idempotent (e.g. one reminder per user, period and day).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    level = models.CharField(
        _("级别"), max_length=10, choices=NotificationLevel.choices, default=NotificationLevel.INFO
    )
    kind = models.CharField(_("类别"), max_length=40, blank=True, db_index=True)
    dedup_key = models.CharField(_("去重键"), max_length=120, blank=True, editable=False)
    created = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息通知")
        verbose_name_plural = _("消息通知")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedup_key"], condition=~Q(dedup_key=""), name="notifications_unique_dedup"
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created"], name="notifications_user_created_idx"),
            models.Index(fields=["user", "read_at"], name="notifications_user_read_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

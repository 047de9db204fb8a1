"""What the 项目办 publishes as open data (OC4IDS): one row of settings for the installation."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel

from .fields import DEFAULT_PUBLIC_FIELDS

__all__ = ["PublicationSettings"]


def _default_fields() -> list[str]:
    return list(DEFAULT_PUBLIC_FIELDS)


class PublicationSettings(ChangeLoggedModel):
    """The office's choice of public fields, the publisher named in the package, and whether the package is also
    served to everyone at the public URL. The identifier prefix is deployment configuration
    (`TUIJIN_OC4IDS_PREFIX`), not a setting here."""

    publisher_name = models.CharField(_("发布单位名称"), max_length=200, blank=True)
    publisher_uri = models.URLField(_("发布单位网址"), blank=True)
    license = models.URLField(_("数据许可协议网址"), blank=True)
    public_fields = models.JSONField(_("公开字段"), default=_default_fields, blank=True)
    public_feed = models.BooleanField(_("开放公开下载地址（无需登录）"), default=False)

    class Meta:
        verbose_name = _("数据公开设置")
        verbose_name_plural = _("数据公开设置")
        permissions = [("export_publicationsettings", _("导出公开数据（OC4IDS）"))]

    def __str__(self) -> str:
        return str(_("数据公开设置"))

    @classmethod
    def current(cls) -> "PublicationSettings":
        return cls.objects.order_by("pk").first() or cls(pk=None)

    @property
    def public(self) -> frozenset[str]:
        return frozenset(self.public_fields or [])

"""App configuration for the working-day calendar."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

__all__ = ["WorkdaysConfig"]


class WorkdaysConfig(AppConfig):
    name = "tuijin.workdays"
    label = "workdays"
    verbose_name = _("工作日历")

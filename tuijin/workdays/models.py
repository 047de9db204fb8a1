"""The office's own holiday calendar entries, which take precedence over the `chinese_calendar` library."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel

__all__ = ["NAME_MAX_LENGTH", "HolidayOverride", "HolidayYear"]

NAME_MAX_LENGTH = 50


class HolidayOverride(ChangeLoggedModel):
    """One day whose status the 项目办 has set by hand: a rest day (法定节假日) or a 调休 make-up workday.

    A row wins over the library for its date. For years the library does not cover yet (the State Council
    publishes each year's arrangement in late autumn), these rows are the only source of holidays; without
    them such a year falls back to "Saturday and Sunday are rest days". Not unit-scoped: the calendar is
    shared by the whole platform, so the permission alone decides who may read or edit it.
    """

    date = models.DateField(_("日期"), unique=True, error_messages={"unique": _("该日期已有节假日设置。")})
    is_workday = models.BooleanField(
        _("是否上班"), default=False, help_text=_("勾选表示调休补班（上班）；不勾选表示放假休息。")
    )
    name = models.CharField(_("名称"), max_length=NAME_MAX_LENGTH, help_text=_("如：春节、国庆节、春节调休上班。"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    scope_fields = None

    class Meta:
        verbose_name = _("节假日设置")
        verbose_name_plural = _("节假日设置")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("上班") if self.is_workday else _("休息")
        return f"{self.date:%Y-%m-%d} {self.name}（{kind}）"


class HolidayYear(ChangeLoggedModel):
    """The 项目办's statement that a year's whole arrangement (全年安排) has been entered as overrides.

    For a year the library does not cover, single entries are not enough to trust the calendar: the "not
    published" warning stays until `complete` is set, and comes back when it is unset. Setting and unsetting
    are recorded in the change log. Not unit-scoped, like `HolidayOverride`.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    complete = models.BooleanField(_("全年安排已录入"), default=False)

    scope_fields = None

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["year"]

    def __str__(self) -> str:
        state = _("全年安排已录入") if self.complete else _("全年安排未录入")
        return f"{self.year}（{state}）"

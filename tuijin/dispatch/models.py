"""The dispatch's own records: the district's 序时进度 schedule and notice style, the notice being prepared, and the
published notices (第N期).

- `ProgressSchedule`: per region and year, the cumulative share of the annual plan due by the end of each month
  (12 percentages, non-decreasing, December = 100). Without a row the schedule is month ÷ 12 (`schedule.py`).
- `NoticeStyle`: per region, the issuing office's name and how a span of months is written ("1—4月" or "元—4月").
- `NoticeDraft`: per region and period, what the 项目办 sets on the notice page before generating: 期号, 文号,
  issuing office and date, 下一步工作要求 and 领导批示.
- `PublishedNotice`: a notice as issued — its files and figures frozen, numbered 第N期 within the issue year.

All four are scoped by region (`scope_fields = {"region": ""}`: the row's own `region`). A published notice is also
readable by every role holding `dispatch.view_publishednotice` within its county-level region (`scope_public`):
units and leaders read the notices of their district.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel

__all__ = ["MONTHS", "NoticeDraft", "NoticeStyle", "ProgressSchedule", "PublishedNotice", "SpanStyle"]

MONTHS = tuple(f"m{m:02d}" for m in range(1, 13))


def _percent(label) -> models.DecimalField:
    """A cumulative percentage (0–100, two decimals)."""
    return models.DecimalField(
        label, max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )


class SpanStyle(models.TextChoices):
    ARABIC = "arabic", _("1—4月")
    YUAN = "yuan", _("元—4月")


class ProgressSchedule(ChangeLoggedModel):
    """序时进度 of a region for a year: the cumulative % of the annual plan due by the end of each month."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("行政区划"))
    year = models.PositiveSmallIntegerField(_("年度"))
    m01 = _percent(_("1月"))
    m02 = _percent(_("2月"))
    m03 = _percent(_("3月"))
    m04 = _percent(_("4月"))
    m05 = _percent(_("5月"))
    m06 = _percent(_("6月"))
    m07 = _percent(_("7月"))
    m08 = _percent(_("8月"))
    m09 = _percent(_("9月"))
    m10 = _percent(_("10月"))
    m11 = _percent(_("11月"))
    m12 = _percent(_("12月"))

    scope_fields = {"region": ""}

    class Meta:
        verbose_name = _("序时进度")
        verbose_name_plural = _("序时进度")
        ordering = ["region", "-year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="dispatch_schedule_region_year")]

    def __str__(self) -> str:
        return _("%(region)s%(year)d年序时进度") % {"region": self.region, "year": self.year}

    @property
    def values(self) -> list:
        return [getattr(self, name) for name in MONTHS]


class NoticeStyle(ChangeLoggedModel):
    """How a region writes its notices: the issuing office and the span of months ("1—4月" / "元—4月")."""

    region = models.OneToOneField("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("行政区划"))
    office = models.CharField(_("发文单位"), max_length=100, default=_("重点项目建设办公室"))
    span_style = models.CharField(_("月份写法"), max_length=10, choices=SpanStyle.choices, default=SpanStyle.ARABIC)

    scope_fields = {"region": ""}

    class Meta:
        verbose_name = _("通报格式")
        verbose_name_plural = _("通报格式")

    def __str__(self) -> str:
        return _("%(region)s通报格式") % {"region": self.region}


class NoticeDraft(ChangeLoggedModel):
    """What the 项目办 has set for a period's notice before generating or publishing it (kept per period)."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("行政区划"))
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    issue_no = models.PositiveIntegerField(_("期号"), null=True, blank=True)
    doc_no = models.CharField(_("文号"), max_length=60, blank=True)
    office = models.CharField(_("发文单位"), max_length=100, blank=True)
    issue_date = models.DateField(_("印发日期"), null=True, blank=True)
    next_steps = models.TextField(_("下一步工作要求"), blank=True)
    instructions = models.TextField(_("领导批示"), blank=True)

    scope_fields = {"region": ""}

    class Meta:
        verbose_name = _("通报草稿")
        verbose_name_plural = _("通报草稿")
        constraints = [models.UniqueConstraint(fields=["region", "year", "month"], name="dispatch_noticedraft_period")]

    def __str__(self) -> str:
        return _("%(year)d年%(month)d月通报草稿") % {"year": self.year, "month": self.month}


def _published_path(instance: "PublishedNotice", filename: str) -> str:
    return f"notices/published/{instance.region_id}/{instance.issue_year}/{filename}"


class PublishedNotice(ChangeLoggedModel):
    """A notice as issued: 第`issue_no`期 of `issue_year`, with its files and figures frozen at publication."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("行政区划"))
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    issue_year = models.PositiveSmallIntegerField(_("期号年度"))
    issue_no = models.PositiveIntegerField(_("期号"))
    doc_no = models.CharField(_("文号"), max_length=60, blank=True)
    office = models.CharField(_("发文单位"), max_length=100)
    issue_date = models.DateField(_("印发日期"))
    title = models.CharField(_("标题"), max_length=200)
    next_steps = models.TextField(_("下一步工作要求"), blank=True)
    instructions = models.TextField(_("领导批示"), blank=True)
    figures = models.JSONField(_("主要数据"), default=dict)
    docx = models.FileField(_("Word 文件"), upload_to=_published_path, max_length=255)
    pdf = models.FileField(_("PDF 文件"), upload_to=_published_path, max_length=255)
    xlsx = models.FileField(_("Excel 附表"), upload_to=_published_path, max_length=255)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"))

    scope_fields = {"region": ""}
    # Every published notice is readable within its county-level region by whoever may read notices.
    scope_public = Q(pk__isnull=False)
    changelog_exclude = ("last_updated", "figures")

    class Meta:
        verbose_name = _("已发布通报")
        verbose_name_plural = _("已发布通报")
        ordering = ["-issue_year", "-issue_no"]
        permissions = [("publish_publishednotice", _("发布通报"))]
        constraints = [
            models.UniqueConstraint(fields=["region", "issue_year", "issue_no"], name="dispatch_notice_issue")
        ]

    def __str__(self) -> str:
        return _("%(year)d年第%(no)d期") % {"year": self.issue_year, "no": self.issue_no}

    @property
    def issue_label(self) -> str:
        return str(self)

"""The dispatch's own records: the district's 序时进度 schedule and notice style, the notice being prepared, and the
published notices (第N期).

- `ProgressSchedule`: per region and year, the cumulative share of the annual plan due by the end of each month
  (12 percentages, non-decreasing, December = 100). Without a row the schedule is month ÷ 12 (`schedule.py`).
- `NoticeStyle`: per region, the issuing office's name and how a span of months is written ("1—4月" or "元—4月").
- `NoticeDraft`: per region and period, what the 项目办 sets on the notice page before generating: 期号, 文号,
  issuing office and date, 下一步工作要求 and 领导批示.
- `PublishedNotice`: a notice as issued — its files and figures frozen, numbered 第N期 within the issue year.
- `NoticeTemplate`: a Word layout the 项目办 uploaded for its region's notice; at most one per region is active (none
  active: the built-in `notice_templates/notice.docx`). Every upload is kept (history, 恢复默认, re-activation).

All five are scoped by region (`scope_fields = {"region": ""}`: the row's own `region`). A published notice is also
readable by every role holding `dispatch.view_publishednotice` within its county-level region (`scope_public`):
units and leaders read the notices of their district.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel

__all__ = [
    "MONTHS",
    "NOTICE_TEMPLATE_MAX_BYTES",
    "NoticeDraft",
    "NoticeStyle",
    "NoticeTemplate",
    "ProgressSchedule",
    "PublishedNotice",
    "SpanStyle",
]

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


NOTICE_TEMPLATE_MAX_BYTES = 2 * 1024 * 1024


class NoticeTemplate(ChangeLoggedModel):
    """A DOCX layout of a region's monthly notice, uploaded by its 项目办 (`notice_services.notice_template_*`).

    The file is kept in the row (`content`, at most `NOTICE_TEMPLATE_MAX_BYTES`), not under MEDIA: activating,
    resetting and the history are then one transaction with the file, a backup of the database holds every
    template ever used, and no file can go missing or be orphaned. Rows are never edited or deleted except for the
    `is_active` switch; at most one row per region is active (a partial unique constraint)."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("行政区划"))
    name = models.CharField(_("文件名"), max_length=200)
    content = models.BinaryField(_("文件内容"), editable=False)
    size = models.PositiveIntegerField(_("文件大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("上传人")
    )
    is_active = models.BooleanField(_("启用"), default=False)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("启用人"),
    )

    scope_fields = {"region": ""}
    changelog_exclude = ("last_updated", "content")

    class Meta:
        verbose_name = _("通报模板")
        verbose_name_plural = _("通报模板")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"], condition=Q(is_active=True), name="dispatch_noticetemplate_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.name

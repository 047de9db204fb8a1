from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["COUNTED_STATUSES", "AnomalyCode", "LightColor", "ReportEventType", "ReportStatus", "WarningDimension"]


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    UNIT_APPROVED = "unit_approved", _("单位审核通过")
    OFFICE_APPROVED = "office_approved", _("项目办审核通过")


# A report counts in every figure once submitted (已报), whether or not it has been reviewed yet.
COUNTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.UNIT_APPROVED, ReportStatus.OFFICE_APPROVED)


class ReportEventType(models.TextChoices):
    CREATED = "created", _("创建草稿")
    SAVED = "saved", _("保存")
    SUBMITTED = "submitted", _("提交")
    UNIT_APPROVED = "unit_approved", _("单位审核通过")
    OFFICE_APPROVED = "office_approved", _("项目办审核通过（锁定）")
    RETURNED = "returned", _("退回")
    CORRECTED = "corrected", _("项目办更正")
    WITHDRAWN = "withdrawn", _("撤回")
    PHOTO_ADDED = "photo_added", _("上传照片")
    PHOTO_DELETED = "photo_deleted", _("删除照片")
    PROXY_FILLED = "proxy_filled", _("代填")  # the project office filled the report in for the unit (调度表 upload)


class LightColor(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class WarningDimension(models.TextChoices):
    START = "start", _("开工")
    PROGRESS = "progress", _("投资进度")
    REPORTING = "reporting", _("填报")
    STALLED = "stalled", _("停滞")
    STATISTICS = "statistics", _("纳统")
    FUNDS_IDLE = "funds_idle", _("资金闲置")
    FUNDS_START = "funds_start", _("资金下达后未按期开工")
    STATS_GAP = "stats_gap", _("统计口径差异")


class AnomalyCode(models.TextChoices):
    """The kinds of 数据异常 a submitted report is flagged with (`progress/anomalies.py`); never blocking."""

    OVER_TOTAL = "over_total", _("累计超总投资")
    PACE_JUMP = "pace_jump", _("投资额突增")
    PROGRESS_BACK = "progress_back", _("形象进度倒退")
    IDENTICAL = "identical", _("多项目数据雷同")

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Frequency", "IndicatorKind", "PlatformSource"]


class IndicatorKind(models.TextChoices):
    GROWTH = "growth", _("增速（%）")
    SHARE = "share", _("占比（%）")
    COUNT = "count", _("个数")
    AMOUNT = "amount", _("金额（亿元）")


class Frequency(models.TextChoices):
    MONTH = "month", _("月度（累计）")
    QUARTER = "quarter", _("季度（累计）")


class PlatformSource(models.TextChoices):
    """Where the district's own value of an indicator comes from when the platform knows it (figures.py)."""

    NONE = "", _("录入/导入（统计局）")
    INVESTMENT_GROWTH = "investment_growth", _("平台：固定资产投资增速（审核通过的月报）")
    INDUSTRIAL_GROWTH = "industrial_growth", _("平台：工业投资增速（审核通过的月报）")
    STARTS = "starts", _("平台：新开工项目个数（事实层）")
    SIGNINGS = "signings", _("平台：招商签约项目个数")
    PRODUCTIONS = "productions", _("平台：招商投产项目个数")

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodType(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    HALF = "half", _("半年")
    YEAR = "year", _("年度")


class RuleKind(models.TextChoices):
    LINEAR = "linear", _("线性计分（封顶）")
    BANDS = "bands", _("分档计分")
    RANK = "rank", _("名次计分")
    PER_ITEM = "per_item", _("按件计分")


class NoData(models.TextChoices):
    """What a line scores when its figure has no denominator (no project to count) or the unit is exempted."""

    SKIP = "skip", _("不计分（满分从总分中扣除）")
    FULL = "full", _("视同满分")
    ZERO = "zero", _("计 0 分")


class LineStatus(models.TextChoices):
    SCORED = "scored", _("计分")
    NO_DATA = "no_data", _("无可考核项目")
    EXEMPT = "exempt", _("免考")


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", _("加分")
    DEDUCTION = "deduction", _("扣分")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("试算中")
    PUBLISHED = "published", _("已发布（申诉期）")
    CLOSED = "closed", _("已定稿")


class AppealStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("未采纳")


class CaseDecision(models.TextChoices):
    PENDING = "pending", _("待认定")
    EXEMPT = "exempt", _("容错免责")
    REDUCE = "reduce", _("减轻责任")
    DENY = "deny", _("不予容错")


# "三个区别开来" and the district's "十个区别开来" (domain.md §3.12): the checklist a 容错 decision weighs.
CRITERIA: tuple[tuple[str, Any], ...] = (
    ("experience", _("把干部在推进改革中因缺乏经验、先行先试出现的失误错误，同明知故犯的违纪违法行为区别开来")),
    ("no_rule", _("把尚无明确限制的探索性试验中的失误错误，同明令禁止后依然我行我素的违纪违法行为区别开来")),
    ("public", _("把为推动发展的无意过失，同为谋取私利的违纪违法行为区别开来")),
    ("investment", _("把招商引资、争取项目中的正当开支，同违规吃喝、违规消费区别开来")),
    ("service", _("把服务企业、服务项目的正常往来，同利益输送区别开来")),
    ("procedure", _("把按程序集体决策出现的失误，同个人独断专行区别开来")),
    ("objective", _("把因政策调整、不可抗力等客观原因造成的未达预期，同主观不作为区别开来")),
    ("corrected", _("把主动纠错、及时挽回损失，同拒不纠错、放任损失扩大区别开来")),
    ("urgent", _("把为完成急难险重任务出现的偏差，同敷衍塞责区别开来")),
    ("reported", _("把事前已请示报告、按要求履职，同隐瞒不报区别开来")),
)
CRITERIA_KEYS = tuple(key for key, _label in CRITERIA)

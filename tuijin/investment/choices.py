from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ContractKind", "InvestorTag", "LeadEventType", "LeadStage", "ReviewStatus", "SizeBand"]


class LeadStage(models.TextChoices):
    """The pipeline, in order; 终止 (terminated) stands beside it."""

    NEGOTIATING = "negotiating", _("在谈")
    SIGNED = "signed", _("签约")
    REGISTERED = "registered", _("注册")
    STARTED = "started", _("开工")
    PRODUCING = "producing", _("投产")
    REACHED = "reached", _("达产")
    TERMINATED = "terminated", _("终止")


# The pipeline order (终止 is not in it).
PIPELINE = [
    LeadStage.NEGOTIATING,
    LeadStage.SIGNED,
    LeadStage.REGISTERED,
    LeadStage.STARTED,
    LeadStage.PRODUCING,
    LeadStage.REACHED,
]
SIGNED_OR_LATER = PIPELINE[1:]
REGISTERED_OR_LATER = PIPELINE[2:]
STARTED_OR_LATER = PIPELINE[3:]
PRODUCING_OR_LATER = PIPELINE[4:]


class ReviewStatus(models.TextChoices):
    """The review of the data submitted with the lead's current stage (G3: 已保存/审核中/审核通过/审核未通过)."""

    NONE = "none", _("无需审核")
    PENDING = "pending", _("审核中")
    APPROVED = "approved", _("通过")
    RETURNED = "returned", _("退回")


class ContractKind(models.TextChoices):
    AGREEMENT = "agreement", _("协议")
    CONTRACT = "contract", _("合同")


class InvestorTag(models.TextChoices):
    """投资方性质/背景 (several may apply)."""

    GLOBAL500 = "global500", _("世界500强")
    CHINA500 = "china500", _("中国500强")
    LISTED = "listed", _("上市公司")
    CENTRAL_SOE = "central_soe", _("央企")
    LOCAL_SOE = "local_soe", _("国企")
    FOREIGN = "foreign", _("外资")
    PRIVATE = "private", _("民营")
    HIGH_TECH = "high_tech", _("高新技术企业")
    SPECIALISED = "specialised", _("专精特新")
    INDIVIDUAL = "individual", _("自然人")


class SizeBand(models.TextChoices):
    """By the signed total (else the planned amount), in 万元: <3亿, 3–10亿, 10–20亿, 20亿+."""

    UNDER_3 = "lt3", _("3亿元以下")
    FROM_3_TO_10 = "3to10", _("3–10亿元")
    FROM_10_TO_20 = "10to20", _("10–20亿元")
    OVER_20 = "ge20", _("20亿元及以上")
    UNKNOWN = "unknown", _("金额未填")


class LeadEventType(models.TextChoices):
    CREATED = "created", _("登记")
    UPDATED = "updated", _("修改")
    SUBMITTED = "submitted", _("提交阶段")
    RESUBMITTED = "resubmitted", _("重新提交")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("审核退回")
    TERMINATED = "terminated", _("终止")
    RESTORED = "restored", _("恢复")
    CONVERTED = "converted", _("转为重点项目")
    SYNCED = "synced", _("随项目更新")

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "CaseDecision",
    "CaseStatus",
    "CommitmentCategory",
    "CommitmentSide",
    "CommitmentState",
    "CommitmentStatus",
    "Confirmation",
    "ContractKind",
    "EventList",
    "InvestorTag",
    "LeadEventType",
    "LeadStage",
    "ReviewStatus",
    "SigningEventKind",
    "SigningKind",
    "SizeBand",
]


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
    UPDATED = "updated", pgettext_lazy("change kind", "修改")
    SUBMITTED = "submitted", _("提交阶段")
    RESUBMITTED = "resubmitted", _("重新提交")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("审核退回")
    TERMINATED = "terminated", _("终止")
    RESTORED = "restored", _("恢复")
    CONVERTED = "converted", _("转为重点项目")
    SYNCED = "synced", _("随项目更新")
    SIGNING = "signing", _("签约记录")
    LISTED = "listed", _("列入签约活动名单")
    COMMITMENT = "commitment", _("承诺台账变更")
    AGREEMENT_SIGNED = "agreement_signed", _("承诺保存为已签订")
    CASE = "case", _("违约/调整处理")
    RESULT = "result", _("达产跟踪")
    ATTACHMENT = "attachment", _("上传附件")


class SigningEventKind(models.TextChoices):
    THREE_BATCHES = "three_batches", _("三个一批")
    EXPO = "expo", _("投洽会")
    SPECIAL = "special", _("专场签约")
    OTHER = "other", _("其他签约活动")


class SigningKind(models.TextChoices):
    """签约甄别: what a signing adds to the counts (a project once, at its first signing; an upgrade or a capital
    increase only the increment; a change of investor is a new signing)."""

    FIRST = "first", _("首次签约")
    UPGRADE = "upgrade", _("升格（协议→合同）")
    INCREASE = "increase", _("增资")
    NEW_INVESTOR = "new_investor", _("更换投资方")


class EventList(models.TextChoices):
    """The lists an event produces (三个一批)."""

    SIGNED = "signed", _("签约一批")
    STARTED = "started", _("开工一批")
    PRODUCING = "producing", _("投产一批")


class CommitmentSide(models.TextChoices):
    GOVERNMENT = "government", _("政府承诺")
    INVESTOR = "investor", _("企业承诺")


class CommitmentCategory(models.TextChoices):
    # the government's side
    LAND = "land", _("土地交付")
    UTILITIES = "utilities", _("水电气暖配套")
    SUBSIDY = "subsidy", _("奖补资金")
    TAX_FEE = "tax_fee", _("税费优惠")
    SERVICE = "service", _("代办服务")
    FACTOR = "factor", _("要素保障")
    GOV_OTHER = "gov_other", _("其他政府承诺")
    # the investor's side
    CAPEX = "capex", _("固定资产投资")
    FUNDS = "funds", _("资金到位")
    JOBS = "jobs", _("就业岗位")
    OUTPUT = "output", _("产值")
    REACH = "reach", _("达产时间")
    TAX_PER_MU = "tax_per_mu", _("亩均税收")
    INV_OTHER = "inv_other", _("其他企业承诺")


GOVERNMENT_CATEGORIES = [
    CommitmentCategory.LAND,
    CommitmentCategory.UTILITIES,
    CommitmentCategory.SUBSIDY,
    CommitmentCategory.TAX_FEE,
    CommitmentCategory.SERVICE,
    CommitmentCategory.FACTOR,
    CommitmentCategory.GOV_OTHER,
]
INVESTOR_CATEGORIES = [
    CommitmentCategory.CAPEX,
    CommitmentCategory.FUNDS,
    CommitmentCategory.JOBS,
    CommitmentCategory.OUTPUT,
    CommitmentCategory.REACH,
    CommitmentCategory.TAX_PER_MU,
    CommitmentCategory.INV_OTHER,
]


class CommitmentStatus(models.TextChoices):
    NOT_MET = "not_met", _("未达条件")
    DUE = "due", _("已达条件待兑现")
    PARTIAL = "partial", _("部分兑现")
    FULFILLED = "fulfilled", _("已兑现")
    UNABLE = "unable", _("无法兑现-已沟通")


# still to be honoured: past its due date in one of these, a commitment is overdue
OUTSTANDING = [CommitmentStatus.NOT_MET, CommitmentStatus.DUE, CommitmentStatus.PARTIAL]


class CommitmentState(models.TextChoices):
    """A commitment is drafted with the agreement, then saved as signed (after the 公平竞争审查 pre-check)."""

    DRAFT = "draft", _("草拟")
    SIGNED = "signed", _("已签订")


class Confirmation(models.TextChoices):
    """The enterprise's word on a ledger line."""

    PENDING = "pending", _("待企业确认")
    CONFIRMED = "confirmed", _("企业已确认")
    DISPUTED = "disputed", _("企业有异议")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    CLOSED = "closed", _("已处理")


class CaseDecision(models.TextChoices):
    """违约/调整: what is done about an investor's shortfall."""

    RENEGOTIATE = "renegotiate", _("重新约定")
    CLAW_BACK = "claw_back", _("追回奖补")
    EXCUSE = "excuse", _("免予追究")

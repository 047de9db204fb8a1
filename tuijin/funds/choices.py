"""Choices of 争取上级资金 (funds) and 纳统."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """资金渠道."""

    CENTRAL_BUDGET = "central_budget", _("中央预算内投资")
    LONG_BOND_MAJOR = "long_bond_major", _("超长期特别国债（两重）")
    LONG_BOND_NEW = "long_bond_new", _("超长期特别国债（两新）")
    SPECIAL_BOND = "special_bond", _("地方政府专项债")
    PROVINCIAL = "provincial", _("省级专项资金")
    MUNICIPAL = "municipal", _("市级专项资金")
    POLICY_FINANCE = "policy_finance", _("政策性金融")


class PrepStage(models.TextChoices):
    """前期工作阶段 (how far the project's preparation has gone), in order."""

    IDEA = "idea", _("谋划")
    PROPOSAL = "proposal", _("项目建议书")
    FEASIBILITY = "feasibility", _("可研")
    PRELIMINARY = "preliminary", _("初步设计")
    READY = "ready", _("具备开工条件")


PREP_ORDER = [s.value for s in PrepStage]


class LibraryStatus(models.TextChoices):
    """国家重大建设项目库 status."""

    NONE = "none", _("未入库")
    RESERVE = "reserve", _("储备")
    ROLLING = "rolling", _("三年滚动计划")
    ANNUAL = "annual", _("年度计划")


class ApplicationStatus(models.TextChoices):
    DRAFTING = "drafting", _("编制")
    DISTRICT_REVIEW = "district_review", _("区审核")
    CITY = "city", _("市转报")
    PROVINCE = "province", _("省转报")
    NATIONAL = "national", _("国家审核")
    APPROVED = "approved", _("已下达")
    REJECTED = "rejected", _("未入选")
    WITHDRAWN = "withdrawn", _("已撤回")


APPLICATION_FLOW = [
    ApplicationStatus.DRAFTING,
    ApplicationStatus.DISTRICT_REVIEW,
    ApplicationStatus.CITY,
    ApplicationStatus.PROVINCE,
    ApplicationStatus.NATIONAL,
]
OPEN_APPLICATION = (*APPLICATION_FLOW,)
LIVE_APPLICATION = (*APPLICATION_FLOW, ApplicationStatus.APPROVED)

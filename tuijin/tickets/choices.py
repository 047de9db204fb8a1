from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Rating", "TicketCategory", "TicketEventType", "TicketSource", "TicketStatus"]


class TicketSource(models.TextChoices):
    REPORT = "report", _("月报问题")
    MEETING = "meeting", _("调度会")
    ENTERPRISE = "enterprise", _("企业诉求")
    LEADER = "leader", _("包联领导")
    COMMITMENT = "commitment", _("招商承诺超期")
    OTHER = "other", _("其他")


class TicketCategory(models.TextChoices):
    LAND = "land", _("用地")
    PLANNING = "planning", _("规划")
    EIA = "eia", _("环评")
    ENERGY = "energy", _("节能")
    WATER = "water", _("用水")
    POWER = "power", _("电力")
    GAS = "gas", _("燃气")
    HEAT = "heat", _("热力")
    TELECOM = "telecom", _("通信")
    FINANCE = "finance", _("资金/融资")
    LABOUR = "labour", _("用工/人才")
    TECH = "tech", _("技术/研发")
    APPROVAL = "approval", _("审批手续")
    DEMOLITION = "demolition", _("征收拆迁")
    POLICY = "policy", _("政策兑现")
    OTHER = "other", _("其他")


class TicketStatus(models.TextChoices):
    PENDING = "pending", _("待受理")
    ASSIGNED = "assigned", _("已交办")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已销号")
    UNRESOLVABLE = "unresolvable", _("无法解决")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class TicketEventType(models.TextChoices):
    RAISED = "raised", _("提出")
    ACCEPTED = "accepted", _("受理")
    ASSIGNED = "assigned", _("交办")
    STARTED = "started", _("开始办理")
    PROGRESS = "progress", _("办理进展")
    TRANSFERRED = "transferred", _("转办")
    RETURNED = "returned", _("退回")
    RESOLVED = "resolved", _("办结")
    CLOSED = "closed", _("销号")
    UNRESOLVABLE = "unresolvable", _("无法解决")
    RATED = "rated", _("企业评价")
    REOPENED = "reopened", _("重新办理（回访）")
    ESCALATED = "escalated", _("超期升级")

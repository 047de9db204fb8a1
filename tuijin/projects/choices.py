from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "ApprovalPhase",
    "ApprovalStatus",
    "AttachmentKind",
    "ConstructionNature",
    "FundingSourceKind",
    "InvestmentSubject",
    "PlanStatus",
    "ProjectDomain",
    "ProjectEventType",
    "Stage",
    "StatsStatus",
    "YearlyCategory",
]


class Stage(models.TextChoices):
    CONCEIVED = "conceived", _("谋划")
    RESERVE = "reserve", _("储备")
    PREPARATION = "preparation", _("前期")
    CONSTRUCTION = "construction", _("在建")
    COMPLETED = "completed", _("竣工")
    OPERATING = "operating", _("投产")
    SUSPENDED = "suspended", _("暂缓")
    CANCELLED = "cancelled", _("取消")


class YearlyCategory(models.TextChoices):
    NEW = "new", _("新开工")
    CONTINUING = "continuing", _("续建")
    NEW_COMPLETED = "new_completed", _("新开工当年竣工")
    CONTINUING_COMPLETED = "continuing_completed", _("续建当年竣工")
    PREPARATION = "preparation", _("前期")


class ProjectDomain(models.TextChoices):
    INDUSTRY = "industry", _("产业")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    LIVELIHOOD = "livelihood", _("社会民生")
    ECOLOGY = "ecology", _("生态环保")
    URBAN_RENEWAL = "urban_renewal", _("城市更新")
    OTHER = "other", _("其他")


class ConstructionNature(models.TextChoices):
    NEW = "new", _("新建")
    EXTENSION = "extension", _("扩建")
    RECONSTRUCTION = "reconstruction", _("改建")
    TECH_RENOVATION = "tech_renovation", _("技术改造")
    RELOCATION = "relocation", _("迁建")


class InvestmentSubject(models.TextChoices):
    STATE = "state", _("国有")
    STATE_HOLDING = "state_holding", _("国有控股")
    PRIVATE = "private", _("民营")
    FOREIGN = "foreign", _("外资")
    MIXED = "mixed", _("混合所有制")
    GOVERNMENT = "government", _("政府投资")
    OTHER = "other", _("其他")


class DatePrecision(models.TextChoices):
    """How much of a date is known: a day, only its month (stored as the 1st), or its year (stored as 1 January)."""

    DAY = "day", pgettext_lazy("date precision", "日")
    MONTH = "month", pgettext_lazy("date precision", "月")
    YEAR = "year", pgettext_lazy("date precision", "年")


class FundingSourceKind(models.TextChoices):
    SELF = "self", _("企业自筹")
    BANK_LOAN = "bank_loan", _("银行贷款")
    CENTRAL_BUDGET = "central_budget", _("中央预算内")
    SPECIAL_BOND = "special_bond", _("地方政府专项债")
    TREASURY_BOND = "treasury_bond", _("超长期特别国债")
    PROVINCIAL = "provincial", _("省级财政")
    CITY = "city", _("市级财政")
    DISTRICT = "district", _("区级财政")
    OTHER = "other", _("其他")


class StatsStatus(models.TextChoices):
    NOT_COUNTED = "not_counted", _("未纳统")
    COUNTED = "counted", _("已纳统入库")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("未办")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")
    NOT_APPLICABLE = "na", _("不涉及")


class ApprovalPhase(models.TextChoices):
    PROJECT_LAND = "project_land", _("立项用地规划许可")
    ENGINEERING = "engineering", _("工程建设许可")
    CONSTRUCTION = "construction", _("施工许可")
    ACCEPTANCE = "acceptance", _("竣工验收")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    APPROVED = "approved", _("已批准（基线）")
    CHANGE_PENDING = "change_pending", _("调整待审批")


class AttachmentKind(models.TextChoices):
    APPROVAL = "approval", _("审批文件")
    PHOTO = "photo", _("现场照片")
    OTHER = "other", _("其他")


class ProjectEventType(models.TextChoices):
    CREATED = "created", _("项目入库")
    UPDATED = "updated", _("信息更新")
    STAGE_CHANGED = "stage_changed", _("阶段变更")
    PLAN_APPROVED = "plan_approved", _("年度计划批准")
    PLAN_CHANGE_REQUESTED = "plan_change_requested", _("申请调整年度计划")
    PLAN_CHANGE_APPROVED = "plan_change_approved", _("年度计划调整获批")
    PLAN_CHANGE_REJECTED = "plan_change_rejected", _("年度计划调整被驳回")
    APPROVAL_UPDATED = "approval_updated", _("手续办理更新")
    ATTACHMENT_ADDED = "attachment_added", _("上传附件")
    IMPORTED = "imported", _("Excel导入")
    REASSIGNED = "reassigned", _("调整责任单位/包联领导")

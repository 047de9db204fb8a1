from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["RegionLevel", "Role", "ScopeKind", "UnitType"]


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("区县")
    TOWN = "town", _("镇街")


class UnitType(models.TextChoices):
    PARTY_GOV = "party_gov", _("区委/区政府")
    DEPARTMENT = "department", _("区直部门")
    TOWN = "town", _("镇")
    SUBDISTRICT = "subdistrict", _("街道")
    DEV_ZONE = "dev_zone", _("开发区")
    STATE_PLATFORM = "state_platform", _("国有平台公司")
    ENTERPRISE = "enterprise", _("企业")
    UNIVERSITY = "university", _("高校")
    OTHER = "other", _("其他")


class Role(models.TextChoices):
    PROJECT_OFFICE = "project_office", _("项目办管理员")
    UNIT_REPORTER = "unit_reporter", _("单位填报员")
    UNIT_APPROVER = "unit_approver", _("单位审核人")
    SPONSOR_LEADER = "sponsor_leader", _("包联领导")
    DISTRICT_LEADER = "district_leader", _("区领导")
    ENTERPRISE = "enterprise", _("企业用户")
    INVESTMENT_STAFF = "investment_staff", _("招商专员")
    INVESTMENT_BUREAU = "investment_bureau", _("招商主管部门")
    SUPERVISION_OFFICE = "supervision_office", _("督查督办专员")
    STATS_BUREAU = "stats_bureau", _("统计局")
    SYS_ADMIN = "sys_admin", _("系统管理员")
    SEC_ADMIN = "sec_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


class ScopeKind(models.TextChoices):
    REGION = "region", _("本辖区全部单位")
    UNIT = "unit", _("本单位及下级")
    SPONSOR = "sponsor", _("包联项目")
    ENTERPRISE = "enterprise", _("本企业")

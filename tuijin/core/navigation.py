"""The navigation menu, by permission: an item shows when the user holds its permission."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

__all__ = ["NAV_ITEMS", "NavItem", "nav_for"]


@dataclass(frozen=True)
class NavItem:
    label: Any  # lazy translation
    url_name: str
    permission: str
    icon: str = "circle"
    group: Any = ""
    requires: tuple[str, ...] = ()  # further permissions the user must also hold


NAV_ITEMS: list[NavItem] = [
    NavItem(_("项目库"), "projects:project_list", "projects.view_project", "kanban", _("重点项目")),
    NavItem(
        _("项目导入"), "projects:project_import", "projects.import_project", "file-earmark-arrow-up", _("重点项目")
    ),
    NavItem(
        _("历史数据导入"),
        "progress:history",
        "progress.officeapprove_progressreport",
        "clock-history",
        _("重点项目"),
        requires=("projects.import_project", "projects.approve_annualplan"),
    ),
    NavItem(_("招商驾驶舱"), "investment:dashboard", "investment.view_lead", "speedometer2", _("招商引资")),
    NavItem(_("招商项目"), "investment:lead_list", "investment.view_lead", "briefcase", _("招商引资")),
    NavItem(_("登记招商项目"), "investment:lead_add", "investment.add_lead", "plus-square", _("招商引资")),
    NavItem(_("导入招商项目"), "investment:lead_import", "investment.add_lead", "upload", _("招商引资")),
    NavItem(_("签约活动"), "investment:event_list", "investment.view_signingevent", "calendar-event", _("招商引资")),
    NavItem(_("承诺台账"), "investment:ledger", "investment.view_commitment", "journal-check", _("招商引资")),
    NavItem(
        _("公平竞争审查提示"),
        "investment:fc_flags",
        "investment.view_commitment",
        "exclamation-triangle",
        _("招商引资"),
        requires=("investment.view_lead",),
    ),
    NavItem(
        _("违约/调整"), "investment:case_list", "investment.view_commitmentcase", "exclamation-diamond", _("招商引资")
    ),
    NavItem(
        _("达产跟踪"),
        "investment:results",
        "investment.view_yearlyresult",
        "graph-up-arrow",
        _("招商引资"),
        requires=("investment.view_lead",),
    ),
    NavItem(_("驾驶舱"), "dispatch:dashboard", "projects.dashboard_project", "speedometer2", _("月度调度")),
    NavItem(_("本单位月报"), "dispatch:my_reports", "progress.add_progressreport", "pencil-square", _("月度调度")),
    NavItem(_("月报审核"), "progress:report_list", "progress.view_progressreport", "check2-square", _("月度调度")),
    NavItem(_("未上报"), "dispatch:missing_reports", "projects.dashboard_project", "bell-slash", _("月度调度")),
    NavItem(_("红黄绿灯"), "dispatch:light_list", "progress.view_warninglight", "stoplights", _("月度调度")),
    NavItem(_("月度通报"), "dispatch:notice", "dispatch.view_publishednotice", "file-earmark-text", _("月度调度")),
    NavItem(_("纳统对账"), "stats:month", "funds.view_statsfigure", "clipboard-data", _("月度调度")),
    NavItem(_("序时进度"), "dispatch:schedule", "dispatch.change_progressschedule", "calendar-range", _("月度调度")),
    NavItem(_("申报窗口"), "funds:batch_list", "funds.view_fundingbatch", "calendar-week", _("争取上级资金")),
    NavItem(_("资金申报"), "funds:application_list", "funds.view_fundapplication", "cash-stack", _("争取上级资金")),
    NavItem(_("资金统计"), "funds:kpis", "funds.view_fundapplication", "bar-chart-steps", _("争取上级资金")),
    NavItem(_("协调工单"), "tickets:ticket_list", "tickets.view_ticket", "ticket-detailed", _("协调服务")),
    NavItem(_("提出诉求/工单"), "tickets:ticket_add", "tickets.add_ticket", "plus-circle", _("协调服务")),
    NavItem(_("工单统计"), "tickets:ticket_dashboard", "tickets.dashboard_ticket", "bar-chart-line", _("协调服务")),
    NavItem(_("涉企检查登记"), "tickets:visit_list", "tickets.view_inspectionvisit", "clipboard-check", _("协调服务")),
    NavItem(_("免打扰期"), "tickets:quiet_list", "tickets.view_quietperiod", "moon", _("协调服务")),
    NavItem(_("督办事项"), "supervision:task_list", "supervision.view_task", "flag", _("督查督办")),
    NavItem(_("会议与考察"), "supervision:meeting_list", "supervision.view_meeting", "people", _("督查督办")),
    NavItem(_("读入会议报道"), "supervision:read", "supervision.add_meeting", "file-earmark-text", _("督查督办")),
    NavItem(_("督办通报"), "supervision:report", "supervision.export_task", "megaphone", _("督查督办")),
    NavItem(_("督办统计"), "supervision:dashboard", "supervision.dashboard_task", "bar-chart", _("督查督办")),
    NavItem(_("产业链图谱"), "chains:index", "chains.view_chainnode", "diagram-3", _("产业链与对标")),
    NavItem(_("政产学研"), "chains:resource_list", "chains.view_universityresource", "mortarboard", _("产业链与对标")),
    NavItem(_("合作记录"), "chains:cooperation_list", "chains.view_cooperation", "link-45deg", _("产业链与对标")),
    NavItem(_("对标对表"), "benchmarks:index", "benchmarks.view_indicator", "bar-chart-line", _("产业链与对标")),
    NavItem(_("考核排名"), "assessment:index", "assessment.view_round", "trophy", _("考核评价")),
    NavItem(_("加减分"), "assessment:adjustment_list", "assessment.add_adjustment", "plus-slash-minus", _("考核评价")),
    NavItem(_("容错纠错"), "assessment:case_list", "assessment.view_leniencycase", "shield-check", _("考核评价")),
    NavItem(_("读入规则"), "supervision:rules", "supervision.view_readingrule", "sliders", _("基础配置")),
    NavItem(_("缺链判定规则"), "chains:rules", "chains.change_chainrules", "sliders", _("基础配置")),
    NavItem(_("预警规则"), "dispatch:config_rules", "progress.change_warningrule", "sliders", _("基础配置")),
    NavItem(_("填报期"), "dispatch:config_windows", "progress.change_reportingperiod", "calendar-check", _("基础配置")),
    NavItem(
        _("通报模板"), "dispatch:notice_template", "dispatch.change_noticetemplate", "file-earmark-word", _("基础配置")
    ),
    NavItem(
        _("审批事项目录"),
        "projects:catalogue_approval_list",
        "projects.view_approvalitemtype",
        "list-check",
        _("基础配置"),
    ),
    NavItem(_("产业链"), "projects:catalogue_chain_list", "projects.view_industrychain", "diagram-2", _("基础配置")),
    NavItem(
        _("公平竞争审查类别"),
        "investment:fc_categories",
        "investment.change_faircompetitioncategory",
        "shield-check",
        _("基础配置"),
    ),
    NavItem(
        _("低效用地预警线"), "investment:settings", "investment.change_investmentsettings", "sliders", _("基础配置")
    ),
    NavItem(_("资金与纳统设置"), "funds:settings", "funds.change_fundssettings", "sliders", _("基础配置")),
    NavItem(_("数据公开"), "opendata:settings", "opendata.change_publicationsettings", "globe", _("基础配置")),
    NavItem(_("工单类别与办理时限"), "tickets:sla_list", "tickets.view_categorysla", "stopwatch", _("基础配置")),
    NavItem(_("工作日历"), "workdays:calendar", "workdays.view_holidayoverride", "calendar3", _("基础配置")),
    NavItem(_("单位"), "org:orgunit_list", "org.view_orgunit", "diagram-3", _("组织机构")),
    NavItem(_("领导与人员"), "org:person_list", "org.view_person", "people", _("组织机构")),
    NavItem(_("账户与角色"), "users:account_list", "users.view_user", "person-gear", _("系统管理")),
    NavItem(_("锁定管理"), "users:lockout_list", "users.unlock_user", "shield-lock", _("系统管理")),
    NavItem(_("审计日志"), "core:auditevent_list", "core.view_auditevent", "journal-text", _("审计")),
    NavItem(_("数据变更记录"), "core:objectchange_list", "core.view_objectchange", "clock-history", _("审计")),
]


def nav_for(user) -> list[tuple[str, list[NavItem]]]:
    if not user.is_authenticated:
        return []
    perms = user.get_all_permissions()
    groups: dict[str, list[NavItem]] = {}
    for item in NAV_ITEMS:
        if item.permission in perms and all(p in perms for p in item.requires):
            groups.setdefault(str(item.group), []).append(item)
    return list(groups.items())

"""What each role may do (permissions) and over which rows (scope). The single place to read or change it.

Permission names follow Django's `<app_label>.<action>_<model_name>`; workflow actions (submit, approve …) use the
same form. The 三员 (系统/安全/审计管理员) hold no business permission at all, and none of them can be combined
with another role on one account (enforced in `org.services.membership_grant`).
"""

from dataclasses import dataclass, field

from .choices import Role, ScopeKind

__all__ = ["ADMIN_ROLES", "ROLE_SPECS", "RoleSpec", "role_permissions"]


@dataclass(frozen=True)
class RoleSpec:
    scope: ScopeKind
    permissions: frozenset[str]
    # Permissions whose rows are scoped differently from the role's default (e.g. a 包联领导 reads the
    # region-wide dashboard although the projects they may open are only the ones they sponsor).
    scope_overrides: dict[str, ScopeKind] = field(default_factory=dict)

    def scope_for(self, permission: str) -> ScopeKind:
        return self.scope_overrides.get(permission, self.scope)


_DIRECTORY = {"org.view_orgunit", "org.view_person", "org.view_position"}
_CALENDAR_READ = {"workdays.view_holidayoverride"}
_CALENDAR_EDIT = {"workdays.add_holidayoverride", "workdays.change_holidayoverride", "workdays.delete_holidayoverride"}
_PROJECT_READ = {
    "projects.view_project",
    "projects.view_annualplan",
    "projects.view_approvalitem",
    "projects.view_attachment",
    "projects.export_project",
    "projects.view_planchange",
}
_PROJECT_UNIT_EDIT = {
    "projects.change_project",
    "projects.change_approvalitem",
    "projects.add_attachment",
    "projects.change_annualplan",
}
_REPORT_READ = {
    "progress.view_progressreport",
    "progress.view_reportproblem",
    "progress.view_reportevent",
    "progress.view_reportcorrection",
    "progress.view_warninglight",
    "progress.view_reportphoto",
    "progress.view_lightoverride",
    "progress.export_progressreport",
    "progress.view_reportingperiod",
    "progress.view_warningrule",
    "projects.dashboard_project",
    "dispatch.view_publishednotice",
}
_REPORT_FILL = {
    "progress.add_progressreport",
    "progress.change_progressreport",
    "progress.submit_progressreport",
    "progress.add_reportphoto",
}
_REPORT_OFFICE = {
    "progress.officeapprove_progressreport",
    "progress.unitapprove_progressreport",
    "progress.correct_progressreport",
    "progress.change_warningrule",
    "progress.add_lightoverride",
    "progress.change_lightoverride",
    "progress.change_reportingperiod",
    "progress.evaluate_warninglight",
    "progress.generate_notice",
    "dispatch.publish_publishednotice",
    "dispatch.change_progressschedule",
    "dispatch.change_noticetemplate",  # 通报模板 (dispatch/views_notice_template.py)
}
_TICKET_READ = {
    "tickets.view_ticket",
    "tickets.view_ticketevent",
    "tickets.view_ticketattachment",
    "tickets.view_inspectionvisit",
    "tickets.view_quietperiod",
    "tickets.export_ticket",
    "tickets.view_ticketescalation",
}
_TICKET_UNIT = {
    "tickets.add_ticket",
    "tickets.handle_ticket",
    "tickets.add_ticketattachment",
    "tickets.add_inspectionvisit",
}
_TICKET_OFFICE = {
    "tickets.dispatch_ticket",
    "tickets.close_ticket",
    "tickets.add_categorysla",
    "tickets.change_categorysla",
    "tickets.view_categorysla",
}
_TICKET_ENTERPRISE = {
    "tickets.view_ticket",
    "tickets.view_ticketevent",
    "tickets.view_ticketattachment",
    "tickets.add_ticket",
    "tickets.add_ticketattachment",
    "tickets.rate_ticket",
    "tickets.view_inspectionvisit",
    "tickets.view_quietperiod",
    "tickets.add_quietperiod",
    "tickets.delete_quietperiod",
}
_LEAD_READ = {
    "investment.view_lead",
    "investment.view_leadevent",
    "investment.view_leadattachment",
    "investment.view_signingevent",
    "investment.view_signing",
    "investment.view_eventlistentry",
    "investment.view_commitment",
    "investment.view_commitmentcase",
    "investment.view_yearlyresult",
}
# a unit tracks its own leads (跟踪单位): registers them, edits them and submits their stages, keeps their signings,
# promise ledger (承诺台账) and 达产 results, and opens 违约/调整 cases
_LEAD_UNIT = {
    "investment.add_lead",
    "investment.change_lead",
    "investment.add_leadattachment",
    "investment.add_signing",
    "investment.add_commitment",
    "investment.change_commitment",
    "investment.add_commitmentcase",
    "investment.add_yearlyresult",
    "investment.change_yearlyresult",
}
# reviews every stage submission, second-reviews flagged clauses (公平竞争审查), decides 违约/调整 cases, keeps the
# signing events and their lists and the 招商 configuration
_LEAD_REVIEW = {
    "investment.review_lead",
    "investment.review_commitment",
    "investment.decide_commitmentcase",
    "investment.delete_leadattachment",
    "investment.add_signingevent",
    "investment.change_signingevent",
    "investment.add_eventlistentry",
    "investment.delete_eventlistentry",
    "investment.view_faircompetitioncategory",
    "investment.add_faircompetitioncategory",
    "investment.change_faircompetitioncategory",
    "investment.view_investmentsettings",
    "investment.change_investmentsettings",
}
# … and the 项目办 turns signed leads into key projects
_LEAD_OFFICE = _LEAD_REVIEW | {"investment.convert_lead"}
# the investor's enterprise account reads its own promise ledger, both sides, and confirms or disputes each line
_LEAD_ENTERPRISE = {"investment.view_commitment", "investment.confirm_commitment"}
_SUP_READ = {
    "supervision.view_meeting",
    "supervision.view_meetingattachment",
    "supervision.view_task",
    "supervision.view_taskevent",
    "supervision.view_taskattachment",
    "supervision.view_taskescalation",
    "supervision.view_taskreminder",
}
# a responsible (or co-responsible) unit reports progress, uploads evidence and asks for closure
_SUP_UNIT = {"supervision.report_task", "supervision.add_taskattachment"}
# the 督办 office (and the 项目办, which runs 项目建设大会 and 调度会): meetings, reading reports, assigning tasks,
# reviewing closures, the 督办通报, the reading rules
_SUP_OFFICE = {
    "supervision.report_task",  # acts for a unit without an account (代报), named in the history
    "supervision.add_taskattachment",
    "supervision.add_meeting",
    "supervision.change_meeting",
    "supervision.add_meetingattachment",
    "supervision.add_task",
    "supervision.change_task",
    "supervision.review_task",
    "supervision.export_task",
    "supervision.dashboard_task",
    "supervision.view_readingrule",
    "supervision.add_readingrule",
    "supervision.change_readingrule",
}
_FUNDS_READ = {
    "funds.view_fundingbatch",
    "funds.view_fundapplication",
    "funds.view_applicationevent",
    "funds.view_applicationfile",
    "funds.view_fundpayment",
    "funds.view_projectprep",
    "funds.view_statsfigure",
}
# a unit prepares its projects' applications (编制) and keeps their 谋划/入库 record
_FUNDS_UNIT = {
    "funds.add_fundapplication",
    "funds.change_fundapplication",
    "funds.add_applicationfile",
    "funds.add_projectprep",
    "funds.change_projectprep",
}
# the 项目办 (发改委) keeps the funding windows and their rules, reviews and forwards applications, records 下达 and
# payments, and sets the thresholds
_FUNDS_OFFICE = {
    "funds.add_fundingbatch",
    "funds.change_fundingbatch",
    "funds.match_fundingbatch",
    "funds.review_fundapplication",
    "funds.record_fundapplication",
    "funds.export_fundapplication",
    "funds.add_fundpayment",
    "funds.view_fundssettings",
    "funds.change_fundssettings",
}
# the 统计局 enters and submits the 统计口径 figures
_STATS = {"funds.add_statsfigure", "funds.change_statsfigure", "funds.submit_statsfigure"}
# 产业链图谱, 链长制 and 政产学研: read by everyone who works on projects and leads (the chain map, the 链长 cockpit,
# the lists, the universities' resources and the cooperation records)
_CHAIN_READ = {
    "chains.view_chainnode",
    "chains.view_chainprofile",
    "chains.view_nodeenterprise",
    "chains.view_nodestatuschange",
    "chains.view_universityresource",
    "chains.view_cooperation",
    "chains.export_chainnode",
}
# whoever tracks leads puts them (and starts new ones) on a node
_CHAIN_LINK = {"chains.link_chainnode"}
# the 项目办 and the 招商主管部门 keep the maps, the 链长制, the gap rules, the resources and the cooperation records
_CHAIN_EDIT = _CHAIN_LINK | {
    "chains.add_chainnode",
    "chains.change_chainnode",
    "chains.delete_chainnode",
    "chains.import_chainnode",
    "chains.add_nodeenterprise",
    "chains.change_nodeenterprise",
    "chains.delete_nodeenterprise",
    "chains.change_chainprofile",
    "chains.view_chainrules",
    "chains.change_chainrules",
    "chains.add_universityresource",
    "chains.change_universityresource",
    "chains.add_cooperation",
    "chains.change_cooperation",
}
# 对标对表: the peers' and the district's indicators, gaps and paces
_BENCH_READ = {
    "benchmarks.view_peerregion",
    "benchmarks.view_indicator",
    "benchmarks.view_indicatorvalue",
    "benchmarks.view_indicatortarget",
    "benchmarks.export_indicatorvalue",
}
# the 项目办 and the 统计局 keep the peers, the indicators, their values (entered or imported) and the targets
_BENCH_EDIT = {
    "benchmarks.add_peerregion",
    "benchmarks.change_peerregion",
    "benchmarks.add_indicator",
    "benchmarks.change_indicator",
    "benchmarks.add_indicatorvalue",
    "benchmarks.change_indicatorvalue",
    "benchmarks.delete_indicatorvalue",
    "benchmarks.import_indicatorvalue",
    "benchmarks.add_indicatortarget",
    "benchmarks.change_indicatortarget",
}
# 考核评价 (assessment): everyone reads the rubrics and the published rankings; a unit's own score lines (scoped)
_ASSESS_READ = {
    "assessment.view_rubric",
    "assessment.view_round",
    "assessment.view_unitscore",
    "assessment.view_appeal",
    "assessment.view_leniencycase",
    "assessment.view_adjustment",
    "assessment.export_round",
}
# a unit contests a line of its own published score
_ASSESS_UNIT = {"assessment.appeal_unitscore", "assessment.add_appeal"}
# the 项目办 writes the rubrics, runs and publishes rounds, enters bonuses and deductions, decides appeals and 容错
_ASSESS_OFFICE = {
    "assessment.add_rubric",
    "assessment.change_rubric",
    "assessment.add_round",
    "assessment.publish_round",
    "assessment.add_adjustment",
    "assessment.change_adjustment",
    "assessment.add_exemption",
    "assessment.decide_appeal",
    "assessment.add_leniencycase",
    "assessment.change_leniencycase",
    "assessment.decide_leniencycase",
}
_PROJECT_OFFICE = {
    # the catalogues the 项目办 configures (审批事项目录, 产业链; projects/views_catalogues.py)
    "projects.view_approvalitemtype",
    "projects.add_approvalitemtype",
    "projects.change_approvalitemtype",
    "projects.delete_approvalitemtype",
    "projects.view_industrychain",
    "projects.add_industrychain",
    "projects.change_industrychain",
    "projects.delete_industrychain",
    "projects.add_project",
    "projects.delete_attachment",
    "projects.transition_project",
    "projects.import_project",
    "projects.bulkedit_project",
    "projects.add_annualplan",
    "projects.approve_annualplan",
    "projects.add_approvalitem",
    # 数据公开 (OC4IDS): the choice of public fields and the package export (opendata/)
    "opendata.view_publicationsettings",
    "opendata.change_publicationsettings",
    "opendata.export_publicationsettings",
}

ROLE_SPECS: dict[str, RoleSpec] = {
    Role.PROJECT_OFFICE: RoleSpec(
        ScopeKind.REGION,
        frozenset(
            _DIRECTORY
            | _CALENDAR_READ
            | _CALENDAR_EDIT
            | _PROJECT_READ
            | _PROJECT_UNIT_EDIT
            | _PROJECT_OFFICE
            | _REPORT_READ
            | _REPORT_OFFICE
            | _TICKET_READ
            | _TICKET_UNIT
            | _TICKET_OFFICE
            | {"tickets.dashboard_ticket"}
            | _LEAD_READ
            | _LEAD_UNIT
            | _LEAD_OFFICE
            | _SUP_READ
            | _SUP_OFFICE
            | _FUNDS_READ
            | _FUNDS_UNIT
            | _FUNDS_OFFICE
            | _CHAIN_READ
            | _CHAIN_EDIT
            | _BENCH_READ
            | _BENCH_EDIT
            | _ASSESS_READ
            | _ASSESS_OFFICE
        ),
    ),
    Role.UNIT_REPORTER: RoleSpec(
        ScopeKind.UNIT,
        frozenset(
            _DIRECTORY
            | _CALENDAR_READ
            | _PROJECT_READ
            | _PROJECT_UNIT_EDIT
            | _REPORT_READ
            | _REPORT_FILL
            | _TICKET_READ
            | _TICKET_UNIT
            | _LEAD_READ
            | _LEAD_UNIT
            | _SUP_READ
            | _SUP_UNIT
            | _FUNDS_READ
            | _FUNDS_UNIT
            | _CHAIN_READ
            | _CHAIN_LINK
            | _BENCH_READ
            | _ASSESS_READ
            | _ASSESS_UNIT
        ),
    ),
    Role.UNIT_APPROVER: RoleSpec(
        ScopeKind.UNIT,
        frozenset(
            _DIRECTORY
            | _CALENDAR_READ
            | _PROJECT_READ
            | _PROJECT_UNIT_EDIT
            | _REPORT_READ
            | _REPORT_FILL
            | _TICKET_READ
            | _TICKET_UNIT
            | _LEAD_READ
            | _LEAD_UNIT
            | _SUP_READ
            | _SUP_UNIT
            | _FUNDS_READ
            | _FUNDS_UNIT
            | {"progress.unitapprove_progressreport"}
            | _CHAIN_READ
            | _CHAIN_LINK
            | _BENCH_READ
            | _ASSESS_READ
            | _ASSESS_UNIT
        ),
    ),
    Role.SPONSOR_LEADER: RoleSpec(
        ScopeKind.SPONSOR,
        frozenset(
            _DIRECTORY
            | _CALENDAR_READ
            | _PROJECT_READ
            | _REPORT_READ
            | _TICKET_READ
            | _LEAD_READ
            | _SUP_READ
            | _FUNDS_READ
            | {"tickets.add_ticket", "tickets.dashboard_ticket", "supervision.dashboard_task"}
            | _CHAIN_READ
            | _BENCH_READ
            | _ASSESS_READ
        ),
        # leaders read every lead of the district (a lead has no sponsor yet); the tasks and meetings they are in
        # charge of or attended (sponsor scope), and the district's 督办 statistics
        scope_overrides={
            "projects.dashboard_project": ScopeKind.REGION,
            "tickets.dashboard_ticket": ScopeKind.REGION,
            "supervision.dashboard_task": ScopeKind.REGION,
            **dict.fromkeys(_LEAD_READ, ScopeKind.REGION),
            **dict.fromkeys(_ASSESS_READ, ScopeKind.REGION),
        },
    ),
    Role.DISTRICT_LEADER: RoleSpec(
        ScopeKind.REGION,
        frozenset(
            _DIRECTORY
            | _CALENDAR_READ
            | _PROJECT_READ
            | _REPORT_READ
            | _TICKET_READ
            | _LEAD_READ
            | _SUP_READ
            | _FUNDS_READ
            | {
                "tickets.add_ticket",
                "tickets.dashboard_ticket",
                "supervision.dashboard_task",
                "supervision.export_task",
            }
            | _CHAIN_READ
            | _BENCH_READ
            | _ASSESS_READ
        ),
    ),
    Role.ENTERPRISE: RoleSpec(
        ScopeKind.ENTERPRISE,
        frozenset(
            {
                "org.view_orgunit",
                "projects.view_project",
                "projects.view_annualplan",
                "projects.view_approvalitem",
                "projects.view_attachment",
            }
            | _TICKET_ENTERPRISE
            | _LEAD_ENTERPRISE
        ),
    ),
    # 招商专员 of a unit (街道, 红开区 …): the unit's own leads, end to end
    Role.INVESTMENT_STAFF: RoleSpec(
        ScopeKind.UNIT,
        frozenset(
            _DIRECTORY
            | _CALENDAR_READ
            | _PROJECT_READ
            | _LEAD_READ
            | _LEAD_UNIT
            | _SUP_READ
            | _SUP_UNIT
            | _CHAIN_READ
            | _CHAIN_LINK
        ),
    ),
    # 招商主管部门 (商务局): every lead of the district; reviews, events and configuration
    Role.INVESTMENT_BUREAU: RoleSpec(
        ScopeKind.REGION,
        frozenset(
            _DIRECTORY
            | _CALENDAR_READ
            | _PROJECT_READ
            | _LEAD_READ
            | _LEAD_UNIT
            | _LEAD_REVIEW
            | _SUP_READ
            | _SUP_UNIT
            | _CHAIN_READ
            | _CHAIN_EDIT
            | _BENCH_READ
        ),
        # the bureau's own 督办 tasks only (it is a responsible unit like any other)
        scope_overrides=dict.fromkeys(_SUP_READ | _SUP_UNIT, ScopeKind.UNIT),
    ),
    # 督查督办专员 (区委区政府督查室): every meeting and task of the district; assigns, reviews closures, reports
    Role.SUPERVISION_OFFICE: RoleSpec(
        ScopeKind.REGION,
        frozenset(
            _DIRECTORY
            | _CALENDAR_READ
            | _PROJECT_READ
            | _TICKET_READ
            | _LEAD_READ
            | _SUP_READ
            | _SUP_OFFICE
            # the 调度会 agenda reads the lights and the units' pace
            | {"projects.dashboard_project", "progress.view_warninglight"}
            | _CHAIN_READ
            | _BENCH_READ
        ),
    ),
    # 统计局: the 统计口径 figures of every project of the district (entered, imported, submitted and then locked)
    Role.STATS_BUREAU: RoleSpec(
        ScopeKind.REGION,
        frozenset(
            _DIRECTORY
            | _CALENDAR_READ
            | _PROJECT_READ
            | {"projects.dashboard_project"}
            | _FUNDS_READ
            | _STATS
            | _CHAIN_READ
            | _BENCH_READ
            | _BENCH_EDIT
        ),
    ),
    # 系统管理员: accounts and configuration (org structure), through the admin site; cannot grant roles,
    # cannot read the audit log, holds no business permission.
    Role.SYS_ADMIN: RoleSpec(
        ScopeKind.REGION,
        frozenset(
            {
                "users.view_user",
                "users.add_user",
                "users.change_user",
                "org.view_region",
                "org.add_region",
                "org.change_region",
                "org.view_orgunit",
                "org.add_orgunit",
                "org.change_orgunit",
                "org.view_person",
                "org.add_person",
                "org.change_person",
                "org.view_position",
                "org.add_position",
                "org.change_position",
                "org.delete_position",
            }
        ),
    ),
    # 安全管理员: grants and revokes roles, unlocks accounts; cannot create accounts or read business data.
    Role.SEC_ADMIN: RoleSpec(
        ScopeKind.REGION,
        frozenset(
            {
                "users.view_user",
                "users.unlock_user",
                "users.view_lockout",
                "org.view_orgunit",
                "org.view_membership",
                "org.add_membership",
                "org.delete_membership",
            }
        ),
    ),
    # 审计管理员: reads and searches the audit log and the change history; nobody can edit either.
    Role.AUDIT_ADMIN: RoleSpec(
        ScopeKind.REGION,
        frozenset({"core.view_auditevent", "core.view_objectchange"}),
    ),
}

ADMIN_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})


def role_permissions(role: str) -> frozenset[str]:
    spec = ROLE_SPECS.get(role)
    return spec.permissions if spec else frozenset()

"""Roles (岗位) and what each may do — SPEC §1.1 and M19.

A role is held by a user in one project (``Membership.project``) or, for company-level roles, in
the whole company (``project`` empty). Capabilities are plain strings checked through
:mod:`apps.org.access`; this table is the only place that says which role has which.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", _("客服前台")
    BUTLER = "butler", _("客服专员/管家")
    CS_SUPERVISOR = "cs_supervisor", _("客服主管")
    CS_MANAGER = "cs_manager", _("客服经理")
    PROJECT_MANAGER = "project_manager", _("管理处经理")
    DEPT_HEAD = "dept_head", _("部门负责人")
    WORKER = "worker", _("维修/作业人员")
    QUALITY = "quality", _("品质管理部")
    LEADERSHIP = "leadership", _("公司领导")
    MANAGEMENT_REP = "management_rep", _("管理者代表")
    SYSADMIN = "sysadmin", _("系统管理员")
    # R-M19 roles named by the procedures beyond the complaint pipeline (issue 20): each module that
    # gives them work adds its capabilities below.
    GENERAL_MANAGER = "general_manager", _("物业总经理")
    OFFICE_DIRECTOR = "office_director", _("办公室主任")
    CASHIER = "cashier", _("收银员")
    BUILDING_STEWARD = "building_steward", _("客服楼宇员")


class Cap:
    """Capability names (strings so they can travel in templates and API docs)."""

    VIEW_TICKETS = "view_tickets"
    RECEIVE_TICKETS = "receive_tickets"  # 受理
    DISPATCH = "dispatch"  # 派工
    HANDLE = "handle"  # 处理派工单
    REPLY = "reply"  # 回复业主
    VERIFY = "verify"  # 验证 (R-M19-09: 主管以上)
    RETURN_VISIT = "return_visit"  # 回访
    APPROVE_EXEMPTION = "approve_exemption"  # 回访豁免 C (R-M19-09)
    APPROVE_COMPENSATION = "approve_compensation"
    ESCALATE = "escalate"
    DOWNGRADE = "downgrade"
    VOID = "void"
    VIEW_ARCHIVE = "view_archive"  # 业主档案 (masked)
    UNMASK_PERSONAL_DATA = "unmask_personal_data"  # R-M7-01: roles with it in their work
    GRANT_ARCHIVE_ACCESS = "grant_archive_access"  # 部门负责人同意 (R-M7-01)
    VIEW_ACCESS_LOG = "view_access_log"
    IMPORT_ROSTER = "import_roster"
    EXPORT_ROSTER = "export_roster"
    VIEW_REPORTS = "view_reports"
    APPROVE_REPORTS = "approve_reports"
    PUBLISH_PORTAL = "publish_portal"  # 推送到业主公告栏 (R-M17-12)
    MANAGE_CONFIG = "manage_config"
    MANAGE_STAFF = "manage_staff"  # 系统管理员: staff accounts, project memberships and roles (issue 17 item 4)
    RECORD_VISITS = "record_visits"  # 业主走访/回访记录 (R-M9-03, R-M6-06): the project's CS staff
    # R-M2-04 / R-M19-08: 《不合格/纠正、预防措施报告》 (NCR/CAPA, apps.quality)
    RAISE_NCR = "raise_ncr"  # 部门经理 contacts the 管理者代表 (客服经理, 管理处经理, 部门负责人, 品质管理部)
    SIGN_NCR = "sign_ncr"  # 管理者代表 signs (签发) or returns the report
    VERIFY_NCR = "verify_ncr"  # verification of the effectiveness of the corrective action
    # Issue 18 — satisfaction surveys (M10) and improvement plans (M15); who holds them: see below ROLE_INFO
    ISSUE_SURVEYS = "issue_surveys"  # 品质部: campaigns, survey policy, verification and spot checks
    BUILD_QUESTIONNAIRES = "build_questionnaires"  # 客服部 (主管/经理): questionnaires (R-M10-11)
    RUN_SURVEYS = "run_surveys"  # 客服部 (主管/经理/管理处经理): sample, stages, statistics, letter, submission
    RECORD_SURVEYS = "record_surveys"  # 客服专员/管家/楼宇员: distribute, recover, key answers
    APPROVE_OPEN_LETTER = "approve_open_letter"  # 管理者代表 (R-M10-07)
    CHAIR_SURVEY_MEETING = "chair_survey_meeting"  # 物业总经理 (R-M10-09)
    MANAGE_IMPROVEMENT = "manage_improvement"  # improvement plans (R-M15)
    SUPERVISE_SURVEYS = "supervise_surveys"  # 客服部经理 (and the 物业综合管理部's members): R-M10-13
    # issue 20: supervision audits (M13), staff assessment (M14), staff records (M19)
    CONDUCT_AUDITS = "conduct_audits"  # 督导审核、公司月检/季检 (品质管理部, R-M13-06, R-M19-07)
    MANAGE_AUDIT_STANDARD = "manage_audit_standard"  # 督导标准版本 (R-M13-01)
    VIEW_AUDITS = "view_audits"  # 审核结果、排名 (the audited project's managers, company leaders)
    ASSESS_STAFF = "assess_staff"  # 月度员工考核 (客服主管, R-M14-01, R-M19-02)
    SPOT_CHECK_ASSESSMENTS = "spot_check_assessments"  # 抽查考核、签核 (客服经理, R-M14-01, R-M19-01)
    VIEW_ASSESSMENTS = "view_assessments"
    # 证书、培训、合同、接管验收 (办公室主任, R-M19-10/-13/-14); in their projects also the 管理处经理 and the
    # 客服经理 / 客服主管, whose duties are staff training and management and the owner service archive (R-M19-01/-02)
    MANAGE_STAFF_RECORDS = "manage_staff_records"
    BUILDING_PATROL = "building_patrol"  # 楼宇巡查记录 (客服楼宇员, R-M19-04 (9))
    # issue 21 — IC cards and door codes (M11), fees (M16), front desk and building (M20)
    VIEW_CARDS = "view_cards"  # 《IC卡发放/异常情况登记表》, door codes (read)
    RECORD_CARDS = "record_cards"  # door-code changes and notices, access log, retrieval, reviews
    NAME_CARD_OFFICER = "name_card_officer"  # R-M11-01: the department head names the card officer
    VIEW_FEES = "view_fees"  # bills, payments, arrears, reconciliation
    COLLECT_FEES = "collect_fees"  # 收银员 (and the front desk out of hours, R-M16-13)
    MANAGE_FEES = "manage_fees"  # fee standards, billing cycles, other charges, fee settings
    REVERSE_PAYMENTS = "reverse_payments"  # refunds and voids by reversal (authorised roles only)
    RECORD_DESK = "record_desk"  # mail, keys, move-in/decoration formalities, convenience items
    PATROL = "patrol"  # 客服楼宇员: vacant-house checks, decoration patrols (R-M20-04)
    APPROVE_DECORATION = "approve_decoration"  # decoration permits approved, deposits returned
    # issue 22: visit programme (R-M9-09/-10), inspections (M18), community activities (M12)
    PLAN_VISITS = "plan_visits"  # 客服部主管 draws up the monthly visit plan
    APPROVE_VISIT_PLANS = "approve_visit_plans"  # 物业总经理 approves it
    RECORD_INSPECTIONS = "record_inspections"  # checks, patrols, night post checks, pool log
    MANAGE_INSPECTIONS = "manage_inspections"  # templates, schedules, warnings (管理处经理, 品质部)
    PLAN_ACTIVITIES = "plan_activities"  # activity plans, implementation plans, notices, records
    APPROVE_ACTIVITIES = "approve_activities"  # approves implementation plans and costs (within limits)
    # issue 22 (R-M9-13) and issue 19 (committee)
    PLAN_ANNUAL_VISITS = "plan_annual_visits"  # 办公室主任/管理处经理: annual plan with return-visit targets
    MANAGE_COMMITTEE = "manage_committee"  # 客服主管/经理: appoint and end 业委会成员 (issue 19)
    # R-M19-01/-02: the department's plans, reports, budget and system documents; its fixed assets
    DRAFT_DEPT_PLANS = "draft_dept_plans"  # 客服主管 helps write them and checks their execution (and the managers)
    APPROVE_DEPT_PLANS = "approve_dept_plans"  # 客服经理 drafts and approves department documents; 管理处经理
    MANAGE_DEPT_ASSETS = "manage_dept_assets"  # 客服主管 manages the department's fixed assets (and the managers)


@dataclass(frozen=True)
class RoleInfo:
    rank: int  # R-M19-09: 10 staff, 20 supervisor (主管), 30 manager, 40 company level
    company_level: bool  # sees every project of the company
    caps: frozenset[str]


_STAFF = {Cap.VIEW_TICKETS, Cap.VIEW_ARCHIVE}
_DESK = _STAFF | {Cap.RECEIVE_TICKETS, Cap.DISPATCH, Cap.REPLY, Cap.RETURN_VISIT, Cap.UNMASK_PERSONAL_DATA,
                  Cap.RECORD_VISITS}
_SUPERVISOR = _DESK | {
    Cap.VERIFY, Cap.APPROVE_EXEMPTION, Cap.ESCALATE, Cap.VOID, Cap.IMPORT_ROSTER, Cap.EXPORT_ROSTER,
    Cap.VIEW_REPORTS, Cap.GRANT_ARCHIVE_ACCESS, Cap.VIEW_ACCESS_LOG,
}
_MANAGER = _SUPERVISOR | {Cap.APPROVE_COMPENSATION, Cap.DOWNGRADE, Cap.APPROVE_REPORTS, Cap.PUBLISH_PORTAL,
                           Cap.RAISE_NCR}

ROLE_INFO: dict[str, RoleInfo] = {
    Role.FRONT_DESK: RoleInfo(10, False, frozenset(_DESK)),
    Role.BUTLER: RoleInfo(10, False, frozenset(_DESK)),
    Role.WORKER: RoleInfo(10, False, frozenset({Cap.VIEW_TICKETS, Cap.HANDLE})),
    Role.DEPT_HEAD: RoleInfo(
        20, False,
        frozenset(_STAFF | {Cap.HANDLE, Cap.DISPATCH, Cap.REPLY, Cap.VERIFY, Cap.GRANT_ARCHIVE_ACCESS,
                            Cap.VIEW_ACCESS_LOG, Cap.VIEW_REPORTS, Cap.RAISE_NCR}),
    ),
    Role.CS_SUPERVISOR: RoleInfo(20, False, frozenset(_SUPERVISOR)),
    Role.CS_MANAGER: RoleInfo(30, False, frozenset(_MANAGER)),
    Role.PROJECT_MANAGER: RoleInfo(30, False, frozenset(_MANAGER | {Cap.MANAGE_CONFIG})),
    # 品质管理部 reads visit records of every project but does not file them (R-M6-06: 客服部 files)
    Role.QUALITY: RoleInfo(40, True, frozenset((_MANAGER - {Cap.RECORD_VISITS}) | {Cap.VERIFY_NCR})),
    # R-M19-08: coordinates complaints beyond a department's authority; the only role that signs NCRs
    Role.MANAGEMENT_REP: RoleInfo(
        40, True,
        frozenset(_STAFF | {Cap.SIGN_NCR, Cap.VERIFY_NCR, Cap.VIEW_REPORTS}),
    ),
    Role.LEADERSHIP: RoleInfo(
        50, True,
        frozenset(_STAFF | {Cap.VIEW_REPORTS, Cap.APPROVE_REPORTS, Cap.APPROVE_COMPENSATION, Cap.DOWNGRADE,
                            Cap.VIEW_ACCESS_LOG}),
    ),
    Role.SYSADMIN: RoleInfo(50, True, frozenset({Cap.MANAGE_CONFIG, Cap.MANAGE_STAFF, Cap.VIEW_ACCESS_LOG,
                                                 Cap.VIEW_TICKETS})),
    # 物业总经理: approves visit plans (R-M9-02), chairs the survey meetings (R-M10-09), reads every report
    Role.GENERAL_MANAGER: RoleInfo(
        40, True,
        frozenset(_STAFF | {Cap.VIEW_REPORTS, Cap.APPROVE_REPORTS, Cap.APPROVE_COMPENSATION, Cap.DOWNGRADE}),
    ),
    # 办公室主任: staff records, training, contracts (R-M19-10, -13, -14)
    Role.OFFICE_DIRECTOR: RoleInfo(30, True, frozenset({Cap.VIEW_TICKETS, Cap.VIEW_REPORTS})),
    # 收银员: fees and receipts of one project (R-M16); finds households in the archive (masked)
    Role.CASHIER: RoleInfo(10, False, frozenset({Cap.VIEW_ARCHIVE})),
    # 客服楼宇员: the building steward (R-M19-04) — consultations, complaints, visits, surveys, patrols
    Role.BUILDING_STEWARD: RoleInfo(10, False, frozenset(_DESK)),
}

# Issue 18 — satisfaction surveys (M10) and improvement plans (M15): one block, added to the roles above.
_SURVEY_CAPS: dict[str, set[str]] = {
    Role.QUALITY: {Cap.ISSUE_SURVEYS, Cap.MANAGE_IMPROVEMENT},
    Role.CS_MANAGER: {Cap.BUILD_QUESTIONNAIRES, Cap.RUN_SURVEYS, Cap.RECORD_SURVEYS, Cap.MANAGE_IMPROVEMENT,
                      Cap.SUPERVISE_SURVEYS},
    Role.CS_SUPERVISOR: {Cap.BUILD_QUESTIONNAIRES, Cap.RUN_SURVEYS, Cap.RECORD_SURVEYS},
    Role.PROJECT_MANAGER: {Cap.RUN_SURVEYS, Cap.MANAGE_IMPROVEMENT},
    Role.BUTLER: {Cap.RECORD_SURVEYS},
    Role.BUILDING_STEWARD: {Cap.RECORD_SURVEYS},
    Role.MANAGEMENT_REP: {Cap.APPROVE_OPEN_LETTER},
    Role.GENERAL_MANAGER: {Cap.CHAIR_SURVEY_MEETING, Cap.MANAGE_IMPROVEMENT},
}
for _role, _caps in _SURVEY_CAPS.items():
    ROLE_INFO[_role] = RoleInfo(ROLE_INFO[_role].rank, ROLE_INFO[_role].company_level,
                                ROLE_INFO[_role].caps | frozenset(_caps))
_ISSUE20: dict[str, set[str]] = {
    Role.QUALITY: {Cap.CONDUCT_AUDITS, Cap.MANAGE_AUDIT_STANDARD, Cap.VIEW_AUDITS, Cap.VIEW_ASSESSMENTS},
    Role.MANAGEMENT_REP: {Cap.VIEW_AUDITS},
    Role.LEADERSHIP: {Cap.VIEW_AUDITS, Cap.VIEW_ASSESSMENTS},
    Role.GENERAL_MANAGER: {Cap.VIEW_AUDITS, Cap.VIEW_ASSESSMENTS},
    Role.PROJECT_MANAGER: {Cap.VIEW_AUDITS, Cap.VIEW_ASSESSMENTS, Cap.SPOT_CHECK_ASSESSMENTS, Cap.MANAGE_STAFF_RECORDS},
    Role.CS_MANAGER: {Cap.VIEW_AUDITS, Cap.VIEW_ASSESSMENTS, Cap.SPOT_CHECK_ASSESSMENTS, Cap.MANAGE_STAFF_RECORDS},
    Role.CS_SUPERVISOR: {Cap.VIEW_ASSESSMENTS, Cap.ASSESS_STAFF, Cap.MANAGE_STAFF_RECORDS},
    Role.OFFICE_DIRECTOR: {Cap.VIEW_ASSESSMENTS, Cap.MANAGE_STAFF_RECORDS},
    Role.BUILDING_STEWARD: {Cap.BUILDING_PATROL},
    Role.BUTLER: {Cap.BUILDING_PATROL},
}
ROLE_INFO = {role: RoleInfo(info.rank, info.company_level, info.caps | _ISSUE20.get(role, set()))
             for role, info in ROLE_INFO.items()}
# issue 21 (M11, M16, M20): who holds the card, fee and front-desk capabilities. The card officer and
# stand-in are a per-project assignment (apps.cards.models.CardOfficer), not a role.
_C21_DESK = {Cap.VIEW_CARDS, Cap.RECORD_CARDS, Cap.VIEW_FEES, Cap.COLLECT_FEES, Cap.RECORD_DESK}
_C21_LEAD = _C21_DESK | {Cap.NAME_CARD_OFFICER, Cap.MANAGE_FEES, Cap.REVERSE_PAYMENTS, Cap.PATROL,
                         Cap.APPROVE_DECORATION}
_C21_GRANTS: dict[str, set[str]] = {
    Role.FRONT_DESK: _C21_DESK,
    Role.BUTLER: _C21_DESK | {Cap.PATROL},
    Role.BUILDING_STEWARD: _C21_DESK | {Cap.PATROL},
    Role.CASHIER: {Cap.VIEW_FEES, Cap.COLLECT_FEES},
    Role.CS_SUPERVISOR: _C21_DESK | {Cap.PATROL, Cap.APPROVE_DECORATION},
    Role.CS_MANAGER: _C21_LEAD,
    Role.PROJECT_MANAGER: _C21_LEAD,
    Role.DEPT_HEAD: {Cap.VIEW_CARDS, Cap.NAME_CARD_OFFICER},
    Role.QUALITY: {Cap.VIEW_CARDS, Cap.VIEW_FEES},
    Role.GENERAL_MANAGER: {Cap.VIEW_CARDS, Cap.VIEW_FEES},
    Role.LEADERSHIP: {Cap.VIEW_FEES},
}
for _role, _extra in _C21_GRANTS.items():
    _info = ROLE_INFO[_role]
    ROLE_INFO[_role] = RoleInfo(_info.rank, _info.company_level, _info.caps | frozenset(_extra))
# issue 22 (one block): who plans visits, inspects, runs activities
for _role, _caps in {
    Role.CS_SUPERVISOR: {Cap.PLAN_VISITS, Cap.RECORD_INSPECTIONS, Cap.PLAN_ACTIVITIES},
    Role.CS_MANAGER: {Cap.PLAN_VISITS, Cap.RECORD_INSPECTIONS, Cap.PLAN_ACTIVITIES, Cap.APPROVE_ACTIVITIES},
    Role.PROJECT_MANAGER: {Cap.PLAN_VISITS, Cap.RECORD_INSPECTIONS, Cap.MANAGE_INSPECTIONS, Cap.PLAN_ACTIVITIES,
                           Cap.APPROVE_ACTIVITIES},
    Role.DEPT_HEAD: {Cap.RECORD_INSPECTIONS},
    Role.WORKER: {Cap.RECORD_INSPECTIONS},
    Role.BUTLER: {Cap.RECORD_INSPECTIONS},
    Role.BUILDING_STEWARD: {Cap.RECORD_INSPECTIONS, Cap.PLAN_ACTIVITIES},
    Role.QUALITY: {Cap.RECORD_INSPECTIONS, Cap.MANAGE_INSPECTIONS},
    Role.GENERAL_MANAGER: {Cap.APPROVE_VISIT_PLANS, Cap.APPROVE_ACTIVITIES, Cap.VIEW_ARCHIVE},
}.items():
    ROLE_INFO[_role] = RoleInfo(ROLE_INFO[_role].rank, ROLE_INFO[_role].company_level,
                                ROLE_INFO[_role].caps | frozenset(_caps))
# issue 22 (R-M9-13) and issue 19 leftovers (one block)
for _role, _caps in {
    Role.OFFICE_DIRECTOR: {Cap.PLAN_ANNUAL_VISITS},
    Role.PROJECT_MANAGER: {Cap.PLAN_ANNUAL_VISITS, Cap.MANAGE_COMMITTEE},
    Role.CS_SUPERVISOR: {Cap.MANAGE_COMMITTEE},
    Role.CS_MANAGER: {Cap.MANAGE_COMMITTEE},
}.items():
    ROLE_INFO[_role] = RoleInfo(ROLE_INFO[_role].rank, ROLE_INFO[_role].company_level,
                                ROLE_INFO[_role].caps | frozenset(_caps))
# R-M19-01/-02 (issue 17): the CS department's plans, budget and fixed assets (one block)
for _role, _caps in {
    Role.CS_SUPERVISOR: {Cap.DRAFT_DEPT_PLANS, Cap.MANAGE_DEPT_ASSETS},
    Role.CS_MANAGER: {Cap.DRAFT_DEPT_PLANS, Cap.APPROVE_DEPT_PLANS, Cap.MANAGE_DEPT_ASSETS},
    Role.PROJECT_MANAGER: {Cap.DRAFT_DEPT_PLANS, Cap.APPROVE_DEPT_PLANS, Cap.MANAGE_DEPT_ASSETS},
}.items():
    ROLE_INFO[_role] = RoleInfo(ROLE_INFO[_role].rank, ROLE_INFO[_role].company_level,
                                ROLE_INFO[_role].caps | frozenset(_caps))

SUPERVISOR_RANK = 20

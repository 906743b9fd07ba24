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
    RECORD_VISITS = "record_visits"  # 业主走访/回访记录 (R-M9-03, R-M6-06): the project's CS staff
    # R-M2-04 / R-M19-08: 《不合格/纠正、预防措施报告》 (NCR/CAPA, apps.quality)
    RAISE_NCR = "raise_ncr"  # 部门经理 contacts the 管理者代表 (客服经理, 管理处经理, 部门负责人, 品质管理部)
    SIGN_NCR = "sign_ncr"  # 管理者代表 signs (签发) or returns the report
    VERIFY_NCR = "verify_ncr"  # verification of the effectiveness of the corrective action
    # issue 22: visit programme (R-M9-09/-10), inspections (M18), community activities (M12)
    PLAN_VISITS = "plan_visits"  # 客服部主管 draws up the monthly visit plan
    APPROVE_VISIT_PLANS = "approve_visit_plans"  # 物业总经理 approves it
    RECORD_INSPECTIONS = "record_inspections"  # checks, patrols, night post checks, pool log
    MANAGE_INSPECTIONS = "manage_inspections"  # templates, schedules, warnings (管理处经理, 品质部)
    PLAN_ACTIVITIES = "plan_activities"  # activity plans, implementation plans, notices, records
    APPROVE_ACTIVITIES = "approve_activities"  # approves implementation plans and costs (within limits)


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
    Role.SYSADMIN: RoleInfo(50, True, frozenset({Cap.MANAGE_CONFIG, Cap.VIEW_ACCESS_LOG, Cap.VIEW_TICKETS})),
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

SUPERVISOR_RANK = 20

"""Writes of the organisation app.

- :func:`create_staff` / :func:`assign_role` / :func:`remove_role` / :func:`set_active` — staff accounts and
  memberships, by the 系统管理员 (issue 17 item 4), each with a :class:`StaffChange` row.
- :func:`change_setting` / :func:`remove_setting_override` — a company's or project's settings
  (SPEC Appendix A), for every module's section registered in :mod:`apps.org.settings_registry`;
  validated by the section's form, written in one transaction with a :class:`SettingChange` row.
- :func:`draft_plan` / :func:`decide_plan` / :func:`check_plan_execution` — the CS department's plans,
  reports, budget, management plan and system documents (R-M19-01, R-M19-02);
  :func:`register_asset` / :func:`check_asset` — its fixed assets (R-M19-02).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.org import access
from apps.org.models import (
    AssetStatus,
    Company,
    Department,
    DepartmentPlan,
    FixedAsset,
    Membership,
    PlanKind,
    PlanStatus,
    Project,
    SettingChange,
    StaffChange,
    StaffStatus,
    User,
)
from apps.org.roles import ROLE_INFO, Cap, Role
from apps.org.settings_registry import SettingsSection, plain
from apps.org.staff import may_manage, staff_of
from linli import clock


class SettingsError(DomainError):
    """A refused settings change; ``form`` is the bound form with its errors (pages show it)."""

    def __init__(self, message: str, *, code: str = "invalid", status: int = 422,
                 fields: dict[str, list[str]] | None = None, form: forms.BaseForm | None = None) -> None:
        super().__init__(message, code=code, status=status, fields=fields)
        self.form = form


def can_change(user: User | Any, company: Company, project: Project | None) -> bool:
    """Company values: a company-level ``MANAGE_CONFIG`` holder of that company (系统管理员);
    a project's override: ``MANAGE_CONFIG`` in that project (管理处经理) or company-wide."""
    if project is None:
        return access.has_company_cap(user, Cap.MANAGE_CONFIG, company.pk)
    return project.company_id == company.pk and access.has_cap(user, Cap.MANAGE_CONFIG, project)


def _check(section: SettingsSection, company: Company, project: Project | None, by: Any) -> None:
    if project is None and not section.company_level:
        raise SettingsError(_("此设置只能按项目设置"), code="project_required", fields={"project_id": [_("请选择项目")]})
    if project is not None and not section.project_override:
        raise SettingsError(_("此设置只能由公司统一设置，不能按项目单独设置"), code="company_only",
                            fields={"project_id": [_("此设置不按项目设置")]})
    if not can_change(by, company, project):
        raise SettingsError(_("您无权修改此设置"), code="forbidden", status=403)


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if len(text) < 2:
        raise SettingsError(_("请填写修改原因"), code="reason_required", fields={"reason": [_("请填写修改原因")]})
    return text[:500]


def _json(values: Mapping[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps({k: plain(v) for k, v in values.items()}, cls=DjangoJSONEncoder))


def change_setting(*, section: SettingsSection, company: Company, project: Project | None,
                   data: Mapping[str, Any], reason: str, by: User | Any, now: dt.datetime) -> SettingChange:
    """Validate ``data`` with the section's form and write it (a project's values become its override).
    Records who, when, why and the values before and after; applies to records created afterwards."""
    _check(section, company, project, by)
    form = section.form(company, project, data=data)
    reason_error = None
    try:
        reason = _reason(reason)
    except SettingsError as exc:
        reason_error = exc
    if not form.is_valid() or reason_error is not None:
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        if reason_error is not None:
            fields.update(reason_error.fields)
        raise SettingsError(_("输入有误，请按提示修改"), fields=fields, form=form)
    with transaction.atomic():
        before, _source = section.values(company, project)
        section.save(company, project, form, by=by, reason=reason)
        after, _source = section.values(company, project)
        return SettingChange.objects.create(
            company=company, project=project, section=section.key, action="change", before=_json(before),
            after=_json(after), reason=reason, changed_by=by, changed_at=now)


def remove_setting_override(*, section: SettingsSection, company: Company, project: Project, reason: str,
                            by: User | Any, now: dt.datetime) -> SettingChange:
    """Drop the project's own values of ``section``: the company's values apply again."""
    _check(section, company, project, by)
    reason = _reason(reason)
    with transaction.atomic():
        before, source = section.values(company, project)
        if source != "project" or not section.remove_override(company, project):
            raise SettingsError(_("该项目没有单独设置"), code="no_override", status=409)
        after, _source = section.values(company, project)
        return SettingChange.objects.create(
            company=company, project=project, section=section.key, action="remove_override",
            before=_json(before), after=_json(after), reason=reason, changed_by=by, changed_at=now)


# ---------------------------------------------------------------- staff accounts (issue 17 item 4)


class StaffError(DomainError):
    """A refused staff change (Chinese message, structured fields for the API)."""


def refuse(message: str, *, field: str | None = None, code: str = "invalid", status: int = 422) -> StaffError:
    return StaffError(message, code=code, status=status, fields={field: [message]} if field else None)


def _require(user: Any, company: Company) -> None:
    if not may_manage(user, company):
        raise refuse("只有系统管理员可以管理员工账号", code="forbidden", status=403)


def _log(company: Company, user: User, action: str, detail: str, reason: str, by: User, now: dt.datetime) -> None:
    StaffChange.objects.create(company=company, user=user, action=action, detail=detail[:300], reason=reason[:500],
                               changed_by=by, changed_at=now)


@transaction.atomic
def create_staff(*, company: Company, username: str, display_name: str, password: str, acting_user: User, now: dt.datetime,
                 phone: str = "", employee_no: str = "") -> User:
    """新建员工账号: a unique login name, the person's name and an initial password that passes the
    password rules; the account holds no role until one is assigned."""
    _require(acting_user, company)
    username, display_name = username.strip(), display_name.strip()
    if not username:
        raise refuse("请填写登录名", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise refuse("该登录名已被使用", field="username", code="duplicate", status=409)
    if not display_name:
        raise refuse("请填写姓名", field="display_name")
    user = User(username=username, display_name=display_name, phone=phone.strip(), employee_no=employee_no.strip())
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise refuse("；".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save()
    _log(company, user, "create", f"新建账号 {username}（{display_name}）", "", acting_user, now)
    return user


def _role_label(role: str) -> str:
    return str(Role(role).label)


@transaction.atomic
def assign_role(*, company: Company, user: User, role: str, acting_user: User, now: dt.datetime,
                project: Project | None = None, department: Department | None = None, reason: str = "") -> Membership:
    """分配岗位: ``role`` in ``project`` (a project role) or company-wide (a company-level role), with the
    department where the role works in one."""
    _require(acting_user, company)
    if role not in ROLE_INFO:
        raise refuse("岗位不正确", field="role")
    company_level = ROLE_INFO[role].company_level
    if company_level and project is not None:
        raise refuse("该岗位为公司级岗位，不按项目分配", field="project_id")
    if not company_level and project is None:
        raise refuse("请选择项目", field="project_id")
    if project is not None and project.company_id != company.pk:
        raise refuse("项目不存在", field="project_id", status=404, code="not_found")
    if department is not None and (department.company_id != company.pk
                                   or (project is not None and department.project_id not in (None, project.pk))):
        raise refuse("部门不属于所选项目", field="department_id")
    if not user.is_active:
        raise refuse("账号已停用，请先恢复", code="inactive", status=409)
    if Membership.objects.filter(user=user, company=company, project=project, role=role, department=department).exists():
        raise refuse("已分配该岗位", code="duplicate", status=409)
    membership = Membership.objects.create(user=user, company=company, project=project, role=role,
                                           department=department)
    where = project.name if project is not None else "全公司"
    _log(company, user, "assign", f"{where} · {_role_label(role)}" + (f" · {department.name}" if department else ""),
         reason, acting_user, now)
    return membership


@transaction.atomic
def remove_role(*, membership: Membership, acting_user: User, now: dt.datetime, reason: str = "") -> None:
    """撤销岗位. The administrator never removes their own last staff-management role."""
    company = membership.company
    _require(acting_user, company)
    if membership.user_id == acting_user.pk and ROLE_INFO[membership.role].company_level \
            and Cap.MANAGE_STAFF in ROLE_INFO[membership.role].caps:
        raise refuse("不能撤销自己的系统管理员岗位", code="self", status=409)
    where = membership.project.name if membership.project is not None else "全公司"
    detail = f"{where} · {_role_label(membership.role)}"
    user = membership.user
    membership.delete()
    _log(company, user, "unassign", detail, reason, acting_user, now)


@transaction.atomic
def set_active(*, company: Company, user: User, active: bool, reason: str, acting_user: User, now: dt.datetime) -> User:
    """停用 / 恢复账号: a deactivated account can no longer log in or use its API tokens; its records
    and memberships stay (history keeps who did what). A reason is required."""
    _require(acting_user, company)
    if not staff_of(company).filter(pk=user.pk).exists():
        raise refuse("员工不存在", status=404, code="not_found")
    if user.pk == acting_user.pk:
        raise refuse("不能停用自己的账号", code="self", status=409)
    if not reason.strip():
        raise refuse("请填写原因", field="reason")
    if user.is_active == active:
        raise refuse("账号已是该状态", code="unchanged", status=409)
    user.is_active = active
    user.status = StaffStatus.ACTIVE if active else StaffStatus.LEFT
    user.save(update_fields=["is_active", "status"])
    _log(company, user, "reactivate" if active else "deactivate", "恢复账号" if active else "停用账号",
         reason.strip(), acting_user, now)
    return user


# ---------------------------------------------------------------- project data (R-M1-02)

PROJECT_FIELDS: dict[str, int] = {"name": 100, "address": 200, "service_phone": 30, "repair_phone": 30}
NUMBERS_24H = {"service_phone": "在管项目须有24小时服务电话", "repair_phone": "在管项目须有24小时报修电话"}


def missing_24h_numbers(project: Project) -> dict[str, list[str]]:
    """R-M1-02: an active (在管) project needs a 24-hour service number and a 24-hour repair number
    (they may be the same); the fields still empty, each with its Chinese message."""
    if not project.active:
        return {}
    return {name: [message] for name, message in NUMBERS_24H.items() if not getattr(project, name).strip()}


def may_edit_project(user: User | Any, project: Project) -> bool:
    """The 系统管理员 of the project's company, or the 管理处经理 of the project (its own data)."""
    return can_change(user, project.company, project)


def editable_projects(user: User | Any) -> list[Project]:
    """The projects ``user`` may edit — active or not (a project not yet in management is prepared here
    before it is activated)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    qs = Project.objects.select_related("company").order_by("code", "pk")
    if not user.is_superuser:
        members = list(Membership.objects.filter(user=user))
        companies = {m.company_id for m in members if ROLE_INFO[m.role].company_level}
        projects = {m.project_id for m in members if m.project_id is not None}
        qs = qs.filter(Q(company_id__in=companies) | Q(pk__in=projects))
    return [p for p in qs if may_edit_project(user, p)]


@transaction.atomic
def edit_project(*, project: Project, changes: Mapping[str, Any], reason: str, acting_user: User | Any,
                 now: dt.datetime) -> Project:
    """修改项目资料: the name, address, the two 24-hour numbers, and 在管 (active). A project is
    active only with both 24-hour numbers (R-M1-02); taking a project into or out of management is the
    系统管理员's (company level). Recorded in the project's history with who and why."""
    if not may_edit_project(acting_user, project):
        raise refuse("无权修改项目资料", code="forbidden", status=403)
    unknown = set(changes) - set(PROJECT_FIELDS) - {"active"}
    if unknown:
        raise StaffError("不能修改这些字段", fields={f: ["不可修改"] for f in sorted(unknown)})
    text = (reason or "").strip()
    if len(text) < 2:
        raise refuse("请填写修改原因", field="reason")
    row = Project.objects.select_for_update().get(pk=project.pk)
    if "active" in changes and bool(changes["active"]) != row.active and not can_change(acting_user, row.company, None):
        raise refuse("只有系统管理员可以设置项目是否在管", field="active", code="forbidden", status=403)
    for name, limit in PROJECT_FIELDS.items():
        if name in changes:
            value = (changes[name] or "").strip()
            if len(value) > limit:
                raise refuse(f"最多 {limit} 个字", field=name)
            if name == "name" and not value:
                raise refuse("请填写项目名称", field="name")
            setattr(row, name, value)
    if "active" in changes:
        row.active = bool(changes["active"])
    missing = missing_24h_numbers(row)
    if missing:
        raise StaffError("项目在管前须有24小时服务电话和24小时报修电话（可以是同一个号码）", fields=missing)
    row._change_reason = text[:100]  # type: ignore[attr-defined]
    row._history_user = acting_user  # type: ignore[attr-defined]
    row.save()
    for name in [*PROJECT_FIELDS, "active"]:
        setattr(project, name, getattr(row, name))
    return row


# ---------------------------------------------------------------- the department's plans, budget and assets
# R-M19-01 / R-M19-02: the 客服主管 helps write the CS department's plans, reports and budget and checks
# their execution; the 客服经理 (or 管理处经理) approves department documents; the 主管 manages its assets.


class DepartmentError(DomainError):
    """A refused plan or asset action."""


def _dept_refuse(message: str, *, field: str | None = None, code: str = "invalid", status: int = 422) -> DepartmentError:
    return DepartmentError(message, code=code, status=status, fields={field: [message]} if field else None)


def _dept_text(value: Any, field: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise _dept_refuse(f"请填写{label}", field=field)
    if len(text) > limit:
        raise _dept_refuse(f"{label}最多{limit}个字", field=field)
    return text


def _dept_of(project: Project | None, department: Department | None, acting_user: Any, cap: str) -> tuple[Project, Department]:
    if project is None or not access.has_cap(acting_user, cap, project):
        raise _dept_refuse("项目不存在或您在该项目没有此项权限", field="project", code="forbidden", status=403)
    if department is None or department.project_id != project.pk:
        raise _dept_refuse("请选择本项目的部门", field="department")
    return project, department


@transaction.atomic
def draft_plan(*, acting_user: User, now: dt.datetime, project: Project | None, department: Department | None,
               kind: str, title: str, period: str, content: str, amount: Any = None) -> DepartmentPlan:
    """部门计划/报告/预算 submitted for approval (R-M19-02 "helps write plans and reports"; R-M19-01 "the
    department's plans, reports and budget", "management plan", "system documents"). A budget needs
    its amount."""
    project, department = _dept_of(project, department, acting_user, Cap.DRAFT_DEPT_PLANS)
    if kind not in PlanKind.values:
        raise _dept_refuse("请选择类别", field="kind")
    title = _dept_text(title, "title", "标题", 100)
    period = _dept_text(period, "period", "期间", 30)
    content = _dept_text(content, "content", "内容", 20000)
    if kind == PlanKind.BUDGET:
        try:
            amount = Decimal(str(amount)) if amount not in (None, "") else None
        except (ArithmeticError, ValueError):
            amount = None
        if amount is None or amount <= 0 or amount >= Decimal("1e10"):
            raise _dept_refuse("部门预算须填写大于0的预算金额", field="amount")
    else:
        amount = None
    return DepartmentPlan.objects.create(
        company_id=project.company_id, project=project, department=department, kind=kind, title=title,
        period=period, content=content, amount=amount, drafted_by=acting_user, drafted_at=now)


@transaction.atomic
def decide_plan(*, plan: DepartmentPlan, approve: bool, note: str = "", acting_user: User,
                now: dt.datetime) -> DepartmentPlan:
    """审批 (R-M19-01 "drafting and approving department documents"): the 客服经理 or 管理处经理 of the
    project approves or returns (with a note) a submitted plan — not one they wrote."""
    locked = DepartmentPlan.objects.select_for_update().filter(pk=plan.pk).first()
    if locked is None or not access.has_cap(acting_user, Cap.APPROVE_DEPT_PLANS, locked.project):
        raise _dept_refuse("没有审批部门计划的权限", code="forbidden", status=403)
    if locked.status != PlanStatus.SUBMITTED:
        raise _dept_refuse("该计划已审批", code="already_decided", status=409)
    if locked.drafted_by_id == acting_user.pk:
        raise _dept_refuse("不能审批自己编写的计划", code="own_plan", status=409)
    note = (note or "").strip()
    if not approve and not note:
        raise _dept_refuse("退回须写明意见", field="note")
    locked.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    locked.decided_by, locked.decided_at, locked.decision_note = acting_user, now, note[:500]
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return locked


@transaction.atomic
def check_plan_execution(*, plan: DepartmentPlan, note: str, acting_user: User, now: dt.datetime) -> DepartmentPlan:
    """检查执行情况 (R-M19-02 "checks their execution"): recorded on an approved plan."""
    locked = DepartmentPlan.objects.select_for_update().filter(pk=plan.pk).first()
    if locked is None or not access.has_cap(acting_user, Cap.DRAFT_DEPT_PLANS, locked.project):
        raise _dept_refuse("没有检查计划执行情况的权限", code="forbidden", status=403)
    if locked.status != PlanStatus.APPROVED:
        raise _dept_refuse("计划批准后才能检查执行情况", code="not_approved", status=409)
    locked.execution_note = _dept_text(note, "note", "执行情况", 5000)
    locked.execution_checked_by, locked.execution_checked_at = acting_user, now
    locked.save(update_fields=["execution_note", "execution_checked_by", "execution_checked_at"])
    return locked


@transaction.atomic
def register_asset(*, acting_user: User, now: dt.datetime, project: Project | None, department: Department | None,
                   asset_no: str, name: str, location: str, acquired_on: dt.date, value: Any,
                   custodian: User | None = None, note: str = "") -> FixedAsset:
    """登记固定资产 (R-M19-02 "manages the department's fixed assets"): the number is unique in the
    company, the purchase date not in the future, the value not negative; the custodian works in the
    project."""
    project, department = _dept_of(project, department, acting_user, Cap.MANAGE_DEPT_ASSETS)
    asset_no = _dept_text(asset_no, "asset_no", "资产编号", 40)
    if FixedAsset.objects.filter(company_id=project.company_id, asset_no=asset_no).exists():
        raise _dept_refuse(f"资产编号 {asset_no} 已登记", field="asset_no", code="duplicate", status=409)
    if not isinstance(acquired_on, dt.date) or acquired_on > clock.local(now).date():
        raise _dept_refuse("购置日期不能晚于今天", field="acquired_on")
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, ValueError):
        raise _dept_refuse("请填写原值", field="value") from None
    if amount < 0 or amount >= Decimal("1e10"):
        raise _dept_refuse("原值不正确", field="value")
    if custodian is not None and not custodian.memberships.filter(project=project).exists():
        raise _dept_refuse("保管人须是本项目的员工", field="custodian")
    asset = FixedAsset(company_id=project.company_id, project=project, department=department, asset_no=asset_no,
                       name=_dept_text(name, "name", "资产名称", 100),
                       location=_dept_text(location, "location", "存放地点", 100), acquired_on=acquired_on,
                       value=amount, custodian=custodian, note=(note or "").strip()[:200], last_checked_on=acquired_on)
    asset._change_reason = "登记固定资产"  # type: ignore[attr-defined]
    asset._history_user = acting_user  # type: ignore[attr-defined]
    asset.save()
    return asset


@transaction.atomic
def check_asset(*, asset: FixedAsset, status: str, location: str = "", note: str = "", acting_user: User,
                now: dt.datetime) -> FixedAsset:
    """清点固定资产 (R-M19-02): the asset's status and place as found, dated today; a scrapped or idle
    asset needs a note. A scrapped asset is not checked again. History keeps every check."""
    locked = FixedAsset.objects.select_for_update().filter(pk=asset.pk).first()
    if locked is None or not access.has_cap(acting_user, Cap.MANAGE_DEPT_ASSETS, locked.project):
        raise _dept_refuse("没有管理固定资产的权限", code="forbidden", status=403)
    if locked.status == AssetStatus.SCRAPPED:
        raise _dept_refuse("该资产已报废", code="scrapped", status=409)
    if status not in AssetStatus.values:
        raise _dept_refuse("请选择状态", field="status")
    note = (note or "").strip()
    if status in (AssetStatus.SCRAPPED, AssetStatus.IDLE) and not note:
        raise _dept_refuse("报废或闲置须写明原因", field="note")
    locked.status = status
    if (location or "").strip():
        locked.location = _dept_text(location, "location", "存放地点", 100)
    locked.note = note[:200] or locked.note
    locked.last_checked_on = clock.local(now).date()
    locked._change_reason = f"清点：{note}"[:100] if note else "清点"  # type: ignore[attr-defined]
    locked._history_user = acting_user  # type: ignore[attr-defined]
    locked.save()
    return locked

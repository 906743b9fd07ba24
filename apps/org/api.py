"""REST endpoints of the organisation (mounted at /api/v1/org): who am I, my projects, their
departments — lookups for integrations (issue 2 item 7). Read-only; access through apps.org.access."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal, cast

from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from apps.core.api_errors import ERRORS, ApiError
from apps.org import access, settings_registry, staff
from apps.org import actions as org_actions
from apps.org.http import AuthenticatedRequest
from apps.org.models import (
    Company,
    Department,
    DepartmentPlan,
    FixedAsset,
    Membership,
    Project,
    SettingChange,
    StaffChange,
    User,
)
from apps.org.roles import ROLE_INFO, Cap
from apps.org.settings_registry import SettingsSection, form_data
from linli import clock

router = Router(tags=["org"])


class MembershipOut(Schema):
    role: str
    role_label: str
    project_id: int | None
    project: str | None
    department_id: int | None
    department: str | None


class MeOut(Schema):
    id: int
    username: str
    name: str
    company_level: bool
    memberships: list[MembershipOut]
    capabilities: dict[str, list[str]]  # project code → capability names


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    address: str
    kind: str
    handover_date: dt.date | None
    age_years: int | None
    floor_area_m2: float | None
    timezone: str
    work_start: str  # "09:00" local time of the project (RFC 3339 "time" would need an offset)
    work_end: str
    service_phone: str
    repair_phone: str


class DepartmentOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    phone: str
    project_id: int | None


def _project_out(p: Project) -> dict[str, Any]:

    return {
        "id": p.pk, "code": p.code, "name": p.name, "address": p.address, "kind": p.kind,
        "handover_date": p.handover_date, "age_years": p.age_years(clock.today(p.tz)),
        "floor_area_m2": float(p.floor_area_m2) if p.floor_area_m2 is not None else None,
        "timezone": p.timezone, "work_start": p.work_start.strftime("%H:%M"), "work_end": p.work_end.strftime("%H:%M"),
        "service_phone": p.service_phone, "repair_phone": p.repair_phone,
    }


def _visible_project(request: HttpRequest, project_id: int) -> Project:
    project = access.visible_projects(request.user).filter(pk=project_id).first()
    if project is None:  # same answer for "missing" and "not yours"
        raise ApiError(404, "not_found", "项目不存在或无权查看")
    return project


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户：岗位、项目与权限")
def me(request: AuthenticatedRequest) -> Any:
    user = request.user
    memberships = Membership.objects.filter(user=user).select_related("project", "department").order_by("id")
    caps: dict[str, list[str]] = {}
    for p in access.visible_projects(user).order_by("code"):
        roles = access.roles_in(user, p)
        caps[p.code] = sorted({c for r in roles for c in ROLE_INFO[r].caps})
    return {
        "id": user.pk, "username": user.username, "name": str(user),
        "company_level": access.is_company_level(user),
        "memberships": [{
            "role": m.role, "role_label": str(m.get_role_display()),
            "project_id": m.project_id, "project": m.project.name if m.project else None,
            "department_id": m.department_id, "department": m.department.name if m.department else None,
        } for m in memberships],
        "capabilities": caps,
    }


@router.get("/projects", response={200: list[ProjectOut], **ERRORS}, summary="我可查看的项目（管理处）")
def project_list(request: HttpRequest) -> Any:
    return [_project_out(p) for p in access.visible_projects(request.user).order_by("code")]


@router.get("/projects/{project_id}", response={200: ProjectOut, **ERRORS}, summary="项目详情")
def project_detail(request: HttpRequest, project_id: int) -> Any:
    return _project_out(_visible_project(request, project_id))


class ProjectPatchIn(Schema):
    """修改项目资料 (R-M1-02): only the fields sent change; ``reason`` is required."""

    name: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=200)
    service_phone: str | None = Field(None, max_length=30, description="24小时服务电话")
    repair_phone: str | None = Field(None, max_length=30, description="24小时报修电话（可与服务电话相同）")
    active: bool | None = Field(None, description="在管：须有两个24小时电话")
    reason: str = Field(max_length=500)


@router.patch("/projects/{project_id}", response={200: ProjectOut, **ERRORS},
              summary="修改项目资料（在管项目须有24小时服务电话和报修电话）")
def project_edit(request: HttpRequest, project_id: int, payload: ProjectPatchIn) -> Any:
    project = next((p for p in org_actions.editable_projects(request.user) if p.pk == project_id), None)
    if project is None:
        _visible_project(request, project_id)  # not visible: 404; visible but not editable: 403
        raise ApiError(403, "forbidden", "无权修改项目资料")
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", "")
    try:
        with transaction.atomic():
            row = org_actions.edit_project(project=project, changes=changes, reason=reason, acting_user=request.user,
                                       now=clock.now())
    except org_actions.StaffError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.fields) from exc
    return _project_out(row)


@router.get("/projects/{project_id}/departments", response={200: list[DepartmentOut], **ERRORS},
            summary="项目的部门（含公司级部门），即内部通讯录")
def department_list(request: HttpRequest, project_id: int) -> Any:
    project = _visible_project(request, project_id)

    qs = Department.objects.filter(Q(project=project) | Q(project__isnull=True, company_id=project.company_id))
    return [{"id": d.pk, "kind": d.kind, "kind_label": str(d.get_kind_display()), "name": d.name,
             "phone": d.phone, "project_id": d.project_id} for d in qs.order_by("project_id", "name")]


# ---------------------------------------------------------------------- settings (issue 17 item 3)
class SettingsSectionOut(Schema):
    key: str
    title: str
    group: str
    description: str
    company_level: bool
    project_override: bool


class SettingsValuesOut(Schema):
    key: str
    title: str
    project_id: int | None
    source: str  # project | company | default: where the values in force come from
    editable: bool
    values: dict[str, Any]
    fields: list[dict[str, Any]]


class SettingsChangeIn(Schema):
    project_id: int | None = None
    values: dict[str, Any]
    reason: str


class SettingsRemoveIn(Schema):
    project_id: int
    reason: str


class SettingChangeOut(Schema):
    id: int
    section: str
    project_id: int | None
    action: str
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str
    changed_by: str
    changed_at: dt.datetime


def _settings_company(request: HttpRequest) -> Company:
    if not access.has_cap(request.user, Cap.MANAGE_CONFIG):
        raise ApiError(403, "forbidden", "没有权限查看设置")
    company_id = access.company_of(request.user)
    company = Company.objects.filter(pk=company_id).first() if company_id is not None else None
    if company is None:
        raise ApiError(404, "not_found", "公司不存在")
    return company


def _section(key: str) -> SettingsSection:
    section = settings_registry.get(key)
    if section is None:
        raise ApiError(404, "not_found", "设置项不存在")
    return section


def _settings_project(request: HttpRequest, company: Company, project_id: int | None) -> Project | None:
    if project_id is None:
        return None
    project = access.visible_projects(request.user).filter(pk=project_id, company=company).first()
    if project is None:
        raise ApiError(404, "not_found", "项目不存在或无权查看")
    return project


def _values_out(request: HttpRequest, section: SettingsSection, company: Company, project: Project | None) -> dict[str, Any]:
    values, source = section.values(company, project)
    return {"key": section.key, "title": str(section.title), "project_id": project.pk if project else None,
            "source": source, "editable": org_actions.can_change(request.user, company, project),
            "values": values, "fields": section.fields(section.form(company, project))}


@router.get("/settings", response={200: list[SettingsSectionOut], **ERRORS}, summary="可设置的公司/项目设置项")
def settings_list(request: HttpRequest) -> Any:
    _settings_company(request)
    return [{"key": s.key, "title": str(s.title), "group": str(s.group), "description": str(s.description),
             "company_level": s.company_level, "project_override": s.project_override}
            for s in settings_registry.sections()]


@router.get("/settings/{key}", response={200: SettingsValuesOut, **ERRORS},
            summary="某设置项当前执行的值（project_id 为空=公司设置）")
def settings_detail(request: HttpRequest, key: str, project_id: int | None = None) -> Any:
    company = _settings_company(request)
    section = _section(key)
    project = _settings_project(request, company, project_id)
    if (project is None and not section.company_level) or (project is not None and not section.project_override):
        raise ApiError(422, "invalid", "此设置不适用于所选范围", {"project_id": ["此设置不适用于所选范围"]})
    return _values_out(request, section, company, project)


def _scope(body_project_id: int | None, query_project_id: int | None) -> int | None:
    """The project a change is for: ``project_id`` in the body, the query (as for reading the setting) or
    the path (as on the page ``/org/settings/<key>/project/<id>/``); two different values are refused."""
    if body_project_id is not None and query_project_id is not None and body_project_id != query_project_id:
        raise ApiError(422, "invalid", "项目不一致", {"project_id": ["请求地址与请求内容中的项目不一致"]})
    return body_project_id if body_project_id is not None else query_project_id


def _change(request: HttpRequest, key: str, payload: SettingsChangeIn, project_id: int | None) -> Any:
    company = _settings_company(request)
    section = _section(key)
    project = _settings_project(request, company, _scope(payload.project_id, project_id))
    form = section.form(company, project)
    unknown = sorted(set(payload.values) - set(form.fields))
    if unknown:
        raise ApiError(422, "invalid", "输入有误", {name: ["不是此设置项的字段"] for name in unknown})
    # a partial change: the fields not sent keep the values the form starts from
    data = form_data(form, {**{n: form.initial.get(n, form.fields[n].initial) for n in form.fields},
                            **payload.values})
    # the same action and permission check as the settings page (org_actions.can_change)
    org_actions.change_setting(section=section, company=company, project=project, data=data,
                               reason=payload.reason, by=request.user, now=clock.now())
    return _values_out(request, section, company, project)


@router.put("/settings/{key}", response={200: SettingsValuesOut, **ERRORS},
            summary="修改公司设置（系统管理员）或项目单独设置（管理处经理）；须填写原因，只影响此后新建的记录")
def settings_change(request: HttpRequest, key: str, payload: SettingsChangeIn, project_id: int | None = None) -> Any:
    """``project_id`` in the body or the query selects the project's override (管理处经理); without it
    the company's value (系统管理员)."""
    return _change(request, key, payload, project_id)


@router.get("/settings/{key}/project/{project_id}", response={200: SettingsValuesOut, **ERRORS},
            summary="某项目的设置项当前执行的值（与设置页面的项目地址相同）")
def settings_project_detail(request: HttpRequest, key: str, project_id: int) -> Any:
    return settings_detail(request, key, project_id)


@router.put("/settings/{key}/project/{project_id}", response={200: SettingsValuesOut, **ERRORS},
            summary="修改项目单独设置（管理处经理或系统管理员）；须填写原因")
def settings_project_change(request: HttpRequest, key: str, project_id: int, payload: SettingsChangeIn) -> Any:
    return _change(request, key, payload, project_id)


@router.post("/settings/{key}/remove-override", response={200: SettingsValuesOut, **ERRORS},
             summary="取消项目单独设置（恢复公司设置）")
def settings_remove_override(request: HttpRequest, key: str, payload: SettingsRemoveIn) -> Any:
    company = _settings_company(request)
    section = _section(key)
    project = _settings_project(request, company, payload.project_id)
    assert project is not None
    org_actions.remove_setting_override(section=section, company=company, project=project, reason=payload.reason,
                                        by=request.user, now=clock.now())
    return _values_out(request, section, company, project)


@router.get("/settings/{key}/history", response={200: list[SettingChangeOut], **ERRORS}, summary="设置变更记录")
def settings_history(request: HttpRequest, key: str, project_id: int | None = None) -> Any:
    company = _settings_company(request)
    section = _section(key)
    project = _settings_project(request, company, project_id)
    rows = (SettingChange.objects.filter(company=company, section=section.key, project=project)
            .select_related("changed_by")[:100])
    return [{"id": r.pk, "section": r.section, "project_id": r.project_id, "action": r.action, "before": r.before,
             "after": r.after, "reason": r.reason, "changed_by": str(r.changed_by), "changed_at": r.changed_at}
            for r in rows]


# ---------------------------------------------------------------- staff accounts (issue 17 item 4)


class StaffMembershipOut(Schema):
    id: int
    role: str
    role_label: str
    project_id: int | None
    department_id: int | None


class StaffOut(Schema):
    id: int
    username: str
    display_name: str
    is_active: bool
    memberships: list[StaffMembershipOut]


class StaffCreateIn(Schema):
    username: str = Field(..., max_length=150)
    display_name: str = Field(..., max_length=50)
    password: str = Field(..., min_length=1, max_length=128)
    phone: str = Field("", max_length=30)
    employee_no: str = Field("", max_length=30)


class StaffRoleIn(Schema):
    role: str = Field(..., max_length=30)
    project_id: int | None = None
    department_id: int | None = None
    reason: str = Field("", max_length=500)


class StaffActiveIn(Schema):
    active: bool
    reason: str = Field(..., max_length=500)


class StaffChangeOut(Schema):
    action: str
    detail: str
    reason: str
    changed_by: str
    changed_at: dt.datetime


def _staff_company(request: HttpRequest) -> Company:
    company_id = access.company_of(request.user)
    company = Company.objects.filter(pk=company_id).first() if company_id else None
    if company is None or not staff.may_manage(request.user, company):
        raise ApiError(403, "forbidden", "只有系统管理员可以管理员工账号")
    return company


def _staff_out(user: User, company: Company) -> dict[str, Any]:
    rows = [m for m in user.memberships.all() if m.company_id == company.pk]
    return {"id": user.pk, "username": user.username, "display_name": user.display_name, "is_active": user.is_active,
            "memberships": [{"id": m.pk, "role": m.role, "role_label": str(m.get_role_display()),
                             "project_id": m.project_id, "department_id": m.department_id} for m in rows]}


def _person(company: Company, user_id: int) -> User:
    user = staff.staff_of(company).filter(pk=user_id).prefetch_related("memberships").first()
    if user is None:
        raise ApiError(404, "not_found", "员工不存在")
    return user


def _staff_act(run: Any) -> Any:
    try:
        return run()
    except org_actions.StaffError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.fields) from exc


@router.get("/staff", response={200: list[StaffOut], **ERRORS}, summary="员工账号（系统管理员）")
def staff_list(request: HttpRequest) -> Any:
    company = _staff_company(request)
    people = staff.staff_of(company).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.filter(company=company).order_by("pk"))
    ).order_by("username")
    return [_staff_out(u, company) for u in people]


@router.post("/staff", response={201: StaffOut, **ERRORS}, summary="新建员工账号")
def staff_create(request: HttpRequest, payload: StaffCreateIn) -> Any:
    company = _staff_company(request)
    user = _staff_act(lambda: org_actions.create_staff(company=company, acting_user=cast(User, request.user),
                                                       now=clock.now(), **payload.dict()))
    return Status(201, _staff_out(_person(company, user.pk), company))


@router.post("/staff/{user_id}/roles", response={200: StaffOut, **ERRORS}, summary="分配岗位")
def staff_assign(request: HttpRequest, user_id: int, payload: StaffRoleIn) -> Any:
    company = _staff_company(request)
    person = _person(company, user_id)
    project = None
    if payload.project_id is not None:
        project = Project.objects.filter(company=company, pk=payload.project_id).first()
        if project is None:
            raise ApiError(404, "not_found", "项目不存在", {"project_id": ["项目不存在"]})
    department = None
    if payload.department_id is not None:
        department = Department.objects.filter(company=company, pk=payload.department_id).first()
        if department is None:
            raise ApiError(404, "not_found", "部门不存在", {"department_id": ["部门不存在"]})
    _staff_act(lambda: org_actions.assign_role(company=company, user=person, role=payload.role, project=project,
                                               department=department, reason=payload.reason,
                                               acting_user=cast(User, request.user), now=clock.now()))
    return _staff_out(_person(company, user_id), company)


@router.delete("/staff/{user_id}/roles/{membership_id}", response={200: StaffOut, **ERRORS}, summary="撤销岗位")
def staff_unassign(request: HttpRequest, user_id: int, membership_id: int, reason: str = "") -> Any:
    company = _staff_company(request)
    membership = Membership.objects.filter(pk=membership_id, user_id=user_id, company=company).first()
    if membership is None:
        raise ApiError(404, "not_found", "岗位不存在")
    _staff_act(lambda: org_actions.remove_role(membership=membership, reason=reason[:500],
                                               acting_user=cast(User, request.user), now=clock.now()))
    return _staff_out(_person(company, user_id), company)


@router.post("/staff/{user_id}/active", response={200: StaffOut, **ERRORS}, summary="停用 / 恢复账号")
def staff_active(request: HttpRequest, user_id: int, payload: StaffActiveIn) -> Any:
    company = _staff_company(request)
    person = _person(company, user_id)
    _staff_act(lambda: org_actions.set_active(company=company, user=person, active=payload.active,
                                              reason=payload.reason, acting_user=cast(User, request.user),
                                              now=clock.now()))
    return _staff_out(_person(company, user_id), company)


@router.get("/staff/{user_id}/history", response={200: list[StaffChangeOut], **ERRORS}, summary="员工账号变更记录")
def staff_history(request: HttpRequest, user_id: int) -> Any:
    company = _staff_company(request)
    person = _person(company, user_id)
    rows = StaffChange.objects.filter(company=company, user=person).select_related("changed_by")[:200]
    return [{"action": r.action, "detail": r.detail, "reason": r.reason, "changed_by": str(r.changed_by),
             "changed_at": r.changed_at} for r in rows]


# ---------------------------------------------------------------- the CS department's plans and assets (R-M19-01/-02)


class DepartmentPlanOut(Schema):
    id: int
    project_id: int
    department_id: int
    kind: str
    title: str
    period: str
    content: str
    amount: Decimal | None
    status: str
    drafted_by: str
    drafted_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    execution_note: str
    execution_checked_at: dt.datetime | None


class DepartmentPlanIn(Schema):
    project_id: int = Field(..., ge=1, le=2**31 - 1)
    department_id: int = Field(..., ge=1, le=2**31 - 1)
    kind: Literal["plan", "report", "budget", "management_plan", "system_doc"]  # PlanKind
    title: str
    period: str
    content: str
    amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class DeptPlanDecisionIn(Schema):
    approve: bool
    note: str = ""


class DeptPlanNoteIn(Schema):
    note: str


class FixedAssetOut(Schema):
    id: int
    project_id: int
    department_id: int
    asset_no: str
    name: str
    location: str
    acquired_on: dt.date
    value: Decimal
    custodian_id: int | None
    status: str
    last_checked_on: dt.date | None
    note: str


class FixedAssetIn(Schema):
    project_id: int = Field(..., ge=1, le=2**31 - 1)
    department_id: int = Field(..., ge=1, le=2**31 - 1)
    asset_no: str
    name: str
    location: str
    acquired_on: dt.date
    value: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    custodian_id: int | None = Field(None, ge=1, le=2**31 - 1)
    note: str = ""


class AssetCheckIn(Schema):
    status: Literal["in_use", "repair", "idle", "scrapped"]  # AssetStatus
    location: str = ""
    note: str = ""


def _cap_projects(request: HttpRequest, *caps: str) -> list[Project]:
    return [p for p in access.visible_projects(request.user).order_by("code")
            if any(access.has_cap(request.user, c, p) for c in caps)]


def _plan_out(p: DepartmentPlan) -> dict[str, Any]:
    return {"id": p.pk, "project_id": p.project_id, "department_id": p.department_id, "kind": p.kind,
            "title": p.title, "period": p.period, "content": p.content, "amount": p.amount, "status": p.status,
            "drafted_by": str(p.drafted_by), "drafted_at": p.drafted_at,
            "decided_by": str(p.decided_by) if p.decided_by else None, "decided_at": p.decided_at,
            "decision_note": p.decision_note, "execution_note": p.execution_note,
            "execution_checked_at": p.execution_checked_at}


def _asset_out(a: FixedAsset) -> dict[str, Any]:
    return {"id": a.pk, "project_id": a.project_id, "department_id": a.department_id, "asset_no": a.asset_no,
            "name": a.name, "location": a.location, "acquired_on": a.acquired_on, "value": a.value,
            "custodian_id": a.custodian_id, "status": a.status, "last_checked_on": a.last_checked_on, "note": a.note}


def _in_project(model: Any, request: HttpRequest, pk: int, *caps: str) -> Any:
    row = model.objects.filter(pk=pk, project__in=_cap_projects(request, *caps)).first()
    if row is None:
        raise ApiError(404, "not_found", "记录不存在")
    return row


def _project_department(request: HttpRequest, project_id: int, department_id: int) -> tuple[Project | None, Department | None]:
    project = next((p for p in access.visible_projects(request.user) if p.pk == project_id), None)
    return project, Department.objects.filter(pk=department_id).first()


@router.get("/plans", response={200: list[DepartmentPlanOut], **ERRORS}, summary="部门计划、报告与预算")
def plan_list(request: AuthenticatedRequest) -> Any:
    projects = _cap_projects(request, Cap.DRAFT_DEPT_PLANS, Cap.APPROVE_DEPT_PLANS)
    if not projects:
        raise ApiError(403, "forbidden", "您的岗位不负责部门计划")
    qs = DepartmentPlan.objects.filter(project__in=projects).select_related("drafted_by", "decided_by")
    return [_plan_out(p) for p in qs.order_by("-drafted_at", "-id")[:300]]


@router.post("/plans", response={201: DepartmentPlanOut, **ERRORS}, summary="编写部门计划/报告/预算并提交审批")
def plan_add(request: AuthenticatedRequest, payload: DepartmentPlanIn) -> Any:
    project, department = _project_department(request, payload.project_id, payload.department_id)
    p = org_actions.draft_plan(acting_user=request.user, now=clock.now(), project=project, department=department,
                               kind=payload.kind, title=payload.title, period=payload.period,
                               content=payload.content, amount=payload.amount)
    return Status(201, _plan_out(p))


@router.post("/plans/{plan_id}/decision", response={200: DepartmentPlanOut, **ERRORS}, summary="批准或退回")
def plan_decide(request: AuthenticatedRequest, plan_id: int, payload: DeptPlanDecisionIn) -> Any:
    plan = _in_project(DepartmentPlan, request, plan_id, Cap.DRAFT_DEPT_PLANS, Cap.APPROVE_DEPT_PLANS)
    return _plan_out(org_actions.decide_plan(plan=plan, approve=payload.approve, note=payload.note,
                                             acting_user=request.user, now=clock.now()))


@router.post("/plans/{plan_id}/execution", response={200: DepartmentPlanOut, **ERRORS}, summary="登记执行情况检查")
def plan_execution(request: AuthenticatedRequest, plan_id: int, payload: DeptPlanNoteIn) -> Any:
    plan = _in_project(DepartmentPlan, request, plan_id, Cap.DRAFT_DEPT_PLANS, Cap.APPROVE_DEPT_PLANS)
    return _plan_out(org_actions.check_plan_execution(plan=plan, note=payload.note, acting_user=request.user,
                                                      now=clock.now()))


@router.get("/assets", response={200: list[FixedAssetOut], **ERRORS}, summary="部门固定资产")
def asset_list(request: AuthenticatedRequest) -> Any:
    projects = _cap_projects(request, Cap.MANAGE_DEPT_ASSETS)
    if not projects:
        raise ApiError(403, "forbidden", "您的岗位不负责部门固定资产")
    return [_asset_out(a) for a in FixedAsset.objects.filter(project__in=projects).order_by("project_id", "asset_no")[:500]]


@router.post("/assets", response={201: FixedAssetOut, **ERRORS}, summary="登记固定资产")
def asset_add(request: AuthenticatedRequest, payload: FixedAssetIn) -> Any:
    project, department = _project_department(request, payload.project_id, payload.department_id)
    custodian = User.objects.filter(pk=payload.custodian_id).first() if payload.custodian_id else None
    if payload.custodian_id and custodian is None:
        raise ApiError(422, "invalid", "保管人不存在", {"custodian_id": ["保管人不存在"]})
    a = org_actions.register_asset(acting_user=request.user, now=clock.now(), project=project, department=department,
                                   asset_no=payload.asset_no, name=payload.name, location=payload.location,
                                   acquired_on=payload.acquired_on, value=payload.value, custodian=custodian,
                                   note=payload.note)
    return Status(201, _asset_out(a))


@router.post("/assets/{asset_id}/check", response={200: FixedAssetOut, **ERRORS}, summary="清点固定资产")
def asset_check(request: AuthenticatedRequest, asset_id: int, payload: AssetCheckIn) -> Any:
    asset = _in_project(FixedAsset, request, asset_id, Cap.MANAGE_DEPT_ASSETS)
    return _asset_out(org_actions.check_asset(asset=asset, status=payload.status, location=payload.location,
                                              note=payload.note, acting_user=request.user, now=clock.now()))

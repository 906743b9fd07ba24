"""REST endpoints of the organisation (mounted at /api/v1/org): who am I, my projects, their
departments — lookups for integrations (issue 2 item 7). Read-only; access through apps.org.access."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router, Schema

from apps.core.api_errors import ERRORS, ApiError
from apps.org import access
from apps.org.http import AuthenticatedRequest
from apps.org.models import Department, Membership, Project
from apps.org.roles import ROLE_INFO
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


@router.get("/projects/{project_id}/departments", response={200: list[DepartmentOut], **ERRORS},
            summary="项目的部门（含公司级部门），即内部通讯录 R-M19-12")
def department_list(request: HttpRequest, project_id: int) -> Any:
    project = _visible_project(request, project_id)

    qs = Department.objects.filter(Q(project=project) | Q(project__isnull=True, company_id=project.company_id))
    return [{"id": d.pk, "kind": d.kind, "kind_label": str(d.get_kind_display()), "name": d.name,
             "phone": d.phone, "project_id": d.project_id} for d in qs.order_by("project_id", "name")]

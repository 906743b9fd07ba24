"""REST endpoints of the inspections app (mounted at /api/v1/inspections). Thin: reads from queries,
scope from access, writes through actions; another project's record answers 404. Signatures are PNG
data URLs (as drawn with signature_pad); photos are added to a record with a multipart upload."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from apps.core import files
from apps.core.api_errors import ERRORS, ApiError
from apps.core.validation import PastMoment
from apps.inspections import access, actions, queries
from apps.inspections.models import (
    CheckKind,
    CheckTemplate,
    EmergencyPlan,
    Evaluation,
    Finding,
    Inspection,
    InspectionPhoto,
    InspectionRound,
)
from apps.org.access import visible_projects
from apps.org.models import Department, Project, User
from linli import clock

router = Router(tags=["inspections"])


def _project(request: HttpRequest, project_id: int) -> Project:
    project = Project.objects.filter(pk=project_id, pk__in=visible_projects(request.user)).first()
    if project is None or not access.can_read(request.user, project):
        raise ApiError(404, "not_found", "项目不存在", {"project_id": ["项目不存在"]})
    return project


def _get(model: Any, pk: int | None, field: str, message: str, **scope: Any) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, **scope).first()
    if obj is None:
        raise ApiError(422, "invalid", message, {field: [message]})
    return obj


class FindingIn(Schema):
    description: str
    cause: str = "other"
    exemption: str = ""
    responsible_id: int | None = None
    department_id: int | None = None
    specialty: str = ""
    closure_note: str = ""
    closed: bool = False
    handed_up: bool = False


class InspectionIn(Schema):
    project_id: int
    kind: str
    level: str = ""
    template_id: int | None = None
    round_id: int | None = None
    inspected_at: PastMoment
    scope: str
    summary: str = ""
    all_normal: bool = False
    findings: list[FindingIn] = []
    inspector_signature: str | None = None
    checked_person: str = ""
    checked_signature: str | None = None
    complete: bool = True


class InspectionFindingOut(Schema):
    id: int
    description: str
    cause: str
    exemption: str
    responsible_id: int | None
    department: str | None
    status: str
    ticket_number: str | None
    ncr_number: str | None


class InspectionOut(Schema):
    id: int
    project_id: int
    kind: str
    kind_label: str
    level: str
    inspected_at: dt.datetime
    night_of: dt.date | None
    inspector: str
    scope: str
    summary: str
    all_normal: bool
    status: str
    checked_person: str
    has_inspector_signature: bool
    has_checked_signature: bool
    photo_count: int
    findings: list[InspectionFindingOut]


def _out(i: Inspection) -> dict[str, Any]:
    return {"id": i.pk, "project_id": i.project_id, "kind": i.kind, "kind_label": i.get_kind_display(),
            "level": i.level, "inspected_at": i.inspected_at, "night_of": i.night_of, "inspector": str(i.inspector),
            "scope": i.scope, "summary": i.summary, "all_normal": i.all_normal, "status": i.status,
            "checked_person": i.checked_person, "has_inspector_signature": bool(i.inspector_signature),
            "has_checked_signature": bool(i.checked_signature), "photo_count": i.photos.count(),
            "findings": [{"id": f.pk, "description": f.description, "cause": f.cause, "exemption": f.exemption,
                          "responsible_id": f.responsible_id, "department": f.department.name if f.department else None,
                          "status": f.status, "ticket_number": f.ticket.number if f.ticket else None,
                          "ncr_number": f.ncr.number if f.ncr else None}
                         for f in i.findings.select_related("department", "ticket", "ncr")]}


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    i = (Inspection.objects.filter(pk=pk, project__in=visible_projects(request.user))
         .select_related("project", "inspector").first())
    if i is None or not access.can_read(request.user, i.project):
        raise ApiError(404, "not_found", "检查记录不存在")
    return i


@router.get("/", response={200: list[InspectionOut], **ERRORS}, summary="检查记录（按项目、月份、类别）")
def inspection_list(request: HttpRequest, project: int, month: dt.date | None = None, kind: str = "",
                    limit: int = 100) -> Any:
    proj = _project(request, project)
    qs = Inspection.objects.filter(project=proj).select_related("inspector")
    if month is not None:
        start, end = queries.month_bounds(month)
        qs = qs.filter(inspected_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=proj.tz),
                       inspected_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=proj.tz))
    if kind:
        qs = qs.filter(kind=kind)
    return [_out(i) for i in qs[:max(1, min(limit, 500))]]


@router.post("/", response={201: InspectionOut, **ERRORS},
             summary="记录检查：每条不合格一行（含责任人）；夜间查岗须双方签字方可完成")
def inspection_create(request: HttpRequest, payload: InspectionIn) -> Any:
    proj = _project(request, payload.project_id)
    findings = [{**f.dict(exclude={"responsible_id", "department_id"}),
                 "responsible": _get(User, f.responsible_id, f"findings.{n}.responsible_id", "责任人不是本项目员工",
                                     memberships__project=proj),
                 "department": _get(Department, f.department_id, f"findings.{n}.department_id", "责任部门不属于该项目",
                                    project=proj)}
                for n, f in enumerate(payload.findings)]
    insp = actions.record_inspection(
        project=proj, kind=payload.kind, level=payload.level,
        template=_get(CheckTemplate, payload.template_id, "template_id", "检查表不存在"),
        round=_get(InspectionRound, payload.round_id, "round_id", "检查安排不存在", project=proj),
        inspected_at=payload.inspected_at, scope=payload.scope, summary=payload.summary,
        all_normal=payload.all_normal, findings=findings, inspector_signature=payload.inspector_signature,
        checked_person=payload.checked_person, checked_signature=payload.checked_signature,
        complete=payload.complete, acting_user=access.acting_user(request), now=clock.now())
    return Status(201, _out(_inspection(request, insp.pk)))


@router.get("/{int:inspection_id}", response={200: InspectionOut, **ERRORS}, summary="检查记录")
def inspection_detail(request: HttpRequest, inspection_id: int) -> Any:
    return _out(_inspection(request, inspection_id))


class InspectionCompleteIn(Schema):
    inspector_signature: str | None = None
    checked_person: str = ""
    checked_signature: str | None = None


@router.post("/{int:inspection_id}/complete", response={200: InspectionOut, **ERRORS},
             summary="完成检查（夜间查岗须被检查人签字）")
def inspection_complete(request: HttpRequest, inspection_id: int, payload: InspectionCompleteIn) -> Any:
    insp = _inspection(request, inspection_id)
    actions.complete_inspection(inspection=insp, acting_user=access.acting_user(request), now=clock.now(),
                                **payload.dict())
    return _out(_inspection(request, inspection_id))


@router.post("/{int:inspection_id}/photos", response={201: InspectionOut, **ERRORS}, summary="上传检查照片")
def inspection_photo(request: HttpRequest, inspection_id: int, photo: File[UploadedFile]) -> Any:
    insp = _inspection(request, inspection_id)
    if not access.can_record(request.user, insp.project):
        raise ApiError(403, "forbidden", "没有记录检查的权限")
    files.check_upload(photo, allowed=files.IMAGES, field="photo")
    InspectionPhoto.objects.create(inspection=insp, file=photo, uploaded_at=clock.now())
    return Status(201, _out(_inspection(request, inspection_id)))


class HandOnIn(Schema):
    to: Literal["ticket", "ncr"]
    beyond_authority_reason: str = ""


class HandOnOut(Schema):
    ticket_number: str
    ncr_number: str | None


@router.post("/findings/{int:finding_id}/hand-on", response={201: HandOnOut, **ERRORS},
             summary="不合格项转内部工单或不合格报告")
def finding_hand_on(request: HttpRequest, finding_id: int, payload: HandOnIn) -> Any:
    finding = Finding.objects.filter(pk=finding_id, inspection__project__in=visible_projects(request.user)).first()
    if finding is None:
        raise ApiError(404, "not_found", "不合格项不存在")
    user, now = access.acting_user(request), clock.now()
    if payload.to == "ncr":
        report = actions.finding_to_ncr(finding=finding, beyond_authority_reason=payload.beyond_authority_reason,
                                        acting_user=user, now=now)
        return Status(201, {"ticket_number": report.ticket.number, "ncr_number": report.number})
    ticket = actions.finding_to_ticket(finding=finding, acting_user=user, now=now)
    return Status(201, {"ticket_number": ticket.number, "ncr_number": None})


class NightOut(Schema):
    month: dt.date
    checks: int
    flagged: bool
    reasons: list[str]
    warning_nights: list[dt.date]
    missed_warning_nights: list[dt.date]


@router.get("/night-checks", response={200: NightOut, **ERRORS}, summary="夜间查岗月度情况（少于4次或预警当晚未查岗即预警）")
def night_status(request: HttpRequest, project: int, month: dt.date) -> Any:
    proj = _project(request, project)
    s = queries.night_month(proj, month, today=clock.today(proj.tz))
    return {"month": s.month, "checks": s.checks, "flagged": s.flagged, "reasons": s.reasons(),
            "warning_nights": [w.night_of for w in s.warning_nights], "missed_warning_nights": s.missed_warning_nights}


class WarningIn(Schema):
    project_id: int
    night_of: dt.date
    kind: Literal["typhoon", "rainstorm"]


class WarningOut(Schema):
    id: int
    night_of: dt.date
    kind: str


@router.post("/warning-nights", response={201: WarningOut, **ERRORS}, summary="登记台风/暴雨预警（当晚须夜间查岗）")
def warning_create(request: HttpRequest, payload: WarningIn) -> Any:
    proj = _project(request, payload.project_id)
    return Status(201, actions.enter_warning_night(project=proj, night=payload.night_of, kind=payload.kind,
                                                   acting_user=access.acting_user(request), now=clock.now()))


class PoolIn(Schema):
    project_id: int
    taken_at: PastMoment
    ph: Decimal | None = None
    br: Decimal | None = None
    footbath_cl: Decimal | None = None
    kids_cl: Decimal | None = None
    filter_cleaned: bool = False
    footbath_changed: bool = False
    fresh_water_added: bool = False
    note: str = ""


class PoolOut(Schema):
    id: int
    taken_at: dt.datetime
    ph: Decimal | None
    br: Decimal | None
    footbath_cl: Decimal | None
    kids_cl: Decimal | None
    flagged: bool
    flags: str


@router.post("/pool-readings", response={201: PoolOut, **ERRORS}, summary="泳池卫生记录：不可能的数值拒收，超限立即预警")
def pool_create(request: HttpRequest, payload: PoolIn) -> Any:
    proj = _project(request, payload.project_id)
    data = payload.dict(exclude={"project_id"})
    return Status(201, actions.record_pool_reading(project=proj, acting_user=access.acting_user(request),
                                                   now=clock.now(), **data))


@router.get("/pool-readings", response={200: list[PoolOut], **ERRORS}, summary="泳池卫生记录")
def pool_list(request: HttpRequest, project: int, limit: int = 100) -> Any:
    proj = _project(request, project)
    return list(proj.pool_readings.all()[:max(1, min(limit, 500))])


class PoolLimitsIn(Schema):
    project_id: int
    footbath_cl_min: Decimal
    footbath_cl_max: Decimal
    kids_cl_min: Decimal
    kids_cl_max: Decimal
    ph_min: Decimal | None = None
    ph_max: Decimal | None = None
    br_min: Decimal | None = None
    br_max: Decimal | None = None
    footbath_change_hours: int = 4
    filter_cleanings_per_day: int = 2


class PoolLimitsOut(Schema):
    project_id: int
    own: bool
    footbath_cl_min: Decimal
    footbath_cl_max: Decimal
    kids_cl_min: Decimal
    kids_cl_max: Decimal
    ph_min: Decimal | None
    ph_max: Decimal | None
    br_min: Decimal | None
    br_max: Decimal | None
    footbath_change_hours: int
    filter_cleanings_per_day: int


def _limits_out(project: Project) -> dict[str, Any]:
    limits = queries.pool_limits(project)
    return {"project_id": project.pk, "own": limits.project_id == project.pk,
            **{f: getattr(limits, f) for f in actions.POOL_LIMIT_FIELDS}}


@router.get("/pool-limits", response={200: PoolLimitsOut, **ERRORS}, summary="泳池水质限值（本项目或公司默认）")
def pool_limits_get(request: HttpRequest, project: int) -> Any:
    return _limits_out(_project(request, project))


@router.put("/pool-limits", response={200: PoolLimitsOut, **ERRORS},
            summary="设定泳池水质限值（管理处经理、品质管理部）")
def pool_limits_put(request: HttpRequest, payload: PoolLimitsIn) -> Any:
    proj = _project(request, payload.project_id)
    actions.save_pool_limits(project=proj, acting_user=access.acting_user(request), now=clock.now(),
                             **payload.dict(exclude={"project_id"}))
    return _limits_out(proj)


class RoundIn(Schema):
    project_id: int
    template_id: int
    due_on: dt.date
    assignee_id: int


class RoundOut(Schema):
    id: int
    template_id: int
    due_on: dt.date
    assignee_id: int
    status: str


@router.post("/rounds", response={201: RoundOut, **ERRORS}, summary="安排检查（到期日期、负责人）")
def round_create(request: HttpRequest, payload: RoundIn) -> Any:
    proj = _project(request, payload.project_id)
    return Status(201, actions.schedule_round(
        project=proj, template=_get(CheckTemplate, payload.template_id, "template_id", "检查表不存在"),
        due_on=payload.due_on, assignee=_get(User, payload.assignee_id, "assignee_id", "负责人不存在"),
        acting_user=access.acting_user(request), now=clock.now()))


@router.get("/rounds", response={200: list[RoundOut], **ERRORS}, summary="待完成的检查安排")
def round_list(request: HttpRequest, project: int) -> Any:
    return list(queries.due_rounds(_project(request, project)))


class TemplateOut(Schema):
    id: int
    kind: str
    level: str
    name: str
    interval_days: int | None
    requires_checked_signature: bool
    items: list[str]


@router.get("/templates", response={200: list[TemplateOut], **ERRORS}, summary="检查表模板（含日检表项目）")
def template_list(request: HttpRequest, project: int) -> Any:
    proj = _project(request, project)
    return [{"id": t.pk, "kind": t.kind, "level": t.level, "name": t.name, "interval_days": t.interval_days,
             "requires_checked_signature": t.requires_checked_signature, "items": [i.text for i in t.items.all()]}
            for t in queries.templates_for(proj).prefetch_related("items")]


class EvaluationOut(Schema):
    id: int
    project_id: int | None
    kind: str
    kind_label: str
    held_on: dt.date
    body: str
    result: str
    has_attachment: bool


def _evaluation_out(e: Evaluation) -> dict[str, Any]:
    return {"id": e.pk, "project_id": e.project_id, "kind": e.kind, "kind_label": e.kind_label, "held_on": e.held_on,
            "body": e.body, "result": e.result, "has_attachment": bool(e.attachment)}


class EvaluationIn(Schema):
    project_id: int
    kind: str
    held_on: dt.date
    body: str
    result: str


@router.get("/evaluations", response={200: list[EvaluationOut], **ERRORS}, summary="年度与外部评价记录")
def evaluation_list(request: HttpRequest, project: int, year: int | None = None) -> Any:
    proj = _project(request, project)
    qs = Evaluation.objects.filter(project=proj).order_by("-held_on", "-pk")
    if year:
        qs = qs.filter(held_on__year=year)
    return [_evaluation_out(e) for e in qs[:500]]


@router.post("/evaluations", response={201: EvaluationOut, **ERRORS},
             summary="登记评价（内部审核、管理评审、专业评比、顾客、政府、认证机构），可附证书或报告")
def evaluation_create(request: HttpRequest, payload: Form[EvaluationIn],
                      attachment: UploadedFile | None = File(None)) -> Any:  # noqa: B008 — ninja marker
    proj = _project(request, payload.project_id)
    ev = actions.record_evaluation(project=proj, acting_user=access.acting_user(request), now=clock.now(),
                                   attachment=attachment, **payload.dict(exclude={"project_id"}))
    return Status(201, _evaluation_out(ev))


class EmergencyPlanIn(Schema):
    project_id: int
    emergency: str
    version: str
    issued_on: dt.date
    organisation: str


class EmergencyPlanOut(Schema):
    id: int
    project_id: int
    emergency: str
    version: str
    issued_on: dt.date
    organisation: str
    current: bool


class DrillOut(Schema):
    id: int
    inspected_at: dt.datetime
    scope: str
    status: str


class EmergencyPlansOut(Schema):
    plans: list[EmergencyPlanOut]
    drills: list[DrillOut]


@router.get("/emergency-plans", response={200: EmergencyPlansOut, **ERRORS},
            summary="应急预案（每类现行版本与历史版本）及演练记录")
def emergency_plan_list(request: HttpRequest, project: int) -> Any:
    proj = _project(request, project)
    seen: set[str] = set()
    plans = []
    for p in EmergencyPlan.objects.filter(project=proj).order_by("emergency", "-issued_on", "-pk")[:500]:
        plans.append({"id": p.pk, "project_id": p.project_id, "emergency": p.emergency, "version": p.version,
                      "issued_on": p.issued_on, "organisation": p.organisation, "current": p.emergency not in seen})
        seen.add(p.emergency)
    drills = list(Inspection.objects.filter(project=proj, kind=CheckKind.EMERGENCY_DRILL)
                  .order_by("-inspected_at", "-pk").values("id", "inspected_at", "scope", "status")[:50])
    return {"plans": plans, "drills": drills}


@router.post("/emergency-plans", response={201: EmergencyPlanOut, **ERRORS},
             summary="发布应急预案（新版本取代旧版本；同一版本号不可重复）")
def emergency_plan_create(request: HttpRequest, payload: EmergencyPlanIn) -> Any:
    proj = _project(request, payload.project_id)
    p = actions.issue_emergency_plan(project=proj, acting_user=access.acting_user(request), now=clock.now(),
                                     **payload.dict(exclude={"project_id"}))
    return Status(201, {"id": p.pk, "project_id": p.project_id, "emergency": p.emergency, "version": p.version,
                        "issued_on": p.issued_on, "organisation": p.organisation, "current": True})

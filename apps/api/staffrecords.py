"""REST endpoints of the staff records (SPEC M19), mounted at /api/v1/staff-records. Thin: who may see
what from apps.staffrecords.access, writes through apps.staffrecords.actions (refusals answer
``{"error": {code, message, fields}}``)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from apps.core.api_errors import ERRORS, ApiError
from apps.core.validation import SaneDate
from apps.estates.masking import mask_name
from apps.estates.models import Building, Person
from apps.org.models import AnnualAppraisal, Membership, TakeoverInspection, TrainingAttendance, TrainingSession, User
from apps.staffrecords import access, actions, queries
from apps.staffrecords.models import BuildingPatrol, Certificate, ExpiryState, ServiceContract
from linli import clock

router = Router(tags=["staff-records"])

KindLiteral = Literal["property_management", "post", "electrician", "special_operation", "fire_safety", "health",
                      "other"]  # CertificateKind


class CertificateOut(Schema):
    id: int
    holder_id: int
    holder: str
    kind: str
    name: str
    number: str
    issuer: str
    issued_on: dt.date
    valid_until: dt.date | None
    note: str
    state: str


class CertificateIn(Schema):
    holder_id: int
    kind: KindLiteral
    name: str
    number: str
    issuer: str
    issued_on: SaneDate
    valid_until: SaneDate | None = None
    note: str = ""


class CertificatePatch(Schema):
    holder_id: int | None = None
    kind: KindLiteral | None = None
    name: str | None = None
    number: str | None = None
    issuer: str | None = None
    issued_on: SaneDate | None = None
    valid_until: SaneDate | None = None
    note: str | None = None
    reason: str = ""


def _out(c: Certificate, today: dt.date) -> dict[str, Any]:
    return {"id": c.pk, "holder_id": c.holder_id, "holder": str(c.holder), "kind": c.kind, "name": c.name,
            "number": c.number, "issuer": c.issuer, "issued_on": c.issued_on, "valid_until": c.valid_until,
            "note": c.note, "state": c.state_on(today)}


def _today() -> dt.date:
    return clock.local(clock.now()).date()


def _holder(request: HttpRequest, holder_id: int) -> User:
    holder = access.staff_in_scope(request.user).filter(pk=holder_id).first()
    if holder is None:
        raise ApiError(422, "invalid", "员工不存在或不在您管理的范围内", {"holder_id": ["员工不存在或不在您管理的范围内"]})
    return holder


@router.get("/certificates", response={200: list[CertificateOut], **ERRORS},
            summary="员工证书（含到期状态：valid / expiring / expired）")
def certificate_list(request: HttpRequest, state: Literal["valid", "expiring", "expired"] | None = None,
                     holder: int | None = None, limit: int = Query(200, ge=1, le=1000)) -> Any:
    today = _today()
    qs = access.visible_certificates(request.user).select_related("holder")
    if state is not None:
        qs = queries.by_state(qs, ExpiryState(state), today)
    if holder is not None:
        qs = qs.filter(holder_id=holder)
    return [_out(c, today) for c in qs.order_by("valid_until", "id")[:limit]]


@router.post("/certificates", response={201: CertificateOut, **ERRORS}, summary="登记员工证书")
def certificate_add(request: HttpRequest, payload: CertificateIn) -> Any:
    if not access.can_manage(request.user):
        raise ApiError(403, "forbidden", "只有办公室主任或管理处经理可以登记员工证书")
    data = payload.model_dump()
    data["holder"] = _holder(request, data.pop("holder_id"))
    cert = actions.add_certificate(acting_user=access.acting_user(request), now=clock.now(), **data)
    return Status(201, _out(cert, _today()))


@router.patch("/certificates/{int:cert_id}", response={200: CertificateOut, **ERRORS}, summary="修改/换证")
def certificate_update(request: HttpRequest, cert_id: int, payload: CertificatePatch) -> Any:
    if not access.can_manage(request.user):
        raise ApiError(403, "forbidden", "只有办公室主任或管理处经理可以修改员工证书")
    cert = access.visible_certificates(request.user).filter(pk=cert_id).first()
    if cert is None:
        raise ApiError(404, "not_found", "证书不存在")
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "")
    if "holder_id" in data:
        data["holder"] = _holder(request, data.pop("holder_id"))
    cert = actions.update_certificate(certificate=cert, acting_user=access.acting_user(request), now=clock.now(),
                                      reason=reason, **data)
    return _out(cert, _today())


class DirectoryPostOut(Schema):
    role: str
    project: str | None
    department: str | None


class DirectoryEntryOut(Schema):
    id: int
    name: str
    phone: str
    extension: str
    employee_no: str
    posts: list[DirectoryPostOut]


class DirectoryEntryPatch(Schema):
    phone: str | None = None
    extension: str | None = None
    employee_no: str | None = None


def _entry(u: User) -> dict[str, Any]:
    return {"id": u.pk, "name": str(u), "phone": u.phone, "extension": u.extension, "employee_no": u.employee_no,
            "posts": [{"role": m.get_role_display(), "project": m.project.name if m.project else None,
                       "department": m.department.name if m.department else None}
                      for m in getattr(u, "posts", [])]}


def _people(request: HttpRequest) -> Any:
    return access.directory_people(request.user).prefetch_related(Prefetch(
        "memberships", queryset=Membership.objects.select_related("project", "department").order_by(
            "project__code", "role", "pk"), to_attr="posts"))


@router.get("/directory", response={200: list[DirectoryEntryOut], **ERRORS},
            summary="内部通讯录（办公室主任：全公司；管理处经理：本项目；其他员工：本人）")
def directory_list(request: HttpRequest, q: str = "", limit: int = Query(200, ge=1, le=1000)) -> Any:
    qs = _people(request)
    q = q.strip()[:50]
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(extension__icontains=q))
    return [_entry(u) for u in qs.order_by("display_name", "username", "pk")[:limit]]


@router.patch("/directory/{int:user_id}", response={200: DirectoryEntryOut, **ERRORS}, summary="修改手机/分机/工号")
def directory_update(request: HttpRequest, user_id: int, payload: DirectoryEntryPatch) -> Any:
    person = access.directory_people(request.user).filter(pk=user_id).first()
    if person is None:
        raise ApiError(404, "not_found", "员工不存在或不在您管理的范围内")
    actions.update_directory_entry(person=person, acting_user=access.acting_user(request), now=clock.now(),
                                   **{k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None})
    return _entry(_people(request).get(pk=user_id))


TopicLiteral = Literal["etiquette", "technical", "safety", "feedback", "certification", "other"]  # TrainingTopic


class TrainingAttendeeOut(Schema):
    user_id: int
    name: str
    attended: bool
    passed: bool | None


class TrainingSessionOut(Schema):
    id: int
    project_id: int | None
    title: str
    topic: str
    planned_on: dt.date
    held_at: dt.datetime | None
    trainer: str
    notes: str
    attendees: list[TrainingAttendeeOut]


class TrainingSessionIn(Schema):
    project_id: int | None = None
    title: str
    topic: TopicLiteral
    planned_on: SaneDate
    trainer: str = ""
    notes: str = ""
    attendee_ids: list[int]


class TrainingRecordIn(Schema):
    held_at: dt.datetime
    attended: list[int] = []
    passed: list[int] = []
    notes: str | None = None


def _session(s: TrainingSession, user: Any, keeps: Any = None) -> dict[str, Any]:
    rows = list(s.attendances.all())
    if not (keeps or access.training_keeper(user))(s):
        rows = [a for a in rows if a.user_id == user.pk]
    return {"id": s.pk, "project_id": s.project_id, "title": s.title, "topic": s.topic, "planned_on": s.planned_on,
            "held_at": s.held_at, "trainer": s.trainer, "notes": s.notes,
            "attendees": [{"user_id": a.user_id, "name": str(a.user), "attended": a.attended, "passed": a.passed}
                          for a in rows]}


def _sessions(request: HttpRequest) -> Any:
    return access.visible_trainings(request.user).prefetch_related(Prefetch(
        "attendances", queryset=TrainingAttendance.objects.select_related("user").order_by("user__username")))


@router.get("/training", response={200: list[TrainingSessionOut], **ERRORS},
            summary="培训计划与签到（管理者：本范围；其他员工：本人参加的培训）")
def training_list(request: HttpRequest, state: Literal["planned", "held"] | None = None,
                  limit: int = Query(100, ge=1, le=500)) -> Any:
    qs = _sessions(request)
    if state is not None:
        qs = qs.filter(held_at__isnull=state == "planned")
    keeps = access.training_keeper(request.user)
    return [_session(s, request.user, keeps) for s in qs.order_by("-planned_on", "-id")[:limit]]


@router.post("/training", response={201: TrainingSessionOut, **ERRORS}, summary="安排培训")
def training_add(request: HttpRequest, payload: TrainingSessionIn) -> Any:
    if not access.can_manage(request.user):
        raise ApiError(403, "forbidden", "只有办公室主任或管理处经理可以安排培训")
    project = None
    if payload.project_id is not None:
        project = access.kept_projects(request.user).filter(pk=payload.project_id).first()
        if project is None:
            raise ApiError(422, "invalid", "项目不存在或不在您管理的范围内", {"project_id": ["项目不存在或不在您管理的范围内"]})
    people = list(access.staff_in_scope(request.user).filter(pk__in=payload.attendee_ids))
    if len(people) != len(set(payload.attendee_ids)):
        raise ApiError(422, "invalid", "员工不存在或不在您管理的范围内", {"attendee_ids": ["员工不存在或不在您管理的范围内"]})
    s = actions.plan_training(acting_user=access.acting_user(request), now=clock.now(), project=project,
                              title=payload.title, topic=payload.topic, planned_on=payload.planned_on,
                              trainer=payload.trainer, notes=payload.notes, attendees=people)
    return Status(201, _session(_sessions(request).get(pk=s.pk), request.user))


@router.post("/training/{int:session_id}/record", response={200: TrainingSessionOut, **ERRORS},
             summary="登记培训举办时间与签到")
def training_record(request: HttpRequest, session_id: int, payload: TrainingRecordIn) -> Any:
    if not access.can_manage(request.user):
        raise ApiError(403, "forbidden", "只有办公室主任或管理处经理可以登记培训签到")
    s = access.visible_trainings(request.user).filter(pk=session_id).first()
    if s is None:
        raise ApiError(404, "not_found", "培训不存在")
    actions.record_training(session=s, acting_user=access.acting_user(request), now=clock.now(),
                            held_at=payload.held_at, attended=payload.attended, passed=payload.passed,
                            notes=payload.notes)
    return _session(_sessions(request).get(pk=s.pk), request.user)


class ServiceContractOut(Schema):
    id: int
    project_id: int
    household: str
    owner_id: int
    owner: str
    number: str
    signed_on: dt.date
    valid_until: dt.date | None
    note: str


class ServiceContractIn(Schema):
    owner_id: int
    number: str
    signed_on: SaneDate
    valid_until: SaneDate | None = None
    note: str = ""


class ServiceContractPatch(Schema):
    owner_id: int | None = None
    number: str | None = None
    signed_on: SaneDate | None = None
    valid_until: SaneDate | None = None
    note: str | None = None
    reason: str


class ServiceContractChangeOut(Schema):
    id: int
    changed_at: dt.datetime
    changed_by: str
    before: dict[str, str]
    after: dict[str, str]
    reason: str


class TakeoverInspectionOut(Schema):
    id: int
    project_id: int
    inspected_on: dt.date
    scope: str
    findings: str
    documents_complete: bool
    accepted: bool
    inspected_by: str
    notes: str


class TakeoverInspectionIn(Schema):
    project_id: int
    inspected_on: SaneDate
    scope: str
    findings: str = ""
    documents_complete: bool = False
    accepted: bool = False
    inspected_by: str
    notes: str = ""


def _contract(c: ServiceContract) -> dict[str, Any]:
    return {"id": c.pk, "project_id": c.project_id, "household": c.household.label, "owner_id": c.owner_id,
            "owner": mask_name(c.owner.name), "number": c.number, "signed_on": c.signed_on,
            "valid_until": c.valid_until, "note": c.note}


def _takeover(t: TakeoverInspection) -> dict[str, Any]:
    return {"id": t.pk, "project_id": t.project_id, "inspected_on": t.inspected_on, "scope": t.scope,
            "findings": t.findings, "documents_complete": t.documents_complete, "accepted": t.accepted,
            "inspected_by": t.inspected_by, "notes": t.notes}


def _keeper(request: HttpRequest) -> None:
    if not access.can_manage(request.user):
        raise ApiError(403, "forbidden", "只有办公室主任或管理处经理可以查看和登记")


@router.get("/contracts", response={200: list[ServiceContractOut], **ERRORS}, summary="物业服务合同（业主姓名脱敏）")
def contract_list(request: HttpRequest, project: int | None = None, limit: int = Query(200, ge=1, le=1000)) -> Any:
    _keeper(request)
    qs = access.visible_contracts(request.user).select_related("household", "owner")
    if project is not None:
        qs = qs.filter(project_id=project)
    return [_contract(c) for c in qs.order_by("project_id", "-signed_on", "-id")[:limit]]


@router.post("/contracts", response={201: ServiceContractOut, **ERRORS}, summary="登记物业服务合同")
def contract_add(request: HttpRequest, payload: ServiceContractIn) -> Any:
    _keeper(request)
    owner = Person.objects.filter(pk=payload.owner_id, project__in=access.kept_projects(request.user)).first()
    if owner is None:
        raise ApiError(422, "invalid", "业主不存在或不在您管理的范围内", {"owner_id": ["业主不存在或不在您管理的范围内"]})
    data = payload.model_dump()
    data.pop("owner_id")
    c = actions.add_service_contract(acting_user=access.acting_user(request), now=clock.now(), owner=owner, **data)
    return Status(201, _contract(c))


@router.patch("/contracts/{int:contract_id}", response={200: ServiceContractOut, **ERRORS},
              summary="更正物业服务合同（须填写更正原因，保留更正记录）")
def contract_update(request: HttpRequest, contract_id: int, payload: ServiceContractPatch) -> Any:
    _keeper(request)
    contract = access.visible_contracts(request.user).filter(pk=contract_id).first()
    if contract is None:
        raise ApiError(404, "not_found", "合同不存在")
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason")
    for name in ("number", "signed_on"):
        if name in data and data[name] is None:
            data.pop(name)
    if "note" in data and data["note"] is None:
        data["note"] = ""
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        owner = Person.objects.filter(pk=owner_id, project__in=access.kept_projects(request.user)).first()
        if owner_id is not None and owner is None:
            raise ApiError(422, "invalid", "业主不存在或不在您管理的范围内", {"owner_id": ["业主不存在或不在您管理的范围内"]})
        if owner is not None:
            data["owner"] = owner
    c = actions.update_service_contract(contract=contract, acting_user=access.acting_user(request), now=clock.now(),
                                        reason=reason, **data)
    return _contract(access.visible_contracts(request.user).select_related("household", "owner").get(pk=c.pk))


@router.get("/contracts/{int:contract_id}/changes", response={200: list[ServiceContractChangeOut], **ERRORS},
            summary="物业服务合同的更正记录（谁、何时、改了什么、原因）")
def contract_changes(request: HttpRequest, contract_id: int) -> Any:
    _keeper(request)
    contract = access.visible_contracts(request.user).filter(pk=contract_id).first()
    if contract is None:
        raise ApiError(404, "not_found", "合同不存在")
    return [{"id": ch.pk, "changed_at": ch.changed_at, "changed_by": str(ch.changed_by), "before": ch.before,
             "after": ch.after, "reason": ch.reason}
            for ch in contract.changes.select_related("changed_by").order_by("-changed_at", "-id")]


@router.get("/takeovers", response={200: list[TakeoverInspectionOut], **ERRORS}, summary="接管验收记录")
def takeover_list(request: HttpRequest, project: int | None = None) -> Any:
    _keeper(request)
    qs = access.visible_takeovers(request.user)
    if project is not None:
        qs = qs.filter(project_id=project)
    return [_takeover(t) for t in qs.order_by("project_id", "-inspected_on", "-id")[:500]]


@router.post("/takeovers", response={201: TakeoverInspectionOut, **ERRORS}, summary="登记接管验收")
def takeover_add(request: HttpRequest, payload: TakeoverInspectionIn) -> Any:
    _keeper(request)
    project = access.kept_projects(request.user).filter(pk=payload.project_id).first()
    if project is None:
        raise ApiError(422, "invalid", "项目不存在或不在您管理的范围内", {"project_id": ["项目不存在或不在您管理的范围内"]})
    data = payload.model_dump()
    data.pop("project_id")
    t = actions.add_takeover_inspection(acting_user=access.acting_user(request), now=clock.now(), project=project,
                                        **data)
    return Status(201, _takeover(t))


class BuildingPatrolOut(Schema):
    id: int
    project_id: int
    building_id: int
    building: str
    steward_id: int
    steward: str
    patrolled_at: dt.datetime
    cleaning_ok: bool
    security_ok: bool
    facilities_ok: bool
    signage_ok: bool
    decoration_ok: bool
    findings: str
    ticket_id: int | None
    ticket_number: str | None


class BuildingPatrolIn(Schema):
    building_id: int
    patrolled_at: dt.datetime
    cleaning_ok: bool = True
    security_ok: bool = True
    facilities_ok: bool = True
    signage_ok: bool = True
    decoration_ok: bool = True
    findings: str = ""
    needs_action: bool | None = Field(None, description="需要处理（转内部工单）；不填时有异常项即转")


def _patrol(p: BuildingPatrol) -> dict[str, Any]:
    return {"id": p.pk, "project_id": p.project_id, "building_id": p.building_id, "building": p.building.name,
            "steward_id": p.steward_id, "steward": str(p.steward), "patrolled_at": p.patrolled_at,
            "cleaning_ok": p.cleaning_ok, "security_ok": p.security_ok, "facilities_ok": p.facilities_ok,
            "signage_ok": p.signage_ok, "decoration_ok": p.decoration_ok, "findings": p.findings,
            "ticket_id": p.ticket_id, "ticket_number": p.ticket.number if p.ticket else None}


@router.get("/patrols", response={200: list[BuildingPatrolOut], **ERRORS},
            summary="楼宇巡查记录（管理者：本范围；楼宇员/管家：本人）")
def patrol_list(request: HttpRequest, project: int | None = None, limit: int = Query(200, ge=1, le=1000)) -> Any:
    qs = access.visible_patrols(request.user).select_related("building", "steward", "ticket")
    if project is not None:
        qs = qs.filter(project_id=project)
    return [_patrol(p) for p in qs.order_by("-patrolled_at", "-id")[:limit]]


@router.post("/patrols", response={201: BuildingPatrolOut, **ERRORS}, summary="登记楼宇巡查")
def patrol_add(request: HttpRequest, payload: BuildingPatrolIn) -> Any:
    building = Building.objects.filter(pk=payload.building_id,
                                       project__in=access.patrol_projects(request.user)).select_related("project").first()
    if building is None:
        raise ApiError(403, "forbidden", "只有本项目的客服楼宇员或管家可以登记楼宇巡查")
    data = payload.model_dump()
    data.pop("building_id")
    p = actions.record_patrol(acting_user=access.acting_user(request), now=clock.now(), building=building, **data)
    return Status(201, _patrol(p))


@router.post("/patrols/{int:patrol_id}/ticket", response={201: BuildingPatrolOut, **ERRORS},
             summary="巡查发现转内部工单")
def patrol_ticket(request: HttpRequest, patrol_id: int) -> Any:
    patrol = access.visible_patrols(request.user).filter(pk=patrol_id).first()
    if patrol is None:
        raise ApiError(404, "not_found", "巡查记录不存在")
    actions.patrol_to_ticket(patrol=patrol, acting_user=access.acting_user(request), now=clock.now())
    return Status(201, _patrol(BuildingPatrol.objects.select_related("building", "steward", "ticket").get(pk=patrol.pk)))


# ---------------------------------------------------------------- 年度考评 (R-M8-18, R-M19-10)
class AppraisalOut(Schema):
    id: int
    staff_id: int
    staff: str
    project_id: int
    year: int
    evidence: dict[str, int]
    result: str
    comment: str
    training: str
    appraised_by: str
    appraised_at: dt.datetime


class AppraisalIn(Schema):
    staff_id: int = Field(..., ge=1, le=2**31 - 1)
    project_id: int = Field(..., ge=1, le=2**31 - 1)
    year: int = Field(..., ge=2000, le=2100)
    result: Literal["passed", "improve", "failed"]  # AppraisalResult
    comment: str
    training: str = ""


def _appraisal(a: AnnualAppraisal) -> dict[str, Any]:
    return {"id": a.pk, "staff_id": a.staff_id, "staff": str(a.staff), "project_id": a.project_id, "year": a.year,
            "evidence": a.evidence, "result": a.result, "comment": a.comment, "training": a.training,
            "appraised_by": str(a.appraised_by), "appraised_at": a.appraised_at}


@router.get("/appraisals", response={200: list[AppraisalOut], **ERRORS},
            summary="年度考评（管理者：所管项目；其他人：本人）")
def appraisal_list(request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100),
                   limit: int = Query(100, ge=1, le=500)) -> Any:
    qs = access.visible_appraisals(request.user).select_related("staff", "appraised_by")
    if year is not None:
        qs = qs.filter(year=year)
    return [_appraisal(a) for a in qs.order_by("-year", "-appraised_at", "-id")[:limit]]


@router.post("/appraisals", response={201: AppraisalOut, **ERRORS}, summary="登记年度考评")
def appraisal_add(request: HttpRequest, payload: AppraisalIn) -> Any:
    if not access.can_manage(request.user):
        raise ApiError(403, "forbidden", "只有管理处经理、客服经理、客服主管或办公室主任可以登记年度考评")
    a = actions.appraise_annually(
        acting_user=access.acting_user(request), now=clock.now(),
        staff=access.staff_in_scope(request.user).filter(pk=payload.staff_id).first(),
        project=access.kept_projects(request.user).filter(pk=payload.project_id).first(), year=payload.year,
        result=payload.result, comment=payload.comment, training=payload.training)
    return Status(201, _appraisal(a))

"""REST endpoints of the audits app (mounted at /api/v1/audits). Thin: reads from queries, who may see
what from access, writes through actions (refusals answer ``{"error": {code, message, fields}}``)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from apps.audits import access, actions, queries
from apps.audits.models import Audit, AuditFinding, AuditKind, StandardRow, StandardVersion
from apps.core.api_errors import ERRORS, ApiError
from apps.core.validation import SaneDate
from apps.org.access import visible_projects
from apps.org.models import Company, User
from linli import clock

router = Router(tags=["audits"])


class FindingOut(Schema):
    id: int
    item: str
    text: str
    result: str
    count: int
    note: str
    evidence_url: str
    suggested: str
    suggestion_summary: str
    suggestion_evidence: list[dict[str, str]]
    overridden: bool
    override_reason: str
    responsible_id: int | None
    ncr_id: int | None


class RowOut(Schema):
    code: str
    label: str
    check_method: str
    evidence_link: str
    deduction: Decimal
    findings: list[FindingOut]


class IndicatorOut(Schema):
    name: str
    points: Decimal
    score: Decimal
    rows: list[RowOut]


class AuditOut(Schema):
    id: int
    project_id: int
    kind: str
    version_id: int
    audited_on: dt.date
    period_start: dt.date
    period_end: dt.date
    auditor: str
    status: str
    score: Decimal | None
    max_score: Decimal
    current_score: Decimal
    indicators: list[IndicatorOut]


class AuditListOut(Schema):
    id: int
    project_id: int
    kind: str
    audited_on: dt.date
    status: str
    score: Decimal | None
    max_score: Decimal


class AuditIn(Schema):
    project_id: int
    kind: Literal["supervision", "monthly", "quarterly"] = "supervision"
    version_id: int | None = None
    audited_on: SaneDate
    period_start: SaneDate
    period_end: SaneDate


class AnswerIn(Schema):
    result: Literal["conform", "nonconform", "na"]
    count: int = 1
    note: str = ""
    evidence_url: str = ""
    override_reason: str = ""
    responsible_id: int | None = None
    revise_reason: str = ""


class CompleteIn(Schema):
    summary: str = ""


class ConfirmOut(Schema):
    confirmed: int


class VersionOut(Schema):
    id: int
    name: str
    version: str
    purpose: str
    is_default: bool
    total_points: Decimal
    in_use: bool


class RowIn(Schema):
    reason: str
    check_method: str | None = None
    mode: Literal["per_item", "per_behaviour", "by_count"] | None = None
    per_item: Decimal | None = None
    cap: Decimal | None = None
    count_deductions: dict[str, Decimal] | None = None


def _finding(f: AuditFinding) -> dict[str, Any]:
    return {"id": f.pk, "item": f.item.code, "text": f.item.text, "result": f.result, "count": f.count,
            "note": f.note, "evidence_url": f.evidence_url, "suggested": f.suggested,
            "suggestion_summary": f.suggestion_summary, "suggestion_evidence": f.suggestion_evidence,
            "overridden": f.overridden, "override_reason": f.override_reason, "responsible_id": f.responsible_id,
            "ncr_id": f.ncr_id}


def _out(audit: Audit) -> dict[str, Any]:
    card = queries.score_audit(audit)
    return {"id": audit.pk, "project_id": audit.project_id, "kind": audit.kind, "version_id": audit.version_id,
            "audited_on": audit.audited_on, "period_start": audit.period_start, "period_end": audit.period_end,
            "auditor": str(audit.auditor), "status": audit.status, "score": audit.score, "max_score": audit.max_score,
            "current_score": card.total,
            "indicators": [{"name": i.name, "points": i.points, "score": i.score,
                            "rows": [{"code": r.code, "label": r.label, "check_method": r.check_method,
                                      "evidence_link": r.evidence_link, "deduction": r.deduction,
                                      "findings": [_finding(f) for f in r.findings]} for r in i.rows]}
                           for i in card.indicators]}


def _audit(request: HttpRequest, audit_id: int) -> Audit:
    audit = access.visible_audits(request.user).select_related("project", "auditor").filter(pk=audit_id).first()
    if audit is None:
        raise ApiError(404, "not_found", "审核不存在")
    return audit


@router.get("/", response={200: list[AuditListOut], **ERRORS}, summary="审核记录（按项目、类型筛选）")
def audit_list(request: HttpRequest, project: int | None = None,
               kind: Literal["supervision", "monthly", "quarterly"] | None = None,
               limit: int = Query(100, ge=1, le=500)) -> Any:
    qs = access.visible_audits(request.user).order_by("-audited_on", "-id")
    if project is not None:
        qs = qs.filter(project_id=project)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return list(qs[:limit])


@router.get("/ranking", response={200: list[AuditListOut], **ERRORS}, summary="项目排名（最近一次已完成的审核）")
def ranking(request: HttpRequest, kind: Literal["supervision", "monthly", "quarterly"] = "supervision") -> Any:
    return queries.ranking(access.visible_audits(request.user), kind)


@router.post("/", response={201: AuditOut, **ERRORS}, summary="开始审核 / 公司检查（含系统预检）")
def audit_open(request: HttpRequest, payload: AuditIn) -> Any:
    project = visible_projects(request.user).filter(pk=payload.project_id).first()
    if project is None:
        raise ApiError(404, "not_found", "项目不存在", {"project_id": ["项目不存在或无权访问"]})
    version = None
    if payload.version_id is not None:
        version = StandardVersion.objects.filter(pk=payload.version_id, company_id=project.company_id).first()
        if version is None:
            raise ApiError(422, "invalid", "标准版本不存在", {"version_id": ["标准版本不存在"]})
    audit = actions.open_audit(project=project, kind=payload.kind or AuditKind.SUPERVISION, version=version,
                               audited_on=payload.audited_on, period_start=payload.period_start,
                               period_end=payload.period_end, acting_user=access.acting_user(request),
                               now=_now())
    return Status(201, _out(audit))


def _now() -> dt.datetime:
    return clock.now()


@router.get("/{int:audit_id}", response={200: AuditOut, **ERRORS}, summary="审核详情与得分")
def audit_detail(request: HttpRequest, audit_id: int) -> Any:
    return _out(_audit(request, audit_id))


@router.post("/{int:audit_id}/findings/{finding_id}", response={200: AuditOut, **ERRORS}, summary="作答一个检查项")
def answer(request: HttpRequest, audit_id: int, finding_id: int, payload: AnswerIn) -> Any:
    audit = _audit(request, audit_id)
    finding = AuditFinding.objects.filter(pk=finding_id, audit=audit).first()
    if finding is None:
        raise ApiError(404, "not_found", "检查项不存在")
    responsible = None
    if payload.responsible_id is not None:
        responsible = User.objects.filter(pk=payload.responsible_id, is_active=True).first()
        if responsible is None:
            raise ApiError(422, "invalid", "责任人不存在", {"responsible_id": ["责任人不存在"]})
    actions.answer_item(finding=finding, result=payload.result, count=payload.count, note=payload.note,
                        evidence_url=payload.evidence_url, override_reason=payload.override_reason,
                        responsible=responsible, revise_reason=payload.revise_reason,
                        acting_user=access.acting_user(request), now=_now())
    return _out(_audit(request, audit_id))


@router.post("/{int:audit_id}/confirm-suggestions", response={200: ConfirmOut, **ERRORS},
             summary="确认全部未作答的系统预检结果")
def confirm(request: HttpRequest, audit_id: int) -> Any:
    n = actions.confirm_suggestions(audit=_audit(request, audit_id), acting_user=access.acting_user(request),
                                    now=_now())
    return {"confirmed": n}


@router.post("/{int:audit_id}/complete", response={200: AuditOut, **ERRORS}, summary="完成审核（计算得分）")
def complete(request: HttpRequest, audit_id: int, payload: CompleteIn) -> Any:
    audit = actions.complete_audit(audit=_audit(request, audit_id), summary=payload.summary,
                                   acting_user=access.acting_user(request), now=_now())
    return _out(audit)


class NcrIn(Schema):
    beyond_authority_reason: str


class FindingNcrOut(Schema):
    finding_id: int
    ncr_id: int
    ncr_number: str
    ticket_id: int
    status: str


@router.post("/{int:audit_id}/findings/{finding_id}/ncr", response={201: FindingNcrOut, **ERRORS},
             summary="不符合项提出不合格报告（待管理者代表签发）")
def raise_ncr(request: HttpRequest, audit_id: int, finding_id: int, payload: NcrIn) -> Any:
    audit = _audit(request, audit_id)
    finding = AuditFinding.objects.filter(pk=finding_id, audit=audit).first()
    if finding is None:
        raise ApiError(404, "not_found", "检查项不存在")
    report = actions.raise_ncr_for_finding(finding=finding, beyond_authority_reason=payload.beyond_authority_reason,
                                           acting_user=access.acting_user(request), now=_now())
    return Status(201, {"finding_id": finding.pk, "ncr_id": report.pk, "ncr_number": report.number,
                        "ticket_id": report.ticket_id, "status": report.status})


def _versions(request: HttpRequest) -> Any:
    if not (access.can_manage_standard(request.user) or access.audit_projects(request.user)):
        raise ApiError(403, "forbidden", "没有权限查看督导标准")
    return StandardVersion.objects.filter(company_id=access.company_of(request.user) or 0)


@router.get("/standards", response={200: list[VersionOut], **ERRORS}, summary="督导标准版本")
def standards(request: HttpRequest) -> Any:
    return [{"id": v.pk, "name": v.name, "version": v.version, "purpose": v.purpose, "is_default": v.is_default,
             "total_points": v.total_points, "in_use": v.in_use} for v in _versions(request)]


@router.post("/standards/import", response={201: VersionOut, **ERRORS}, summary="导入督导标准版本（Excel）")
def standard_import(request: HttpRequest, name: Form[str], version: Form[str], file: File[UploadedFile],
                    purpose: Form[str] = "supervision") -> Any:
    company = Company.objects.filter(pk=access.company_of(request.user) or 0).first()
    if company is None:
        raise ApiError(403, "forbidden", "只有品质管理部可以维护督导标准")
    v = actions.import_standard(company=company, purpose=purpose, name=name, version=version, stream=file,
                                acting_user=access.acting_user(request), now=_now())
    return Status(201, {"id": v.pk, "name": v.name, "version": v.version, "purpose": v.purpose,
                        "is_default": v.is_default, "total_points": v.total_points, "in_use": False})


@router.post("/standards/rows/{row_id}", response={200: VersionOut, **ERRORS},
             summary="修改未被使用的标准版本中的条目")
def row_update(request: HttpRequest, row_id: int, payload: RowIn) -> Any:
    row = StandardRow.objects.filter(pk=row_id, indicator__version__in=_versions(request)).first()
    if row is None:
        raise ApiError(404, "not_found", "条目不存在")
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason")
    actions.update_row(row=row, changes=data, reason=reason, acting_user=access.acting_user(request), now=_now())
    v = row.indicator.version
    return {"id": v.pk, "name": v.name, "version": v.version, "purpose": v.purpose, "is_default": v.is_default,
            "total_points": v.total_points, "in_use": v.in_use}

"""REST endpoints of the 《不合格/纠正、预防措施报告》 (mounted at /api/v1/quality). Thin: each calls an
action of apps.quality.actions; errors keep the action's code, Chinese message and HTTP status."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status

from apps.core.api_errors import ERRORS, ApiError
from apps.org.models import Department
from apps.quality import access as ncr_access
from apps.quality import actions, queries
from apps.quality.models import NcrEvent, NcrStatus, NonconformityReport
from apps.tickets.access import TicketNotFound, access_ticket, staff_user
from linli import clock

router = Router(tags=["quality"])


class NcrEventOut(Schema):
    at: dt.datetime
    kind: str
    kind_label: str
    by: str | None
    message: str


class NcrOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    project_id: int
    ticket_id: int
    ticket_number: str
    department_id: int | None
    nonconformity: str
    beyond_authority_reason: str
    cause_analysis: str
    correction: str
    corrective_action: str
    preventive_action: str
    raised_by: str
    raised_at: dt.datetime
    return_reason: str
    signed_by: str | None
    signed_at: dt.datetime | None
    sign_opinion: str
    verified_by: str | None
    verified_at: dt.datetime | None
    effectiveness_note: str
    handling_blocked: bool
    events: list[NcrEventOut]


class RaiseIn(Schema):
    nonconformity: str
    beyond_authority_reason: str
    department_id: int | None = None
    cause_analysis: str = ""
    correction: str = ""
    corrective_action: str = ""
    preventive_action: str = ""


class UpdateIn(Schema):
    nonconformity: str | None = None
    beyond_authority_reason: str | None = None
    cause_analysis: str | None = None
    correction: str | None = None
    corrective_action: str | None = None
    preventive_action: str | None = None


class SignIn(Schema):
    opinion: str


class ReasonIn(Schema):
    reason: str


class VerifyIn(Schema):
    note: str
    effective: bool = True


def _who(user: Any) -> str | None:
    return str(user) if user is not None else None


def _loaded(qs: QuerySet[NonconformityReport]) -> QuerySet[NonconformityReport]:
    """What :func:`_out` reads, in a fixed number of queries however many reports."""
    return qs.select_related("ticket", "raised_by", "signed_by", "verified_by").prefetch_related(
        Prefetch("events", queryset=NcrEvent.objects.select_related("acting_user").order_by("at", "id")))


def _fresh(report: NonconformityReport) -> NonconformityReport:
    return _loaded(NonconformityReport.objects.filter(pk=report.pk)).get()


def _out(r: NonconformityReport) -> dict[str, Any]:
    """``r`` loaded through :func:`_loaded` (no further queries)."""
    return {
        "id": r.pk, "number": r.number, "status": r.status, "status_label": r.get_status_display(),
        "project_id": r.project_id, "ticket_id": r.ticket_id, "ticket_number": r.ticket.number,
        "department_id": r.department_id, "nonconformity": r.nonconformity,
        "beyond_authority_reason": r.beyond_authority_reason, "cause_analysis": r.cause_analysis,
        "correction": r.correction, "corrective_action": r.corrective_action,
        "preventive_action": r.preventive_action, "raised_by": str(r.raised_by), "raised_at": r.raised_at,
        "return_reason": r.return_reason, "signed_by": _who(r.signed_by), "signed_at": r.signed_at,
        "sign_opinion": r.sign_opinion, "verified_by": _who(r.verified_by), "verified_at": r.verified_at,
        "effectiveness_note": r.effectiveness_note, "handling_blocked": r.blocks_handling,
        "events": [{"at": e.at, "kind": e.kind, "kind_label": e.get_kind_display(), "by": _who(e.acting_user),
                    "message": e.message} for e in r.events.all()],
    }


def _report(request: HttpRequest, report_id: int) -> NonconformityReport:
    report = ncr_access.visible_reports(request.user).select_related("project").filter(pk=report_id).first()
    if report is None:
        raise ApiError(404, "not_found", "报告不存在")
    return report


@router.get("/ncr", response={200: list[NcrOut], **ERRORS}, summary="不合格报告列表（管理者代表：待签发在前）")
def ncr_list(request: HttpRequest, status: NcrStatus | None = None, project: int | None = None) -> Any:
    qs = queries.list_for(request.user, status=status.value if status else "", project_id=project)
    return [_out(r) for r in _loaded(qs)[:100]]


@router.get("/ncr/{report_id}", response={200: NcrOut, **ERRORS}, summary="不合格报告")
def ncr_detail(request: HttpRequest, report_id: int) -> Any:
    return _out(_fresh(_report(request, report_id)))


@router.post("/tickets/{ticket_id}/ncr", response={201: NcrOut, **ERRORS},
             summary="提出不合格报告（部门经理 → 管理者代表）")
def ncr_raise(request: HttpRequest, ticket_id: int, payload: RaiseIn) -> Any:
    try:
        ticket = access_ticket(request.user, ticket_id)
    except TicketNotFound:
        raise ApiError(404, "not_found", "工单不存在") from None
    data = payload.dict()
    department = None
    department_id = data.pop("department_id")
    if department_id is not None:
        department = Department.objects.filter(pk=department_id).first()
        if department is None:
            raise ApiError(422, "invalid", "部门不存在", {"department_id": ["部门不存在"]})
    report = actions.raise_ncr(ticket=ticket, acting_user=staff_user(request), now=clock.now(), department=department,
                               **data)
    return Status(201, _out(_fresh(report)))


@router.post("/ncr/{report_id}/update", response={200: NcrOut, **ERRORS}, summary="填写/补充不合格报告")
def ncr_update(request: HttpRequest, report_id: int, payload: UpdateIn) -> Any:
    report = _report(request, report_id)
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    actions.update_ncr(report=report, acting_user=staff_user(request), now=clock.now(), **fields)
    return _out(_fresh(report))


@router.post("/ncr/{report_id}/sign", response={200: NcrOut, **ERRORS}, summary="管理者代表签发")
def ncr_sign(request: HttpRequest, report_id: int, payload: SignIn) -> Any:
    report = _report(request, report_id)
    actions.sign_ncr(report=report, opinion=payload.opinion, acting_user=staff_user(request), now=clock.now())
    return _out(_fresh(report))


@router.post("/ncr/{report_id}/return", response={200: NcrOut, **ERRORS}, summary="管理者代表退回补充")
def ncr_return(request: HttpRequest, report_id: int, payload: ReasonIn) -> Any:
    report = _report(request, report_id)
    actions.return_ncr(report=report, reason=payload.reason, acting_user=staff_user(request), now=clock.now())
    return _out(_fresh(report))


@router.post("/ncr/{report_id}/verify", response={200: NcrOut, **ERRORS}, summary="纠正措施效果验证")
def ncr_verify(request: HttpRequest, report_id: int, payload: VerifyIn) -> Any:
    report = _report(request, report_id)
    actions.verify_ncr(report=report, note=payload.note, effective=payload.effective, acting_user=staff_user(request),
                       now=clock.now())
    return _out(_fresh(report))


@router.post("/ncr/{report_id}/withdraw", response={200: NcrOut, **ERRORS}, summary="撤回尚未签发的报告")
def ncr_withdraw(request: HttpRequest, report_id: int, payload: ReasonIn) -> Any:
    report = _report(request, report_id)
    actions.withdraw_ncr(report=report, reason=payload.reason, acting_user=staff_user(request), now=clock.now())
    return _out(_fresh(report))


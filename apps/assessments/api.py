"""REST endpoints of the assessments app (mounted at /api/v1/assessments). Thin: reads from queries,
who may see what from access, writes through actions (refusals answer ``{"error": {…}}``)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from apps.assessments import access, actions, queries
from apps.assessments.models import CatalogueItem, StaffAssessment, SuggestedEntry
from apps.core.api_errors import ERRORS, ApiError
from apps.core.validation import SaneDate
from apps.org.access import visible_projects
from apps.org.models import User
from linli import clock

router = Router(tags=["assessments"])

SourceParam = Literal["department_check", "daily_inspection", "company_inspection", "customer_praise",
                      "customer_complaint", "manager_spot_check"]


class AssessmentEntryOut(Schema):
    id: int
    item: str | None
    source: str
    value: Decimal
    quantity: int
    points: Decimal
    occurred_on: dt.date
    note: str
    removed: bool
    disciplinary_referral: bool


class SheetOut(Schema):
    id: int
    employee_id: int
    employee: str
    project_id: int
    department: str | None
    period: str
    status: str
    starting_score: Decimal
    deducted: Decimal
    score: Decimal
    entries: list[AssessmentEntryOut] = []


class SheetIn(Schema):
    employee_id: int
    project_id: int
    period: str  # YYYY-MM


class EntryIn(Schema):
    item: str | None = None  # catalogue code, e.g. "1.4"; empty for a praise
    source: SourceParam
    value: Decimal | None = None
    quantity: int = 1
    occurred_on: SaneDate
    note: str = ""
    evidence_url: str = ""


class StepIn(Schema):
    note: str = ""
    reason: str = ""


class SuggestionOut(Schema):
    id: int
    employee_id: int
    project_id: int
    period: dt.date
    kind: str
    source: str
    occurred_at: dt.datetime
    summary: str
    url: str
    status: str


class AcceptIn(Schema):
    item: str | None = None
    value: Decimal | None = None
    quantity: int = 1
    note: str = ""


class DismissIn(Schema):
    reason: str


class ItemOut(Schema):
    code: str
    area: str
    behaviour: str
    min_points: Decimal | None
    max_points: Decimal | None
    unit: str
    outcome: str


#: 考核月份: a month from 2000-01 to 2099-12 (the schema says so, so a client can tell before it asks).
MONTH = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"


def _period(text: str) -> dt.date:
    try:
        year, month = text[:7].split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise ApiError(422, "invalid", "考核月份格式应为 YYYY-MM", {"period": ["考核月份格式应为 YYYY-MM"]}) from None


def _out(sheet: Any, with_entries: bool = True) -> dict[str, Any]:
    data = {"id": sheet.pk, "employee_id": sheet.employee_id, "employee": str(sheet.employee),
            "project_id": sheet.project_id, "department": sheet.department.name if sheet.department else None,
            "period": sheet.period.strftime("%Y-%m"), "status": sheet.status, "starting_score": sheet.starting_score,
            "deducted": sheet.deducted, "score": sheet.starting_score - sheet.deducted, "entries": []}
    if with_entries:
        data["entries"] = [{"id": e.pk, "item": e.item.code if e.item else None, "source": e.source, "value": e.value,
                            "quantity": e.quantity, "points": e.points, "occurred_on": e.occurred_on, "note": e.note,
                            "removed": e.removed_at is not None, "disciplinary_referral": hasattr(e, "referral")}
                           for e in queries.entries_of(sheet)]
    return data


def _sheet(request: HttpRequest, sheet_id: int) -> StaffAssessment:
    sheet = queries.with_totals(access.visible_sheets(request.user)).filter(pk=sheet_id).first()
    if sheet is None:
        raise ApiError(404, "not_found", "考核表不存在")
    return sheet


def _item(sheet: StaffAssessment, code: str | None) -> CatalogueItem | None:
    if not code:
        return None
    item = CatalogueItem.objects.filter(catalogue_id=sheet.catalogue_id, code=code).first()
    if item is None:
        raise ApiError(422, "invalid", f"没有扣分项 {code}", {"item": [f"没有扣分项 {code}"]})
    return item


@router.get("/", response={200: list[SheetOut], **ERRORS}, summary="某月的考核表（按项目、部门筛选）")
def sheet_list(request: HttpRequest, month: str = Query(..., pattern=MONTH, description="考核月份 YYYY-MM"), project: int | None = None, department: int | None = None,
               limit: int = Query(200, ge=1, le=1000)) -> Any:
    qs = queries.with_totals(access.visible_sheets(request.user).filter(period=_period(month)))
    if project is not None:
        qs = qs.filter(project_id=project)
    if department is not None:
        qs = qs.filter(department_id=department)
    return [_out(s, with_entries=False) for s in qs.order_by("project__code", "employee__username")[:limit]]


@router.post("/", response={201: SheetOut, **ERRORS}, summary="建立员工月度考核表")
def sheet_open(request: HttpRequest, payload: SheetIn) -> Any:
    project = visible_projects(request.user).filter(pk=payload.project_id).first()
    if project is None:
        raise ApiError(404, "not_found", "项目不存在", {"project_id": ["项目不存在或无权访问"]})
    employee = User.objects.filter(pk=payload.employee_id, is_active=True).first()
    if employee is None:
        raise ApiError(422, "invalid", "员工不存在", {"employee_id": ["员工不存在"]})
    sheet = actions.open_sheet(employee=employee, project=project, period=_period(payload.period),
                               acting_user=access.acting_user(request), now=clock.now())
    return Status(201, _out(_sheet(request, sheet.pk)))


@router.get("/catalogue", response={200: list[ItemOut], **ERRORS}, summary="当前考核细则")
def catalogue(request: HttpRequest) -> Any:
    projects = access.assessment_projects(request.user)
    if not projects:
        raise ApiError(403, "forbidden", "没有权限查看考核")
    return list(CatalogueItem.objects.filter(catalogue__company_id=projects[0].company_id,
                                             catalogue__is_default=True).order_by("order"))


@router.get("/suggestions", response={200: list[SuggestionOut], **ERRORS}, summary="待处理的建议考核记录")
def suggestions(request: HttpRequest, month: str | None = Query(None, pattern=MONTH, description="考核月份 YYYY-MM")) -> Any:
    ids = [p.pk for p in access.assessment_projects(request.user) if access.can_assess(request.user, p)]
    qs = SuggestedEntry.objects.filter(project_id__in=ids, status="pending").exclude(employee_id=request.user.pk)
    if month:
        qs = qs.filter(period=_period(month))
    return list(qs.order_by("occurred_at", "id")[:500])


def _suggestion(request: HttpRequest, suggestion_id: int) -> SuggestedEntry:
    ids = [p.pk for p in access.assessment_projects(request.user)]
    s = SuggestedEntry.objects.filter(pk=suggestion_id, project_id__in=ids).first()
    if s is None:
        raise ApiError(404, "not_found", "建议不存在")
    return s


@router.post("/suggestions/{suggestion_id}/accept", response={200: SheetOut, **ERRORS}, summary="采纳建议")
def suggestion_accept(request: HttpRequest, suggestion_id: int, payload: AcceptIn) -> Any:
    s = _suggestion(request, suggestion_id)
    item = None
    if payload.item:
        item = CatalogueItem.objects.filter(catalogue__company_id=s.company_id, catalogue__is_default=True,
                                            code=payload.item).first()
        if item is None:
            raise ApiError(422, "invalid", f"没有扣分项 {payload.item}", {"item": [f"没有扣分项 {payload.item}"]})
    entry = actions.accept_suggestion(suggestion=s, item=item, value=payload.value, quantity=payload.quantity,
                                      note=payload.note, acting_user=access.acting_user(request), now=clock.now())
    return _out(_sheet(request, entry.sheet_id))


@router.post("/suggestions/{suggestion_id}/dismiss", response={200: SuggestionOut, **ERRORS}, summary="忽略建议")
def suggestion_dismiss(request: HttpRequest, suggestion_id: int, payload: DismissIn) -> Any:
    return actions.dismiss_suggestion(suggestion=_suggestion(request, suggestion_id), reason=payload.reason,
                                      acting_user=access.acting_user(request), now=clock.now())


@router.get("/{sheet_id}", response={200: SheetOut, **ERRORS}, summary="考核表详情")
def sheet_detail(request: HttpRequest, sheet_id: int) -> Any:
    return _out(_sheet(request, sheet_id))


@router.post("/{sheet_id}/entries", response={201: SheetOut, **ERRORS}, summary="录入考核（扣分项、表扬、经理抽查）")
def entry_add(request: HttpRequest, sheet_id: int, payload: EntryIn) -> Any:
    sheet = _sheet(request, sheet_id)
    actions.add_entry(sheet=sheet, item=_item(sheet, payload.item), source=payload.source, value=payload.value,
                      quantity=payload.quantity, occurred_on=payload.occurred_on, note=payload.note,
                      evidence_url=payload.evidence_url, acting_user=access.acting_user(request), now=clock.now())
    return Status(201, _out(_sheet(request, sheet_id)))


@router.post("/{sheet_id}/submit", response={200: SheetOut, **ERRORS}, summary="提交考核表")
def submit(request: HttpRequest, sheet_id: int) -> Any:
    actions.submit_sheet(sheet=_sheet(request, sheet_id), acting_user=access.acting_user(request), now=clock.now())
    return _out(_sheet(request, sheet_id))


@router.post("/{sheet_id}/sign-off", response={200: SheetOut, **ERRORS}, summary="签核考核表（签核后冻结）")
def sign_off(request: HttpRequest, sheet_id: int, payload: StepIn) -> Any:
    actions.sign_off_sheet(sheet=_sheet(request, sheet_id), note=payload.note, acting_user=access.acting_user(request),
                           now=clock.now())
    return _out(_sheet(request, sheet_id))


@router.post("/{sheet_id}/return", response={200: SheetOut, **ERRORS}, summary="退回考核表")
def send_back(request: HttpRequest, sheet_id: int, payload: StepIn) -> Any:
    actions.return_sheet(sheet=_sheet(request, sheet_id), reason=payload.reason,
                         acting_user=access.acting_user(request), now=clock.now())
    return _out(_sheet(request, sheet_id))

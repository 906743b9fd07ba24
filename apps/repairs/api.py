"""REST endpoints of the repairs app (mounted at /api/v1/repairs). Thin: each calls one typed action
(apps.repairs.actions) and answers with the work order read through apps.repairs.queries."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from apps.core.api_errors import ERRORS, ApiError
from apps.core.validation import PastMoment, PlannedMoment, SaneDate
from apps.org import access
from apps.org.models import Project, User
from apps.org.roles import Cap
from apps.repairs import actions
from apps.repairs import measures as ms
from apps.repairs import queries as q
from apps.repairs.access import may_decide_requisition, may_request_materials
from apps.repairs.models import LeaderConsent, MaterialRequisition, PriceList, RepairOrder
from linli import clock

router = Router(tags=["repairs"])


class RepairChargeLineOut(Schema):
    item_id: int
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class RepairMaterialOut(Schema):
    id: int
    item_id: int | None  # null: a material not on the price list, logged by name (R-M8-12)
    name: str
    unit: str
    quantity: Decimal
    recorded_at: dt.datetime


class RepairDeadlineOut(Schema):
    stage: str
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    met_in_time: bool | None
    rule: str


class RepairOrderOut(Schema):
    id: int
    ticket_id: int
    number: str
    status: str
    status_label: str
    category: str | None
    urgency: str
    location_kind: str
    location: str
    content: str
    received_at: dt.datetime
    agreed_visit_at: dt.datetime | None
    assignee_id: int | None
    in_pool: bool
    arrived_at: dt.datetime | None
    diagnosis: str
    chargeable: bool | None
    charge_total: Decimal
    charge_lines: list[RepairChargeLineOut]
    consent_valid: bool
    work_started_at: dt.datetime | None
    labour_hours: Decimal | None
    completed_at: dt.datetime | None
    signed_at: dt.datetime | None
    signed_name: str
    refusal_reason: str
    rework_count: int
    checklist: dict[str, bool]
    checklist_unmet: list[str] = []
    checklist_note: str = ""
    quality_ok: bool | None = None
    cosmetic_ok: bool | None = None
    quality_passed: bool = False
    hard_limit_at: dt.datetime | None = None
    hard_limit_met: bool | None = None
    materials: list[RepairMaterialOut] = []
    deadlines: list[RepairDeadlineOut]


class RepairArrivalIn(Schema):
    arrived_at: PastMoment | None = None


class RepairItemQty(Schema):
    item_id: int
    quantity: Decimal


class RepairDiagnosisIn(Schema):
    diagnosis: str
    chargeable: bool
    items: list[RepairItemQty] = []


class RepairConsentIn(Schema):
    agreed: bool
    owner_name: str
    explanation: str
    reported_to_id: int | None = None  # the person in charge told of the charge (required when agreed)


class RepairCompletionIn(Schema):
    result: str
    labour_hours: Decimal
    late_explanation: str = ""
    checklist: dict[str, bool] = {}
    checklist_note: str = ""  # required when a checklist item is not done
    wiring_changed: bool = False


class RepairAcceptanceIn(Schema):
    signed_name: str
    signature: str  # PNG, base64 or data URL
    quality_ok: bool  # the owner confirms the function is restored (asked, never assumed)
    cosmetic_ok: bool | None = None  # cosmetic work: no colour difference or unevenness; null = none


class RepairMaterialIn(Schema):
    """A material of the published list (``item_id``) or any other by ``name`` and ``unit``."""

    item_id: int | None = Field(None, ge=1, le=2**31 - 1)
    name: str = Field("", max_length=100)
    unit: str = Field("", max_length=20)
    quantity: Decimal = Field(..., gt=0, le=10000, max_digits=10, decimal_places=2)


class RepairRefusalIn(Schema):
    reason: str


class RepairReturnVisitIn(Schema):
    method: str
    reached: bool
    quality: str = ""
    attitude: str = ""
    owner_words: str = ""
    working_well: bool | None = None
    give_up: bool = False
    emergency_reason: str = ""


class RepairNextVisitIn(Schema):
    agreed_at: PlannedMoment
    reason: str


class RepairRateOut(Schema):
    hit: int
    total: int
    rate: Decimal | None
    target: Decimal
    meets_target: bool | None


class RepairMeasureRowOut(Schema):
    month: str | None = None
    department: str | None = None
    department_id: int | None = None
    worker: str | None = None
    worker_id: int | None = None
    label: str | None = None
    count: int
    arrival: RepairRateOut
    completion: RepairRateOut
    quality: RepairRateOut
    return_visit: RepairRateOut


class RepairMeasuresOut(Schema):
    definitions: dict[str, str]
    rows: list[RepairMeasureRowOut]


class RepairPriceItemOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    unit: str
    unit_price: Decimal


class RepairPriceListOut(Schema):
    project: str
    name: str
    effective_from: dt.date
    effective_to: dt.date | None
    published_at: dt.datetime
    items: list[RepairPriceItemOut]


def _order(request: HttpRequest, order_id: int) -> RepairOrder:
    order = (q.visible_orders(request.user).select_related("ticket", "ticket__project", "ticket__category")
             .filter(pk=order_id).first())
    if order is None or not access.has_cap(request.user, Cap.VIEW_TICKETS, order.ticket.project):
        raise ApiError(404, "not_found", "工单不存在")
    return order


def _out(order: RepairOrder) -> dict[str, Any]:
    """The work-order shape from an order loaded through queries.with_details (no further query)."""
    t = order.ticket
    d = q.current_dispatch(order)
    lines = list(order.charge_lines.all())
    return {
        "id": order.pk, "ticket_id": t.pk, "number": t.number, "status": t.status,
        "status_label": t.get_status_display(), "category": t.category.code if t.category else None,
        "urgency": t.urgency, "location_kind": order.location_kind, "location": order.location, "content": t.content,
        "received_at": t.received_at, "agreed_visit_at": order.agreed_visit_at,
        "assignee_id": d.assignee_id if d else None, "in_pool": bool(d and d.assignee_id is None),
        "arrived_at": order.arrived_at, "diagnosis": order.diagnosis, "chargeable": order.chargeable,
        "charge_total": order.quote_total,
        "charge_lines": [{"item_id": ln.item_id, "name": ln.name, "unit": ln.unit, "quantity": ln.quantity,
                          "unit_price": ln.unit_price, "amount": ln.amount} for ln in lines],
        "consent_valid": q.consent_valid(order), "work_started_at": order.work_started_at,
        "labour_hours": order.labour_hours, "completed_at": order.completed_at, "signed_at": order.signed_at,
        "signed_name": order.signed_name, "refusal_reason": order.refusal_reason, "rework_count": order.rework_count,
        "checklist": order.checklist or {},
        "checklist_unmet": q.checklist_unmet(order.checklist) if order.completed_at else [],
        "checklist_note": order.checklist_note, "quality_ok": order.quality_ok, "cosmetic_ok": order.cosmetic_ok,
        "quality_passed": q.quality_passed(order),
        "hard_limit_at": order.hard_limit_at, "hard_limit_met": order.hard_limit_met,
        "materials": [{"id": m.pk, "item_id": m.item_id, "name": m.name, "unit": m.unit, "quantity": m.quantity,
                       "recorded_at": m.recorded_at} for m in order.materials.all()],
        "deadlines": [{"stage": x.stage, "due_at": x.due_at, "met_at": x.met_at, "met_in_time": x.met_in_time,
                       "rule": x.rule} for x in getattr(t, "all_deadlines", []) if x.cycle == t.cycle],
    }


def _fresh(order: RepairOrder) -> dict[str, Any]:
    """The order as stored now (after an action), in the API shape."""
    return _out(q.with_details(RepairOrder.objects.filter(pk=order.pk)).get())


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the API's auth lets only staff tokens and sessions through


@router.get("/orders", response={200: list[RepairOrderOut], **ERRORS},
            summary="当前用户的维修工单（含抢单池）")
def orders(request: HttpRequest, pool: bool = False) -> Any:
    qs = q.pool_orders(_user(request)) if pool else q.my_orders(_user(request))
    return [_out(o) for o in q.with_details(qs)[:200]]


@router.get("/orders/{order_id}", response={200: RepairOrderOut, **ERRORS},
            summary="维修工单")
def order(request: HttpRequest, order_id: int) -> Any:
    return _fresh(_order(request, order_id))


@router.post("/orders/{order_id}/accept", response={200: RepairOrderOut, **ERRORS},
             summary="接单 / 抢单")
def accept(request: HttpRequest, order_id: int) -> Any:
    order = _order(request, order_id)
    actions.accept_order(order=order, acting_user=_user(request), now=clock.now())
    return _fresh(order)


@router.post("/orders/{order_id}/arrival", response={200: RepairOrderOut, **ERRORS},
             summary="登记到场（到场时限）")
def arrival(request: HttpRequest, order_id: int, payload: RepairArrivalIn) -> Any:
    order = _order(request, order_id)
    actions.record_arrival(order=order, arrived_at=payload.arrived_at, acting_user=_user(request), now=clock.now())
    return _fresh(order)


@router.post("/orders/{order_id}/diagnosis", response={200: RepairOrderOut, **ERRORS},
             summary="故障诊断与收费项目（按公示价目计算）")
def diagnosis(request: HttpRequest, order_id: int, payload: RepairDiagnosisIn) -> Any:
    order = _order(request, order_id)
    actions.diagnose(order=order, diagnosis=payload.diagnosis, chargeable=payload.chargeable,
                     items=[(i.item_id, i.quantity) for i in payload.items], acting_user=_user(request),
                     now=clock.now())
    return _fresh(order)


@router.post("/orders/{order_id}/consent", response={200: RepairOrderOut, **ERRORS},
             summary="业主确认收费")
def consent(request: HttpRequest, order_id: int, payload: RepairConsentIn) -> Any:
    order = _order(request, order_id)
    reported_to = None
    if payload.reported_to_id is not None:
        reported_to = next((u for u in q.leaders(order.ticket.project) if u.pk == payload.reported_to_id), None)
        if reported_to is None:
            raise ApiError(422, "validation_error", "负责人不属于该项目",
                           fields={"reported_to_id": ["负责人不属于该项目"]})
    actions.record_consent(order=order, agreed=payload.agreed, owner_name=payload.owner_name,
                           explanation=payload.explanation, reported_to=reported_to, acting_user=_user(request),
                           now=clock.now())
    return _fresh(order)


@router.post("/orders/{order_id}/start", response={200: RepairOrderOut, **ERRORS},
             summary="开工（收费项目须先经业主同意）")
def start(request: HttpRequest, order_id: int) -> Any:
    order = _order(request, order_id)
    actions.start_work(order=order, acting_user=_user(request), now=clock.now())
    return _fresh(order)


@router.post("/orders/{order_id}/materials", response={200: RepairOrderOut, **ERRORS},
             summary="登记使用的材料（价目表中的材料或其他材料）")
def material(request: HttpRequest, order_id: int, payload: RepairMaterialIn) -> Any:
    order = _order(request, order_id)
    actions.add_material(order=order, item=payload.item_id, name=payload.name, unit=payload.unit,
                         quantity=payload.quantity, acting_user=_user(request), now=clock.now())
    return _fresh(order)


@router.post("/orders/{order_id}/completion", response={200: RepairOrderOut, **ERRORS},
             summary="完工（完成时限）")
def completion(request: HttpRequest, order_id: int, payload: RepairCompletionIn) -> Any:
    order = _order(request, order_id)
    actions.complete_repair(order=order, result=payload.result, labour_hours=payload.labour_hours,
                            late_explanation=payload.late_explanation, checklist=payload.checklist,
                            checklist_note=payload.checklist_note,
                            wiring_changed=payload.wiring_changed,
                            acting_user=_user(request), now=clock.now())
    return _fresh(order)


@router.post("/orders/{order_id}/next-visit", response={200: RepairOrderOut, **ERRORS},
             summary="约定再次上门")
def next_visit(request: HttpRequest, order_id: int, payload: RepairNextVisitIn) -> Any:
    order = _order(request, order_id)
    actions.agree_next_visit(order=order, agreed_at=payload.agreed_at, reason=payload.reason,
                             acting_user=_user(request), now=clock.now())
    return _fresh(order)


@router.post("/orders/{order_id}/acceptance", response={200: RepairOrderOut, **ERRORS},
             summary="业主签名验收（PNG）")
def acceptance(request: HttpRequest, order_id: int, payload: RepairAcceptanceIn) -> Any:
    order = _order(request, order_id)
    actions.sign_acceptance(order=order, signature=payload.signature, signed_name=payload.signed_name,
                            quality_ok=payload.quality_ok, cosmetic_ok=payload.cosmetic_ok,
                            acting_user=_user(request), now=clock.now())
    return _fresh(order)


@router.post("/orders/{order_id}/refusal", response={200: RepairOrderOut, **ERRORS},
             summary="业主拒签（须填原因）")
def refusal(request: HttpRequest, order_id: int, payload: RepairRefusalIn) -> Any:
    order = _order(request, order_id)
    actions.refuse_acceptance(order=order, reason=payload.reason, acting_user=_user(request), now=clock.now())
    return _fresh(order)


MONTH = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"  # 2000-01 … 2099-12 (issue 14 item 2)


@router.get("/measures", response={200: RepairMeasuresOut, **ERRORS},
            summary="维修指标（到场/完成及时率、合格率、回访率）")
def measures(request: HttpRequest, month_from: str | None = Query(None, pattern=MONTH),
             month_to: str | None = Query(None, pattern=MONTH),
             group: Literal["month", "department", "worker"] = "department") -> Any:
    """Months are YYYY-MM (default: this month); ``month_to`` before ``month_from`` gives no rows."""
    if not access.has_cap(request.user, Cap.VIEW_TICKETS):
        raise ApiError(403, "forbidden", "无权查看")
    today = clock.today()
    start = dt.date.fromisoformat(month_from + "-01") if month_from else today.replace(day=1)
    last = dt.date.fromisoformat(month_to + "-01") if month_to else start
    end = max((last.replace(day=28) + dt.timedelta(days=4)).replace(day=1), start)
    rows = ms.repair_measures(projects=access.visible_projects(request.user), start=start, end=end,
                              as_of=clock.now(), group_by=ms.GROUPS[group],
                              targets=ms.targets_from(q.company_repair_settings(request.user)))
    return {"definitions": {k: str(v) for k, v in ms.DEFINITIONS.items()}, "rows": rows}


@router.get("/prices/{project_code}", response={200: RepairPriceListOut, **ERRORS}, auth=None,
            summary="项目公示的有偿服务价目表（无需登录）")
def prices(request: HttpRequest, project_code: str) -> Any:
    project = Project.objects.filter(code=project_code, active=True).first()
    if project is None:
        raise ApiError(404, "not_found", "项目不存在")
    pl = q.effective_price_list(project, clock.now().astimezone(project.tz).date())
    if pl is None:
        raise ApiError(404, "not_found", "本项目暂未公示收费价目表")
    return {"project": project.name, "name": pl.name, "effective_from": pl.effective_from,
            "effective_to": pl.effective_to, "published_at": pl.published_at,
            "items": [{"id": i.pk, "code": i.code, "name": i.name, "kind": i.kind, "unit": i.unit,
                       "unit_price": i.unit_price} for i in pl.items.all()]}


@router.post("/orders/{order_id}/return-visit", response={200: RepairOrderOut, **ERRORS},
             summary="维修回访：质量与态度满意度；不满意返工")
def return_visit(request: HttpRequest, order_id: int, payload: RepairReturnVisitIn) -> Any:
    order = _order(request, order_id)
    actions.record_repair_return_visit(
        order=order, method=payload.method, reached=payload.reached, quality=payload.quality,
        attitude=payload.attitude, owner_words=payload.owner_words,
        working_well=payload.working_well if payload.reached else None, give_up=payload.give_up,
        emergency_reason=payload.emergency_reason, acting_user=_user(request), now=clock.now())
    return _fresh(order)


# ---------------------------------------------------------------- price lists (R-M8-15, R-M8-16)
class RepairPriceItemIn(Schema):
    code: str
    name: str
    unit: str
    unit_price: Decimal
    kind: Literal["service", "material"] = "service"
    note: str = ""


class RepairPriceListIn(Schema):
    project_id: int
    name: str = "有偿服务收费价目表"
    effective_from: SaneDate
    notes: str = ""
    items: list[RepairPriceItemIn]


class RepairPriceListDraftIn(Schema):
    name: str
    effective_from: SaneDate
    notes: str = ""
    items: list[RepairPriceItemIn]


class RepairPriceListStaffOut(Schema):
    id: int
    project_id: int
    name: str
    version: int
    previous_id: int | None
    effective_from: dt.date
    effective_to: dt.date | None
    published_at: dt.datetime | None
    superseded_at: dt.datetime | None
    frozen: bool
    notes: str
    items: list[RepairPriceItemOut]


def _price_list_out(pl: Any) -> dict[str, Any]:
    return {"id": pl.pk, "project_id": pl.project_id, "name": pl.name, "version": pl.version,
            "previous_id": pl.previous_id, "effective_from": pl.effective_from, "effective_to": pl.effective_to,
            "published_at": pl.published_at, "superseded_at": pl.superseded_at, "frozen": pl.frozen,
            "notes": pl.notes,
            "items": [{"id": i.pk, "code": i.code, "name": i.name, "kind": i.kind, "unit": i.unit,
                       "unit_price": i.unit_price} for i in pl.items.all()]}


def _managed_project(request: HttpRequest, project_id: int) -> Project:
    project = access.visible_projects(request.user).filter(pk=project_id).first()
    if project is None:
        raise ApiError(404, "not_found", "项目不存在")
    if not access.has_cap(request.user, Cap.MANAGE_CONFIG, project):
        raise ApiError(403, "forbidden", "只有管理处经理可以编制和公示价目表")
    return project


def _managed_price_list(request: HttpRequest, price_list_id: int) -> Any:
    pl = PriceList.objects.select_related("project", "previous").filter(pk=price_list_id).first()
    if pl is None or not access.can_see_project(request.user, pl.project):
        raise ApiError(404, "not_found", "价目表不存在")
    _managed_project(request, pl.project_id)
    return pl


@router.get("/price-lists", response={200: list[RepairPriceListStaffOut], **ERRORS},
            summary="项目的全部价目表版本（管理处经理）")
def price_list_index(request: HttpRequest, project_id: int) -> Any:
    project = _managed_project(request, project_id)
    return [_price_list_out(pl) for pl in PriceList.objects.filter(project=project)
            .prefetch_related("items").order_by("-effective_from", "-version", "-pk")]


@router.post("/price-lists", response={201: RepairPriceListStaffOut, **ERRORS}, summary="新建价目表草稿")
def price_list_create(request: HttpRequest, payload: RepairPriceListIn) -> Any:
    project = _managed_project(request, payload.project_id)
    pl = actions.save_price_list_draft(project=project, name=payload.name, effective_from=payload.effective_from,
                                       notes=payload.notes, items=[i.dict() for i in payload.items],
                                       acting_user=_user(request), now=clock.now())
    return 201, _price_list_out(pl)


@router.put("/price-lists/{price_list_id}", response={200: RepairPriceListStaffOut, **ERRORS},
            summary="修改价目表草稿（已公示的不能修改：409 frozen，请新建版本）")
def price_list_update(request: HttpRequest, price_list_id: int, payload: RepairPriceListDraftIn) -> Any:
    pl = _managed_price_list(request, price_list_id)
    pl = actions.save_price_list_draft(project=pl.project, price_list=pl, name=payload.name,
                                       effective_from=payload.effective_from, notes=payload.notes,
                                       items=[i.dict() for i in payload.items], acting_user=_user(request),
                                       now=clock.now())
    return _price_list_out(pl)


@router.post("/price-lists/{price_list_id}/publish", response={200: RepairPriceListStaffOut, **ERRORS},
             summary="公示价目表（新版本公示后取代上一版本）")
def price_list_publish(request: HttpRequest, price_list_id: int) -> Any:
    pl = _managed_price_list(request, price_list_id)
    pl = actions.publish_price_list(price_list=pl, acting_user=_user(request), now=clock.now())
    return _price_list_out(pl)


@router.post("/price-lists/{price_list_id}/new-version", response={201: RepairPriceListStaffOut, **ERRORS},
             summary="为已公示的价目表新建版本（草稿）")
def price_list_new_version(request: HttpRequest, price_list_id: int) -> Any:
    pl = _managed_price_list(request, price_list_id)
    return 201, _price_list_out(actions.new_price_list_version(price_list=pl, acting_user=_user(request),
                                                                now=clock.now()))



# ---------------------------------------------------------------- leader consents (R-M8-10, R-M8-11)
class RepairConsentRequestIn(Schema):
    kind: Literal["handover", "wiring", "major"]  # major: 重大问题上报 (holds completion until decided)
    reason: str
    to_user_id: int | None = None


class RepairConsentDecisionIn(Schema):
    approve: bool
    note: str = ""


class RepairLeaderConsentOut(Schema):
    id: int
    order_id: int
    kind: str
    reason: str
    to_user_id: int | None
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    approved: bool | None
    note: str


def _consent_out(c: Any) -> dict[str, Any]:
    return {"id": c.pk, "order_id": c.order_id, "kind": c.kind, "reason": c.reason, "to_user_id": c.to_user_id,
            "requested_by": str(c.requested_by), "requested_at": c.requested_at,
            "decided_by": str(c.decided_by) if c.decided_by else None, "decided_at": c.decided_at,
            "approved": c.approved, "note": c.note}


@router.get("/orders/{order_id}/consents", response={200: list[RepairLeaderConsentOut], **ERRORS},
            summary="工单的负责人同意申请（交接班、改动线路）")
def consent_list(request: HttpRequest, order_id: int) -> Any:
    order = _order(request, order_id)
    return [_consent_out(c) for c in order.leader_consents.select_related("requested_by", "decided_by")]


@router.post("/orders/{order_id}/consents", response={201: RepairLeaderConsentOut, **ERRORS},
             summary="维修人员申请负责人同意：交接班或改动原有线路/装修")
def consent_request(request: HttpRequest, order_id: int, payload: RepairConsentRequestIn) -> Any:
    order = _order(request, order_id)
    to_user = User.objects.filter(pk=payload.to_user_id).first() if payload.to_user_id else None
    consent = actions.request_consent(order=order, kind=payload.kind, reason=payload.reason, to_user=to_user,
                                      acting_user=_user(request), now=clock.now())
    return 201, _consent_out(consent)


@router.post("/consents/{consent_id}/decision", response={200: RepairLeaderConsentOut, **ERRORS},
             summary="负责人同意或不同意（不能决定自己的申请）；同意交接班即改派给接班人")
def consent_decide(request: HttpRequest, consent_id: int, payload: RepairConsentDecisionIn) -> Any:
    consent = LeaderConsent.objects.filter(pk=consent_id).first()
    if consent is None:
        raise ApiError(404, "not_found", "申请不存在")
    _order(request, consent.order_id)
    consent = actions.decide_consent(consent=consent, approve=payload.approve, note=payload.note,
                                     acting_user=_user(request), now=clock.now())
    return _consent_out(consent)


# ---------------------------------------------------------------- materials requisitions (R-M8-12)
class RepairRequisitionLineIn(Schema):
    name: str = Field(..., max_length=100)
    unit: str = Field(..., max_length=20)
    quantity: Decimal = Field(..., gt=0, le=10000, max_digits=10, decimal_places=2)
    in_stock: Decimal = Field(Decimal("0"), ge=0, le=10000, max_digits=10, decimal_places=2)


class RepairRequisitionIn(Schema):
    project_id: int = Field(..., ge=1, le=2**31 - 1)
    reason: str = Field(..., max_length=200)
    lines: list[RepairRequisitionLineIn] = Field(..., max_length=30)


class RepairRequisitionDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=200)


class RepairRequisitionLineOut(Schema):
    name: str
    unit: str
    quantity: Decimal
    in_stock: Decimal
    used_recently: Decimal  # logged on the project's repairs in the last three months


class RepairRequisitionOut(Schema):
    id: int
    project_id: int
    reason: str
    status: str
    status_label: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    lines: list[RepairRequisitionLineOut]


def _requisitions_out(reqs: list[Any]) -> list[dict[str, Any]]:
    """Requisitions of one project in the API shape (one query for the recent consumption)."""
    if not reqs:
        return []
    used = q.recent_consumption(reqs[0].project, {ln.name for r in reqs for ln in r.lines.all()}, clock.now())
    return [{"id": r.pk, "project_id": r.project_id, "reason": r.reason, "status": r.status,
             "status_label": r.get_status_display(), "requested_by": str(r.requested_by),
             "requested_at": r.requested_at, "decided_by": str(r.decided_by) if r.decided_by else None,
             "decided_at": r.decided_at, "decision_note": r.decision_note,
             "lines": [{"name": ln.name, "unit": ln.unit, "quantity": ln.quantity, "in_stock": ln.in_stock,
                        "used_recently": used.get(ln.name, Decimal("0"))} for ln in r.lines.all()]}
            for r in reqs]


def _requisition_project(request: HttpRequest, project_id: int) -> Project:
    project = access.visible_projects(request.user).filter(pk=project_id).first()
    if project is None or not (may_request_materials(_user(request), project)
                               or may_decide_requisition(_user(request), project)):
        raise ApiError(404, "not_found", "项目不存在")
    return project


@router.get("/requisitions", response={200: list[RepairRequisitionOut], **ERRORS},
            summary="项目的材料申购单（工程部申购，物业管理部审批）")
def requisition_index(request: HttpRequest,
                      project_id: int = Query(..., ge=1, le=2**31 - 1)) -> Any:
    project = _requisition_project(request, project_id)
    return _requisitions_out(list(q.project_requisitions(project)[:100]))


@router.post("/requisitions", response={201: RepairRequisitionOut, **ERRORS}, summary="申购维修材料")
def requisition_create(request: HttpRequest, payload: RepairRequisitionIn) -> Any:
    project = access.visible_projects(request.user).filter(pk=payload.project_id).first()
    if project is None:
        raise ApiError(404, "not_found", "项目不存在")
    req = actions.request_materials(project=project, reason=payload.reason,
                                    lines=[ln.dict() for ln in payload.lines], acting_user=_user(request),
                                    now=clock.now())
    return 201, _requisitions_out(list(q.project_requisitions(project).filter(pk=req.pk)))[0]


@router.post("/requisitions/{requisition_id}/decision", response={200: RepairRequisitionOut, **ERRORS},
             summary="物业管理部审批材料申购（不同意须写明意见）")
def requisition_decide(request: HttpRequest, requisition_id: int, payload: RepairRequisitionDecisionIn) -> Any:
    req = MaterialRequisition.objects.filter(pk=requisition_id).select_related("project").first()
    if req is None or not access.can_see_project(request.user, req.project):
        raise ApiError(404, "not_found", "申购单不存在")
    actions.decide_requisition(requisition=req, approve=payload.approve, note=payload.note,
                               acting_user=_user(request), now=clock.now())
    return _requisitions_out(list(q.project_requisitions(req.project).filter(pk=req.pk)))[0]


# ---------------------------------------------------------------- duty log (R-M8-15 (2))
class RepairDutyLogRowOut(Schema):
    order_id: int
    number: str
    kind: str
    category: str | None
    urgency: str
    received_at: dt.datetime
    receiver: str | None
    department: str | None
    assignee: str | None
    status: str
    arrived_at: dt.datetime | None
    completed_at: dt.datetime | None


@router.get("/duty-log", response={200: list[RepairDutyLogRowOut], **ERRORS},
            summary="值班记录表：当天受理的报修和有偿服务（受理人、派往部门、进度）")
def duty_log(request: HttpRequest, date: SaneDate,
             project_id: int = Query(..., ge=1, le=2**31 - 1)) -> Any:
    project = access.visible_projects(request.user).filter(pk=project_id).first()
    if project is None or not access.has_cap(request.user, Cap.VIEW_TICKETS, project):
        raise ApiError(404, "not_found", "项目不存在")
    rows = []
    for o in q.duty_log(_user(request), project, date):
        t, d = o.ticket, q.current_dispatch(o)
        rows.append({"order_id": o.pk, "number": t.number, "kind": t.kind,
                     "category": t.category.code if t.category else None, "urgency": t.urgency,
                     "received_at": t.received_at, "receiver": str(t.receiver) if t.receiver else None,
                     "department": str(d.department) if d else None,
                     "assignee": str(d.assignee) if d and d.assignee else None, "status": t.status,
                     "arrived_at": o.arrived_at, "completed_at": o.completed_at})
    return rows

"""REST endpoints of the fees app (mounted at /api/v1/fees). Thin: reads from queries, who may see what
from access, writes through actions (a refusal answers in the documented error shape). Money travels as
decimal strings ("1234.50"), never floats."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LinliPagination
from apps.estates.models import Household
from apps.fees import access, actions, queries
from apps.fees.models import Bill, BillingCycle, FeeInquiry, FeeStandard, Payment
from apps.org.models import Project, User
from linli import clock

router = Router(tags=["fees"])


class BillOut(Schema):
    id: int
    project_id: int
    household_id: int
    household: str
    kind: str
    kind_label: str
    description: str
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    status: str
    due_date: dt.date

    @staticmethod
    def resolve_household(obj: Bill) -> str:
        return obj.household.label

    @staticmethod
    def resolve_kind_label(obj: Bill) -> str:
        return str(obj.get_kind_display())


class AllocationOut(Schema):
    bill_id: int
    amount: Decimal


class PaymentOut(Schema):
    id: int
    number: str
    household_id: int
    household: str
    kind: str
    channel: str
    method: str
    amount: Decimal
    prepaid: Decimal
    reverses: str | None
    collected_by: str
    collected_at: dt.datetime
    business_date: dt.date
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_household(obj: Payment) -> str:
        return obj.household.label

    @staticmethod
    def resolve_reverses(obj: Payment) -> str | None:
        return obj.reverses.number if obj.reverses_id and obj.reverses else None

    @staticmethod
    def resolve_collected_by(obj: Payment) -> str:
        return str(obj.collected_by)

    @staticmethod
    def resolve_allocations(obj: Payment) -> list[dict[str, Any]]:
        return [{"bill_id": a.bill_id, "amount": a.amount} for a in obj.allocations.all()]


class AccountOut(Schema):
    household_id: int
    household: str
    outstanding: Decimal
    prepaid: Decimal
    bills: list[BillOut]
    payments: list[PaymentOut]


class PaymentIn(Schema):
    project_id: int
    household_id: int
    amount: Decimal
    method: str = "cash"
    channel: str = "counter"
    bill_ids: list[int] = []
    prepayment: bool = False
    receipt_no: int | None = None
    payer: str = ""


class ReverseIn(Schema):
    kind: str
    reason: str
    amount: Decimal | None = None


class CycleIn(Schema):
    project_id: int
    period_start: dt.date
    discount_rate: Decimal = Decimal(0)
    discount_ref: str = ""


class CycleOut(Schema):
    id: int
    label: str
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date
    bill_count: int
    total: Decimal
    skipped: int


class StandardIn(Schema):
    project_id: int
    applies_to: str
    contract_ref: str
    rate: Decimal
    valid_from: dt.date
    name: str = "物业服务费"
    mode: str = "lump_sum"
    basis: str = "per_m2_month"


class StandardOut(Schema):
    id: int
    name: str
    applies_to: str
    contract_ref: str
    mode: str
    basis: str
    rate: Decimal
    valid_from: dt.date
    valid_to: dt.date | None


class ChargeIn(Schema):
    project_id: int
    household_id: int
    kind: str
    description: str
    amount: Decimal
    due_date: dt.date | None = None


class HandoverIn(Schema):
    project_id: int
    collector_id: int
    payment_ids: list[int]
    amount: Decimal


class HandoverOut(Schema):
    id: int
    amount: Decimal
    receipts: int


class AgeingOut(Schema):
    project_ids: list[int]
    as_of: dt.date
    households: int
    not_due: Decimal
    d1_30: Decimal
    d31_90: Decimal
    d91_180: Decimal
    d181_365: Decimal
    over_365: Decimal
    total: Decimal


class ArrearsRowOut(Schema):
    household_id: int
    household: str
    project: str
    oldest_due: dt.date | None
    total: Decimal
    d1_30: Decimal
    d31_90: Decimal
    d91_180: Decimal
    d181_365: Decimal
    over_365: Decimal


class ReconRowOut(Schema):
    project: str
    collector: str
    day: dt.date
    receipts: int
    first: str
    last: str
    payments: Decimal
    reversals: Decimal
    total: Decimal
    accounted: Decimal
    balanced: bool


def _user(request: HttpRequest) -> User:
    return access.acting_user(request)


def _project(request: HttpRequest, project_id: int, *, write: bool = False) -> Project:
    project = Project.objects.filter(pk=project_id, active=True).first()
    if project is None or not (access.can_view(request.user, project) or
                               (write and access.can_collect(request.user, project))):
        raise ApiError(404, "not_found", "项目不存在或无权查看", {"project_id": ["项目不存在或无权查看"]})
    return project


def _projects(request: HttpRequest, project_id: int | None) -> list[Project]:
    if project_id is not None:
        return [_project(request, project_id)]
    projects = list(access.fee_projects(request.user))
    if not projects:
        raise ApiError(403, "forbidden", "没有查看收费的权限")
    return projects


def _household(project: Project, household_id: int) -> Household:
    household = Household.objects.filter(pk=household_id, project=project).first()
    if household is None:
        raise ApiError(404, "not_found", "该项目没有这个房屋", {"household_id": ["该项目没有这个房屋"]})
    return household


def _payment(request: HttpRequest, payment_id: int) -> Payment:
    p = (Payment.objects.select_related("project", "household", "reverses", "collected_by", "series")
         .prefetch_related("allocations").filter(pk=payment_id).first())
    if p is None or not access.can_view(request.user, p.project):
        raise ApiError(404, "not_found", "收据不存在")
    return p


@router.get("/bills", response={200: list[BillOut], **ERRORS}, summary="应收账单（分页）")
@paginate(LinliPagination)
def bill_list(request: HttpRequest, project: int | None = None, household: int | None = None,
              status: str | None = Query(None, pattern="^(open|partial|paid)$"), **kwargs: Any) -> Any:
    qs = Bill.objects.filter(project__in=_projects(request, project)).select_related("household")
    if household is not None:
        qs = qs.filter(household_id=household)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-due_date", "household__label", "id")


@router.get("/households/{household_id}/account", response={200: AccountOut, **ERRORS},
            summary="房屋收费账户：账单、收据、欠费、预交")
def household_account(request: HttpRequest, household_id: int) -> Any:
    household = Household.objects.select_related("project").filter(pk=household_id).first()
    if household is None or not access.can_view(request.user, household.project):
        raise ApiError(404, "not_found", "房屋不存在")
    bills = list(queries.bills_of_household(household.pk).select_related("household"))
    payments = list(queries.payments_of_household(household.pk).select_related("household", "collected_by"))
    return {"household_id": household.pk, "household": household.label,
            "outstanding": sum((b.outstanding for b in bills), Decimal("0.00")),
            "prepaid": queries.prepaid_balance(household.pk),
            "bills": bills, "payments": payments}


@router.post("/payments", response={201: PaymentOut, **ERRORS}, summary="收款（收银员；非工作时间前台代收）")
def payment_create(request: HttpRequest, payload: PaymentIn) -> Any:
    project = _project(request, payload.project_id, write=True)
    household = _household(project, payload.household_id)
    payment = actions.record_payment(
        project=project, household=household, amount=payload.amount, method=payload.method, channel=payload.channel,
        bill_ids=payload.bill_ids or None, prepayment=payload.prepayment, receipt_no=payload.receipt_no,
        payer=payload.payer, acting_user=_user(request), now=clock.now())
    return Status(201, _payment(request, payment.pk))


@router.get("/payments", response={200: list[PaymentOut], **ERRORS}, summary="收据（分页）")
@paginate(LinliPagination)
def payment_list(request: HttpRequest, project: int | None = None, day: dt.date | None = None,
                 household: int | None = None, **kwargs: Any) -> Any:
    qs = (Payment.objects.filter(project__in=_projects(request, project))
          .select_related("household", "reverses", "collected_by").prefetch_related("allocations"))
    if day is not None:
        qs = qs.filter(business_date=day)
    if household is not None:
        qs = qs.filter(household_id=household)
    return qs.order_by("-collected_at", "-id")


@router.get("/payments/{payment_id}", response={200: PaymentOut, **ERRORS}, summary="收据")
def payment_detail(request: HttpRequest, payment_id: int) -> Any:
    return _payment(request, payment_id)


@router.post("/payments/{payment_id}/reverse", response={201: PaymentOut, **ERRORS},
             summary="作废（void）或退款（refund）：以红字收据冲销，原收据不改不删")
def payment_reverse(request: HttpRequest, payment_id: int, payload: ReverseIn) -> Any:
    original = _payment(request, payment_id)
    rev = actions.reverse_payment(payment=original, kind=payload.kind, reason=payload.reason, amount=payload.amount,
                                  acting_user=_user(request), now=clock.now())
    return Status(201, _payment(request, rev.pk))


@router.post("/handovers", response={201: HandoverOut, **ERRORS}, summary="代收款交接给收银员")
def handover_create(request: HttpRequest, payload: HandoverIn) -> Any:
    project = _project(request, payload.project_id, write=True)
    collector = User.objects.filter(pk=payload.collector_id).first()
    if collector is None:
        raise ApiError(404, "not_found", "交款人不存在", {"collector_id": ["交款人不存在"]})
    payments = list(Payment.objects.filter(pk__in=payload.payment_ids, project=project))
    if len(payments) != len(set(payload.payment_ids)):
        raise ApiError(422, "invalid", "收据不存在", {"payment_ids": ["收据不存在"]})
    h = actions.hand_over(project=project, collector=collector, payments=payments, amount=payload.amount,
                          acting_user=_user(request), now=clock.now())
    return Status(201, {"id": h.pk, "amount": h.amount, "receipts": len(payments)})


@router.post("/cycles", response={201: CycleOut, **ERRORS}, summary="生成账期账单（批量）")
def cycle_create(request: HttpRequest, payload: CycleIn) -> Any:
    project = _project(request, payload.project_id)
    c = actions.generate_cycle(project=project, period_start=payload.period_start, discount_rate=payload.discount_rate,
                               discount_ref=payload.discount_ref, acting_user=_user(request), now=clock.now())
    return Status(201, _cycle_out(c))


def _cycle_out(c: BillingCycle) -> dict[str, Any]:
    return {"id": c.pk, "label": c.label, "period_start": c.period_start, "period_end": c.period_end,
            "due_date": c.due_date, "bill_count": c.bill_count, "total": c.total, "skipped": c.skipped}


@router.get("/cycles", response={200: list[CycleOut], **ERRORS}, summary="账期")
def cycle_list(request: HttpRequest, project: int) -> Any:
    return [_cycle_out(c) for c in BillingCycle.objects.filter(project=_project(request, project))]


@router.post("/standards", response={201: StandardOut, **ERRORS}, summary="收费标准（新版本自生效日起替代旧版本）")
def standard_create(request: HttpRequest, payload: StandardIn) -> Any:
    project = _project(request, payload.project_id)
    s = actions.add_standard(project=project, applies_to=payload.applies_to, contract_ref=payload.contract_ref,
                             rate=payload.rate, valid_from=payload.valid_from, name=payload.name, mode=payload.mode,
                             basis=payload.basis, acting_user=_user(request), now=clock.now())
    return Status(201, _standard_out(s))


def _standard_out(s: FeeStandard) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "applies_to": s.applies_to, "contract_ref": s.contract_ref, "mode": s.mode,
            "basis": s.basis, "rate": s.rate, "valid_from": s.valid_from, "valid_to": s.valid_to}


@router.get("/standards", response={200: list[StandardOut], **ERRORS}, summary="收费标准及历史版本")
def standard_list(request: HttpRequest, project: int) -> Any:
    return [_standard_out(s) for s in FeeStandard.objects.filter(project=_project(request, project))]


@router.post("/charges", response={201: BillOut, **ERRORS}, summary="其他收费（停车、装修垃圾清运、有偿服务、代收代办）")
def charge_create(request: HttpRequest, payload: ChargeIn) -> Any:
    project = _project(request, payload.project_id, write=True)
    b = actions.add_charge(project=project, household=_household(project, payload.household_id), kind=payload.kind,
                           description=payload.description, amount=payload.amount, due_date=payload.due_date,
                           acting_user=_user(request), now=clock.now())
    return Status(201, b)


@router.get("/arrears/ageing", response={200: AgeingOut, **ERRORS}, summary="欠费账龄（一次聚合）")
def arrears_ageing(request: HttpRequest, project: int | None = None, as_of: dt.date | None = None) -> Any:
    projects = _projects(request, project)
    day = as_of or clock.today()
    return {"project_ids": [p.pk for p in projects], "as_of": day, **queries.arrears_ageing(projects, day)}


@router.get("/arrears", response={200: list[ArrearsRowOut], **ERRORS}, summary="欠费房屋（按欠费额，分页）")
@paginate(LinliPagination)
def arrears_list(request: HttpRequest, project: int | None = None, as_of: dt.date | None = None,
                 **kwargs: Any) -> Any:
    rows = queries.arrears_by_household(_projects(request, project), as_of or clock.today())
    return [{**r, "household": r["household__label"], "project": r["project__name"]} for r in rows]


@router.get("/reconciliation", response={200: list[ReconRowOut], **ERRORS},
            summary="收款对账：每位收款人每天的收据合计与入账合计")
def reconciliation(request: HttpRequest, date_from: dt.date, date_to: dt.date, project: int | None = None) -> Any:
    if date_to < date_from:  # an empty range has no days to reconcile
        return []
    return queries.reconciliation(_projects(request, project), date_from, date_to)


class PriceItemOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    unit_price: Decimal


class PriceLineIn(Schema):
    item_id: int
    quantity: Decimal


class PriceChargeIn(Schema):
    project_id: int
    household_id: int
    lines: list[PriceLineIn]
    due_date: dt.date | None = None
    note: str = ""


@router.get("/price-items", response={200: list[PriceItemOut], **ERRORS},
            summary="现行公示价目表的收费项目（按价目表收费用）")
def price_item_list(request: HttpRequest, project: int) -> Any:
    return queries.price_list_items(_project(request, project), clock.now())


@router.post("/charges/price-list", response={201: BillOut, **ERRORS},
             summary="按价目表收费（有偿服务）：单价取自现行公示价目表，只填数量")
def price_charge_create(request: HttpRequest, payload: PriceChargeIn) -> Any:
    project = _project(request, payload.project_id, write=True)
    b = actions.charge_from_price_list(project=project, household=_household(project, payload.household_id),
                                       lines=[(ln.item_id, ln.quantity) for ln in payload.lines],
                                       due_date=payload.due_date, note=payload.note, acting_user=_user(request),
                                       now=clock.now())
    return Status(201, b)


class ApplyPrepaidIn(Schema):
    bill_ids: list[int] = []


class ApplyPrepaidOut(Schema):
    applied: Decimal
    bills: int
    households: int


@router.post("/households/{household_id}/apply-prepaid", response={201: ApplyPrepaidOut, **ERRORS},
             summary="预交冲抵：用房屋的预交余额冲抵未缴账单（先到期先冲）")
def apply_prepaid(request: HttpRequest, household_id: int, payload: ApplyPrepaidIn) -> Any:
    household = Household.objects.select_related("project").filter(pk=household_id).first()
    if household is None or not access.can_view(request.user, household.project):
        raise ApiError(404, "not_found", "房屋不存在")
    r = actions.apply_prepaid(project=household.project, household=household, bill_ids=payload.bill_ids or None,
                              acting_user=_user(request), now=clock.now())
    return Status(201, {"applied": r.applied, "bills": r.bills, "households": r.households})


@router.post("/apply-prepaid", response={201: ApplyPrepaidOut, **ERRORS},
             summary="预交冲抵（全项目）：出账后用各户预交余额冲抵未缴账单")
def apply_prepaid_all(request: HttpRequest, project: int) -> Any:
    r = actions.apply_prepaid_all(project=_project(request, project, write=True), acting_user=_user(request),
                                  now=clock.now())
    return Status(201, {"applied": r.applied, "bills": r.bills, "households": r.households})


class TransferIn(Schema):
    project_id: int
    household_id: int
    old_owner: str
    new_owner: str
    proceed_with_arrears: bool = False
    reason: str = ""


class TransferOut(Schema):
    id: int
    household_id: int
    old_owner: str
    new_owner: str
    outstanding: Decimal
    cleared: bool
    reason: str


class TransferWarningOut(Schema):
    household_id: int
    outstanding: Decimal
    warning: str | None


@router.get("/households/{household_id}/transfer-warning", response={200: TransferWarningOut, **ERRORS},
            summary="过户前核查：尚有欠费时给出提示")
def transfer_warning(request: HttpRequest, household_id: int) -> Any:
    household = Household.objects.select_related("project").filter(pk=household_id).first()
    if household is None or not access.can_view(request.user, household.project):
        raise ApiError(404, "not_found", "房屋不存在")
    owed = queries.household_outstanding(household.pk)
    warning = f"该房屋尚欠物业费用 {owed} 元，请原业主结清后再办理过户" if owed > 0 else None
    return {"household_id": household.pk, "outstanding": owed, "warning": warning}


@router.post("/transfers", response={201: TransferOut, **ERRORS},
             summary="过户登记：尚有欠费时拒绝（409），经理确认并填写原因后可继续")
def transfer_create(request: HttpRequest, payload: TransferIn) -> Any:
    project = _project(request, payload.project_id)
    t = actions.record_transfer(project=project, household=_household(project, payload.household_id),
                                old_owner=payload.old_owner, new_owner=payload.new_owner,
                                proceed_with_arrears=payload.proceed_with_arrears, reason=payload.reason,
                                acting_user=_user(request), now=clock.now())
    return Status(201, t)


class InquiryIn(Schema):
    project_id: int
    asker: str
    question: str
    household_id: int | None = None


class InquiryAnswerIn(Schema):
    answer: str


class InquiryOut(Schema):
    id: int
    household_id: int | None
    asker: str
    question: str
    asked_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


@router.post("/inquiries", response={201: InquiryOut, **ERRORS}, summary="收费咨询登记")
def inquiry_create(request: HttpRequest, payload: InquiryIn) -> Any:
    project = _project(request, payload.project_id)
    household = _household(project, payload.household_id) if payload.household_id else None
    return Status(201, actions.record_inquiry(project=project, household=household, asker=payload.asker,
                                              question=payload.question, acting_user=_user(request), now=clock.now()))


@router.post("/inquiries/{inquiry_id}/answer", response={200: InquiryOut, **ERRORS}, summary="答复收费咨询")
def inquiry_answer(request: HttpRequest, inquiry_id: int, payload: InquiryAnswerIn) -> Any:
    inquiry = FeeInquiry.objects.select_related("project").filter(pk=inquiry_id).first()
    if inquiry is None or not access.can_view(request.user, inquiry.project):
        raise ApiError(404, "not_found", "咨询不存在")
    return actions.answer_inquiry(inquiry=inquiry, answer=payload.answer, acting_user=_user(request), now=clock.now())


@router.get("/inquiries", response={200: list[InquiryOut], **ERRORS}, summary="收费咨询（分页）")
@paginate(LinliPagination)
def inquiry_list(request: HttpRequest, project: int | None = None, **kwargs: Any) -> Any:
    return FeeInquiry.objects.filter(project__in=_projects(request, project)).order_by("-asked_at", "-id")

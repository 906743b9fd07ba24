"""Paid services (R-M8-08 e, g; R-M8-15, R-M8-16): the published price list, the numbered receipt,
the payment, voiding a receipt, and the cash handed over to the cashier."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from apps.org.access import can_see_project, has_cap
from apps.org.models import Project, User
from apps.org.roles import Cap
from apps.repairs.access import require_work
from apps.repairs.actions._common import lock, save_price_list, save_receipt
from apps.repairs.actions.price_lists import end_previous_version
from apps.repairs.errors import RepairError, refuse
from apps.repairs.models import (
    CashHandover,
    PaymentMethod,
    PaymentStatus,
    PriceList,
    Receipt,
    ReceiptCounter,
    RepairOrder,
)
from apps.repairs.queries import CENT, consent_valid


@transaction.atomic
def publish_price_list(*, price_list: PriceList, acting_user: User, now: dt.datetime) -> PriceList:
    """公示: publish a project's price list (a published list is no longer edited — make a new one)."""
    project = price_list.project
    if not can_see_project(acting_user, project):
        raise refuse("项目不存在", code="not_found", status=404)
    if not has_cap(acting_user, Cap.MANAGE_CONFIG, project):
        raise refuse("只有管理处经理可以公示价目表", code="forbidden", status=403)
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    if price_list.published_at is not None:
        raise refuse("价目表已公示", code="already_published", status=409)
    if not price_list.items.exists():
        raise refuse("价目表没有收费项目", field="items")
    if any(i.unit_price < 0 for i in price_list.items.all()):
        raise refuse("单价不能为负", field="items")
    price_list.published_at = now
    save_price_list(price_list, ["published_at"], acting_user=acting_user, reason="公示")
    end_previous_version(price_list, acting_user=acting_user, now=now)  # R-M8-16: a new version replaces it
    return price_list


def _next_receipt_number(project: Project, year: int) -> str:
    """Gapless per project and year: the counter row stays locked until the transaction ends."""
    counter, _ = ReceiptCounter.objects.select_for_update().get_or_create(project=project, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"SJ-{project.code}-{year}-{counter.last:05d}"


@transaction.atomic
def issue_receipt(*, order: RepairOrder, acting_user: User, now: dt.datetime) -> Receipt:
    """收据 (R-M8-08 e): the agreed charge, numbered gaplessly per project and year."""
    require_work(acting_user, order)
    lock(order)
    if not order.chargeable:
        raise refuse("该工单不收费", code="not_chargeable", status=409)
    if not consent_valid(order):
        raise refuse("业主尚未同意当前收费金额", code="consent_required", status=409)
    if order.receipts.exclude(status=PaymentStatus.VOID).exists():
        raise refuse("已开具收据", code="already_issued", status=409)
    project = order.ticket.project
    year = now.astimezone(project.tz).year
    receipt = Receipt(project=project, order=order, number=_next_receipt_number(project, year),
                      amount=order.quote_total, issued_at=now, issued_by=acting_user)
    receipt._change_reason = "开具收据"  # type: ignore[attr-defined]
    receipt._history_user = acting_user  # type: ignore[attr-defined]
    receipt.save()
    return receipt


@transaction.atomic
def record_payment(*, receipt: Receipt, method: str, payer_name: str, acting_user: User, now: dt.datetime) -> Receipt:
    """收款: the receipt becomes 已付款 with method, payer, who collected and when."""
    require_work(acting_user, receipt.order)
    if method not in PaymentMethod.values:
        raise refuse("付款方式不正确", field="method")
    if not payer_name.strip():
        raise refuse("请填写付款人", field="payer_name")
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.status != PaymentStatus.UNPAID:
        raise refuse("收据已付款或已作废", code="not_unpaid", status=409)
    receipt.status, receipt.method, receipt.payer_name = PaymentStatus.PAID, method, payer_name.strip()
    receipt.paid_at, receipt.collected_by = now, acting_user
    save_receipt(receipt, ["status", "method", "payer_name", "paid_at", "collected_by"], acting_user=acting_user,
                 reason="收款")
    return receipt


@transaction.atomic
def void_receipt(*, receipt: Receipt, reason: str, acting_user: User, now: dt.datetime) -> Receipt:
    """作废收据 (supervisor): keeps the number (no gaps); refused once the cash was handed over."""
    project = receipt.project
    if not can_see_project(acting_user, project):
        raise refuse("收据不存在", code="not_found", status=404)
    if not has_cap(acting_user, Cap.VOID, project):
        raise refuse("只有主管以上人员可以作废收据", code="forbidden", status=403)
    if not reason.strip():
        raise refuse("请填写作废原因", field="reason")
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.handover_id is not None:
        raise refuse("现金已交接的收据不能作废", code="handed_over", status=409)
    if receipt.status == PaymentStatus.VOID:
        raise refuse("收据已作废", code="void", status=409)
    receipt.status, receipt.void_reason = PaymentStatus.VOID, reason.strip()[:200]
    save_receipt(receipt, ["status", "void_reason"], acting_user=acting_user, reason="作废收据")
    return receipt


@transaction.atomic
def hand_over_cash(*, project: Project, receipts: Sequence[Receipt | int], amount: Any, received_by: User,
                   acting_user: User, now: dt.datetime, note: str = "") -> CashHandover:
    """现金交接 (R-M8-08 g): the technician hands the cash of their paid cash receipts to the
    cashier. Refused when: a receipt is not a paid cash receipt collected by the acting user in
    this project, already handed over, the cashier is the acting user or outside the project, or
    the amount differs from the receipts' total by even a cent (discrepancy)."""
    if not can_see_project(acting_user, project):
        raise refuse("项目不存在", code="not_found", status=404)
    if received_by.pk == acting_user.pk:
        raise refuse("交款人和收款人不能是同一人", field="received_by")
    if not can_see_project(received_by, project):
        raise refuse("收款人不属于该项目", field="received_by")
    try:
        value = Decimal(str(amount)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise refuse("金额格式不正确", field="amount") from None
    ids = [r.pk if isinstance(r, Receipt) else int(r) for r in receipts]
    if not ids:
        raise refuse("请选择要交接的收据", field="receipts")
    rows = list(Receipt.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(rows) != len(set(ids)):
        raise refuse("收据不存在", field="receipts", code="not_found", status=404)
    for r in rows:
        if r.project_id != project.pk:
            raise refuse(f"收据 {r.number} 不属于该项目", field="receipts")
        if r.status != PaymentStatus.PAID or r.method != PaymentMethod.CASH:
            raise refuse(f"收据 {r.number} 不是已收现金的收据", field="receipts")
        if r.collected_by_id != acting_user.pk:
            raise refuse(f"收据 {r.number} 不是您收取的现金", field="receipts", code="forbidden", status=403)
        if r.handover_id is not None:
            raise refuse(f"收据 {r.number} 的现金已交接", field="receipts", code="already_handed_over", status=409)
    total = sum((r.amount for r in rows), Decimal("0.00"))
    if value != total:
        raise RepairError(f"交接金额 ¥{value} 与收据合计 ¥{total} 不符，不能交接", field="amount",
                          code="discrepancy", status=409)
    handover = CashHandover.objects.create(project=project, handed_by=acting_user, received_by=received_by, at=now,
                                           amount=total, note=note.strip()[:200])
    for r in rows:
        r.handover = handover
        save_receipt(r, ["handover"], acting_user=acting_user, reason="现金交接")
    return handover

"""Paid services: the price list, the computed charge, receipts, payment and the cash hand-over
(R-M8-08 b/e/g, R-M8-15, R-M8-16)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.repairs import actions, queries
from apps.repairs.errors import RepairError
from apps.repairs.models import PaymentStatus, PriceItem, PriceList
from apps.repairs.tests.conftest import SITE_OK, item
from apps.repairs.tests.helpers import assigned, at, on_site

pytestmark = pytest.mark.django_db


def test_r_m8_15_charge_is_quantity_times_listed_price(price_list):
    """R-M8-15 (6) 明码标价: each line = quantity × the listed unit price (Decimal, half-up to the
    cent); the total is the sum of the lines."""
    lines, total = queries.compute_charge([(item(price_list, "tube"), "1.5"), (item(price_list, "tape"), 3),
                                            (item(price_list, "tap"), Decimal("2"))])
    assert [ln["amount"] for ln in lines] == [Decimal("19.20"), Decimal("0.99"), Decimal("91.00")]
    assert total == Decimal("111.19")
    lines, total = queries.compute_charge([(item(price_list, "tape"), "0.5")])  # 0.165 → 0.17
    assert total == Decimal("0.17")
    for bad in ("0", "-1", "abc"):
        with pytest.raises(RepairError):
            queries.compute_charge([(item(price_list, "tape"), bad)])


def test_r_m8_15_no_private_mark_up_only_the_published_list(cast, fake_policies, price_list):
    """R-M8-15 (6): an item of an unpublished or expired list, or of another project, cannot be charged."""
    now = at(2026, 11, 23, 10, 0)
    draft = PriceList.objects.create(project=cast.project, effective_from=dt.date(2026, 6, 1))
    private = PriceItem.objects.create(price_list=draft, code="extra", name="加急费", unit="次", unit_price="100")
    order = on_site(cast, assigned(cast, now=now), now=now)
    with pytest.raises(RepairError) as e:
        actions.diagnose(order=order, diagnosis="x", chargeable=True, items=[(private, 1)], acting_user=cast.worker,
                          now=now)
    assert "items" in e.value.fields
    price_list.effective_to = dt.date(2026, 10, 31)
    price_list.save()
    with pytest.raises(RepairError) as e:
        actions.diagnose(order=order, diagnosis="x", chargeable=True, items=[(item(price_list, "tap"), 1)],
                          acting_user=cast.worker, now=now)
    assert e.value.code == "no_price_list"


def test_r_m8_16_publishing_a_price_list(cast, fake_policies):
    """R-M8-16: the price list is published (公示) by the project manager with its date."""
    pl = PriceList.objects.create(project=cast.project, effective_from=dt.date(2026, 12, 1))
    now = at(2026, 11, 23, 10, 0)
    with pytest.raises(RepairError):
        actions.publish_price_list(price_list=pl, acting_user=cast.project_manager, now=now)  # no items
    PriceItem.objects.create(price_list=pl, code="x", name="开锁", unit="次", unit_price="40")
    with pytest.raises(RepairError) as e:
        actions.publish_price_list(price_list=pl, acting_user=cast.front_desk, now=now)
    assert e.value.status == 403
    actions.publish_price_list(price_list=pl, acting_user=cast.project_manager, now=now)
    assert queries.effective_price_list(cast.project, dt.date(2026, 12, 2)) == pl


def _paid(cast, price_list, now, method="cash"):
    order = on_site(cast, assigned(cast, now=now), now=now, chargeable=True,
                    items=[(item(price_list, "tap_replace"), 1), (item(price_list, "tap"), 1)])
    actions.record_consent(order=order, agreed=True, reported_to=cast.eng_head, owner_name="王先生", explanation="换龙头",
                            acting_user=cast.worker,
                            now=now)
    actions.start_work(order=order, acting_user=cast.worker, now=now)
    actions.complete_repair(checklist=SITE_OK,
                             order=order, result="已更换", labour_hours=1, acting_user=cast.worker, now=now)
    receipt = actions.issue_receipt(order=order, acting_user=cast.worker, now=now)
    return actions.record_payment(receipt=receipt, method=method, payer_name="王先生", acting_user=cast.worker,
                                   now=now)


def test_r_m8_08e_receipt_numbered_and_paid(cast, fake_policies, price_list):
    """R-M8-08 e: a numbered receipt for the agreed amount, then payment with method and collector."""
    now = at(2026, 11, 23, 10, 0)
    r1 = _paid(cast, price_list, now)
    r2 = _paid(cast, price_list, now)
    assert (r1.number, r2.number) == ("SJ-YG-2026-00001", "SJ-YG-2026-00002")
    assert r1.amount == Decimal("75.50") and r1.status == PaymentStatus.PAID and r1.collected_by == cast.worker
    with pytest.raises(RepairError) as e:
        actions.issue_receipt(order=r1.order, acting_user=cast.worker, now=now)
    assert e.value.code == "already_issued"
    with pytest.raises(RepairError):
        actions.record_payment(receipt=r1, method="cash", payer_name="王", acting_user=cast.worker, now=now)


def test_receipt_needs_agreed_charge(cast, fake_policies, price_list):
    now = at(2026, 11, 23, 10, 0)
    order = on_site(cast, assigned(cast, now=now), now=now, chargeable=True, items=[(item(price_list, "tap"), 1)])
    with pytest.raises(RepairError) as e:
        actions.issue_receipt(order=order, acting_user=cast.worker, now=now)
    assert e.value.code == "consent_required"


def test_r_m8_08g_cash_hand_over_to_the_cashier(cast, fake_policies, price_list):
    """R-M8-08 g: who handed, who received, when and how much; the amount must match the receipts
    (a discrepancy is refused), each receipt is handed over once, only the collector hands it over."""
    now = at(2026, 11, 23, 10, 0)
    r1, r2 = _paid(cast, price_list, now), _paid(cast, price_list, now)
    r3 = _paid(cast, price_list, now, method="wechat")
    cashier = cast.front_desk
    assert set(queries.cash_on_hand(cast.worker)) == {r1, r2}
    with pytest.raises(RepairError) as e:
        actions.hand_over_cash(project=cast.project, receipts=[r1, r2], amount="150.00", received_by=cashier,
                                acting_user=cast.worker, now=now)
    assert e.value.code == "discrepancy" and e.value.status == 409
    with pytest.raises(RepairError):
        actions.hand_over_cash(project=cast.project, receipts=[r3], amount="75.50", received_by=cashier,
                                acting_user=cast.worker, now=now)
    with pytest.raises(RepairError) as e:
        actions.hand_over_cash(project=cast.project, receipts=[r1], amount="75.50", received_by=cashier,
                                acting_user=cast.eng_head, now=now)
    assert e.value.status == 403
    with pytest.raises(RepairError):
        actions.hand_over_cash(project=cast.project, receipts=[r1], amount="75.50", received_by=cast.worker,
                                acting_user=cast.worker, now=now)
    later = now + dt.timedelta(hours=3)
    h = actions.hand_over_cash(project=cast.project, receipts=[r1, r2], amount="151.00", received_by=cashier,
                                acting_user=cast.worker, now=later)
    assert (h.handed_by, h.received_by, h.at, h.amount) == (cast.worker, cashier, later, Decimal("151.00"))
    assert set(h.receipts.all()) == {r1, r2} and not queries.cash_on_hand(cast.worker).exists()
    with pytest.raises(RepairError) as e:
        actions.hand_over_cash(project=cast.project, receipts=[r1], amount="75.50", received_by=cashier,
                                acting_user=cast.worker, now=later)
    assert e.value.code == "already_handed_over"
    with pytest.raises(RepairError) as e:
        actions.void_receipt(receipt=r1, reason="错开", acting_user=cast.supervisor, now=later)
    assert e.value.code == "handed_over"
    r3v = actions.void_receipt(receipt=r3, reason="重复开具", acting_user=cast.supervisor, now=later)
    assert r3v.status == PaymentStatus.VOID

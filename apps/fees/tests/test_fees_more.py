"""Fees, issue 21 remainder: charges from the price list, prepayments applied to bills, the transfer
warning while fees are outstanding, owners' inquiries about the published fee income."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.fees import actions
from apps.fees.models import Bill, LedgerEntry
from apps.fees.tests.conftest import at, auth
from linli import clock

pytestmark = pytest.mark.django_db


def published_price_list(cast, *, now=None):
    from apps.repairs import actions as repairs

    now = now or at(2026, 1, 2)
    pl = repairs.save_price_list_draft(
        project=cast.project, name="有偿服务收费价目表", effective_from=dt.date(2026, 1, 1),
        items=[{"code": "tap", "name": "更换水龙头", "unit": "个", "unit_price": "30.00"},
               {"code": "unclog", "name": "疏通下水道", "unit": "次", "unit_price": "45.50"}],
        acting_user=cast.project_manager, now=now)
    return repairs.publish_price_list(price_list=pl, acting_user=cast.project_manager, now=now)


# ------------------------------------------------------------------ price list → charges


def test_r_m16_10_r_m16_11_charge_from_price_list_page_and_api(client, cast, fees):
    """R-M16-10/-11: a paid-service charge takes its prices from the published list; only quantities
    are typed; an item outside the list in force is refused and nothing is written."""
    client.force_login(fees.cashier)
    r = client.get(f"/fees/charges/price-list/?project={cast.project.pk}")
    assert r.status_code == 200 and 'data-testid="no-price-list"' in r.content.decode()
    with clock.frozen(at(2026, 1, 5)):
        r = client.post(f"/fees/charges/price-list/?project={cast.project.pk}", {"household": fees.hh.label})
    assert r.status_code == 400 and "没有已公示的收费价目表" in r.content.decode()
    pl = published_price_list(cast)
    tap, unclog = pl.items.order_by("sort")
    with clock.frozen(at(2026, 1, 5)):
        r = client.get(f"/fees/charges/price-list/?project={cast.project.pk}")
        assert "更换水龙头" in r.content.decode() and "30.00" in r.content.decode()
        r = client.post(f"/fees/charges/price-list/?project={cast.project.pk}",
                        {"household": fees.hh.label, f"qty_{tap.pk}": "2", f"qty_{unclog.pk}": "1"})
    assert r.status_code == 302, r.content.decode()
    bill = Bill.objects.get(kind="paid_service")
    assert bill.amount == Decimal("105.50") and "更换水龙头2个×30.00" in bill.description
    assert LedgerEntry.objects.filter(bill=bill, kind="billed", amount=Decimal("105.50")).exists()
    with clock.frozen(at(2026, 1, 5)):
        r = client.get(f"/api/v1/fees/price-items?project={cast.project.pk}", **auth(fees.cashier))
        assert [i["name"] for i in r.json()] == ["更换水龙头", "疏通下水道"]
        r = client.post("/api/v1/fees/charges/price-list",
                        {"project_id": cast.project.pk, "household_id": fees.hh2.pk,
                         "lines": [{"item_id": unclog.pk, "quantity": "2"}]},
                        content_type="application/json", **auth(fees.cashier))
        assert r.status_code == 201, r.content
        assert Decimal(r.json()["amount"]) == Decimal("91.00") and r.json()["kind"] == "paid_service"
        r = client.post("/api/v1/fees/charges/price-list",
                        {"project_id": cast.project.pk, "household_id": fees.hh2.pk,
                         "lines": [{"item_id": 999999, "quantity": "1"}]},
                        content_type="application/json", **auth(fees.cashier))
        assert r.status_code == 422 and "不得私自加价" in r.json()["error"]["message"]
        r = client.post("/api/v1/fees/charges/price-list",
                        {"project_id": cast.project.pk, "household_id": fees.hh2.pk,
                         "lines": [{"item_id": tap.pk, "quantity": "1"}]},
                        content_type="application/json", **auth(cast.worker))
        assert r.status_code in (403, 404)
    assert Bill.objects.filter(kind="paid_service").count() == 2


# ------------------------------------------------------------------ prepayment applied to bills


def test_prepayment_applied_to_the_next_bills_page_and_api(client, cast, fees, cycle):
    """An explicit prepayment (money safety) is kept as the household's balance and applied to its
    bills when they come (R-M16-08 half-yearly bills): a history row per bill, no new receipt, the
    receipts still reconcile; refused without a balance."""
    from apps.fees import queries
    from apps.fees.models import Payment

    p = actions.record_payment(project=cast.project, household=fees.hh, amount="2000.00", prepayment=True,
                               acting_user=fees.cashier, now=at(2026, 1, 5))
    assert queries.prepaid_balance(fees.hh.pk) == Decimal("500.00")
    actions.record_payment(project=cast.project, household=fees.hh2, amount="1633.20", prepayment=True,
                           acting_user=fees.cashier, now=at(2026, 1, 6))
    c2 = actions.generate_cycle(project=cast.project, period_start=dt.date(2026, 7, 1), acting_user=cast.cs_manager,
                                now=at(2026, 7, 1))
    client.force_login(fees.cashier)
    r = client.get(f"/fees/households/{fees.hh.pk}/")
    assert 'data-testid="apply-prepaid"' in r.content.decode()
    with clock.frozen(at(2026, 7, 2)):
        r = client.post(f"/fees/households/{fees.hh.pk}/apply-prepaid/")
    assert r.status_code == 302
    b2 = Bill.objects.get(cycle=c2, household=fees.hh)
    assert (b2.paid, b2.status) == (Decimal("500.00"), "partial")
    assert queries.prepaid_balance(fees.hh.pk) == Decimal("0.00")
    assert LedgerEntry.objects.filter(kind="applied", bill=b2, amount=Decimal("500.00")).exists()
    assert Payment.objects.count() == 2  # no new receipt
    r = client.get(f"/fees/households/{fees.hh.pk}/")
    assert r.content.decode().count('data-testid="application-row"') == 1
    assert all(row["balanced"] for row in queries.reconciliation([cast.project], dt.date(2026, 1, 1),
                                                                  dt.date(2026, 12, 31)))
    # nothing left: refused (API 409), nothing written
    r = client.post(f"/api/v1/fees/households/{fees.hh.pk}/apply-prepaid", {}, content_type="application/json",
                    **auth(fees.cashier))
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_prepaid"
    # the applied prepayment can no longer be refunded as cash; the bill part still can
    with pytest.raises(actions.FeeError) as e:
        actions.reverse_payment(payment=p, kind="void", reason="误收", acting_user=cast.cs_manager, now=at(2026, 7, 3))
    assert e.value.code == "prepaid_applied"
    # the bulk application over the project after a cycle (API): 102 prepaid 300.00 in H1
    r = client.post(f"/api/v1/fees/apply-prepaid?project={cast.project.pk}", {}, content_type="application/json",
                    **auth(fees.cashier))
    assert r.status_code == 201 and r.json()["households"] == 1 and r.json()["applied"] == "300.00"
    assert Bill.objects.get(cycle=c2, household=fees.hh2).paid == Decimal("300.00")
    r = client.get(f"/api/v1/fees/households/{fees.hh2.pk}/account", **auth(fees.cashier))
    assert r.json()["prepaid"] == "0.00"


# ------------------------------------------------------------------ transfer warning (R-M16-09)


def test_r_m16_09_transfer_held_while_fees_outstanding_page_and_api(client, cast, fees, cycle):
    """R-M16-09: a house transfer is refused with a warning naming the arrears; the front desk cannot
    override it; a CS manager may proceed with a reason; once settled it is recorded as cleared."""
    from apps.fees.models import TransferCheck

    r = client.get(f"/api/v1/fees/households/{fees.hh.pk}/transfer-warning", **auth(cast.front_desk))
    assert r.status_code == 200 and r.json()["outstanding"] == "1500.00" and "1500.00" in r.json()["warning"]
    client.force_login(cast.front_desk)
    with clock.frozen(at(2026, 3, 2)):
        r = client.post(f"/fees/transfers/?project={cast.project.pk}",
                        {"household": fees.hh.label, "old_owner": "张三丰", "new_owner": "李四"})
        assert r.status_code == 400 and "尚欠物业费用 1500.00 元" in r.content.decode()
        r = client.post(f"/fees/transfers/?project={cast.project.pk}",
                        {"household": fees.hh.label, "old_owner": "张三丰", "new_owner": "李四",
                         "proceed_with_arrears": "on", "reason": "新业主承诺代缴"})
        assert r.status_code == 400 and "只有客服经理或管理处经理" in r.content.decode()
    assert not TransferCheck.objects.exists()
    r = client.post("/api/v1/fees/transfers", {"project_id": cast.project.pk, "household_id": fees.hh.pk,
                                               "old_owner": "张三丰", "new_owner": "李四"},
                    content_type="application/json", **auth(cast.front_desk))
    assert r.status_code == 409 and r.json()["error"]["code"] == "arrears_outstanding"
    r = client.post("/api/v1/fees/transfers", {"project_id": cast.project.pk, "household_id": fees.hh.pk,
                                               "old_owner": "张三丰", "new_owner": "李四",
                                               "proceed_with_arrears": True, "reason": "新业主承诺代缴"},
                    content_type="application/json", **auth(cast.cs_manager))
    assert r.status_code == 201 and r.json()["cleared"] is False and r.json()["outstanding"] == "1500.00"
    # settled → recorded as cleared, by the front desk
    actions.record_payment(project=cast.project, household=fees.hh2, amount="1333.20", acting_user=fees.cashier,
                           now=at(2026, 1, 5))
    with clock.frozen(at(2026, 3, 2)):
        r = client.post(f"/fees/transfers/?project={cast.project.pk}",
                        {"household": fees.hh2.label, "old_owner": "王五", "new_owner": "赵六"})
    assert r.status_code == 302
    assert TransferCheck.objects.get(household=fees.hh2).cleared
    r = client.get(f"/fees/transfers/?project={cast.project.pk}")
    assert r.content.decode().count('data-testid="transfer-row"') == 2


# ------------------------------------------------------------------ owners' inquiries (R-M16-03)


def test_r_m16_03_owner_inquiry_and_answer_time_page_and_api(client, cast, fees, django_assert_max_num_queries):
    """R-M16-03: the front desk records an owner's fee question and its answer with the answer time."""
    from apps.fees.models import FeeInquiry

    client.force_login(cast.front_desk)
    with clock.frozen(at(2026, 7, 6, 9)):
        r = client.post(f"/fees/inquiries/?project={cast.project.pk}", {"asker": "", "question": "公示的欠费怎么算"})
        assert r.status_code == 400 and "咨询人" in r.content.decode()
        r = client.post(f"/fees/inquiries/?project={cast.project.pk}",
                        {"household": fees.hh.label, "asker": "张三丰", "question": "上半年公示的实收金额怎么算的？"})
        assert r.status_code == 302
    q = FeeInquiry.objects.get()
    with clock.frozen(at(2026, 7, 6, 11)):
        r = client.post(f"/fees/inquiries/?project={cast.project.pk}",
                        {"inquiry": q.pk, "answer": "按收款日期统计，含预交款。"})
    assert r.status_code == 302
    q.refresh_from_db()
    assert q.answered_at is not None and q.answered_by == cast.front_desk
    assert clock.local(q.answered_at).hour == 11
    r = client.post(f"/api/v1/fees/inquiries/{q.pk}/answer", {"answer": "再答一次"},
                    content_type="application/json", **auth(cast.front_desk))
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_answered"
    r = client.post("/api/v1/fees/inquiries", {"project_id": cast.project.pk, "asker": "李四", "question": "停车费标准？"},
                    content_type="application/json", **auth(cast.front_desk))
    assert r.status_code == 201 and r.json()["answered_at"] is None
    r = client.get(f"/api/v1/fees/inquiries?project={cast.project.pk}", **auth(cast.front_desk))
    assert r.json()["count"] == 2
    r = client.get(f"/api/v1/fees/inquiries?project={cast.other_project.pk}", **auth(cast.front_desk))
    assert r.status_code == 404
    with django_assert_max_num_queries(15):
        r = client.get(f"/fees/inquiries/?project={cast.project.pk}")
    assert r.content.decode().count('data-testid="inquiry-row"') == 2

"""Fees and charges (SPEC M16) through the actions, the cashier's pages and /api/v1/fees."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from openpyxl import Workbook

from apps.fees import actions, queries
from apps.fees.models import (
    Allocation,
    Bill,
    BillStatus,
    FeeReminder,
    FeeStandard,
    LedgerEntry,
    Payment,
    ReceiptSeries,
)
from apps.fees.tests.conftest import at, auth
from apps.notify.models import Delivery
from linli import clock

pytestmark = pytest.mark.django_db


def pay(cast, fees, amount, *, user=None, now=None, **kw):
    return actions.record_payment(project=cast.project, household=kw.pop("household", fees.hh), amount=amount,
                                  acting_user=user or fees.cashier, now=now or at(2026, 1, 5), **kw)


# ------------------------------------------------------------------ standards and bills


def test_r_m16_01_standard_versions_by_date(cast, fees):
    """R-M16-01: a new standard from a date closes the running one the day before; history is kept."""
    new = actions.add_standard(project=cast.project, applies_to="moved_in", contract_ref="YG-WY-2026-02",
                               rate="2.80", valid_from=dt.date(2026, 7, 1), acting_user=cast.cs_manager,
                               now=at(2026, 6, 1))
    old = FeeStandard.objects.get(project=cast.project, applies_to="moved_in", valid_from=dt.date(2024, 1, 1))
    assert old.valid_to == dt.date(2026, 6, 30)
    assert actions.standard_on(cast.project, "moved_in", dt.date(2026, 6, 30)) == old
    assert actions.standard_on(cast.project, "moved_in", dt.date(2026, 7, 1)) == new
    assert old.history.count() == 2


def test_r_m16_01_standard_needs_contract_and_manager(client, cast, fees):
    """R-M16-01: the rate is set by contract; the cashier may not set it (page and API)."""
    client.force_login(cast.cs_manager)
    r = client.post(f"/fees/standards/?project={cast.project.pk}", {
        "name": "物业服务费", "applies_to": "moved_in", "contract_ref": "", "mode": "lump_sum",
        "basis": "per_m2_month", "rate": "3.00", "valid_from": "2027-01-01"})
    assert r.status_code == 400 and "合同编号" in r.content.decode()
    r = client.post("/api/v1/fees/standards", {"project_id": cast.project.pk, "applies_to": "moved_in",
                                               "contract_ref": "C-1", "rate": "3.00", "valid_from": "2027-01-01"},
                    content_type="application/json", **auth(fees.cashier))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert not FeeStandard.objects.filter(valid_from=dt.date(2027, 1, 1)).exists()


def test_r_m16_08_r_m16_07_half_year_bills_with_not_moved_in_standard(cast, fees, cycle):
    """R-M16-08: one bill per household per half-year; R-M16-07: bought-not-moved-in uses its own standard."""
    assert cycle.label == "2026年上半年" and cycle.period_end == dt.date(2026, 6, 30)
    amounts = dict(Bill.objects.filter(cycle=cycle).values_list("household__label", "amount"))
    assert amounts == {"1栋1单元101": Decimal("1500.00"), "1栋1单元102": Decimal("1333.20"),
                       "2栋1单元201": Decimal("864.00")}
    assert cycle.bill_count == 3 and cycle.total == Decimal("3697.20")
    # every bill has its history row (a money change)
    assert LedgerEntry.objects.filter(bill__cycle=cycle, kind="billed").count() == 3


def test_r_m16_08_discount_from_assessment_and_duplicate_cycle_refused(client, cast, fees, cycle):
    """R-M16-08: an assessment-required discount needs its reference; a cycle is generated once (409)."""
    with pytest.raises(actions.FeeError) as e:
        actions.generate_cycle(project=cast.project, period_start=dt.date(2026, 7, 1), discount_rate="0.05",
                               acting_user=cast.cs_manager, now=at(2026, 7, 1))
    assert e.value.field == "discount_ref"
    c2 = actions.generate_cycle(project=cast.project, period_start=dt.date(2026, 7, 1), discount_rate="0.05",
                                discount_ref="2026上半年考核 92分", acting_user=cast.cs_manager, now=at(2026, 7, 1))
    b = Bill.objects.get(cycle=c2, household=fees.hh)
    assert (b.gross, b.discount, b.amount) == (Decimal("1500.00"), Decimal("75.00"), Decimal("1425.00"))
    r = client.post("/api/v1/fees/cycles", {"project_id": cast.project.pk, "period_start": "2026-07-01"},
                    content_type="application/json", **auth(cast.cs_manager))
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_generated"
    client.force_login(cast.cs_manager)
    r = client.post(f"/fees/cycles/?project={cast.project.pk}", {"period_start": "2026-03-01"})
    assert r.status_code == 400 and "账期须从周期的第一天开始" in r.content.decode()


def test_r_m16_10_other_charge_page_and_api(client, cast, fees):
    """R-M16-10: parking and other charges are bills of their own."""
    client.force_login(fees.cashier)
    r = client.post(f"/fees/charges/new/?project={cast.project.pk}", {
        "household": fees.hh.label, "kind": "parking", "description": "2026年1月地面停车费", "amount": "150.00"})
    assert r.status_code == 302
    assert Bill.objects.get(kind="parking").amount == Decimal("150.00")
    r = client.post("/api/v1/fees/charges", {"project_id": cast.project.pk, "household_id": fees.hh.pk,
                                             "kind": "decoration_waste", "description": "装修垃圾清运",
                                             "amount": "12.345"},
                    content_type="application/json", **auth(fees.cashier))
    assert r.status_code == 422 and "精确到分" in r.json()["error"]["message"]


# ------------------------------------------------------------------ payments and receipts


def test_r_m16_14_partial_payment_and_gapless_receipts(cast, fees, cycle):
    """Partial payments settle part of a bill; receipt numbers run 1, 2, 3 … without a gap."""
    p1 = pay(cast, fees, "500.00")
    p2 = pay(cast, fees, "1000.00")
    b = Bill.objects.get(cycle=cycle, household=fees.hh)
    assert (b.paid, b.status) == (Decimal("1500.00"), BillStatus.PAID)
    assert [p1.receipt_no, p2.receipt_no] == [1, 2]
    assert p1.number == "YG-SJ-000001"
    assert queries.receipt_gaps(cast.project) == []


def test_overpayment_refused_without_prepayment_page_and_api(client, cast, fees, cycle):
    """Money safety: a payment larger than the bill without an explicit prepayment is refused, nothing written."""
    client.force_login(fees.cashier)
    r = client.post(f"/fees/households/{fees.hh.pk}/", {"amount": "2000.00", "method": "cash", "channel": "counter"})
    body = r.content.decode()
    assert r.status_code == 400 and "大于应收" in body and 'data-testid="form-error-summary"' in body
    r = client.post("/api/v1/fees/payments", {"project_id": cast.project.pk, "household_id": fees.hh.pk,
                                              "amount": "2000.00"},
                    content_type="application/json", **auth(fees.cashier))
    assert r.status_code == 422 and r.json()["error"]["code"] == "overpayment"
    assert r.json()["error"]["fields"]["amount"]
    assert not Payment.objects.exists() and not ReceiptSeries.objects.filter(next_no__gt=1).exists()
    # with the prepayment ticked the surplus is kept as prepaid
    r = client.post("/api/v1/fees/payments", {"project_id": cast.project.pk, "household_id": fees.hh.pk,
                                              "amount": "2000.00", "prepayment": True},
                    content_type="application/json", **auth(fees.cashier))
    assert r.status_code == 201, r.content
    assert Decimal(r.json()["prepaid"]) == Decimal("500.00")
    assert LedgerEntry.objects.filter(kind="prepaid", amount=Decimal("500.00")).exists()


def test_same_receipt_number_twice_refused(client, cast, fees, cycle):
    """Money safety: a second payment with the same receipt number is refused (409); a gap too."""
    r = client.post("/api/v1/fees/payments", {"project_id": cast.project.pk, "household_id": fees.hh.pk,
                                              "amount": "100.00", "receipt_no": 1},
                    content_type="application/json", **auth(fees.cashier))
    assert r.status_code == 201
    r = client.post("/api/v1/fees/payments", {"project_id": cast.project.pk, "household_id": fees.hh2.pk,
                                              "amount": "100.00", "receipt_no": 1},
                    content_type="application/json", **auth(fees.cashier))
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_receipt"
    client.force_login(fees.cashier)
    r = client.post(f"/fees/households/{fees.hh2.pk}/", {"amount": "100.00", "method": "cash", "channel": "counter",
                                                          "receipt_no": "1"})
    assert r.status_code == 400 and "已经使用" in r.content.decode()
    r = client.post(f"/fees/households/{fees.hh2.pk}/", {"amount": "100.00", "method": "cash", "channel": "counter",
                                                          "receipt_no": "5"})
    assert r.status_code == 400 and "须连续" in r.content.decode()
    assert Payment.objects.count() == 1


def test_r_m16_13_front_desk_collects_only_out_of_hours(client, cast, fees, cycle):
    """R-M16-13: the counter is the cashier's; the front desk collects out of hours and hands over the
    next working day; the cashier's count must match."""
    with pytest.raises(actions.FeeError) as e:
        pay(cast, fees, "100.00", user=cast.front_desk)
    assert e.value.code == "cashier_only"
    with pytest.raises(actions.FeeError) as e:  # Monday 10:00 is within working hours
        pay(cast, fees, "100.00", user=cast.front_desk, channel="out_of_hours", now=at(2026, 1, 5, 10))
    assert e.value.code == "within_hours"
    p = pay(cast, fees, "100.00", user=cast.front_desk, channel="out_of_hours", now=at(2026, 1, 5, 19, 30))
    assert clock.local(p.handover_due) == at(2026, 1, 6, 23, 59).replace(second=59)
    r = client.post("/api/v1/fees/handovers", {"project_id": cast.project.pk, "collector_id": cast.front_desk.pk,
                                               "payment_ids": [p.pk], "amount": "90.00"},
                    content_type="application/json", **auth(fees.cashier))
    assert r.status_code == 422 and r.json()["error"]["code"] == "mismatch"
    client.force_login(fees.cashier)
    r = client.post(f"/fees/handovers/?project={cast.project.pk}", {"amount": "100.00", "payment_ids": [str(p.pk)]})
    assert r.status_code == 302
    assert p.handovers.get().cashier == fees.cashier


def test_void_only_by_authorised_role_and_by_reversal(client, cast, fees, cycle):
    """Money safety: a void by anyone but an authorised role is refused; a void is a reversal row."""
    p = pay(cast, fees, "600.00")
    client.force_login(fees.cashier)
    r = client.post(f"/fees/payments/{p.pk}/", {"kind": "void", "reason": "收错房号"})
    assert r.status_code == 400 and "只有客服经理或管理处经理" in r.content.decode()
    r = client.post(f"/api/v1/fees/payments/{p.pk}/reverse", {"kind": "void", "reason": "收错房号"},
                    content_type="application/json", **auth(fees.cashier))
    assert r.status_code == 403
    r = client.post(f"/api/v1/fees/payments/{p.pk}/reverse", {"kind": "void", "reason": "收错房号"},
                    content_type="application/json", **auth(cast.cs_manager))
    assert r.status_code == 201, r.content
    assert Decimal(r.json()["amount"]) == Decimal("-600.00") and r.json()["reverses"] == p.number
    b = Bill.objects.get(cycle=cycle, household=fees.hh)
    assert (b.paid, b.status) == (Decimal("0.00"), BillStatus.OPEN)
    p.refresh_from_db()
    assert p.amount == Decimal("600.00")  # the original is never edited
    r = client.post(f"/api/v1/fees/payments/{p.pk}/reverse", {"kind": "void", "reason": "再次作废"},
                    content_type="application/json", **auth(cast.cs_manager))
    assert r.status_code == 409


def test_refund_of_prepayment_then_bill(cast, fees, cycle):
    """A refund takes back the prepaid part first, then the latest bill; the ledger keeps every step."""
    p = pay(cast, fees, "1600.00", prepayment=True)
    rev = actions.reverse_payment(payment=p, kind="refund", amount="300.00", reason="业主多交退回",
                                  acting_user=cast.cs_manager, now=at(2026, 1, 6))
    assert rev.prepaid == Decimal("-100.00") and rev.amount == Decimal("-300.00")
    assert Bill.objects.get(cycle=cycle, household=fees.hh).paid == Decimal("1300.00")
    with pytest.raises(actions.FeeError):
        actions.reverse_payment(payment=p, kind="refund", amount="1300.01", reason="超额",
                                acting_user=cast.cs_manager, now=at(2026, 1, 6))
    ledger = LedgerEntry.objects.filter(household=fees.hh).exclude(kind="billed").aggregate(s=Sum("amount"))["s"]
    assert ledger == Decimal("1300.00")


def test_reconciliation_receipts_equal_payments_per_cashier_and_day(client, cast, fees, cycle):
    """Totals reconcile: the sum of receipts equals the payments recorded, per cashier and day."""
    pay(cast, fees, "500.00", now=at(2026, 1, 5, 9))
    pay(cast, fees, "333.20", household=fees.hh2, user=fees.cashier2, now=at(2026, 1, 5, 11))
    p = pay(cast, fees, "1000.00", now=at(2026, 1, 6, 9), prepayment=True)
    actions.reverse_payment(payment=p, kind="refund", amount="10.00", reason="找零错误",
                            acting_user=cast.cs_manager, now=at(2026, 1, 6, 15))
    rows = queries.reconciliation([cast.project], dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    for row in rows:
        assert row["balanced"], row
    per = {(r["collector"], r["day"]): r["total"] for r in rows}
    for (who, day), total in per.items():
        user = {"钱收银": fees.cashier, "孙收银": fees.cashier2, "陈经理": cast.cs_manager}[who]
        recorded = Payment.objects.filter(collected_by=user, business_date=day).aggregate(s=Sum("amount"))["s"]
        allocated = (Allocation.objects.filter(payment__collected_by=user, payment__business_date=day)
                     .aggregate(s=Sum("amount"))["s"] or 0)
        prepaid = Payment.objects.filter(collected_by=user, business_date=day).aggregate(s=Sum("prepaid"))["s"]
        assert total == recorded == allocated + prepaid
    client.force_login(fees.cashier)
    r = client.get(f"/fees/reconciliation/?project={cast.project.pk}&from=2026-01-01&to=2026-01-31")
    assert r.status_code == 200 and r.content.decode().count('data-testid="recon-row"') == 4
    r = client.get(f"/fees/reconciliation/?project={cast.project.pk}&from=2026-01-01&to=2026-01-31&format=xlsx")
    assert r.status_code == 200
    r = client.get("/api/v1/fees/reconciliation?date_from=2026-01-01&date_to=2026-01-31", **auth(fees.cashier))
    assert r.status_code == 200 and all(row["balanced"] for row in r.json())


# ------------------------------------------------------------------ arrears and reminders


def test_r_m16_09_arrears_ageing_one_aggregate(client, cast, fees, cycle, django_assert_max_num_queries):
    """R-M16-09: arrears by age, one aggregate query; per household one grouped query."""
    pay(cast, fees, "500.00")
    with django_assert_max_num_queries(1):
        ageing = queries.arrears_ageing([cast.project], dt.date(2026, 4, 15))
    assert ageing["d31_90"] == Decimal("1000.00") + Decimal("1333.20") + Decimal("864.00")
    assert ageing["total"] == ageing["d31_90"] and ageing["households"] == 3
    client.force_login(fees.cashier)
    with django_assert_max_num_queries(13):  # +1: the menu reads the visible projects
        r = client.get(f"/fees/arrears/?project={cast.project.pk}")
    assert r.status_code == 200
    r = client.get(f"/fees/arrears/?project={cast.project.pk}&format=xlsx")
    assert r.status_code == 200
    r = client.get(f"/api/v1/fees/arrears/ageing?project={cast.project.pk}&as_of=2026-04-15", **auth(fees.cashier))
    assert Decimal(r.json()["total"]) == Decimal("3197.20")


def test_r_m16_12_monthly_and_arrears_reminders_respect_quiet_hours(cast, fees, cycle):
    """R-M16-12: a monthly reminder and escalating arrears reminders, once each, through notify."""
    res = actions.send_reminders(now=at(2026, 3, 5, 22), projects=[cast.project])
    assert res.monthly == 3 and res.arrears == 3  # 33 days overdue ≥ the 30-day step
    d = Delivery.objects.filter(person=fees.owner).first()
    assert d is not None and d.kind == "fee_reminder"
    again = actions.send_reminders(now=at(2026, 3, 6, 10), projects=[cast.project])
    assert (again.monthly, again.arrears) == (0, 0)
    assert FeeReminder.objects.filter(household=fees.hh).count() == 2


def test_r_m16_12_reminder_command(cast, fees, cycle):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("fees_reminders", "--now", "2026-05-06T10:00+08:00", stdout=out)
    assert "月度提醒" in out.getvalue()
    assert FeeReminder.objects.filter(level=90).count() == 3


# ------------------------------------------------------------------ import, publication, pages


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "opening.xlsx"
    return buf


def test_opening_balances_import_row_errors_write_nothing(client, cast, fees):
    client.force_login(cast.cs_manager)
    bad = _xlsx([["房号", "欠费金额", "摘要", "截止日期"], [fees.hh.label, "120.50", "2025年欠费", "2025-12-31"],
                 ["9栋9单元999", "10", "", ""], [fees.hh2.label, "abc", "", ""]])
    r = client.post(f"/fees/import/?project={cast.project.pk}", {"file": bad})
    body = r.content.decode()
    assert r.status_code == 400 and "第3行" in body and "第4行" in body
    assert not Bill.objects.filter(kind="opening_balance").exists()
    good = _xlsx([["房号", "欠费金额", "摘要", "截止日期"], [fees.hh.label, "120.50", "2025年欠费", "2025-12-31"]])
    r = client.post(f"/fees/import/?project={cast.project.pk}", {"file": good})
    assert r.status_code == 302
    assert Bill.objects.get(kind="opening_balance").amount == Decimal("120.50")


def test_r_m16_03_half_year_publication_on_the_board(client, cast, fees, cycle):
    """R-M16-03/-04: fee income of the half-year posted to the notice board, once, after the half-year."""
    from apps.estates.models import Building
    from apps.portal.models import Publication

    pay(cast, fees, "1500.00")
    actions.allocate_shared_cost(project=cast.project, building=Building.objects.get(project=cast.project, name="1栋"),
                                 name="电梯用电", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31),
                                 total="100.00", acting_user=cast.cs_manager, now=at(2026, 4, 2))
    assert sum(Bill.objects.filter(kind="energy_share").values_list("amount", flat=True)) == Decimal("100.00")
    client.force_login(cast.cs_manager)
    with clock.frozen(at(2026, 5, 1)):
        r = client.post(f"/fees/publish/?project={cast.project.pk}", {"year": "2026", "half": "1"})
    assert r.status_code == 400 and "半年结束后" in r.content.decode()
    with clock.frozen(at(2026, 7, 3)):
        r = client.post(f"/fees/publish/?project={cast.project.pk}", {"year": "2026", "half": "1"})
    assert r.status_code == 302
    pub = Publication.objects.get(project=cast.project)
    text = str(pub.sections)
    assert "1500.00" in text and "电梯用电" in text and fees.hh.label not in text


def test_cashier_pages_and_pdf_receipt(client, cast, fees, cycle, django_assert_max_num_queries):
    client.force_login(fees.cashier)
    r = client.get(f"/fees/?project={cast.project.pk}&q=1栋")
    assert r.status_code == 200 and fees.hh.label in r.content.decode()
    r = client.post(f"/fees/households/{fees.hh.pk}/", {"amount": "1500.00", "method": "wechat", "channel": "counter"})
    assert r.status_code == 302
    p = Payment.objects.get()
    r = client.get(f"/fees/payments/{p.pk}/?format=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    with django_assert_max_num_queries(16):  # +1: the menu reads the visible projects
        r = client.get(f"/fees/households/{fees.hh.pk}/")
    assert r.status_code == 200
    r = client.get(f"/fees/bills/?project={cast.project.pk}")
    assert r.content.decode().count('data-testid="bill-row"') == 3
    # another project's household answers 404
    assert client.get(f"/fees/households/{fees.other_hh.pk}/").status_code == 404
    r = client.get(f"/api/v1/fees/households/{fees.hh.pk}/account", **auth(fees.cashier))
    assert r.status_code == 200 and r.json()["outstanding"] == "0.00"
    r = client.get(f"/api/v1/fees/bills?project={cast.project.pk}", **auth(fees.cashier))
    assert r.json()["count"] == 3


def test_settings_page_edits_policy(client, cast, fees):
    client.force_login(cast.cs_manager)
    r = client.post(f"/fees/settings/?project={cast.project.pk}", {
        "cycle_months": "6", "due_days": "15", "reminder_day": "40", "arrears_steps": "30", "receipt_series": "SJ"})
    assert r.status_code == 400
    r = client.post(f"/fees/settings/?project={cast.project.pk}", {
        "cycle_months": "6", "due_days": "15", "reminder_day": "3", "arrears_steps": "60,30", "receipt_series": "yg"})
    assert r.status_code == 302
    conf = queries.settings_of(cast.project)
    assert (conf.due_days, conf.arrears_steps, conf.receipt_series) == (15, "30,60", "YG")

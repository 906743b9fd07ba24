"""Repair pages: the phone list and work order, the public price list, measures, receipt, cash."""
from __future__ import annotations

import base64

import pytest
from django.test import Client

from apps.repairs import queries
from apps.repairs.tests.conftest import item, png
from apps.repairs.tests.helpers import assigned, dispatch_of, new_user, on_site, receive

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_r_m8_16_price_list_is_public_without_login(cast, price_list):
    """R-M8-16 公示: owners see the published list without logging in; unknown project → 404."""
    r = Client().get(f"/repairs/prices/{cast.project.code}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "更换水龙头（人工）" in body and "45.50" in body
    assert Client().get("/repairs/prices/NOPE/").status_code == 404
    assert "暂未公示" in Client().get(f"/repairs/prices/{cast.other_project.code}/").content.decode()


def test_worker_list_and_order_page(cast, fake_policies, frozen_now):
    order = assigned(cast, now=frozen_now)
    c = login(cast.worker)
    body = c.get("/repairs/").content.decode()
    assert order.ticket.number in body
    page = c.get(f"/repairs/orders/{order.pk}/").content.decode()
    assert 'data-testid="btn-accept"' in page
    assert login(cast.outsider).get(f"/repairs/orders/{order.pk}/").status_code == 404


def test_order_buttons_drive_the_flow_and_show_refusals(cast, fake_policies, frozen_now, price_list):
    """The page posts to the same actions; a refusal (R-M8-08 b: start without consent) is shown in
    Chinese and nothing changes."""
    order = assigned(cast, now=frozen_now)
    c = login(cast.worker)
    url = f"/repairs/orders/{order.pk}"
    c.post(f"{url}/accept/")
    c.post(f"{url}/arrive/")
    tap = item(price_list, "tap")
    c.post(f"{url}/diagnose/", {"diagnosis": "龙头坏", "chargeable": "on", f"qty_{tap.pk}": "1"})
    r = c.post(f"{url}/start/", follow=True)
    assert "经业主同意后才能开工" in r.content.decode()
    order.refresh_from_db()
    assert order.work_started_at is None and order.chargeable
    c.post(f"{url}/consent/", {"owner_name": "王先生", "explanation": "更换龙头", "agreed": "1",
                               "reported_to": cast.eng_head.pk})
    c.post(f"{url}/start/")
    r = c.post(f"{url}/complete/", {"result": "已更换", "labour_hours": "1"}, follow=True)
    assert "工具已清点" in r.content.decode()  # R-M8-12 refused without the checklist
    c.post(f"{url}/complete/", {"result": "已更换", "labour_hours": "1", "check_site_cleaned": "on",
                                "check_tools_counted": "on", "check_no_gifts": "on",
                                "checklist_note": "住户家中铺有地毯，按住户要求未铺垫布"})
    sig = "data:image/png;base64," + base64.b64encode(png()).decode()
    r = c.post(f"{url}/sign/", {"signed_name": "王先生", "signature": sig, "quality_ok": "on"}, follow=True)
    assert "签名验收" in r.content.decode()
    order.refresh_from_db()
    assert order.signed_name == "王先生" and order.ticket.status == "handled"
    assert c.get(f"{url}/signature.png").status_code == 200
    c.post(f"{url}/receipt/")
    receipt = order.receipts.get()
    assert receipt.amount == tap.unit_price
    page = c.get(f"/repairs/receipts/{receipt.pk}/").content.decode()
    assert receipt.number in page and "水龙头" in page
    c.post(f"{url}/pay/", {"receipt": receipt.pk, "method": "cash", "payer_name": "王先生"})
    cash = c.get("/repairs/cash/")
    assert receipt.number in cash.content.decode()
    r = c.post("/repairs/cash/", {"receipts": [receipt.pk], "amount": "1.00", "received_by": cast.front_desk.pk},
               follow=True)
    assert "不符" in r.content.decode()
    c.post("/repairs/cash/", {"receipts": [receipt.pk], "amount": str(receipt.amount),
                              "received_by": cast.front_desk.pk})
    receipt.refresh_from_db()
    assert receipt.handover is not None and receipt.handover.received_by == cast.front_desk


def test_intake_page(cast, fake_policies, frozen_now, cat):
    c = login(cast.front_desk)
    assert c.get("/repairs/new/").status_code == 200
    r = c.post("/repairs/new/", {"kind": "repair", "category": cat("repair_water").pk, "location_kind": "household",
                                 "location": "5栋1502", "complainant_surname": "王", "phone": "13800138888",
                                 "content": "水管爆裂", "agreed_visit_at": "2026-11-23T10:15"})
    assert r.status_code == 302
    order = queries.visible_orders(cast.front_desk).get()
    assert order.ticket.urgency == "urgent" and order.location == "5栋1502"
    assert login(cast.worker).get("/repairs/new/").status_code == 404
    r = c.post("/repairs/new/", {"kind": "paid_service", "category": cat("repair_doors_furniture").pk,
                                 "location_kind": "household", "location": "5栋1502", "complainant_surname": "王",
                                 "phone": "13800138888", "content": "更换门锁（特约服务）",
                                 "agreed_visit_at": "2026-11-23T15:00"})
    assert r.status_code == 302
    assert queries.visible_orders(cast.front_desk).filter(ticket__kind="paid_service").count() == 1


def test_measures_page_shows_definitions(cast, fake_policies, frozen_now):
    order = on_site(cast, assigned(cast, now=frozen_now), now=frozen_now)
    assert order.arrived_at
    body = login(cast.supervisor).get("/repairs/measures/?from=2026-11&to=2026-11&group=worker").content.decode()
    assert "到场及时率" in body and "口径说明" in body and "孙师傅" in body and "100.0%" in body


def test_return_visit_form_on_verified_order(cast, fake_policies, frozen_now):
    from apps.repairs.tests.helpers import completed, verified

    order = verified(cast, completed(cast, on_site(cast, assigned(cast, now=frozen_now), now=frozen_now),
                                     now=frozen_now), now=frozen_now)
    c = login(cast.butler)
    assert 'data-testid="step-return-visit"' in c.get(f"/repairs/orders/{order.pk}/").content.decode()
    c.post(f"/repairs/orders/{order.pk}/return_visit/", {"method": "phone", "reached": "1", "quality": "unsatisfied",
                                                         "attitude": "satisfied", "owner_words": "还漏"})
    order.refresh_from_db()
    assert order.rework_count == 1 and order.ticket.status == "dispatched"


def test_receive_by_other_project_is_hidden(cast, fake_policies, frozen_now):
    order = receive(cast, "repair_water", now=frozen_now)
    assert login(cast.outsider).get(f"/repairs/orders/{order.pk}/signature.png").status_code == 404


def test_dispatcher_assigns_and_transfers_from_the_page(cast, fake_policies, frozen_now):
    """issue 6 item 2 on the page: a waiting (assign-mode) order is assigned, then transferred with a reason."""
    from apps.org.models import Membership
    from apps.org.roles import Role

    second = new_user(username="worker2", display_name="周师傅")
    Membership.objects.create(user=second, role=Role.WORKER, company=cast.company, project=cast.project,
                              department=cast.eng_dept)
    order = receive(cast, "repair_water", now=frozen_now)
    c = login(cast.front_desk)
    assert order.ticket.number in c.get("/repairs/").content.decode()  # 待派工
    page = c.get(f"/repairs/orders/{order.pk}/").content.decode()
    assert 'data-testid="step-assign"' in page
    c.post(f"/repairs/orders/{order.pk}/assign/", {"assignee": cast.worker.pk})
    assert dispatch_of(order).assignee == cast.worker
    c.post(f"/repairs/orders/{order.pk}/assign/", {"assignee": second.pk, "reason": "孙师傅在处理急修"})
    d = dispatch_of(order)
    assert d.assignee == second and d.instructions == "转单：孙师傅在处理急修"


def test_supervisor_voids_a_receipt_from_its_page(cast, fake_policies, frozen_now, price_list):
    """作废收据 on the receipt page: only a supervisor sees the form; the reason is kept and the
    number stays used (no gap)."""
    from apps.repairs import actions
    from apps.repairs.models import PaymentStatus

    order = on_site(cast, assigned(cast, now=frozen_now), now=frozen_now, chargeable=True,
                    items=[(item(price_list, "tap"), 1)])
    actions.record_consent(order=order, agreed=True, reported_to=cast.eng_head, owner_name="王", explanation="换龙头", acting_user=cast.worker,
                           now=frozen_now)
    receipt = actions.issue_receipt(order=order, acting_user=cast.worker, now=frozen_now)
    url = f"/repairs/receipts/{receipt.pk}/"
    assert 'data-testid="form-void-receipt"' not in login(cast.worker).get(url).content.decode()
    assert login(cast.worker).post(f"{url}void/", {"reason": "开错"}).status_code == 302
    receipt.refresh_from_db()
    assert receipt.status == PaymentStatus.UNPAID
    c = login(cast.supervisor)
    assert 'data-testid="form-void-receipt"' in c.get(url).content.decode()
    c.post(f"{url}void/", {"reason": "开错金额"})
    receipt.refresh_from_db()
    assert (receipt.status, receipt.void_reason) == (PaymentStatus.VOID, "开错金额")
    assert receipt.history.first().history_change_reason == "作废收据"

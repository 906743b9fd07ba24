"""Issue 19 item 3: the owner confirms from their account that a completed repair is fixed, or says it
is not — the repairs app's own acceptance record (R-M8-08 e, R-M8-09, R-M8-13), seen by the handlers on
the work order and the ticket timeline; a refusal goes to verification, which sends it back to handling."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.owners.tests.conftest import OTHER, OWNER
from apps.repairs import actions as ra
from apps.repairs.models import RepairOrder
from apps.repairs.tests.conftest import SITE_OK
from apps.tickets import actions as ta
from apps.tickets.models import Ticket, TicketEvent
from apps.tickets.tests.helpers import answer_by_phone
from linli import clock

pytestmark = pytest.mark.django_db


def completed_repair(cast: Any, c: Client) -> tuple[Ticket, RepairOrder]:
    """An owner's online repair request, dispatched, done and completed by the worker (not yet accepted)."""
    assert c.post("/me/requests/new/", {"kind": "repair", "content": "厨房水龙头漏水"}).status_code == 302
    ticket = Ticket.objects.get()
    now = clock.now()
    order = ra.order_for(ticket)
    ra.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    ra.accept_order(order=order, acting_user=cast.worker, now=now)
    ra.record_arrival(order=order, acting_user=cast.worker, now=now)
    ra.diagnose(order=order, diagnosis="阀芯老化", chargeable=False, acting_user=cast.worker, now=now)
    ra.start_work(order=order, acting_user=cast.worker, now=now)
    ra.complete_repair(order=order, result="已更换阀芯", labour_hours="1", checklist=SITE_OK,
                       acting_user=cast.worker, now=now)
    order.refresh_from_db()
    return ticket, order


@pytest.fixture
def done(owner_client: Any, homes: Any, cast: Any) -> tuple[Client, Ticket, RepairOrder]:
    c = owner_client(OTHER)
    ticket, order = completed_repair(cast, c)
    return c, ticket, order


def test_r_m8_08_owner_confirms_repair_online(done: Any, cast: Any) -> None:
    """R-M8-08 e, R-M8-09: the owner's acceptance is recorded on the work order (name, time, quality)."""
    c, ticket, order = done
    page = c.get(f"/me/requests/{ticket.pk}/").content.decode()
    assert 'id="confirm-form"' in page
    r = c.post(f"/me/requests/{ticket.pk}/", {"confirm": "fixed"})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.signed_at == clock.now() and order.signed_name == "刘芳" and order.quality_ok is True
    assert not order.signature
    assert TicketEvent.objects.filter(ticket=ticket, kind="note", message__contains="业主网上确认").exists()
    page = c.get(f"/me/requests/{ticket.pk}/").content.decode()
    assert 'id="confirmed"' in page and 'id="confirm-form"' not in page
    # the handlers see it on the work order; the owner rates (the return visit, R-M8-07) once the
    # result is replied and verified (R-M4-01) — never a form the pipeline would refuse
    staff = Client()
    staff.force_login(cast.worker)
    work_page = staff.get(f"/repairs/orders/{order.pk}/").content.decode()
    assert 'data-testid="confirmed-online"' in work_page
    assert 'id="rate-form"' not in page
    answer_by_phone(cast, ticket, clock.now(), content="已为您更换阀芯")
    ta.verify_ticket(ticket=ticket, passed=True, notes="已核实", acting_user=cast.supervisor, now=clock.now())
    assert 'id="rate-form"' in c.get(f"/me/requests/{ticket.pk}/").content.decode()


def test_r_m8_08_owner_says_not_fixed_then_verification_reopens(done: Any, cast: Any) -> None:
    """Not fixed: recorded as a refusal with the reason (R-M8-08 e); the verification that follows fails
    and sends the ticket back to handling with the rectification order — the pipeline's own rule."""
    c, ticket, order = done
    r = c.post(f"/me/requests/{ticket.pk}/", {"confirm": "not_fixed", "reason": "还在滴水"})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.refused_at is not None and order.refusal_reason == "还在滴水" and order.signed_at is None
    assert 'id="not-fixed"' in c.get(f"/me/requests/{ticket.pk}/").content.decode()
    now = clock.now()
    answer_by_phone(cast, ticket, now, content="已修好")
    ta.verify_ticket(ticket=ticket, passed=False, notes="业主反馈仍滴水", order="重新更换阀芯",
                     acting_user=cast.supervisor, now=now)
    ticket.refresh_from_db()
    assert ticket.status == "handling"


@pytest.mark.parametrize(("data", "message"), [
    ({"confirm": "not_fixed", "reason": ""}, "请说明哪里还没有修好"),
    ({"confirm": "not_fixed", "reason": "漏" * 1001}, "内容不能超过1000个字"),
])
def test_bad_confirmation_refused_nothing_written(done: Any, data: dict[str, str], message: str) -> None:
    c, ticket, order = done
    r = c.post(f"/me/requests/{ticket.pk}/", data)
    assert r.status_code == 400 and message in r.content.decode()
    order.refresh_from_db()
    assert order.signed_at is None and order.refused_at is None
    assert not TicketEvent.objects.filter(ticket=ticket, message__contains="业主网上").exists()


def test_confirm_twice_refused(done: Any) -> None:
    c, ticket, order = done
    c.post(f"/me/requests/{ticket.pk}/", {"confirm": "fixed"})
    r = c.post(f"/me/requests/{ticket.pk}/", {"confirm": "not_fixed", "reason": "又漏了"})
    assert r.status_code == 400 and "已确认验收" in r.content.decode()
    order.refresh_from_db()
    assert order.refused_at is None


def test_confirm_before_completion_refused(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    c.post("/me/requests/new/", {"kind": "repair", "content": "门锁坏了"})
    ticket = Ticket.objects.get()
    from apps.repairs.actions import order_for
    order_for(ticket)
    assert 'id="confirm-form"' not in c.get(f"/me/requests/{ticket.pk}/").content.decode()
    r = c.post(f"/me/requests/{ticket.pk}/", {"confirm": "fixed"})
    assert r.status_code == 400 and "维修完工后才能确认" in r.content.decode()


def test_confirming_another_households_repair_is_404(done: Any, owner_client: Any, homes: Any) -> None:
    _c, ticket, order = done
    neighbour = owner_client(OWNER, household=homes["1502"])
    assert neighbour.post(f"/me/requests/{ticket.pk}/", {"confirm": "fixed"}).status_code == 404
    order.refresh_from_db()
    assert order.signed_at is None

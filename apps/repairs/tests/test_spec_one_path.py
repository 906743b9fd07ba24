"""One repair, one set of rules (issue 17, SPEC M8): whichever page or endpoint staff use, a repair's
派工, 处理 and 回访 go through the work order's actions and their checks (R-M8-01, R-M8-07, R-M8-08,
R-M8-09, R-M8-13, R-M8-18, AS-23)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from apps.repairs import actions
from apps.repairs.measures import repair_measures
from apps.repairs.models import RepairRule
from apps.repairs.tests.conftest import SITE_OK
from apps.repairs.tests.helpers import assigned, at, completed, on_site, receive, verified
from apps.tickets.choices import Stage, TicketStatus
from linli import clock

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_r_m8_09_ticket_page_sends_repair_steps_to_the_work_order(cast, fake_policies, frozen_now):
    """R-M8-09/R-M8-11 (issue 17): the worker's ticket page offers no 处理完毕/派工/回访 for a repair
    but links to the work order; a POST of 处理完毕 on the ticket page completes nothing and lands
    on the work order, whose completion needs labour hours and the checklist."""
    order = on_site(cast, assigned(cast, now=frozen_now), now=frozen_now)
    c = login(cast.worker)
    page = c.get(f"/tickets/{order.ticket.pk}/").content.decode()
    assert 'data-testid="work-order-link"' in page
    assert f"/tickets/{order.ticket.pk}/handling/" not in page
    r = c.post(f"/tickets/{order.ticket.pk}/handling/", {"result": "修好了", "done": "on"})
    assert r.status_code == 302
    assert c.get(r["Location"]).status_code == 302  # /repairs/tickets/<id>/ → the work order
    assert c.get(r["Location"])["Location"] == f"/repairs/orders/{order.pk}/"
    order.refresh_from_db()
    order.ticket.refresh_from_db()
    assert order.completed_at is None and order.ticket.status == TicketStatus.HANDLING
    # the work order's own completion keeps its checks (no labour hours → refused)
    c.post(f"/repairs/orders/{order.pk}/start/")
    c.post(f"/repairs/orders/{order.pk}/complete/", {"result": "已更换阀芯", "labour_hours": ""})
    order.refresh_from_db()
    assert order.completed_at is None


def test_r_m8_18_ticket_api_refuses_generic_dispatch_of_a_repair(cast, fake_policies, frozen_now):
    """R-M8-01/R-M8-18 (issue 17): the front desk's generic POST /api/v1/tickets/<id>/dispatch of a
    repair is refused (409 use_work_order) — the repairs endpoint with the certificate check and the
    steward's notice is the one path; so are handling and return visits."""
    from apps.api.models import ApiToken

    order = receive(cast, "repair_power", now=frozen_now)
    _t, raw = ApiToken.issue(cast.front_desk, name="t", now=frozen_now)
    c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for step, body in (("dispatch", {"department": cast.eng_dept.pk, "assignee": cast.worker.pk}),
                       ("handling", {"result": "好了", "done": True}),
                       ("return-visits", {"method": "phone", "reached": True, "satisfaction": "satisfied"})):
        r = c.post(f"/api/v1/tickets/{order.ticket.pk}/{step}", json.dumps(body), content_type="application/json")
        assert r.status_code == 409, (step, r.content)
        assert r.json()["error"]["code"] == "use_work_order"


def test_r_m8_18_power_repairs_need_a_certificate_as_shipped(cast, fake_policies, frozen_now):
    """R-M8-18 / R-M19-10 (持证上岗): the shipped 供电/燃气/电梯/线路/照明 rules require a certificate,
    so the dispatcher's 派工 on the work-order page to an uncertified worker is refused."""
    required = set(RepairRule.objects.filter(company=None, project=None, certificate_required=True)
                   .values_list("category__code", flat=True))
    assert {"repair_power", "repair_gas", "repair_lift", "repair_wiring"} <= required
    assert "repair_tap" not in required
    order = receive(cast, "repair_power", now=frozen_now)
    cast.worker.certificate = ""
    cast.worker.save(update_fields=["certificate"])
    c = login(cast.front_desk)
    c.post(f"/repairs/orders/{order.pk}/assign/", {"assignee": cast.worker.pk})
    assert not order.ticket.dispatches.filter(assignee=cast.worker, active=True).exists()


def test_as_23_return_visit_due_from_the_end_of_service(cast, fake_policies):
    """AS-23 / R-M8-07: completed Mon 10:00 and verified Thu 10:00 → the return visit is due 48 h
    after the completion (Wed 10:00), not after the verification."""
    done_at = at(2026, 11, 23, 10, 0)
    order = completed(cast, on_site(cast, assigned(cast, now=done_at), now=done_at), now=done_at)
    verified(cast, order, now=at(2026, 11, 26, 10, 0))
    deadline = order.ticket.deadlines.get(stage=Stage.RETURN_VISIT, cycle=0)
    assert deadline.start_at == done_at
    assert deadline.due_at == done_at + dt.timedelta(hours=48)


def _completed_unsigned(cast, now):
    order = on_site(cast, assigned(cast, now=now), now=now)
    actions.start_work(order=order, acting_user=cast.worker, now=now)
    actions.complete_repair(order=order, result="已更换阀芯", labour_hours="1", checklist=SITE_OK,
                            acting_user=cast.worker, now=now)
    order.refresh_from_db()
    return order


def test_r_m8_08e_unsigned_repair_gets_no_return_visit_on_the_page(cast, fake_policies):
    """R-M8-08 e / AS-23: the service ends with the owner's signature (or a recorded refusal); the
    steward's return visit on the work-order page is refused before that."""
    now = at(2026, 11, 23, 10, 0)
    order = verified(cast, _completed_unsigned(cast, now), now=now)
    with clock.frozen(at(2026, 11, 23, 15, 0)):
        c = login(cast.butler)
        r = c.post(f"/repairs/orders/{order.pk}/return_visit/",
                   {"method": "phone", "reached": "1", "quality": "satisfied", "attitude": "satisfied"})
    assert r.status_code in (302, 409)
    order.ticket.refresh_from_db()
    assert order.ticket.status == TicketStatus.VERIFIED
    assert not order.ratings.exists()


def test_r_m8_13_unsigned_repairs_do_not_count_as_passed(cast, fake_policies):
    """R-M8-13: the quality measure counts a completed but unsigned repair as not passed."""
    now = at(2026, 11, 23, 10, 0)
    _completed_unsigned(cast, now)
    total = repair_measures(projects=[cast.project], start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1),
                            as_of=at(2026, 11, 30), group_by=("month",))[-1]
    assert (total["quality"]["hit"], total["quality"]["total"]) == (0, 1)


def test_r_m8_07_unsatisfied_return_visit_reopens_the_work_order_for_rework(cast, fake_policies):
    """R-M8-07 / AS-23: 不满意 on the work-order page (the only return-visit path of a repair) sends
    the order back for rework: a new arrival and completion are accepted."""
    now = at(2026, 11, 23, 10, 0)
    order = verified(cast, completed(cast, on_site(cast, assigned(cast, now=now), now=now), now=now), now=now)
    with clock.frozen(at(2026, 11, 23, 15, 0)):
        c = login(cast.front_desk)
        c.post(f"/repairs/orders/{order.pk}/return_visit/",
               {"method": "phone", "reached": "1", "quality": "unsatisfied", "attitude": "satisfied",
                "owner_words": "还在滴水"})
    order.refresh_from_db()
    assert order.rework_count == 1 and order.completed_at is None
    later = at(2026, 11, 24, 9, 0)
    actions.record_arrival(order=order, acting_user=cast.worker, now=later)
    order.refresh_from_db()
    assert order.arrived_at == later


def test_r_m8_07_api_return_visit_respects_quiet_hours_and_signature(cast, fake_policies):
    """R-M8-07 / R-M17-01: the steward's API return visit of a repair records quality and attitude,
    is refused at 22:30 (quiet hours) and before the owner's signature."""
    from apps.api.models import ApiToken

    now = at(2026, 11, 23, 10, 0)
    order = verified(cast, completed(cast, on_site(cast, assigned(cast, now=now), now=now), now=now), now=now)
    _t, raw = ApiToken.issue(cast.butler, name="t", now=now)
    c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = json.dumps({"method": "phone", "reached": True, "quality": "satisfied", "attitude": "basic"})
    url = f"/api/v1/repairs/orders/{order.pk}/return-visit"
    with clock.frozen(at(2026, 11, 23, 22, 30)):
        r = c.post(url, body, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "quiet_hours"
    with clock.frozen(at(2026, 11, 24, 9, 0)):
        r = c.post(url, body, content_type="application/json")
    assert r.status_code == 200, r.content
    rating = order.ratings.get()
    assert (rating.quality, rating.attitude) == ("satisfied", "basic")


def test_r_m8_15_paid_services_are_in_the_measures_page(cast, fake_policies):
    """R-M8-15 (7): every paid service gets a return visit — a completed paid service counts in the
    return-visit and quality measures shown to the 管理处经理 on /repairs/measures/."""
    now = at(2026, 11, 23, 10, 0)
    order = completed(cast, on_site(cast, assigned(cast, now=now, kind="paid_service"), now=now), now=now)
    assert order.ticket.kind == "paid_service"
    total = repair_measures(projects=[cast.project], start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1),
                            as_of=at(2026, 11, 30), group_by=("month",))[-1]
    assert total["count"] == 1
    assert (total["return_visit"]["hit"], total["return_visit"]["total"]) == (0, 1)
    assert (total["quality"]["hit"], total["quality"]["total"]) == (1, 1)
    with clock.frozen(at(2026, 11, 30, 10, 0)):
        r = login(cast.project_manager).get("/repairs/measures/", {"month": "2026-11"})
    assert r.status_code == 200

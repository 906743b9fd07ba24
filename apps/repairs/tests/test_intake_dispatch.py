"""Repair intake classification and dispatch modes (R-M8-01, R-M8-02, R-M8-03; issue 6 items 1-2)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.org.models import Membership
from apps.org.roles import Role
from apps.repairs import actions, queries
from apps.repairs.errors import RepairError
from apps.repairs.models import DispatchMode, LocationKind, RepairRule
from apps.repairs.tests.helpers import at, dispatch_of, new_user, receive
from apps.tickets.choices import Stage, TicketEventKind, TicketStatus
from apps.tickets.models import Category

pytestmark = pytest.mark.django_db


def test_shipped_repair_categories_are_children_of_engineering(cat):
    """The policy engine's repair rule sets are keyed by these codes (P-14, P-15)."""
    codes = set(Category.objects.filter(parent__code="engineering", company=None).values_list("code", flat=True))
    assert {"repair_water", "repair_power", "repair_gas", "repair_lift", "repair_tap", "repair_lighting",
            "repair_wiring", "repair_drain", "repair_drain_complex", "repair_public_glass_doors", "repair_walls",
            "repair_general", "repair_special", "repair_complex", "repair_pipe", "repair_doors_furniture",
            "repair_power_outage"} <= codes


def test_r_m8_03_water_power_gas_lift_are_urgent_at_intake(cast, cat, fake_policies):
    """R-M8-03 rule set A: water, electricity, gas (and lifts) are urgent by default; a tap is not."""
    now = at(2026, 11, 23, 10, 0)
    for code in ("repair_water", "repair_power", "repair_gas", "repair_lift"):
        assert receive(cast, code, now=now).ticket.urgency == "urgent", code
    assert receive(cast, "repair_tap", now=now).ticket.urgency == "normal"
    assert receive(cast, "repair_tap", now=now, urgency="urgent").ticket.urgency == "urgent"


def test_r_m8_02_repair_intake_on_the_24h_repair_phone(cast, fake_policies):
    """R-M8-02: the intake records the ticket (kind repair, phone channel), the location and the
    agreed visit time; the arrive deadline runs from the intake (urgent: 15 min under rule set A)."""
    now = at(2026, 11, 23, 3, 10)
    order = receive(cast, "repair_water", now=now, location_kind=LocationKind.HOUSEHOLD)
    t = order.ticket
    assert (t.kind, t.channel, t.number[:3]) == ("repair", "phone", "BX-")
    assert order.location == "5栋2单元1502" and order.agreed_visit_at == now + dt.timedelta(minutes=20)
    assert t.department == cast.eng_dept
    arrive = t.deadlines.get(stage=Stage.ARRIVE)
    assert arrive.due_at == at(2026, 11, 23, 3, 25)


def test_intake_refuses_bad_classification(cast, cat, fake_policies):
    now = at(2026, 11, 23, 10, 0)
    with pytest.raises(RepairError) as e:
        receive(cast, now=now, category=Category.objects.get(company=None, code="security"))
    assert "category" in e.value.fields
    with pytest.raises(RepairError) as e:
        receive(cast, now=now, location_kind=LocationKind.COMMON, location="")
    assert "location" in e.value.fields
    with pytest.raises(RepairError) as e:
        receive(cast, now=now, agreed_visit_at=now - dt.timedelta(hours=1))
    assert "agreed_visit_at" in e.value.fields


def test_assign_mode_waits_for_the_dispatcher(cast, fake_policies):
    """issue 6 item 2: 'assign' — the order stays with the dispatcher until assigned."""
    now = at(2026, 11, 23, 10, 0)
    order = receive(cast, "repair_water", now=now)
    assert order.dispatch_mode == DispatchMode.ASSIGN and order.ticket.status == TicketStatus.RECEIVED
    actions.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    order.ticket.refresh_from_db()
    assert order.ticket.status == TicketStatus.DISPATCHED and order.ticket.handler == cast.worker
    assert list(queries.my_orders(cast.worker)) == [order]


def test_pool_mode_first_grab_wins(cast, fake_policies):
    """issue 6 item 2: 'pool' — dispatched to the department without a worker; the first grab wins,
    a second grab is refused (409)."""
    now = at(2026, 11, 23, 10, 0)
    second = new_user(username="worker2", display_name="周师傅")
    Membership.objects.create(user=second, role=Role.WORKER, company=cast.company, project=cast.project,
                              department=cast.eng_dept)
    order = receive(cast, "repair_tap", now=now)
    assert order.dispatch_mode == DispatchMode.POOL and order.ticket.status == TicketStatus.DISPATCHED
    assert list(queries.pool_orders(cast.worker)) == [order] and list(queries.pool_orders(second)) == [order]
    actions.grab_order(order=order, acting_user=second, now=now)
    with pytest.raises(RepairError) as e:
        actions.grab_order(order=order, acting_user=cast.worker, now=now)
    assert e.value.status == 409
    order.ticket.refresh_from_db()
    assert order.ticket.status == TicketStatus.HANDLING and order.ticket.handler == second
    assert list(queries.pool_orders(cast.worker)) == []


def test_round_robin_mode_cycles_through_the_department(cast, fake_policies):
    """issue 6 item 2: 'round_robin' — each new order goes to the next worker of the department."""
    now = at(2026, 11, 23, 10, 0)
    second = new_user(username="worker2", display_name="周师傅")
    Membership.objects.create(user=second, role=Role.WORKER, company=cast.company, project=cast.project,
                              department=cast.eng_dept)
    got = []
    for i in range(3):
        order = receive(cast, "repair_pipe", now=now + dt.timedelta(minutes=i))
        got.append(dispatch_of(order).assignee)
    assert got == [cast.worker, second, cast.worker]


def test_project_rule_overrides_the_shipped_default(cast, cat, fake_policies):
    """Dispatch mode per category AND project is data: a project row beats the default."""
    RepairRule.objects.create(project=cast.project, company=cast.company, category=cat("repair_water"),
                              dispatch_mode=DispatchMode.POOL, urgent_by_default=False)
    order = receive(cast, "repair_water", now=at(2026, 11, 23, 10, 0))
    assert order.dispatch_mode == DispatchMode.POOL and order.ticket.urgency == "normal"
    other = queries.rule_for(cast.other_project, cat("repair_water"))
    assert other is not None
    assert other.dispatch_mode == DispatchMode.ASSIGN and other.urgent_by_default


def test_transfer_and_hand_back_are_recorded(cast, fake_policies):
    """Transfer (转单) ends the old 派工单 and names the reason; hand-back (退单) returns the order to
    the dispatcher with its reason — both on the ticket timeline."""
    now = at(2026, 11, 23, 10, 0)
    second = new_user(username="worker2", display_name="周师傅")
    Membership.objects.create(user=second, role=Role.WORKER, company=cast.company, project=cast.project,
                              department=cast.eng_dept)
    order = receive(cast, "repair_water", now=now)
    first = actions.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    with pytest.raises(RepairError):
        actions.transfer_order(order=order, to_user=second, reason=" ", acting_user=cast.eng_head, now=now)
    actions.transfer_order(order=order, to_user=second, reason="孙师傅请假", acting_user=cast.eng_head, now=now)
    first.refresh_from_db()
    assert not first.active and first.end_reason == "改派"
    assert dispatch_of(order).instructions == "转单：孙师傅请假"
    actions.hand_back_order(order=order, reason="属于燃气公司维修范围", acting_user=second, now=now)
    t = order.ticket
    t.refresh_from_db()
    assert t.status == TicketStatus.RECEIVED
    kinds = list(t.events.values_list("kind", flat=True))
    assert TicketEventKind.REASSIGNED in kinds and TicketEventKind.HANDED_BACK in kinds


def test_only_the_dispatched_worker_may_work_the_order(cast, fake_policies):
    now = at(2026, 11, 23, 10, 0)
    order = receive(cast, "repair_water", now=now)
    actions.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    with pytest.raises(RepairError) as e:
        actions.record_arrival(order=order, acting_user=cast.outsider, now=now)
    assert e.value.status == 404
    intruder = new_user(username="worker3")
    Membership.objects.create(user=intruder, role=Role.WORKER, company=cast.company, project=cast.project,
                              department=cast.eng_dept)
    with pytest.raises(RepairError) as e:
        actions.record_arrival(order=order, acting_user=intruder, now=now)
    assert e.value.status == 403

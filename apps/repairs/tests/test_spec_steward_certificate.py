"""SPEC gaps of issue 6: the building steward (R-M8-01, R-M8-17, R-M19-04) and 持证上岗 (R-M8-18,
R-M19-10) on repair dispatch."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.estates.models import Building, Household, Unit
from apps.notify.models import Notification
from apps.org.models import Membership
from apps.org.roles import Role
from apps.repairs import actions, queries
from apps.repairs.actions._common import notify_steward
from apps.repairs.errors import RepairError
from apps.repairs.models import DispatchMode, RepairRule
from apps.repairs.tests.helpers import at, new_user, receive


def _household(project, building: str, room: str, steward=None) -> Household:
    b = Building.objects.create(project=project, name=building, steward=steward)
    u = Unit.objects.create(building=b, name="1单元")
    return Household.objects.create(project=project, building=b, unit=u, room_no=room,
                                    label=Household.make_label(b.name, u.name, room))


def test_r_m8_17_r_m19_04_r_m8_01_dispatch_notifies_the_building_steward(cast, fake_policies):
    """R-M8-01 / R-M8-17 / R-M19-04 (11): a 派工单 for a household repair goes to the department and
    the building's steward gets a notice; re-sending the same 派工单 does not repeat it; a building
    without a steward notifies nobody extra."""
    now = at(2026, 11, 23, 10, 0)
    hh = _household(cast.project, "9栋", "901", steward=cast.butler)
    order = receive(cast, "repair_water", now=now, household=hh, location="")
    dispatch = actions.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    notes = Notification.objects.filter(recipient=cast.butler, kind="repair_steward")
    assert notes.count() == 1
    note = notes.get()
    assert order.ticket.number in note.subject and "9栋1单元901" in note.body
    assert dispatch.department == cast.eng_dept
    notify_steward(order, dispatch, now=now)  # same 派工单 again → deduplicated
    assert notes.count() == 1

    bare = _household(cast.project, "10栋", "1001")
    other = receive(cast, "repair_water", now=now, household=bare, location="")
    actions.assign_order(order=other, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    assert Notification.objects.filter(kind="repair_steward").count() == 1


def test_r_m8_17_r_m19_04_steward_sees_the_repairs_of_their_buildings(cast, fake_policies):
    """R-M8-17: the steward's list holds the repairs of the buildings they look after, not others."""
    now = at(2026, 11, 23, 10, 0)
    mine = receive(cast, "repair_water", now=now, household=_household(cast.project, "9栋", "901", cast.butler),
                   location="")
    theirs = receive(cast, "repair_water", now=now, household=_household(cast.project, "10栋", "1001"),
                     location="")
    got = list(queries.steward_orders(cast.butler))
    assert mine in got and theirs not in got
    assert queries.steward_of(mine) == cast.butler and queries.steward_of(theirs) is None
    assert list(queries.steward_orders(cast.front_desk)) == []


def _cert_rule(cast, cat, mode=DispatchMode.ASSIGN) -> RepairRule:
    return RepairRule.objects.create(project=cast.project, company=cast.company, category=cat("repair_water"),
                                     dispatch_mode=mode, certificate_required=True)


def test_r_m8_18_uncertified_or_expired_worker_cannot_be_assigned(cast, cat, fake_policies):
    """R-M8-18 / R-M19-10 持证上岗: for a category whose rule requires a certificate, a worker without
    one, or whose certificate expired before today (project time), is refused with a Chinese
    message; a valid certificate (or one valid until today) is accepted."""
    _cert_rule(cast, cat)
    now = at(2026, 11, 23, 10, 0)
    order = receive(cast, "repair_water", now=now)
    with pytest.raises(RepairError) as err:
        actions.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    assert "持证上岗" in err.value.message and err.value.code == "certificate"
    assert "assignee" in err.value.fields

    cast.worker.certificate = "电工证 T123456 应急管理局"
    cast.worker.certificate_valid_until = dt.date(2026, 11, 22)
    cast.worker.save()
    with pytest.raises(RepairError) as err:
        actions.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    assert "2026-11-22 过期" in err.value.message
    assert queries.current_dispatch(order) is None

    cast.worker.certificate_valid_until = dt.date(2026, 11, 23)
    cast.worker.save()
    d = actions.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    assert d.assignee == cast.worker


def test_r_m8_18_categories_without_the_flag_need_no_certificate(cast, fake_policies):
    """R-M8-18: the check applies only where the rule asks for it (default: not required)."""
    now = at(2026, 11, 23, 10, 0)
    order = receive(cast, "repair_water", now=now)
    assert not queries.certificate_required(order)
    d = actions.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    assert d.assignee == cast.worker


def test_r_m8_18_round_robin_skips_an_uncertified_worker_and_pool_grab_is_refused(cast, cat, fake_policies):
    """R-M8-18: automatic round-robin does not hand certified work to an uncertified worker (the order
    waits for the dispatcher), and an uncertified worker cannot grab it from the pool."""
    rule = _cert_rule(cast, cat, DispatchMode.ROUND_ROBIN)
    now = at(2026, 11, 23, 10, 0)
    order = receive(cast, "repair_water", now=now)
    assert queries.current_dispatch(order) is None

    rule.dispatch_mode = DispatchMode.POOL
    rule.save()
    pooled = receive(cast, "repair_water", now=now)
    with pytest.raises(RepairError) as err:
        actions.grab_order(order=pooled, acting_user=cast.worker, now=now)
    assert "持证上岗" in err.value.message and err.value.status == 403
    certified = new_user(username="elec", display_name="电工李", certificate="电工证 A1",
                            certificate_valid_until=dt.date(2027, 12, 31))
    Membership.objects.create(user=certified, role=Role.WORKER, company=cast.company, project=cast.project,
                              department=cast.eng_dept)
    assert actions.grab_order(order=pooled, acting_user=certified, now=now).assignee == certified


def test_r_m19_11_uniform_and_badge_are_checked_on_the_job_record(cast, fake_policies):
    """R-M19-11 (R-M8-14): the site checklist holds "uniform, badge, polite language"; the worker's
    confirmation is stored on the job record at completion, an unknown item is refused in Chinese."""
    from apps.repairs.models import SITE_CHECKLIST
    from apps.repairs.tests.conftest import SITE_OK
    from apps.repairs.tests.helpers import assigned, on_site

    assert "uniform_badge" in {k for k, _label, _rule in SITE_CHECKLIST}
    now = at(2026, 11, 23, 10, 0)
    order = on_site(cast, assigned(cast, "repair_water", now=now), now=now)
    actions.start_work(order=order, acting_user=cast.worker, now=now)
    with pytest.raises(RepairError) as err:
        actions.complete_repair(order=order, result="已修好", labour_hours="1", acting_user=cast.worker, now=now,
                                 checklist={**SITE_OK, "uniform": True})
    assert "未知的检查项" in err.value.message
    actions.complete_repair(order=order, result="已修好", labour_hours="1", acting_user=cast.worker, now=now,
                             checklist={**SITE_OK, "uniform_badge": True})
    order.refresh_from_db()
    assert order.checklist["uniform_badge"] is True


def test_r_m8_17_steward_page_lists_building_repairs(cast, fake_policies, frozen_now):
    """R-M8-17: the steward's 维修工单 page shows the repairs of their buildings."""
    from django.test import Client

    order = receive(cast, "repair_water", now=frozen_now,
                    household=_household(cast.project, "9栋", "901", cast.butler), location="")
    c = Client()
    c.force_login(cast.butler)
    body = c.get("/repairs/").content.decode()
    assert 'data-testid="steward-orders"' in body and order.ticket.number in body
    c.force_login(cast.worker)
    assert 'data-testid="steward-orders"' not in c.get("/repairs/").content.decode()

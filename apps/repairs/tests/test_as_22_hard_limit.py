"""AS-22 / R-M8-04: "其他简单维修 1个工作日，最多2个工作日" — the hard limit beside the target, from the
real policy engine (制度10), held by the action, the work-order page and the API."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.repairs import actions
from apps.repairs.errors import RepairError
from apps.repairs.tests.conftest import SITE_OK
from apps.repairs.tests.helpers import assigned, at, on_site, receive
from apps.repairs.tests.test_api import Api
from apps.repairs.tests.test_real_engine import engine  # noqa: F401  (fixture)
from apps.tickets.choices import Stage
from linli import clock

pytestmark = pytest.mark.django_db

REPORTED = at(2025, 10, 10, 17, 0)  # Fri; Sat 10-11 is a 调休 working day, Sun 10-12 a rest day
TARGET = at(2025, 10, 11, 23, 59, 59)
HARD = at(2025, 10, 13, 23, 59, 59)


def login(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_as_22_other_simple_repair_has_target_and_hard_limit(cast, engine):  # noqa: F811
    """AS-22: other simple repair reported 2025-10-10 17:00 → target 2025-10-11 23:59:59, hard limit
    2 working days = 2025-10-13 23:59:59; a tap leak (half a working day) has no hard limit."""
    order = receive(cast, "repair_general", now=REPORTED)
    assert order.ticket.deadlines.get(stage=Stage.COMPLETE, cycle=0).due_at == TARGET
    assert order.hard_limit_at == HARD
    assert receive(cast, "repair_tap", now=REPORTED).hard_limit_at is None


def test_as_22_action_refuses_a_next_visit_past_the_hard_limit(cast, engine):  # noqa: F811
    """AS-22: a next visit after the hard limit is refused; within it, accepted; completing past the
    hard limit needs the reason told to the owner, and the order records the limit missed."""
    order = on_site(cast, assigned(cast, "repair_general", now=REPORTED), now=REPORTED)
    actions.start_work(order=order, acting_user=cast.worker, now=REPORTED)
    with pytest.raises(RepairError) as e:
        actions.agree_next_visit(order=order, agreed_at=at(2025, 10, 14, 9, 0), reason="缺配件",
                                 acting_user=cast.worker, now=REPORTED + dt.timedelta(minutes=30))
    assert e.value.code == "beyond_hard_limit" and e.value.field == "agreed_at"
    actions.agree_next_visit(order=order, agreed_at=at(2025, 10, 13, 10, 0), reason="缺配件",
                             acting_user=cast.worker, now=REPORTED + dt.timedelta(minutes=30))
    late = at(2025, 10, 14, 10, 0)
    with pytest.raises(RepairError) as e:
        actions.complete_repair(order=order, result="修好", labour_hours=1, checklist=SITE_OK,
                                acting_user=cast.worker, now=late)
    assert e.value.code == "explanation_required"
    actions.complete_repair(order=order, result="修好", labour_hours=1, checklist=SITE_OK,
                            late_explanation="配件缺货，已向业主说明", acting_user=cast.worker, now=late)
    order.refresh_from_db()
    assert order.hard_limit_met is False


def test_as_22_api_shows_and_holds_the_hard_limit(cast, engine):  # noqa: F811
    """AS-22 through the API: the order carries hard_limit_at; a next visit past it is a 422 with the
    field named."""
    order = on_site(cast, assigned(cast, "repair_general", now=REPORTED), now=REPORTED)
    api = Api(cast.worker)
    base = f"/api/v1/repairs/orders/{order.pk}"
    with clock.frozen(REPORTED + dt.timedelta(hours=1)):
        got = api.get(base).json()
        assert dt.datetime.fromisoformat(got["hard_limit_at"]) == HARD and got["hard_limit_met"] is None
        r = api.post(f"{base}/next-visit", {"agreed_at": "2025-10-14T09:00:00+08:00", "reason": "缺配件"})
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "beyond_hard_limit" and "agreed_at" in r.json()["error"]["fields"]
        r = api.post(f"{base}/next-visit", {"agreed_at": "2025-10-13T09:00:00+08:00", "reason": "缺配件"})
        assert r.status_code == 200


def test_as_22_page_shows_and_holds_the_hard_limit(cast, engine):  # noqa: F811
    """AS-22 through the work-order page: the hard limit is shown; a next visit past it is refused in
    Chinese and nothing is recorded."""
    order = on_site(cast, assigned(cast, "repair_general", now=REPORTED), now=REPORTED)
    c = login(cast.worker)
    url = f"/repairs/orders/{order.pk}"
    with clock.frozen(REPORTED + dt.timedelta(hours=1)):
        page = c.get(f"{url}/").content.decode()
        assert "最迟完工时限" in page and "2025-10-13 23:59" in page
        r = c.post(f"{url}/next_visit/", {"agreed_at": "2025-10-14 09:00", "reason": "缺配件"}, follow=True)
        assert "不能晚于最迟完工时限" in r.content.decode()
    assert not order.next_visits.exists()

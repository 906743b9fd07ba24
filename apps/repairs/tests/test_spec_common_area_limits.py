"""R-M8-06 / P-15: under the default rule set (制度10) the common-area repairs 制度10 does not name take
制度9's limits — public glass, doors and window fittings 2 working days, walls/ceilings/stairs one batch
each month — instead of the generic 1 working day; taken by the front desk on the intake page, read by
the worker through the API."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.repairs import queries
from apps.repairs.tests.helpers import at
from apps.repairs.tests.test_api import Api
from apps.repairs.tests.test_spec_settings_steward import login
from apps.tickets.models import Category
from linli import clock

pytestmark = pytest.mark.django_db


def _take(cast, code: str, kind: str = "repair"):
    now = at(2026, 11, 23, 10, 0)
    with clock.frozen(now):
        r = login(cast.front_desk).post("/repairs/new/", {
            "kind": kind, "category": Category.objects.get(company=None, code=code).pk,
            "location_kind": "common", "location": "3栋大堂", "complainant_surname": "王",
            "phone": "13800138888", "content": "大堂玻璃门合页松脱", "agreed_visit_at": "2026-11-23T10:20"})
    assert r.status_code == 302, r.content.decode()[:500]
    return queries.visible_orders(cast.front_desk).order_by("-pk").first()


def _complete_due(cast, order) -> tuple[dt.datetime, str]:
    body = Api(cast.front_desk).get(f"/api/v1/repairs/orders/{order.pk}").json()
    row = next(d for d in body["deadlines"] if d["stage"] == "complete")
    return dt.datetime.fromisoformat(row["due_at"]), row["rule"]


def test_r_m8_06_default_rule_set_gives_public_glass_doors_two_working_days(cast):
    order = _take(cast, "repair_public_glass_doors")
    due, rule = _complete_due(cast, order)
    assert due == at(2026, 11, 25, 23, 59, 59)  # Mon 10:00 + 2 working days, not the generic 1
    assert "制度9" in rule
    paid = _take(cast, "repair_public_glass_doors", kind="paid_service")
    assert _complete_due(cast, paid)[0] == at(2026, 11, 25, 23, 59, 59)


def test_r_m8_06_default_rule_set_batches_walls_and_stairs_each_month(cast):
    order = _take(cast, "repair_walls")
    due, _rule = _complete_due(cast, order)
    assert due == at(2026, 11, 30, 23, 59, 59)
    # a household repair 制度10 names keeps its own limit (half a working day for a tap)
    tap = _take(cast, "repair_tap")
    assert _complete_due(cast, tap)[0] < at(2026, 11, 24, 0, 0)

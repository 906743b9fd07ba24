"""Query counts of the repairs lists (issue 13): the worker's queues on the phone home page (mine,
the grab pool, waiting for dispatch, the steward's buildings), the cash hand-over page, the measures
page, the public price list and the API's order lists make as many queries for 12 rows as for 2."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.api.models import ApiToken
from apps.estates.models import Building, Household, Unit
from apps.repairs import actions
from apps.repairs.models import PriceItem
from apps.repairs.tests.conftest import SITE_OK, item
from apps.repairs.tests.helpers import assigned, at, completed, on_site, receive, verified
from linli import clock

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 23, 10, 0)


def _queries(fetch: Callable[[], Any]) -> int:
    fetch()  # warm up: once-a-while writes (the API token's last use) do not count
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _steward_household(cast: Any, n: int) -> Household:
    b = Building.objects.create(project=cast.project, name=f"{20 + n}栋", steward=cast.butler)
    u = Unit.objects.create(building=b, name="1单元")
    return Household.objects.create(project=cast.project, building=b, unit=u, room_no="101",
                                    label=Household.make_label(b.name, u.name, "101"))


def _orders(cast: Any, n: int, start: int) -> None:
    """n orders of each list: assigned to the worker, in the pool, waiting for dispatch (in a
    steward's building)."""
    for i in range(start, start + n):
        now = NOW + dt.timedelta(minutes=i)
        assigned(cast, "repair_tap", now=now)
        receive(cast, "repair_tap", now=now)
        receive(cast, "repair_water", now=now, household=_steward_household(cast, i), location="")


def test_phone_home_lists_do_not_grow_with_rows(cast, fake_policies):
    """The worker's list (mine + pool), the dispatcher's 待派工 and the steward's buildings."""
    worker, dispatcher, steward = _login(cast.worker), _login(cast.front_desk), _login(cast.butler)
    _orders(cast, 2, 0)
    before = [_queries(partial(c.get, "/repairs/")) for c in (worker, dispatcher, steward)]
    _orders(cast, 10, 2)
    after = [_queries(partial(c.get, "/repairs/")) for c in (worker, dispatcher, steward)]
    assert after == before
    body = worker.get("/repairs/").content.decode()
    assert body.count('data-testid="order-card"') == 24  # 12 mine + 12 in the pool


def test_api_order_lists_do_not_grow_with_rows(cast, fake_policies, price_list):
    """GET /api/v1/repairs/orders (mine, with charge lines and consent) and ?pool=true."""
    _t, raw = ApiToken.issue(cast.worker, name="test", now=clock.now())
    c = Client()

    def listed(pool: bool = False) -> Any:
        return c.get("/api/v1/repairs/orders", {"pool": "true"} if pool else {}, HTTP_AUTHORIZATION=f"Bearer {raw}")

    def build(n: int, start: int) -> None:
        _orders(cast, n, start)
        order = on_site(cast, assigned(cast, now=NOW), now=NOW, chargeable=True,
                        items=[(item(price_list, "tap"), 1), (item(price_list, "tape"), 2)])
        actions.record_consent(order=order, agreed=True, reported_to=cast.eng_head, owner_name="王", explanation="换龙头",
                               acting_user=cast.worker, now=NOW)

    build(2, 0)
    before = (_queries(listed), _queries(lambda: listed(pool=True)))
    build(10, 2)
    after = (_queries(listed), _queries(lambda: listed(pool=True)))
    assert after == before
    mine = json.loads(listed().content)
    assert len(mine) == 14 and sum(o["consent_valid"] for o in mine) == 2
    assert {o["charge_total"] for o in mine} == {"0.00", "46.16"}


def test_cash_page_does_not_grow_with_receipts(cast, fake_policies, price_list):
    """现金交接: the cash receipts held and the last hand-overs."""
    def paid(n: int) -> None:
        for _ in range(n):
            order = on_site(cast, assigned(cast, now=NOW), now=NOW, chargeable=True,
                            items=[(item(price_list, "tap"), 1)])
            actions.record_consent(order=order, agreed=True, reported_to=cast.eng_head, owner_name="王", explanation="换龙头",
                                   acting_user=cast.worker, now=NOW)
            actions.start_work(order=order, acting_user=cast.worker, now=NOW)
            actions.complete_repair(order=order, result="已更换", labour_hours=1, checklist=SITE_OK,
                                    acting_user=cast.worker, now=NOW)
            receipt = actions.issue_receipt(order=order, acting_user=cast.worker, now=NOW)
            actions.record_payment(receipt=receipt, method="cash", payer_name="王", acting_user=cast.worker, now=NOW)

    c = _login(cast.worker)
    paid(2)
    before = _queries(lambda: c.get("/repairs/cash/"))
    paid(10)
    after = _queries(lambda: c.get("/repairs/cash/"))
    assert after == before


def test_measures_page_does_not_grow_with_repairs(cast, fake_policies):
    c = _login(cast.supervisor)
    url = "/repairs/measures/?from=2026-11&to=2026-11&group=worker"

    def done(n: int) -> None:
        for i in range(n):
            now = NOW + dt.timedelta(minutes=i)
            verified(cast, completed(cast, on_site(cast, assigned(cast, now=now), now=now), now=now), now=now)

    done(2)
    before = _queries(lambda: c.get(url))
    done(10)
    assert _queries(lambda: c.get(url)) == before


def test_public_price_list_does_not_grow_with_items(cast, price_list):
    url = f"/repairs/prices/{cast.project.code}/"

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            PriceItem.objects.create(price_list=price_list, code=f"x{i}", name=f"项目{i}", kind="service", unit="次",
                                     unit_price=Decimal("10.00"), sort=100 + i)

    add(2, 0)
    before = (_queries(lambda: Client().get(url)),
              _queries(lambda: Client().get(f"/api/v1/repairs/prices/{cast.project.code}")))
    add(10, 2)
    after = (_queries(lambda: Client().get(url)),
             _queries(lambda: Client().get(f"/api/v1/repairs/prices/{cast.project.code}")))
    assert after == before

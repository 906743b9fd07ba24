"""Helpers of the repairs tests: orders built through the actions (never by setting fields)."""
from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any, cast

from django.test import Client

from apps.api.models import ApiToken
from apps.org.models import User
from apps.org.tests.factories import UserFactory
from apps.repairs import actions, queries
from apps.repairs.models import RepairOrder
from apps.repairs.tests.conftest import SITE_OK, png
from apps.tickets import actions as ta
from apps.tickets.models import Category, Dispatch
from linli import clock

SH = clock.SHANGHAI


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SH)


def new_user(**kwargs: Any) -> User:
    """A UserFactory user, typed as the model (factory_boy ships no types)."""
    return cast(User, UserFactory(**kwargs))


def dispatch_of(order: RepairOrder) -> Dispatch:
    """The order's current 派工单 (a test that asks for it expects one)."""
    dispatch = queries.current_dispatch(order)
    assert dispatch is not None
    return dispatch


def receive(cast: Any, code: str = "repair_tap", *, now: dt.datetime, **kw: Any) -> Any:
    args: dict[str, Any] = dict(
        project=cast.project, category=Category.objects.get(company=None, code=code), content="厨房水龙头漏水",
        location="5栋2单元1502", complainant_surname="王", phone="13800138888",
        agreed_visit_at=now + dt.timedelta(minutes=20), acting_user=cast.front_desk, now=now,
    )
    args.update(kw)
    return actions.receive_repair(**args)


def assigned(cast: Any, code: str = "repair_tap", *, now: dt.datetime, **kw: Any) -> Any:
    """Received and given to cast.worker by the dispatcher (whatever the category's mode)."""
    order = receive(cast, code, now=now, **kw)
    d = queries.current_dispatch(order)
    if d is None or d.assignee_id != cast.worker.pk:
        actions.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk, now=now)
    order.refresh_from_db()
    return order


def on_site(cast: Any, order: Any, *, now: dt.datetime, chargeable: bool = False, items: Any = ()) -> Any:
    actions.accept_order(order=order, acting_user=cast.worker, now=now)
    actions.record_arrival(order=order, acting_user=cast.worker, now=now)
    actions.diagnose(order=order, diagnosis="阀芯老化", chargeable=chargeable, items=items, acting_user=cast.worker,
                      now=now)
    order.refresh_from_db()
    return order


def completed(cast: Any, order: Any, *, now: dt.datetime) -> Any:
    actions.start_work(order=order, acting_user=cast.worker, now=now)
    actions.complete_repair(checklist=SITE_OK,
                             order=order, result="已更换阀芯，试水正常", labour_hours="1.5", acting_user=cast.worker,
                             now=now)
    actions.sign_acceptance(order=order, signature="data:image/png;base64," + base64.b64encode(png()).decode(),
                             signed_name="王先生", quality_ok=True, acting_user=cast.worker, now=now)
    order.refresh_from_db()
    return order


def verified(cast: Any, order: Any, *, now: dt.datetime) -> Any:
    """Result replied to the owner by the front desk and verified by the supervisor."""
    ticket = order.ticket
    ta.record_reply(ticket=ticket, kind="result", channel="phone", content="已修好", owner_response="agree",
                    acting_user=cast.front_desk, now=now)
    ta.verify_ticket(ticket=ticket, passed=True, notes="已核实", acting_user=cast.supervisor, now=now)
    order.refresh_from_db()
    return order


def login(user: User) -> Any:
    """A page client signed in as ``user``."""
    c = Client()
    c.force_login(user)
    return c


class RepairApiClient:
    """An API client with a Bearer token of ``user`` (JSON bodies)."""

    def __init__(self, user: User) -> None:
        _t, raw = ApiToken.issue(user, name="test", now=clock.now())
        self.c, self.auth = Client(), f"Bearer {raw}"

    def post(self, url: str, body: Any = None) -> Any:
        return self.c.post(url, json.dumps(body or {}), content_type="application/json", HTTP_AUTHORIZATION=self.auth)

    def get(self, url: str) -> Any:
        return self.c.get(url, HTTP_AUTHORIZATION=self.auth)


def started(cast: Any, now: dt.datetime) -> RepairOrder:
    """A work order on site with the work started by the cast's worker."""
    order = on_site(cast, assigned(cast, now=now), now=now)
    actions.start_work(order=order, acting_user=cast.worker, now=now)
    return order

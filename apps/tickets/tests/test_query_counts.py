"""Query counts of every ticket list page and list API endpoint do not grow with the rows shown
(issue 13 item 11): 2 rows are counted, 6 more are added, the count stays the same."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.escalation.models import EscalationEvent
from apps.estates.models import Building, Household, Person
from apps.tickets import actions
from apps.tickets.tests.conftest import Api
from apps.tickets.tests.helpers import receive, to_replied, to_verified

pytestmark = pytest.mark.django_db


def _queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


class Rows:
    """Tickets in every list: received, dispatched (department queue), replied (verification queue),
    verified (return-visit queue), with a household, deadlines and an escalation reason each."""

    def __init__(self, cast: Any, now: dt.datetime) -> None:
        self.cast, self.now, self.made = cast, now, 0
        self.building = Building.objects.create(project=cast.project, name="9栋")

    def add(self, n: int) -> None:
        cast, now = self.cast, self.now
        for _ in range(n):
            self.made += 1
            i = self.made
            household = Household.objects.create(project=cast.project, building=self.building, room_no=f"{i:04d}",
                                                 label=f"9栋{i:04d}")
            Person.objects.create(project=cast.project, household=household, name=f"王{i}", phone=f"1380000{i:04d}")
            plain = receive(cast, household=household, content=f"楼道灯不亮 {i}")
            EscalationEvent.objects.create(ticket=plain, kind="raise", level="hot", rule_id=f"T-{i}",
                                           reason="测试", raised_at=now)
            dispatched = receive(cast, household=household, content=f"门禁坏了 {i}")
            actions.dispatch_ticket(ticket=dispatched, department=cast.eng_dept, assignee=cast.worker,
                                    acting_user=cast.front_desk, now=now)
            to_replied(cast, receive(cast, household=household, content=f"水管漏水 {i}"), now)
            to_verified(cast, receive(cast, household=household, content=f"电梯异响 {i}"), now)


@pytest.fixture
def rows(cast: Any, frozen_now: dt.datetime, policies: Any) -> Rows:
    return Rows(cast, frozen_now)


PAGES = [
    ("front_desk", "tickets:list", {}),
    ("worker", "tickets:queue_department", {}),
    ("supervisor", "tickets:queue_verification", {}),
    ("front_desk", "tickets:queue_return_visit", {}),
    ("front_desk", "tickets:inventory", {}),
    ("front_desk", "tickets:inventory_print", {}),
    ("front_desk", "tickets:household_lookup", {"lookup": "9栋"}),
]


@pytest.mark.parametrize(("who", "name", "params"), PAGES)
def test_list_pages_queries_do_not_grow_with_rows(rows: Rows, cast: Any, who: str, name: str,
                                                  params: dict[str, str]) -> None:
    client = _login(getattr(cast, who))
    url = reverse(name)
    rows.add(2)
    before = _queries(lambda: client.get(url, params))
    rows.add(6)
    after = _queries(lambda: client.get(url, params))
    assert after == before


def test_list_api_queries_are_constant_per_page(rows: Rows, cast: Any) -> None:
    """``GET /api/v1/tickets``: a fixed number of queries per page (count, page, households, deadlines,
    escalation events), not 7+1 per ticket."""
    api = Api(cast.supervisor)
    rows.add(2)
    api.get("/api/v1/tickets")  # the token's first use is recorded once
    before = _queries(lambda: api.get("/api/v1/tickets"))
    rows.add(6)
    after = _queries(lambda: api.get("/api/v1/tickets"))
    body = api.get("/api/v1/tickets").json()
    assert after == before <= 10
    assert body["count"] == 32 and body["page"] == 1 and body["page_size"] == 50 and len(body["results"]) == 32
    hot = [t for t in body["results"] if t["escalation"]["reasons"]]
    assert len(hot) == 8 and hot[0]["escalation"]["reasons"][0]["level"] == "hot"


def test_household_api_queries_do_not_grow_with_rows(rows: Rows, cast: Any) -> None:
    api = Api(cast.front_desk)
    rows.add(2)
    api.get("/api/v1/tickets/households", project=cast.project.pk, q="9栋")  # the token's first use is recorded
    before = _queries(lambda: api.get("/api/v1/tickets/households", project=cast.project.pk, q="9栋"))
    rows.add(6)
    after = _queries(lambda: api.get("/api/v1/tickets/households", project=cast.project.pk, q="9栋"))
    assert after == before

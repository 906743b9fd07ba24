"""R-M4-06 (T-13): record-form complaints and class-1 customer complaints (a configurable category flag) are
return-visited immediately after handling. The customer-service staff who make the call — the front desk —
have them as their own work list 待立即回访, linked from every ticket list, on the page and through the API
(queue=immediate_return_visit); an ordinary complaint is not on it, nor one already visited."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.tickets.models import Category, Ticket
from apps.tickets.tests.helpers import receive, to_verified

pytestmark = pytest.mark.django_db


def test_r_m4_06_front_desk_sees_the_immediate_return_visits(cast: Any, frozen_now: dt.datetime, api: Any,
                                                              django_assert_max_num_queries: Any) -> None:
    class_one = Category.objects.create(company=cast.company, code="vip-complaint", name="一类客户投诉", class_one=True)
    record = to_verified(cast, receive(cast, content="多次投诉电梯异响"), frozen_now)
    Ticket.objects.filter(pk=record.pk).update(record_form=True)
    first = to_verified(cast, receive(cast, content="业委会主任投诉保洁", category=class_one), frozen_now)
    ordinary = to_verified(cast, receive(cast, content="楼道灯不亮"), frozen_now)
    page = Client()
    page.force_login(cast.front_desk)
    listing = page.get("/tickets/").content.decode()
    assert 'href="/tickets/queue/immediate-return-visit/"' in listing
    with django_assert_max_num_queries(25):
        html = page.get("/tickets/queue/immediate-return-visit/").content.decode()
    assert record.number in html and first.number in html and ordinary.number not in html
    r = api(cast.front_desk).get("/api/v1/tickets", queue="immediate_return_visit")
    assert r.status_code == 200, r.content
    numbers = {t["number"] for t in r.json()["results"]}
    assert numbers == {record.number, first.number}
    r = api(cast.front_desk).post(f"/api/v1/tickets/{first.pk}/return-visits", {
        "method": "phone", "reached": True, "satisfaction": "satisfied", "owner_words": "处理及时"})
    assert r.status_code == 200, r.content
    assert first.number not in page.get("/tickets/queue/immediate-return-visit/").content.decode()

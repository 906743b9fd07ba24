"""R-M4-11: a constructive suggestion or reasonable need gets handling measures and a return visit. A
suggestion is not verified, so its return visit falls due once its result is replied to the owner: it is on
the front desk's 待回访 list with its due time, and it cannot close (API and page) until the return visit is
recorded. Fails if suggestions stop needing a return visit (the review's mutation of RETURN_VISIT_KINDS)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.tickets.choices import Stage
from apps.tickets.models import Deadline, Ticket
from apps.tickets.tests.helpers import receive, to_replied

pytestmark = pytest.mark.django_db


def test_r_m4_11_replied_suggestion_waits_for_its_return_visit(cast: Any, frozen_now: dt.datetime, api: Any) -> None:
    s = receive(cast, kind="suggestion", content="建议在小区东门增设快递柜")
    to_replied(cast, s, frozen_now)
    s = Ticket.objects.get(pk=s.pk)
    assert s.status == "replied"
    due = Deadline.objects.open().get(ticket=s, stage=Stage.RETURN_VISIT)
    assert due.start_at == frozen_now and due.rule.startswith("建议")  # T-13: a designated person, no number
    desk = Client()
    desk.force_login(cast.front_desk)
    butler = Client()
    butler.force_login(cast.butler)
    assert s.number in butler.get("/").content.decode()  # the 管家's 待回访（按到期时间）
    assert s.number in desk.get("/tickets/queue/return-visit/").content.decode()

    front = api(cast.front_desk)
    r = front.post(f"/api/v1/tickets/{s.pk}/close", {})
    assert r.status_code == 409, r.content  # the return visit is still to be made
    r = desk.post(f"/tickets/{s.pk}/close/", {})
    assert Ticket.objects.get(pk=s.pk).status == "replied"

    r = front.post(f"/api/v1/tickets/{s.pk}/return-visits", {
        "method": "visit", "reached": True, "satisfaction": "satisfied", "owner_words": "快递柜很方便，谢谢"})
    assert r.status_code == 200, r.content
    assert not Deadline.objects.open().filter(ticket=s, stage=Stage.RETURN_VISIT).exists()
    r = front.post(f"/api/v1/tickets/{s.pk}/close", {})
    assert r.status_code == 200, r.content
    assert Ticket.objects.get(pk=s.pk).status == "closed"

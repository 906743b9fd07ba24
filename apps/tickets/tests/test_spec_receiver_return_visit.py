"""R-M4-04: after verification passes, the person who received the complaint (受理人) is told and makes the
return visit; another member of staff is refused (page and API) unless of supervisor rank or above (主管以上,
who may do it in the receiver's place). Company-level complaints are 品质管理部's (R-M4-03)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.notify.models import Notification
from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import receive, to_replied

pytestmark = pytest.mark.django_db

VISIT = {"method": "phone", "reached": True, "satisfaction": "satisfied", "owner_words": "灯修好了，满意"}


def test_r_m4_04_the_receiver_makes_the_return_visit(cast: Any, frozen_now: dt.datetime, api: Any,
                                                     django_capture_on_commit_callbacks: Any) -> None:
    t = to_replied(cast, receive(cast), frozen_now)
    assert t.receiver == cast.front_desk
    with django_capture_on_commit_callbacks(execute=True):
        r = api(cast.supervisor).post(f"/api/v1/tickets/{t.pk}/verification", {"passed": True, "notes": "已落实"})
    assert r.status_code == 200, r.content
    assert Notification.objects.filter(recipient=cast.front_desk, kind="ticket_return_visit_due").exists()
    r = api(cast.butler).post(f"/api/v1/tickets/{t.pk}/return-visits", VISIT)
    assert r.status_code == 403, r.content
    butler = Client()
    butler.force_login(cast.butler)
    r = butler.post(reverse("tickets:action", args=[t.pk, "return_visit"]), {**VISIT, "reached": "yes"})
    assert r.status_code == 403
    assert Ticket.objects.get(pk=t.pk).status == "verified"
    desk = Client()
    desk.force_login(cast.front_desk)
    r = desk.post(reverse("tickets:action", args=[t.pk, "return_visit"]), {**VISIT, "reached": "yes"})
    assert r.status_code == 302
    assert Ticket.objects.get(pk=t.pk).status == "return_visited"


def test_r_m4_04_a_supervisor_may_visit_in_the_receivers_place(cast: Any, frozen_now: dt.datetime, api: Any) -> None:
    t = to_replied(cast, receive(cast), frozen_now)
    api(cast.supervisor).post(f"/api/v1/tickets/{t.pk}/verification", {"passed": True, "notes": "已落实"})
    r = api(cast.cs_manager).post(f"/api/v1/tickets/{t.pk}/return-visits", VISIT)
    assert r.status_code == 200, r.content

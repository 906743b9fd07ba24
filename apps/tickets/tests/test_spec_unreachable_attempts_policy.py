"""R-M4-12: a return visit may end as 联系不上 only after the minimum number of attempts, each kept with its
time and method. The minimum is company data (工单口径, default 3): the company's 系统管理员 changes it through
the settings API; the front desk then gives up on the ticket page after that many attempts, not before."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import ReturnVisitAttempt, TicketPolicy
from apps.tickets.policies import DEFAULTS
from apps.tickets.tests.helpers import receive, to_verified

pytestmark = pytest.mark.django_db


def test_r_m4_12_minimum_attempts_is_company_data_and_holds_on_the_page(cast: Any, frozen_now: dt.datetime) -> None:
    assert DEFAULTS.return_visit_min_attempts == 3
    admin = Client()
    admin.force_login(cast.sysadmin)
    r = admin.put("/api/v1/org/settings/ticket-policy", json.dumps({
        "reason": "公司规定回访至少联系两次", "values": {"return_visit_min_attempts": 2}}),
        content_type="application/json")
    assert r.status_code == 200, r.content
    assert TicketPolicy.objects.get(company=cast.company, project=None).return_visit_min_attempts == 2

    t = to_verified(cast, receive(cast), frozen_now)
    desk = Client()
    desk.force_login(cast.front_desk)
    url = reverse("tickets:action", args=[t.pk, "return_visit"])
    attempt = {"method": "visit", "reached": "no", "note": "上门无人"}
    assert desk.post(url, attempt).status_code == 302
    r = desk.post(url, {**attempt, "give_up": "on"})  # the second attempt is recorded, then ending is allowed
    assert r.status_code == 302, r.content.decode()[:500]
    t.refresh_from_db()
    assert t.status == "return_visited" and t.return_visits.get().outcome == "unreachable"
    assert ReturnVisitAttempt.objects.filter(return_visit__ticket=t).count() == 2

    TicketPolicy.objects.filter(company=cast.company).update(return_visit_min_attempts=3)
    other = to_verified(cast, receive(cast, content="车库灯坏"), frozen_now)
    url = reverse("tickets:action", args=[other.pk, "return_visit"])
    assert desk.post(url, attempt).status_code == 302
    r = desk.post(url, {**attempt, "give_up": "on"})
    assert r.status_code == 409 and "至少尝试 3 次" in r.content.decode()
    other.refresh_from_db()
    assert other.status == "verified"

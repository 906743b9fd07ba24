"""R-M4-07: a return visit that reached the owner by phone or in person records the owner's opinion on how the
complaint was received, the measures and the result, with the satisfaction verdict. Without the opinion the
front desk is refused on the ticket page (error beside the field) and through the API (422, field
owner_words); nothing is written."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import ReturnVisit, ReturnVisitAttempt
from apps.tickets.tests.helpers import receive, to_verified

pytestmark = pytest.mark.django_db


def test_r_m4_07_reached_return_visit_needs_the_owners_opinion(cast: Any, frozen_now: dt.datetime, api: Any) -> None:
    t = to_verified(cast, receive(cast), frozen_now)
    page = Client()
    page.force_login(cast.front_desk)
    url = reverse("tickets:action", args=[t.pk, "return_visit"])
    r = page.post(url, {"method": "visit", "reached": "yes", "satisfaction": "satisfied", "owner_words": " "})
    assert r.status_code == 422
    assert "须记录业主对投诉受理、处理措施和处理结果的意见" in r.content.decode()
    r = api(cast.front_desk).post(f"/api/v1/tickets/{t.pk}/return-visits",
                                  {"method": "visit", "reached": True, "satisfaction": "satisfied"})
    assert r.status_code == 422 and "owner_words" in r.json()["error"]["fields"]
    assert not ReturnVisitAttempt.objects.filter(return_visit__ticket=t).exists()
    r = api(cast.front_desk).post(f"/api/v1/tickets/{t.pk}/return-visits", {
        "method": "visit", "reached": True, "satisfaction": "satisfied",
        "owner_words": "受理态度好，更换灯管及时，现在楼道很亮"})
    assert r.status_code == 200, r.content
    visit = ReturnVisit.objects.get(ticket=t)
    assert visit.owner_words.startswith("受理态度好") and visit.satisfaction == "satisfied"
    assert visit.method == "visit" and visit.visitor == cast.front_desk and visit.completed_at == frozen_now

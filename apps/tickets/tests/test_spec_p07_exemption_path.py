"""R-M4-05 (POLICY P-07, AS-18 c/d): the no-contact exemption's scope is company data. The company's
系统管理员 sets 篇3 (online complaints only) through the settings API; the front desk's exemption of an
anonymous telephone complaint is then refused through the API and the ticket cannot close, while an
anonymous online complaint is exempted on the ticket page."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import receive, to_verified

pytestmark = pytest.mark.django_db


def test_r_m4_05_p_07_set_by_the_company_holds_on_page_and_api(cast: Any, frozen_now: dt.datetime, api: Any) -> None:
    admin = Client()
    admin.force_login(cast.sysadmin)
    r = admin.put("/api/v1/org/settings/ticket-policy", json.dumps({
        "reason": "按篇3：仅网上投诉无联系方式时免回访", "values": {
            "close_needs_manager_reply": True, "count_internal_staff_complaints": False,
            "no_contact_exemption": "online_only", "quality_owns": "b4", "company_follow_up": "verify"}}),
        content_type="application/json")
    assert r.status_code == 200, r.content
    anonymous: dict[str, Any] = {"anonymous": True, "complainant_surname": "", "phone": "", "agreed_feedback_at": None}
    by_phone = to_verified(cast, receive(cast, **anonymous), frozen_now)
    r = api(cast.front_desk).post(f"/api/v1/tickets/{by_phone.pk}/return-visit-exemption", {"exemption": "no_contact"})
    assert r.status_code in (409, 422), r.content
    assert Ticket.objects.get(pk=by_phone.pk).return_visit_exemption == ""
    online = to_verified(cast, receive(cast, channel="online", **anonymous), frozen_now)
    desk = Client()
    desk.force_login(cast.front_desk)
    r = desk.post(reverse("tickets:action", args=[online.pk, "exempt"]), {"exemption": "no_contact"})
    assert r.status_code == 302, r.content.decode()[:400]
    assert Ticket.objects.get(pk=online.pk).return_visit_exemption == "no_contact"

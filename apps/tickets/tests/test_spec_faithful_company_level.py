"""R-M2-14, R-M1-10, R-M3-11, R-M4-03/-04 and POLICY P-07/P-10 through the API and the pages, as the
roles the rules name."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import Ticket, TicketPolicy
from apps.tickets.tests.helpers import to_verified
from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def test_AS_41_R_M2_14_front_desk_cannot_take_over_a_complaint_held_by_quality(cast: Any, api: Any,
                                                                               make_ticket: Any,
                                                                               policies: Any) -> None:
    """品质管理部 dispatches to its own department without naming anyone: the project's front desk can
    neither accept the 派工单 nor record handling; 品质管理部 can; the desk may still add a note."""
    t = make_ticket()
    sup, quality, desk = api(cast.supervisor), api(cast.quality_inspector), api(cast.front_desk)
    assert sup.post(f"{URL}/{t.pk}/escalate", {"reason": "多次协调无果"}).status_code == 200
    assert quality.post(f"{URL}/{t.pk}/dispatch", {"department": cast.quality_dept.pk}).status_code == 200
    r = desk.post(f"{URL}/{t.pk}/accept")
    assert r.status_code == 403
    r = desk.post(f"{URL}/{t.pk}/handling", {"investigation": "x", "result": "已处理", "done": True})
    assert r.status_code == 403
    assert Ticket.objects.get(pk=t.pk).handler_id is None
    page = Client()
    page.force_login(cast.front_desk)
    assert page.post(reverse("tickets:action", args=[t.pk, "accept"])).status_code == 302  # refused, message
    assert Ticket.objects.get(pk=t.pk).handler_id is None
    assert page.post(reverse("tickets:action", args=[t.pk, "note"]), {"text": "业主又来电"}).status_code == 302
    r = quality.post(f"{URL}/{t.pk}/accept")
    assert r.status_code == 200 and r.json()["handler_id"] == cast.quality_inspector.pk


@pytest.mark.parametrize("field, value", [("source", "group_hq"), ("source", "government"),
                                          ("channel", "group_transfer"), ("channel", "government_petition")])
def test_R_M1_10_R_M3_11_group_and_government_transfers_go_to_quality(cast: Any, api: Any, policies: Any,
                                                                       field: str, value: str) -> None:
    quality, desk = api(cast.quality_inspector), api(cast.front_desk)
    body = {"project": cast.project.pk, "kind": "complaint", "channel": "letter", "source": "project",
            "content": "集团转来：小区绿化被毁", "complainant_surname": "钱", "phone": "13500002222", field: value}
    r = quality.post(URL, body)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["held_by_quality"] is True and data["department_id"] == cast.quality_dept.pk
    r = desk.post(f"{URL}/{data['id']}/dispatch", {"department": cast.eng_dept.pk})
    assert r.status_code == 409 and r.json()["error"]["code"] == "held_by_quality"


def test_R_M4_04_R_M4_03_P_10_company_level_return_visit_by_quality(cast: Any, api: Any, make_ticket: Any,
                                                                     policies: Any) -> None:
    """An online complaint is company level under P-10's default (篇4): the front desk's return visit is
    refused, 品质管理部's is recorded. With P-10 = 篇3 for the project, the front desk does it."""
    now = clock.now()
    t = make_ticket(channel="online", agreed_feedback_at=None, online_url="https://bbs.example.com/1")
    to_verified(cast, t, now)
    visit = {"method": "phone", "reached": True, "satisfaction": "satisfied", "owner_words": "满意"}
    r = api(cast.front_desk).post(f"{URL}/{t.pk}/return-visits", visit)
    assert r.status_code == 403
    r = api(cast.quality_inspector).post(f"{URL}/{t.pk}/return-visits", visit)
    assert r.status_code == 200 and r.json()["status"] == "return_visited"
    TicketPolicy.objects.create(company=cast.company, project=cast.project, quality_owns="b3")
    other = make_ticket(channel="online", agreed_feedback_at=None, content="另一网帖")
    to_verified(cast, other, now)
    assert api(cast.front_desk).post(f"{URL}/{other.pk}/return-visits", visit).status_code == 200


def test_R_M4_05_AS_18c_P_07_is_project_data(cast: Any, api: Any, make_ticket: Any, policies: Any) -> None:
    """P-07 = 篇3 on the project (a 工单口径 row): a phone complaint without contact needs a return visit."""
    TicketPolicy.objects.create(company=cast.company, project=cast.project, no_contact_exemption="online_only")
    t = to_verified(cast, make_ticket(phone="", anonymous=True, complainant_surname="", agreed_feedback_at=None),
                    clock.now())
    r = api(cast.supervisor).post(f"{URL}/{t.pk}/return-visit-exemption", {"exemption": "no_contact"})
    assert r.status_code in (409, 422)
    TicketPolicy.objects.filter(project=cast.project).update(no_contact_exemption="any_channel")
    r = api(cast.supervisor).post(f"{URL}/{t.pk}/return-visit-exemption", {"exemption": "no_contact"})
    assert r.status_code == 200

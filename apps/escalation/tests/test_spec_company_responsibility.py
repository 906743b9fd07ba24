"""R-M3-11 (POLICY P-10): the complaints 品质管理部 owns. Group and government forwards are held by
品质管理部 from intake in both versions of P-10; online complaints are company level only under 篇4,
the default. P-10 is company data: the company's 系统管理员 changes it on the settings page 工单口径 or
through the settings API, and 品质管理部's company-level worklist follows it."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import Ticket, TicketPolicy
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(T0 + dt.timedelta(days=2)):
        yield


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _queue(cast) -> str:
    return _client(cast.quality_inspector).get(reverse("reports:quality_queue")).content.decode()


def test_R_M3_11_P_10_group_and_government_forwards_belong_to_quality_online_follows_the_setting(
        cast, complaint, outbox) -> None:
    group = complaint("集团转来：小区绿化被毁", T0, source="group_hq")
    government = complaint("12345 转来：夜间施工噪音", T0, channel="government_petition")
    online = complaint("网帖：电梯频繁故障无人管", T0, channel="online", online_url="https://bbs.example.com/t/1")
    ordinary = complaint("楼道灯不亮", T0)
    assert Ticket.objects.get(pk=group.pk).held_by_quality and Ticket.objects.get(pk=government.pk).held_by_quality
    # the project verified them all (R-M4-03): they wait for the company's follow-up
    Ticket.objects.filter(pk__in=[group.pk, government.pk, online.pk, ordinary.pk]).update(status="verified")
    queue = _queue(cast)
    assert all(t.number in queue for t in (group, government, online)) and ordinary.number not in queue

    # the company's 系统管理员 sets P-10 to 篇3 through the settings API: online complaints stay with the project
    admin = _client(cast.sysadmin)
    r = admin.put("/api/v1/org/settings/ticket-policy", json.dumps({
        "reason": "按篇3执行：品质管理部只负责集团、政府转来的投诉", "values": {
            "close_needs_manager_reply": True, "count_internal_staff_complaints": False,
            "no_contact_exemption": "any_channel", "quality_owns": "b3", "company_follow_up": "verify"}}),
        content_type="application/json")
    assert r.status_code == 200, r.content
    assert TicketPolicy.objects.get(company=cast.company, project=None).quality_owns == "b3"
    queue = _queue(cast)
    assert group.number in queue and government.number in queue and online.number not in queue

    # … and back to 篇4 on the settings page; a front-desk user may not change it
    assert _client(cast.front_desk).put("/api/v1/org/settings/ticket-policy", json.dumps({
        "reason": "x", "values": {"quality_owns": "b4"}}), content_type="application/json").status_code in (403, 404)
    r = admin.post("/org/settings/ticket-policy/", {
        "close_needs_manager_reply": "on", "no_contact_exemption": "any_channel", "quality_owns": "b4",
        "company_follow_up": "verify", "reason": "恢复篇4：网上投诉也由品质管理部负责"})
    assert r.status_code == 302
    assert online.number in _queue(cast)


def test_R_M3_11_P_10_default_is_the_spec_default(cast) -> None:
    """Without any company row P-10 is 篇4 (group, government, 管理处 escalations and online complaints)."""
    page = _client(cast.sysadmin).get("/org/settings/ticket-policy/").content.decode()
    assert "品质管理部负责的投诉" in page
    r = _client(cast.sysadmin).get("/api/v1/org/settings/ticket-policy")
    assert r.status_code == 200 and r.json()["values"]["quality_owns"] == "b4"

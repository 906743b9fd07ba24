"""R-M3-11, R-M1-10 (POLICY P-10): a complaint found to be a group or government forward after intake
(its 渠道/来源单位 changed to 集团总部 or 政府部门) goes to 品质管理部 in the same edit that changes the
source — held by quality, the department quality, the project's 派工单 ended, quality's staff told —
on the escalation page and through the API, in both versions of P-10."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from apps.tickets import actions as ticket_actions
from apps.tickets.models import Ticket, TicketPolicy
from apps.tickets.policies import company_level
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
API = "/api/v1/escalation/tickets"


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(T0 + dt.timedelta(hours=2)):
        yield


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _dispatched(cast, complaint, content: str):
    t = complaint(content, T0)
    ticket_actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker,
                                   acting_user=cast.front_desk, now=T0 + dt.timedelta(minutes=30))
    return Ticket.objects.get(pk=t.pk)


def test_R_M3_11_source_changed_to_government_through_the_api_hands_the_complaint_to_quality(
        cast, complaint, outbox) -> None:
    t = _dispatched(cast, complaint, "业主反映夜间施工噪音，已向市政府信访")
    assert not t.held_by_quality and t.status == "dispatched"
    r = _client(cast.supervisor).post(f"{API}/{t.pk}/flags", {"source": "government", "reason": "政府信访办转来"},
                                      content_type="application/json")
    assert r.status_code == 200, r.content
    t.refresh_from_db()
    assert t.source == "government" and t.held_by_quality and company_level(t)
    assert t.department_id == cast.quality_dept.pk and t.handler_id is None and t.status == "received"
    assert not t.dispatches.filter(active=True, department__project__isnull=False).exists()
    # an ordinary source change hands nothing over
    other = _dispatched(cast, complaint, "楼道灯不亮")
    r = _client(cast.supervisor).post(f"{API}/{other.pk}/flags", {"source": "owners_committee"},
                                      content_type="application/json")
    assert r.status_code == 200
    other.refresh_from_db()
    assert not other.held_by_quality and other.status == "dispatched"


def test_R_M3_11_source_changed_to_group_on_the_page_under_either_p_10_version(cast, complaint, outbox) -> None:
    TicketPolicy.objects.create(company=cast.company, project=None, quality_owns="b3")  # 篇3: group and government
    t = _dispatched(cast, complaint, "集团客服中心转来：小区绿化被毁")
    r = _client(cast.supervisor).post(f"/escalation/tickets/{t.pk}/flags/", {
        "people_count": "1", "source": "group_hq", "reason": "集团总部转来"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.source == "group_hq" and t.held_by_quality and t.department_id == cast.quality_dept.pk
    assert t.events.filter(kind="escalated").exists()  # on the timeline, as 上报品质管理部 would be

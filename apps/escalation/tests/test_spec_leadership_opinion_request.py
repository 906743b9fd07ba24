"""R-M3-12 (POLICY P-10): a complaint that could not be resolved (未关闭) asks leadership for its handling
opinion — the 公司管理层 under 篇4 (default), the project's 分管领导 under 篇3 — with the link to the
escalation page, which names who gives the opinion; the leader then records it through the API."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from apps.escalation.models import LeadershipOpinion
from apps.org.models import Membership
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.tickets.models import TicketPolicy
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(T0 + dt.timedelta(days=3)):
        yield


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _unresolved(cast, complaint):
    t = complaint("小区外道路施工噪音，市政工程", T0)
    r = _client(cast.supervisor).post(f"/api/v1/tickets/{t.pk}/close", json.dumps({
        "unresolved": True, "analysis": "市政工程不在物业能力范围内", "measures": "协调施工方调整夜间作业时间"}),
        content_type="application/json")
    assert r.status_code == 200, r.content
    return t


def test_R_M3_12_unresolved_complaint_asks_the_company_management_for_an_opinion(cast, complaint, outbox) -> None:
    gm = UserFactory(username="gm", display_name="郑总经理")
    member(gm, Role.GENERAL_MANAGER, company=cast.company, project=None)
    t = _unresolved(cast, complaint)
    asked = [c for c in outbox.calls if c["kind"] == "escalation_opinion_requested"]
    assert len(asked) == 1 and set(asked[0]["recipients"]) == {"leader", "gm"}
    assert "公司管理层" in asked[0]["subject"] and asked[0]["link"] == f"/escalation/tickets/{t.pk}/"
    page = _client(cast.leader).get(f"/escalation/tickets/{t.pk}/").content.decode()
    assert "未能解决的投诉由公司管理层出具处理意见" in page and 'data-testid="opinion-form"' in page
    r = _client(cast.leader).post(f"/api/v1/escalation/tickets/{t.pk}/opinions", json.dumps({
        "opinion": "由品质管理部牵头与市政沟通，每周告知业主进展", "given_on": "2026-11-05"}),
        content_type="application/json")
    assert r.status_code == 200, r.content
    assert LeadershipOpinion.objects.get(ticket=t).given_by == cast.leader


def test_R_M3_12_under_pian_3_the_projects_responsible_leader_is_asked(cast, complaint, outbox) -> None:
    TicketPolicy.objects.create(company=cast.company, project=None, quality_owns="b3")
    in_charge = UserFactory(username="fenguan", display_name="钱副总")
    member(in_charge, Role.LEADERSHIP, company=cast.company, project=cast.project)
    assert Membership.objects.filter(user=cast.leader, project=None).exists()
    t = _unresolved(cast, complaint)
    asked = [c for c in outbox.calls if c["kind"] == "escalation_opinion_requested"]
    assert len(asked) == 1 and asked[0]["recipients"] == ["fenguan"] and "分管领导" in asked[0]["subject"]
    page = _client(in_charge).get(f"/escalation/tickets/{t.pk}/").content.decode()
    assert "未能解决的投诉由分管领导出具处理意见" in page

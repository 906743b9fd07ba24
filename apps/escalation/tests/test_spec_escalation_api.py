"""R-M3-02 a, R-M3-03, R-M3-05, R-M3-12, R-M3-13, R-M3-14 through the API and reachable from every
complaint's ticket page (AS-17: a lawsuit found after intake makes an ordinary complaint major)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from apps.escalation.models import EscalationPolicy, EscalationReport, LeadershipOpinion
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
API = "/api/v1/escalation/tickets"


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(T0 + dt.timedelta(hours=5)):
        yield


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_R_M3_03_lawsuit_found_after_intake_through_the_api_and_linked_from_the_ticket_page(cast, complaint,
                                                                                             outbox) -> None:
    t = complaint("业主对停车费调整不满", T0)
    page = _client(cast.supervisor).get(f"/tickets/{t.pk}/").content.decode()
    assert f'href="/escalation/tickets/{t.pk}/"' in page and 'data-testid="escalation-link"' in page
    assert _client(cast.front_desk).post(f"{API}/{t.pk}/flags", {"litigation": True},
                                         content_type="application/json").status_code == 403
    r = _client(cast.supervisor).post(f"{API}/{t.pk}/flags", {"litigation": True}, content_type="application/json")
    assert r.status_code == 200 and r.json()["level"] == "major"
    assert EscalationReport.objects.filter(ticket=t).exists()  # the reporting duties follow (R-M3-09)


def test_R_M3_05_attribution_needs_a_reason_through_the_api(cast, complaint, outbox) -> None:
    t = complaint("地下车库渗水", T0)
    sup = _client(cast.supervisor)
    r = sup.post(f"{API}/{t.pk}/flags", {"our_side": False}, content_type="application/json")
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    r = sup.post(f"{API}/{t.pk}/flags", {"our_side": False, "reason": "属开发商施工遗留问题"},
                 content_type="application/json")
    assert r.status_code == 200
    t.refresh_from_db()
    assert t.our_side is False


def test_R_M3_12_leader_records_own_opinion_on_the_page_and_quality_through_the_api(cast, complaint, outbox) -> None:
    t = complaint("小区绿化长期无人养护", T0)
    leader = _client(cast.leader)
    assert 'data-testid="opinion-form"' in leader.get(f"/escalation/tickets/{t.pk}/").content.decode()
    r = leader.post(f"/escalation/tickets/{t.pk}/opinion/", {"opinion": "请品质部一周内督办落实", "given_on": "2026-11-02"})
    assert r.status_code == 302
    own = LeadershipOpinion.objects.get(ticket=t)
    assert own.given_by_id == cast.leader.pk and own.recorded_by_id == cast.leader.pk
    r = _client(cast.quality_inspector).post(f"{API}/{t.pk}/opinions", {
        "opinion": "同意先行整改，费用另议", "given_on": "2026-11-02", "given_by_name": "分管领导 吴总"},
        content_type="application/json")
    assert r.status_code == 200 and [o["given_by_name"] for o in r.json()["opinions"]] == ["吴总", "分管领导 吴总"]
    r = _client(cast.worker).post(f"{API}/{t.pk}/opinions", {"opinion": "同意整改方案", "given_on": "2026-11-02"},
                                  content_type="application/json")
    assert r.status_code == 403


def test_R_M3_13_visit_problem_and_R_M3_14_government_report_through_the_api(cast, complaint, outbox) -> None:
    visit = complaint("走访发现5栋外墙裂缝", T0, channel="field_visit", receiver=cast.butler,
                      agreed_feedback_at=T0 + dt.timedelta(days=1))
    r = _client(cast.butler).post(f"{API}/{visit.pk}/visit-problem", {"reason": "需工程部评估，无法当场解决"},
                                  content_type="application/json")
    assert r.status_code == 200
    assert any(c["kind"] == "visit_problem" and "supervisor" in c["recipients"] for c in outbox.calls)
    t = complaint("外墙瓷砖松动随时可能坠落", T0)
    sup = _client(cast.cs_manager)
    r = sup.post(f"{API}/{t.pk}/government-report", {"cause": "hazard"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_enabled"
    EscalationPolicy.objects.create(company=cast.company, government_report_enabled=True, government_authority="区物业办")
    r = sup.post(f"{API}/{t.pk}/government-report", {"cause": "hazard"}, content_type="application/json")
    assert r.status_code == 200 and any(x["kind"] == "government_report" for x in r.json()["reports"])

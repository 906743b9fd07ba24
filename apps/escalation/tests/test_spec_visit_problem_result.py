"""R-M3-13, R-M9-05: a visit problem reported to the 客服主管 is solved with the responsible department; the
result is reported to the 客服经理 (by the 主管, on the escalation page or through the API), who classifies
it and reports it to the 总经理. Each step is on the ticket's timeline and notifies the next person; other
roles are refused, and the 经理 cannot classify before the result is reported."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.tickets.models import TicketEvent
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


def test_R_M3_13_result_to_the_cs_manager_classified_and_reported_to_the_general_manager(
        cast, complaint, outbox) -> None:
    gm = UserFactory(username="gm", display_name="郑总经理")
    member(gm, Role.GENERAL_MANAGER, company=cast.company, project=None)
    t = complaint("走访发现：3栋地下室渗水严重", T0, channel="field_visit", receiver=cast.butler,
                  agreed_feedback_at=T0 + dt.timedelta(days=1))
    r = _client(cast.butler).post(f"{API}/{t.pk}/visit-problem", {"reason": "需工程部和开发商共同处理"},
                                  content_type="application/json")
    assert r.status_code == 200, r.content
    manager_page = _client(cast.cs_manager).get(f"/escalation/tickets/{t.pk}/").content.decode()
    assert 'data-testid="visit-classify-form"' in manager_page
    r = _client(cast.cs_manager).post(f"{API}/{t.pk}/visit-problem/classification",
                                      {"classification": "developer"}, content_type="application/json")
    assert r.status_code == 409  # no result reported yet
    assert _client(cast.butler).post(f"{API}/{t.pk}/visit-problem/result", {"result": "工程部已封堵渗水点"},
                                     content_type="application/json").status_code == 403
    sup_page = _client(cast.supervisor).get(f"/escalation/tickets/{t.pk}/").content.decode()
    assert 'data-testid="visit-result-form"' in sup_page and 'data-testid="visit-classify-form"' not in sup_page
    r = _client(cast.supervisor).post(f"/escalation/tickets/{t.pk}/visit-problem/result/",
                                      {"result": "工程部已封堵渗水点，开发商负责防水层返修"})
    assert r.status_code == 302
    told = [c for c in outbox.calls if c["kind"] == "visit_problem_result"]
    assert told and told[0]["recipients"] == [cast.cs_manager.username]
    assert _client(cast.supervisor).post(f"{API}/{t.pk}/visit-problem/classification",
                                         json.dumps({"classification": "developer"}),
                                         content_type="application/json").status_code == 403
    r = _client(cast.cs_manager).post(f"{API}/{t.pk}/visit-problem/classification",
                                      {"classification": "developer", "note": "属开发商防水工程遗留"},
                                      content_type="application/json")
    assert r.status_code == 200, r.content
    told = [c for c in outbox.calls if c["kind"] == "visit_problem_classified"]
    assert told and told[0]["recipients"] == ["gm"] and "开发商" in told[0]["subject"]
    notes = list(TicketEvent.objects.filter(ticket=t, kind="note").order_by("at", "pk").values_list("message", flat=True))
    assert any(n.startswith("走访问题处理结果报客服经理") for n in notes)
    assert any(n.startswith("走访问题分类：") and "已报总经理" in n for n in notes)

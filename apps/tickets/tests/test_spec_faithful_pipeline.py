"""Issue 16 (faithful complaint pipeline): rules walked through the ticket pages and the REST API as
the roles the SPEC names — the 品质管理部's verification queue (R-M4-03, POLICY P-13), …"""
from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import Ticket, TicketPolicy
from apps.tickets.tests.helpers import to_replied, to_verified
from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def _page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _numbers(response: Any) -> list[str]:
    return [r["number"] for r in response.json()["results"]]


def _online_verified(make_ticket: Any, cast: Any) -> Ticket:
    """An online complaint (company level under P-10 篇4) verified by the 管理处's supervisor."""
    t = make_ticket(channel="online", agreed_feedback_at=None, online_url="https://bbs.example.com/9",
                    content="论坛发帖：小区垃圾清运不及时")
    return to_verified(cast, t, clock.now())


def test_R_M4_03_P_13_company_verification_waits_in_quality_verification_queue(
        cast: Any, api: Any, make_ticket: Any, policies: Any, django_assert_max_num_queries: Any) -> None:
    """A company-level complaint the 管理处 verified waits in 品质管理部's 待验证 queue (page and API
    ``queue=verification``) until 品质管理部 verifies it; the 管理处's own queue keeps only replied
    tickets; a project replied ticket stays in both."""
    waiting = _online_verified(make_ticket, cast)
    replied = to_replied(cast, make_ticket(content="电梯异响"), clock.now())
    other = to_verified(cast, make_ticket(content="绿化带积水"), clock.now())  # project-level: no second check
    url = reverse("tickets:queue_verification")
    quality = _page(cast.quality_inspector)
    with django_assert_max_num_queries(25):
        html = quality.get(url).content.decode()
    assert f'data-number="{waiting.number}"' in html and f'data-number="{replied.number}"' in html
    assert f'data-number="{other.number}"' not in html
    body = api(cast.quality_inspector).get(URL, queue="verification")
    assert body.status_code == 200 and set(_numbers(body)) == {waiting.number, replied.number}

    html = _page(cast.supervisor).get(url).content.decode()
    assert f'data-number="{waiting.number}"' not in html and f'data-number="{replied.number}"' in html
    assert _numbers(api(cast.supervisor).get(URL, queue="verification")) == [replied.number]

    r = quality.post(reverse("tickets:action", args=[waiting.pk, "verify"]),
                     {"passed": "pass", "notes": "纠正措施已落实"})
    assert r.status_code == 302
    assert f'data-number="{waiting.number}"' not in quality.get(url).content.decode()
    assert _numbers(api(cast.quality_inspector).get(URL, queue="verification")) == [replied.number]


def test_R_M4_03_P_13_return_visit_variant_puts_nothing_in_quality_verification_queue(
        cast: Any, api: Any, make_ticket: Any, policies: Any) -> None:
    """Under 篇3 (品质管理部 does the return visit instead) the verified complaint is not in its 待验证 queue."""
    TicketPolicy.objects.create(company=cast.company, company_follow_up="return_visit")
    waiting = _online_verified(make_ticket, cast)
    html = _page(cast.quality_inspector).get(reverse("tickets:queue_verification")).content.decode()
    assert f'data-number="{waiting.number}"' not in html
    assert waiting.number not in _numbers(api(cast.quality_inspector).get(URL, queue="verification"))


# ---------------------------------------------------------------- 工单口径: a project's override (P-13, P-07 …)

POLICY = {"close_needs_manager_reply": True, "count_internal_staff_complaints": False,
          "no_contact_exemption": "online_only", "quality_owns": "b4", "company_follow_up": "return_visit"}


def _put(api: Any, user: Any, url: str, body: dict[str, Any]) -> Any:
    client = api(user)
    return client.client.put(url, json.dumps(body), content_type="application/json", **client._headers(None))


def test_P_13_project_manager_overrides_ticket_policy_on_page_and_api(cast: Any, api: Any, frozen_now: Any) -> None:
    """The 管理处经理 saves a project override of 工单口径 on the page and through the API — with the project
    in the body, the query (as when reading it) or the path (as on the page) — under the same permission
    check (``apps.org.actions.can_change``): the company's value and another project stay refused."""
    pm = _page(cast.project_manager)
    page_url = f"/org/settings/ticket-policy/project/{cast.project.pk}/"
    assert pm.get(page_url).status_code == 200
    r = pm.post(page_url, {**{k: v for k, v in POLICY.items() if v is not False}, "close_needs_manager_reply": "on",
                           "reason": "本项目由品质管理部回访"})
    assert r.status_code == 302
    row = TicketPolicy.objects.get(project=cast.project)
    assert row.company_follow_up == "return_visit" and row.company == cast.company
    base = "/api/v1/org/settings/ticket-policy"
    for url, body in ((f"{base}?project_id={cast.project.pk}", {}),
                      (f"{base}/project/{cast.project.pk}", {}),
                      (base, {"project_id": cast.project.pk})):
        value = "verify" if row.company_follow_up == "return_visit" else "return_visit"
        r = _put(api, cast.project_manager, url, {**body, "reason": "按公司要求调整",
                                                    "values": {**POLICY, "company_follow_up": value}})
        assert r.status_code == 200, (url, r.content)
        assert r.json()["source"] == "project" and r.json()["values"]["company_follow_up"] == value
        row.refresh_from_db()
        assert row.company_follow_up == value
    assert not TicketPolicy.objects.filter(project=None).exists()
    read = api(cast.project_manager).get(f"{base}/project/{cast.project.pk}")
    assert read.status_code == 200 and read.json()["editable"] is True
    # the company's value and another project: refused on the page and in the API alike
    assert pm.post("/org/settings/ticket-policy/", {"reason": "试图改公司设置"}).status_code == 404
    r = _put(api, cast.project_manager, base, {"reason": "试图改公司设置", "values": POLICY})
    assert r.status_code == 403
    r = _put(api, cast.project_manager, f"{base}/project/{cast.other_project.pk}", {"reason": "别的项目", "values": POLICY})
    assert r.status_code == 404
    assert pm.post(f"/org/settings/ticket-policy/project/{cast.other_project.pk}/",
                   {"reason": "别的项目"}).status_code == 404
    r = _put(api, cast.project_manager, f"{base}?project_id={cast.project.pk}",
             {"project_id": cast.other_project.pk, "reason": "不一致", "values": POLICY})
    assert r.status_code == 422

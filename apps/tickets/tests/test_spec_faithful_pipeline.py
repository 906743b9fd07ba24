"""Issue 16 (faithful complaint pipeline): rules walked through the ticket pages and the REST API as
the roles the SPEC names — the 品质管理部's verification queue (R-M4-03, POLICY P-13), …"""
from __future__ import annotations

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

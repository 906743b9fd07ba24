"""R-M4-01, R-M4-03: the home page's 待验证 count is the verification queue's — for 品质管理部 it includes the
company-level complaints waiting for its own verification (one definition, apps.tickets.queries)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.api.models import ApiToken
from apps.home import queries as dashboard
from apps.tickets.tests.helpers import receive, to_replied, to_verified
from linli import clock

pytestmark = pytest.mark.django_db


def _stat(panels: list[Any], key: str, label: str) -> int:
    panel = next(p for p in panels if p.key == key)
    return next(s.value for s in panel.stats if s.label == label)


def test_R_M4_03_quality_dashboard_verification_count_equals_the_queue(cast: Any, frozen_now: dt.datetime,
                                                                       policies: Any) -> None:
    online = receive(cast, channel="online", agreed_feedback_at=None, online_url="https://bbs.example.com/9",
                     content="论坛发帖：小区垃圾清运不及时")
    to_verified(cast, online, frozen_now)  # the 管理处 verified it: now 品质管理部's turn (P-13 篇4)
    to_replied(cast, receive(cast, content="楼道灯不亮"), frozen_now)  # waiting for the 管理处's verification
    receive(cast, content="电梯异响")  # not handled yet: not in the queue
    panels = dashboard.home_panels(cast.quality_inspector, None)
    count = _stat(panels, "company", "待验证")
    assert count == 2
    _token, raw = ApiToken.issue(cast.quality_inspector, name="test", now=clock.now())
    r = Client().get("/api/v1/tickets", {"queue": "verification"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200, r.content
    assert r.json()["count"] == count
    page = Client()
    page.force_login(cast.quality_inspector)
    html = page.get("/").content.decode()
    assert "待验证" in html
    queue = page.get("/tickets/queue/verification/").content.decode()
    assert online.number in queue
    # the 管理处's supervisor: its own queue (no company-level step), same definition
    assert _stat(dashboard.home_panels(cast.supervisor, cast.project), "supervision", "待验证") == 1

"""R-M5-15 with R-M3-01: the statistics grouping 按投诉级别 uses the one level definition
(apps.tickets.complaint_level: 一般 ‹ 重要 ‹ 热点 ‹ 重大, the highest that holds), not the stored
escalation field — an important complaint counts as 重要, a hot one marked important as 热点. Checked
on the dashboard data (page JSON and API) as the 管理处经理 and in the drill-down behind a row."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.api.models import ApiToken
from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


def test_r_m5_15_r_m3_01_by_level_groups_by_the_one_level_definition(cast: Any, frozen_now: dt.datetime) -> None:
    plain = receive(cast, content="楼道灯不亮")
    important = receive(cast, content="地下车库多次积水")
    hot_important = receive(cast, content="电梯多次困人")
    major = receive(cast, content="外墙脱落砸坏车辆")
    Ticket.objects.filter(pk__in=[important.pk, hot_important.pk]).update(important=True)
    Ticket.objects.filter(pk=hot_important.pk).update(escalation_level="hot")
    Ticket.objects.filter(pk=major.pk).update(escalation_level="major")
    period = {"from": (frozen_now - dt.timedelta(days=5)).date().isoformat(), "to": frozen_now.date().isoformat()}
    page = Client()
    page.force_login(cast.project_manager)
    _t, raw = ApiToken.issue(cast.project_manager, name="t", now=frozen_now)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for data in (page.get(reverse("reports:dashboard_data"), period).json(),
                 api.get("/api/v1/reports/dashboard", period).json()):
        rows = {r["key"]: (r["label"], r["count"]) for r in data["by_escalation"]}
        assert rows == {"none": ("一般", 1), "important": ("重要", 1), "hot": ("热点", 1), "major": ("重大", 1)}
    for key, expected in (("important", important), ("none", plain), ("hot", hot_important)):
        r = api.get("/api/v1/reports/drill", {**period, "by": "escalation_level", "key": key})
        assert r.status_code == 200, r.content
        assert [t["number"] for t in r.json()["tickets"]] == [expected.number]

"""R-M6-05: the 用户投诉记录 are kept; the retention period is company data (empty = for ever). Records past it —
closed or 未关闭 — are listed for 品质管理部 to review, on a page linked from the reports page and through the
API; nothing is deleted."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.api.models import ApiToken
from apps.reports.models import ReportSettings
from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


def test_r_m6_05_records_past_retention_listed_for_review(cast: Any, frozen_now: dt.datetime) -> None:
    old_closed = receive(cast, content="三年前的投诉：垃圾清运不及时")
    old_unresolved = receive(cast, content="三年前的投诉：市政管网")
    recent = receive(cast, content="去年的投诉：电梯")
    long_ago = frozen_now - dt.timedelta(days=3 * 365)
    Ticket.objects.filter(pk=old_closed.pk).update(status="closed", closed_at=long_ago)
    Ticket.objects.filter(pk=old_unresolved.pk).update(status="unresolved", closed_at=long_ago)
    Ticket.objects.filter(pk=recent.pk).update(status="closed", closed_at=frozen_now - dt.timedelta(days=300))
    page = Client()
    page.force_login(cast.quality_inspector)
    _t, raw = ApiToken.issue(cast.quality_inspector, name="t", now=frozen_now)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert 'data-testid="retention-review-link"' in page.get("/reports/").content.decode()
    assert old_closed.number not in page.get("/reports/records/retention/").content.decode()  # kept for ever
    ReportSettings.objects.update_or_create(company=cast.company, defaults={"record_retention_years": 2})
    html = page.get("/reports/records/retention/").content.decode()
    assert old_closed.number in html and old_unresolved.number in html and recent.number not in html
    r = api.get("/api/v1/reports/records/retention")
    assert r.status_code == 200, r.content
    assert {t["number"] for t in r.json()["tickets"]} == {old_closed.number, old_unresolved.number}
    assert Ticket.objects.filter(pk__in=[old_closed.pk, old_unresolved.pk]).count() == 2  # nothing deleted
    front = Client()
    front.force_login(cast.front_desk)
    assert front.get("/reports/records/retention/").status_code == 404

"""R-M8-15 (2): the duty log (值班记录表) of paid services and repairs — every request the project
received on a day, with who received it, when, the department sent to and the progress, on
/repairs/duty-log/ and GET /api/v1/repairs/duty-log, filled from the intake records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from apps.repairs.tests.helpers import assigned, receive

pytestmark = pytest.mark.django_db


def _api_get(user, url):
    from apps.api.models import ApiToken
    from linli import clock

    _t, raw = ApiToken.issue(user, name="test", now=clock.now())
    return Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_r_m8_15_duty_log_page_lists_the_days_paid_services_and_repairs(
        cast, fake_policies, frozen_now, django_assert_max_num_queries):
    paid = assigned(cast, now=frozen_now, kind="paid_service")
    receive(cast, now=frozen_now + dt.timedelta(minutes=5))
    receive(cast, now=frozen_now - dt.timedelta(days=1))  # another day: not in today's log
    c = Client()
    c.force_login(cast.front_desk)
    assert 'data-testid="duty-log-link"' in c.get("/repairs/").content.decode()
    url = f"/repairs/duty-log/?project={cast.project.pk}&date=2026-11-23"
    page = c.get(url).content.decode()
    assert paid.ticket.number in page and page.count("<tr><td data-label") == 2
    assert str(cast.front_desk) in page and str(cast.worker) in page and "10:00" in page
    for _ in range(3):
        receive(cast, now=frozen_now + dt.timedelta(minutes=10))
    with django_assert_max_num_queries(40):
        page = c.get(url).content.decode()
    assert page.count("<tr><td data-label") == 5
    bad = c.get(f"/repairs/duty-log/?project={cast.project.pk}&date=2026-13-45").content.decode()
    assert "日期格式不正确" in bad
    assert Client().get(url).status_code == 302  # signed-in staff only


def test_r_m8_15_duty_log_api(cast, fake_policies, frozen_now):
    paid = assigned(cast, now=frozen_now, kind="paid_service")
    r = _api_get(cast.front_desk, f"/api/v1/repairs/duty-log?project_id={cast.project.pk}&date=2026-11-23")
    assert r.status_code == 200, r.content
    (row,) = r.json()
    assert row["number"] == paid.ticket.number and row["kind"] == "paid_service"
    assert row["receiver"] == str(cast.front_desk) and row["assignee"] == str(cast.worker)
    assert _api_get(cast.front_desk, f"/api/v1/repairs/duty-log?project_id={cast.project.pk}&date=x").status_code == 422
    assert _api_get(cast.outsider,
                    f"/api/v1/repairs/duty-log?project_id={cast.project.pk}&date=2026-11-23").status_code == 404

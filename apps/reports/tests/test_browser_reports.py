"""The dashboard in a real browser on a 360-px phone screen: charts drawn, figures drill down."""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from apps.reports.tests.dataset import NOW, build
from apps.tickets.tests.helpers import policies  # noqa: F401 - fixture
from conftest import browser_login
from linli import clock

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_dashboard_on_a_phone_draws_charts_and_drills_down(cast: Any, policies: Any,  # noqa: F811
                                                           phone_page: Any, live_server: Any) -> None:
    build(cast)
    clock.set_now(NOW)
    browser_login(phone_page, live_server, cast.project_manager.username)
    phone_page.goto(f"{live_server.url}{reverse('reports:dashboard')}?{urlencode({'from': '2026-11-01', 'to': '2026-11-30'})}")
    phone_page.wait_for_selector(".kpi-card")
    phone_page.wait_for_selector("#chart-trend canvas")
    phone_page.wait_for_selector("#chart-heat canvas")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 362
    phone_page.click(".kpi-card[data-kpi='overdue_now'] a.value")
    phone_page.wait_for_selector("[data-testid=drill-total]")
    assert phone_page.inner_text("[data-testid=drill-total]") == "3"
    assert phone_page.locator("[data-testid=drill-row]").count() == 3

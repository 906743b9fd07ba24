"""The calendar page in Debian's chromium on a 360-px phone screen (issue 3 item 7)."""
from __future__ import annotations

from typing import Any

import pytest

from conftest import browser_login

# serialized_rollback: the flush after a transactional test would otherwise drop the seeded rule sets
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_calendar_page_on_a_phone(cast: Any, phone_page: Any, live_server: Any) -> None:
    browser_login(phone_page, live_server, cast.front_desk.username)
    phone_page.goto(f"{live_server.url}/calendar/?project={cast.project.pk}&month=2026-02")
    cell = phone_page.locator('td[data-date="2026-02-14"]')
    assert cell.get_attribute("data-kind") == "adjusted"
    table = phone_page.locator('[data-testid="calendar-month"]').bounding_box()
    assert table["width"] <= 360
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360

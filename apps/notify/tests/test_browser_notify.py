"""The inbox in Debian's chromium on a 360-px phone: badge, mark read and mark all read by htmx."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from apps.notify import actions
from apps.notify.tests.conftest import sh
from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_phone_inbox_mark_read_updates_the_badge(cast: Any, phone_page: Any, live_server: Any) -> None:
    for i in range(3):
        actions.notify_staff([cast.butler], kind="deadline_warning", subject=f"即将超时：YG-00{i} 回访",
                              body="回访时限今天 18:00", link="/notify/", project=cast.project,
                              dedupe_key=f"k{i}", now=sh(2026, 11, 23, 10, i))
    browser_login(phone_page, live_server, cast.butler.username)
    phone_page.goto(f"{live_server.url}/notify/")
    badge = phone_page.locator('[data-testid="unread-badge"]')
    assert badge.inner_text() == "3"
    assert phone_page.locator('[data-testid="notification"]').count() == 3
    phone_page.locator('[data-testid="mark-read"]').first.click()
    expect(phone_page.locator("[data-testid=unread-badge]")).to_have_text("2")  # no eval under the CSP
    assert phone_page.locator('[data-testid="mark-read"]').count() == 2
    phone_page.click('[data-testid="mark-all-read"]')
    expect(phone_page.locator("[data-testid=unread-badge]")).to_have_count(0)
    assert phone_page.locator('[data-testid="mark-read"]').count() == 0
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360

"""R-M2-04 / R-M19-08 in Debian's chromium: the 客服经理 raises the report from the ticket page, the
管理者代表 finds it first in the list and signs it, and the gate banner disappears."""
from __future__ import annotations

from typing import Any

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_r_m2_04_raise_from_ticket_then_management_rep_signs(cast: Any, mrep: Any, complaint: Any, page: Any,
                                                             live_server: Any) -> None:
    browser_login(page, live_server, cast.cs_manager.username)
    page.goto(f"{live_server.url}/tickets/{complaint.pk}/")
    page.click('[data-testid="ncr-raise-link"]')
    page.fill("textarea[name=nonconformity]", "地下车库顶板渗水，三辆车漆面受损")
    page.fill("textarea[name=beyond_authority_reason]", "涉及防水大修与车辆赔偿，须报公司决定")
    page.click('[data-testid="ncr-raise-submit"]')
    assert page.locator('[data-testid="ncr-number"]').inner_text().startswith("NCR-2026-0001")
    assert page.locator('[data-testid="ncr-gate"]').is_visible()
    page.context.clear_cookies()

    browser_login(page, live_server, mrep.username)
    assert page.locator('[data-panel="management_rep"]').is_visible()
    page.goto(f"{live_server.url}/quality/ncr/")
    first = page.locator('[data-testid="ncr-row"]').first
    assert first.get_attribute("data-status") == "awaiting_signature"
    first.locator("a").first.click()
    page.click('[data-testid="ncr-action-sign"] summary')
    page.fill("textarea[name=opinion]", "同意先行维修，赔偿按公司流程报批")
    page.click('[data-testid="ncr-submit-sign"]')
    assert "已签发" in page.locator('[data-testid="ncr-status"]').first.inner_text()
    assert page.locator('[data-testid="ncr-gate"]').count() == 0
    assert "冯代表" in page.locator('[data-testid="ncr-signed"]').inner_text()

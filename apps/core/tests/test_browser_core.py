"""Login, the role home page, project switcher and language switch in Debian's chromium
(issue 2 items 8 and 9), on a desktop and on a 360-px phone screen."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_login_home_and_language_switch(cast: Any, page: Any, live_server: Any) -> None:
    browser_login(page, live_server, cast.front_desk.username)
    assert page.locator('[data-panel="desk"]').is_visible()
    # desktop: the menu is open and the phone burger is hidden
    assert page.locator('[data-testid="nav-menu"]').is_visible()
    assert not page.locator('[data-testid="nav-toggle"]').is_visible()
    assert "今日受理" in page.locator('[data-panel="desk"]').inner_text()
    assert page.locator('[data-testid="home-roles"]').inner_text().strip() == "客服前台"
    page.select_option('[data-testid="language-switcher"]', "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # no eval under the CSP
    assert "Intake today" in page.locator('[data-panel="desk"]').inner_text()
    assert page.locator("nav").get_by_role("link", name="Home").first.is_visible()
    page.select_option('[data-testid="language-switcher"]', "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert "今日受理" in page.locator('[data-panel="desk"]').inner_text()


def test_wrong_password_then_lockout_message(cast: Any, page: Any, live_server: Any, settings: Any) -> None:
    settings.LINLI_LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "butler")
        page.fill("input[name=password]", "wrong-password")
        page.click("button[type=submit]")
    assert "已暂时锁定" in page.locator('[data-testid="login-error"]').inner_text()


def test_company_role_switches_project(cast: Any, page: Any, live_server: Any) -> None:
    browser_login(page, live_server, cast.quality_inspector.username)
    assert page.locator('[data-testid="current-project"]').inner_text() == "翠湖苑"  # first by code: CH
    page.select_option('[data-testid="project-switcher"]', str(cast.project.pk))
    expect(page.locator("[data-testid=current-project]")).to_have_text("阳光花园")
    assert page.locator('[data-panel="company"]').is_visible()


def test_phone_nav_collapses_and_opens(cast: Any, phone_page: Any, live_server: Any) -> None:
    browser_login(phone_page, live_server, cast.supervisor.username)
    assert phone_page.locator('[data-panel="supervision"]').is_visible()
    menu = phone_page.locator('[data-testid="nav-menu"]')
    assert not menu.is_visible()
    phone_page.click('[data-testid="nav-toggle"]')
    assert menu.is_visible()
    assert menu.get_by_role("link", name="首页").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360

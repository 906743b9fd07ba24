"""Browser tests (Debian chromium via Playwright): paper answers keyed with the keyboard only (R-M10-05)
and the owner's one-time answer page on a 360-px phone screen."""
from __future__ import annotations

from typing import Any

import pytest

from apps.surveys import actions
from apps.surveys.models import SampledHousehold
from conftest import browser_login
from linli import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _distributed(sv: Any, ps: Any, n: int) -> list[SampledHousehold]:
    rows = list(SampledHousehold.objects.filter(survey=ps).select_related("household").order_by("id"))[:n]
    actions.record_distributions(survey=ps, rows=[{"household": r.household} for r in rows],
                                 acting_user=sv.cast.butler, now=clock.now())
    return rows


def test_r_m10_05_keying_with_the_keyboard_only(sv: Any, ps: Any, page: Any, live_server: Any) -> None:
    rows = _distributed(sv, ps, 2)
    browser_login(page, live_server, "butler")
    page.goto(f"{live_server.url}/surveys/{ps.pk}/key/")
    for row in rows:
        page.keyboard.type(row.household.label)  # the house number field has the focus
        page.keyboard.press("Tab")
        page.keyboard.type("12211")  # one digit per scored item: the focus moves by itself
        page.keyboard.type("好")  # the free-text item
        page.keyboard.press("Enter")
        page.locator("[data-testid=recovered-count]").wait_for()
    from playwright.sync_api import expect

    expect(page.locator("[data-testid=recovered-count]")).to_have_text("2")
    assert SampledHousehold.objects.filter(survey=ps, overall_satisfied=True).count() == 2


def test_one_time_link_on_a_phone(sv: Any, ps: Any, phone_page: Any, live_server: Any) -> None:
    row = _distributed(sv, ps, 1)[0]
    token = actions.issue_link(response=row, acting_user=sv.cast.butler, now=clock.now())
    phone_page.goto(f"{live_server.url}/surveys/answer/{token}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.locator("input[name=q_overall][value='1']").check()
    phone_page.click("[data-testid=answer-submit]")
    phone_page.locator("[data-testid=thanks]").wait_for()
    phone_page.goto(f"{live_server.url}/surveys/answer/{token}/")
    assert "只能使用一次" in phone_page.locator("[data-testid=refused]").inner_text()

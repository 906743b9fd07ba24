"""A night post check entered on a 360-px phone in Debian's chromium (R-M18-04, AS-38): without the
signature of the person checked it is not saved as complete; with both signatures drawn on the screen
(signature_pad, as the repairs app) it is."""
from __future__ import annotations

from typing import Any

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _draw(page: Any, testid: str) -> None:
    canvas = page.locator(f'[data-testid="{testid}"]')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["width"] <= 360
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for i in range(1, 10):
        page.mouse.move(box["x"] + 20 + i * 20, box["y"] + 40 + (i % 3) * 25, steps=3)
    page.mouse.up()


def test_as_38_night_post_check_on_a_phone(cast: Any, phone_page: Any, live_server: Any, frozen_now: Any) -> None:
    from apps.inspections.models import Inspection

    page = phone_page
    browser_login(page, live_server, cast.project_manager.username)
    page.goto(f"{live_server.url}/inspections/new/?project={cast.project.pk}&kind=night_post")
    _fits(page)
    form = page.locator('[data-testid="inspection-form"]')
    form.locator("input[name=inspected_at]").fill("2026-11-22T23:00")
    form.locator("input[name=scope]").fill("东门岗")
    form.locator("input[name=checked_person]").fill("保安甲")
    _draw(page, "sig-inspector")
    form.locator("button[type=submit]").click()
    assert "请被检查人在屏幕上签名" in page.content()
    assert not Inspection.objects.exists()
    _fits(page)
    form = page.locator('[data-testid="inspection-form"]')
    _draw(page, "sig-inspector")
    _draw(page, "sig-checked")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/inspections/*/")
    insp = Inspection.objects.get()
    assert insp.status == "complete" and insp.checked_signature and insp.inspector_signature
    _fits(page)

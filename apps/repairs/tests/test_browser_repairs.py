"""The work order on a 360-px phone screen in Debian's chromium (issue 6 item 3): the worker opens
the order from their list, accepts, records arrival, diagnosis, starts, completes and gets the
owner's signature drawn on the screen (R-M8-03, R-M8-08, R-M8-09)."""
from __future__ import annotations

from typing import Any

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_work_order_from_accept_to_signature_on_a_phone(cast: Any, phone_page: Any, live_server: Any,
                                                        frozen_now: Any, repair_seed: None) -> None:
    from apps.repairs.tests.helpers import assigned

    order = assigned(cast, "repair_tap", now=frozen_now)
    page = phone_page
    browser_login(page, live_server, cast.worker.username)
    page.goto(f"{live_server.url}/repairs/")
    _fits(page)
    page.locator('[data-testid="my-orders"] [data-testid="order-card"]').first.click()
    page.wait_for_url(f"**/repairs/orders/{order.pk}/")
    _fits(page)
    accept = page.locator('[data-testid="btn-accept"]')
    assert accept.bounding_box()["height"] >= 44  # large touch target
    accept.click()
    page.locator('[data-testid="btn-arrive"]').click()
    assert "到场时间" in page.locator('[data-testid="arrived-at"]').inner_text()
    form = page.locator('[data-testid="form-diagnose"]')
    form.locator("textarea[name=diagnosis]").fill("阀芯老化，更换阀芯")
    page.locator('[data-testid="btn-diagnose"]').click()
    page.locator('[data-testid="btn-start"]').click()
    complete = page.locator('[data-testid="form-complete"]')
    complete.locator("textarea[name=result]").fill("已更换阀芯，试水正常")
    complete.locator("input[name=labour_hours]").fill("1")
    for box in complete.locator('[data-testid="site-checklist"] input[type=checkbox]').all():
        box.check()
    page.locator('[data-testid="btn-complete"]').click()
    sign = page.locator('[data-testid="form-sign"]')
    sign.locator("input[name=signed_name]").fill("王先生")
    canvas = page.locator('[data-testid="signature-canvas"]')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["width"] <= 360
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * 20, box["y"] + 40 + (i % 3) * 25, steps=3)
    page.mouse.up()
    sign.locator("input[name=quality_ok]").check()
    page.locator('[data-testid="btn-sign"]').click()
    assert "王先生" in page.locator('[data-testid="signed"]').inner_text()
    _fits(page)
    order.refresh_from_db()
    assert order.signed_name == "王先生" and order.signature.read().startswith(b"\x89PNG")
    assert order.ticket.status == "handled" and order.labour_hours == 1

"""The cashier's main flows in Debian's chromium: find a household, take a payment with an explicit
prepayment and open its receipt; an overpayment without the prepayment tick is refused beside the
field; the transfer page warns about arrears (R-M16-09). On a 360-px phone the pages fit."""
from __future__ import annotations

from typing import Any

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_cashier_takes_payment_and_opens_receipt(cast: Any, fees: Any, cycle: Any, phone_page: Any,
                                                 live_server: Any, frozen_now: Any) -> None:
    """Money safety in the browser: overpayment refused without 预交; with it the receipt shows the prepaid part."""
    from apps.fees.models import Payment

    page = phone_page
    browser_login(page, live_server, fees.cashier.username)
    page.goto(f"{live_server.url}/fees/?project={cast.project.pk}&q=1栋")
    _fits(page)
    page.locator('[data-testid="found"] a', has_text=fees.hh.label).click()
    page.wait_for_url(f"**/fees/households/{fees.hh.pk}/")
    _fits(page)
    form = page.locator('[data-testid="payment-form"]')
    form.locator("input[name=amount]").fill("1600.00")
    form.locator("button[type=submit]").click()
    assert "大于应收" in page.content()
    assert not Payment.objects.exists()
    form = page.locator('[data-testid="payment-form"]')
    form.locator("input[name=amount]").fill("1600.00")
    form.locator("input[name=prepayment]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/fees/payments/*/")
    p = Payment.objects.get()
    assert p.number in page.content() and "100.00" in page.locator('[data-testid="amount"]').inner_text()
    _fits(page)
    page.goto(f"{live_server.url}/fees/households/{fees.hh.pk}/")
    assert page.locator('[data-testid="prepaid"]').inner_text() == "100.00"


def test_r_m16_09_transfer_page_warns_about_arrears(cast: Any, fees: Any, cycle: Any, page: Any,
                                                     live_server: Any, frozen_now: Any) -> None:
    from apps.fees.models import TransferCheck

    browser_login(page, live_server, cast.front_desk.username)
    page.goto(f"{live_server.url}/fees/transfers/?project={cast.project.pk}")
    form = page.locator('[data-testid="fees-form"]')
    form.locator("input[name=household]").fill(fees.hh.label)
    form.locator("input[name=old_owner]").fill("张三丰")
    form.locator("input[name=new_owner]").fill("李四")
    form.locator("button[type=submit]").click()
    assert "尚欠物业费用 1500.00 元" in page.content()
    assert not TransferCheck.objects.exists()

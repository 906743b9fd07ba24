"""Issue 23 item 1 in a browser (chromium), on the two repair forms that used to answer only with a message at the top
of the page: the cash hand-over (现金交接, R-M8-08 g) by the worker who holds the cash, and the receipt's 作废 by the
supervisor. Each emptied and sent shows its errors beside the fields and the summary at the top of the form, visible,
through the shared form template — the same check as ``linli/tests/test_form_errors_visible.py``."""
from __future__ import annotations

from typing import Any

import pytest

from apps.repairs.tests.helpers import at
from apps.repairs.tests.test_charges import _paid
from conftest import browser_login
from linli.tests.test_form_errors_visible import _EMPTY_AND_SUBMIT, _problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_r_m8_08_cash_hand_over_and_receipt_void_sent_empty_show_errors_beside_the_fields(
        cast: Any, page: Any, live_server: Any, fake_policies: Any, price_list: Any) -> None:
    receipt = _paid(cast, price_list, at(2026, 11, 23, 10, 0))
    problems = []
    for user, path in ((cast.worker, "/repairs/cash/"), (cast.supervisor, f"/repairs/receipts/{receipt.pk}/")):
        page.context.clear_cookies()
        browser_login(page, live_server, user.username)
        page.goto(f"{live_server.url}{path}")
        with page.expect_navigation():
            page.evaluate(_EMPTY_AND_SUBMIT, None)
        problem = _problem(page, path)
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)
    receipt.refresh_from_db()
    assert receipt.handover_id is None and receipt.status != "void"

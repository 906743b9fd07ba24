"""Issue 23 item 1 (errors visible) on the repair pages outside the work order's steps: the printable receipt's
作废 form, the cash hand-over page and the leader's decision on a consent request (交接班, 改动线路) — each sent
empty by the role who may use it answers no server error, writes nothing and tells why in Chinese (beside the
field with the summary at the top, or in the error message of the page it goes back to)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.repairs import actions
from apps.repairs.tests.helpers import assigned, at, on_site
from apps.repairs.tests.test_charges import _paid
from linli.tests.form_pages import empty_post_problems

pytestmark = pytest.mark.django_db


def _walk(user: Any, url: str) -> list[str]:
    c = Client()
    c.force_login(user)
    problems, walked = empty_post_problems(c, url)
    assert walked, f"no form offered to {user} on {url}"
    return problems


def test_receipt_void_and_cash_hand_over_sent_empty_are_refused_in_chinese(
    cast: Any, fake_policies: Any, price_list: Any
) -> None:
    """作废 without a reason (the supervisor); 现金交接 without the amount and the cashier (the worker who holds
    the cash)."""
    receipt = _paid(cast, price_list, at(2026, 11, 23, 10, 0))
    problems = _walk(cast.supervisor, f"/repairs/receipts/{receipt.pk}/")
    problems += _walk(cast.worker, "/repairs/cash/")
    assert not problems, "\n".join(problems)


def test_leader_consent_decision_sent_empty_is_refused_in_chinese(cast: Any, fake_policies: Any) -> None:
    """The 工程部经理's decision on a wiring change sent empty (不同意 without an opinion)."""
    now = at(2026, 11, 23, 10, 0)
    order = on_site(cast, assigned(cast, now=now), now=now)
    consent = actions.request_consent(order=order, kind="wiring", reason="插座移位", acting_user=cast.worker, now=now)
    c = Client()
    c.force_login(cast.eng_head)
    problems, walked = empty_post_problems(c, f"/repairs/orders/{order.pk}/")
    assert f"/repairs/consents/{consent.pk}/decide/" in walked, walked
    assert not problems, "\n".join(problems)

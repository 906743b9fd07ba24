"""Issue 23 item 1 (errors visible) on the repair work order page: every step form the page offers, in each
state of the order and to the role who may use it, sent empty answers no server error and no bare error page,
writes nothing, and tells why in Chinese (beside the field or in the error message shown on the order page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.repairs import actions
from apps.repairs.tests.helpers import assigned, completed, on_site, receive, verified
from linli.tests.form_pages import empty_post_problems

pytestmark = pytest.mark.django_db


def _walk(user: Any, order: Any, skip: tuple[str, ...] = ()) -> list[str]:
    c = Client()
    c.force_login(user)
    problems, walked = empty_post_problems(c, f"/repairs/orders/{order.pk}/", skip=skip)
    assert walked, f"no form offered to {user} on order {order.pk}"
    return problems


def test_dispatch_forms_sent_empty_are_refused_in_chinese(cast: Any, fake_policies: Any, frozen_now: Any) -> None:
    """Waiting for dispatch: the dispatcher's 派工 form without a worker."""
    order = receive(cast, "repair_water", now=frozen_now)
    assert not _walk(cast.front_desk, order)


def test_assigned_worker_forms_sent_empty_are_refused_in_chinese(
    cast: Any, fake_policies: Any, frozen_now: Any
) -> None:
    """Given to the worker: 退单 without a reason, and the dispatcher's 转派 without a worker."""
    order = assigned(cast, now=frozen_now)
    assert not _walk(cast.worker, order) + _walk(cast.front_desk, order)


def test_on_site_forms_sent_empty_are_refused_in_chinese(
    cast: Any, fake_policies: Any, frozen_now: Any, price_list: Any
) -> None:
    """Diagnosed as chargeable on site: diagnosis, consent, material, photo, the leader's consent request."""
    order = on_site(
        cast,
        assigned(cast, now=frozen_now),
        now=frozen_now,
        chargeable=True,
        items=[(price_list.items.get(code="tap"), "1")],
    )
    assert not _walk(cast.worker, order)


def test_working_forms_sent_empty_are_refused_in_chinese(cast: Any, fake_policies: Any, frozen_now: Any) -> None:
    """Work started: completion, next visit, material, photo."""
    order = on_site(cast, assigned(cast, now=frozen_now), now=frozen_now)
    actions.start_work(order=order, acting_user=cast.worker, now=frozen_now)
    assert not _walk(cast.worker, order)


def test_signed_and_verified_forms_sent_empty_are_refused_in_chinese(
    cast: Any, fake_policies: Any, frozen_now: Any
) -> None:
    """Signed by the owner and verified: the return visit form of the front desk."""
    order = verified(
        cast,
        completed(cast, on_site(cast, assigned(cast, now=frozen_now), now=frozen_now), now=frozen_now),
        now=frozen_now,
    )
    assert not _walk(cast.butler, order)

"""Issue 23 item 1 (errors visible) on a card's page and a door code change's page: the 补办 of a parking card
and the notice of a code change, sent empty by the front desk (the card officer), answer no server error, write
nothing and tell why in Chinese beside the field and in the summary at the top of the form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.cards import actions
from apps.cards.tests.test_cards import _parking, at, homes, officer  # noqa: F401 (fixtures)
from linli.tests.form_pages import empty_post_problems

pytestmark = pytest.mark.django_db


def test_card_and_code_change_forms_sent_empty_are_refused_in_chinese(
    cast: Any,
    homes: Any,  # noqa: F811
    officer: Any,  # noqa: F811
) -> None:
    card = _parking(cast, homes, officer)
    change = actions.record_code_change(
        door=homes["door"], effective_on=dt.date(2026, 1, 1), acting_user=cast.front_desk, now=at(2025, 12, 20)
    )
    c = Client()
    c.force_login(cast.front_desk)
    # 挂失/收回/注销 take an optional note: the button is the whole decision
    problems, walked = empty_post_problems(c, f"/cards/{card.pk}/", skip=("note-form",))
    assert walked
    more, walked = empty_post_problems(c, f"/cards/changes/{change.pk}/")
    assert walked
    assert not problems + more, "\n".join(problems + more)

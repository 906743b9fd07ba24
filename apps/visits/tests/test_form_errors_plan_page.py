"""Issue 23 item 1 (errors visible) on a visit plan's page: changing the plan (客服主管), deciding on it (物业总经理)
and the month's summary, sent empty, answer no server error, write nothing and tell why in Chinese beside the
field and in the summary at the top of the form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.visits import actions
from apps.visits.tests.conftest import at
from apps.visits.tests.test_programme import gm  # noqa: F401 (fixture)
from linli import clock
from linli.tests.form_pages import empty_post_problems

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_plan_page_forms_sent_empty_are_refused_in_chinese(cast: Any, homes: Any, gm: Any) -> None:  # noqa: F811
    with clock.frozen(at(2026, 12, 1, 9)):
        plan = actions.draw_up_plan(
            project=cast.project,
            month=dt.date(2026, 12, 1),
            requirements="十二月走访",
            household_ids=[homes.hh.pk, homes.hh2.pk],
            visitor=cast.butler,
            acting_user=cast.supervisor,
            now=clock.now(),
        )
        url = f"/visits/plans/{plan.pk}/"
        problems, walked = empty_post_problems(_client(cast.supervisor), url)
        assert f"{url}change/" in walked
        actions.submit_plan(plan=plan, acting_user=cast.supervisor, now=clock.now())
        # 批准 is the preset decision and the note optional: approving without a word is a decision
        more, walked = empty_post_problems(_client(gm), url, skip=(f"{url}decide/",))
        problems += more
        more, walked = empty_post_problems(_client(cast.butler), url)
        problems += more
    assert not problems, "\n".join(problems)

"""Issue 23 item 1 (errors visible) on a staff assessment sheet: the entry form and the removal of an entry (by
the 客服主管 who assesses), the return of a submitted sheet (by the 客服部经理), sent empty, answer no server
error, write nothing and tell why in Chinese beside the field or in the error message on the sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.assessments import actions
from linli.tests.form_pages import empty_post_problems

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_sheet_forms_sent_empty_are_refused_in_chinese(cast: Any, sheet: Any, item: Any, frozen_now: Any) -> None:
    entry = actions.add_entry(
        sheet=sheet,
        item=item("2.2"),
        source="daily_inspection",
        occurred_on=dt.date(2026, 3, 5),
        acting_user=cast.supervisor,
        now=frozen_now,
    )
    url = f"/assessments/{sheet.pk}/"
    problems, walked = empty_post_problems(_client(cast.supervisor), url)
    assert {f"{url}entries/", f"{url}entries/{entry.pk}/remove/"} <= set(walked)
    actions.submit_sheet(sheet=sheet, acting_user=cast.supervisor, now=frozen_now)
    # 签核 takes an optional note: signing off without one is what the manager means, not a mistake
    more, walked = empty_post_problems(_client(cast.cs_manager), url, skip=(f"{url}sign-off/",))
    assert f"{url}return/" in walked
    assert not problems + more, "\n".join(problems + more)

"""Issue 23 item 1 (errors visible) on an improvement plan's page: a new plan row, a row's progress and a
meeting, sent empty by the 客服部经理, answer no server error, write nothing and tell why in Chinese (beside the
field, or in the error message at the top of the page for the row's progress)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.improvement import actions
from apps.surveys.tests.conftest import at
from linli.tests.form_pages import empty_post_problems

pytestmark = pytest.mark.django_db


def test_plan_page_forms_sent_empty_are_refused_in_chinese(sv: Any) -> None:
    user = sv.cast.cs_manager
    plan = actions.create_plan(
        company=sv.cast.company, year=2025, kind="line", line="engineering", acting_user=user, now=at(2025, 9, 2)
    )
    actions.add_action(
        plan=plan,
        item="维修及时率",
        summary="招聘万能工",
        survey_items=["eng_speed"],
        acting_user=user,
        now=at(2025, 9, 2),
    )
    c = Client()
    c.force_login(user)
    problems, walked = empty_post_problems(c, f"/improvement/{plan.pk}/")
    assert len(walked) == 3, walked  # the row's progress, a new row, a meeting
    assert not problems, "\n".join(problems)

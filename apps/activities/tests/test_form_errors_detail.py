"""Issue 23 item 1 (errors visible) on an activity's page and its plan's page: a new activity, the notice, the
invitation of the owners not moved in and the record, sent empty by the 客服主管, answer no server error, write
nothing and tell why in Chinese beside the field and in the summary at the top of the form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.activities.tests.test_activities import _approve, activity, at, owners  # noqa: F401 (fixtures)
from linli import clock
from linli.tests.form_pages import empty_post_problems

pytestmark = pytest.mark.django_db


def test_activity_page_forms_sent_empty_are_refused_in_chinese(
    cast: Any,
    activity: Any,  # noqa: F811
    owners: Any,  # noqa: F811
) -> None:
    _approve(cast, activity)
    c = Client()
    c.force_login(cast.supervisor)
    with clock.frozen(at(2025, 9, 27)):
        problems, walked = empty_post_problems(c, f"/activities/{activity.pk}/")
        assert {f"/activities/{activity.pk}/{a}/" for a in ("notice", "invite", "record")} <= set(walked)
        more, walked = empty_post_problems(c, f"/activities/plans/{activity.plan_id}/")
        assert walked
    assert not problems + more, "\n".join(problems + more)

"""Query counts of the workdays list page (the month calendar with the policy table) and list API
endpoint (the days of a month): they do not grow with the rows shown (issue 13 item 11)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.workdays import queries
from apps.workdays.models import CalendarDay, LimitPolicy

pytestmark = pytest.mark.django_db


def count_queries(fetch: Callable[[], Any]) -> int:
    fetch()  # warm the per-process calendar and policy caches, as a running server has them
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_overrides(cast: Any, days: range) -> None:
    for d in days:
        CalendarDay.objects.create(company=cast.company, date=dt.date(2026, 3, d), kind="holiday", name=f"停工{d}")


def add_policy_rows(cast: Any, n: int) -> None:
    rule_set = next(iter(queries.rule_sets_for(cast.project).values()))
    for i in range(n):
        LimitPolicy.objects.create(rule_set=rule_set, stage="reply", clock="working_days", amount=1 + i % 3,
                                   category=f"qc_{i}", rule=f"查询计数测试 {i}")


def test_month_page_query_count_does_not_grow_with_overrides_and_policy_rows(client: Any, cast: Any) -> None:
    client.force_login(cast.front_desk)

    def fetch() -> Any:
        return client.get("/calendar/", {"project": cast.project.pk, "month": "2026-03"})

    add_overrides(cast, range(2, 4))
    add_policy_rows(cast, 2)
    few = count_queries(fetch)
    add_overrides(cast, range(4, 14))
    add_policy_rows(cast, 10)
    html = fetch().content.decode()
    assert "停工13" in html, "the overrides are shown"
    assert html.count("查询计数测试") == 12, "the policy rows are shown"
    assert count_queries(fetch) == few


def test_api_month_days_query_count_does_not_grow_with_overrides(client: Any, cast: Any) -> None:
    client.force_login(cast.front_desk)

    def fetch() -> Any:
        return client.get(f"/api/v1/calendar/projects/{cast.project.pk}/days", {"month": "2026-03"})

    add_overrides(cast, range(2, 4))
    few = count_queries(fetch)
    add_overrides(cast, range(4, 14))
    assert sum(d["overridden"] for d in fetch().json()["days"]) == 12
    assert count_queries(fetch) == few

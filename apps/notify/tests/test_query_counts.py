"""Query counts pinned (issue 13 item 11): the inbox page, the notifications API, the delivery log."""
from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.notify import actions
from apps.notify.tests.conftest import sh


def _notices(cast: Any, start: int, n: int) -> None:
    for i in range(start, start + n):
        actions.notify_staff([cast.front_desk, cast.cs_manager], kind="deadline_warning", subject=f"提醒{i}", body="b",
                             project=cast.project, dedupe_key=f"k{i}", now=sh(2026, 11, 23, 10))


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_inbox_page_and_api_query_count_does_not_grow_with_notices(cast: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    _notices(cast, 0, 2)
    page, api = _queries(client, reverse("notify:inbox")), _queries(client, "/api/v1/notifications")
    _notices(cast, 2, 10)
    assert _queries(client, reverse("notify:inbox")) == page
    assert _queries(client, "/api/v1/notifications") == api


def test_delivery_log_query_count_does_not_grow_with_deliveries(cast: Any, client: Any) -> None:
    client.force_login(cast.cs_manager)
    _notices(cast, 0, 2)
    few = _queries(client, reverse("notify:deliveries"))
    _notices(cast, 2, 10)
    assert _queries(client, reverse("notify:deliveries")) == few

"""Query counts of the list pages and list API endpoints of the reports app (issue 13 item 11): the
number of queries does not grow with the number of rows shown."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.api.models import ApiToken
from apps.org.models import Project
from apps.reports import actions, schedule
from apps.tickets.choices import TicketStatus
from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import receive
from linli import clock

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 29, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def count_queries(fetch: Callable[[], Any]) -> int:
    fetch()  # warm the per-process caches (calendars, policies) as a running server has them
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert getattr(response, "status_code", 200) == 200
    return len(ctx.captured_queries)


def add_reports(cast: Any, months: range) -> None:
    for month in months:
        actions.create_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2025, month),
                             project=cast.project, figures={"投诉": month}, acting_user=cast.supervisor, now=NOW)


def add_cases(cast: Any, n: int) -> None:
    for i in range(n):
        actions.create_case(company=cast.company, project=cast.project, kind="hot", title=f"案例{i}",
                            background="地库积水", handling="加装截水沟", acting_user=cast.supervisor, now=NOW)


def add_verified_complaints(cast: Any, n: int, **fields: Any) -> None:
    for _ in range(n):
        t = receive(cast, now=NOW - dt.timedelta(days=2))
        Ticket.objects.filter(pk=t.pk).update(status=TicketStatus.VERIFIED, **fields)


def test_report_list_page_reads_the_calendar_version_once_not_per_project(client: Client, cast: Any) -> None:
    """/reports/: duties of every visible project and the latest reports — a constant number of queries
    however many reports and projects it shows (it read the workdays data version per project: 25
    queries with 11 projects, one more per project; now 14 whatever the number of projects)."""
    client.force_login(cast.leader)

    def fetch() -> Any:
        return client.get(reverse("reports:list"))

    add_reports(cast, range(1, 3))
    few = count_queries(fetch)
    add_reports(cast, range(3, 13))
    assert count_queries(fetch) == few
    for i in range(10):  # more projects: more duty rows, no more queries once their calendars are cached
        Project.objects.create(company=cast.company, name=f"新项目{i}", code=f"NEW{i}")
    assert count_queries(fetch) == few


def test_compliance_page_query_count_does_not_grow_with_reports(client: Client, cast: Any) -> None:
    client.force_login(cast.supervisor)

    def fetch() -> Any:
        return client.get(reverse("reports:compliance"), {"year": 2025})

    add_reports(cast, range(1, 3))
    few = count_queries(fetch)
    add_reports(cast, range(3, 13))
    assert count_queries(fetch) == few


def test_case_library_list_query_count_does_not_grow_with_cases(client: Client, cast: Any) -> None:
    client.force_login(cast.supervisor)

    def fetch() -> Any:
        return client.get(reverse("reports:cases"))

    add_cases(cast, 2)
    few = count_queries(fetch)
    add_cases(cast, 10)
    assert count_queries(fetch) == few


@pytest.mark.parametrize("name,fields", [("reports:quality_queue", {"held_by_quality": True}),
                                         ("reports:immediate_visits", {"record_form": True})])
def test_r_m4_03_r_m4_06_worklists_query_count_does_not_grow_with_tickets(
        client: Client, cast: Any, name: str, fields: dict[str, Any]) -> None:
    client.force_login(cast.cs_manager)

    def fetch() -> Any:
        return client.get(reverse(name))

    add_verified_complaints(cast, 2, **fields)
    few = count_queries(fetch)
    add_verified_complaints(cast, 10, **fields)
    newest = Ticket.objects.order_by("-pk").first()
    assert newest is not None and fetch().content.decode().count(newest.number) == 1
    assert count_queries(fetch) == few


def test_drill_page_query_count_does_not_grow_with_tickets(client: Client, cast: Any) -> None:
    client.force_login(cast.supervisor)

    def fetch() -> Any:
        return client.get(reverse("reports:drill"), {"kpi": "received", "part": "all", "from": "2026-11-01",
                                                     "to": "2026-11-30"})

    add_verified_complaints(cast, 2)
    few = count_queries(fetch)
    add_verified_complaints(cast, 10)
    assert count_queries(fetch) == few


def _api(user: Any) -> Client:
    _t, raw = ApiToken.issue(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_api_report_list_query_count_does_not_grow_with_reports(cast: Any) -> None:
    api = _api(cast.supervisor)

    def fetch() -> Any:
        return api.get("/api/v1/reports/")

    add_reports(cast, range(1, 3))
    few = count_queries(fetch)
    add_reports(cast, range(3, 13))
    assert len(fetch().json()) == 12
    assert count_queries(fetch) == few


def test_api_drill_query_count_does_not_grow_with_tickets(cast: Any) -> None:
    api = _api(cast.supervisor)

    def fetch() -> Any:
        return api.get("/api/v1/reports/drill", {"kpi": "received", "from": "2026-11-01", "to": "2026-11-30"})

    add_verified_complaints(cast, 2)
    few = count_queries(fetch)
    add_verified_complaints(cast, 10)
    assert fetch().json()["count"] == 12
    assert count_queries(fetch) == few

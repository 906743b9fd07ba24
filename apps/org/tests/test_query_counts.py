"""Query counts pinned (issue 13 item 11): the staff directory does not query per person."""
from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _staff(cast: Any, n: int, start: int) -> None:
    for i in range(start, start + n):
        member(UserFactory(username=f"w{i}", display_name=f"员工{i}"), Role.WORKER, company=cast.company,
               project=cast.project, department=cast.eng_dept)


def test_directory_query_count_does_not_grow_with_staff(cast: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    _staff(cast, 2, 0)
    few = _queries(client, reverse("org:directory"))
    _staff(cast, 10, 2)
    assert _queries(client, reverse("org:directory")) == few


def test_projects_api_query_count_does_not_grow_with_memberships(cast: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    _staff(cast, 2, 0)
    few = _queries(client, "/api/v1/org/projects")
    _staff(cast, 10, 2)
    assert _queries(client, "/api/v1/org/projects") == few

"""Query counts pinned (issue 13 item 11): the archive search page and the households API."""
from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.estates.models import Person
from apps.estates.tests.conftest import _household, token_for


def _build(cast: Any, start: int, n: int) -> None:
    for i in range(start, start + n):
        hh = _household(cast.project, "7栋", "1单元", str(100 + i))
        Person.objects.create(project=cast.project, household=hh, name=f"业主{i}", phone=f"1380000{i:04d}")


def _queries(client: Any, url: str, **extra: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **extra).status_code == 200
    return len(ctx)


def test_search_page_query_count_does_not_grow_with_households(cast: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    url = reverse("estates:search") + "?building=7栋"
    _build(cast, 0, 2)
    few = _queries(client, url)
    _build(cast, 2, 10)
    assert _queries(client, url) == few


def test_households_api_query_count_does_not_grow_with_households(cast: Any, client: Any) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(cast.front_desk)}"}
    url = f"/api/v1/estates/households?project={cast.project.pk}&building=7栋"
    _build(cast, 0, 2)
    _queries(client, url, **auth)  # the first use of the token stamps last_used_at
    few = _queries(client, url, **auth)
    _build(cast, 2, 10)
    assert _queries(client, url, **auth) == few

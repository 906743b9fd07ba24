"""Query counts of the NCR list page do not grow with the reports shown (issue 13 item 11; the list API
is pinned in test_review_fixes)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.quality.tests.conftest import raise_for
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


def test_r_m2_04_ncr_list_page_queries_do_not_grow_with_reports(cast: Any, mrep: Any,
                                                                frozen_now: dt.datetime) -> None:
    client = Client()
    client.force_login(mrep)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(reverse("quality:ncr_list"))
        assert r.status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        raise_for(cast, receive(cast, content=f"第{i}件超出权限的投诉"), frozen_now)
    before = count()
    for i in range(2, 8):
        raise_for(cast, receive(cast, content=f"第{i}件超出权限的投诉"), frozen_now)
    assert count() == before
    assert client.get(reverse("quality:ncr_list")).content.decode().count("NCR-2026-") >= 8

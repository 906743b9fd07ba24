"""Query counts of the escalation lists do not grow with the rows shown (issue 13 item 11)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.escalation import actions
from apps.escalation.models import ClusterMember, ComplaintCluster
from apps.org.tests.factories import ProjectFactory
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def _queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _escalated(complaint: Any, n: int, start: int) -> None:
    for i in range(start, start + n):
        t = complaint(f"第{i}位业主称要起诉", T0 + dt.timedelta(minutes=i), litigation=True)
        actions.evaluate(t, now=t.received_at)


def _cluster(cast: Any, complaint: Any, n: int, start: int) -> ComplaintCluster:
    cluster = ComplaintCluster.objects.create(project=cast.project, title=f"组{start}", created_at=T0)
    for i in range(start, start + n):
        t = complaint(f"第{i}栋电梯困人", T0 + dt.timedelta(minutes=i))
        ClusterMember.objects.create(cluster=cluster, ticket=t, added_at=T0, score=0.5)
    return cluster


def test_overview_page(client, cast, complaint, outbox) -> None:
    client.force_login(cast.supervisor)
    _escalated(complaint, 2, 0)
    _cluster(cast, complaint, 2, 100)
    few = _queries(lambda: client.get("/escalation/"))
    _escalated(complaint, 8, 10)
    for k in range(3):
        _cluster(cast, complaint, 2, 200 + 10 * k)
    page = client.get("/escalation/").content.decode()
    assert page.count('data-testid="escalated-row"') == 10 and page.count('data-testid="cluster-row"') == 4
    assert _queries(lambda: client.get("/escalation/")) == few


def test_cluster_page_members(client, cast, complaint) -> None:
    client.force_login(cast.supervisor)
    cluster = _cluster(cast, complaint, 2, 0)
    few = _queries(lambda: client.get(f"/escalation/clusters/{cluster.pk}/"))
    for i in range(10, 20):
        t = complaint(f"第{i}栋电梯困人", T0 + dt.timedelta(minutes=i), anonymous=True)
        ClusterMember.objects.create(cluster=cluster, ticket=t, added_at=T0)
    ComplaintCluster.objects.create(project=cast.project, title="另一组", created_at=T0)
    page = client.get(f"/escalation/clusters/{cluster.pk}/").content.decode()
    assert page.count('data-testid="member-row"') == 12
    assert _queries(lambda: client.get(f"/escalation/clusters/{cluster.pk}/")) == few


def test_legacy_page(client, cast, complaint) -> None:
    client.force_login(cast.quality_inspector)  # company level: sees every project

    def get() -> None:
        with clock.frozen(dt.datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)):
            assert client.get("/escalation/legacy/").status_code == 200

    complaint("墙体开裂要求开发商维修", dt.datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI), developer_matter=True)
    few = _queries(get)
    for i in range(10):
        ProjectFactory(company=cast.company, code=f"P{i}", name=f"项目{i}")
    assert _queries(get) == few


def test_cluster_list_api(client, cast, complaint) -> None:
    client.force_login(cast.supervisor)
    _cluster(cast, complaint, 2, 0)
    few = _queries(lambda: client.get("/api/v1/escalation/clusters"))
    for k in range(4):
        _cluster(cast, complaint, 3, 100 + 10 * k)
    body = client.get("/api/v1/escalation/clusters").json()
    assert len(body) == 5 and sum(len(c["members"]) for c in body) == 14
    assert _queries(lambda: client.get("/api/v1/escalation/clusters")) == few

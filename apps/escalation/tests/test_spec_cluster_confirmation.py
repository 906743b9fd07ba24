"""R-M3-04: the system suggests same-complaint groups; staff confirm or reject them on the group page
and through the API, and only a confirmed group counts for hot criterion (b) of R-M3-02."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from apps.escalation.models import ClusterMember, ClusterState
from apps.escalation.tests.conftest import household
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _now():
    """The pages and the API act at T0 + 6 days 2 hours (no complaint is yet a week unresolved)."""
    with clock.frozen(T0 + dt.timedelta(days=6, hours=2)):
        yield


def _three(cast, complaint):
    hs = [household(cast, "5栋", room) for room in ("101", "202", "303")]
    texts = ["5栋楼道灯一直不亮", "五号楼走廊照明坏了好几天", "5号楼楼梯间的灯坏了晚上很黑"]
    return [complaint(text, T0 + dt.timedelta(days=3 * i), household=h) for i, (text, h) in enumerate(zip(texts, hs, strict=True))]


def _levels(tickets):
    for t in tickets:
        t.refresh_from_db()
    return {t.escalation_level for t in tickets}


def test_R_M3_04_suggested_group_is_not_hot_until_confirmed_through_the_api(cast, complaint, outbox) -> None:
    tickets = _three(cast, complaint)
    cluster = ClusterMember.objects.get(ticket=tickets[2]).cluster
    assert cluster.state == ClusterState.SUGGESTED and cluster.distinct_complainants == 3
    assert _levels(tickets) == {"none"}
    asked = [c for c in outbox.calls if c["kind"] == "cluster_to_confirm"]
    assert asked and "supervisor" in asked[0]["recipients"] and asked[0]["link"] == f"/escalation/clusters/{cluster.pk}/"
    api = Client()
    api.force_login(cast.front_desk)  # the desk may not manage groups
    assert api.post(f"/api/v1/escalation/clusters/{cluster.pk}/confirm").status_code == 403
    assert _levels(tickets) == {"none"}
    api.force_login(cast.supervisor)
    r = api.post(f"/api/v1/escalation/clusters/{cluster.pk}/confirm")
    assert r.status_code == 200 and r.json()["state"] == "confirmed"
    assert _levels(tickets) == {"hot"}


def test_R_M3_04_staff_reject_a_suggested_group_on_the_page(cast, complaint, outbox) -> None:
    tickets = _three(cast, complaint)
    cluster = ClusterMember.objects.get(ticket=tickets[2]).cluster
    page = Client()
    page.force_login(cast.supervisor)
    body = page.get(f"/escalation/clusters/{cluster.pk}/").content.decode()
    assert 'data-testid="cluster-suggested"' in body and 'data-testid="cluster-reject"' in body
    assert "R-M3" not in body
    r = page.post(f"/escalation/clusters/{cluster.pk}/reject/")
    assert r.status_code == 302
    cluster.refresh_from_db()
    assert cluster.state == ClusterState.DISSOLVED and cluster.confirmed_by_id == cast.supervisor.pk
    assert _levels(tickets) == {"none"}
    # a later complaint about the same lights is not pulled back into the rejected group
    later = complaint("5栋楼道的灯还是坏的", T0 + dt.timedelta(days=6, hours=1), household=household(cast, "5栋", "404"))
    member = ClusterMember.objects.filter(ticket=later).select_related("cluster").first()
    assert member is None or member.cluster_id != cluster.pk
    assert _levels([*tickets, later]) == {"none"}
    # rejecting twice is refused with the structured error
    api = Client()
    api.force_login(cast.supervisor)
    r = api.post(f"/api/v1/escalation/clusters/{cluster.pk}/reject")
    assert r.status_code == 409 and r.json()["error"]["code"] == "dissolved"


def test_R_M3_04_anonymous_member_marked_distinct_through_the_api(cast, complaint, outbox) -> None:
    a = complaint("5栋楼道灯一直不亮", T0, household=household(cast, "5栋", "101"))
    b = complaint("五号楼走廊照明坏了好几天", T0 + dt.timedelta(days=2), household=household(cast, "5栋", "202"))
    anon = complaint("5号楼楼梯间的灯坏了晚上很黑", T0 + dt.timedelta(days=4), anonymous=True,
                     complainant_surname="", phone="")
    cluster = ClusterMember.objects.get(ticket=anon).cluster
    api = Client()
    api.force_login(cast.supervisor)
    assert api.post(f"/api/v1/escalation/clusters/{cluster.pk}/confirm").json()["distinct_complainants"] == 2
    assert _levels([a, b, anon]) == {"none"}
    r = api.post(f"/api/v1/escalation/clusters/{cluster.pk}/members/{anon.pk}/distinct", {"distinct": True},
                 content_type="application/json")
    assert r.status_code == 200 and r.json()["distinct_complainants"] == 3
    assert _levels([a, b, anon]) == {"hot"}

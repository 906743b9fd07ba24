"""Escalation pages: permissions (anonymous, no role, right role, other project) and the forms."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.escalation import actions
from apps.escalation.models import ClusterMember, ComplaintCluster, EscalationReport, ReportKind
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def hot(cast, complaint, outbox):
    t = complaint("业主称要找媒体曝光电梯问题", T0, media_or_litigation_risk=True)
    actions.evaluate(t, now=T0)
    return t


def test_overview_and_panel_permissions(client, cast, hot, django_assert_max_num_queries) -> None:
    assert client.get("/escalation/").status_code == 302  # anonymous → login
    client.force_login(cast.outsider)
    assert client.get(f"/escalation/tickets/{hot.pk}/").status_code == 404  # other project: like missing
    assert hot.number not in client.get("/escalation/").content.decode()
    client.force_login(cast.nobody)
    assert client.get("/escalation/").status_code == 404
    client.force_login(cast.supervisor)
    with django_assert_max_num_queries(20):
        page = client.get("/escalation/").content.decode()
    assert hot.number in page and "R-M3-02a" not in page  # the reason in words, never the rule code
    panel = client.get(f"/escalation/tickets/{hot.pk}/").content.decode()
    assert "热点投诉" in panel and "需协助事项" in panel


def test_report_form_errors_then_sends(client, cast, hot) -> None:
    report = EscalationReport.objects.get(ticket=hot, kind=ReportKind.HOT_REPORT)
    client.force_login(cast.supervisor)
    p = f"r{report.pk}-"
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        r = client.post(f"/escalation/reports/{report.pk}/submit/", {p + "content": "只写了内容"}, follow=True)
        assert "请填写报告的全部必填内容" in r.content.decode()
        data = {p + f: "内容" for f in ("content", "cause_analysis", "current_handling", "difficulties", "help_needed")}
        client.post(f"/escalation/reports/{report.pk}/submit/", data)
    report.refresh_from_db()
    assert report.sent_at == T0 + dt.timedelta(hours=1) and report.sent_by == cast.supervisor


def test_downgrade_page_requires_reason_and_manager(client, cast, hot) -> None:
    client.force_login(cast.supervisor)
    client.post(f"/escalation/tickets/{hot.pk}/downgrade/", {"to_level": "none", "reason": "核实无媒体风险"})
    hot.refresh_from_db()
    assert hot.escalation_level == "hot"  # 主管 lacks Cap.DOWNGRADE
    client.force_login(cast.cs_manager)
    r = client.post(f"/escalation/tickets/{hot.pk}/downgrade/", {"to_level": "none", "reason": ""}, follow=True)
    assert "请填写降级原因" in r.content.decode()
    client.post(f"/escalation/tickets/{hot.pk}/downgrade/", {"to_level": "none", "reason": "核实无媒体风险"})
    hot.refresh_from_db()
    assert hot.escalation_level == "none"


def test_cluster_page_confirm_and_other_project_404(client, cast, complaint, outbox) -> None:
    a = complaint("5栋楼道灯一直不亮", T0)
    b = complaint("五号楼走廊照明坏了好几天", T0 + dt.timedelta(days=1))
    cluster = ComplaintCluster.objects.create(project=cast.project, title="5栋楼道灯", created_at=T0)
    for t in (a, b):
        ClusterMember.objects.create(cluster=cluster, ticket=t, added_at=T0, score=0.5)
    client.force_login(cast.outsider)
    assert client.get(f"/escalation/clusters/{cluster.pk}/").status_code == 404
    assert client.post(f"/escalation/clusters/{cluster.pk}/confirm/").status_code == 404
    client.force_login(cast.supervisor)
    assert a.number in client.get(f"/escalation/clusters/{cluster.pk}/").content.decode()
    client.post(f"/escalation/clusters/{cluster.pk}/confirm/", {"title": "5栋楼道灯不亮"})
    cluster.refresh_from_db()
    assert (cluster.state, cluster.title) == ("confirmed", "5栋楼道灯不亮")


def test_legacy_page_counts_and_forwards(client, cast, complaint) -> None:
    complaint("墙体开裂要求开发商维修", dt.datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI), developer_matter=True)
    client.force_login(cast.supervisor)
    with clock.frozen(dt.datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)):
        page = client.get("/escalation/legacy/").content.decode()
        assert "2026-10" in page
        client.post("/escalation/legacy/", {"project": cast.project.pk, "month": "2026-10", "document_no": "F-1"})
    from apps.escalation.models import LegacyForward

    assert LegacyForward.objects.get(project=cast.project).count == 1


def test_flags_form_records_collective_size_and_raises(client, cast, complaint, outbox) -> None:
    t = complaint("多户业主反映车库积水", T0)
    client.force_login(cast.supervisor)
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        r = client.post(f"/escalation/tickets/{t.pk}/flags/", {"collective": "on", "people_count": "4",
                                                                "attribution": "ours"}, follow=True)
    assert "新增升级 1 条" in r.content.decode()
    t.refresh_from_db()
    assert (t.people_count, t.escalation_level) == (4, "hot")
    r = client.post(f"/escalation/tickets/{t.pk}/flags/", {"people_count": "4", "attribution": "other"},
                    follow=True)  # R-M3-05: another attribution without a reason
    assert "更改责任归属须填写原因" in r.content.decode()

"""Escalation API: happy paths and structured errors (400/403/404/409/422)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.escalation import actions
from apps.escalation.models import ArchiveVolume, ClusterMember, ComplaintCluster, EscalationReport, ReportKind
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def hot(cast, complaint, outbox):
    t = complaint("业主称要找媒体曝光", T0, media_or_litigation_risk=True)
    actions.evaluate(t, now=T0)
    return t


def test_ticket_escalation_read_and_other_project_404(client, cast, hot) -> None:
    client.force_login(cast.outsider)
    r = client.get(f"/api/v1/escalation/tickets/{hot.pk}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    client.force_login(cast.front_desk)
    body = client.get(f"/api/v1/escalation/tickets/{hot.pk}").json()
    assert body["level"] == "hot" and body["reasons"][0]["rule_id"] == "R-M3-02a"
    assert body["reports"][0]["kind"] == "hot_report" and "help_needed" in body["reports"][0]["required_fields"]


def test_downgrade_errors_and_success(client, cast, hot) -> None:
    url = f"/api/v1/escalation/tickets/{hot.pk}/downgrade"
    client.force_login(cast.front_desk)
    assert client.post(url, {"to_level": "none", "reason": "核实无风险"}, content_type="application/json").status_code == 403
    client.force_login(cast.cs_manager)
    r = client.post(url, {"to_level": "none", "reason": ""}, content_type="application/json")
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    assert client.post(url, {"to_level": "x", "reason": "核实无风险"}, content_type="application/json").status_code == 422
    r = client.post(url, {"to_level": "none", "reason": "核实无风险"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["level"] == "none"
    assert client.post(url, {"to_level": "none", "reason": "核实无风险"}, content_type="application/json").status_code == 409


def test_report_submit_missing_fields_then_ok_then_conflict(client, cast, hot) -> None:
    report = EscalationReport.objects.get(ticket=hot, kind=ReportKind.HOT_REPORT)
    url = f"/api/v1/escalation/reports/{report.pk}/submit"
    client.force_login(cast.supervisor)
    r = client.post(url, {"content": "c"}, content_type="application/json")
    assert r.status_code == 422 and set(r.json()["error"]["fields"]) == {"cause_analysis", "current_handling",
                                                                          "difficulties", "help_needed"}
    full = {f: "内容" for f in ("content", "cause_analysis", "current_handling", "difficulties", "help_needed")}
    assert client.post(url, full, content_type="application/json").json()["sent_at"]
    assert client.post(url, full, content_type="application/json").status_code == 409
    assert client.post("/api/v1/escalation/reports/999999/submit", full, content_type="application/json").status_code == 404


def test_clusters_list_confirm_split_merge(client, cast, complaint, outbox) -> None:
    a, b, c = (complaint(x, T0 + dt.timedelta(days=i)) for i, x in
               enumerate(["12栋电梯困人", "十二号楼电梯关人", "12号楼电梯又困人了"]))
    cluster = ComplaintCluster.objects.create(project=cast.project, title="12栋电梯", created_at=T0)
    for t in (a, b, c):
        ClusterMember.objects.create(cluster=cluster, ticket=t, added_at=T0)
    other = ComplaintCluster.objects.create(project=cast.project, title="另一组", created_at=T0)
    client.force_login(cast.outsider)
    assert client.get("/api/v1/escalation/clusters").json() == []
    assert client.post(f"/api/v1/escalation/clusters/{cluster.pk}/confirm").status_code == 404
    client.force_login(cast.worker)
    assert client.post(f"/api/v1/escalation/clusters/{cluster.pk}/confirm").status_code == 403
    client.force_login(cast.supervisor)
    assert len(client.get("/api/v1/escalation/clusters").json()) == 2
    assert client.post(f"/api/v1/escalation/clusters/{cluster.pk}/confirm").json()["state"] == "confirmed"
    r = client.post(f"/api/v1/escalation/clusters/{cluster.pk}/split", {"ticket_ids": [c.pk]},
                    content_type="application/json")
    assert [m["ticket_id"] for m in r.json()["members"]] == [a.pk, b.pk]
    assert client.post(f"/api/v1/escalation/clusters/{cluster.pk}/split", {"ticket_ids": [999]},
                       content_type="application/json").status_code == 422
    r = client.post(f"/api/v1/escalation/clusters/{cluster.pk}/merge", {"others": [other.pk]},
                    content_type="application/json")
    assert r.status_code == 200
    assert client.post(f"/api/v1/escalation/clusters/{cluster.pk}/merge", {"others": [424242]},
                       content_type="application/json").status_code == 404


def test_r_m3_10_close_volume_endpoint_and_page(client, cast, complaint, outbox) -> None:
    """结卷 of a major complaint's separate volume, reachable from the API and the ticket panel."""
    t = complaint("业主称要去法院起诉", T0, litigation=True)
    actions.evaluate(t, now=T0)
    actions.on_ticket_closed(t, now=T0 + dt.timedelta(days=3))
    url = f"/api/v1/escalation/tickets/{t.pk}/volume/close"
    client.force_login(cast.front_desk)
    assert client.post(url).status_code == 403
    client.force_login(cast.quality_inspector)
    r = client.post(url)
    assert r.status_code == 409 and r.json()["error"]["code"] == "report_missing"
    fields = dict(content="c", cause_analysis="a", handling_result="r", why_worsened="w", lessons="l",
                  corrective_measures="m")
    for kind in (ReportKind.MAJOR_SPECIAL_REPORT, ReportKind.HOT_CASE_REPORT):
        report = EscalationReport.objects.get(ticket=t, kind=kind)
        actions.submit_report(report, acting_user=cast.quality_inspector, now=T0 + dt.timedelta(days=3),
                              **{k: v for k, v in fields.items() if k in report.required_fields})
    assert "结卷" in client.get(f"/escalation/tickets/{t.pk}/").content.decode()
    client.post(f"/escalation/tickets/{t.pk}/close-volume/")
    assert ArchiveVolume.objects.get(ticket=t).closed_at is not None
    body = client.post(url).json()  # closing again keeps the first closing
    assert body["volume_no"] == f"ZD-{t.number}" and body["closed_at"]


def test_r_m3_04_add_a_missed_complaint_to_a_group(client, cast, complaint) -> None:
    a, b = complaint("12栋电梯困人", T0), complaint("十二号楼电梯关人", T0 + dt.timedelta(days=1))
    cluster = ComplaintCluster.objects.create(project=cast.project, title="12栋电梯", created_at=T0)
    ClusterMember.objects.create(cluster=cluster, ticket=a, added_at=T0)
    url = f"/api/v1/escalation/clusters/{cluster.pk}/add"
    client.force_login(cast.supervisor)
    r = client.post(url, {"ticket_id": b.pk}, content_type="application/json")
    assert r.status_code == 200 and [m["ticket_id"] for m in r.json()["members"]] == [a.pk, b.pk]
    r = client.post(url, {"ticket_id": b.pk}, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "in_other_cluster"

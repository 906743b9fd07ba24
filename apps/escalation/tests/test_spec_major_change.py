"""R-M3-08: a major complaint is reported to the group, its progress periodically from the moment it
became major, and a major change in its situation by the fastest means — by phone, recorded on the
complaint's escalation page or through the API, with an urgent system notice to the people concerned."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from apps.escalation import actions
from apps.escalation.demo import load_demo_escalation
from apps.escalation.models import EscalationReport, ReportKind
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)  # Monday
NOW = T0 + dt.timedelta(hours=5)
API = "/api/v1/escalation/tickets"


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(NOW):
        yield


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_R_M3_08_progress_reports_start_from_the_major_escalation(cast, complaint, outbox) -> None:
    """The first progress report is due one interval after the complaint became major, even while the
    first group report is not yet sent; sending the group report does not open a second one; sending
    a progress report opens the next, one interval later."""
    t = complaint("业主已向法院起诉物业公司", T0, litigation=True)
    progress = EscalationReport.objects.get(ticket=t, kind=ReportKind.PROGRESS)
    assert (progress.sequence, progress.due_at, progress.sent_at) == (1, T0 + dt.timedelta(days=7), None)
    group = EscalationReport.objects.get(ticket=t, kind=ReportKind.MAJOR_GROUP_REPORT)
    actions.submit_report(group, acting_user=cast.supervisor, now=T0 + dt.timedelta(hours=2),
                          content="起诉", cause_analysis="维修拖延", current_handling="已约谈")
    assert EscalationReport.objects.filter(ticket=t, kind=ReportKind.PROGRESS).count() == 1
    r = _client(cast.supervisor).post(f"/api/v1/escalation/reports/{progress.pk}/submit",
                                      {"current_handling": "法院已受理，正在调解"}, content_type="application/json")
    assert r.status_code == 200, r.content
    nxt = EscalationReport.objects.get(ticket=t, kind=ReportKind.PROGRESS, sequence=2)
    assert nxt.due_at == NOW + dt.timedelta(days=7) and nxt.sent_at is None


def test_R_M3_08_major_change_phoned_to_the_group_recorded_on_the_page_with_an_urgent_notice(cast, complaint,
                                                                                            outbox) -> None:
    t = complaint("12户业主联名投诉地下车库长期积水", T0, collective=True, people_count=12)
    sup = _client(cast.supervisor)
    page = sup.get(f"/escalation/tickets/{t.pk}/").content.decode()
    assert 'data-testid="major-change-form"' in page
    # bad input: the page again, the message beside the field, nothing recorded
    r = sup.post(f"/escalation/tickets/{t.pk}/major-change/",
                 {"situation_change": "业主已联系报社记者", "current_handling": "", "phoned_to": "",
                  "phoned_at": "2026-11-02T14:30"})
    body = r.content.decode()
    assert r.status_code == 200 and "请填写电话报告的集团物业管理部人员" in body and "请填写目前处理情况" in body
    assert not EscalationReport.objects.filter(ticket=t, kind=ReportKind.MAJOR_CHANGE).exists()
    r = sup.post(f"/escalation/tickets/{t.pk}/major-change/",
                 {"situation_change": "业主已联系报社记者，明日将到小区采访", "current_handling": "经理已上门沟通，抽水作业连夜进行",
                  "phoned_to": "集团物业管理部 刘经理", "phoned_at": "2026-11-02T14:30"})
    assert r.status_code == 302
    report = EscalationReport.objects.get(ticket=t, kind=ReportKind.MAJOR_CHANGE)
    assert (report.phoned_to, report.phoned_at, report.sent_at, report.sent_by_id) == (
        "集团物业管理部 刘经理", dt.datetime(2026, 11, 2, 14, 30, tzinfo=SHANGHAI), NOW, cast.supervisor.pk)
    [notice] = [c for c in outbox.calls if c["kind"] == "escalation_major_change"]
    assert notice["urgent"] is True and "刘经理" in notice["body"]
    assert {cast.quality_inspector.username, cast.cs_manager.username, cast.project_manager.username,
            cast.leader.username} <= set(notice["recipients"])
    page = sup.get(f"/escalation/tickets/{t.pk}/").content.decode()
    assert 'data-testid="phoned"' in page and "刘经理" in page
    assert "刘经理" in sup.get(f"/escalation/tickets/{t.pk}/volume/").content.decode()  # in the major volume (R-M6-04)


def test_R_M3_08_major_change_through_the_api_by_the_roles_and_only_for_major(cast, complaint, outbox) -> None:
    major = complaint("业主称已被电视台曝光", T0, media_exposed=True)
    ordinary = complaint("楼道灯不亮", T0)
    body = {"situation_change": "电视台今晚播出，业主聚集在管理处", "current_handling": "公司领导已到现场",
            "phoned_to": "集团物业管理部 孙部长", "phoned_at": "2026-11-02T14:50:00+08:00"}
    desk = _client(cast.front_desk)
    assert desk.post(f"{API}/{major.pk}/major-change", body, content_type="application/json").status_code == 403
    assert 'data-testid="major-change-form"' not in desk.get(f"/escalation/tickets/{major.pk}/").content.decode()
    quality = _client(cast.quality_inspector)
    r = quality.post(f"{API}/{ordinary.pk}/major-change", body, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_major"
    r = quality.post(f"{API}/{major.pk}/major-change", {**body, "phoned_to": "", "phoned_at": "2026-11-03T09:00"},
                     content_type="application/json")
    assert r.status_code == 422
    r = quality.post(f"{API}/{major.pk}/major-change", {**body, "phoned_to": ""}, content_type="application/json")
    assert r.status_code == 422 and "phoned_to" in r.json()["error"]["fields"]
    r = quality.post(f"{API}/{major.pk}/major-change", body, content_type="application/json")
    assert r.status_code == 200, r.content
    [change] = [x for x in r.json()["reports"] if x["kind"] == "major_change"]
    assert change["phoned_to"] == "集团物业管理部 孙部长" and change["sent_at"] is not None
    assert dt.datetime.fromisoformat(change["phoned_at"]) == dt.datetime(2026, 11, 2, 14, 50, tzinfo=SHANGHAI)
    assert [c["urgent"] for c in outbox.calls if c["kind"] == "escalation_major_change"] == [True]
    r = quality.post(f"{API}/{major.pk}/major-change", {**body, "situation_change": "业主撤回起诉意向"},
                     content_type="application/json")
    assert r.status_code == 200
    assert sorted(EscalationReport.objects.filter(ticket=major, kind=ReportKind.MAJOR_CHANGE)
                  .values_list("sequence", flat=True)) == [1, 2]


def test_R_M3_08_demo_shows_a_major_change_phoned_to_the_group(cast, complaint, outbox) -> None:
    t = complaint("小区外墙瓷砖大面积脱落", T0)
    load_demo_escalation(cast.company, now=NOW)
    t.refresh_from_db()
    assert t.escalation_level == "major"
    report = EscalationReport.objects.get(ticket=t, kind=ReportKind.MAJOR_CHANGE)
    assert report.phoned_to and report.sent_by_id == cast.cs_manager.pk
    load_demo_escalation(cast.company, now=NOW)  # deterministic: run twice, recorded once
    assert EscalationReport.objects.filter(ticket=t, kind=ReportKind.MAJOR_CHANGE).count() == 1

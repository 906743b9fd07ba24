"""R-M5-07 / R-M5-08 / R-M5-09: publication duties are done when the report reaches its readers (not when
a draft is submitted), and the approval chain: the department head reviews, then the 分管领导 approves —
through the actions, the report page and the API."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from apps.org.models import ProjectKind
from apps.reports import actions, queries
from apps.reports import schedule as s
from linli import clock

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
Q4 = s.quarter_period(2025, 4)
NOW = dt.datetime(2026, 1, 10, 9, 0, tzinfo=SH)


def _status(cast, now, code, period):
    rows = [d for d in queries.duty_statuses(cast.company, [cast.project], now)
            if d.duty.code == code and d.period == period and d.project == cast.project]
    assert len(rows) == 1
    return rows[0]


def _api(user):
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _login(user):
    c = Client()
    c.force_login(user)
    return c


def _service_report(cast):
    report = actions.create_draft(duty=s.SERVICE_REPORT_REVIEW, period=Q4, project=cast.project, figures={},
                                  sections={"summary": "本季度管理服务情况。"}, acting_user=cast.project_manager,
                                  now=NOW)
    return actions.submit_for_review(report, acting_user=cast.project_manager, now=NOW)


def test_r_m5_07_monthly_publication_is_done_only_when_published(cast):
    """R-M5-07: a submitted 投诉公布 is not done; it is done (on time) once published before the 30th,
    late when published after it."""
    nov = s.month_period(2026, 11)
    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH)
    report = actions.create_draft(duty=s.MONTHLY_BULLETIN, period=nov, project=cast.project, figures={},
                                  sections={"summary": "本月共性投诉处理情况。"}, acting_user=cast.supervisor, now=now)
    actions.submit_for_review(report, acting_user=cast.supervisor, now=now)
    assert not _status(cast, now, "monthly_bulletin", nov).done
    actions.approve_report(report, acting_user=cast.cs_manager, now=now)
    assert not _status(cast, now, "monthly_bulletin", nov).done
    after = dt.datetime(2026, 12, 2, 10, 0, tzinfo=SH)
    assert _status(cast, after, "monthly_bulletin", nov).late(after)
    actions.record_publication(report, where="小区公告栏", acting_user=cast.supervisor, now=after)
    st = _status(cast, after, "monthly_bulletin", nov)
    assert st.done and st.late(after)  # published after the 30th: late
    year = queries.year_compliance(cast.company, 2026, "monthly_bulletin", cast.project)
    assert nov in year.submitted


def test_r_m5_08_chain_review_then_leader_approval_then_postings(cast):
    """R-M5-08: the 管理服务报告 goes to the department head (review), then the 分管领导 approves; the
    project's own manager cannot approve; the 18th and 20th milestones are the intranet posting and the
    notice of this same report."""
    report = _service_report(cast)
    assert _status(cast, NOW, "service_report", Q4).done  # handed to the department head by the 15th
    with pytest.raises(actions.ReportError, match="部门负责人审核"):
        actions.approve_report(report, acting_user=cast.leader, now=NOW)
    with pytest.raises(actions.ReportError):
        actions.review_report(report, acting_user=cast.project_manager, now=NOW)  # the submitter
    with pytest.raises(actions.ReportError):
        actions.review_report(report, acting_user=cast.front_desk, now=NOW)
    actions.review_report(report, acting_user=cast.cs_manager, now=NOW)
    with pytest.raises(actions.ReportError, match="分管领导"):
        actions.approve_report(report, acting_user=cast.cs_manager, now=NOW)
    actions.approve_report(report, acting_user=cast.leader, now=NOW)
    assert not _status(cast, NOW, "service_report_intranet", Q4).done
    with pytest.raises(actions.ReportError):
        actions.record_posting(report, milestone="notice", acting_user=cast.project_manager, now=NOW)
    actions.record_posting(report, milestone="intranet", acting_user=cast.project_manager, now=NOW)
    late = dt.datetime(2026, 1, 21, 9, 0, tzinfo=SH)
    actions.record_posting(report, milestone="notice", acting_user=cast.project_manager, now=late)
    intranet, notice = _status(cast, late, "service_report_intranet", Q4), _status(cast, late, "service_report_notice", Q4)
    assert intranet.done and not intranet.late(late)
    assert notice.done and notice.late(late)  # the notice after the 20th
    # no separate copies are drafted for the postings
    result = actions.generate_due(cast.company, NOW)
    assert not [r for r in result.created if r.duty_code in queries.SOURCE_DUTY]


def test_r_m5_08_chain_through_the_api(cast):
    """R-M5-08 through the API: the manager's approval is a 403, the head review and the leader's approval
    succeed, the postings are recorded."""
    report = _service_report(cast)
    base = f"/api/v1/reports/{report.pk}"
    with clock.frozen(NOW):
        r = _api(cast.project_manager).post(f"{base}/approve", "{}", content_type="application/json")
        assert r.status_code in (403, 409)
        r = _api(cast.leader).post(f"{base}/approve", "{}", content_type="application/json")
        assert r.status_code == 409 and "部门负责人" in r.json()["error"]["message"]
        r = _api(cast.cs_manager).post(f"{base}/head-review")
        assert r.status_code == 200 and r.json()["reviewed_at"]
        r = _api(cast.leader).post(f"{base}/approve", "{}", content_type="application/json")
        assert r.status_code == 200 and r.json()["status"] == "approved"
        r = _api(cast.project_manager).post(f"{base}/posting/intranet")
        assert r.status_code == 200 and r.json()["intranet_posted_at"]
        r = _api(cast.project_manager).post(f"{base}/posting/notice")
        assert r.status_code == 200 and r.json()["notice_posted_at"] and r.json()["published_at"]


def test_r_m5_08_chain_through_the_page(cast):
    """R-M5-08 through the report page: the head sees the review button, the manager no approval button,
    the leader approves after the review, then intranet and notice are recorded."""
    report = _service_report(cast)
    url = f"/reports/{report.pk}/"
    with clock.frozen(NOW):
        page = _login(cast.project_manager).get(url).content.decode()
        assert "批准并冻结" not in page and "须先经部门负责人审核" in page
        head = _login(cast.cs_manager)
        assert "部门负责人审核通过" in head.get(url).content.decode()
        head.post(f"/reports/{report.pk}/head-review/")
        leader = _login(cast.leader)
        assert "批准并冻结" in leader.get(url).content.decode()
        leader.post(f"/reports/{report.pk}/approve/")
        manager = _login(cast.project_manager)
        assert "登记内网公布" in manager.get(url).content.decode()
        manager.post(f"/reports/{report.pk}/posting/intranet/")
        manager.post(f"/reports/{report.pk}/posting/notice/")
    report.refresh_from_db()
    assert report.reviewed_by == cast.cs_manager and report.approved_by == cast.leader
    assert report.intranet_posted_at and report.notice_posted_at


def test_r_m5_09_work_brief_is_approved_by_the_leader_and_done_when_submitted_to_the_client(cast):
    """R-M5-09: the 工作简报 is approved by the 分管领导 only (not the project manager) and the duty is done
    when it is submitted to the client (委托方)."""
    cast.project.kind = ProjectKind.PUBLIC
    cast.project.save()
    dec = s.month_period(2025, 12)
    now = dt.datetime(2026, 1, 2, 9, 0, tzinfo=SH)
    report = actions.create_draft(duty=s.WORK_BRIEF, period=dec, project=cast.project, figures={},
                                  sections={"summary": "十二月工作简报。"}, acting_user=cast.cs_manager, now=now)
    actions.submit_for_review(report, acting_user=cast.cs_manager, now=now)
    with pytest.raises(actions.ReportError, match="分管领导"):
        actions.approve_report(report, acting_user=cast.project_manager, now=now)
    actions.approve_report(report, acting_user=cast.leader, now=now)
    assert not _status(cast, now, "work_brief", dec).done
    actions.record_publication(report, where="委托方", acting_user=cast.cs_manager, now=now)
    st = _status(cast, now, "work_brief", dec)
    assert st.done and not st.late(now)

"""Issue 23 item 4 for reports and bulletins: nobody approves their own report, no empty text, figures
in the text agree with the report's figures or are flagged and acknowledged — on the page and the API."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from apps.reports import actions, schedule
from apps.reports.models import Report, ReportStatus
from linli import clock

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 29, 1, 0, tzinfo=dt.UTC)
FIGURES = {"period": "2026年11月", "kpis": [
    {"code": "received", "label": "受理总数", "unit": "件", "value": 12, "counts": {"all": 12}},
    {"code": "closure_rate", "label": "关闭率", "unit": "%", "value": 75.0, "counts": {}}],
    "items": [{"category": "公共设施", "count": 3, "closed": 2, "measures": []}]}


def _api(user):
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _in_review(cast, summary: str, duty=schedule.MONTHLY_BULLETIN) -> Report:
    report = actions.create_draft(duty=duty, period=schedule.month_period(2026, 11), project=cast.project,
                                  figures=FIGURES, sections={"summary": summary}, acting_user=cast.supervisor,
                                  now=NOW)
    return actions.submit_for_review(report, acting_user=cast.supervisor, now=NOW)


def test_issue23_4_submitter_is_not_offered_approval_and_is_refused_on_page_and_api(client, cast):
    """The person who submitted a bulletin never approves it: no button on the page, refused on the API."""
    report = _in_review(cast, "本月共受理诉求 12 件，关闭率 75%。")
    actions.update_draft(report, sections={"summary": "本月共受理诉求 12 件，关闭率 75%。"}, acting_user=cast.cs_manager,
                         now=NOW)
    report = actions.submit_for_review(report, acting_user=cast.cs_manager, now=NOW)
    client.force_login(cast.cs_manager)
    with clock.frozen(NOW):
        page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert reverse("reports:approve", args=[report.pk]) not in page
    assert "须由其他有批准权限的人批准" in page
    client.post(reverse("reports:approve", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW
    r = _api(cast.cs_manager).post(f"/api/v1/reports/{report.pk}/approve", {}, content_type="application/json")
    assert r.status_code == 409 and "提交人不能批准" in r.json()["error"]["message"]
    r = _api(cast.project_manager).post(f"/api/v1/reports/{report.pk}/approve", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["frozen"] is True


def test_issue23_4_empty_text_cannot_be_approved(client, cast):
    report = _in_review(cast, "   ")
    client.force_login(cast.cs_manager)
    with clock.frozen(NOW):
        page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "报告正文为空" in page
    client.post(reverse("reports:approve", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW
    r = _api(cast.cs_manager).post(f"/api/v1/reports/{report.pk}/approve", {}, content_type="application/json")
    assert r.status_code == 409 and "正文为空" in r.json()["error"]["message"]


def test_issue23_4_text_agreeing_with_figures_has_no_flag(cast):
    report = _in_review(cast, "本月共受理诉求 12 件，关闭率 75%。公共设施：3 件，已处理完毕 2 件。")
    assert actions.figure_mismatches(report) == []
    r = _api(cast.cs_manager).get(f"/api/v1/reports/{report.pk}/review")
    assert r.json() == {"text_missing": False, "mismatches": []}


def test_issue23_4_mismatching_figures_are_flagged_and_must_be_acknowledged(client, cast):
    """The text says 15 received and 80 % closed while the frozen figures say 12 and 75 %: the approval
    page shows both, approval without the tick is refused, with it the flags are kept on the report."""
    report = _in_review(cast, "本月共受理诉求 15 件，关闭率 80%。公共设施：3 件。")
    client.force_login(cast.cs_manager)
    with clock.frozen(NOW):
        page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "正文中的数字与报告数据不一致" in page and 'name="acknowledge_mismatches"' in page
    assert "正文写 15，数据为 12" in page and "正文写 80，数据为 75" in page
    client.post(reverse("reports:approve", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW
    api = _api(cast.cs_manager)
    review = api.get(f"/api/v1/reports/{report.pk}/review").json()
    assert {(m["label"], m["written"], m["frozen"]) for m in review["mismatches"]} == {
        ("受理总数", "15", "12"), ("关闭率", "80", "75")}
    r = api.post(f"/api/v1/reports/{report.pk}/approve", {}, content_type="application/json")
    assert r.status_code == 409 and "不一致" in r.json()["error"]["message"]
    client.post(reverse("reports:approve", args=[report.pk]), {"acknowledge_mismatches": "1"})
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and len(report.approval_flags) == 2
    with clock.frozen(NOW):
        page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "批准人已确认的数字不符" in page


def test_issue23_4_api_acknowledgement(cast):
    report = _in_review(cast, "公共设施：4 件。")
    r = _api(cast.cs_manager).post(f"/api/v1/reports/{report.pk}/approve", {"acknowledge_mismatches": True},
                                   content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["approval_flags"] == [{"label": "公共设施", "written": "4", "frozen": "3"}]

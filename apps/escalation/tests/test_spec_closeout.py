"""R-M3-07 (hot close-out), R-M3-10 (major close-out) and R-M6-04 (the major complaint's separate volume)
walked through the pages and the API by the roles the rules name: a handled hot/major complaint owes
its 专题案例报告 / 专题报告 by a deadline (the company's limit, else "及时"), the sweep warns and reports
the breach, only 品质管理部 writes the 专题报告 and closes the volume, and the volume lists its contents."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from apps.escalation import sweep
from apps.escalation.models import ArchiveVolume, EscalationPolicy, EscalationReport, ReportKind
from apps.escalation.tests.conftest import household
from apps.estates.models import Person
from apps.reports.models import CaseLibraryEntry
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday
API = "/api/v1/escalation"
CASE = {"content": "业主反映地下车库长期渗水", "cause_analysis": "防水层老化", "handling_result": "已重做防水并回访",
        "lessons": "雨季前须排查"}
SPECIAL = {**CASE, "why_worsened": "首次维修未彻底", "corrective_measures": "建立雨季专项排查"}


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _close_unresolved(cast, ticket, at: dt.datetime) -> None:
    """The supervisor ends the complaint through the tickets API (未关闭: the fastest honest end)."""
    with clock.frozen(at):
        r = _client(cast.supervisor).post(f"/api/v1/tickets/{ticket.pk}/close", {
            "unresolved": True, "result": "已处理", "analysis": "超出公司能力", "measures": "持续跟进"},
            content_type="application/json")
    assert r.status_code == 200, r.content


def test_R_M3_07_hot_case_report_due_by_the_company_limit_warned_breached_and_sent_through_the_api(
        cast, complaint, outbox) -> None:
    EscalationPolicy.objects.create(company=cast.company, closeout_report_working_days=2)
    t = complaint("业主称要找媒体曝光车库渗水", T0, media_or_litigation_risk=True)
    t.refresh_from_db()
    assert t.escalation_level == "hot"
    closed_at = T0 + dt.timedelta(days=1)
    _close_unresolved(cast, t, closed_at)
    report = EscalationReport.objects.get(ticket=t, kind=ReportKind.HOT_CASE_REPORT)
    assert report.due_at is not None and report.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 11, 5)
    assert report.warn_at is not None and closed_at < report.warn_at < report.due_at
    # the page shows its deadline, the API too
    page = _client(cast.supervisor).get(f"/escalation/tickets/{t.pk}/").content.decode()
    assert "2026-11-05" in page
    body = _client(cast.supervisor).get(f"{API}/tickets/{t.pk}").json()
    row = next(r for r in body["reports"] if r["kind"] == "hot_case_report")
    assert row["due_at"] and row["sent_at"] is None
    # the sweep warns, then reports the breach to the project's managers and 品质管理部
    sweep.run_sweep(report.warn_at + dt.timedelta(minutes=1))
    sweep.run_sweep(report.due_at + dt.timedelta(minutes=1))
    kinds = [c["kind"] for c in outbox.calls if c.get("dedupe_key", "").endswith(f":{report.pk}")]
    assert kinds == ["escalation_report_warning", "escalation_report_breach"]
    assert "quality" in next(c for c in outbox.calls if c["kind"] == "escalation_report_breach")["recipients"]
    # the front desk cannot send it; the supervisor sends it through the API
    url = f"{API}/reports/{report.pk}/submit"
    assert _client(cast.front_desk).post(url, CASE, content_type="application/json").status_code == 403
    r = _client(cast.supervisor).post(url, {"content": "只写了内容"}, content_type="application/json")
    assert r.status_code == 422 and set(r.json()["error"]["fields"]) == {"cause_analysis", "handling_result", "lessons"}
    r = _client(cast.supervisor).post(url, CASE, content_type="application/json")
    assert r.status_code == 200 and r.json()["sent_at"]


def test_R_M3_07_without_a_company_limit_the_case_report_is_due_promptly(cast, complaint, outbox) -> None:
    t = complaint("三户业主集体投诉噪音", T0, collective=True, people_count=3)
    _close_unresolved(cast, t, T0 + dt.timedelta(hours=3))
    report = EscalationReport.objects.get(ticket=t, kind=ReportKind.HOT_CASE_REPORT)
    assert report.due_at is None  # "及时": no hard limit (T-13), shown as 及时报送 on the page
    assert "及时报送" in _client(cast.supervisor).get(f"/escalation/tickets/{t.pk}/").content.decode()


def test_R_M3_10_R_M6_04_quality_writes_the_special_report_and_closes_the_volume_on_the_page_and_the_api(
        cast, complaint, outbox) -> None:
    t = complaint("业主已向法院起诉物业公司", T0, litigation=True)
    t.refresh_from_db()
    assert t.escalation_level == "major"
    volume = ArchiveVolume.objects.get(ticket=t)
    _close_unresolved(cast, t, T0 + dt.timedelta(days=2))
    special = EscalationReport.objects.get(ticket=t, kind=ReportKind.MAJOR_SPECIAL_REPORT)
    case = EscalationReport.objects.get(ticket=t, kind=ReportKind.HOT_CASE_REPORT)
    # a project manager may send the case report but not the 专题报告, which 品质管理部 writes
    manager = _client(cast.cs_manager)
    page = manager.get(f"/escalation/tickets/{t.pk}/").content.decode()
    assert f'/escalation/reports/{special.pk}/submit/' not in page and "由品质管理部撰写报送" in page
    assert "close-volume" not in page
    r = manager.post(f"{API}/reports/{special.pk}/submit", SPECIAL, content_type="application/json")
    assert r.status_code == 403
    assert manager.post(f"{API}/tickets/{t.pk}/volume/close").status_code == 403
    # 品质管理部: the volume cannot be closed while a close-out report is missing
    quality = _client(cast.quality_inspector)
    r = quality.post(f"{API}/tickets/{t.pk}/volume/close")
    assert r.status_code == 409 and r.json()["error"]["code"] == "report_missing"
    # R-M6-04: the volume lists what it holds and what is missing, on its page and in the API
    body = manager.get(f"{API}/tickets/{t.pk}/volume").json()
    assert body["volume_no"] == f"ZD-{t.number}" and body["closed_at"] is None and "专题报告" in body["missing"]
    assert {r["kind"] for r in body["reports"]} >= {"major_group_report", "major_quality_report",
                                                    "major_special_report", "hot_case_report"}
    assert f'/escalation/tickets/{t.pk}/volume/' in page
    vpage = quality.get(f"/escalation/tickets/{t.pk}/volume/").content.decode()
    assert f"ZD-{t.number}" in vpage and vpage.count('data-testid="volume-report"') == len(body["reports"])
    assert 'data-testid="close-volume"' in vpage
    assert 'data-testid="close-volume"' not in manager.get(f"/escalation/tickets/{t.pk}/volume/").content.decode()
    quality.post(f"/escalation/reports/{special.pk}/submit/", {f"r{special.pk}-{k}": v for k, v in SPECIAL.items()})
    special.refresh_from_db()
    assert special.sent_at is not None and special.sent_by_id == cast.quality_inspector.pk
    assert manager.post(f"{API}/reports/{case.pk}/submit", CASE, content_type="application/json").status_code == 200
    page = quality.get(f"/escalation/tickets/{t.pk}/").content.decode()
    assert f"/escalation/tickets/{t.pk}/close-volume/" in page
    r = quality.post(f"/escalation/tickets/{t.pk}/close-volume/")
    assert r.status_code == 302
    volume.refresh_from_db()
    assert volume.closed_at is not None and volume.closed_by_id == cast.quality_inspector.pk
    body = quality.post(f"{API}/tickets/{t.pk}/volume/close").json()  # again: the first closing stays
    assert body["volume_no"] == f"ZD-{t.number}" and body["closed_at"]
    assert manager.get(f"{API}/tickets/{t.pk}/volume").json()["missing"] == ""
    # R-M6-01: the major complaint's case is in the library once, written from the 专题报告
    entry = CaseLibraryEntry.objects.get(source_ticket=t)
    assert entry.kind == "major" and "事态扩大原因：首次维修未彻底" in entry.handling
    assert entry.corrective_measures == "建立雨季专项排查"


def test_R_M3_07_R_M6_01_the_sent_case_report_becomes_a_library_case_without_the_complainant_name(
        cast, complaint, outbox) -> None:
    home = household(cast, "5栋", "1502")
    li = Person.objects.create(project=cast.project, household=home, name="李明", phone="13900001502")
    Person.objects.create(project=cast.project, household=home, name="张丽", phone="13900001503")
    t = complaint("业主李明称要找媒体曝光车库渗水", T0, media_or_litigation_risk=True, household=home, person=li)
    _close_unresolved(cast, t, T0 + dt.timedelta(days=1))
    report = EscalationReport.objects.get(ticket=t, kind=ReportKind.HOT_CASE_REPORT)
    r = _client(cast.supervisor).post(f"{API}/reports/{report.pk}/submit", {
        **CASE, "content": "业主李明（5栋1502，电话13900001502）与妻子张丽反映车库渗水"},
        content_type="application/json")
    assert r.status_code == 200
    case = CaseLibraryEntry.objects.get(source_ticket=t)
    assert case.kind == "hot" and case.source_ticket_number == t.number
    # every company user reads it — on the page and through the API — and never sees the names
    desk = _client(cast.outsider)  # the front desk of another project of the company
    listing = desk.get("/reports/cases/").content.decode()
    detail = desk.get(f"/reports/cases/{case.pk}/").content.decode()
    api_list = desk.get("/api/v1/reports/cases").json()
    api_one = desk.get(f"/api/v1/reports/cases/{case.pk}").content.decode()
    assert api_list["count"] == 1 and api_list["results"][0]["id"] == case.pk
    for text in (listing, detail, str(api_list), api_one):
        assert "李明" not in text and "张丽" not in text and "13900001502" not in text
    assert "某业主" in detail and "车库渗水" in detail
    # a case written by hand: a resident's name the author did not list is masked all the same
    url = "/api/v1/reports/cases"
    data = {"project_id": cast.project.pk, "kind": "typical", "title": "李明家漏水的处理",
            "background": "业主李明反映卫生间漏水", "handling": "当日维修完毕"}
    assert _client(cast.front_desk).post(url, data, content_type="application/json").status_code == 403
    r = _client(cast.supervisor).post(url, data, content_type="application/json")
    assert r.status_code == 201 and "李明" not in r.content.decode() and r.json()["background"] == "业主某业主反映卫生间漏水"
    r = _client(cast.supervisor).post(url, {**data, "title": ""}, content_type="application/json")
    assert r.status_code == 422

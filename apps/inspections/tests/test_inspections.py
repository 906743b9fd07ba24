"""Inspections (SPEC M18) through pages and the API: night post checks (R-M18-04, AS-38), the 日检表
lines (R-M18-02/-03), nonconformities handed on and fed to staff assessment (R-M14-05), the pool log
(R-M18-16), the warehouse check (R-M18-05), rounds, exports and the monthly bulletin (R-M18-08)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.api.actions import issue_token
from apps.core import jobs
from apps.core.jobs import Reaction
from apps.inspections import actions, queries
from apps.inspections.models import (
    CheckTemplate,
    Finding,
    Inspection,
    InspectionRound,
    InspectionStatus,
    PoolReading,
    WarningNight,
)
from apps.notify.models import Notification
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.quality.models import NonconformityReport
from linli import clock

pytestmark = pytest.mark.django_db
SH = clock.SHANGHAI


def at(y, m, d, h=0, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def _auth(user):
    _t, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def night_check(cast, sig, day, *, hour=22, signed=True, **kw):
    return actions.record_inspection(project=cast.project, kind="night_post", inspected_at=at(2026, 2, day, hour),
                                     scope="东门岗", acting_user=cast.project_manager, now=at(2026, 3, 1, 9),
                                     inspector_signature=sig, checked_person="保安甲",
                                     checked_signature=sig if signed else None, complete=signed, **kw)


# ---------------------------------------------------------------- AS-38


def test_as_38_month_with_three_checks_is_flagged(cast, sig):
    """AS-38: 3 night checks in February 2026 → flagged (< 4); a fourth clears it."""
    for day in (3, 12, 20):
        night_check(cast, sig, day)
    status = queries.night_month(cast.project, dt.date(2026, 2, 1), today=dt.date(2026, 3, 1))
    assert status.checks == 3 and status.flagged and "少于 4 次" in status.reasons()[0]
    night_check(cast, sig, 25, hour=2)  # 02:00 on the 25th belongs to the night of the 24th
    status = queries.night_month(cast.project, dt.date(2026, 2, 1), today=dt.date(2026, 3, 1))
    assert status.checks == 4 and not status.flagged and dt.date(2026, 2, 24) in status.nights_checked


def test_as_38_warning_night_without_check_is_flagged_page_and_api(client, cast, sig):
    """AS-38: a rainstorm warning entered for 2026-02-10 with no night check that night → flagged."""
    for day in (3, 12, 20, 25):
        night_check(cast, sig, day)
    with clock.frozen(at(2026, 2, 10, 15)):
        client.force_login(cast.project_manager)
        r = client.post(f"/inspections/night/?project={cast.project.pk}&month=2026-02",
                        {"project": cast.project.pk, "night_of": "2026-02-10", "kind": "rainstorm"})
        assert r.status_code == 302 and WarningNight.objects.count() == 1
    with clock.frozen(at(2026, 3, 1, 9)):
        body = client.get(f"/inspections/night/?project={cast.project.pk}&month=2026-02").content.decode()
        assert "02月10日有恶劣天气预警，当晚没有夜间查岗" in body
        r = client.get(f"/api/v1/inspections/night-checks?project={cast.project.pk}&month=2026-02-01",
                       **_auth(cast.project_manager))
        assert r.status_code == 200 and r.json()["flagged"] and r.json()["missed_warning_nights"] == ["2026-02-10"]


def test_as_38_night_check_without_checked_signature_cannot_be_complete(client, cast, sig, blank_sig):
    """AS-38: a night check without the signature of the person checked cannot be saved as complete —
    refused through the action, the page and the API; nothing written. As a draft it may be kept."""
    with pytest.raises(actions.InspectionError) as exc:
        night_check(cast, sig, 10, signed=False, complete=True) if False else actions.record_inspection(
            project=cast.project, kind="night_post", inspected_at=at(2026, 2, 10, 23), scope="东门岗",
            acting_user=cast.project_manager, now=at(2026, 3, 1), inspector_signature=sig, checked_person="保安甲",
            checked_signature=None, complete=True)
    assert exc.value.field == "checked_signature"
    with clock.frozen(at(2026, 2, 11, 1)):
        client.force_login(cast.project_manager)
        data = {"project": cast.project.pk, "kind": "night_post", "inspected_at": "2026-02-10T23:00",
                "scope": "东门岗", "checked_person": "保安甲", "inspector_signature": sig, "checked_signature": blank_sig,
                "complete": "on", "f-TOTAL_FORMS": "0", "f-INITIAL_FORMS": "0"}
        r = client.post(f"/inspections/new/?project={cast.project.pk}", data)
        assert r.status_code == 400 and "请被检查人在屏幕上签名" in r.content.decode()
        r = client.post("/api/v1/inspections/", {"project_id": cast.project.pk, "kind": "night_post",
                                                 "inspected_at": "2026-02-10T23:00:00+08:00", "scope": "东门岗",
                                                 "checked_person": "保安甲", "inspector_signature": sig},
                        content_type="application/json", **_auth(cast.project_manager))
        assert r.status_code == 422 and "checked_signature" in r.json()["error"]["fields"]
        assert not Inspection.objects.exists()
        data["checked_signature"] = sig
        r = client.post(f"/inspections/new/?project={cast.project.pk}", data)
        assert r.status_code == 302
    insp = Inspection.objects.get()
    assert insp.status == InspectionStatus.COMPLETE and insp.checked_signature and insp.night_of == dt.date(2026, 2, 10)
    assert client.get(f"/inspections/{insp.pk}/signature/checked/").status_code == 200


def test_r_m18_04_draft_then_completed_with_signatures_api(client, cast, sig):
    with clock.frozen(at(2026, 2, 11, 1)):
        h = _auth(cast.project_manager)
        r = client.post("/api/v1/inspections/", {"project_id": cast.project.pk, "kind": "night_post",
                                                 "inspected_at": "2026-02-10T23:00:00+08:00", "scope": "东门岗",
                                                 "complete": False}, content_type="application/json", **h)
        assert r.status_code == 201 and r.json()["status"] == "draft"
        iid = r.json()["id"]
        r = client.post(f"/api/v1/inspections/{iid}/complete", {"checked_person": "保安甲"},
                        content_type="application/json", **h)
        assert r.status_code == 422
        r = client.post(f"/api/v1/inspections/{iid}/complete", {"checked_person": "保安甲", "checked_signature": sig,
                                                                "inspector_signature": sig},
                        content_type="application/json", **h)
        assert r.status_code == 200 and r.json()["status"] == "complete" and r.json()["has_checked_signature"]
        r = client.post("/api/v1/inspections/", {"project_id": cast.project.pk, "kind": "night_post",
                                                 "inspected_at": "2026-02-10T14:00:00+08:00", "scope": "东门岗",
                                                 "complete": False}, content_type="application/json", **h)
        assert r.status_code == 422 and r.json()["error"]["code"] == "not_night"


# ---------------------------------------------------------------- 日检表 (R-M18-02/-03), R-M14-05


@pytest.fixture
def perf_events(monkeypatch):
    seen: list[dict] = []

    @jobs.handler("tests.collect_performance_event")
    def collect(**payload):
        seen.append(payload)

    monkeypatch.setitem(jobs._reactions, "staff.performance_event", [Reaction(job="tests.collect_performance_event")])
    return seen


def test_r_m18_03_lines_staff_failure_not_exempt_and_feeds_assessment(client, cast, frozen_now, perf_events,
                                                                       photo, django_capture_on_commit_callbacks):
    """R-M18-03: a staff-failure line cannot be exempted and names the employee; R-M18-02: a daily check
    names its level; R-M14-05: the line publishes staff.performance_event."""
    client.force_login(cast.project_manager)
    base = {"project": cast.project.pk, "kind": "daily", "inspected_at": "2026-11-23T09:00", "scope": "全项目",
            "complete": "on", "f-TOTAL_FORMS": "1", "f-INITIAL_FORMS": "0",
            "f-0-description": "维修工作业中擅自离岗", "f-0-cause": "staff", "f-0-exemption": "closed_30min",
            "f-0-responsible": cast.worker.pk}
    r = client.post(f"/inspections/new/?project={cast.project.pk}", base)
    assert r.status_code == 400 and "日检须选择检查层次" in r.content.decode()
    r = client.post(f"/inspections/new/?project={cast.project.pk}", {**base, "level": "director"})
    assert r.status_code == 400 and "员工失职造成的不合格必须记录" in r.content.decode()
    assert not Inspection.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/inspections/new/?project={cast.project.pk}",
                        {**base, "level": "director", "f-0-exemption": "", "photos": photo})
    assert r.status_code == 302
    insp = Inspection.objects.get()
    assert insp.photos.count() == 1 and insp.findings.get().responsible == cast.worker
    assert client.get(f"/inspections/{insp.pk}/photos/{insp.photos.get().pk}/").status_code == 200
    [event] = perf_events
    assert event["employee_id"] == cast.worker.pk and event["project_id"] == cast.project.pk
    assert event["source"] == "daily_inspection" and event["kind"] == "inspection"
    assert event["url"] == f"/inspections/{insp.pk}/" and event["occurred_at"].startswith("2026-11-23T")
    r = client.post("/api/v1/inspections/", {"project_id": cast.project.pk, "kind": "daily", "level": "operator",
                                             "inspected_at": "2026-11-23T09:30:00+08:00", "scope": "3栋",
                                             "findings": [{"description": "交接班记录缺失", "cause": "staff",
                                                           "exemption": "objective_recurring",
                                                           "responsible_id": cast.worker.pk}]},
                    content_type="application/json", **_auth(cast.project_manager))
    assert r.status_code == 422 and "findings.0.exemption" in r.json()["error"]["fields"]


def test_r_m18_03_finding_to_ticket_and_ncr(client, cast, frozen_now):
    insp = actions.record_inspection(
        project=cast.project, kind="daily", level="specialist", inspected_at=at(2026, 11, 23, 9), scope="泵房",
        acting_user=cast.eng_head, now=frozen_now,
        findings=[{"description": "水泵漏水", "cause": "facility", "department": cast.eng_dept},
                  {"description": "消防通道堆物", "cause": "other", "department": cast.security_dept}])
    f1, f2 = insp.findings.order_by("pk")
    client.force_login(cast.eng_head)
    assert client.post(f"/inspections/findings/{f1.pk}/hand-on/", {"to": "ticket"}).status_code == 302
    f1.refresh_from_db()
    assert f1.ticket is not None and "水泵漏水" in f1.ticket.content
    r = client.post(f"/api/v1/inspections/findings/{f1.pk}/hand-on", {"to": "ticket"}, content_type="application/json",
                    **_auth(cast.eng_head))
    assert r.status_code == 409
    r = client.post(f"/api/v1/inspections/findings/{f2.pk}/hand-on",
                    {"to": "ncr", "beyond_authority_reason": "需多部门协调清理"}, content_type="application/json",
                    **_auth(cast.worker))
    assert r.status_code == 403 and not NonconformityReport.objects.exists()
    r = client.post(f"/api/v1/inspections/findings/{f2.pk}/hand-on",
                    {"to": "ncr", "beyond_authority_reason": "需多部门协调清理"}, content_type="application/json",
                    **_auth(cast.project_manager))
    assert r.status_code == 409 and Finding.objects.get(pk=f2.pk).ticket is None  # no 管理者代表: nothing written
    member(UserFactory(username="rep"), Role.MANAGEMENT_REP, company=cast.company)
    r = client.post(f"/api/v1/inspections/findings/{f2.pk}/hand-on",
                    {"to": "ncr", "beyond_authority_reason": "需多部门协调清理"}, content_type="application/json",
                    **_auth(cast.project_manager))
    assert r.status_code == 201, r.content
    ncr = Finding.objects.get(pk=f2.pk).ncr
    assert ncr is not None and ncr.number == r.json()["ncr_number"]


def test_r_m18_05_warehouse_check_recorded_whether_or_not_normal(client, cast, frozen_now):
    h = _auth(cast.project_manager)
    body = {"project_id": cast.project.pk, "kind": "warehouse", "inspected_at": "2026-11-23T09:00:00+08:00",
            "scope": "仓库"}
    r = client.post("/api/v1/inspections/", body, content_type="application/json", **h)
    assert r.status_code == 422 and "all_normal" in r.json()["error"]["fields"]
    r = client.post("/api/v1/inspections/", {**body, "all_normal": True}, content_type="application/json", **h)
    assert r.status_code == 201


def test_r_m18_01_other_project_and_export(client, cast, frozen_now):
    insp = actions.record_inspection(project=cast.project, kind="patrol", inspected_at=at(2026, 11, 23, 9),
                                     scope="地库", acting_user=cast.project_manager, now=frozen_now, all_normal=True)
    client.force_login(cast.outsider)
    assert client.get(f"/inspections/{insp.pk}/").status_code == 404
    assert client.get(f"/api/v1/inspections/{insp.pk}", **_auth(cast.outsider)).status_code == 404
    client.force_login(cast.project_manager)
    r = client.get(f"/inspections/?project={cast.project.pk}&month=2026-11&format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    r = client.get(f"/inspections/?project={cast.project.pk}&month=2026-11")
    assert r.status_code == 200 and "地库" in r.content.decode() and "R-M" not in r.content.decode()


# ---------------------------------------------------------------- pool log (R-M18-16)


def test_r_m18_16_pool_impossible_refused_out_of_range_flagged(client, cast, frozen_now):
    client.force_login(cast.project_manager)
    url = f"/inspections/pool/?project={cast.project.pk}"
    r = client.post(url, {"project": cast.project.pk, "taken_at": "2026-11-23T09:30", "ph": "19"})
    assert r.status_code == 400 and "pH数值不可能" in r.content.decode() and not PoolReading.objects.exists()
    r = client.post("/api/v1/inspections/pool-readings", {"project_id": cast.project.pk,
                                                          "taken_at": "2026-11-23T09:30:00+08:00",
                                                          "footbath_cl": "-2"},
                    content_type="application/json", **_auth(cast.project_manager))
    assert r.status_code == 422 and "footbath_cl" in r.json()["error"]["fields"] and not PoolReading.objects.exists()
    r = client.post(url, {"project": cast.project.pk, "taken_at": "2026-11-23T09:30", "footbath_cl": "3.5",
                          "kids_cl": "0.4", "filter_cleaned": "on"})
    assert r.status_code == 302
    reading = PoolReading.objects.get()
    assert reading.flagged and "浸脚池余氯 3.5mg/L 低于下限 5" in reading.flags
    assert Notification.objects.filter(recipient=cast.project_manager, kind="pool_out_of_range").exists()
    r = client.post("/api/v1/inspections/pool-readings", {"project_id": cast.project.pk,
                                                          "taken_at": "2026-11-23T09:45:00+08:00", "kids_cl": "0.45"},
                    content_type="application/json", **_auth(cast.project_manager))
    assert r.status_code == 201 and not r.json()["flagged"]
    flags = queries.pool_day(cast.project, dt.date(2026, 11, 23))
    assert any("过滤箱清洗 1 次" in f for f in flags) and any("换水间隔超过 4 小时" in f for f in flags)


# ---------------------------------------------------------------- rounds, bulletin


def test_r_m18_07_rounds_and_monthly_bulletin_pdf(client, cast, frozen_now):
    template = CheckTemplate.objects.get(kind="monthly", company=None)
    r = client.post("/api/v1/inspections/rounds", {"project_id": cast.project.pk, "template_id": template.pk,
                                                   "due_on": "2026-11-20", "assignee_id": cast.quality_inspector.pk},
                    content_type="application/json", **_auth(cast.quality_inspector))
    assert r.status_code == 422 and "due_on" in r.json()["error"]["fields"]
    r = client.post("/api/v1/inspections/rounds", {"project_id": cast.project.pk, "template_id": template.pk,
                                                   "due_on": "2026-11-30", "assignee_id": cast.quality_inspector.pk},
                    content_type="application/json", **_auth(cast.butler))
    assert r.status_code == 403
    client.force_login(cast.quality_inspector)
    r = client.post(f"/inspections/rounds/?project={cast.project.pk}",
                    {"project": cast.project.pk, "template": template.pk, "due_on": "2026-11-30",
                     "assignee": cast.project_manager.pk})
    assert r.status_code == 302 and InspectionRound.objects.count() == 1
    rnd = InspectionRound.objects.get()
    actions.record_inspection(project=cast.project, kind="monthly", template=template, round=rnd,
                              inspected_at=at(2026, 11, 23, 9), scope="全项目", acting_user=cast.quality_inspector,
                              now=frozen_now, findings=[{"description": "公告栏过期通知未撤", "specialty": "客服"}])
    rnd.refresh_from_db()
    assert rnd.status == "done"
    r = client.get("/inspections/bulletin/?month=2026-11")
    assert r.status_code == 200 and "公告栏过期通知未撤" in r.content.decode()
    r = client.get("/inspections/bulletin/?month=2026-11&format=pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")

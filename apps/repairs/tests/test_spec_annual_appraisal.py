"""R-M8-18 / R-M19-10: the property service management (here the 管理处经理, keeper of the project's staff
records) appraises door-to-door repair staff once a year on the services they did and the residents'
feedback — on /staff-records/appraisals/ and through /api/v1/staff-records/appraisals — and the
appraisal is part of the qualification rule: a worker whose latest appraisal failed is not dispatched to
work that needs a certificate (持证上岗) until a new appraisal passes."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.org.models import AnnualAppraisal
from apps.repairs.tests.helpers import RepairApiClient, assigned, completed, login, on_site, receive

pytestmark = pytest.mark.django_db


def _appraise(client, cast, **kw):
    data = {"staff": cast.worker.pk, "project": cast.project.pk, "year": 2026, "result": "failed",
            "comment": "全年两次返工，业主反映态度一般", "training": "安全操作规程复训"}
    data.update(kw)
    return client.post("/staff-records/appraisals/", data)


def test_r_m8_18_annual_appraisal_on_the_page_blocks_certificate_work_until_passed(cast, fake_policies, frozen_now):
    cast.worker.certificate = "低压电工作业证 DG001 市应急管理局"
    cast.worker.save(update_fields=["certificate"])
    completed(cast, on_site(cast, assigned(cast, now=frozen_now), now=frozen_now), now=frozen_now)
    pm = login(cast.project_manager)
    r = _appraise(pm, cast, training="")
    assert r.status_code == 422 and "请填写须参加的培训" in r.content.decode()
    assert _appraise(pm, cast, year=2024).status_code == 422
    r = _appraise(pm, cast)
    assert r.status_code == 302, r.content.decode()[:800]
    page = pm.get("/staff-records/appraisals/").content.decode()
    assert page.count('data-testid="appraisal-row"') == 1
    assert "完成维修工单 1" in page and "不合格" in page and "安全操作规程复训" in page and "R-M" not in page
    # the qualification rule: a power repair (certificate required) is not dispatched to him now
    power = receive(cast, "repair_power", now=frozen_now)
    r = login(cast.front_desk).post(f"/repairs/orders/{power.pk}/assign/", {"assignee": cast.worker.pk}, follow=True)
    assert "年度考评不合格" in r.content.decode()
    assert not power.ticket.dispatches.filter(assignee=cast.worker, active=True).exists()
    # a tap (no certificate needed) still is
    tap = receive(cast, "repair_tap", now=frozen_now)
    login(cast.front_desk).post(f"/repairs/orders/{tap.pk}/assign/", {"assignee": cast.worker.pk})
    assert tap.ticket.dispatches.filter(assignee=cast.worker, active=True).exists()
    # re-appraised after training: passed → dispatched
    assert _appraise(pm, cast, result="passed", comment="复训合格", training="").status_code == 302
    login(cast.front_desk).post(f"/repairs/orders/{power.pk}/assign/", {"assignee": cast.worker.pk})
    assert power.ticket.dispatches.filter(assignee=cast.worker, active=True).exists()


def test_r_m8_18_annual_appraisal_through_the_api(cast, fake_policies, frozen_now):
    completed(cast, on_site(cast, assigned(cast, now=frozen_now), now=frozen_now), now=frozen_now)
    pm = RepairApiClient(cast.project_manager)
    body = {"staff_id": cast.worker.pk, "project_id": cast.project.pk, "year": 2026, "result": "improve",
            "comment": "按时率偏低", "training": "维修时限与服务规范"}
    r = pm.post("/api/v1/staff-records/appraisals", body)
    assert r.status_code == 201, r.content
    assert r.json()["evidence"]["orders_done"] == 1 and r.json()["result"] == "improve"
    r = pm.post("/api/v1/staff-records/appraisals", {**body, "training": ""})
    assert r.status_code == 422 and "training" in r.json()["error"]["fields"]
    # the worker cannot appraise, sees only his own
    worker = RepairApiClient(cast.worker)
    assert worker.post("/api/v1/staff-records/appraisals", body).status_code == 403
    assert [a["staff_id"] for a in worker.get("/api/v1/staff-records/appraisals").json()] == [cast.worker.pk]
    assert RepairApiClient(cast.front_desk).get("/api/v1/staff-records/appraisals").json() == []
    # the list does not grow in queries with its rows
    with CaptureQueriesContext(connection) as one:
        assert len(pm.get("/api/v1/staff-records/appraisals").json()) == 1
    for _ in range(3):
        assert pm.post("/api/v1/staff-records/appraisals", {**body, "result": "passed"}).status_code == 201
    with CaptureQueriesContext(connection) as four:
        assert len(pm.get("/api/v1/staff-records/appraisals").json()) == 4
    assert len(four) == len(one)
    assert AnnualAppraisal.objects.filter(staff=cast.worker).count() == 4

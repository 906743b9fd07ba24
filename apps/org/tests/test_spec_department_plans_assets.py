"""R-M19-01 / R-M19-02: the 客服主管 helps write the CS department's plans, reports and budget (and the
management plan, system documents) and checks their execution; the 客服经理 drafts and approves
department documents — not their own; the 主管 manages the department's fixed assets. Pages
/org/department/plans/ and /org/department/assets/, API /api/v1/org/plans and /api/v1/org/assets."""
from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.api.models import ApiToken
from apps.org.models import DepartmentPlan, FixedAsset, PlanStatus
from linli import clock

pytestmark = pytest.mark.django_db


def _page(user):
    c = Client()
    c.force_login(user)
    return c


class _Api:
    def __init__(self, user):
        _t, raw = ApiToken.issue(user, name="t", now=clock.now())
        self.c = Client()
        self.h: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, url):
        return self.c.get(url, **self.h)

    def post(self, url, body):
        return self.c.post(url, json.dumps(body), content_type="application/json", **self.h)


def test_r_m19_02_supervisor_writes_budget_manager_approves_supervisor_checks_execution(cast, frozen_now):
    sup = _page(cast.supervisor)
    assert 'data-testid="department-plans-link"' in sup.get("/staff-records/training/").content.decode()
    data = {"op": "draft", "project": cast.project.pk, "department": cast.cs_dept.pk, "kind": "budget",
            "title": "客服部2027年度预算", "period": "2027年度", "content": "人员培训、满意度调查、办公用品"}
    r = sup.post("/org/department/plans/", data)
    assert r.status_code == 422 and "预算金额" in r.content.decode()
    assert sup.post("/org/department/plans/", {**data, "amount": "86000"}).status_code == 302
    plan = DepartmentPlan.objects.get()
    assert plan.status == PlanStatus.SUBMITTED and plan.drafted_by == cast.supervisor
    # the supervisor cannot approve (the row offers no button, the post is refused)
    assert 'data-testid="decide-form"' not in sup.get("/org/department/plans/").content.decode()
    r = sup.post("/org/department/plans/", {"op": "approve", "plan": plan.pk})
    assert r.status_code == 403
    # the 客服经理 approves on the page
    mgr = _page(cast.cs_manager)
    page = mgr.get("/org/department/plans/").content.decode()
    assert "客服部2027年度预算" in page and 'data-testid="decide-form"' in page and "R-M" not in page
    assert mgr.post("/org/department/plans/", {"op": "approve", "plan": plan.pk, "note": "同意"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.decided_by == cast.cs_manager
    # the supervisor checks its execution
    assert sup.post("/org/department/plans/", {"op": "execution", "plan": plan.pk,
                                               "note": "一季度已执行 18%"}).status_code == 302
    plan.refresh_from_db()
    assert plan.execution_note == "一季度已执行 18%" and plan.execution_checked_by == cast.supervisor
    # roles without the duty
    assert _page(cast.front_desk).get("/org/department/plans/").status_code == 404
    assert _page(cast.worker).get("/org/department/assets/").status_code == 404


def test_r_m19_01_manager_plans_through_the_api_and_never_approves_his_own(cast, frozen_now):
    mgr, sup = _Api(cast.cs_manager), _Api(cast.supervisor)
    body = {"project_id": cast.project.pk, "department_id": cast.cs_dept.pk, "kind": "management_plan",
            "title": "2027年客服管理方案", "period": "2027年度", "content": "回访、走访、满意度调查安排"}
    r = mgr.post("/api/v1/org/plans", body)
    assert r.status_code == 201, r.content
    plan_id = r.json()["id"]
    r = mgr.post(f"/api/v1/org/plans/{plan_id}/decision", {"approve": True})
    assert r.status_code == 409 and r.json()["error"]["code"] == "own_plan"
    r = sup.post(f"/api/v1/org/plans/{plan_id}/decision", {"approve": True})
    assert r.status_code == 403
    pm = _Api(cast.project_manager)
    r = pm.post(f"/api/v1/org/plans/{plan_id}/decision", {"approve": False})
    assert r.status_code == 422 and "note" in r.json()["error"]["fields"]
    r = pm.post(f"/api/v1/org/plans/{plan_id}/decision", {"approve": False, "note": "补充预算依据"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert _Api(cast.front_desk).post("/api/v1/org/plans", body).status_code == 403
    assert _Api(cast.front_desk).get("/api/v1/org/plans").status_code == 403
    with CaptureQueriesContext(connection) as one:
        assert len(sup.get("/api/v1/org/plans").json()) == 1
    for i in range(3):
        assert sup.post("/api/v1/org/plans", {**body, "kind": "report", "title": f"月报{i}"}).status_code == 201
    with CaptureQueriesContext(connection) as four:
        assert len(sup.get("/api/v1/org/plans").json()) == 4
    assert len(four) == len(one)


def test_r_m19_02_supervisor_manages_the_departments_fixed_assets(cast, frozen_now):
    sup = _page(cast.supervisor)
    data = {"op": "register", "project": cast.project.pk, "department": cast.cs_dept.pk, "asset_no": "KF-001",
            "name": "前台电脑", "location": "客服中心前台", "acquired_on": "2025-03-01", "value": "4999.00",
            "custodian": cast.front_desk.pk}
    assert sup.post("/org/department/assets/", data).status_code == 302
    r = sup.post("/org/department/assets/", {**data, "name": "另一台"})
    assert r.status_code == 409 and "已登记" in r.content.decode()
    r = sup.post("/org/department/assets/", {**data, "asset_no": "KF-002", "acquired_on": "2027-01-01"})
    assert r.status_code == 422 and "购置日期" in r.content.decode()
    asset = FixedAsset.objects.get()
    page = sup.get("/org/department/assets/").content.decode()
    assert "KF-001" in page and "前台电脑" in page and "R-M" not in page
    r = sup.post("/org/department/assets/", {"op": "check", "asset": asset.pk, "status": "idle"})
    assert r.status_code == 422
    assert sup.post("/org/department/assets/", {"op": "check", "asset": asset.pk, "status": "repair",
                                                "note": "屏幕故障送修"}).status_code == 302
    asset.refresh_from_db()
    assert asset.status == "repair" and str(asset.last_checked_on) == "2026-11-23"
    api = _Api(cast.supervisor)
    r = api.post("/api/v1/org/assets", {"project_id": cast.project.pk, "department_id": cast.cs_dept.pk,
                                        "asset_no": "KF-003", "name": "打印机", "location": "客服中心",
                                        "acquired_on": "2024-05-01", "value": "1200"})
    assert r.status_code == 201, r.content
    r = api.post(f"/api/v1/org/assets/{r.json()['id']}/check", {"status": "scrapped", "note": "无法修复"})
    assert r.status_code == 200 and r.json()["status"] == "scrapped"
    assert [a["asset_no"] for a in api.get("/api/v1/org/assets").json()] == ["KF-001", "KF-003"]
    assert _Api(cast.front_desk).get("/api/v1/org/assets").status_code == 403
    assert asset.history.count() == 2

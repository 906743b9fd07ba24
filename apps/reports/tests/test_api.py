"""REST endpoints of the reports app: KPIs, dashboard, drill-down, reports (structured errors)."""
from __future__ import annotations

import pytest
from django.test import Client

from apps.reports import actions, schedule
from apps.reports.tests.dataset import NOW, build
from apps.tickets.tests.helpers import policies  # noqa: F401 - fixture
from linli import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def ds(cast, policies):  # noqa: F811
    data = build(cast)
    clock.set_now(NOW)
    return data


def _api(user):
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_kpis_endpoint_and_drill_agree(cast, ds):
    c = _api(cast.project_manager)
    r = c.get("/api/v1/reports/kpis", {"from": "2026-11-01", "to": "2026-11-30"})
    assert r.status_code == 200, r.content
    kpis = {k["code"]: k for k in r.json()["kpis"]}
    assert kpis["closure_rate"]["value"] == 50.0 and kpis["received"]["counts"]["all"] == 6
    d = c.get("/api/v1/reports/drill", {"from": "2026-11-01", "to": "2026-11-30", "kpi": "closure_rate",
                                        "part": "numerator"}).json()
    assert d["count"] == 3 and {t["number"] for t in d["tickets"]} == {ds.t[k].number for k in ("T1", "T4", "T8")}


def test_api_errors_are_structured(cast, ds):
    c = _api(cast.project_manager)
    r = c.get("/api/v1/reports/kpis", {"projects": str(cast.other_project.pk)})
    assert r.status_code == 404 and r.json()["error"]["message"] == "项目不存在或无权查看"
    r = c.get("/api/v1/reports/dashboard", {"unit": "year"})
    assert r.status_code == 422 and "unit" in r.json()["error"]["fields"]
    r = c.get("/api/v1/reports/kpis", {"from": "2026-11-30", "to": "2026-11-01"})
    assert r.status_code == 409 and r.json()["error"]["message"] == "开始日期不能晚于结束日期"
    r = c.get("/api/v1/reports/drill", {"kpi": "closure_rate", "part": "hot"})
    assert r.status_code == 409 and r.json()["error"]["message"] == "指标分项不存在"
    assert _api(cast.worker).get("/api/v1/reports/kpis").status_code == 403
    assert c.get("/api/v1/reports/999999").status_code == 404


def test_report_endpoints_and_frozen_refresh_conflict(cast, ds):
    report, _ = actions.generate_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                                       project=cast.project, company=cast.company, acting_user=cast.cs_manager,
                                       now=NOW)
    c = _api(cast.cs_manager)
    listed = c.get("/api/v1/reports/").json()
    assert [x["id"] for x in listed] == [report.pk]
    detail = c.get(f"/api/v1/reports/{report.pk}").json()
    assert detail["figures"]["kpis"][0]["code"] == "received" and detail["frozen"] is False
    assert c.post(f"/api/v1/reports/{report.pk}/refresh").status_code == 200
    actions.submit_for_review(report, acting_user=cast.cs_manager, now=NOW)
    actions.approve_report(report, acting_user=cast.project_manager, now=NOW)
    r = c.post(f"/api/v1/reports/{report.pk}/refresh")
    assert r.status_code == 409 and "冻结" in r.json()["error"]["message"]
    doc = c.get("/api/openapi.json").json()["paths"]["/api/v1/reports/kpis"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(doc)

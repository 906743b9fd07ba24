"""R-M5-13: targets for the repair measures, the 48-hour repair return visit and the stairway lights — the measured
value against the company's target (P-30) on the dashboard page and in the API, one definition per measure."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from apps.api.actions import issue_token
from apps.repairs.models import RepairSettings
from apps.reports import kpis, targets
from apps.reports.models import KpiSettings, StairwayLightCount
from apps.reports.tests.dataset import NOW, build
from apps.tickets.tests.helpers import policies  # noqa: F401  (fixture of the hand-built dataset)
from linli import clock

pytestmark = pytest.mark.django_db


def _auth(user: Any) -> dict[str, Any]:
    _t, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _rows(body: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in body}


def test_r_m5_13_stairway_lights_recorded_on_the_page_and_the_api_against_the_target(
        client: Client, cast: Any, frozen_now: dt.datetime) -> None:
    """The 管理处经理 records the month's stairway lights on the page and through the API; the rate is shown against
    the default ≥ 90 % and against the company's own target once changed; bad counts, a duplicate month and
    other roles are refused, nothing written."""
    client.force_login(cast.project_manager)
    assert client.get("/reports/stairway-lights/").status_code == 200
    r = client.post("/reports/stairway-lights/", {"project": cast.project.pk, "month": "2026-11",
                                                  "lights_total": "40", "lights_working": "41"})
    assert r.status_code == 422 and "不能多于总数" in r.content.decode()
    assert not StairwayLightCount.objects.exists()
    r = client.post("/reports/stairway-lights/", {"project": cast.project.pk, "month": "2026-11",
                                                  "lights_total": "40", "lights_working": "34", "note": "5栋更换中"})
    assert r.status_code == 302, r.content.decode()[:2000]
    h = _auth(cast.project_manager)
    body = {"project_id": cast.project.pk, "month": "2026-11-15", "lights_total": 40, "lights_working": 40}
    r = client.post("/api/v1/reports/stairway-lights", body, content_type="application/json", **h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate"
    r = client.post("/api/v1/reports/stairway-lights", {**body, "month": "2026-12-01"}, content_type="application/json",
                    **h)
    assert r.status_code == 422 and "month" in r.json()["error"]["fields"]
    r = client.post("/api/v1/reports/stairway-lights", {**body, "lights_total": 0}, content_type="application/json",
                    **h)
    assert r.status_code == 422
    r = client.post("/api/v1/reports/stairway-lights", {**body, "month": "2026-10-01", "lights_working": 38},
                    content_type="application/json", **h)
    assert r.status_code == 201 and r.json()["rate"] == 95.0
    r = client.post("/api/v1/reports/stairway-lights", {**body, "month": "2026-09-01"},
                    content_type="application/json", **_auth(cast.worker))
    assert r.status_code == 404 and StairwayLightCount.objects.count() == 2
    assert client.get(f"/api/v1/reports/stairway-lights?project={cast.project.pk}", **h).json()[0]["rate"] == 85.0

    # November alone: 34/40 = 85 % against ≥ 90 %
    params = f"from=2026-11-01&to=2026-11-30&projects={cast.project.pk}"
    lights = _rows(client.get(f"/api/v1/reports/targets?{params}", **h).json())["stairway_lights_rate"]
    assert (lights["value"], lights["target"], lights["met_target"]) == (85.0, {"value": 90.0, "op": ">="}, False)
    assert lights["counts"] == {"numerator": 34, "denominator": 40}
    page = client.get(f"/reports/dashboard/?{params}").content.decode()
    assert "楼道灯完好率" in page and "85.0%" in page and "未达标" in page
    # October and November: 72/80 = 90 %
    both = _rows(client.get(f"/api/v1/reports/targets?from=2026-10-01&to=2026-11-30&projects={cast.project.pk}",
                            **h).json())["stairway_lights_rate"]
    assert both["value"] == 90.0 and both["met_target"] is True
    # the company lowers nothing but raises the bar: its own target applies
    KpiSettings.objects.update_or_create(company=cast.company,
                                         defaults={"targets": {"stairway_lights_rate": {"value": 95, "op": ">="}}})
    both = _rows(client.get(f"/api/v1/reports/targets?from=2026-10-01&to=2026-11-30&projects={cast.project.pk}",
                            **h).json())["stairway_lights_rate"]
    assert both["target"] == {"value": 95, "op": ">="} and both["met_target"] is False
    # the dashboard data carries the same rows
    data = client.get(f"/api/v1/reports/dashboard?from=2026-10-01&to=2026-11-30&projects={cast.project.pk}", **h)
    assert _rows(data.json()["service_targets"])["stairway_lights_rate"] == both


def test_r_m5_13_repair_targets_and_48_hour_visits_use_the_one_definition(
        client: Client, cast: Any, policies: Any, frozen_now: dt.datetime) -> None:  # noqa: F811
    """The repair rows are the repairs module's measures with the company's 报修设置 targets, the 48-hour return
    visit is the KPI over the tickets' return-visit deadlines (default target 100 %); page and API agree."""
    ds = build(cast)
    RepairSettings.objects.update_or_create(company=cast.company, project=None,
                                            defaults={"completion_target_pct": Decimal("95.00")})
    scope = ds.scope(cast)
    with clock.frozen(NOW):
        rows = _rows(targets.service_targets(scope))
        h = _auth(cast.quality_inspector)
        api = _rows(client.get(f"/api/v1/reports/targets?from=2026-11-01&to=2026-11-30&projects={cast.project.pk}",
                               **h).json())
    assert set(rows) == {"repair_arrival", "repair_completion", "repair_quality", "repair_return_visit",
                         "repair_visit_on_time_rate", "stairway_lights_rate"}
    assert rows["repair_completion"]["target"] == {"value": 95.0, "op": ">="}
    assert rows["repair_quality"]["target"] == {"value": 100.0, "op": ">="}
    visit = kpis.compute("repair_visit_on_time_rate", scope)
    assert rows["repair_visit_on_time_rate"]["value"] == visit.value
    assert rows["repair_visit_on_time_rate"]["counts"] == visit.counts
    assert rows["repair_visit_on_time_rate"]["target"] == {"value": 100.0, "op": ">="}
    # the drill-down of the 48-hour measure lists repairs only
    listed = kpis.part_queryset("repair_visit_on_time_rate", "denominator", scope)
    assert set(listed.values_list("kind", flat=True)) <= {"repair", "paid_service"}
    assert listed.count() == visit.counts["denominator"]
    for code in ("repair_arrival", "repair_completion", "repair_quality", "repair_return_visit"):
        assert api[code]["value"] == rows[code]["value"] and api[code]["counts"] == rows[code]["counts"]
    # the repairs module's own page shows the same figures for the same month
    with clock.frozen(NOW):
        r = client.get("/api/v1/repairs/measures?month_from=2026-11&group=month", **h)
    total = r.json()["rows"][-1]
    for m in ("arrival", "completion", "quality", "return_visit"):
        assert (total[m]["hit"], total[m]["total"]) == (rows[f"repair_{m}"]["counts"]["numerator"],
                                                        rows[f"repair_{m}"]["counts"]["denominator"])


def test_r_m5_13_dashboard_targets_query_count_does_not_grow(
        client: Client, cast: Any, frozen_now: dt.datetime, django_assert_max_num_queries: Any) -> None:
    """The targets section costs a fixed number of queries whatever the number of months recorded."""
    client.force_login(cast.project_manager)
    url = f"/api/v1/reports/targets?from=2025-12-01&to=2026-11-30&projects={cast.project.pk}"
    h = _auth(cast.project_manager)
    client.get(url, **h)
    with django_assert_max_num_queries(30) as ctx:
        client.get(url, **h)
    first = len(ctx.captured_queries)
    for month in range(1, 12):
        StairwayLightCount.objects.create(project=cast.project, month=dt.date(2026, month, 1), lights_total=10,
                                          lights_working=9, recorded_at=frozen_now, recorded_by=cast.project_manager)
    with django_assert_max_num_queries(first):
        r = client.get(url, **h)
    assert _rows(r.json())["stairway_lights_rate"]["counts"]["denominator"] == 110

"""R-M5-17: every half year the 管理处 compiles its water and electricity figures against the targets, analyses
them and reports them to the management department — on the page 半年度水电统计 and through
``/api/v1/reports/utilities``, as the 管理处经理; each half-year has a due time (the 15th of the month after
it ends) and an unreported or late one is marked; the Django admin can no longer bypass the checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.reports.admin import UtilityStatisticsAdmin
from apps.reports.models import UtilityStatistics

pytestmark = pytest.mark.django_db
FORM = {
    "year": "2026",
    "half": "1",
    "water_m3": "12800",
    "water_target_m3": "12000",
    "electricity_kwh": "365000",
    "electricity_target_kwh": "380000",
    "analysis": "二季度绿化浇灌用水增加；公共照明改LED后用电低于指标",
}


def _api(user: Any, now: dt.datetime) -> Client:
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=now)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_r_m5_17_project_manager_reports_a_half_year_on_the_page(
    client: Any, cast: Any, frozen_now: dt.datetime
) -> None:
    """The 管理处经理 sees the last four finished half-years; 2026 上半年 (due 2026-07-15) is overdue; reporting
    it records the figures, the analysis and who reported, marked late; a second report of the same half-year
    and a negative figure are refused beside the form, and nothing is written."""
    client.force_login(cast.project_manager)
    page = client.get(reverse("reports:utilities"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026年上半年" in html and "2024年下半年" in html and 'data-testid="utility-overdue"' in html
    assert "2026-07-15 23:59" in html and "管理部" in html

    done = client.post(reverse("reports:utilities"), {**FORM, "project": cast.project.pk})
    assert done.status_code == 302
    row = UtilityStatistics.objects.get(project=cast.project)
    assert (row.period_start, row.water_m3, row.reported_by, row.reported_at) == (
        dt.date(2026, 1, 1),
        12800,
        cast.project_manager,
        frozen_now,
    )
    html = client.get(reverse("reports:utilities")).content.decode()
    assert "12800.00 / 12000.00（6.7%）" in html and "迟报" in html

    again = client.post(reverse("reports:utilities"), {**FORM, "project": cast.project.pk})
    assert again.status_code == 400 and "已上报" in again.content.decode()
    negative = client.post(
        reverse("reports:utilities"),
        {**FORM, "half": "2", "year": "2025", "water_m3": "-3", "project": cast.project.pk},
    )
    assert negative.status_code == 400 and UtilityStatistics.objects.count() == 1


def test_r_m5_17_utility_statistics_through_the_api(cast: Any, frozen_now: dt.datetime) -> None:
    """The API lists the half-years with due times; reporting 2025 下半年 answers 201 with it reported; the
    running half-year is refused (409); staff without the statistics (the front desk) get 404."""
    api = _api(cast.project_manager, frozen_now)
    listed = api.get("/api/v1/reports/utilities", {"project": cast.project.pk})
    assert listed.status_code == 200, listed.content
    rows = listed.json()
    assert [(r["year"], r["half"]) for r in rows] == [(2026, 1), (2025, 2), (2025, 1), (2024, 2)]
    assert rows[0]["late"] is True and rows[0]["reported_at"] is None
    payload = {
        "project_id": cast.project.pk,
        "year": 2025,
        "half": 2,
        "water_m3": 11000,
        "water_target_m3": 12000,
        "electricity_kwh": 390000,
        "electricity_target_kwh": 380000,
        "analysis": "冬季供暖设备用电超指标",
    }
    created = api.post("/api/v1/reports/utilities", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    row = next(r for r in created.json() if (r["year"], r["half"]) == (2025, 2))
    assert row["electricity_variance_percent"] == 2.6 and row["water_variance_percent"] == -8.3
    assert row["reported_by"] and row["recipient"] == "管理部"
    running = api.post("/api/v1/reports/utilities", {**payload, "year": 2026}, content_type="application/json")
    assert running.status_code == 409 and "尚未结束" in running.json()["error"]["message"]
    assert (
        _api(cast.front_desk, frozen_now).get("/api/v1/reports/utilities", {"project": cast.project.pk}).status_code
        == 404
    )
    assert UtilityStatistics.objects.count() == 1


def test_r_m5_17_admin_cannot_bypass_the_checks() -> None:
    """The Django admin only shows the reports: adding or changing them goes through the page or the API."""
    from django.contrib import admin

    model_admin = UtilityStatisticsAdmin(UtilityStatistics, admin.site)
    assert model_admin.has_add_permission(None) is False and model_admin.has_change_permission(None) is False


def test_r_m5_17_utilities_page_query_count(
    client: Any, cast: Any, frozen_now: dt.datetime, django_assert_max_num_queries: Any
) -> None:
    """The page reads the half-years in one query, whatever has been reported (pinned)."""
    from apps.reports import actions

    for year, half in ((2025, 1), (2025, 2), (2026, 1)):
        actions.record_utility_statistics(
            project=cast.project,
            year=year,
            half=half,
            water_m3="1",
            water_target_m3="2",
            electricity_kwh="3",
            electricity_target_kwh="4",
            analysis="正常",
            acting_user=cast.project_manager,
            now=frozen_now,
        )
    client.force_login(cast.project_manager)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("reports:utilities")).status_code == 200

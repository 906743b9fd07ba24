"""SPEC M5, through the pages and the API as the 管理处经理 (who compiles and reads the statistics):

- R-M5-14: a complaint ended as 未关闭 still counts in every statistic and analysis — KPIs, dashboard,
  drill-down lists, the complaint ledger and the generated monthly report;
- R-M5-15: complaints are classified by subject (物业管理/地产/市政), escalation level and channel on the
  dashboard and in the generated reports, and each row drills down to exactly its tickets.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from apps.reports import actions, schedule
from apps.reports.tests.dataset import NOW, build
from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import at, policies  # noqa: F401 - fixture
from linli import clock

pytestmark = pytest.mark.django_db
NOV = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def ds(cast: Any, policies: Any) -> Any:  # noqa: F811
    data = build(cast)
    clock.set_now(NOW)
    return data


def _api(user: Any) -> Client:
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _close_unresolved(cast: Any, ticket: Ticket) -> None:
    """The 客服主管 ends T3 as 未关闭 through the tickets API (beyond the company's ability)."""
    with clock.frozen(at(2026, 11, 21, 10, 0)):
        r = _page(cast.supervisor).post(
            f"/api/v1/tickets/{ticket.pk}/close",
            {"unresolved": True, "result": "已多次协调", "analysis": "超出公司能力", "measures": "每月回访跟进"},
            content_type="application/json",
        )
    assert r.status_code == 200, r.content
    ticket.refresh_from_db()
    assert ticket.status == "unresolved"


def test_r_m5_14_unclosed_complaint_counts_in_kpis_dashboard_drill_through_page_and_api(cast: Any, ds: Any) -> None:
    """After T3 is ended as 未关闭, the month still has 6 tickets received (5 complaints) on the API and the
    dashboard; the drill-down lists name T3; it counts in the denominator of the closure rate, not as
    closed (R-M2-16); the hot-complaint breakdown still holds it."""
    _close_unresolved(cast, ds.t["T3"])
    api = _api(cast.project_manager)
    kpis_json = api.get("/api/v1/reports/kpis", NOV).json()
    figures = {k["code"]: k for k in kpis_json["kpis"]}
    assert figures["received"]["counts"]["all"] == 6 and figures["received"]["counts"]["complaint"] == 5
    assert figures["closure_rate"]["counts"] == {"numerator": 3, "denominator": 6}
    drill = api.get("/api/v1/reports/drill", {**NOV, "kpi": "received", "part": "complaint"}).json()
    assert drill["count"] == 5 and ds.t["T3"].number in {t["number"] for t in drill["tickets"]}
    assert next(t for t in drill["tickets"] if t["number"] == ds.t["T3"].number)["status"] == "unresolved"

    page = _page(cast.project_manager)
    data = page.get(reverse("reports:dashboard_data"), NOV).json()
    assert {k["code"]: k for k in data["kpis"]}["received"]["counts"]["all"] == 6
    assert {r["key"]: r["count"] for r in data["by_escalation"]}["hot"] == 1
    html = page.get(reverse("reports:drill"), {**NOV, "kpi": "received", "part": "all"}).content.decode()
    assert ds.t["T3"].number in html


def test_r_m5_14_unclosed_complaint_is_in_the_ledger_and_the_generated_monthly_report(cast: Any, ds: Any) -> None:
    """The complaint ledger (投诉台账) lists T3 with its status 未关闭, and the monthly summary generated for
    November counts it among the 5 complaints and the hot ones."""
    _close_unresolved(cast, ds.t["T3"])
    response = _page(cast.project_manager).get(
        reverse("reports:ledger", args=["complaint"]), {**NOV, "projects": str(cast.project.pk)}
    )
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    rows = [[c.value for c in row] for row in wb.active.iter_rows()]
    t3 = next(r for r in rows if ds.t["T3"].number in r)
    assert "未关闭" in t3
    report, _created = actions.generate_draft(
        duty=schedule.MONTHLY_SUMMARY,
        period=schedule.month_period(2026, 11),
        project=cast.project,
        company=cast.company,
        acting_user=cast.cs_manager,
        now=NOW,
    )
    received = next(k for k in report.figures["kpis"] if k["code"] == "received")
    assert received["counts"]["complaint"] == 5
    levels = next(t for t in report.figures["tables"] if t["by"] == "escalation_level")
    assert {r["key"]: r["count"] for r in levels["rows"]}["hot"] == 1


def test_r_m5_15_dashboard_and_api_break_down_by_subject_level_and_channel_and_drill(cast: Any, ds: Any) -> None:
    """T2 is a developer (地产) matter, T8 a municipal (市政) one: the dashboard (page and API) shows the
    subject, escalation-level and channel breakdowns, and each row's drill-down lists exactly its tickets."""
    Ticket.objects.filter(pk=ds.t["T2"].pk).update(developer_matter=True)
    Ticket.objects.filter(pk=ds.t["T8"].pk).update(municipal=True)
    page = _page(cast.project_manager)
    assert 'data-testid="chart-subject"' in page.get(reverse("reports:dashboard")).content.decode()
    for data in (
        page.get(reverse("reports:dashboard_data"), NOV).json(),
        _api(cast.project_manager).get("/api/v1/reports/dashboard", NOV).json(),
    ):
        subjects = {r["key"]: (r["label"], r["count"]) for r in data["by_subject"]}
        assert subjects == {"property": ("物业管理", 4), "developer": ("地产", 1), "municipal": ("市政", 1)}
        levels = {r["key"]: r["count"] for r in data["by_escalation"]}
        assert levels == {"none": 4, "hot": 1, "major": 1}
        assert {r["key"]: r["count"] for r in data["by_channel"]} == {"phone": 6}
        developer_row = next(r for r in data["by_subject"] if r["key"] == "developer")
        drilled = page.get(developer_row["drill"]).content.decode()
        assert ds.t["T2"].number in drilled and ds.t["T8"].number not in drilled
    api = _api(cast.project_manager)
    for by, key, expected in (
        ("subject", "municipal", {"T8"}),
        ("subject", "property", {"T1", "T3", "T4", "T7"}),
        ("escalation_level", "major", {"T7"}),
        ("escalation_level", "none", {"T1", "T2", "T4", "T8"}),
    ):
        body = api.get("/api/v1/reports/drill", {**NOV, "by": by, "key": key}).json()
        assert {t["number"] for t in body["tickets"]} == {ds.t[k].number for k in expected}, (by, key)
    bad = api.get("/api/v1/reports/drill", {**NOV, "by": "subject", "key": "nonsense"})
    assert bad.status_code == 409


def test_r_m5_15_generated_reports_carry_the_subject_and_level_tables(cast: Any, ds: Any) -> None:
    """The monthly summary shows 按投诉主体 and 按投诉级别 tables on its page, counted like the dashboard."""
    Ticket.objects.filter(pk=ds.t["T2"].pk).update(developer_matter=True)
    report, _created = actions.generate_draft(
        duty=schedule.MONTHLY_SUMMARY,
        period=schedule.month_period(2026, 11),
        project=cast.project,
        company=cast.company,
        acting_user=cast.cs_manager,
        now=NOW,
    )
    tables = {t["by"]: {r["key"]: r["count"] for r in t["rows"]} for t in report.figures["tables"]}
    assert tables["subject"] == {"property": 5, "developer": 1}
    assert tables["escalation_level"] == {"none": 4, "hot": 1, "major": 1}
    html = _page(cast.project_manager).get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "按投诉主体" in html and "按投诉级别" in html and "地产" in html

"""Dashboard, drill-down lists, exports and printable forms through the web (issue 7 items 2 and 4)."""
from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import openpyxl
import pytest
from django.urls import reverse

from apps.reports import actions, schedule
from apps.reports.tests.dataset import NOW, build
from apps.tickets.tests.helpers import at, policies  # noqa: F401 - fixture
from linli import clock

pytestmark = pytest.mark.django_db
NOV = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def ds(cast, policies):  # noqa: F811
    data = build(cast)
    clock.set_now(NOW)
    return data


def _get(client, url, **params):
    return client.get(f"{url}?{urlencode(params)}" if params else url)


def _drill_total(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.content[:300]
    found = re.search(r'data-testid="drill-total">(\d+)<', r.content.decode())
    assert found is not None
    return int(found.group(1))


def test_dashboard_page_and_access(client, cast, ds):
    client.force_login(cast.project_manager)
    r = _get(client, reverse("reports:dashboard"), **NOV)
    assert r.status_code == 200
    html = r.content.decode()
    assert "vendor/echarts.min.js" in html and "cdn" not in html.lower()
    client.force_login(cast.worker)
    assert client.get(reverse("reports:dashboard")).status_code == 404


def test_dashboard_figures_equal_the_sum_of_their_drill_down_lists(client, cast, ds):
    client.force_login(cast.project_manager)
    data = _get(client, reverse("reports:dashboard_data"), **NOV).json()
    cards = {k["code"]: k for k in data["kpis"]}
    assert cards["received"]["counts"]["all"] == 6
    assert cards["valid_complaint_rate"]["value"] == 20.0
    for k in data["kpis"]:
        for part, n in k["counts"].items():
            assert _drill_total(client, k["drill"][part]) == n, (k["code"], part)
    for key in ("by_category", "by_department", "overdue_by_department"):
        for row in data[key]:
            assert _drill_total(client, row["drill"]) == row["count"], (key, row["label"])
    for row in data["trend"]["rows"]:
        assert _drill_total(client, row["drill"]) == row["count"]
    assert sum(c["count"] for c in data["heat"]["cells"]) == 4  # T1 T2 (5栋) T3 T4 (6栋)
    for cell in data["heat"]["cells"]:
        assert _drill_total(client, cell["drill"]) == cell["count"]


def test_quality_department_sees_all_projects_project_manager_only_own(client, cast, ds):
    from apps.tickets.tests.helpers import receive

    receive(cast, project=cast.other_project, acting_user=cast.outsider, now=at(2026, 11, 3, 9, 0))
    client.force_login(cast.quality_inspector)
    data = _get(client, reverse("reports:dashboard_data"), **NOV).json()
    assert {r["label"]: r["count"] for r in data["by_project"]} == {"阳光花园": 6, "翠湖苑": 1}
    client.force_login(cast.project_manager)
    r = _get(client, reverse("reports:dashboard_data"), projects=cast.other_project.pk, **NOV)
    assert r.status_code == 400 and r.json()["detail"] == "无权查看所选项目"


@pytest.mark.parametrize("params, message", [
    ({"from": "2026-13-01"}, "日期格式应为 YYYY-MM-DD"),
    ({"from": "2026-11-30", "to": "2026-11-01"}, "开始日期不能晚于结束日期"),
    ({"channel": "pigeon"}, "投诉方式不正确"),
    ({"unit": "year"}, "趋势单位应为 week 或 month"),
])
def test_bad_dashboard_parameters_get_a_chinese_message(client, cast, params, message):
    client.force_login(cast.project_manager)
    r = _get(client, reverse("reports:dashboard_data"), **params)
    assert r.status_code == 400 and r.json() == {"detail": message, "code": "invalid"}


def test_bad_drill_parameters_show_a_page_not_a_crash(client, cast):
    client.force_login(cast.project_manager)
    r = _get(client, reverse("reports:drill"), kpi="nonsense")
    assert r.status_code == 400 and "指标不存在" in r.content.decode()
    r = _get(client, reverse("reports:drill"), by="department", key="abc")
    assert r.status_code == 400 and "分组参数不正确" in r.content.decode()


def test_drill_list_exports_exactly_its_tickets_to_xlsx(client, cast, ds):
    client.force_login(cast.project_manager)
    r = _get(client, reverse("reports:drill"), kpi="overdue_now", part="all", format="xlsx", **NOV)
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    numbers = {row[0].value for row in list(wb.active.iter_rows())[2:]}
    assert numbers == {ds.t["T2"].number, ds.t["T3"].number, ds.t["T7"].number}


def test_kpi_table_exports_xlsx_and_pdf(client, cast, ds):
    client.force_login(cast.project_manager)
    r = _get(client, reverse("reports:kpi_export"), format="xlsx", **NOV)
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    labels = [row[0].value for row in list(wb.active.iter_rows())[2:]]
    assert "有效投诉率" in labels and "处理时长（工作小时）" in labels
    r = _get(client, reverse("reports:kpi_export"), format="pdf", **NOV)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert _get(client, reverse("reports:kpi_export"), format="doc", **NOV).status_code == 400


def test_report_pages_show_generated_figures_with_drill_links_and_export(client, cast, ds):
    report, _ = actions.generate_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                                       project=cast.project, company=cast.company, acting_user=cast.cs_manager,
                                       now=NOW)
    client.force_login(cast.cs_manager)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "有效投诉率" in html and reverse("reports:drill") in html
    r = client.get(reverse("reports:xlsx", args=[report.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert any(row[1].value == "关闭率" and row[2].value == 50.0 for row in wb.active.iter_rows(min_row=3))
    assert client.get(reverse("reports:pdf", args=[report.pk])).content.startswith(b"%PDF")


def test_refresh_and_reissue_through_the_page(client, cast, ds):
    report, _ = actions.generate_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                                       project=cast.project, company=cast.company, acting_user=cast.cs_manager,
                                       now=NOW)
    client.force_login(cast.cs_manager)
    client.post(reverse("reports:refresh", args=[report.pk]))
    client.post(reverse("reports:submit", args=[report.pk]))
    client.force_login(cast.project_manager)
    client.post(reverse("reports:approve", args=[report.pk]))
    report.refresh_from_db()
    assert report.frozen
    r = client.post(reverse("reports:reissue", args=[report.pk]))
    new = report.superseded_by
    assert r.status_code == 302 and r["Location"] == reverse("reports:detail", args=[new.pk]) and new.version == 2


def test_r_m7_01_customer_opinion_form_for_one_ticket_masks_the_phone(client, cast, ds):
    client.force_login(cast.front_desk)
    t = ds.t["T1"]
    r = client.get(reverse("reports:form_ticket", args=[t.pk]))
    html = r.content.decode()
    assert r.status_code == 200 and "顾客意见(投诉/建议)处理表" in html
    assert t.number in html and "已更换灯管" in html
    assert "138****8888" in html and "13800138888" not in html  # R-M7-01: printed forms mask the phone too
    pdf = _get(client, reverse("reports:form_ticket", args=[t.pk]), format="pdf")
    assert pdf.content.startswith(b"%PDF")
    client.force_login(cast.outsider)
    assert client.get(reverse("reports:form_ticket", args=[t.pk])).status_code == 404


def test_work_information_book_page_and_daily_inventory_printout(client, cast, ds):
    client.force_login(cast.front_desk)
    r = _get(client, reverse("reports:form_worklog"), project=cast.project.pk, day="2026-11-02")
    html = r.content.decode()
    assert "工作信息记录本" in html and html.count('data-testid="worklog-row"') == 1 and ds.t["T1"].number in html
    r = _get(client, reverse("reports:form_inventory"), project=cast.project.pk, day="2026-11-20")
    html = r.content.decode()
    assert "日盘点表" in html and ds.t["T3"].number in html
    assert _get(client, reverse("reports:form_inventory"), project=cast.project.pk, day="2026-11-20",
                format="pdf").content.startswith(b"%PDF")
    r = _get(client, reverse("reports:form_worklog"), project=cast.other_project.pk, day="2026-11-02")
    assert r.status_code == 400 and "项目不存在或无权查看" in r.content.decode()



def test_drill_page_links_to_the_tickets_list_with_the_same_filters(client, cast, ds):
    from django.urls import NoReverseMatch

    try:
        base = reverse("tickets:list")
    except NoReverseMatch:
        pytest.skip("tickets list page not installed")
    client.force_login(cast.project_manager)
    html = _get(client, reverse("reports:drill"), kpi="received", part="all", by="kind", key="repair",
                projects=cast.project.pk, **NOV).content.decode()
    assert f"{base}?project={cast.project.pk}&amp;received_from=2026-11-01&amp;received_to=2026-11-30&amp;kind=repair" \
        in html

"""R-M5-12 year-end visit statistics: figures on a hand-built year equal the lists behind them, the
duty is scheduled for the 物业总经理, and an approved report does not move when a visit is edited."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from apps.reports import actions as ra
from apps.reports import actions as rs_actions
from apps.reports import queries as rs_queries
from apps.reports import schedule as s
from apps.reports.models import Report, ReportStatus
from apps.visits import actions
from apps.visits.queries import period_statistics
from apps.visits.tests.conftest import at
from linli import clock

pytestmark = pytest.mark.django_db

YEAR = s.year_period(2025)


@pytest.fixture
def year(cast, homes, record):
    """2025 in 阳光花园: 5 visits (one voided) plus visits just outside the year and in 翠湖苑."""
    now = at(2026, 1, 10, 10, 0)
    with clock.frozen(now):
        v1 = record(visited_at=at(2025, 1, 1, 0, 30), category="periodic", method="face_to_face", now=now,
                    problems=[{"description": "楼道灯不亮", "category": homes.cat_eng, "department": cast.eng_dept},
                              {"description": "车位价格", "status": "on_spot", "answer": "300元/月"}])
        v2 = record(visited_at=at(2025, 3, 15, 10), category="complaint_return", method="phone", now=now,
                    problems=[{"description": "东门保安不在岗", "category": homes.cat_security}])
        v3 = record(visited_at=at(2025, 3, 20, 10), category="repair_return", method="phone", now=now,
                    household=homes.hh2, person=None,
                    problems=[{"description": "儿童游乐设施没有建"}])
        v4 = record(visited_at=at(2025, 12, 31, 23, 30), category="periodic", method="patrol", now=now,
                    problems=[{"description": "楼下树木挡光", "category": homes.cat_eng}])
        voided = record(visited_at=at(2025, 6, 1, 10), category="special", method="online", now=now,
                        problems=[{"description": "作废的问题"}])
        actions.void_visit(visit=voided, reason="重复录入了", acting_user=cast.supervisor, now=now)
        record(visited_at=at(2024, 12, 31, 23, 59), now=now)  # 2024 local
        record(visited_at=at(2026, 1, 1, 0, 0), now=now)  # 2026 local
        actions.record_visit(project=cast.other_project, household=homes.other_hh, category="periodic",
                             method="phone", visited_at=at(2025, 5, 5, 10), communicated="介绍", opinions="无",
                             acting_user=cast.outsider, now=now, problems=[{"description": "别的项目"}])
        p1 = v1.problems.get(description="楼道灯不亮")
        actions.settle_problem(problem=p1, outcome="solved", text="已更换灯管", acting_user=cast.supervisor, now=now)
        p3 = v3.problems.get()
        actions.settle_problem(problem=p3, outcome="cannot_solve", text="属地产遗留问题，物业无法自行解决",
                               acting_user=cast.supervisor, now=now)
    return {"v1": v1, "v2": v2, "v3": v3, "v4": v4, "now": now}


def _rows(figures, title):
    return {r["key"]: r for t in figures["visit_tables"] if t["title"] == title for r in t["rows"]}


def test_r_m5_12_year_figures_on_a_hand_built_dataset(cast, year):
    f = period_statistics(cast.project, YEAR.start, YEAR.end)
    assert f["visit_total"] == 4 and f["households_visited"] == 2 and f["problem_total"] == 5
    by_cat = {k: r["count"] for k, r in _rows(f, "走访按类别").items()}
    assert by_cat == {"periodic": 2, "special": 0, "complaint_return": 1, "paid_service_return": 0, "repair_return": 1}
    by_method = {k: r["count"] for k, r in _rows(f, "走访按方式").items()}
    assert by_method == {"phone": 2, "face_to_face": 1, "patrol": 1, "online": 0}
    by_month = {k: r["count"] for k, r in _rows(f, "走访按月份").items()}
    assert len(by_month) == 12 and by_month["2025-01"] == 1 and by_month["2025-03"] == 2
    assert by_month["2025-12"] == 1 and by_month["2025-06"] == 0  # the voided June visit does not count
    by_status = {k: r["count"] for k, r in _rows(f, "问题按处理状态").items()}
    assert by_status == {"on_spot": 1, "open": 2, "solved": 1, "cannot_solve": 1}
    by_pcat = {r["label"]: r["count"] for r in _rows(f, "问题按分类").values()}
    assert by_pcat == {"工程": 2, "安管": 1, "未分类": 2}
    unsolved = [(p["description"], p["status"]) for p in f["open_problems"]]
    assert sorted(unsolved) == sorted([("东门保安不在岗", "待解决"), ("儿童游乐设施没有建", "无法解决"),
                                       ("楼下树木挡光", "待解决")])
    assert f["unsolved_total"] == 3
    reason = next(p for p in f["open_problems"] if p["status"] == "无法解决")["reason"]
    assert reason == "属地产遗留问题，物业无法自行解决"
    assert "13812345678" not in str(f)  # no phone numbers; household numbers are fine (internal)


def _count(client, href, testid):
    html = client.get(href).content.decode()
    return len(re.findall(f'data-testid="{testid}"', html))


def test_r_m5_12_every_figure_equals_the_drill_down_list(cast, year, client):
    f = period_statistics(cast.project, YEAR.start, YEAR.end)
    client.force_login(cast.leader)  # the 物业总经理 reads the report and follows its links
    assert _count(client, f["visit_total_href"], "visit-row") == f["visit_total"]
    assert _count(client, f["problem_total_href"], "problem-row") == f["problem_total"]
    assert _count(client, f["unsolved_href"], "problem-row") == f["unsolved_total"]
    checked = 0
    for table in f["visit_tables"]:
        testid = "visit-row" if table["title"].startswith("走访") else "problem-row"
        for row in table["rows"]:
            assert _count(client, row["href"], testid) == row["count"], (table["title"], row)
            checked += 1
    assert checked == 5 + 4 + 12 + 3 + 4


def test_r_m5_12_duty_due_on_15_january_for_the_general_manager(cast):
    duty = s.VISIT_STATISTICS
    assert (duty.code, duty.rule_id, duty.recipients, duty.name) == ("visit_statistics", "R-M5-12", "物业总经理",
                                                                     "年度走访统计")
    assert duty.due_at(YEAR, clock.SHANGHAI) == at(2026, 1, 15, 23, 59, 59)
    assert YEAR.label == "2025年度"
    assert s.visit_statistics_duty(0).due_at(YEAR, clock.SHANGHAI) == at(2025, 12, 31, 23, 59, 59)
    assert s.period_containing(s.Cadence.YEARLY, dt.date(2025, 7, 1)) == YEAR
    assert s.previous_period(YEAR) == s.year_period(2024)


def test_r_m5_12_due_date_is_a_company_setting(cast):
    cfg = rs_queries.settings_for(cast.company)
    now = at(2025, 12, 20, 10)
    due = [d for d in rs_queries.duty_statuses(cast.company, [cast.project], now) if d.duty.code == "visit_statistics"]
    assert [(d.period, d.due_at) for d in due] == [(YEAR, at(2026, 1, 15, 23, 59, 59))]
    cfg.visit_statistics_days_after = 0
    cfg.save()
    due = [d for d in rs_queries.duty_statuses(cast.company, [cast.project], now) if d.duty.code == "visit_statistics"]
    assert [(d.period, d.due_at) for d in due] == [(YEAR, at(2025, 12, 31, 23, 59, 59))]


def test_r_m5_12_draft_generated_before_the_due_date_and_late_after_it(cast, year):
    before = rs_actions.generate_due(cast.company, at(2026, 1, 12, 10))
    assert not [r for r in before.created if r.duty_code == "visit_statistics"]
    run = rs_actions.generate_due(cast.company, at(2026, 1, 13, 10))  # 3 days before 15 Jan 23:59 (remind_days_before)
    report = next(r for r in run.created if r.duty_code == "visit_statistics")
    assert report.project == cast.project and report.recipients == "物业总经理" and report.rule_id == "R-M5-12"
    assert report.title == "阳光花园 2025年度 年度走访统计"
    assert report.figures["visit_total"] == 4 and "走访/回访 4 次" in report.sections["summary"]
    late = [d for d in rs_queries.late_duties(cast.company, [cast.project], at(2026, 1, 16, 9))
            if d.duty.code == "visit_statistics"]
    assert len(late) == 1


def test_r_m5_12_approved_report_is_frozen_when_a_visit_is_edited_later(cast, homes, year, client):
    now = year["now"]
    report, created = ra.generate_draft(duty=s.VISIT_STATISTICS, period=YEAR, project=cast.project,
                                        acting_user=cast.cs_manager, now=now)
    assert created
    ra.submit_for_review(report, acting_user=cast.cs_manager, now=now)
    ra.approve_report(report, acting_user=cast.leader, now=now)
    before = Report.objects.get(pk=report.pk).figures
    later = now + dt.timedelta(days=3)
    actions.correct_visit(visit=year["v2"], changes={"category": "special"}, reason="类别记错",
                          acting_user=cast.supervisor, now=later)
    actions.settle_problem(problem=year["v4"].problems.get(), outcome="solved", text="已修剪树木",
                           acting_user=cast.supervisor, now=later)
    actions.void_visit(visit=year["v3"], reason="走错房号了", acting_user=cast.supervisor, now=later)
    frozen = Report.objects.get(pk=report.pk)
    assert frozen.status == ReportStatus.APPROVED and frozen.figures == before
    assert frozen.figures["visit_total"] == 4 and frozen.figures["unsolved_total"] == 3
    new = ra.reissue_report(frozen, acting_user=cast.cs_manager, now=later)
    assert new.figures["visit_total"] == 3 and new.figures["unsolved_total"] == 1
    assert {k: r["count"] for k, r in _rows(new.figures, "走访按类别").items()}["special"] == 1
    client.force_login(cast.leader)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-testid="visit-figures"' in page and "儿童游乐设施没有建" in page
    xlsx = client.get(f"/reports/{report.pk}/xlsx/")
    assert xlsx.status_code == 200


def test_r_m5_12_report_pdf_renders(cast, year, client):
    report, _ = ra.generate_draft(duty=s.VISIT_STATISTICS, period=YEAR, project=cast.project,
                                  acting_user=cast.cs_manager, now=year["now"])
    client.force_login(cast.cs_manager)
    resp = client.get(f"/reports/{report.pk}/pdf/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"


def test_r_m5_12_corrected_version_keeps_the_configured_due_date(cast, year):
    cfg = rs_queries.settings_for(cast.company)
    cfg.visit_statistics_days_after = 0
    cfg.save()
    duty = rs_queries.configured_duty(cast.company, "visit_statistics", "yearly")
    report, _ = ra.generate_draft(duty=duty, period=YEAR, project=cast.project, acting_user=cast.cs_manager,
                                  now=year["now"])
    assert report.due_at == at(2025, 12, 31, 23, 59, 59)
    ra.submit_for_review(report, acting_user=cast.cs_manager, now=year["now"])
    report = ra.approve_report(report, acting_user=cast.leader, now=year["now"])
    new = ra.reissue_report(report, acting_user=cast.cs_manager, now=year["now"])
    assert new.version == 2 and new.due_at == report.due_at

"""SPEC §5 acceptance scenarios of the fixed reports: AS-32, AS-33, AS-39 (R-M5-02…R-M5-09, T-10, P-04,
P-05, P-28). Exact dates of the scenarios; due times in Asia/Shanghai."""
import datetime as dt
from zoneinfo import ZoneInfo

from apps.org.models import ProjectKind
from apps.reports import actions, queries
from apps.reports import schedule as s
from apps.reports.models import Report

SH = ZoneInfo("Asia/Shanghai")


def eod(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=SH)


def _status(company, project, now, code, period):
    rows = [d for d in queries.duty_statuses(company, [project] if project else [], now)
            if d.duty.code == code and d.period == period and d.project == project]
    assert len(rows) == 1, (code, period, rows)
    return rows[0]


def _draft(cast, duty, period, project=None):
    return actions.create_draft(duty=duty, period=period, project=project, company=cast.company,
                                figures={}, acting_user=cast.supervisor if project else cast.quality_inspector,
                                now=dt.datetime(2025, 10, 20, 9, 0, tzinfo=SH))


def test_as_32_monthly_deadlines_october_2025_r_m5_02_r_m5_04_r_m5_07(cast):
    """AS-32 October 2025: summary to the 分管领导 (cc 品质部) due 2025-10-28 23:59:59; publication to all
    customers 2025-10-30 23:59:59; department statistics to 品质管理部 2025-11-01 23:59:59 (a Saturday, no
    roll-over by default)."""
    october = s.month_period(2025, 10)
    assert s.MONTHLY_SUMMARY.due_at(october, SH) == eod(2025, 10, 28)
    assert s.MONTHLY_SUMMARY.recipients == "分管领导，抄送品质部"
    assert s.MONTHLY_BULLETIN.due_at(october, SH) == eod(2025, 10, 30)
    assert s.MONTHLY_BULLETIN.recipients == "全体业主"
    assert s.MONTHLY_STATISTICS.due_at(october, SH) == eod(2025, 11, 1)
    assert s.MONTHLY_STATISTICS.recipients == "品质管理部"
    assert dt.date(2025, 11, 1).weekday() == 5  # Saturday

    # the project's due list and the stored due timestamp of a generated report agree
    now = dt.datetime(2025, 10, 20, 9, 0, tzinfo=SH)
    for duty, due in ((s.MONTHLY_SUMMARY, eod(2025, 10, 28)), (s.MONTHLY_BULLETIN, eod(2025, 10, 30)),
                      (s.MONTHLY_STATISTICS, eod(2025, 11, 1))):
        assert _status(cast.company, cast.project, now, duty.code, october).due_at == due
        report = _draft(cast, duty, october, cast.project)
        assert Report.objects.get(pk=report.pk).due_at == due

    # 2025-11-01 is a Saturday: still not late on Saturday evening, late from Sunday 00:00
    stats = _status(cast.company, cast.project, dt.datetime(2025, 11, 1, 23, 0, tzinfo=SH), "monthly_statistics",
                    october)
    assert not stats.late(dt.datetime(2025, 11, 1, 23, 59, 59, tzinfo=SH))
    assert stats.late(dt.datetime(2025, 11, 2, 0, 0, tzinfo=SH))


def test_as_32_february_2026_publication_due_on_the_28th_r_m5_07(cast):
    """AS-32 February 2026: publication due 2026-02-28 23:59:59 (no 30th in February)."""
    february = s.month_period(2026, 2)
    assert s.MONTHLY_BULLETIN.due_at(february, SH) == eod(2026, 2, 28)
    now = dt.datetime(2026, 2, 26, 9, 0, tzinfo=SH)
    assert _status(cast.company, cast.project, now, "monthly_bulletin", february).due_at == eod(2026, 2, 28)
    report = actions.create_draft(duty=s.MONTHLY_BULLETIN, period=february, project=cast.project, figures={},
                                  acting_user=cast.supervisor, now=now)
    assert report.due_at == eod(2026, 2, 28)


def test_as_33_residential_q4_2025_management_service_report_r_m5_08(cast):
    """AS-33 Residential project, report for Q4 2025: to the department head by 2026-01-15 23:59:59; on the
    intranet by 2026-01-18 23:59:59 (Sunday, no roll-over); reading notice posted by 2026-01-20 23:59:59."""
    assert cast.project.kind == ProjectKind.RESIDENTIAL
    q4 = s.quarter_period(2025, 4)
    now = dt.datetime(2026, 1, 10, 9, 0, tzinfo=SH)
    expected = {"service_report": eod(2026, 1, 15), "service_report_intranet": eod(2026, 1, 18),
                "service_report_notice": eod(2026, 1, 20)}
    assert dt.date(2026, 1, 18).weekday() == 6  # Sunday
    for code, due in expected.items():
        assert _status(cast.company, cast.project, now, code, q4).due_at == due
    for duty in (s.SERVICE_REPORT_REVIEW, s.SERVICE_REPORT_INTRANET, s.SERVICE_REPORT_NOTICE):
        report = actions.create_draft(duty=duty, period=q4, project=cast.project, figures={},
                                      acting_user=cast.supervisor, now=now)
        assert report.due_at == expected[duty.code]
    # no work brief for a residential project
    assert "work_brief" not in {d.duty.code for d in queries.duty_statuses(cast.company, [cast.project], now)}


def test_as_33_public_property_september_bulletin_inside_national_day_and_p28_roll_r_m5_09(cast):
    """AS-33 Public-property project: the September 2025 bulletin (工作简报) is due 2025-10-03 23:59:59, inside
    the National Day holiday. With P-28 = roll to a working day it is 2025-10-09."""
    from apps.workdays.models import DeadlineSettings

    cast.project.kind = ProjectKind.PUBLIC
    cast.project.save()
    september = s.month_period(2025, 9)
    now = dt.datetime(2025, 9, 30, 9, 0, tzinfo=SH)
    assert _status(cast.company, cast.project, now, "work_brief", september).due_at == eod(2025, 10, 3)
    # public property: no quarterly management service report
    assert "service_report" not in {d.code for d in
                                    s.project_duties(queries.facts_of(cast.project), s.quarter_period(2025, 3))}

    DeadlineSettings.objects.create(company=cast.company, roll_rest_days=True)  # P-28 = roll
    assert _status(cast.company, cast.project, now, "work_brief", september).due_at == eod(2025, 10, 9)
    report = actions.create_draft(duty=s.WORK_BRIEF, period=september, project=cast.project, figures={},
                                  acting_user=cast.supervisor, now=now)
    assert report.due_at == eod(2025, 10, 9)
    # a due date on a working day is not moved by P-28 (October 2025 brief: Mon 2025-11-03)
    assert _status(cast.company, cast.project, dt.datetime(2025, 10, 30, 9, 0, tzinfo=SH), "work_brief",
                   s.month_period(2025, 10)).due_at == eod(2025, 11, 3)


def test_as_33_p28_roll_also_applies_to_company_wide_and_saturday_dates(cast):
    """AS-33 / P-28 variant: with roll-over, the October 2025 statistics (due Sat 2025-11-01) move to Mon
    2025-11-03; the company analysis for Q3 2025 (due Wed 2025-10-15, a working day) stays."""
    from apps.workdays.models import DeadlineSettings

    DeadlineSettings.objects.create(company=cast.company, roll_rest_days=True)
    now = dt.datetime(2025, 10, 20, 9, 0, tzinfo=SH)
    assert _status(cast.company, cast.project, now, "monthly_statistics",
                   s.month_period(2025, 10)).due_at == eod(2025, 11, 3)
    assert _status(cast.company, None, now, "company_analysis", s.quarter_period(2025, 3)).due_at == \
        eod(2025, 10, 15)
    # Q4 2025 company analysis: 2026-01-15 is a Thursday (working day) → unchanged
    report = _draft(cast, s.COMPANY_ANALYSIS_QUARTERLY, s.quarter_period(2025, 4))
    assert report.due_at == eod(2026, 1, 15)


def _submit(cast, duty, period, project=None):
    report = _draft(cast, duty, period, project)
    actions.update_draft(report, sections={"causes": "原因", "lessons": "教训", "measures": "措施"},
                         acting_user=report.created_by, now=dt.datetime(2025, 10, 20, 9, 0, tzinfo=SH))
    return actions.submit_for_review(report, acting_user=report.created_by,
                                     now=dt.datetime(2026, 1, 10, 9, 0, tzinfo=SH))


def test_as_39_company_analysis_cadence_p04_r_m5_03(cast):
    """AS-39 Company analysis in 2025: the default (quarterly) expects 4 reports. With P-04 = 篇3
    (half-yearly), 2 reports make the year compliant; under the default they leave it non-compliant."""
    default = queries.year_compliance(cast.company, 2025, "company_analysis")
    assert [p.label for p in default.expected] == ["2025年第1季度", "2025年第2季度", "2025年第3季度",
                                                    "2025年第4季度"]
    assert not default.compliant and len(default.missing) == 4

    _submit(cast, s.COMPANY_ANALYSIS_HALF_YEARLY, s.half_year_period(2025, 1))
    _submit(cast, s.COMPANY_ANALYSIS_HALF_YEARLY, s.half_year_period(2025, 2))
    default = queries.year_compliance(cast.company, 2025, "company_analysis")
    assert len(default.expected) == 4 and not default.compliant  # the 2 reports do not satisfy 4 quarters

    cfg = queries.settings_for(cast.company)
    cfg.company_analysis_cadence = "half_yearly"  # P-04 = 篇3
    cfg.save()
    half = queries.year_compliance(cast.company, 2025, "company_analysis")
    assert [p.label for p in half.expected] == ["2025年上半年", "2025年下半年"]
    assert half.compliant and len(half.submitted) == 2

    # one of the two only as a draft: not compliant (a draft is not a submitted report)
    assert not queries.year_compliance(cast.company, 2026, "company_analysis").compliant
    _draft(cast, s.COMPANY_ANALYSIS_HALF_YEARLY, s.half_year_period(2026, 1))
    _submit(cast, s.COMPANY_ANALYSIS_HALF_YEARLY, s.half_year_period(2026, 2))
    y2026 = queries.year_compliance(cast.company, 2026, "company_analysis")
    assert [p.label for p in y2026.missing] == ["2026年上半年"] and not y2026.compliant


def test_as_39_legacy_statistics_cadence_p05_r_m5_06(cast):
    """AS-39 Legacy-issue statistics for a project first delivered on 2025-03-01: P-05 default → one report
    expected each month; P-05 = 000 → one each quarter while the project is within one year after delivery."""
    project = cast.project
    project.handover_date = dt.date(2025, 3, 1)
    project.phased = False
    project.floor_area_m2 = 50_000
    project.save()

    monthly = queries.year_compliance(cast.company, 2025, "legacy_statistics", project)
    assert len(monthly.expected) == 12
    assert all(p.cadence is s.Cadence.MONTHLY for p in monthly.expected)
    assert s.LEGACY_STATISTICS_MONTHLY.due_at(s.month_period(2025, 3), SH) == eod(2025, 4, 1)

    cfg = queries.settings_for(cast.company)
    cfg.legacy_cadence = "quarterly"  # P-05 = 000
    cfg.save()
    q2025 = queries.year_compliance(cast.company, 2025, "legacy_statistics", project)
    assert [p.label for p in q2025.expected] == ["2025年第1季度", "2025年第2季度", "2025年第3季度",
                                                  "2025年第4季度"]
    # within one year after delivery: Q1 2026 still (2026-03-01 is the first anniversary), Q2 2026 no longer
    q2026 = queries.year_compliance(cast.company, 2026, "legacy_statistics", project)
    assert [p.label for p in q2026.expected] == ["2026年第1季度"]
    assert queries.year_compliance(cast.company, 2027, "legacy_statistics", project).expected == []
    # and no monthly legacy report under P-05 = 000
    now = dt.datetime(2025, 10, 20, 9, 0, tzinfo=SH)
    assert not [d for d in queries.duty_statuses(cast.company, [project], now)
                if d.duty.code == "legacy_statistics" and d.period.cadence is s.Cadence.MONTHLY]
    q3 = _status(cast.company, project, now, "legacy_statistics", s.quarter_period(2025, 3))
    assert q3.due_at == eod(2025, 10, 15)
    _submit(cast, s.LEGACY_STATISTICS_QUARTERLY, s.quarter_period(2025, 3), project)
    assert [p.label for p in queries.year_compliance(cast.company, 2025, "legacy_statistics", project).submitted] \
        == ["2025年第3季度"]


def test_as_39_year_compliance_page_r_m5_18(cast, client):
    """AS-39 on the 年度报告完成情况 page: under P-04 = 篇3 the two half-yearly company analyses make 2025
    complete for the quality department; a project's missing legacy statistics are listed as overdue
    (past their due time) or still to come; a project user does not get the company row."""
    cfg = queries.settings_for(cast.company)
    cfg.company_analysis_cadence = "half_yearly"
    cfg.save()
    _submit(cast, s.COMPANY_ANALYSIS_HALF_YEARLY, s.half_year_period(2025, 1))
    client.force_login(cast.quality_inspector)
    page = client.get("/reports/compliance/?project=company&year=2025").content.decode()
    assert 'data-duty="company_analysis"' in page and "已齐" not in page  # 下半年 still missing
    assert "2025年下半年" in page
    _submit(cast, s.COMPANY_ANALYSIS_HALF_YEARLY, s.half_year_period(2025, 2))
    page = client.get("/reports/compliance/?project=company&year=2025").content.decode()
    assert "已齐" in page

    project = cast.project
    project.handover_date = dt.date(2025, 3, 1)
    project.save()
    overview = {c.duty_code: c for c in queries.year_overview(cast.company, 2025, project)}
    legacy = overview["legacy_statistics"]
    assert legacy.due[s.month_period(2025, 3)] == eod(2025, 4, 1)
    at = dt.datetime(2025, 4, 1, 12, 0, tzinfo=SH)
    assert [p.label for p in legacy.overdue(at)] == ["2025年1月", "2025年2月"]  # March is due at 04-01 23:59:59
    page = client.get(f"/reports/compliance/?project={project.pk}&year=2025").content.decode()
    assert 'data-duty="legacy_statistics"' in page and 'data-duty="company_analysis"' not in page
    client.force_login(cast.front_desk)
    assert client.get("/reports/compliance/").status_code == 404  # no VIEW_REPORTS
    client.force_login(cast.supervisor)
    page = client.get("/reports/compliance/?project=company&year=abc").content.decode()
    assert 'data-duty="company_analysis"' not in page and "公司（投诉统计分析报告）" not in page

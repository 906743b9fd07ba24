"""Fixed report due dates (SPEC M5, T-09, T-10)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.reports import schedule as s

SH = ZoneInfo("Asia/Shanghai")


def test_t10_monthly_summary_due_28th_inclusive_r_m5_04():
    due = s.MONTHLY_SUMMARY.due_at(s.month_period(2026, 11), SH)
    assert due.astimezone(SH) == dt.datetime(2026, 11, 28, 23, 59, 59, tzinfo=SH)


def test_t10_bulletin_30th_clamps_to_end_of_february_r_m5_07():
    assert s.MONTHLY_BULLETIN.due_date(s.month_period(2026, 2)) == dt.date(2026, 2, 28)
    assert s.MONTHLY_BULLETIN.due_date(s.month_period(2028, 2)) == dt.date(2028, 2, 29)


def test_r_m5_02_monthly_statistics_due_first_of_next_month_across_year_end():
    assert s.MONTHLY_STATISTICS.due_date(s.month_period(2026, 12)) == dt.date(2027, 1, 1)


def test_r_m5_08_service_report_15_18_20_of_first_month_of_next_quarter():
    q4 = s.quarter_period(2026, 4)
    assert [d.due_date(q4) for d in (s.SERVICE_REPORT_REVIEW, s.SERVICE_REPORT_INTRANET, s.SERVICE_REPORT_NOTICE)] == [
        dt.date(2027, 1, 15), dt.date(2027, 1, 18), dt.date(2027, 1, 20)]


def test_r_m5_09_work_brief_by_the_3rd_and_p28_no_holiday_rollover():
    # 2026-10-03 is a National Day holiday: the date does not move (P-28 default).
    assert s.WORK_BRIEF.due_date(s.month_period(2026, 9)) == dt.date(2026, 10, 3)


def test_r_m5_05_quarterly_analysis_needed_for_new_phased_or_large_projects():
    q = s.quarter_period(2026, 4)
    new = s.ProjectFacts(False, dt.date(2026, 3, 1), False, 50_000)
    old = s.ProjectFacts(False, dt.date(2019, 3, 1), False, 50_000)
    assert s.needs_quarterly_analysis(new, s.quarter_period(2026, 4))
    assert not s.needs_quarterly_analysis(new, s.quarter_period(2027, 2))  # anniversary 2027-03-01 passed
    assert s.needs_quarterly_analysis(new, s.quarter_period(2027, 1))  # still within the first year in Q1
    assert not s.needs_quarterly_analysis(old, q)
    assert s.needs_quarterly_analysis(s.ProjectFacts(False, dt.date(2019, 3, 1), True, 1), q)
    assert s.needs_quarterly_analysis(s.ProjectFacts(False, None, False, 100_000), q)  # ≥ by T-11
    assert not s.needs_quarterly_analysis(s.ProjectFacts(False, None, False, 99_999.99), q)


def test_public_property_gets_work_brief_not_service_report():
    facts = s.ProjectFacts(True, dt.date(2015, 1, 1), False, 20_000)
    monthly = {d.code for d in s.project_duties(facts, s.month_period(2026, 11))}
    quarterly = {d.code for d in s.project_duties(facts, s.quarter_period(2026, 4))}
    assert "work_brief" in monthly and "service_report" not in quarterly


def test_p04_company_analysis_cadence_is_configurable_r_m5_03():
    assert s.company_duty(s.Cadence.QUARTERLY).due_date(s.quarter_period(2026, 3)) == dt.date(2026, 10, 15)
    assert s.company_duty(s.Cadence.HALF_YEARLY).due_date(s.half_year_period(2026, 2)) == dt.date(2027, 1, 15)


def test_p05_legacy_statistics_cadence():
    facts = s.ProjectFacts(False, dt.date(2026, 6, 1), False, 10_000)
    assert "legacy_statistics" in {d.code for d in s.project_duties(facts, s.month_period(2026, 11))}
    quarterly = s.project_duties(facts, s.quarter_period(2026, 4), legacy_cadence=s.Cadence.QUARTERLY)
    assert "legacy_statistics" in {d.code for d in quarterly}


def test_periods_step_and_label():
    p = s.month_period(2026, 12)
    assert s.next_period(p) == s.month_period(2027, 1)
    assert s.previous_period(s.quarter_period(2026, 1)) == s.quarter_period(2025, 4)
    assert s.quarter_period(2026, 4).label == "2026年第4季度"
    with pytest.raises(ValueError):
        s.MONTHLY_SUMMARY.due_date(s.quarter_period(2026, 1))

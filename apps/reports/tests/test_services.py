"""Due, done and late reports (issue 7 item 3: reminders and the late list)."""
import datetime as dt

from apps.reports import actions, queries, schedule

SH = dt.timezone(dt.timedelta(hours=8))


def test_r_m5_04_summary_late_after_the_28th_until_submitted(cast):
    now = dt.datetime(2026, 11, 29, 9, 0, tzinfo=SH)
    late = queries.late_duties(cast.company, [cast.project], now)
    assert ("monthly_summary", dt.date(2026, 11, 1)) in {(d.duty.code, d.period.start) for d in late}

    draft = actions.create_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                                 project=cast.project, figures={}, acting_user=cast.supervisor, now=now)
    # a draft is not a submission: still late
    assert "monthly_summary" in {d.duty.code for d in queries.late_duties(cast.company, [cast.project], now)
                                 if d.period.start == dt.date(2026, 11, 1)}
    actions.submit_for_review(draft, acting_user=cast.supervisor, now=dt.datetime(2026, 11, 28, 20, 0, tzinfo=SH))
    statuses = [d for d in queries.duty_statuses(cast.company, [cast.project], now)
                if d.duty.code == "monthly_summary" and d.period.start == dt.date(2026, 11, 1)]
    assert statuses and statuses[0].done and not statuses[0].late(now)


def test_due_soon_window(cast):
    now = dt.datetime(2026, 11, 26, 9, 0, tzinfo=SH)
    soon = [d for d in queries.duty_statuses(cast.company, [cast.project], now) if d.due_soon(now, 3)]
    assert "monthly_summary" in {d.duty.code for d in soon}  # due 11-28 23:59:59
    assert "monthly_bulletin" not in {d.duty.code for d in soon}  # due 11-30, 4+ days away


def test_p04_company_analysis_cadence_setting(cast):
    cfg = queries.settings_for(cast.company)
    cfg.company_analysis_cadence = "half_yearly"
    cfg.save()
    now = dt.datetime(2027, 1, 10, 9, 0, tzinfo=SH)
    company = [d for d in queries.duty_statuses(cast.company, [], now) if d.project is None]
    assert company and all(d.duty.cadence is schedule.Cadence.HALF_YEARLY for d in company)

"""Each KPI on the hand-built month of tests/dataset.py with answers worked out by hand (issue 7 item 6)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.reports import kpis
from apps.reports.models import KpiSettings
from apps.reports.tests.dataset import build
from apps.tickets.tests.helpers import at, policies, receive, to_closed  # noqa: F401 - fixture
from apps.workdays import actions as workdays_actions
from apps.workdays import calendar as wc
from apps.workdays import queries as workdays_queries
from apps.workdays import workhours

pytestmark = pytest.mark.django_db


@pytest.fixture
def ds(cast, policies):  # noqa: F811
    return build(cast)


def figure(ds, cast, code, **kw):
    return kpis.compute(code, ds.scope(cast, **kw))


def test_r_m5_14_received_by_kind_counts_unclosed_not_voided(ds, cast):
    r = figure(ds, cast, "received")
    assert r.counts["all"] == 6  # T1 T2 T3 T4 T7 T8; T5 voided, T6 in October
    assert r.counts["complaint"] == 5 and r.counts["repair"] == 1 and r.counts["suggestion"] == 0


def test_r_m5_10_valid_complaint_rate_and_p30_target(ds, cast):
    """The validity rate (valid ÷ complaints) carries no shipped target: the ≤ 1 % goal of R-M5-13 is the
    per-household measure's; a company may still set its own target for it (P-30)."""
    r = figure(ds, cast, "valid_complaint_rate")
    assert (r.counts["numerator"], r.counts["denominator"]) == (1, 5)
    assert r.value == 20.0
    assert r.target is None and r.met_target is None
    KpiSettings.objects.create(company=cast.company, targets={"valid_complaint_rate": {"value": 25.0, "op": "<="}})
    assert figure(ds, cast, "valid_complaint_rate").met_target is True


def test_r_m2_05_response_within_one_working_day(ds, cast):
    r = figure(ds, cast, "response_on_time_rate")
    # decided: all six; late: T1 (met next day 14:00 > 09:00) and T3 (still open)
    assert (r.counts["numerator"], r.counts["denominator"]) == (4, 6)
    assert r.value == 66.67


def test_r_m5_13_reply_on_time_rate_per_channel(ds, cast):
    r = figure(ds, cast, "reply_on_time_rate")
    assert (r.counts["numerator"], r.counts["denominator"]) == (4, 6)
    rows = kpis.rate_by(ds.scope(cast), "reply_on_time_rate", "channel")
    assert rows == [{"key": "phone", "label": "电话", "numerator": 4, "denominator": 6, "value": 66.67}]
    assert kpis.compute("reply_on_time_rate", ds.scope(cast, channel="letter")).counts["denominator"] == 0


def test_r_m5_10_handling_timeliness(ds, cast):
    r = figure(ds, cast, "handling_timely_rate")
    # complaints with a decided deadline: T1 T2 T3 T7 T8; only T8 met every deadline (T2's return
    # visit is overdue, T7's second cycle response is overdue)
    assert (r.counts["numerator"], r.counts["denominator"]) == (1, 5)


def test_closure_rate(ds, cast):
    r = figure(ds, cast, "closure_rate")
    assert (r.counts["numerator"], r.counts["denominator"]) == (3, 6)
    assert r.value == 50.0


def test_r_m5_13_return_visit_rate_and_satisfaction(ds, cast):
    rv = figure(ds, cast, "return_visit_rate")
    assert (rv.counts["numerator"], rv.counts["denominator"]) == (3, 4)  # due: T1 T2 T4 T8; T2 not visited
    sat = figure(ds, cast, "satisfaction_rate")
    assert (sat.counts["numerator"], sat.counts["denominator"]) == (3, 4)  # T7 不满意
    assert sat.value == 75.0 and sat.met_target is False


def test_repeat_complaints_same_household_and_category(ds, cast):
    r = figure(ds, cast, "repeat_complaints")
    # T1 repeats October's T6 (2 days earlier), T2 repeats T1 (8 days earlier); same household and category
    assert (r.counts["numerator"], r.counts["denominator"]) == (2, 5)
    assert set(kpis.part_queryset("repeat_complaints", "numerator", ds.scope(cast))) == {ds.t["T1"], ds.t["T2"]}
    KpiSettings.objects.create(company=cast.company, repeat_window_days=1)
    assert figure(ds, cast, "repeat_complaints").counts["numerator"] == 0


def test_r_m3_01_hot_and_major_counts(ds, cast):
    r = figure(ds, cast, "hot_major")
    assert (r.counts["hot"], r.counts["major"], r.counts["all"]) == (1, 1, 2)


def test_overdue_now(ds, cast):
    r = figure(ds, cast, "overdue_now")
    assert r.counts["all"] == 3
    assert set(kpis.part_queryset("overdue_now", "all", ds.scope(cast))) == {ds.t["T2"], ds.t["T3"], ds.t["T7"]}


def test_t_03_handling_time_in_working_hours(ds, cast):
    r = figure(ds, cast, "handling_hours")
    # T1: Mon 09:00 → Tue 14:00 = 7.5 h + 3.5 h = 11 h; T4: Thu 17:00 → Fri 10:00 = 2 h; T8: 1 h
    assert r.extra["count"] == 3
    assert r.value == round(14 / 3, 2)
    assert r.extra["p90_hours"] == 11.0


def test_t_03_working_hours_skip_national_day_and_count_the_make_up_saturday(cast, policies):  # noqa: F811
    """National Day 2026: 10-01…10-07 are holidays, Saturday 10-10 is a make-up working day."""
    start, end = at(2026, 9, 30, 16, 0), at(2026, 10, 10, 10, 0)
    expected = 120 + 450 + 450 + 60  # Wed 16–18, Thu 10-08, Fri 10-09, Sat 10-10 09–10
    assert wc.working_minutes_between(start, end, workdays_queries.calendar_for(cast.project)) == expected
    t = receive(cast, now=start)
    to_closed(cast, t, end)
    scope = kpis.Scope.for_dates([cast.project.pk], dt.date(2026, 9, 1), dt.date(2026, 9, 30), now=end)
    assert kpis.compute("handling_hours", scope).extra["p90_hours"] == expected / 60


def test_filters_department_category_channel(ds, cast):
    assert kpis.compute("received", ds.scope(cast, department_id=cast.eng_dept.pk)).counts["all"] == 5  # dispatched to 工程部: all but T3
    assert kpis.compute("received", ds.scope(cast, category_id=ds.env.pk)).counts["all"] == 2
    assert kpis.compute("received", ds.scope(cast, kind="repair")).counts["all"] == 1


def test_breakdowns_and_trend(ds, cast):
    scope = ds.scope(cast)
    by_building = {r["label"]: r["count"] for r in kpis.breakdown(scope, "building")}
    assert by_building == {"5栋": 2, "6栋": 2, "未指定": 2}
    by_cat = {r["label"]: r["count"] for r in kpis.breakdown(scope, "category")}
    assert by_cat == {"工程维修": 3, "环境卫生": 2, "未分类": 1}
    weeks = kpis.trend(scope, unit="week")
    assert sum(w["count"] for w in weeks) == 6
    assert [w["count"] for w in kpis.trend(scope, unit="month")] == [6]



def test_t_03_handling_time_follows_the_companys_calendar_overrides(ds, cast):
    """P-25: the company declares Tuesday 11-03 a rest day (typhoon); T1 then took 7.5 h, not 11 h."""
    from apps.workdays.models import CalendarDay

    assert figure(ds, cast, "handling_hours").extra["p90_hours"] == 11.0
    CalendarDay.objects.create(company=cast.company, date=dt.date(2026, 11, 3), kind="holiday", name="台风停工")
    r = figure(ds, cast, "handling_hours")
    assert r.extra["p90_hours"] == 7.5 and r.extra["calendar"] == "工作日历（apps.workdays）"


def test_one_aggregate_for_all_kpis_gives_the_same_counts_as_each_alone(ds, cast, django_assert_max_num_queries):
    scope = ds.scope(cast)
    alone = {code: kpis.compute(code, scope).counts for code in kpis.SUMMARY_CODES}
    together = {r.code: r.counts for r in kpis.all_kpis(scope, [c for c in kpis.SUMMARY_CODES
                                                               if c != "handling_hours"])}
    assert together == {c: v for c, v in alone.items() if c != "handling_hours"}
    # company + targets, company + repeat window, ONE aggregate (+ savepoint / SET LOCAL jit on PostgreSQL)
    with django_assert_max_num_queries(8):
        kpis.all_kpis(scope, ["received", "valid_complaint_rate", "satisfaction_rate", "repeat_complaints"])


@pytest.mark.postgres
def test_t_03_postgres_one_statement_handling_time_equals_the_orm_expression(ds, cast, require_postgres):
    """The PostgreSQL fast path (joins + percentile_disc) gives the ORM expression's answer."""
    from django.db.models import Avg, Count

    scope = ds.scope(cast)
    qs = kpis.part_queryset("handling_hours", "denominator", scope)
    workdays_actions.ensure_working_day_index(dt.date(2026, 12, 31), project=cast.project)
    timed = workhours.annotate_handling_minutes(qs)
    agg = timed.aggregate(n=Count("pk"), avg=Avg("handling_minutes"))
    values = sorted(timed.values_list("handling_minutes", flat=True))
    n, avg, p90 = workhours.handling_stats_postgres(qs)
    assert avg is not None
    assert (n, round(avg, 6), p90) == (agg["n"], round(float(agg["avg"]), 6), values[-1]) == (3, round(840 / 3, 6), 660)


def test_p_30_targets_are_validated_in_the_admin(cast):
    from apps.reports.admin import KpiSettingsForm

    bad = KpiSettingsForm(data={"company": cast.company.pk, "targets": '{"satisfaction_rate": {"value": "x"}}',
                                "repeat_window_days": 90})
    assert not bad.is_valid() and "targets" in bad.errors
    good = KpiSettingsForm(data={"company": cast.company.pk, "repeat_window_days": 30,
                                 "targets": '{"satisfaction_rate": {"value": 98, "op": ">="}}'})
    assert good.is_valid(), good.errors
    good.save()
    assert kpis.targets_for(cast.company.pk)["satisfaction_rate"] == {"value": 98, "op": ">="}

"""SPEC M4 gap tests in the statistics: return-visit feedback processing rate (R-M4-13)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.reports import kpis
from apps.tickets import actions
from apps.tickets.tests.helpers import receive, to_closed, to_replied, to_verified

pytestmark = pytest.mark.django_db


def _unsatisfied(cast: Any, t: Any, now: dt.datetime) -> None:
    actions.record_return_visit(ticket=t, method="phone", reached=True, satisfaction="unsatisfied",
                                owner_words="灯又坏了", acting_user=cast.front_desk, now=now)
    t.refresh_from_db()


def test_r_m4_13_return_visit_feedback_processing_rate_targets_100(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M4-13: opinions fed back at return visits are handled one by one; the rate of handled
    feedback is a KPI with target 100%. A complaint whose owner was satisfied at the first visit
    raises no feedback and is not counted."""
    processed = to_verified(cast, receive(cast, content="楼道灯不亮"), frozen_now)
    _unsatisfied(cast, processed, frozen_now)
    to_replied(cast, processed, frozen_now)
    actions.verify_ticket(ticket=processed, passed=True, acting_user=cast.supervisor, now=frozen_now)
    processed.refresh_from_db()
    actions.record_return_visit(ticket=processed, method="phone", reached=True, satisfaction="satisfied",
                                owner_words="修好了", acting_user=cast.front_desk, now=frozen_now)
    pending = to_verified(cast, receive(cast, content="垃圾清运不及时"), frozen_now)
    _unsatisfied(cast, pending, frozen_now)
    to_closed(cast, receive(cast, content="电梯异响"), frozen_now)  # satisfied first time: no feedback
    scope = kpis.Scope.for_dates([cast.project.pk], frozen_now.date() - dt.timedelta(days=7), frozen_now.date(),
                                 now=frozen_now)
    result = kpis.compute("visit_feedback_rate", scope)
    assert result.counts["denominator"] == 2 and result.counts["numerator"] == 1
    assert result.value == 50.0 and result.rule == "R-M4-13"
    assert result.target == {"value": 100.0, "op": ">="} and result.met_target is False
    assert set(kpis.part_queryset("visit_feedback_rate", "numerator", scope)) == {processed}


def test_r_m5_01_monthly_project_analysis_for_quality_department(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M5-01: each month the 管理处 analyses its complaints — causes, lessons, corrective measures
    and trend — and the report goes to 品质管理部 for the record; it cannot be submitted without
    the written analysis."""
    from apps.reports import actions as report_actions
    from apps.reports import schedule

    receive(cast, content="楼道灯不亮")
    period = schedule.month_period(frozen_now.year, frozen_now.month)
    report, created = report_actions.generate_draft(duty=schedule.MONTHLY_STATISTICS, period=period,
                                                    project=cast.project, company=cast.company,
                                                    acting_user=cast.cs_manager, now=frozen_now)
    assert created and report.project == cast.project and "品质管理部" in report.recipients
    assert {"summary", "trends", "causes", "lessons", "measures"} <= set(report.sections)
    assert report.sections["trends"].startswith("与") and "cases" in report.figures
    with pytest.raises(report_actions.ReportError, match="经验教训"):
        report_actions.submit_for_review(report, acting_user=cast.cs_manager, now=frozen_now)
    sections = dict(report.sections, causes="夜间巡查不到位", lessons="灯具老化须提前更换", measures="每周巡检楼道灯")
    report_actions.update_draft(report, sections=sections, acting_user=cast.cs_manager, now=frozen_now)
    submitted = report_actions.submit_for_review(report, acting_user=cast.cs_manager, now=frozen_now)
    assert submitted.status == "in_review" and submitted.submitted_at == frozen_now


def test_r_m6_05_complaint_records_kept_with_no_automatic_deletion(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M6-05: closed complaint records are kept safe; by default there is no retention limit and
    nothing is listed; with a configured period the expired ones are listed for review only."""
    from apps.reports import ledgers
    from apps.reports.queries import settings_for
    from apps.tickets.models import Ticket

    old = to_closed(cast, receive(cast, content="三年前的投诉", now=frozen_now - dt.timedelta(days=3 * 366),
                                  received_at=frozen_now - dt.timedelta(days=3 * 366)),
                    frozen_now - dt.timedelta(days=3 * 366))
    recent = to_closed(cast, receive(cast, content="本月的投诉"), frozen_now)
    assert settings_for(cast.company).record_retention_years is None
    assert not ledgers.records_past_retention(cast.company, frozen_now).exists()
    row = settings_for(cast.company)
    row.record_retention_years = 2
    row.save()
    assert list(ledgers.records_past_retention(cast.company, frozen_now)) == [old]
    assert Ticket.objects.filter(pk__in=[old.pk, recent.pk]).count() == 2  # listing never deletes


def test_r_m4_06_record_form_and_class_one_complaints_listed_for_immediate_return_visit(
        client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """R-M4-06: complaints with a record form, or of a category flagged class 1, are listed for an
    immediate return visit as soon as they are verified; other complaints are not; a done visit
    clears the entry."""
    from django.urls import reverse

    from apps.reports import ledgers
    from apps.tickets.models import Category

    class_one = Category.objects.create(company=cast.company, code="c1-service", name="服务态度", class_one=True)
    flagged = to_verified(cast, receive(cast, content="前台态度恶劣", category=class_one), frozen_now)
    ordinary = to_verified(cast, receive(cast, content="楼道灯不亮"), frozen_now)
    record = to_replied(cast, receive(cast, content="电梯困人"), frozen_now)  # the worker is the named handler
    actions.edit_ticket(ticket=record, changes={"record_form": True}, reason="填写顾客投诉处理记录表",
                        acting_user=cast.supervisor, now=frozen_now)
    actions.verify_ticket(ticket=record, passed=True, acting_user=cast.supervisor, now=frozen_now)
    record.refresh_from_db()
    assert record.record_form
    assert set(ledgers.immediate_return_visits([cast.project.pk])) == {flagged, record}
    assert ordinary not in ledgers.immediate_return_visits([cast.project.pk])
    client.force_login(cast.cs_manager)
    assert flagged.number in client.get(reverse("reports:immediate_visits")).content.decode()
    actions.record_return_visit(ticket=flagged, method="phone", reached=True, satisfaction="satisfied",
                                owner_words="满意", acting_user=cast.front_desk, now=frozen_now)
    assert list(ledgers.immediate_return_visits([cast.project.pk])) == [record]


def test_r_m5_17_half_yearly_water_and_electricity_statistics(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M5-17: the 管理处 reports water and electricity against targets with an analysis every half
    year — only for a finished half-year, once, with valid figures."""
    from decimal import Decimal

    from apps.reports import actions as report_actions

    kw = dict(project=cast.project, water_m3="1200", water_target_m3="1000", electricity_kwh="45000",
              electricity_target_kwh="50000", analysis="绿化浇灌用水超标；公共照明改LED节电", acting_user=cast.cs_manager,
              now=frozen_now)
    with pytest.raises(report_actions.ReportError, match="尚未结束"):
        report_actions.record_utility_statistics(year=frozen_now.year, half=2, **kw)
    with pytest.raises(report_actions.ReportError, match="半年度"):
        report_actions.record_utility_statistics(year=frozen_now.year, half=3, **kw)
    with pytest.raises(report_actions.ReportError, match="负数"):
        report_actions.record_utility_statistics(year=frozen_now.year, half=1, **{**kw, "water_m3": "-5"})
    with pytest.raises(report_actions.ReportError, match="分析"):
        report_actions.record_utility_statistics(year=frozen_now.year, half=1, **{**kw, "analysis": " "})
    row = report_actions.record_utility_statistics(year=frozen_now.year, half=1, **kw)
    assert row.period_start == dt.date(frozen_now.year, 1, 1) and row.period_end == dt.date(frozen_now.year, 6, 30)
    assert row.water_m3 == Decimal("1200") and row.reported_by == cast.cs_manager
    assert report_actions.utility_variance(row) == {"water": 20.0, "electricity": -10.0}
    with pytest.raises(report_actions.ReportError, match="已上报"):
        report_actions.record_utility_statistics(year=frozen_now.year, half=1, **kw)
    with pytest.raises(report_actions.ReportError, match="权限"):
        report_actions.record_utility_statistics(year=frozen_now.year - 1, half=2, **{**kw, "acting_user": cast.worker})

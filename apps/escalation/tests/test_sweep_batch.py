"""The time-based escalation pass in one evaluation context (issue 15): the settings are read once per
pass, not once per complaint, and the R-M3-09 report deadlines (N working days from the 1-month mark)
are computed in one batch per project — equal to the one-by-one computation (R-M3-03 d, R-M3-09)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.escalation import queries, rules, sweep
from apps.escalation.models import EscalationReport, ReportKind
from apps.workdays import calendar as wcal
from apps.workdays.queries import calendar_for
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 26, 10, 0, tzinfo=SHANGHAI)


def _pass(now: dt.datetime) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        created = sweep.escalate_time_based(now)
    return created, [q["sql"] for q in ctx.captured_queries]


def _policy_reads(sqls: list[str]) -> int:
    return sum('"escalation_escalationpolicy"' in s or "escalation_escalationpolicy." in s for s in sqls)


def test_r_m3_02d_pass_reads_settings_once_and_queries_grow_by_a_fixed_amount_per_complaint(
    cast, complaint, outbox
) -> None:
    complaint("楼上漏水一直没修好 0", T0 - dt.timedelta(days=1))
    assert _pass(T0 + dt.timedelta(days=6, hours=1))[0] == 1  # warm the process-wide caches
    for i in range(2):
        complaint(f"楼上漏水一直没修好 {i + 1}", T0 + dt.timedelta(minutes=i))
    created_two, two = _pass(T0 + dt.timedelta(days=7, hours=1))
    assert created_two == 2
    for i in range(5):
        complaint(f"地库积水没人处理 {i}", T0 + dt.timedelta(days=1, minutes=i))
    created_five, five = _pass(T0 + dt.timedelta(days=8, hours=1))
    assert created_five == 5  # the earlier ones are hot already and not a month old: not candidates
    # the escalation policy: the candidate filters' thresholds and the project's row, once per pass
    assert _policy_reads(two) == _policy_reads(five) <= 5
    per_complaint = (len(five) - len(two)) / 3
    assert per_complaint == int(per_complaint) > 0  # the same statements for every complaint raised
    assert len(two) - 2 * per_complaint <= 12  # what the pass reads once: candidates, settings, calendar


def test_r_m3_09_batch_report_deadlines_equal_the_one_by_one_computation(cast, complaint, outbox) -> None:
    """Complaints received on different days (a Friday, a weekend, before a holiday) turn major by
    time in one pass; each R-M3-09 report is due N working days after its own 1-month mark."""
    starts = [T0 + dt.timedelta(days=d, hours=h) for d, h in ((0, 0), (4, 3), (5, 1), (6, 5), (10, 2))]
    made = [complaint(f"外墙脱落一直没修 {i}", at) for i, at in enumerate(starts)]
    now = T0 + dt.timedelta(days=50)
    sweep.escalate_time_based(now)
    t = queries.thresholds_for(cast.project)
    cal = calendar_for(cast.project)
    for ticket in made:
        mark = rules.add_months(ticket.received_at, t.major_unresolved_months)
        report = EscalationReport.objects.get(ticket=ticket, kind="major_quality_report")
        assert report.due_at == wcal.add_working_days(mark, t.major_quality_report_working_days, calendar=cal)
        assert ReportKind(report.kind) == ReportKind.MAJOR_QUALITY_REPORT


def test_prepared_working_days_answer_only_inside_an_evaluation(cast) -> None:
    start = T0 + dt.timedelta(days=5)  # a Saturday
    add = queries.add_working_days_for(cast.project)
    expected = add(start, 2)
    with queries.evaluation_cache():
        queries.prepare_working_days(cast.project, [start, start], 2)
        with CaptureQueriesContext(connection) as ctx:
            assert queries.add_working_days_for(cast.project)(start, 2) == expected
        assert ctx.captured_queries == []  # the calendar and the deadline come from the pass's cache
    queries.prepare_working_days(cast.project, [start], 2)  # outside a pass: nothing kept
    assert queries.add_working_days_for(cast.project)(start, 2) == expected


def _respond_limit(ticket, due: dt.datetime) -> None:
    from apps.tickets.models import Deadline

    Deadline.objects.filter(ticket=ticket).delete()
    Deadline.objects.create(
        ticket=ticket,
        stage="respond",
        cycle=0,
        start_at=ticket.received_at,
        due_at=due,
        warn_at=due,
        rule="R-M2-17 测试时限",
        created_at=ticket.received_at,
    )


def test_r_m2_17_tickets_sweep_reads_the_record_form_candidates_once(cast, complaint) -> None:
    """``apps.tickets.sweeps.run`` (R-M2-17) reads the complaints past their respond limit in one query
    for the pass, whatever their number (it used to read them again after every flag)."""
    from apps.tickets import sweeps

    def flagged_pass(n: int, at: dt.datetime) -> tuple[int, int]:
        for i in range(n):
            t = complaint(f"门禁坏了 {at:%d}-{i}", at - dt.timedelta(days=2, minutes=i))
            _respond_limit(t, at - dt.timedelta(hours=1 + i))
        with CaptureQueriesContext(connection) as ctx:
            result = sweeps.run(at)
        reads = [
            q["sql"]
            for q in ctx.captured_queries
            if q["sql"].lstrip().upper().startswith("SELECT")
            and '"tickets_deadline"' in q["sql"]
            and '"tickets_ticket"."record_form"' in q["sql"]
        ]
        return result.record_forms, len(reads)

    assert flagged_pass(2, T0 + dt.timedelta(days=3)) == (2, 1)
    assert flagged_pass(5, T0 + dt.timedelta(days=6)) == (5, 1)
    assert sweeps.run(T0 + dt.timedelta(days=6)).record_forms == 0  # every one flagged once

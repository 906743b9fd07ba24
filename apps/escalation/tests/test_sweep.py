"""The sweep: warnings at 75%, breach notices, time-based escalation; idempotent (issue 5 items 5, 8)."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from apps.escalation import actions, sweep, tasks
from apps.escalation.models import EscalationReport, ReportKind
from linli import clock
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def _no_deadlines(ticket) -> None:
    """Drop the deadlines intake stamped (policy-dependent) so each test controls its own."""
    from apps.tickets.models import Deadline

    Deadline.objects.filter(ticket=ticket).delete()


def _deadline(ticket, *, start, hours):
    from apps.tickets.models import Deadline

    _no_deadlines(ticket)
    due = start + dt.timedelta(hours=hours)
    return Deadline.objects.create(ticket=ticket, stage="reply", start_at=start, due_at=due,
                                   warn_at=start + (due - start) * 0.75, rule="R-M2-05 测试时限", created_at=start)


def test_deadline_warned_at_75_percent_then_breached_once_even_when_run_twice(cast, complaint, outbox) -> None:
    t = complaint("门禁坏了", T0)
    d = _deadline(t, start=T0, hours=8)
    sweep.run_sweep(T0 + dt.timedelta(hours=5, minutes=59))
    assert outbox.calls == []
    sweep.run_sweep(T0 + dt.timedelta(hours=6))
    sweep.run_sweep(T0 + dt.timedelta(hours=6, minutes=1))  # run twice: nothing new
    assert outbox.kinds() == ["deadline_warning"] and len(outbox.raw) == 1  # not even a deduped repeat
    d.refresh_from_db()
    assert d.warned_at == T0 + dt.timedelta(hours=6)
    sweep.run_sweep(T0 + dt.timedelta(hours=8))
    sweep.run_sweep(T0 + dt.timedelta(hours=9))
    assert outbox.kinds() == ["deadline_warning", "deadline_breach"]
    assert outbox.calls[1]["dedupe_key"] == f"deadline-breach:{d.pk}"
    assert cast.front_desk.username in outbox.calls[1]["recipients"]  # the receiver hears of it


def test_met_or_cancelled_deadlines_are_not_notified(cast, complaint, outbox) -> None:
    t = complaint("门禁坏了", T0)
    d = _deadline(t, start=T0, hours=8)
    d.met_at = T0 + dt.timedelta(hours=1)
    d.save(update_fields=["met_at"])
    c = _deadline(complaint("停水没有通知", T0), start=T0, hours=8)
    c.cancelled_at = T0
    c.save(update_fields=["cancelled_at"])
    sweep.run_sweep(T0 + dt.timedelta(days=2))
    assert outbox.calls == []


def test_claim_taken_by_another_worker_is_not_notified_again(cast, complaint, outbox) -> None:
    """Compare-and-set: when another worker set ``warned_at`` first, this one sends nothing."""
    from apps.tickets.models import Deadline

    d = _deadline(complaint("门禁坏了", T0), start=T0, hours=8)
    moment = T0 + dt.timedelta(hours=7)
    real_filter = Deadline.objects.filter

    def racing_filter(*args, **kwargs):  # the other worker claims between our SELECT and UPDATE
        qs = real_filter(*args, **kwargs)
        if kwargs.get("pk") == d.pk and "warned_at" in kwargs:
            real_filter(pk=d.pk).update(warned_at=moment)
        return qs

    Deadline.objects.filter = racing_filter
    try:
        assert sweep.warn_one_due_deadline(moment) is True
    finally:
        del Deadline.objects.filter
    assert outbox.calls == []


def test_r_m3_06_report_warning_and_breach_once(cast, complaint, outbox) -> None:
    t = complaint("业主称要找媒体", T0, media_or_litigation_risk=True)
    _no_deadlines(t)
    actions.evaluate(t, now=T0)
    assert outbox.kinds() == ["escalation_hot"]
    for minutes in (180, 181, 240, 241, 300):
        sweep.run_sweep(T0 + dt.timedelta(minutes=minutes))
    assert outbox.kinds() == ["escalation_hot", "escalation_report_warning", "escalation_report_breach"]
    r = EscalationReport.objects.get(ticket=t, kind=ReportKind.HOT_REPORT)
    assert (r.warned_at, r.breach_notified_at) == (T0 + dt.timedelta(hours=3), T0 + dt.timedelta(hours=4))


def test_run_sweeps_command_twice_sends_nothing_new_and_celery_task_runs(cast, complaint, outbox) -> None:
    t = complaint("楼上漏水一直没修好", T0)
    _deadline(t, start=T0, hours=8)
    out = StringIO()
    call_command("run_sweeps", "--now", "2026-11-09T12:00+08:00", stdout=out)
    first = list(outbox.kinds())
    assert "escalated=1" in out.getvalue()
    assert sorted(first) == ["deadline_breach", "escalation_hot"]  # warning skipped: already past due
    call_command("run_sweeps", "--now", "2026-11-09T12:00+08:00", stdout=out)
    assert outbox.kinds() == first and len(outbox.raw) == len(first)  # the second run sent nothing at all
    with clock.frozen(dt.datetime(2026, 11, 9, 13, 30, tzinfo=SHANGHAI)):
        tasks.run_sweeps()  # met 10:00 → 4 h report due 14:00, warned at 13:00
    assert outbox.kinds()[len(first):] == ["escalation_report_warning"]


def test_run_sweeps_rejects_bad_now() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("run_sweeps", "--now", "yesterday")


def test_r_m3_03b_flag_set_through_tickets_edit_is_picked_up_by_the_sweep(cast, complaint, outbox) -> None:
    """The tickets edit form sends no signal: the sweep applies the level the facts imply."""
    from apps.tickets.actions import edit_ticket

    t = complaint("业主称已向报社反映", T0)
    edit_ticket(ticket=t, changes={"media_exposed": True}, reason="报纸已刊登", acting_user=cast.supervisor,
                now=T0 + dt.timedelta(hours=1))
    sweep.run_sweep(T0 + dt.timedelta(hours=1, minutes=1))
    t.refresh_from_db()
    assert t.escalation_level == "major"
    assert "escalation_major" in outbox.kinds()


@pytest.mark.postgres
def test_two_concurrent_sweeps_notify_each_deadline_once(cast, complaint, outbox, require_postgres) -> None:
    """Two workers sweeping at the same moment (threads, separate connections) notify once."""
    import threading

    from django.db import connection

    tickets = [complaint(f"门禁坏了 {i}", T0) for i in range(6)]
    for t in tickets:
        _deadline(t, start=T0, hours=8)
    moment = T0 + dt.timedelta(hours=9)
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            sweep.run_sweep(moment)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    breaches = [c for c in outbox.raw if c["kind"] == "deadline_breach"]  # before any dedupe
    assert len(breaches) == 6 and len({c["dedupe_key"] for c in breaches}) == 6

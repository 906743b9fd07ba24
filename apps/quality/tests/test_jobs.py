"""R-M2-04 reactions of the quality app: voiding a ticket withdraws its unsigned report through the durable
job ``quality.withdraw_for_voided_ticket`` (apps.quality.jobs); a failing run is recorded on the job row
and retried, never lost; the R-M2-04 hold on the ticket follows the report (held while unsigned)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.core import jobs
from apps.core.models import Job, JobState
from apps.quality import actions as qa
from apps.quality import jobs as quality_jobs
from apps.quality.models import NcrStatus
from apps.quality.tests.conftest import raise_for
from apps.tickets import actions as ticket_actions
from apps.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_r_m2_04_void_enqueues_the_withdrawal_in_the_same_transaction_and_runs_it_after_commit(
        cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime, django_capture_on_commit_callbacks: Any
) -> None:
    report = raise_for(cast, complaint, frozen_now)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.void_ticket(ticket=complaint, reason="重复登记", acting_user=cast.supervisor, now=frozen_now)
        job = Job.objects.get(name=quality_jobs.WITHDRAW_FOR_VOIDED_TICKET)
        assert job.payload["ticket_id"] == complaint.pk and job.state == JobState.PENDING
    job.refresh_from_db()
    report.refresh_from_db()
    assert job.state == JobState.DONE and report.status == NcrStatus.WITHDRAWN
    assert Ticket.objects.get(pk=complaint.pk).handling_hold == ""


def test_r_m2_04_other_status_changes_enqueue_no_withdrawal(cast: Any, complaint: Any,
                                                             frozen_now: dt.datetime) -> None:
    ticket_actions.dispatch_ticket(ticket=complaint, department=cast.cs_dept, acting_user=cast.supervisor,
                                   now=frozen_now)
    assert not Job.objects.filter(name=quality_jobs.WITHDRAW_FOR_VOIDED_TICKET).exists()


def test_r_m2_04_a_failing_withdrawal_is_recorded_and_retried_not_lost(
        cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any) -> None:
    report = raise_for(cast, complaint, frozen_now)

    def broken(**_: Any) -> None:
        raise RuntimeError("database hiccup")

    monkeypatch.setitem(jobs._handlers, quality_jobs.WITHDRAW_FOR_VOIDED_TICKET, broken)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.void_ticket(ticket=complaint, reason="重复登记", acting_user=cast.supervisor, now=frozen_now)
    job = Job.objects.get(name=quality_jobs.WITHDRAW_FOR_VOIDED_TICKET)
    assert job.state == JobState.PENDING and job.attempts == 1 and "database hiccup" in job.last_error
    report.refresh_from_db()
    assert report.status == NcrStatus.AWAITING_SIGNATURE  # not yet, but not lost either
    assert Ticket.objects.get(pk=complaint.pk).status == "voided"  # the void itself stands
    monkeypatch.setitem(jobs._handlers, quality_jobs.WITHDRAW_FOR_VOIDED_TICKET,
                        quality_jobs.withdraw_reports_of_voided_ticket)
    jobs.run_pending(now=job.run_after)  # (the intake's own reactions, still pending here, run too)
    job.refresh_from_db()
    report.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2 and report.status == NcrStatus.WITHDRAWN


def test_r_m2_04_the_hold_follows_the_report(cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime) -> None:
    """Raising holds handling on the ticket (with its history row); returning keeps the hold; withdrawing
    releases it."""
    report = raise_for(cast, complaint, frozen_now)
    held = Ticket.objects.get(pk=complaint.pk)
    assert held.handling_hold == "awaiting_ncr_signature" and report.number in held.handling_hold_message
    assert held.history.filter(handling_hold="awaiting_ncr_signature").exists()
    qa.return_ncr(report=report, reason="请补充现场照片", acting_user=mrep, now=frozen_now)
    assert Ticket.objects.get(pk=complaint.pk).handling_hold == "awaiting_ncr_signature"
    qa.withdraw_ncr(report=report, reason="部门可自行处理", acting_user=report.raised_by, now=frozen_now)
    assert Ticket.objects.get(pk=complaint.pk).handling_hold == ""


def test_r_m2_04_data_migration_holds_tickets_with_an_unsigned_report(cast: Any, mrep: Any, complaint: Any,
                                                                     frozen_now: dt.datetime) -> None:
    """Existing data: tickets whose report is still unsigned get the hold (0002), others stay free."""
    from importlib import import_module

    from django.apps import apps as registry

    migration = import_module("apps.quality.migrations.0002_hold_handling_of_unsigned_reports")
    report = raise_for(cast, complaint, frozen_now)
    Ticket.objects.filter(pk=complaint.pk).update(handling_hold="", handling_hold_message="")  # as before 0002
    migration.hold(registry, None)
    held = Ticket.objects.get(pk=complaint.pk)
    assert held.handling_hold == "awaiting_ncr_signature" and report.number in held.handling_hold_message
    with pytest.raises(ticket_actions.TicketError) as exc:
        ticket_actions.dispatch_ticket(ticket=held, department=cast.cs_dept, acting_user=cast.supervisor,
                                       now=frozen_now)
    assert exc.value.code == "awaiting_ncr_signature" and exc.value.status == 409
    migration.release(registry, None)
    assert Ticket.objects.get(pk=complaint.pk).handling_hold == ""

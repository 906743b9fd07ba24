"""Reactions of the repairs app (issue 13): receiving a repair is one transaction (ticket intake +
work order, reaction (a)); a repair ticket received through the generic ticket intake gets its work
order from the durable job ``repairs.order_for_ticket`` (reaction (b)). Failure paths: the intake
rolls back as a whole; a failing job is recorded on its row and a later retry creates the order."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.core import jobs
from apps.core.models import Job, JobState
from apps.repairs import jobs as repair_jobs
from apps.repairs.actions import intake
from apps.repairs.models import RepairOrder
from apps.repairs.tests.helpers import at, receive
from apps.tickets import actions as ta
from apps.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _generic_intake(cast: Any, now: dt.datetime, kind: str = "repair") -> Ticket:
    """A ticket received through the pipeline's own intake (the generic ticket form and API)."""
    return ta.receive_ticket(project=cast.project, kind=kind, channel="phone", content="灯不亮",
                             complainant_surname="王", phone="13800138888",
                             agreed_feedback_at=now + dt.timedelta(hours=1), acting_user=cast.front_desk, now=now)


def test_intake_through_the_ticket_form_gets_a_work_order(cast, fake_policies, django_capture_on_commit_callbacks):
    """A repair received through the generic ticket intake (apps.tickets) also gets its work order,
    from the job run after the commit; a complaint gets none."""
    now = at(2026, 11, 23, 10, 0)
    with django_capture_on_commit_callbacks(execute=True):
        t = _generic_intake(cast, now)
        complaint = _generic_intake(cast, now, kind="complaint")
    assert RepairOrder.objects.filter(ticket=t).count() == 1
    assert not RepairOrder.objects.filter(ticket=complaint).exists()
    job = Job.objects.get(name=repair_jobs.ORDER_FOR_TICKET)
    assert job.state == JobState.DONE and job.payload["ticket_id"] == t.pk


def test_the_job_is_idempotent(cast, fake_policies, django_capture_on_commit_callbacks):
    """Run twice (a retry, a repeated event) the job still leaves one work order."""
    now = at(2026, 11, 23, 10, 0)
    with django_capture_on_commit_callbacks(execute=True):
        t = _generic_intake(cast, now)
    repair_jobs.order_for_ticket(ticket_id=t.pk)
    assert RepairOrder.objects.filter(ticket=t).count() == 1


def test_a_failing_job_is_recorded_and_a_retry_creates_the_order(cast, fake_policies, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    """The work-order creation raises inside the job: the ticket stays received, the Job row records
    the error and the attempt; a later ``jobs.run_pending`` creates the order."""
    now = at(2026, 11, 23, 10, 0)

    def broken(ticket: Ticket) -> RepairOrder:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(repair_jobs, "order_for", broken)
    with django_capture_on_commit_callbacks(execute=True):
        t = _generic_intake(cast, now)
    job = Job.objects.get(name=repair_jobs.ORDER_FOR_TICKET)
    assert job.state == JobState.PENDING and job.attempts == 1 and "database hiccup" in job.last_error
    assert Ticket.objects.filter(pk=t.pk).exists() and not RepairOrder.objects.filter(ticket=t).exists()

    monkeypatch.undo()
    assert jobs.run_pending(now=job.run_after + dt.timedelta(seconds=1)) == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2
    assert RepairOrder.objects.filter(ticket=t).count() == 1


def test_receiving_a_repair_is_one_transaction(cast, fake_policies, monkeypatch):
    """When the intake fails after the ticket was received (here: the agreed arrival time), the
    whole intake rolls back: no ticket without its work order, no work order without its ticket."""
    now = at(2026, 11, 23, 10, 0)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("deadline store down")

    monkeypatch.setattr(intake, "apply_agreed_arrival", broken)
    with pytest.raises(RuntimeError):
        receive(cast, now=now)
    assert not Ticket.objects.exists() and not RepairOrder.objects.exists()


def test_a_failing_work_order_rolls_the_ticket_back(cast, fake_policies, monkeypatch):
    """The work order itself cannot be written: the ticket received a moment before is gone too."""
    now = at(2026, 11, 23, 10, 0)

    def broken(self: RepairOrder, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("cannot write the work order")

    monkeypatch.setattr(RepairOrder, "save", broken)
    with pytest.raises(RuntimeError):
        receive(cast, now=now)
    assert not Ticket.objects.exists()

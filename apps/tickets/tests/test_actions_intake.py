"""Intake (SPEC M1): receive_ticket from every channel, required data, numbering, events."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from apps.core import jobs
from apps.core.models import Job, JobState
from apps.tickets import actions as ticket_actions
from apps.tickets.choices import Channel, TicketStatus
from apps.tickets.models import Ticket, TicketEvent
from apps.tickets.tests.helpers import receive, to_closed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("channel", [c.value for c in Channel])
def test_r_m1_04_every_channel_can_be_received(cast: Any, frozen_now: dt.datetime, channel: str) -> None:
    """R-M1-03/R-M1-04: every intake method of the procedures creates a ticket."""
    t = receive(cast, channel=channel)
    assert t.status == TicketStatus.RECEIVED
    assert t.channel == channel
    assert t.number.startswith("TS-YG-20261123-")
    assert TicketEvent.objects.filter(ticket=t, kind="received").count() == 1


def test_full_pipeline_closes(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_closed(cast, receive(cast), frozen_now)
    assert t.status == TicketStatus.CLOSED
    assert t.closed_at == frozen_now


def test_r_m1_09_oral_intake_needs_agreed_feedback_time(cast: Any, frozen_now: dt.datetime) -> None:
    from apps.tickets.actions import TicketError

    with pytest.raises(TicketError) as exc:
        receive(cast, agreed_feedback_at=None)
    assert "agreed_feedback_at" in exc.value.fields
    assert not Ticket.objects.exists()
    receive(cast, agreed_feedback_at=None, resolved_on_spot=True, handling_result="当场解答")
    receive(cast, agreed_feedback_at=None, channel="letter")


def test_r_m1_05_required_data_and_received_at(cast: Any, frozen_now: dt.datetime) -> None:
    from apps.tickets.actions import TicketError

    cases: list[tuple[dict[str, Any], str]] = [
        (dict(content=" "), "content"),
        (dict(complainant_surname=""), "complainant_surname"),
        (dict(phone=""), "phone"),
        (dict(received_at=frozen_now + dt.timedelta(hours=1)), "received_at"),
        (dict(people_count=0), "people_count"),
        (dict(channel="pigeon"), "channel"),
    ]
    for kw, field in cases:
        with pytest.raises(TicketError) as exc:
            receive(cast, **kw)
        assert field in exc.value.fields, (kw, exc.value.fields)
    anon = receive(cast, anonymous=True, complainant_surname="", phone="", agreed_feedback_at=None)
    assert anon.anonymous
    letter = receive(cast, channel="letter", received_at=frozen_now - dt.timedelta(days=2), agreed_feedback_at=None)
    assert letter.received_at < letter.recorded_at == frozen_now


SEEN: list[dict[str, Any]] = []


@jobs.handler("tickets_test.seen")
def _seen(**payload: Any) -> None:
    SEEN.append(payload)


@jobs.handler("tickets_test.broken")
def _broken(**payload: Any) -> None:
    raise RuntimeError("reaction bug")


@pytest.fixture
def reactions(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], None]:
    """Register test reactions for this test only (the registry is process-wide)."""

    def react(event: str, job: str) -> None:
        monkeypatch.setitem(jobs._reactions, event, [*jobs._reactions.get(event, []), jobs.Reaction(job=job)])

    return react


def test_events_run_after_commit_and_a_failing_reaction_is_recorded_not_undoing_intake(
        cast: Any, frozen_now: dt.datetime, django_capture_on_commit_callbacks: Any,
        reactions: Callable[[str, str], None]) -> None:
    """``tickets.received`` is published in the intake's transaction; its reactions run after the commit;
    a failing reaction stays on its job row (error, attempt, retry time) and the ticket stays filed."""
    reactions("tickets.received", "tickets_test.seen")
    reactions("tickets.received", "tickets_test.broken")
    SEEN.clear()
    with django_capture_on_commit_callbacks(execute=True):
        t = receive(cast)
        assert SEEN == []  # nothing before the commit
        assert Job.objects.filter(event="tickets.received", payload__ticket_id=t.pk).count() >= 2
    assert SEEN == [{"ticket_id": t.pk, "kind": t.kind, "now": SEEN[0]["now"]}]
    assert dt.datetime.fromisoformat(SEEN[0]["now"]) == frozen_now
    assert Ticket.objects.filter(pk=t.pk).exists()
    broken = Job.objects.get(name="tickets_test.broken", payload__ticket_id=t.pk)
    assert broken.state == JobState.PENDING and broken.attempts == 1 and "reaction bug" in broken.last_error


def test_status_changes_and_escalation_publish_their_events(cast: Any, frozen_now: dt.datetime,
                                                            reactions: Callable[[str, str], None]) -> None:
    """Every status move publishes ``tickets.status_changed`` (old, new) and an escalation to 品质管理部
    ``tickets.escalated_to_quality``, as jobs enqueued in the same transaction."""
    reactions("tickets.status_changed", "tickets_test.seen")
    reactions("tickets.escalated_to_quality", "tickets_test.seen")
    t = receive(cast)
    ticket_actions.void_ticket(ticket=t, reason="重复登记", acting_user=cast.supervisor, now=frozen_now)
    moved = Job.objects.get(name="tickets_test.seen", event="tickets.status_changed", payload__ticket_id=t.pk)
    assert {k: v for k, v in moved.payload.items() if k != "now"} == {
        "ticket_id": t.pk, "kind": t.kind, "old": "received", "new": "voided"}
    assert dt.datetime.fromisoformat(moved.payload["now"]) == frozen_now
    t2 = receive(cast)
    ticket_actions.escalate_to_quality(ticket=t2, reason="多次协调无果", acting_user=cast.supervisor, now=frozen_now)
    assert Job.objects.filter(name="tickets_test.seen", event="tickets.escalated_to_quality",
                              payload__ticket_id=t2.pk).exists()


def test_household_of_another_project_refused(cast: Any, frozen_now: dt.datetime) -> None:
    from apps.estates.models import Building, Household
    from apps.tickets.actions import TicketError

    b = Building.objects.create(project=cast.other_project, name="1栋")
    h = Household.objects.create(project=cast.other_project, building=b, room_no="101", label="1栋101")
    with pytest.raises(TicketError) as exc:
        receive(cast, household=h)
    assert "household" in exc.value.fields

"""Intake (SPEC M1): receive_ticket from every channel, required data, numbering, events."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets import actions
from apps.tickets.choices import Channel, Kind, TicketStatus
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

    cases = [
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


def test_signals_sent_after_commit_and_a_failing_listener_does_not_undo_intake(
        cast: Any, frozen_now: dt.datetime, django_capture_on_commit_callbacks: Any) -> None:
    from apps.tickets import signals

    seen: list[Any] = []

    def good(sender: Any, ticket: Any, **kw: Any) -> None:
        seen.append(ticket.number)

    def bad(sender: Any, ticket: Any, **kw: Any) -> None:
        raise RuntimeError("listener bug")

    signals.ticket_received.connect(good, dispatch_uid="t-good")
    signals.ticket_received.connect(bad, dispatch_uid="t-bad")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            t = receive(cast)
            assert seen == []  # nothing before the commit
    finally:
        signals.ticket_received.disconnect(dispatch_uid="t-good")
        signals.ticket_received.disconnect(dispatch_uid="t-bad")
    assert seen == [t.number] and Ticket.objects.filter(pk=t.pk).exists()


def test_household_of_another_project_refused(cast: Any, frozen_now: dt.datetime) -> None:
    from apps.estates.models import Building, Household
    from apps.tickets.actions import TicketError

    b = Building.objects.create(project=cast.other_project, name="1栋")
    h = Household.objects.create(project=cast.other_project, building=b, room_no="101", label="1栋101")
    with pytest.raises(TicketError) as exc:
        receive(cast, household=h)
    assert "household" in exc.value.fields

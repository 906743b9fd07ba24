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

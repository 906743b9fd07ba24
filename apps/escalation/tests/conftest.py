"""Fixtures of the escalation tests: complaints in 阳光花园 and a recorder of staff notifications."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from apps.escalation import adapters
from linli.clock import SHANGHAI

_seq = itertools.count(1)


def make_complaint(cast: Any, content: str, received_at: dt.datetime, **fields: Any) -> Any:
    """A complaint row as intake leaves it. ``apps.tickets.actions.receive_ticket`` had not landed when
    these tests were written, so the row is created directly with the fields intake sets."""
    from apps.tickets.models import Ticket

    project = fields.pop("project", cast.project)
    n = next(_seq)
    defaults = {"kind": "complaint", "channel": "phone", "recorded_at": received_at, "receiver": cast.front_desk,
                "number": f"TS-{received_at.astimezone(SHANGHAI):%Y%m%d}-{project.code}{n:04d}"}
    defaults.update(fields)
    return Ticket.objects.create(project=project, content=content, received_at=received_at, **defaults)


def household(cast: Any, building: str, room: str) -> Any:
    from apps.estates.models import Building, Household

    b, _ = Building.objects.get_or_create(project=cast.project, name=building)
    return Household.objects.create(project=cast.project, building=b, room_no=room,
                                    label=Household.make_label(building, None, room))


class Outbox:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.keys: set[str] = set()

    def __call__(self, recipients: Any, **kw: Any) -> list[Any]:
        key = kw.get("dedupe_key")
        if key and key in self.keys:  # the notify contract: a repeated dedupe_key is a no-op
            return []
        if key:
            self.keys.add(key)
        self.calls.append({"recipients": [u.username for u in recipients], **kw})
        return []

    def kinds(self) -> list[str]:
        return [c["kind"] for c in self.calls]


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> Outbox:
    box = Outbox()
    monkeypatch.setattr(adapters, "notify_staff", box)
    return box


@pytest.fixture
def complaint(cast: Any) -> Any:
    def make(content: str, received_at: dt.datetime, **fields: Any) -> Any:
        return make_complaint(cast, content, received_at, **fields)

    return make

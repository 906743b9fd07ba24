"""Fixtures of the escalation tests: complaints in 阳光花园 and a recorder of staff notifications."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from apps.escalation import actions
from linli import clock

_seq = itertools.count(1)


def make_complaint(cast: Any, content: str, received_at: dt.datetime, **fields: Any) -> Any:
    """A complaint received through ``apps.tickets.actions.receive_ticket`` at ``received_at`` (the
    clock is frozen there; the ``escalation.evaluate_complaint`` job it enqueues judges that moment). Deadlines,
    number and events are what intake writes. A written channel (信函) avoids the oral-intake
    feedback-time requirement; each complainant gets their own phone unless given."""
    from apps.tickets.actions import receive_ticket

    project = fields.pop("project", cast.project)
    acting = fields.pop("receiver", cast.front_desk if project == cast.project else cast.outsider)
    n = next(_seq)
    fields.setdefault("channel", "letter")
    if not fields.get("anonymous"):
        fields.setdefault("complainant_surname", "王")
        if not fields.get("household") and not fields.get("person"):
            fields.setdefault("phone", f"1390000{n:04d}")
        else:
            fields.setdefault("phone", f"1370000{n:04d}")
    with clock.frozen(received_at):
        return receive_ticket(project=project, kind=fields.pop("kind", "complaint"), content=content,
                              acting_user=acting, now=received_at, received_at=received_at, **fields)


def household(cast: Any, building: str, room: str) -> Any:
    from apps.estates.models import Building, Household

    b, _ = Building.objects.get_or_create(project=cast.project, name=building)
    return Household.objects.create(project=cast.project, building=b, room_no=room,
                                    label=Household.make_label(building, None, room))


class Outbox:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.keys: set[str] = set()
        self.raw: list[dict[str, Any]] = []  # every call, before the dedupe

    def __call__(self, recipients: Any, **kw: Any) -> list[Any]:
        self.raw.append(kw)
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
    monkeypatch.setattr(actions, "notify_staff", box)
    return box


@pytest.fixture
def complaint(cast: Any) -> Any:
    def make(content: str, received_at: dt.datetime, **fields: Any) -> Any:
        return make_complaint(cast, content, received_at, **fields)

    return make

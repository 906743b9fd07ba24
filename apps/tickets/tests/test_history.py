"""History (issue 4 item 8): every state change, assignment and edit is kept (who, when, what);
nothing is deleted — a wrong ticket is voided with a reason."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets import actions
from apps.tickets.actions import TicketError
from apps.tickets.models import Ticket, TicketEvent
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db


def test_void_keeps_ticket_number_and_history(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    actions.dispatch_ticket(ticket=t, department=cast.eng_dept, acting_user=cast.front_desk, now=frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.void_ticket(ticket=t, reason="  ", acting_user=cast.supervisor, now=frozen_now)
    assert exc.value.fields == {"reason": ["请填写作废原因"]}
    actions.void_ticket(ticket=t, reason="重复录入，见另一工单", acting_user=cast.supervisor, now=frozen_now)
    t = Ticket.objects.get(pk=t.pk)
    assert t.status == "voided" and t.void_reason == "重复录入，见另一工单"
    assert t not in Ticket.objects.counted()
    kinds = list(TicketEvent.objects.filter(ticket=t).values_list("kind", flat=True))
    assert kinds == ["received", "dispatched", "voided"]
    void_event = TicketEvent.objects.get(ticket=t, kind="voided")
    assert void_event.acting_user == cast.supervisor and void_event.at == frozen_now
    # field history (django-simple-history) with who and why
    records = list(t.history.order_by("history_id"))
    assert [r.status for r in records] == ["received", "dispatched", "voided"]
    assert records[-1].history_user == cast.supervisor
    assert "作废" in records[-1].history_change_reason
    # the next ticket does not reuse the number
    nxt = receive(cast)
    assert nxt.number.endswith("-0002")


def test_tickets_cannot_be_deleted_through_relations(cast: Any, frozen_now: dt.datetime) -> None:
    """Records hang off the ticket with PROTECT: deleting a ticket with a timeline fails."""
    from django.db.models import ProtectedError

    t = receive(cast)
    with pytest.raises(ProtectedError):
        t.delete()


def test_every_event_names_who_and_when(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    d = actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker,
                                acting_user=cast.front_desk, now=frozen_now)
    actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=frozen_now + dt.timedelta(minutes=5))
    actions.edit_ticket(ticket=t, changes={"important": True}, reason="业主情绪激动", acting_user=cast.supervisor,
                        now=frozen_now + dt.timedelta(minutes=6))
    events = list(TicketEvent.objects.filter(ticket=t))
    assert [(e.kind, e.acting_user) for e in events] == [
        ("received", cast.front_desk), ("dispatched", cast.front_desk), ("accepted", cast.worker),
        ("edited", cast.supervisor),
    ]
    assert events[-1].extra["changes"] == {"important": [False, True]}

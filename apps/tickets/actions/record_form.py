"""记录表投诉 (R-M2-17): a complaint still open when its respond limit has passed is listed on the
record form. The sweep flags it; the flag is a ticket change like any other (history row, event)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from apps.tickets.actions.base import _event, _lock, _save
from apps.tickets.choices import TicketEventKind
from apps.tickets.models import Ticket

REASON = "超过1个工作日未关闭，自动列为记录表投诉"


@transaction.atomic
def flag_record_form(*, ticket: Ticket, now: dt.datetime) -> bool:
    """Flag ``ticket`` as a record-form complaint; False when it already is (safe to run twice)."""
    _lock(ticket)
    if ticket.record_form:
        return False
    ticket.record_form = True
    _save(ticket, ["record_form"], acting_user=None, reason=REASON)
    _event(ticket, TicketEventKind.EDITED, acting_user=None, now=now, message=REASON,
           changes={"record_form": [False, True]})
    return True

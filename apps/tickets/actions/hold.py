"""The R-M2-04 hold on handling: a higher module (apps.quality, when it raises a
《不合格/纠正、预防措施报告》) holds handling of a ticket until the 管理者代表 signs, and releases it when the
report is signed or withdrawn. While held, dispatch, acceptance and handling records are refused (409,
the hold's own code and message). Tickets never asks the higher module: the hold lives on the ticket."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from apps.tickets.actions.base import _lock, _save
from apps.tickets.models import Ticket

if TYPE_CHECKING:
    from apps.org.models import User


def hold_handling(*, ticket: Ticket, code: str, message: str, acting_user: User | None, now: dt.datetime) -> Ticket:
    """Hold handling of ``ticket`` (``code`` = the TicketError code handling actions answer with). Called
    inside the caller's transaction; records the history row (the caller writes its own timeline note)."""
    _lock(ticket)
    if ticket.handling_hold == code and ticket.handling_hold_message == message:
        return ticket
    ticket.handling_hold, ticket.handling_hold_message = code, message
    _save(ticket, ["handling_hold", "handling_hold_message"], acting_user=acting_user, reason=f"暂停处理：{code}"[:100])
    return ticket


def release_handling(*, ticket: Ticket, code: str, acting_user: User | None, now: dt.datetime) -> Ticket:
    """Release the hold ``code`` on ``ticket`` (nothing happens when another hold, or none, is on)."""
    _lock(ticket)
    if ticket.handling_hold != code:
        return ticket
    ticket.handling_hold, ticket.handling_hold_message = "", ""
    _save(ticket, ["handling_hold", "handling_hold_message"], acting_user=acting_user, reason=f"恢复处理 {now:%Y-%m-%d %H:%M}：{code}"[:100])
    return ticket

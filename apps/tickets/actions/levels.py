"""The one write of ``Ticket.escalation_level`` (投诉级别, R-M3-01).

The level is decided by apps.escalation (its criteria, its manual downgrade); the tickets layer only
stores it, like every other ticket change: a django-simple-history row saying who and why, and a
timeline event with the old and new level.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.tickets.actions.base import _event, _lock, _save
from apps.tickets.choices import EscalationLevel, TicketEventKind

if TYPE_CHECKING:
    from apps.org.models import User
    from apps.tickets.models import Ticket


@transaction.atomic
def change_escalation_level(ticket: Ticket, *, level: str, acting_user: User | None, reason: str,
                            now: dt.datetime) -> Ticket:
    """Set the ticket's level to ``level`` with its history row and timeline event.

    ``acting_user`` is None when a rule raised it automatically (the sweep, the intake job). The row
    is locked and ``ticket`` refreshed in place first. Setting the level it already has writes
    nothing."""
    if level not in EscalationLevel.values:
        raise ValueError(f"unknown escalation level {level!r}")
    _lock(ticket)
    old = ticket.escalation_level
    if old == level:
        return ticket
    ticket.escalation_level = level
    _save(ticket, ["escalation_level"], acting_user=acting_user, reason=reason)
    _event(ticket, TicketEventKind.EDITED, acting_user=acting_user, now=now, message=reason,
           changes={"escalation_level": [old, level]})
    return ticket

"""Signals other apps listen to (cross-app contract 2). Both are sent with
``transaction.on_commit`` by apps.tickets.actions, so listeners only see committed tickets.

- ``ticket_received(sender=Ticket, ticket=…)`` — after intake (apps.escalation listens).
- ``ticket_status_changed(sender=Ticket, ticket=…, old=…, new=…)`` — after every status move.
- ``ticket_escalated_to_quality(sender=Ticket, ticket=…)`` — R-M2-14 upward escalation.
"""
from __future__ import annotations

from django.dispatch import Signal

ticket_received = Signal()
ticket_status_changed = Signal()
ticket_escalated_to_quality = Signal()

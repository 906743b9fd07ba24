"""约定上门时间 (R-M8-03 rule set C, R-M8-08 a; issue 23 item 5): when the owner and staff agree a
visit time, the arrival deadline of the ticket's current cycle is that time plus the rule's
tolerance. Statistics keep both: ``limit_due_at`` stays the procedure's own limit, ``due_at`` becomes
the agreed time (+ tolerance) and ``agreed`` marks it.

The higher module that knows which rule sets allow an agreed time (apps.repairs) passes that fact
down when it calls; this module never asks it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.db import transaction

from apps.tickets.choices import Stage
from apps.tickets.deadlines import warn_moment
from apps.tickets.models import Deadline, Ticket
from apps.workdays.models import LimitPolicy

AGREED_NOTE = "（与业主约定上门时间）"


def apply_agreed_arrival(*, ticket: Ticket, agreed_at: dt.datetime, tolerance: dt.timedelta = dt.timedelta(0),
                         rule_sets: Collection[str], acting_user: Any = None, now: dt.datetime | None = None,
                         ) -> Deadline | None:
    """Set the open arrival deadline of ``ticket`` to ``agreed_at + tolerance`` when it was stamped from
    one of ``rule_sets`` (the rule sets whose rule is "or the time agreed with the owner"). Returns the
    changed deadline, or None when there is none to change (already met, no policy, another rule set).
    Idempotent: agreeing the same time twice changes nothing the second time."""
    if tolerance < dt.timedelta(0):
        raise ValueError("tolerance must not be negative")
    with transaction.atomic():
        d = (Deadline.objects.select_for_update()
             .filter(ticket=ticket, stage=Stage.ARRIVE, cycle=ticket.cycle, met_at=None, cancelled_at=None).first())
        if d is None or d.policy_id is None:
            return None
        code = LimitPolicy.objects.filter(pk=d.policy_id).values_list("rule_set__code", flat=True).first()
        if code not in rule_sets:
            return None
        due = agreed_at + tolerance
        if d.agreed and d.due_at == due:
            return d
        if d.limit_due_at is None:
            d.limit_due_at = d.due_at  # the procedure's own limit, kept for statistics
        d.due_at, d.agreed, d.warn_at = due, True, warn_moment(d.start_at, due, project=ticket.project)
        if AGREED_NOTE not in d.rule:
            d.rule = f"{d.rule}{AGREED_NOTE}"[:200]
        d.save(update_fields=["due_at", "agreed", "warn_at", "rule", "limit_due_at"])
        return d

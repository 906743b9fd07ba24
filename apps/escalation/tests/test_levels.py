"""The ticket's level changes only through ``apps.tickets.actions.levels.change_escalation_level``: every raise
and every manual downgrade leaves a history row and a timeline event (R-M3-01, issue 13 item 4)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.escalation import actions
from apps.tickets.models import TicketEvent
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def test_r_m3_01_raise_and_downgrade_leave_history_rows_and_timeline_events(cast, complaint, outbox) -> None:
    t = complaint("三位业主集体投诉", T0, collective=True, people_count=3)
    actions.evaluate(t, now=T0)  # the intake job's work (its on_commit does not run in this test)
    t.refresh_from_db()
    assert t.escalation_level == "hot"
    raised = t.history.filter(escalation_level="hot").order_by("history_id").first()
    assert raised is not None and raised.history_user is None  # raised by the rule, not a person
    assert raised.history_change_reason and "R-M" not in raised.history_change_reason  # words, no rule code

    later = T0 + dt.timedelta(hours=2)
    actions.downgrade(t, to_level="none", reason="核实后人数不足", acting_user=cast.cs_manager, now=later)
    t.refresh_from_db()
    assert t.escalation_level == "none"
    last = t.history.order_by("-history_id").first()
    assert last is not None
    assert (last.escalation_level, last.history_user) == ("none", cast.cs_manager)
    assert "核实后人数不足" in last.history_change_reason
    changes = [e.extra["changes"]["escalation_level"] for e in TicketEvent.objects.filter(ticket=t).order_by("pk")
               if "escalation_level" in e.extra.get("changes", {})]
    assert changes == [["none", "hot"], ["hot", "none"]]
    # evaluating again does not raise it back and writes no history (R-M3-01)
    count = t.history.count()
    actions.evaluate(t, now=later)
    assert t.history.count() == count

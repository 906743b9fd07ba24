"""apps.tickets.actions.agreed_time (R-M8-03 rule set C, issue 23 item 5): an agreed visit time
becomes the arrival deadline plus the tolerance; the procedure's limit stays for statistics."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.tickets.actions import receive_ticket
from apps.tickets.actions.agreed_time import apply_agreed_arrival
from apps.tickets.choices import Stage
from apps.tickets.models import Category
from apps.workdays import queries as wq
from apps.workdays.models import RuleSet, RuleSetChoice
from linli import clock

pytestmark = pytest.mark.django_db


def _repair(cast, now):
    RuleSetChoice.objects.create(company=cast.company, project=None, concern="arrival",
                                 rule_set=RuleSet.objects.get(code="arrival_c"))
    wq.clear_caches()
    return receive_ticket(project=cast.project, kind="repair", channel="phone", content="门锁坏了",
                          category=Category.objects.get(company=None, code="repair_doors_furniture"),
                          address="5栋1502", complainant_surname="王", phone="13800138888",
                          agreed_feedback_at=now + dt.timedelta(days=1),
                          acting_user=cast.front_desk, now=now, urgency="normal")


def test_r_m8_03_as_21_agreed_time_plus_tolerance_keeps_the_limit(cast):
    """AS-21 C: 2025-10-05 14:00, agreed 2025-10-06 10:00 → due 10:00 (+ tolerance), limit 14:25 kept."""
    now = dt.datetime(2025, 10, 5, 14, 0, tzinfo=clock.SHANGHAI)
    ticket = _repair(cast, now)
    agreed = dt.datetime(2025, 10, 6, 10, 0, tzinfo=clock.SHANGHAI)
    d = apply_agreed_arrival(ticket=ticket, agreed_at=agreed, rule_sets={"arrival_c"}, acting_user=cast.front_desk,
                             now=now)
    assert d is not None and d.due_at == agreed and d.agreed
    assert d.limit_due_at == dt.datetime(2025, 10, 5, 14, 25, tzinfo=clock.SHANGHAI)
    d = apply_agreed_arrival(ticket=ticket, agreed_at=agreed, tolerance=dt.timedelta(minutes=10),
                             rule_sets={"arrival_c"}, now=now)
    assert d is not None and d.due_at == agreed + dt.timedelta(minutes=10)
    assert d.limit_due_at == dt.datetime(2025, 10, 5, 14, 25, tzinfo=clock.SHANGHAI)
    assert d.rule.count("约定") == 1
    stored = ticket.deadlines.get(stage=Stage.ARRIVE, cycle=0)
    assert stored.due_at == agreed + dt.timedelta(minutes=10) and stored.agreed


def test_r_m8_03_other_rule_sets_ignore_the_agreed_time(cast):
    now = dt.datetime(2025, 10, 5, 14, 0, tzinfo=clock.SHANGHAI)
    ticket = _repair(cast, now)
    assert apply_agreed_arrival(ticket=ticket, agreed_at=now + dt.timedelta(days=1), rule_sets={"arrival_a"},
                                now=now) is None
    d = ticket.deadlines.get(stage=Stage.ARRIVE, cycle=0)
    assert not d.agreed and d.due_at == dt.datetime(2025, 10, 5, 14, 25, tzinfo=clock.SHANGHAI)
    with pytest.raises(ValueError):
        apply_agreed_arrival(ticket=ticket, agreed_at=now, tolerance=dt.timedelta(minutes=-1),
                             rule_sets={"arrival_c"}, now=now)

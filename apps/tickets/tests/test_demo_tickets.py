"""Demo tickets for ``make run`` (issue 2 item 6): built through the real actions, deterministic."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.core import jobs
from apps.escalation.demo import load_demo_escalation
from apps.estates import demo
from apps.org.models import Company
from apps.tickets.demo import load_demo_tickets
from apps.tickets.models import Deadline, Ticket
from linli import clock

pytestmark = pytest.mark.django_db(transaction=True)  # the same-complaint job runs on commit

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)


def test_demo_tickets_cover_the_pipeline_deadlines_and_a_hot_group() -> None:
    demo.load_demo(seed=7)
    with clock.frozen(NOW):
        n = load_demo_tickets(Company.objects.get(), seed=7, now=NOW, per_project=20)
        load_demo_escalation(Company.objects.get(), now=NOW)  # staff confirm the lift group (R-M3-04)
    assert n == Ticket.objects.count() == 2 * (20 + 3)  # two residential projects, plus the lift group each
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"received", "dispatched", "closed"} <= statuses and len(statuses) >= 5
    assert Deadline.objects.filter(ticket__kind="complaint", stage="reply").exists()  # stamped by the policy engine
    if jobs.reactions("tickets.received"):  # apps.escalation's evaluation, a job reacting to the intake
        assert Ticket.objects.filter(escalation_level="hot").count() >= 3  # R-M3-02 b: same lift, 3 households
    assert not Ticket.objects.filter(received_at__gt=NOW).exists()

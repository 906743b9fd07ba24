"""Recomputing provisional deadlines in batches (issue 15; T-03, P-25): ``recompute_provisional`` computes
each group of rows that share a policy with one ``deadlines_for_many`` call, and every row gets exactly
what the per-row ``deadlines_for`` gives it."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets import deadlines as dl
from apps.tickets.models import Deadline
from apps.tickets.tests.helpers import receive
from linli import clock

pytestmark = pytest.mark.django_db


def _received(cast: Any, moment: dt.datetime, **kw: Any) -> Any:
    with clock.frozen(moment):
        return receive(cast, now=moment, **kw)


def _reference(d: Deadline) -> Any:
    items = [i for i in dl._policy_deadlines(d.ticket, start=d.start_at, stages=[d.stage]) if i.stage == d.stage]
    return items[0] if items else None


@pytest.fixture
def year_end_tickets(cast: Any) -> list[Any]:
    """Complaints of several channels and a repair received around the turn of 2026/2027: their
    working-day limits end in 2027, whose official calendar is not imported (provisional)."""
    sh = clock.SHANGHAI
    moments = [dt.datetime(2026, 12, 28, 9, tzinfo=sh), dt.datetime(2026, 12, 30, 17, 30, tzinfo=sh),
               dt.datetime(2026, 12, 31, 23, 10, tzinfo=sh)]
    out = []
    for m in moments:
        for channel in ("letter", "phone", "online", "email"):
            out.append(_received(cast, m, channel=channel))
        out.append(_received(cast, m, kind="repair", channel="phone", content="厨房水龙头漏水"))
    return out


def test_t_03_batch_limits_equal_one_call_per_row(cast: Any, year_end_tickets: list[Any]) -> None:
    """Issue 15: ``_policy_deadlines_many`` (one engine call per group) gives every open provisional row
    the item ``_policy_deadlines`` gives it alone."""
    rows = list(Deadline.objects.open().filter(provisional=True)
                .select_related("ticket__project", "ticket__category").order_by("pk"))
    assert len(rows) >= 10
    assert {r.ticket.channel for r in rows} >= {"letter", "phone"}
    assert dl._policy_deadlines_many(rows) == [_reference(r) for r in rows]


def test_t_03_recompute_provisional_in_batches_restores_the_engine_values(
        cast: Any, year_end_tickets: list[Any], django_assert_max_num_queries: Any) -> None:
    """Rows whose stored limit differs from the engine's (as after a calendar is confirmed) are
    recomputed, in batches smaller than the number of rows, to exactly the per-row engine value; the
    others are left alone."""
    rows = list(Deadline.objects.open().filter(provisional=True).exclude(due_at=None).order_by("pk"))
    assert dl.recompute_provisional(2027) == 0  # nothing changed: nothing to write
    stale = rows[::2]
    for d in stale:
        assert d.due_at is not None and d.limit_due_at is not None
        Deadline.objects.filter(pk=d.pk).update(due_at=d.due_at + dt.timedelta(days=3),
                                                limit_due_at=d.limit_due_at + dt.timedelta(days=3))
    with django_assert_max_num_queries(40):
        assert dl.recompute_provisional(2027, batch=4) == len(stale)
    for d in Deadline.objects.filter(pk__in=[r.pk for r in rows]).select_related("ticket__project",
                                                                                   "ticket__category"):
        item = _reference(d)
        assert (d.limit_due_at, d.provisional) == (item.due_at, item.provisional)
        expected = dl.effective_reply_due(item.due_at, d.ticket.agreed_feedback_at,
                                          d.ticket.agreed_extension_reason)[0] if d.stage == "reply" else item.due_at
        assert d.due_at == expected and d.warn_at == dl.warn_moment(d.start_at, expected)

"""The state machine (issue 4 item 10; STYLE §3; SPEC R-M2-26): every (from, to) pair through
``_move`` — allowed pairs succeed and write one event, all others raise InvalidTransition and
change nothing — plus the action-level paths and refusals."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import transaction

from apps.tickets import actions
from apps.tickets.actions import TicketError, _move
from apps.tickets.choices import TicketStatus
from apps.tickets.models import Ticket, TicketEvent
from apps.tickets.tests.helpers import receive, to_closed, to_replied, to_verified
from apps.tickets.transitions import ALLOWED, InvalidTransition

pytestmark = pytest.mark.django_db

ALL = [s.value for s in TicketStatus]
PAIRS = list(itertools.product(ALL, ALL))


def test_table_covers_every_status() -> None:
    assert set(ALLOWED) == set(ALL)
    assert all(targets <= set(ALL) for targets in ALLOWED.values())
    assert ALLOWED[TicketStatus.VOIDED] == frozenset()  # voided is final


def test_r_m2_26_full_transition_matrix(cast: Any, frozen_now: dt.datetime) -> None:
    """Every pair: allowed → status saved + one status event; forbidden → InvalidTransition, no change.

    The starting status is put in place with a queryset update: this test checks the table and
    ``_move`` alone; the other tests build every state through the actions."""
    ticket = receive(cast)
    for old, new in PAIRS:
        Ticket.objects.filter(pk=ticket.pk).update(status=old)
        ticket.refresh_from_db()
        before = TicketEvent.objects.filter(ticket=ticket).count()
        if new in ALLOWED[old]:
            with transaction.atomic():
                _move(ticket, to=new, acting_user=cast.supervisor, now=frozen_now, reason="matrix")
            ticket.refresh_from_db()
            assert ticket.status == new, (old, new)
            ev = TicketEvent.objects.filter(ticket=ticket).order_by("-id").first()
            assert ev is not None
            assert (ev.old_status, ev.new_status, ev.acting_user_id) == (old, new, cast.supervisor.pk)
            assert TicketEvent.objects.filter(ticket=ticket).count() == before + 1
        else:
            with pytest.raises(InvalidTransition) as exc:
                _move(ticket, to=new, acting_user=cast.supervisor, now=frozen_now)
            assert exc.value.status == 409 and "不能变为" in exc.value.message
            ticket.refresh_from_db()
            assert ticket.status == old, (old, new)
            assert TicketEvent.objects.filter(ticket=ticket).count() == before


def test_allowed_pair_count_is_what_the_table_says() -> None:
    allowed = [(a, b) for a, b in PAIRS if b in ALLOWED[a]]
    assert len(allowed) == sum(len(v) for v in ALLOWED.values())
    assert len(PAIRS) - len(allowed) > 0


def test_r_m2_26_pipeline_through_actions_records_every_stage(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_closed(cast, receive(cast), frozen_now)
    statuses = list(TicketEvent.objects.filter(ticket=t).exclude(new_status="").values_list("new_status", flat=True))
    assert statuses == ["received", "dispatched", "handling", "handled", "replied", "verified", "return_visited",
                        "closed"]


def test_close_refused_before_verification(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-18: a replied complaint cannot close before verification and return visit."""
    t = to_replied(cast, receive(cast), frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    assert set(exc.value.fields) == {"verification", "return_visit", "manager_reply"}  # + R-M2-21
    t.refresh_from_db()
    assert t.status == TicketStatus.REPLIED


def test_r_m2_18_close_needs_return_visit(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_verified(cast, receive(cast), frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    assert exc.value.code == "cannot_close" and "return_visit" in exc.value.fields
    t.refresh_from_db()
    assert t.status == TicketStatus.VERIFIED


def test_consultation_closes_once_answered(cast: Any, frozen_now: dt.datetime) -> None:
    """Consultations are neither verified nor return-visited; the answer is the result (R-M2-18)."""
    t = receive(cast, kind="consultation", resolved_on_spot=True, handling_result="物业费可在APP缴纳")
    assert t.status == TicketStatus.REPLIED
    actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.CLOSED


def test_void_is_final(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast)
    actions.void_ticket(ticket=t, reason="重复录入", acting_user=cast.supervisor, now=frozen_now)
    for call in (
        lambda: actions.dispatch_ticket(ticket=t, department=cast.eng_dept, acting_user=cast.supervisor,
                                        now=frozen_now),
        lambda: actions.reopen_ticket(ticket=t, reason="x", acting_user=cast.supervisor, now=frozen_now),
    ):
        with pytest.raises(InvalidTransition):
            call()

"""Deadline rows (issue 4 item 3; SPEC R-M2-05…R-M2-11, R-M2-06, R-M4-04, T-13).

Two layers:
- the tickets side (which stages are stamped at which event, agreed feedback time R-M2-06,
  warn_at at 75%, met_at/met_in_time, cancelling, overdue as a query, recomputing provisional rows)
  is tested against a fixed stand-in for the policy engine;
- the acceptance scenarios (AS-01, AS-02, AS-07, AS-08, AS-09, AS-43) run against the real
  ``apps.workdays.queries.deadlines_for`` and are skipped until that module exists.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets import actions
from apps.tickets import deadlines as dl
from apps.tickets.models import Deadline
from apps.tickets.tests.helpers import FakePolicies, at, receive, to_replied
from apps.workdays import queries as workdays_queries
from linli import clock

pytestmark = pytest.mark.django_db


def test_intake_stamps_intake_stages_with_warn_at_75_percent(cast: Any, frozen_now: dt.datetime,
                                                             policies: FakePolicies) -> None:
    t = receive(cast, agreed_feedback_at=None, channel="letter")
    rows = {d.stage: d for d in Deadline.objects.filter(ticket=t)}
    assert set(rows) == {"acknowledge", "respond", "reply"}
    reply = rows["reply"]
    assert reply.start_at == t.received_at and reply.due_at == frozen_now + dt.timedelta(days=2)
    assert reply.warn_at == frozen_now + dt.timedelta(hours=36)
    assert (reply.rule, reply.policy_id, reply.provisional) == ("test reply", 7, False)
    assert rows["acknowledge"].due_at is None  # T-13 "立即": shown as due now


def test_r_m2_06_as_43_agreed_time_earlier_than_limit_wins(cast: Any, frozen_now: dt.datetime,
                                                          policies: FakePolicies) -> None:
    agreed = frozen_now + dt.timedelta(hours=26)
    t = receive(cast, agreed_feedback_at=agreed)
    reply = Deadline.objects.get(ticket=t, stage="reply")
    assert (reply.due_at, reply.limit_due_at, reply.agreed) == (agreed, frozen_now + dt.timedelta(days=2), True)


def test_r_m2_06_as_43_later_agreed_time_without_extension_keeps_limit(cast: Any, frozen_now: dt.datetime,
                                                                      policies: FakePolicies) -> None:
    t = receive(cast, agreed_feedback_at=frozen_now + dt.timedelta(days=4))
    reply = Deadline.objects.get(ticket=t, stage="reply")
    assert reply.due_at == frozen_now + dt.timedelta(days=2) and not reply.agreed
    actions.edit_ticket(ticket=t, changes={"agreed_extension_reason": "业主出差，要求下周答复"}, reason="顾客要求",
                        acting_user=cast.front_desk, now=frozen_now)
    reply.refresh_from_db()
    assert reply.due_at == frozen_now + dt.timedelta(days=4) and reply.agreed
    assert reply.limit_due_at == frozen_now + dt.timedelta(days=2)  # the procedure limit is kept for statistics


def test_letter_keyed_in_later_counts_from_received_at(cast: Any, frozen_now: dt.datetime,
                                                       policies: FakePolicies) -> None:
    """T-02: the limit starts when the complaint arrived, not when it was typed in."""
    received = frozen_now - dt.timedelta(days=1)
    t = receive(cast, channel="letter", received_at=received, agreed_feedback_at=None)
    reply = Deadline.objects.get(ticket=t, stage="reply")
    assert reply.due_at == received + dt.timedelta(days=2)
    assert Deadline.objects.open().overdue(frozen_now + dt.timedelta(days=1, minutes=1)).filter(pk=reply.pk).exists()


def test_replies_meet_stages_and_record_in_time(cast: Any, frozen_now: dt.datetime, policies: FakePolicies) -> None:
    t = receive(cast, agreed_feedback_at=None, channel="email")
    later = frozen_now + dt.timedelta(days=1, hours=1)
    actions.record_reply(ticket=t, kind="acknowledge", channel="phone", content="已收到", acting_user=cast.front_desk,
                         now=frozen_now)
    with clock.frozen(later):
        # the answer to an email complaint passes 品质管理部 first, even by phone (R-M2-08)
        draft = actions.give_reply(ticket=t, kind="measures", channel="phone", content="明日上门",
                                   acting_user=cast.front_desk, now=later)
        actions.review_reply(reply=draft, department="quality", approved=True, acting_user=cast.quality_inspector,
                             now=later)
        actions.send_reply(reply=draft, acting_user=cast.front_desk, now=later)
    rows = {d.stage: d for d in Deadline.objects.filter(ticket=t)}
    assert rows["acknowledge"].met_at == frozen_now and rows["acknowledge"].met_in_time
    assert rows["respond"].met_at == later and rows["respond"].met_in_time is False  # 1 h late
    assert rows["reply"].met_in_time is True
    assert not Deadline.objects.open().filter(ticket=t).exists()


def test_r_m4_04_return_visit_stamped_when_verification_passes(cast: Any, frozen_now: dt.datetime,
                                                               policies: FakePolicies) -> None:
    t = to_replied(cast, receive(cast), frozen_now)
    assert not Deadline.objects.filter(ticket=t, stage="return_visit").exists()
    to_verified_now = frozen_now + dt.timedelta(hours=1)
    actions.verify_ticket(ticket=t, passed=True, acting_user=cast.supervisor, now=to_verified_now)
    rv = Deadline.objects.get(ticket=t, stage="return_visit")
    assert rv.start_at == to_verified_now and rv.due_at == to_verified_now + dt.timedelta(hours=48)
    actions.record_return_visit(ticket=t, method="phone", reached=True, owner_words="已解决", satisfaction="unsatisfied",
                                acting_user=cast.front_desk, now=to_verified_now)
    rv.refresh_from_db()
    assert rv.met_at == to_verified_now
    # the reopened cycle gets its own respond/reply rows
    assert set(Deadline.objects.filter(ticket=t, cycle=1).values_list("stage", flat=True)) == {"respond", "reply"}


def test_void_and_close_stop_open_deadlines(cast: Any, frozen_now: dt.datetime, policies: FakePolicies) -> None:
    t = receive(cast, agreed_feedback_at=None, channel="letter")
    actions.void_ticket(ticket=t, reason="重复", acting_user=cast.supervisor, now=frozen_now + dt.timedelta(days=3))
    rows = Deadline.objects.filter(ticket=t)
    assert all(r.cancelled_at is not None for r in rows)
    assert rows.get(stage="reply").met_in_time is False  # already past due when voided
    assert not Deadline.objects.open().filter(ticket=t).exists()


def test_open_overdue_is_a_query(cast: Any, frozen_now: dt.datetime, policies: FakePolicies) -> None:
    t = receive(cast, agreed_feedback_at=None, channel="letter")
    assert not Deadline.objects.open().overdue(frozen_now).filter(ticket=t).exists()
    overdue = Deadline.objects.open().overdue(frozen_now + dt.timedelta(days=1, seconds=1)).filter(ticket=t)
    assert list(overdue.values_list("stage", flat=True)) == ["respond"]
    d = overdue.get()
    assert d.is_overdue(frozen_now + dt.timedelta(days=2)) and d.time_left(frozen_now) == dt.timedelta(days=1)


def test_t_03_confirmed_year_recomputes_open_provisional_rows(cast: Any, frozen_now: dt.datetime,
                                                              policies: FakePolicies) -> None:
    policies.provisional = True
    t = receive(cast, agreed_feedback_at=None, channel="letter")
    assert Deadline.objects.filter(ticket=t, provisional=True).count() == 3
    policies.provisional = False
    changed = dl.recompute_provisional(2026)
    assert changed == 3
    assert not Deadline.objects.filter(ticket=t, provisional=True).exists()


# ---------------------------------------------------------------- against the real policy engine

def _real() -> Any:
    return workdays_queries


def _due(t: Any, stage: str) -> dt.datetime | None:
    d = Deadline.objects.get(ticket=t, stage=stage)
    return d.due_at.astimezone(clock.SHANGHAI) if d.due_at else None


def _receive_at(cast: Any, moment: dt.datetime, **kw: Any) -> Any:
    with clock.frozen(moment):
        return receive(cast, now=moment, **kw)


@pytest.mark.parametrize("channel", ["letter", "fax", "suggestion_box"])
def test_as_01_written_complaint_across_national_day_2025(cast: Any, channel: str) -> None:
    """AS-01 / R-M2-05 / R-M2-07: letter on Tue 2025-09-30 10:00 → reply 10-10, response 10-09."""
    _real()
    t = _receive_at(cast, at(2025, 9, 30, 10, 0), channel=channel, agreed_feedback_at=None)
    assert _due(t, "reply") == at(2025, 10, 10, 23, 59, 59)
    assert _due(t, "respond") == at(2025, 10, 9, 23, 59, 59)


def test_as_02_email_before_adjusted_working_sunday(cast: Any) -> None:
    _real()
    t = _receive_at(cast, at(2025, 9, 27, 15, 0), channel="email", agreed_feedback_at=None)
    assert _due(t, "reply") == at(2025, 9, 29, 23, 59, 59)
    assert _due(t, "respond") == at(2025, 9, 28, 23, 59, 59)


def test_as_07_phone_complaint_on_holiday_night(cast: Any) -> None:
    """AS-07 (P-02 literal): phone at 23:00 on 2025-10-03 → reply same day, response 10-09."""
    _real()
    moment = at(2025, 10, 3, 23, 0)
    t = _receive_at(cast, moment, channel="phone", agreed_feedback_at=at(2025, 10, 9, 12, 0),
                    agreed_extension_reason="")
    limit = Deadline.objects.get(ticket=t, stage="reply").limit_due_at
    assert limit is not None and limit.astimezone(clock.SHANGHAI) == at(2025, 10, 3, 23, 59, 59)
    assert _due(t, "respond") == at(2025, 10, 9, 23, 59, 59)


def test_as_08_online_complaint_on_holiday_evening(cast: Any) -> None:
    _real()
    t = _receive_at(cast, at(2025, 10, 2, 20, 15), channel="online", agreed_feedback_at=None)
    assert _due(t, "acknowledge") == at(2025, 10, 3, 0, 15)
    assert _due(t, "reply") == at(2025, 10, 9, 23, 59, 59)
    assert _due(t, "respond") == at(2025, 10, 9, 23, 59, 59)


def test_as_09_online_complaint_in_working_time(cast: Any) -> None:
    _real()
    t = _receive_at(cast, at(2026, 3, 10, 10, 0), channel="online", agreed_feedback_at=None)
    assert _due(t, "acknowledge") == at(2026, 3, 10, 14, 0)
    assert _due(t, "reply") == at(2026, 3, 10, 23, 59, 59)
    assert _due(t, "respond") == at(2026, 3, 11, 23, 59, 59)


def test_as_03_owners_committee_across_spring_festival(cast: Any) -> None:
    _real()
    t = _receive_at(cast, at(2026, 2, 12, 11, 0), channel="owners_committee", source="owners_committee",
                    agreed_feedback_at=None)
    assert _due(t, "reply") == at(2026, 2, 24, 23, 59, 59)


def test_as_43_agreed_feedback_time_against_email_limit(cast: Any) -> None:
    _real()
    t = _receive_at(cast, at(2025, 11, 10, 10, 0), channel="email", agreed_feedback_at=at(2025, 11, 11, 12, 0))
    assert _due(t, "reply") == at(2025, 11, 11, 12, 0)
    t2 = _receive_at(cast, at(2025, 11, 10, 10, 0), channel="email", agreed_feedback_at=at(2025, 11, 14, 10, 0))
    assert _due(t2, "reply") == at(2025, 11, 12, 23, 59, 59)

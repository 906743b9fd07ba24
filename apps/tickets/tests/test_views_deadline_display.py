"""How deadlines read on the pages and in the API (issue 4 item 3: due time, time left, overdue;
T-13 "立即/及时" items without a hard limit show as "due now")."""
from __future__ import annotations

import datetime as dt

from apps.tickets.deadline_display import deadline_state, humanize_span, is_overdue
from linli.clock import SHANGHAI

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def test_it_shows_time_left_for_an_open_deadline() -> None:
    state = deadline_state(due_at=NOW + dt.timedelta(hours=5, minutes=30), met_at=None, now=NOW)
    assert state.code == "open"
    assert state.label == "剩余5小时30分"


def test_it_shows_overdue_with_how_long() -> None:
    state = deadline_state(due_at=NOW - dt.timedelta(days=1, hours=2), met_at=None, now=NOW)
    assert (state.code, state.colour) == ("overdue", "red")
    assert state.label == "已超时1天2小时"
    assert is_overdue(due_at=NOW - dt.timedelta(seconds=1), met_at=None, now=NOW)


def test_it_warns_after_the_warning_moment() -> None:
    state = deadline_state(due_at=NOW + dt.timedelta(hours=1), warn_at=NOW - dt.timedelta(minutes=1), met_at=None,
                           now=NOW)
    assert state.code == "warning"


def test_t_13_soft_item_without_due_time_is_due_now() -> None:
    state = deadline_state(due_at=None, met_at=None, now=NOW)
    assert state.code == "due_now"
    assert not is_overdue(due_at=None, met_at=None, now=NOW)


def test_it_tells_met_in_time_from_met_late() -> None:
    due = NOW - dt.timedelta(hours=2)
    assert deadline_state(due_at=due, met_at=due - dt.timedelta(minutes=1), now=NOW).code == "met"
    late = deadline_state(due_at=due, met_at=due + dt.timedelta(minutes=90), now=NOW)
    assert late.code == "met_late"
    assert "1小时30分" in late.label
    assert not is_overdue(due_at=due, met_at=due + dt.timedelta(minutes=90), now=NOW)


def test_humanize_span_units() -> None:
    assert humanize_span(0) == "0分钟"
    assert humanize_span(59) == "1分钟"
    assert humanize_span(3 * 86400) == "3天"
    assert humanize_span(7200) == "2小时"

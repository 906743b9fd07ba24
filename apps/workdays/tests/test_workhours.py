"""Working time in SQL (apps.workdays.workhours) agrees with the Python arithmetic
(apps.workdays.calendar.working_minutes_between), and the working-day index follows calendar edits
(T-03, T-12, P-25)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import receive
from apps.workdays import actions, queries, workhours
from apps.workdays import calendar as wc
from apps.workdays.models import CalendarDay, WorkingDayIndex
from linli import clock

pytestmark = pytest.mark.django_db
SH = clock.SHANGHAI


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SH)


SPANS = [(at(2026, 9, 30, 16), at(2026, 10, 10, 10)), (at(2026, 11, 2, 9), at(2026, 11, 3, 14)),
         (at(2026, 11, 5, 17), at(2026, 11, 6, 10)), (at(2026, 11, 7, 11), at(2026, 11, 9, 12, 30)),
         (at(2026, 11, 9, 12, 10), at(2026, 11, 9, 13, 40))]


def _tickets(cast: Any) -> list[Ticket]:
    out = []
    for start, end in SPANS:
        t = receive(cast, now=start)
        Ticket.objects.filter(pk=t.pk).update(closed_at=end)
        out.append(t)
    return out


def _sql_minutes(tickets: list[Ticket]) -> dict[int, int]:
    qs = workhours.annotate_handling_minutes(Ticket.objects.filter(pk__in=[t.pk for t in tickets]))
    return dict(qs.values_list("pk", "handling_minutes"))


def test_t_03_sql_working_minutes_equal_the_python_arithmetic(cast: Any) -> None:
    tickets = _tickets(cast)
    assert actions.ensure_working_day_index(dt.date(2026, 12, 31), project=cast.project) > 9000
    assert actions.ensure_working_day_index(dt.date(2026, 12, 31), project=cast.project) == 0  # up to date
    cal = queries.calendar_for(cast.project)
    expected = {t.pk: wc.working_minutes_between(s, e, cal) for t, (s, e) in zip(tickets, SPANS, strict=True)}
    assert _sql_minutes(tickets) == expected
    assert expected[tickets[0].pk] == 120 + 450 + 450 + 60


def test_p_25_a_company_rest_day_rebuilds_the_index(cast: Any) -> None:
    tickets = _tickets(cast)
    actions.ensure_working_day_index(dt.date(2026, 12, 31), project=cast.project)
    CalendarDay.objects.create(company=cast.company, date=dt.date(2026, 11, 3), kind="holiday", name="台风停工")
    assert actions.ensure_working_day_index(dt.date(2026, 12, 31), project=cast.project) > 0  # version changed
    assert _sql_minutes(tickets)[tickets[1].pk] == 450  # Monday only; the Tuesday is a rest day now
    assert WorkingDayIndex.objects.filter(company=cast.company, day=actions.INDEX_SENTINEL).count() == 1


def test_the_index_covers_a_year_past_today_by_the_clock(cast: Any) -> None:
    with clock.frozen(at(2030, 6, 1, 9)):
        actions.ensure_working_day_index(dt.date(2026, 1, 1), project=cast.project)
    last = WorkingDayIndex.objects.filter(company=cast.company).order_by("-day").first()
    assert last is not None and last.day == dt.date(2030, 6, 1) + dt.timedelta(days=366)

"""Readable numbers, unique in the company, gapless per project, day and kind (issue 4 item 1)."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections

from apps.tickets.numbering import format_number
from apps.tickets.tests.helpers import at, receive
from linli import clock

pytestmark = pytest.mark.django_db


def test_format() -> None:
    assert format_number("TS", "yg", dt.date(2026, 11, 22), 7) == "TS-YG-20261122-0007"
    assert format_number("BX", "YG", dt.date(2026, 11, 22), 12345) == "BX-YG-20261122-12345"


def test_sequence_per_project_day_and_kind(cast: Any, frozen_now: dt.datetime) -> None:
    a = receive(cast)
    b = receive(cast)
    r = receive(cast, kind="repair")
    other = receive(cast, project=cast.other_project, acting_user=cast.outsider)
    assert (a.number, b.number) == ("TS-YG-20261123-0001", "TS-YG-20261123-0002")
    assert r.number == "BX-YG-20261123-0001"
    assert other.number == "TS-CH-20261123-0001"


def test_day_is_the_projects_local_recording_day(cast: Any) -> None:
    """23:30 Shanghai is 15:30 UTC the same day; 00:30 Shanghai belongs to the next local day."""
    late = at(2026, 11, 22, 23, 30)
    early = at(2026, 11, 23, 0, 30)
    with clock.frozen(late):
        t1 = receive(cast, now=late)
    with clock.frozen(early):
        t2 = receive(cast, now=early, received_at=late)  # a letter keyed in after midnight
    assert t1.number == "TS-YG-20261122-0001"
    assert t2.number == "TS-YG-20261123-0001"


def test_failed_intake_leaves_no_gap(cast: Any, frozen_now: dt.datetime) -> None:
    from apps.tickets.actions import TicketError

    receive(cast)
    with pytest.raises(TicketError):
        receive(cast, content="")
    assert receive(cast).number.endswith("-0002")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_intakes_get_fifty_gapless_numbers(require_postgres: None, cast: Any) -> None:
    """50 threads, each with its own connection, receive at the same moment → 0001…0050."""
    now = at(2026, 11, 23, 10, 0)
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(50)
    lock = threading.Lock()

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            t = receive(cast, now=now, content=f"并发受理 {i}")
            with lock:
                numbers.append(t.number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(50)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors[:3]
    assert sorted(numbers) == [f"TS-YG-20261123-{i:04d}" for i in range(1, 51)]
    assert connection.vendor == "postgresql"

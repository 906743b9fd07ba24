"""NCR numbers: NCR-<year>-<NNNN> per company and year, unique and gapless also under concurrent raises
(the counter-row upsert of ARCHITECTURE "Gapless per-day numbers"); one open report per ticket holds
under concurrency too (R-M2-04)."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from apps.quality import queries as services
from apps.quality.actions import QualityError
from apps.quality.models import NonconformityReport
from apps.quality.tests.conftest import raise_for
from apps.tickets.tests.helpers import receive


def test_format() -> None:
    assert services.format_number(2026, 7) == "NCR-2026-0007"
    assert services.format_number(2026, 12345) == "NCR-2026-12345"


def _parallel(n: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            value = work(i)
            with lock:
                results.append(value)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r_m2_04_twenty_parallel_raises_get_twenty_gapless_numbers(require_postgres: None, cast: Any,
                                                                   mrep: Any) -> None:
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    tickets = [receive(cast, now=now, content=f"超出权限的投诉 {i}") for i in range(20)]
    numbers, errors = _parallel(20, lambda i: raise_for(cast, tickets[i], now).number)
    assert not errors, errors[:3]
    assert sorted(numbers) == [f"NCR-2026-{i:04d}" for i in range(1, 21)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r_m2_04_parallel_raises_on_one_ticket_make_one_report(require_postgres: None, cast: Any,
                                                               mrep: Any) -> None:
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    ticket = receive(cast, now=now, content="同一工单并发提出")
    numbers, errors = _parallel(8, lambda i: raise_for(cast, ticket, now).number)
    assert len(numbers) == 1 and len(errors) == 7
    assert all(isinstance(e, QualityError) and e.code == "ncr_open" and e.status == 409 for e in errors), errors
    assert NonconformityReport.objects.filter(ticket=ticket).count() == 1

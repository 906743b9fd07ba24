"""Receipts under concurrency on PostgreSQL: payments recorded at the same moment by two cashiers never
share a receipt number, never leave a gap and never lose an update of the bill they settle."""
from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

from apps.fees import actions, queries
from apps.fees.models import Bill, LedgerEntry, Payment
from apps.fees.tests.conftest import at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _run_together(calls: list[Any]) -> list[BaseException]:
    from django.db import connection

    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def worker(call: Any) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


def test_concurrent_payments_gapless_receipts_and_no_lost_update(require_postgres, cast, fees, cycle):
    """Money safety: 8 payments at once by two cashiers on two households (four on the same bill) —
    receipt numbers 1…8 each once, every bill's paid equals its allocations, receipts reconcile."""
    calls = []
    for i in range(8):
        hh = fees.hh if i % 2 == 0 else fees.hh2
        user = fees.cashier if i < 4 else fees.cashier2

        def call(hh: Any = hh, user: Any = user) -> None:
            actions.record_payment(project=cast.project, household=hh, amount="100.00", acting_user=user,
                                   now=at(2026, 1, 5, 10))
        calls.append(call)
    errors = _run_together(calls)
    assert errors == []
    numbers = sorted(Payment.objects.values_list("receipt_no", flat=True))
    assert numbers == list(range(1, 9))
    assert Payment.objects.values("number").distinct().count() == 8
    assert queries.receipt_gaps(cast.project) == []
    for bill in Bill.objects.filter(cycle=cycle, household__in=[fees.hh, fees.hh2]):
        assert bill.paid == Decimal("400.00") == sum(a.amount for a in bill.allocations.all())
    assert LedgerEntry.objects.filter(kind="paid").count() == 8
    rows = queries.reconciliation([cast.project], at(2026, 1, 5).date(), at(2026, 1, 5).date())
    assert all(r["balanced"] for r in rows) and sum(r["total"] for r in rows) == Decimal("800.00")


def test_concurrent_same_paper_receipt_number_only_one_wins(require_postgres, cast, fees, cycle):
    """Money safety: two cashiers type the same paper receipt number at the same moment — exactly one
    payment is recorded, the other is refused (duplicate number), nothing half-written."""
    calls = [lambda hh=hh, user=user: actions.record_payment(
        project=cast.project, household=hh, amount="50.00", receipt_no=1, acting_user=user, now=at(2026, 1, 5, 10))
        for hh, user in ((fees.hh, fees.cashier), (fees.hh2, fees.cashier2))]
    errors = _run_together(calls)
    assert len(errors) == 1 and isinstance(errors[0], actions.FeeError)
    assert errors[0].code in ("duplicate_receipt", "receipt_gap")
    assert Payment.objects.count() == 1
    assert Bill.objects.filter(paid__gt=0).count() == 1

"""Benchmark: a billing cycle for a whole company's households, and the arrears ageing (issue 21, M16).

    .venv/bin/python bench/fees_bench.py [--scale tiny|small|company] [--households N] [--repeat 3]
        [--db postgres://postgres@127.0.0.1:5432/c21_bench] [--keep]

Builds a throw-away database (migrations, the test cast), bulk-inserts ``--households`` households
(300,000 at ``small`` and ``company``: the issue's scale) in one project with a fee standard for
houses moved in and one for houses bought but not moved in, then:

1. times ``apps.fees.actions.generate_cycle`` — one half-yearly bill per household and its ledger row,
   in set-based INSERT … SELECT statements (target: under 60 s on PostgreSQL);
2. marks a share of the bills paid (bench data, plain SQL), then times ``arrears_ageing`` — one
   aggregate query (asserted: exactly one query) — median of ``--repeat`` (target: under 5 s).

Asserts the bill count and totals; asserts nothing about time (the BENCH lines say PASS/FAIL).
The database is dropped at the end unless ``--keep``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import _pg_template, add_bench_args, bench_line, is_postgres, scaled, setup_django  # noqa: E402
from benchdb import prepare_database as _prepare_database  # noqa: E402

CYCLE_TARGET_S = 60.0
AGEING_TARGET_S = 5.0


def _households(cast, n: int) -> None:  # type: ignore[no-untyped-def]
    from apps.estates.models import Building, Household, OccupancyStatus, Unit

    per_building = 1000
    statuses = [OccupancyStatus.OCCUPIED] * 8 + [OccupancyStatus.NOT_MOVED_IN, OccupancyStatus.VACANT]
    batch: list[Household] = []
    for b in range(n // per_building + (1 if n % per_building else 0)):
        building = Building.objects.create(project=cast.project, name=f"{b + 1}栋", sort_key=b + 1)
        unit = Unit.objects.create(building=building, name="1单元")
        for i in range(min(per_building, n - b * per_building)):
            room = f"{i // 10 + 1}{i % 10 + 1:02d}"
            batch.append(Household(project=cast.project, building=building, unit=unit, room_no=room,
                                   label=f"{building.name}{unit.name}{room}", area_m2=Decimal(60 + (i * 7) % 90),
                                   status=statuses[i % len(statuses)]))
        if len(batch) >= 20_000:
            Household.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Household.objects.bulk_create(batch, batch_size=5000)


def _drop(url: str) -> None:
    if not is_postgres(url):
        Path(url[len("sqlite:///"):]).unlink(missing_ok=True)
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    name = parsed.path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:  # the database and its migrated template
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'DROP DATABASE IF EXISTS "{_pg_template(name)}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    add_bench_args(parser, "fees")
    parser.add_argument("--households", type=int)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    n = args.households or scaled(args.scale, 3_000, 300_000, 300_000)
    _prepare_database(args.db)
    setup_django(args.db)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.fees import actions, queries
    from apps.fees.models import Bill, LedgerEntry
    from apps.org.tests.factories import build_cast
    from linli import clock

    cast = build_cast()
    s = time.perf_counter()
    _households(cast, n)
    print(f"inserted {n} households in {time.perf_counter() - s:.1f} s")
    now = dt.datetime(2026, 7, 1, 9, 0, tzinfo=clock.SHANGHAI)
    for applies, rate in (("moved_in", "2.80"), ("not_moved_in", "1.40")):
        actions.add_standard(project=cast.project, applies_to=applies, contract_ref="BENCH-01", rate=rate,
                             valid_from=dt.date(2024, 1, 1), acting_user=cast.cs_manager, now=now)
    if is_postgres(args.db):
        with connection.cursor() as cur:
            cur.execute("ANALYZE estates_household")

    s = time.perf_counter()
    cycle = actions.generate_cycle(project=cast.project, period_start=dt.date(2026, 7, 1), acting_user=cast.cs_manager,
                                   now=now)
    cycle_s = time.perf_counter() - s
    assert cycle.bill_count == n == Bill.objects.filter(cycle=cycle).count(), (cycle.bill_count, n)
    assert LedgerEntry.objects.filter(bill__cycle=cycle).count() == n
    print(f"generate_cycle: {cycle.bill_count} bills, total {cycle.total} 元, in {cycle_s:.2f} s")

    # bench data: about 70 % paid in full, 10 % in part (plain SQL: not the payment flow being measured)
    with connection.cursor() as cur:
        cur.execute("UPDATE fees_bill SET paid = amount, status = 'paid' WHERE cycle_id = %s AND id %% 10 < 7",
                    [cycle.pk])
        cur.execute("UPDATE fees_bill SET paid = ROUND(amount / 2, 2), status = 'partial' "
                    "WHERE cycle_id = %s AND id %% 10 = 7", [cycle.pk])
        if is_postgres(args.db):
            cur.execute("ANALYZE fees_bill")
    runs = []
    ageing: dict[str, object] = {}
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as ctx:
            s = time.perf_counter()
            ageing = queries.arrears_ageing([cast.project], dt.date(2026, 12, 15))
            runs.append(time.perf_counter() - s)
        assert len(ctx.captured_queries) == 1, len(ctx.captured_queries)
    ageing_s = statistics.median(runs)
    expected = Bill.objects.filter(cycle=cycle).exclude(status="paid").count()
    assert ageing["households"] == expected, (ageing["households"], expected)
    print(f"arrears_ageing (one aggregate): total {ageing['total']} 元 over {ageing['households']} households,"
          f" median {ageing_s:.3f} s")
    pg = is_postgres(args.db)
    where = "PostgreSQL" if pg else "SQLite"
    bench_line("fees_billing_cycle", f"{n} households in {cycle_s:.1f} s on {where}", f"< {CYCLE_TARGET_S:.0f} s",
               pg and cycle_s < CYCLE_TARGET_S)
    bench_line("fees_arrears_ageing", f"{ageing_s:.2f} s, 1 query, {n} bills on {where}",
               f"< {AGEING_TARGET_S:.0f} s", pg and ageing_s < AGEING_TARGET_S)
    if not args.keep:
        _drop(args.db)


if __name__ == "__main__":
    main()

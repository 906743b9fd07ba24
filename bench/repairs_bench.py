"""Benchmark: repair measures over a month of repairs, and the phone work-order flow (issue 6).

    .venv/bin/python bench/repairs_bench.py [--repairs 50000] [--flows 30] [--repeat 3]
        [--db postgres://postgres@127.0.0.1:5432/linli_bench_repairs]

Builds a throw-away PostgreSQL database (migrations, the test cast), then:

1. ``--flows`` complete work orders through the services (intake → dispatch → accept → arrival →
   diagnosis → start → completion → signature) and prints the median and worst time of each step;
2. bulk-inserts ``--repairs`` repair tickets spread over November 2026 (5,000 a day is the
   ARCHITECTURE's scale for all kinds together) with arrive/complete deadlines (met in time, late,
   open), work orders and return visits, and prints the time of ``repair_measures`` grouped by
   month, by department and by worker (median of ``--repeat``).

Asserts the totals are consistent; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import prepare_database as _prepare_database  # noqa: E402
from benchdb import add_bench_args, bench_line, scaled, setup_django  # noqa: E402


def _flows(cast, n: int) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    from apps.repairs.tests.conftest import png
    from apps.tickets.models import Category
    from linli import clock

    sig = base64.b64encode(png()).decode()
    tap = Category.objects.get(company=None, code="repair_tap")
    times: dict[str, list[float]] = {}

    def step(name: str, fn):  # type: ignore[no-untyped-def]
        s = time.perf_counter()
        out = fn()
        times.setdefault(name, []).append(time.perf_counter() - s)
        return out

    base = dt.datetime(2026, 11, 23, 9, 0, tzinfo=clock.SHANGHAI)
    for i in range(n):
        _one_flow(cast, step, tap, sig, base + dt.timedelta(minutes=i), i)
    return times


def _one_flow(cast, step, tap, sig, now, i):  # type: ignore[no-untyped-def]
    from apps.repairs import actions as services
    from apps.repairs.queries import CHECKLIST_KEYS

    order = step("intake", lambda: services.receive_repair(
        project=cast.project, category=tap, content="水龙头漏水", location=f"1栋{i:04d}", complainant_surname="王",
        phone="13800138888", agreed_visit_at=now + dt.timedelta(minutes=20), acting_user=cast.front_desk, now=now))
    step("assign", lambda: services.assign_order(order=order, assignee=cast.worker, acting_user=cast.front_desk,
                                                 now=now))
    step("accept", lambda: services.accept_order(order=order, acting_user=cast.worker, now=now))
    step("arrival", lambda: services.record_arrival(order=order, acting_user=cast.worker, now=now))
    step("diagnosis", lambda: services.diagnose(order=order, diagnosis="阀芯", chargeable=False,
                                                acting_user=cast.worker, now=now))
    step("start", lambda: services.start_work(order=order, acting_user=cast.worker, now=now))
    step("completion", lambda: services.complete_repair(
        order=order, result="修好", labour_hours=1, checklist=dict.fromkeys(CHECKLIST_KEYS, True),
        acting_user=cast.worker, now=now))
    step("signature", lambda: services.sign_acceptance(order=order, signature=sig, signed_name="王",
                                                       acting_user=cast.worker, now=now, quality_ok=True))


def _bulk(cast, n: int, seed: int = 7) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    from apps.org.models import Membership
    from apps.org.roles import Role
    from apps.org.tests.factories import UserFactory
    from apps.repairs.models import RepairOrder
    from apps.tickets.models import Category, Deadline, ReturnVisit, Ticket
    from linli import clock

    rng = random.Random(seed)
    workers = [cast.worker]
    for k in range(9):
        u = UserFactory(username=f"benchworker{k}", display_name=f"师傅{k}")
        Membership.objects.create(user=u, role=Role.WORKER, company=cast.company, project=cast.project,
                                  department=cast.eng_dept)
        workers.append(u)
    cats = list(Category.objects.filter(code__startswith="repair_"))
    start = dt.datetime(2026, 11, 1, tzinfo=clock.SHANGHAI)
    statuses = ["closed"] * 6 + ["handled", "verified", "handling", "dispatched"]
    batch = 5000
    for off in range(0, n, batch):
        with transaction.atomic():
            tickets = []
            for i in range(off, min(n, off + batch)):
                received = start + dt.timedelta(seconds=rng.randrange(30 * 24 * 3600))
                w = rng.choice(workers)
                tickets.append(Ticket(
                    project=cast.project, number=f"BX-BENCH-{i:07d}", kind="repair", channel="phone",
                    reply_class="oral", urgency=rng.choice(["normal", "normal", "urgent"]), status=rng.choice(statuses),
                    received_at=received, recorded_at=received, receiver=cast.front_desk, content="报修",
                    category=rng.choice(cats), department=cast.eng_dept, handler=w,
                    reopen_count=1 if rng.random() < 0.02 else 0))
            Ticket.objects.bulk_create(tickets)
            deadlines, orders, visits = [], [], []
            for t in tickets:
                for stage, limit in (("arrive", dt.timedelta(minutes=30)), ("complete", dt.timedelta(days=1))):
                    late = rng.random() < 0.03
                    met = None if t.status == "dispatched" else t.received_at + limit * (1.2 if late else 0.5)
                    deadlines.append(Deadline(ticket=t, stage=stage, cycle=0, start_at=t.received_at,
                                              due_at=t.received_at + limit, limit_due_at=t.received_at + limit,
                                              met_at=met, met_in_time=None if met is None else not late,
                                              created_at=t.received_at))
                orders.append(RepairOrder(ticket=t, location="1栋", worker=t.handler, created_at=t.received_at,
                                          quality_ok=rng.random() > 0.01))
                if t.status == "closed":
                    visits.append(ReturnVisit(ticket=t, cycle=0, outcome="done", satisfaction="satisfied",
                                              completed_at=t.received_at + dt.timedelta(days=1)))
            Deadline.objects.bulk_create(deadlines)
            RepairOrder.objects.bulk_create(orders)
            ReturnVisit.objects.bulk_create(visits)


def main() -> None:
    parser = argparse.ArgumentParser()
    add_bench_args(parser, "repairs")
    parser.add_argument("--repairs", type=int)
    parser.add_argument("--flows", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    args.repairs = args.repairs or scaled(args.scale, 1000, 50_000, 500_000)
    if args.scale == "tiny":
        args.flows = min(args.flows, 5)
    _prepare_database(args.db)
    setup_django(args.db, LINLI_MEDIA_ROOT="/tmp/linli-bench-repairs-media")
    from apps.org.tests.factories import build_cast

    cast = build_cast()
    times = _flows(cast, args.flows)
    print(f"work-order flow through the services, {args.flows} orders (ms):")
    for name, values in times.items():
        print(f"  {name:<11} median {statistics.median(values) * 1000:7.1f}   max {max(values) * 1000:7.1f}")
    s = time.perf_counter()
    _bulk(cast, args.repairs)
    print(f"inserted {args.repairs} repairs in {time.perf_counter() - s:.1f} s")
    from apps.repairs.measures import repair_measures
    from linli import clock

    as_of = dt.datetime(2026, 12, 1, 12, 0, tzinfo=clock.SHANGHAI)
    worst = 0.0
    for group in (("month",), ("month", "department"), ("month", "department", "worker")):
        runs = []
        rows = []
        for _ in range(args.repeat):
            s = time.perf_counter()
            rows = repair_measures(projects=[cast.project], start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1),
                                   as_of=as_of, group_by=group)
            runs.append(time.perf_counter() - s)
        total = rows[-1]
        worst = max(worst, statistics.median(runs))
        assert total["count"] == sum(r["count"] for r in rows[:-1])
        print(f"repair_measures by {'/'.join(group):<24} {len(rows) - 1:3d} rows"
              f"  median {statistics.median(runs):6.2f} s  (count {total['count']},"
              f" arrival {total['arrival']['rate']}, completion {total['completion']['rate']},"
              f" quality {total['quality']['rate']}, return visit {total['return_visit']['rate']})")
    bench_line("repair_measures", f"{worst:.2f} s worst grouping over {args.repairs:,} repairs", "≤ 2 s",
               worst <= 2)


if __name__ == "__main__":
    main()

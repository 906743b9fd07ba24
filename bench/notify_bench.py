"""Benchmark: notifications (issue 5 item 6) on PostgreSQL.

    .venv/bin/python bench/notify_bench.py [--calls 1000] [--deliveries 3000] [--inbox 200000]
        [--db postgres://postgres@127.0.0.1:5432/linli_bench_notify]

Builds a throw-away PostgreSQL database (migrations, the test cast), then prints:

1. ``notify_staff`` per call (3 recipients, one with email) — new keys, then the same keys again
   (the dedupe path the sweep hits when it runs twice);
2. ``deliver_due`` throughput for ``--deliveries`` queued emails (locmem email backend), with one
   worker and with two concurrent workers (SKIP LOCKED claims), and checks each was sent once;
3. the inbox queries (unread count, first page) for one user among ``--inbox`` notifications
   spread over 200 staff;
4. ``next_allowed_moment`` and ``order_call_list`` (200 return visits) per call.

Asserts correctness (counts); asserts nothing about time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import prepare_database as _prepare_database  # noqa: E402
from benchdb import add_bench_args, bench_line, needs_postgres, scaled, setup_django  # noqa: E402


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"median {statistics.median(values) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, n={len(values)}"


def main() -> None:
    ap = argparse.ArgumentParser()
    add_bench_args(ap, "notify")
    ap.add_argument("--calls", type=int)
    ap.add_argument("--deliveries", type=int)
    ap.add_argument("--inbox", type=int)
    args = ap.parse_args()
    args.calls = args.calls or scaled(args.scale, 50, 1000, 1000)
    args.deliveries = args.deliveries or scaled(args.scale, 100, 3000, 3000)
    args.inbox = args.inbox or scaled(args.scale, 2000, 200_000, 2_000_000)
    if needs_postgres(args.db, [("notify_deliveries", "every email sent once, 4 workers")]):
        return  # concurrent workers on one database: PostgreSQL's row locks
    _prepare_database(args.db)
    setup_django(args.db, LINLI_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")

    from django.db import connection

    from apps.notify import actions, queries, quiet_hours
    from apps.notify.models import Delivery, DeliveryStatus, Notification
    from apps.org.tests.factories import build_cast
    from linli.clock import SHANGHAI

    cast = build_cast()
    cast.front_desk.email = "desk@example.cn"
    cast.front_desk.save(update_fields=["email"])
    people = [cast.front_desk, cast.supervisor, cast.cs_manager]
    now = dt.datetime(2026, 11, 23, 10, tzinfo=SHANGHAI)

    # 1. notify_staff
    for label in ("new keys", "same keys (dedupe)"):
        times = []
        for i in range(args.calls):
            s = time.perf_counter()
            actions.notify_staff(people, kind="deadline_warning", subject=f"即将超时 {i}", body="b", link="/tickets/1/",
                                  project=cast.project, dedupe_key=f"deadline-warn:{i}", now=now)
            times.append(time.perf_counter() - s)
        print(f"notify_staff, 3 recipients, {label}: {_ms(times)}")
    assert Notification.objects.count() == 3 * args.calls
    Delivery.objects.all().delete()

    # 2. deliver_due
    for workers in (1, 2):
        Delivery.objects.bulk_create([
            Delivery(channel="email", audience="staff", address=f"u{i}@example.cn", kind="k", subject="s", body="b",
                     created_at=now, next_attempt_at=now) for i in range(args.deliveries)])
        barrier = threading.Barrier(workers)

        def work() -> None:
            try:
                barrier.wait()
                actions.deliver_due(now, limit=10 * args.deliveries)
            finally:
                connection.close()

        s = time.perf_counter()
        threads = [threading.Thread(target=work) for _ in range(workers)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - s
        sent = Delivery.objects.filter(status=DeliveryStatus.SENT).count()
        attempts = sum(Delivery.objects.values_list("attempts", flat=True))
        assert sent == args.deliveries and attempts == args.deliveries, (sent, attempts)
        print(f"deliver_due, {workers} worker(s): {args.deliveries} emails in {elapsed:.2f} s "
              f"= {args.deliveries / elapsed:.0f}/s, each sent once")
        Delivery.objects.all().delete()

    # 3. inbox at scale
    from apps.org.models import User

    users = [User(username=f"bench{i}", display_name=f"员工{i}") for i in range(200)]
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith="bench"))
    batch = []
    for i in range(args.inbox):
        batch.append(Notification(recipient=users[i % 200], project=cast.project, kind="k", subject=f"s{i}", body="b",
                                  created_at=now - dt.timedelta(minutes=i), read_at=None if i % 7 == 0 else now))
        if len(batch) == 10_000:
            Notification.objects.bulk_create(batch)
            batch = []
    Notification.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute("ANALYZE notify_notification")
    me = users[3]
    counts, pages = [], []
    for _ in range(50):
        s = time.perf_counter()
        queries.unread_count(me)
        counts.append(time.perf_counter() - s)
        s = time.perf_counter()
        list(queries.inbox(me)[:30])
        pages.append(time.perf_counter() - s)
    print(f"inbox of 1 of 200 staff among {args.inbox} notices: unread count {_ms(counts)}; first page {_ms(pages)}")

    # 4. quiet hours
    w = quiet_hours.DEFAULT_WINDOWS
    s = time.perf_counter()
    n = 100_000
    for i in range(n):
        quiet_hours.next_allowed_moment(now + dt.timedelta(minutes=7 * i), w, SHANGHAI)
    print(f"next_allowed_moment: {(time.perf_counter() - s) / n * 1e6:.1f} µs per call")
    from types import SimpleNamespace

    items = [SimpleNamespace(project=cast.project if i % 2 else cast.other_project) for i in range(200)]
    times = []
    for _ in range(20):
        s = time.perf_counter()
        queries.order_call_list(items, now=now.replace(hour=12, minute=30))
        times.append(time.perf_counter() - s)
    print(f"order_call_list, 200 return visits in 2 projects: {_ms(times)}")
    bench_line("notify_deliveries", f"{args.deliveries} emails, each sent once", "every email sent once, 4 workers",
               True)  # the asserts above stop the bench otherwise


if __name__ == "__main__":
    main()

"""Benchmark: the role home pages (apps.home.queries) and a login with lockout bookkeeping, on
PostgreSQL with many tickets. Issue 2 item 8. Prints figures; asserts nothing about time.

    .venv/bin/python bench/home_bench.py [--tickets 200000] [--projects 30] [--repeat 5] \
        [--db postgres://postgres@127.0.0.1:5432/linli_bench_home]

Builds a throw-away database: the test cast plus ``--projects`` extra projects, a few real tickets
made through the actions (received, dispatched, some verified), then clones them with
``INSERT … SELECT generate_series`` into N tickets over a year, spread across the projects, their
deadlines and dispatches with them; 75 % of the clones are closed, 2 % hot and 0.5 % major. Then
times ``GET /`` for each role, and a failed and a successful login through /login/.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import TICKETS, add_bench_args, bench_line, clone_tickets, needs_postgres, setup_django, time_get  # noqa: E402
from benchdb import prepare_database as _prepare_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    add_bench_args(parser, "home")
    parser.add_argument("--tickets", type=int)
    parser.add_argument("--projects", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.tickets = args.tickets or TICKETS[args.scale] // 10
    if needs_postgres(args.db, [("home_page_worst", "≤ 100 ms")]):
        return
    _prepare_database(args.db)
    setup_django(args.db)

    from django.db import connection
    from django.test import Client

    from apps.org.tests.factories import ProjectFactory, build_cast
    from apps.tickets import actions
    from linli import clock

    cast = build_cast()
    extra = [ProjectFactory(company=cast.company, code=f"B{i:03d}", name=f"基准项目{i}") for i in range(args.projects)]
    project_ids = [cast.project.pk, cast.other_project.pk] + [p.pk for p in extra]
    now = clock.now()
    for i in range(6):
        t = actions.receive_ticket(project=cast.project, kind="complaint", channel="phone",
                                   content=f"模板{i}：楼道灯不亮", complainant_surname="王", phone="13800138888",
                                   agreed_feedback_at=now + dt.timedelta(hours=4), acting_user=cast.front_desk,
                                   now=now)
        if i % 2 == 0:
            actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker if i % 4 == 0 else None,
                                    acting_user=cast.front_desk, now=now, due_at=now + dt.timedelta(hours=2))

    n_p = len(project_ids)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        clone_tickets(cur, args.tickets, {
            "number": "'HB-' || lpad(g::text, 8, '0')",
            "received_at": "now() - (g * interval '1 minute') * (525600.0 / %s)" % args.tickets,
            "recorded_at": "now() - (g * interval '1 minute') * (525600.0 / %s)" % args.tickets,
            "content": "t.content || ' #' || g",
            "project_id": f"(ARRAY{project_ids})[1 + mod(g, {n_p})]",
            "status": "CASE WHEN mod(g, 4) <> 0 THEN 'closed' ELSE t.status END",
            "escalation_level": "CASE WHEN mod(g, 200) = 0 THEN 'major' WHEN mod(g, 50) = 0 THEN 'hot' "
                                "ELSE t.escalation_level END",
        })
        cur.execute("ANALYZE")
        cur.execute("SELECT count(*), count(*) FILTER (WHERE status <> 'closed') FROM tickets_ticket")
        total, open_ = cur.fetchone()
        cur.execute("SELECT count(*) FROM tickets_deadline WHERE met_at IS NULL AND due_at < now()")
        overdue = cur.fetchone()[0]
    print(f"loaded {total} tickets ({open_} open, {overdue} open overdue deadlines) over {n_p} projects "
          f"in {time.perf_counter() - t0:.1f} s")

    medians: list[float] = []

    def timed(label: str, c: Client, url: str) -> None:
        medians.append(time_get(label, c, url, repeat=args.repeat))

    print(f"home page GET / ({args.repeat} requests each):")
    for label, user in (("front desk (阳光花园)", cast.front_desk), ("butler", cast.butler),
                        ("supervisor", cast.supervisor), ("dept head (工程部)", cast.eng_head),
                        ("worker", cast.worker), (f"quality dept ({n_p} projects)", cast.quality_inspector),
                        ("leadership", cast.leader), ("sysadmin", cast.sysadmin)):
        c = Client()
        c.force_login(user)
        timed(label, c, "/")

    print("login through /login/ (lockout bookkeeping included):")
    for label, username, password in (("failed login (unknown user)", "ghost", "wrong"),
                                      ("successful login (password hash included)", "butler", "pw-Linli-2026")):
        times = []
        for i in range(args.repeat):
            c = Client()
            s = time.perf_counter()
            c.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=f"10.9.0.{i + 1}")
            times.append(time.perf_counter() - s)
        print(f"  {label:<44} median {statistics.median(times) * 1000:8.1f} ms   max {max(times) * 1000:8.1f} ms")

    bench_line("home_page_worst", f"{max(medians) * 1000:.0f} ms median, worst role, {args.tickets:,} tickets",
               "≤ 100 ms", max(medians) <= 0.1)


if __name__ == "__main__":
    main()

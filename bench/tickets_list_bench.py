"""Benchmark: the ticket list page and list endpoint with 200,000 tickets in PostgreSQL.

Issue 4 item 11. Prints time per request; asserts nothing about time.

    .venv/bin/python bench/tickets_list_bench.py [--tickets 200000] [--repeat 5] [--db postgres://…/linli_bench_list]

Builds a throw-away database: the test cast, a few real tickets made through the API (so every
column, deadline and event is what the actions write), then clones them with
``INSERT … SELECT generate_series`` into N tickets spread over two years, their deadlines with
them (a share open and overdue). Then times the list page (default, overdue filter, sort by due,
text search, department queue) and ``GET /api/v1/tickets`` as the front desk (one project) and as
the quality department (company level).
"""
from __future__ import annotations

import argparse
import json
import os
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
    add_bench_args(parser, "list")
    parser.add_argument("--tickets", type=int)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.tickets = args.tickets or TICKETS[args.scale]
    if needs_postgres(args.db, [("list_pages_worst", "≤ 100 ms")]):
        return
    _prepare_database(args.db)
    setup_django(args.db)

    import datetime as dt

    from django.db import connection
    from django.test import Client

    from apps.api.models import ApiToken
    from apps.org.tests.factories import build_cast
    from linli import clock

    cast = build_cast()
    _t, raw = ApiToken.issue(cast.front_desk, name="bench", now=clock.now())
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    channels = ["phone", "visit", "letter", "email", "online"]
    for i, channel in enumerate(channels):
        r = client.post("/api/v1/tickets", json.dumps({
            "project": cast.project.pk, "kind": "complaint",
            "channel": channel, "content": f"模板{i}：电梯经常停运", "complainant_surname": "李",
            "phone": "13800001111", "agreed_feedback_at": (clock.now() + dt.timedelta(hours=3)).isoformat(),
            "department": cast.eng_dept.pk,
        }), content_type="application/json", **auth)
        if r.status_code != 201:
            raise SystemExit(f"intake failed: {r.status_code} {r.content[:400]!r}")
        if i % 2 == 0:  # some templates carry an active 派工单, so the department queue has work
            r = client.post(f"/api/v1/tickets/{r.json()['id']}/dispatch",
                            json.dumps({"department": cast.eng_dept.pk}), content_type="application/json", **auth)
            if r.status_code != 200:
                raise SystemExit(f"dispatch failed: {r.status_code} {r.content[:400]!r}")

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        templates = clone_tickets(cur, args.tickets, {
            "number": "'BN-' || lpad(g::text, 7, '0')",
            "received_at": "now() - (g * interval '5 minutes')",
            "content": "t.content || ' #' || g",
            "project_id": f"CASE WHEN mod(g, 3) = 0 THEN {cast.other_project.pk} ELSE {cast.project.pk} END",
            "department_id": f"CASE WHEN mod(g, 3) = 0 THEN NULL ELSE {cast.eng_dept.pk} END",
        })
        cur.execute("VACUUM ANALYZE")  # steady state: autovacuum has run (index-only counts)
        cur.execute("SELECT count(*) FROM tickets_ticket")
        total = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM tickets_deadline WHERE met_at IS NULL AND due_at < now()")
        overdue = cur.fetchone()[0]
    print(f"loaded {total} tickets ({overdue} open overdue deadlines) in {time.perf_counter() - t0:.1f} s")

    medians: dict[str, float] = {}

    def timed(label: str, c: Client, url: str, **extra: str) -> None:
        medians[label] = time_get(label, c, url, repeat=args.repeat, width=48, **extra)

    desk = Client()
    desk.force_login(cast.front_desk)
    quality = Client()
    quality.force_login(cast.quality_inspector)
    print(f"list page /tickets/ ({args.repeat} requests each, 50 rows a page):")
    for who, c in (("front desk (阳光花园)", desk), ("quality dept (all projects)", quality)):
        timed(f"{who}: default (newest first)", c, "/tickets/")
        timed(f"{who}: overdue only, sorted by due", c, "/tickets/?overdue=yes&sort=due")
        timed(f"{who}: open, sort by due", c, "/tickets/?state=open&sort=due")
        timed(f"{who}: text search '电梯'", c, "/tickets/?q=%E7%94%B5%E6%A2%AF")
        timed(f"{who}: page 100", c, "/tickets/?page=100")
    timed("department queue (eng head)", _login(cast.eng_head), "/tickets/queue/department/")
    timed("ticket detail page", desk, f"/tickets/{templates[0]}/")
    print("API GET /api/v1/tickets (50 items):")
    timed("front desk: default", client, "/api/v1/tickets", **auth)
    timed("front desk: overdue, sort by due", client, "/api/v1/tickets?overdue=yes&sort=due", **auth)
    lists = {k: v for k, v in medians.items() if "detail" not in k}
    worst = max(lists, key=lambda k: lists[k])
    bench_line("list_pages_worst", f"{lists[worst] * 1000:.0f} ms median ({worst}), {total:,} tickets", "≤ 100 ms",
               lists[worst] <= 0.1)


def _login(user: object) -> object:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


if __name__ == "__main__":
    main()

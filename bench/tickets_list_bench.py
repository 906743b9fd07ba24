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
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import prepare_database as _prepare_database  # noqa: E402
from benchdb import setup_django  # noqa: E402
from tickets_intake_bench import _child_tables  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default=os.environ.get("LINLI_BENCH_LIST_DATABASE_URL",
                                                       "postgres://postgres@127.0.0.1:5432/linli_bench_list"))
    args = parser.parse_args()
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
        cur.execute("SELECT id FROM tickets_ticket ORDER BY id")
        templates = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'tickets_ticket' "
                    "AND table_schema = 'public' ORDER BY ordinal_position")
        tcols = [r[0] for r in cur.fetchall() if r[0] != "id"]
        cur.execute("SELECT DISTINCT status FROM tickets_ticket")
        override = {
            "number": "'BN-' || lpad(g::text, 7, '0')",
            "received_at": "now() - (g * interval '5 minutes')",
            "content": "t.content || ' #' || g",
            "project_id": f"CASE WHEN mod(g, 3) = 0 THEN {cast.other_project.pk} ELSE {cast.project.pk} END",
        }
        if "department_id" in tcols:
            override["department_id"] = f"CASE WHEN mod(g, 3) = 0 THEN NULL ELSE {cast.eng_dept.pk} END"
        select = ", ".join(override.get(c, f't."{c}"') for c in tcols)
        n_t = len(templates)
        cur.execute("CREATE TEMP TABLE bench_map (new_id bigint, template_id bigint)")
        cur.execute(
            f"WITH ins AS (INSERT INTO tickets_ticket ({', '.join(chr(34) + c + chr(34) for c in tcols)}) "
            f"SELECT {select} FROM generate_series(1, %s) g JOIN tickets_ticket t "
            f"ON t.id = (ARRAY{templates})[1 + mod(g, {n_t})] RETURNING id, content) "
            "INSERT INTO bench_map SELECT id, 0 FROM ins", [args.tickets])
        # map each clone back to its template: the clone's content ends with " #g"
        cur.execute(
            f"UPDATE bench_map m SET template_id = (ARRAY{templates})[1 + split_part(n.content, ' #', 2)::int % {n_t}] "
            "FROM tickets_ticket n WHERE n.id = m.new_id")
        for table in _child_tables(cur):
            if table == "tickets_ticket":
                continue
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                        "AND table_schema = 'public' ORDER BY ordinal_position", [table])
            cols = [r[0] for r in cur.fetchall() if r[0] != "id"]
            shift = {"due_at": "c.due_at - (now() - n.received_at)", "warn_at": "c.warn_at - (now() - n.received_at)",
                     "limit_due_at": "c.limit_due_at - (now() - n.received_at)", "start_at": "n.received_at",
                     "at": "n.received_at", "created_at": "n.received_at", "dispatched_at": "n.received_at"}
            sel = ", ".join("m.new_id" if c == "ticket_id" else shift.get(c, f'c."{c}"') for c in cols)
            quoted = ", ".join(f'"{c}"' for c in cols)
            cur.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {sel} FROM bench_map m '
                        f'JOIN tickets_ticket n ON n.id = m.new_id JOIN "{table}" c ON c.ticket_id = m.template_id')
        cur.execute("VACUUM ANALYZE")  # steady state: autovacuum has run (index-only counts)
        cur.execute("SELECT count(*) FROM tickets_ticket")
        total = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM tickets_deadline WHERE met_at IS NULL AND due_at < now()")
        overdue = cur.fetchone()[0]
    print(f"loaded {total} tickets ({overdue} open overdue deadlines) in {time.perf_counter() - t0:.1f} s")

    def timed(label: str, c: Client, url: str, **extra: str) -> None:
        c.get(url, **extra)  # warm
        times = []
        for _ in range(args.repeat):
            s = time.perf_counter()
            r = c.get(url, **extra)
            times.append(time.perf_counter() - s)
            if r.status_code != 200:
                raise SystemExit(f"{url}: {r.status_code}")
        print(f"  {label:<48} median {statistics.median(times) * 1000:8.1f} ms   max {max(times) * 1000:8.1f} ms")

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


def _login(user: object) -> object:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


if __name__ == "__main__":
    main()

"""Benchmark: ticket intake over the REST API on PostgreSQL vs raw psycopg inserts of the same rows.

Issue 4 item 11. Prints figures; asserts nothing about time.

    .venv/bin/python bench/tickets_intake_bench.py [--n 300] [--db postgres://postgres@127.0.0.1:5432/linli_bench_intake]

1. builds a throw-away database (dropped and re-created), migrates, loads the test cast;
2. posts N tickets to ``POST /api/v1/tickets`` with a Bearer token through Django's test client
   (the full stack: auth, validation, numbering, deadline stamping, events, serialisation), one
   request per ticket, each its own transaction;
3. copies exactly the rows those requests wrote (the ticket row and every row in a table with a
   ``ticket_id`` column: deadlines, events …) and inserts them again with plain psycopg, one
   transaction per ticket, prepared statements;
4. prints both rates and their ratio.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import add_bench_args, bench_line, child_tables, needs_postgres, setup_django  # noqa: E402
from benchdb import prepare_database as _prepare_database  # noqa: E402


def _q(column: str) -> str:
    return f'"{column}"'


def main() -> None:
    parser = argparse.ArgumentParser()
    add_bench_args(parser, "intake")
    parser.add_argument("--n", type=int)
    args = parser.parse_args()
    args.n = args.n or (20 if args.scale == "tiny" else 300)
    if needs_postgres(args.db, [("complaint_intake_vs_raw_insert", "≥ 0.5×")]):
        return  # the comparison is a raw psycopg insert
    _prepare_database(args.db)
    setup_django(args.db)

    import datetime as dt

    import psycopg
    from django.db import connection
    from django.test import Client

    from apps.api.models import ApiToken
    from apps.org.tests.factories import build_cast
    from linli import clock

    cast = build_cast()
    _token, raw = ApiToken.issue(cast.front_desk, name="bench", now=clock.now())
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    channels = ["phone", "visit", "letter", "email", "online", "suggestion_box"]
    base = clock.now() - dt.timedelta(hours=2)

    def body(i: int) -> str:
        import json

        return json.dumps({
            "project": cast.project.pk, "kind": "complaint", "channel": channels[i % len(channels)],
            "content": f"第{i}号：楼道灯不亮，晚上出入不便", "complainant_surname": "王", "phone": f"1380000{i:04d}",
            "received_at": (base + dt.timedelta(seconds=i % 3600)).isoformat(),
            "agreed_feedback_at": (base + dt.timedelta(hours=20)).isoformat(),
        })

    # warm-up (imports, first queries) — not counted
    for i in range(5):
        r = client.post("/api/v1/tickets", body(10_000 + i), content_type="application/json", **auth)
        if r.status_code != 201:
            raise SystemExit(f"intake failed: {r.status_code} {r.content[:500]!r}")

    t0 = time.perf_counter()
    ids = []
    for i in range(args.n):
        r = client.post("/api/v1/tickets", body(i), content_type="application/json", **auth)
        if r.status_code != 201:
            raise SystemExit(f"intake failed: {r.status_code} {r.content[:500]!r}")
        ids.append(r.json()["id"])
    api_seconds = time.perf_counter() - t0

    # the same rows, raw
    with connection.cursor() as cur:
        children = child_tables(cur)
        cur.execute("SELECT * FROM tickets_ticket WHERE id = ANY(%s) ORDER BY id", [ids])
        tcols = [c.name for c in cur.description]
        tickets = cur.fetchall()
        child_rows: dict[str, tuple[list[str], dict[int, list[tuple]]]] = {}
        for table in children:
            cur.execute(f'SELECT * FROM "{table}" WHERE ticket_id = ANY(%s) ORDER BY id', [ids])
            cols = [c.name for c in cur.description]
            per: dict[int, list[tuple]] = {}
            for row in cur.fetchall():
                per.setdefault(row[cols.index("ticket_id")], []).append(row)
            child_rows[table] = (cols, per)
        # the field history row django-simple-history writes with each ticket (keyed by the ticket id)
        cur.execute("SELECT * FROM tickets_historicalticket WHERE id = ANY(%s) ORDER BY history_id", [ids])
        hcols = [c.name for c in cur.description]
        history: dict[int, list[tuple]] = {}
        for row in cur.fetchall():
            history.setdefault(row[hcols.index("id")], []).append(row)
    connection.close()

    rows_per_ticket = 1 + len(history.get(ids[0], [])) + sum(
        len(per.get(ids[0], [])) for _t, (_c, per) in child_rows.items())
    h_ins = [c for c in hcols if c != "history_id"]
    h_sql = f'INSERT INTO tickets_historicalticket ({", ".join(_q(c) for c in h_ins)}) VALUES ({", ".join(["%s"] * len(h_ins))})'
    h_number = h_ins.index("number")
    t_ins = [c for c in tcols if c != "id"]
    t_sql = (f'INSERT INTO tickets_ticket ({", ".join(_q(c) for c in t_ins)}) VALUES ({", ".join(["%s"] * len(t_ins))}) '
             "RETURNING id")
    number_at = t_ins.index("number") if "number" in t_ins else None
    child_sql = {}
    for table, (cols, _per) in child_rows.items():
        ins = [c for c in cols if c != "id"]
        child_sql[table] = (ins, f'INSERT INTO "{table}" ({", ".join(_q(c) for c in ins)}) VALUES ({", ".join(["%s"] * len(ins))})')

    import json as _json

    def adapt(v: object) -> object:
        return psycopg.types.json.Jsonb(v) if isinstance(v, (dict, list)) else v

    with psycopg.connect(args.db) as conn:
        t0 = time.perf_counter()
        for row in tickets:
            values = [adapt(v) for c, v in zip(tcols, row, strict=True) if c != "id"]
            if number_at is not None:
                values[number_at] = f"RAW-{values[number_at]}"
            with conn.transaction():
                new_id = conn.execute(t_sql, values, prepare=True).fetchone()[0]
                old_id = row[tcols.index("id")]
                for hrow in history.get(old_id, []):
                    hvals = [new_id if c == "id" else adapt(v) for c, v in zip(hcols, hrow, strict=True)
                             if c != "history_id"]
                    hvals[h_number] = f"RAW-{hvals[h_number]}"
                    conn.execute(h_sql, hvals, prepare=True)
                for table, (cols, per) in child_rows.items():
                    ins, sql = child_sql[table]
                    for crow in per.get(old_id, []):
                        cvals = [new_id if c == "ticket_id" else adapt(v) for c, v in zip(cols, crow, strict=True)
                                 if c != "id"]
                        conn.execute(sql, cvals, prepare=True)
        raw_seconds = time.perf_counter() - t0
    _ = _json

    api_rate = args.n / api_seconds
    raw_rate = len(tickets) / raw_seconds
    print(f"tickets: {args.n}; rows per ticket: {rows_per_ticket} (ticket, its history row, and rows in "
          f"{', '.join(t for t, (_c, per) in child_rows.items() if per) or 'no child tables'})")
    print(f"API intake  (POST /api/v1/tickets, PostgreSQL): {api_rate:8.1f} tickets/s  ({api_seconds * 1000 / args.n:.2f} ms each)")
    print(f"raw psycopg (same rows, 1 transaction/ticket):  {raw_rate:8.1f} tickets/s  ({raw_seconds * 1000 / len(tickets):.2f} ms each)")
    print(f"ratio raw/API: {raw_rate / api_rate:.1f}×  (API reaches {100 * api_rate / raw_rate:.1f}% of the raw insert rate)")
    print(f"at {api_rate:.0f}/s the API takes {5000 / api_rate:.1f} s for a large company's 5,000 tickets/day")
    bench_line("complaint_intake_vs_raw_insert", f"{api_rate / raw_rate:.3f}× ({api_rate:.1f}/s vs {raw_rate:.0f}/s)",
               "≥ 0.5×", api_rate / raw_rate >= 0.5)


if __name__ == "__main__":
    main()

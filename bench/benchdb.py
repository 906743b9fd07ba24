"""Shared set-up of the PostgreSQL benchmarks: a throw-away database and Django on it.

Not a benchmark itself (``make bench`` runs ``bench/*_bench.py``)."""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent

# The data generator's sizes (docs/performance.md "Benchmarks"): ``tiny`` for CI (seconds, no
# target is meaningful), ``small`` ≈ 200k tickets, ``company`` = 2 M tickets (ARCHITECTURE "Scale").
SCALES = ("tiny", "small", "company")
TICKETS = {"tiny": 2_000, "small": 200_000, "company": 2_000_000}


def add_bench_args(parser: argparse.ArgumentParser, name: str) -> None:
    """``--scale`` (default ``$LINLI_BENCH_SCALE`` or small) and ``--db``: the database from
    ``$LINLI_BENCH_DATABASE_URL`` (``postgres://…/name`` — dropped and created — or
    ``sqlite:///path``); without it a SQLite file under the temp directory. Nothing is hard-coded."""
    parser.add_argument("--scale", choices=SCALES, default=os.environ.get("LINLI_BENCH_SCALE", "small"))
    parser.add_argument("--db", default=os.environ.get("LINLI_BENCH_DATABASE_URL")
                        or f"sqlite:///{tempfile.gettempdir()}/linli_bench_{name}.sqlite3")


def scaled(scale: str, tiny: int, small: int, company: int) -> int:
    return {"tiny": tiny, "small": small, "company": company}[scale]


def is_postgres(url: str) -> bool:
    return urlparse(url).scheme in ("postgres", "postgresql")


def bench_line(name: str, measured: str, target: str, passed: bool) -> None:
    """The summary line every bench ends with (issue 15): ``BENCH <name>: <measured> (target <target>) PASS|FAIL``."""
    print(f"BENCH {name}: {measured} (target {target}) {'PASS' if passed else 'FAIL'}", flush=True)


def needs_postgres(url: str, lines: list[tuple[str, str]]) -> bool:
    """True when ``url`` is SQLite: the bench's generator is PostgreSQL SQL (generate_series, intervals),
    so it prints its summary lines as not measured (FAIL: the target is not shown) and stops."""
    if is_postgres(url):
        return False
    print("this bench generates its data with PostgreSQL SQL: set LINLI_BENCH_DATABASE_URL=postgres://…")
    for name, target in lines:
        bench_line(name, "not measured on SQLite", target, False)
    return True


def prepare_database(url: str) -> None:
    """Drop and create the database named in ``url`` (postgres://…/name); for ``sqlite:///path``
    remove the file."""
    if not is_postgres(url):
        path = Path(url[len("sqlite:///"):])
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        if _sqlite_template().exists():
            shutil.copyfile(_sqlite_template(), path)
        return
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [_pg_template(name)]).fetchone()
        template = f' TEMPLATE "{_pg_template(name)}"' if exists else ""
        conn.execute(f'CREATE DATABASE "{name}"{template}')


def _migrations_key() -> str:
    """Changes whenever a migration file does: a migrated template is reused only while it is current."""
    digest = hashlib.sha1()  # noqa: S324 - a cache key
    for f in sorted((ROOT / "apps").glob("*/migrations/*.py")):
        digest.update(str(f.relative_to(ROOT)).encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:10]


def _sqlite_template() -> Path:
    return Path(tempfile.gettempdir()) / f"linli_bench_template_{_migrations_key()}.sqlite3"


def _pg_template(name: str) -> str:
    return f"{name[:40]}_tpl_{_migrations_key()}"


def _save_template(url: str) -> None:
    """Keep the freshly migrated database as a template, so the next bench skips the migrations
    (seconds instead of a minute: what lets CI run every bench)."""
    from django.db import connection

    connection.close()
    if not is_postgres(url):
        if not _sqlite_template().exists():
            shutil.copyfile(url[len("sqlite:///"):], _sqlite_template())
        return
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [_pg_template(name)]).fetchone():
            conn.execute(f'CREATE DATABASE "{_pg_template(name)}" TEMPLATE "{name}"')


def setup_django(url: str, **env: str) -> None:
    """Point Linli's settings at ``url`` (production-like: DEBUG off), set ``env``, migrate."""
    os.environ["LINLI_DATABASE_URL"] = url
    os.environ.setdefault("LINLI_MODE", "embedded")
    os.environ["LINLI_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    for key, value in env.items():
        os.environ.setdefault(key, value)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    _save_template(url)


def child_tables(cur: object) -> list[str]:
    """The tables below ``tickets_ticket`` (a ``ticket_id`` column), excluding history tables."""
    cur.execute(  # type: ignore[attr-defined]
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'ticket_id' "
        "AND table_schema = 'public' AND table_name LIKE 'tickets_%%' AND table_name NOT LIKE '%%historical%%' "
        "ORDER BY table_name"
    )
    return [r[0] for r in cur.fetchall()]  # type: ignore[attr-defined]


def _columns(cur: object, table: str) -> list[str]:
    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "  # type: ignore[attr-defined]
                "AND table_schema = 'public' ORDER BY ordinal_position", [table])
    return [r[0] for r in cur.fetchall() if r[0] != "id"]  # type: ignore[attr-defined]


# Child-row timestamps follow their clone: shifted by how far the clone's received_at lies before now.
_SHIFT = {"due_at": "c.due_at - (now() - n.received_at)", "warn_at": "c.warn_at - (now() - n.received_at)",
          "limit_due_at": "c.limit_due_at - (now() - n.received_at)", "start_at": "n.received_at",
          "at": "n.received_at", "created_at": "n.received_at", "dispatched_at": "n.received_at"}


def clone_tickets(cur: object, count: int, override: dict[str, str]) -> list[int]:
    """Clone the tickets already in the database (made through the real actions: the templates) into
    ``count`` new tickets with one ``INSERT … SELECT generate_series``, and their child rows
    (deadlines, dispatches, events …) with them. ``override`` maps a ticket column to an SQL
    expression over ``g`` (1…count) and ``t`` (the template row); it must keep ``content`` ending in
    ``' #' || g``, which maps each clone back to its template. Returns the template ids."""
    cur.execute("SELECT id FROM tickets_ticket ORDER BY id")  # type: ignore[attr-defined]
    templates = [r[0] for r in cur.fetchall()]  # type: ignore[attr-defined]
    n_t = len(templates)
    tcols = _columns(cur, "tickets_ticket")
    select = ", ".join(override.get(c, f't."{c}"') for c in tcols)
    cur.execute("CREATE TEMP TABLE bench_map (new_id bigint, template_id bigint)")  # type: ignore[attr-defined]
    cur.execute(  # type: ignore[attr-defined]
        f"WITH ins AS (INSERT INTO tickets_ticket ({', '.join(chr(34) + c + chr(34) for c in tcols)}) "
        f"SELECT {select} FROM generate_series(1, %s) g JOIN tickets_ticket t "
        f"ON t.id = (ARRAY{templates})[1 + mod(g, {n_t})] RETURNING id, content) "
        "INSERT INTO bench_map SELECT id, 0 FROM ins", [count])
    cur.execute(  # type: ignore[attr-defined]
        f"UPDATE bench_map m SET template_id = (ARRAY{templates})[1 + split_part(n.content, ' #', 2)::int % {n_t}] "
        "FROM tickets_ticket n WHERE n.id = m.new_id")
    for table in child_tables(cur):
        if table == "tickets_ticket":
            continue
        cols = _columns(cur, table)
        sel = ", ".join("m.new_id" if c == "ticket_id" else _SHIFT.get(c, f'c."{c}"') for c in cols)
        quoted = ", ".join(f'"{c}"' for c in cols)
        cur.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {sel} FROM bench_map m '  # type: ignore[attr-defined]
                    f'JOIN tickets_ticket n ON n.id = m.new_id JOIN "{table}" c ON c.ticket_id = m.template_id')
    return templates


def time_get(label: str, client: object, url: str, *, repeat: int, width: int = 44, **extra: str) -> float:
    """GET ``url`` once to warm up, then ``repeat`` times; print the median and the maximum; return the median (s)."""
    import statistics
    import time

    client.get(url, **extra)  # type: ignore[attr-defined]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, **extra)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
    print(f"  {label:<{width}} median {statistics.median(times) * 1000:8.1f} ms   max {max(times) * 1000:8.1f} ms")
    return statistics.median(times)

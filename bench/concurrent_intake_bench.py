"""Benchmark: concurrent API intake with Idempotency-Key through a kill -9 of the server (issue 14 item 8).

    LINLI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench_concurrent \\
        .venv/bin/python bench/concurrent_intake_bench.py [--clients 200] [--per-client 3] [--drop]

1. a throw-away PostgreSQL database (dropped and re-created), migrated, with the test cast and one API
   token per client (the desk clerk's);
2. a real server: gunicorn (gthread workers) on that database, API rate limits off;
3. ``--clients`` threads post ``--per-client`` complaints each to ``POST /api/v1/tickets``, each with its
   own ``Idempotency-Key``; a request that fails (connection refused or reset, timeout, 5xx) is
   retried with the same key and the same body until it is answered 200/201 (or the time limit);
4. once about a third of the intakes are answered, the whole server (master and workers) gets
   SIGKILL; it is restarted after ``--down`` seconds, and the clients carry on retrying;
5. after the run, the pending durable jobs are run once more (as ``manage.py run_jobs`` / beat would),
   then the database is checked.

Prints ``BENCH concurrent_intake_<figure>: <measured> (target <t>) PASS|FAIL`` lines:
duplicates (two tickets for one key), lost (a key without its ticket, or an answered id that is not
that key's ticket), half-written (a ticket without its deadlines or its intake event), stuck keys
(an idempotency row without a stored answer, or a retry still refused at the end), failed reactions
(durable jobs not done after the drain), server errors seen by the clients after the restart, and the
throughput and latency of the answered requests. With ``--drop`` the database (and its migrated
template) is dropped at the end.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import _pg_template, bench_line, is_postgres, prepare_database, setup_django  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn on the bench database, in its own process group (so kill -9 takes every worker)."""

    def __init__(self, db: str, port: int, workers: int, threads: int, log: Path) -> None:
        self.db, self.port, self.workers, self.threads, self.log = db, port, workers, threads, log
        self.proc: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        for key in ("LINLI_REDIS_URL", "LINLI_CACHE_URL"):
            env.pop(key, None)
        env.update({"LINLI_DATABASE_URL": self.db, "LINLI_MODE": "embedded", "LINLI_DEBUG": "false",
                    "LINLI_ALLOWED_HOSTS": "127.0.0.1,localhost", "LINLI_API_THROTTLE_USER": "off",
                    "LINLI_API_THROTTLE_IP": "off", "LINLI_LOG_LEVEL": "ERROR", "LINLI_DB_CONN_MAX_AGE": "0",
                    "DJANGO_SETTINGS_MODULE": "linli.settings"})
        return env

    def start(self) -> float:
        t0 = time.perf_counter()
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [gunicorn, "linli.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers), "-k", "gthread",
                 "--threads", str(self.threads), "--timeout", "120", "--backlog", "2048"],
                cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 240  # a busy CI machine boots slowly
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                # the health page, not the OpenAPI document: building that schema in every worker while
                # the clients retry made the restart look minutes long on a busy machine
                conn.request("GET", "/healthz?scope=web")
                if conn.getresponse().status == 200:
                    return time.perf_counter() - t0
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn did not start: see {self.log}")

    def kill9(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)  # the master and every worker, mid-request
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.attempts = 0
        self.retries = 0
        self.errors: dict[str, int] = {}
        self.server_errors_after_restart = 0
        self.answered: dict[str, tuple[int, int]] = {}  # key → (status, ticket id)
        self.unanswered: list[str] = []
        self.restarted = threading.Event()

    def error(self, kind: str, after_restart: bool) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if after_restart and kind.startswith("http 5"):
                self.server_errors_after_restart += 1


def client_run(port: int, token: str, keys_bodies: list[tuple[str, bytes]], stats: Stats, give_up_at: float,
               start: threading.Event) -> None:
    start.wait()
    headers_base = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for key, body in keys_bodies:
        delay = 0.05
        while True:
            if time.time() > give_up_at:
                with stats.lock:
                    stats.unanswered.append(key)
                break
            with stats.lock:
                stats.attempts += 1
            t0 = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("POST", "/api/v1/tickets", body=body, headers={**headers_base, "Idempotency-Key": key})
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
            except (OSError, http.client.HTTPException) as exc:
                stats.error(type(exc).__name__, stats.restarted.is_set())
            else:
                if resp.status in (200, 201):
                    with stats.lock:
                        stats.latencies.append(time.perf_counter() - t0)
                        stats.answered[key] = (resp.status, int(json.loads(data)["id"]))
                    break
                stats.error(f"http {resp.status}", stats.restarted.is_set())
                if resp.status < 500 and resp.status not in (409, 429):
                    with stats.lock:
                        stats.unanswered.append(key)
                    print(f"refused {key}: {resp.status} {data[:300]!r}", flush=True)
                    break
            with stats.lock:
                stats.retries += 1
            time.sleep(delay * (1 + random.random()))  # noqa: S311 - jitter
            delay = min(delay * 2, 2.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=os.environ.get("LINLI_BENCH_DATABASE_URL")
                        or "postgres://postgres@127.0.0.1:5432/linli_bench_concurrent")
    parser.add_argument("--clients", type=int, default=None,
                        help="default 200 (the issue's figure); 30 at --scale tiny, as CI runs it")
    parser.add_argument("--per-client", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--down", type=float, default=2.0, help="seconds the server stays dead")
    parser.add_argument("--kill-at", type=float, default=0.33, help="fraction of intakes answered before kill -9")
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--drop", action="store_true", help="drop the database and its template at the end")
    parser.add_argument("--scale", default=os.environ.get("LINLI_BENCH_SCALE", "small"),
                        help="tiny (CI: 30 clients, so that the script cannot rot) or small/company (200 clients)")
    args = parser.parse_args()
    if args.clients is None:
        args.clients = 30 if args.scale == "tiny" else 200
    if not is_postgres(args.db):
        print("this bench needs PostgreSQL: set LINLI_BENCH_DATABASE_URL=postgres://…")
        bench_line("concurrent_intake_duplicates", "not measured on SQLite", "0", False)
        return

    prepare_database(args.db)
    setup_django(args.db, LINLI_API_THROTTLE_USER="off", LINLI_API_THROTTLE_IP="off")
    import datetime as dt

    from django.db import connection

    from apps.api.models import ApiToken, IdempotentRequest
    from apps.core import jobs
    from apps.core.models import Job, JobState
    from apps.org.tests.factories import build_cast
    from apps.tickets.models import Deadline, Ticket, TicketEvent
    from linli import clock

    cast = build_cast()
    now = clock.now()
    tokens = [ApiToken.issue(cast.front_desk, name=f"bench-{i}", now=now)[1] for i in range(args.clients)]
    run_id = uuid.uuid4().hex[:8]
    received = (now - dt.timedelta(minutes=5)).isoformat()
    agreed = (now + dt.timedelta(hours=20)).isoformat()
    work: list[list[tuple[str, bytes]]] = []
    for c in range(args.clients):
        mine = []
        for j in range(args.per_client):
            key = f"bench-{run_id}-{c:03d}-{j}"
            mine.append((key, json.dumps({
                "project": cast.project.pk, "kind": "complaint", "channel": "phone",
                "content": f"并发受理 {key}：楼道灯不亮", "complainant_surname": "王",
                "phone": f"138{c:04d}{j:04d}", "received_at": received, "agreed_feedback_at": agreed,
            }).encode()))
        work.append(mine)
    total = args.clients * args.per_client
    connection.close()

    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"concurrent_intake_{run_id}.log"
    server = Server(args.db, _free_port(), args.workers, args.threads, log)
    boot = server.start()
    print(f"server up in {boot:.1f} s on port {server.port} ({args.workers} workers × {args.threads} threads); "
          f"{args.clients} clients × {args.per_client} intakes = {total}", flush=True)

    stats = Stats()
    start = threading.Event()
    give_up_at = time.time() + args.time_limit
    threads = [threading.Thread(target=client_run, args=(server.port, tokens[c], work[c], stats, give_up_at, start),
                                daemon=True) for c in range(args.clients)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    start.set()
    killed_after = restart_took = None
    try:
        while len(stats.answered) < total * args.kill_at and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        killed_after = len(stats.answered)
        server.kill9()
        kill_at = time.perf_counter() - t0
        print(f"kill -9 at {kill_at:.1f} s after {killed_after} answered intakes", flush=True)
        time.sleep(args.down)
        restart_took = server.start()
        stats.restarted.set()
        print(f"restarted in {restart_took:.1f} s", flush=True)
        for t in threads:
            t.join(timeout=max(1.0, give_up_at - time.time()))
        elapsed = time.perf_counter() - t0
    finally:
        server.stop()

    # the periodic work after the restart: pending reactions run (retries are due at once for the check)
    ran = jobs.run_pending(now=clock.now() + dt.timedelta(days=1))
    jobs.run_pending(now=clock.now() + dt.timedelta(days=2))

    tickets = list(Ticket.objects.filter(content__startswith=f"并发受理 bench-{run_id}-").values_list("pk", "content"))
    by_key: dict[str, list[int]] = {}
    for pk, content in tickets:
        by_key.setdefault(content.split(" ", 1)[1].split("：", 1)[0], []).append(pk)
    keys = [k for mine in work for k, _ in mine]
    duplicates = sum(len(v) - 1 for v in by_key.values() if len(v) > 1)
    missing = [k for k in keys if k not in by_key]
    wrong_id = [k for k, (_s, pk) in stats.answered.items() if pk not in by_key.get(k, [])]
    lost = len(missing) + len(wrong_id)
    ids = [pk for pk, _c in tickets]
    with_deadlines = set(Deadline.objects.filter(ticket_id__in=ids).values_list("ticket_id", flat=True))
    with_events = set(TicketEvent.objects.filter(ticket_id__in=ids).values_list("ticket_id", flat=True))
    half = len([pk for pk in ids if pk not in with_deadlines or pk not in with_events])
    unanswered_rows = IdempotentRequest.objects.filter(key__startswith=f"bench-{run_id}-", status_code__isnull=True).count()
    stuck = unanswered_rows + len(stats.unanswered)
    failed_jobs = Job.objects.exclude(state=JobState.DONE).count()
    retried_jobs = Job.objects.filter(state=JobState.DONE, attempts__gt=1).count()
    lat = sorted(stats.latencies)
    p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")

    print(f"requests sent {stats.attempts}, retries {stats.retries}, errors seen by clients {stats.errors}")
    print(f"tickets {len(tickets)} for {total} keys; answered {len(stats.answered)}; jobs run after restart {ran}; "
          f"jobs done only after a retry {retried_jobs}")
    bench_line("concurrent_intake_duplicates", str(duplicates), "0", duplicates == 0)
    bench_line("concurrent_intake_lost", f"{lost} (missing {len(missing)}, wrong id {len(wrong_id)})", "0", lost == 0)
    bench_line("concurrent_intake_half_written", str(half), "0", half == 0)
    bench_line("concurrent_intake_stuck_keys", f"{stuck} (unanswered rows {unanswered_rows}, "
               f"given up {len(stats.unanswered)})", "0", stuck == 0)
    bench_line("concurrent_intake_failed_reactions", str(failed_jobs), "0", failed_jobs == 0)
    bench_line("concurrent_intake_server_errors_after_restart", str(stats.server_errors_after_restart), "0",
               stats.server_errors_after_restart == 0)
    bench_line("concurrent_intake_killed_mid_run", f"after {killed_after} of {total}, restart {restart_took:.1f} s",
               "killed with intakes outstanding", killed_after is not None and killed_after < total)
    rate = len(stats.answered) / elapsed if elapsed else 0.0
    bench_line("concurrent_intake_throughput", f"{rate:.1f} intakes/s over {elapsed:.1f} s incl. the outage",
               "report", True)
    median = statistics.median(lat) if lat else float("nan")
    bench_line("concurrent_intake_latency", f"median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms", "report", True)

    connection.close()
    if args.drop:
        import psycopg

        parsed = urlparse(args.db)
        name = parsed.path.lstrip("/")
        with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP DATABASE IF EXISTS "{_pg_template(name)}" WITH (FORCE)')
        print(f"dropped {name} and its template")


if __name__ == "__main__":
    main()

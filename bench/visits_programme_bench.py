"""Benchmark: next-visit due dates and coverage of the visit programme, set-based (issue 22).

    .venv/bin/python bench/visits_programme_bench.py [--scale tiny|small|company] [--db URL] [--households N]

Data (the generator): the test cast; ``--households`` occupied households (tiny 3,000, small 30,000,
company 300,000) of one project in 60 buildings, each building with a steward; about 80 % of them
with one to three periodic visits in the last 15 months and 5 % elderly living alone, 3 % new owners
(moved in within the last 30 days), all written with ``bulk_create``.

Measures (each one SQL statement, whatever the number of households — the query counts are printed):
* the overdue count of the whole project (``programme.households_due(...).filter(overdue=True).count()``);
* the first page (50 rows) of the overdue list with each row's due date (the programme page);
* coverage of the current period per building and per butler (``programme.coverage``).
Works on SQLite and PostgreSQL; ends with ``BENCH`` lines.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import add_bench_args, bench_line, prepare_database, scaled, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    add_bench_args(parser, "visits_programme")
    parser.add_argument("--households", type=int)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.households or scaled(args.scale, 3_000, 30_000, 300_000)
    prepare_database(args.db)
    setup_django(args.db)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.estates.models import Building, Household
    from apps.org.tests.factories import build_cast
    from apps.visits import programme
    from apps.visits.models import Visit
    from linli import clock

    now = clock.now().replace(microsecond=0)
    today = now.astimezone(clock.SHANGHAI).date()
    cast = build_cast()
    project = cast.project
    rng = random.Random(22)
    t0 = time.perf_counter()
    buildings = Building.objects.bulk_create([Building(project=project, name=f"{i}栋", sort_key=i, steward=cast.butler
                                                       if i % 2 else cast.supervisor) for i in range(1, 61)])
    batch: list[Household] = []
    for i in range(n):
        b = buildings[i % 60]
        move_in = today - dt.timedelta(days=rng.randrange(1, 30)) if rng.random() < 0.03 else None
        batch.append(Household(project=project, building=b, room_no=f"{i:06d}", label=f"{b.name}{i:06d}",
                               elderly_alone=rng.random() < 0.05, move_in_date=move_in))
        if len(batch) == 5000:
            Household.objects.bulk_create(batch)
            batch = []
    Household.objects.bulk_create(batch)
    ids = list(Household.objects.filter(project=project).values_list("pk", flat=True))
    visits: list[Visit] = []
    for hid in ids:
        if rng.random() > 0.8:
            continue
        for _ in range(rng.randint(1, 3)):
            at = now - dt.timedelta(days=rng.randrange(1, 460), hours=rng.randrange(8))
            visits.append(Visit(project=project, household_id=hid, category="periodic", method="face_to_face",
                                visitor=cast.butler, visited_at=at, visited_on=at.astimezone(clock.SHANGHAI).date(),
                                communicated="走访", opinions="无", filed_department=cast.cs_dept,
                                recorded_by=cast.butler, recorded_at=at))
            if len(visits) == 5000:
                Visit.objects.bulk_create(visits)
                visits = []
    Visit.objects.bulk_create(visits)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(f"generated {n:,} households, {Visit.objects.count():,} visits in {time.perf_counter() - t0:.0f} s")

    prog = programme.settings_for(project)

    def timed(fn: object) -> tuple[float, int, object]:
        times, result, queries = [], None, 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                result = fn()  # type: ignore[operator]
                times.append(time.perf_counter() - start)
            queries = len(ctx.captured_queries)
        return statistics.median(times), queries, result

    def overdue_count() -> int:
        return programme.households_due(project, today, prog).filter(overdue=True).count()

    def first_page() -> list[object]:
        rows = list(programme.households_due(project, today, prog).filter(overdue=True)
                    .order_by("label")[:50])
        return [programme.due_date(h, prog) for h in rows]

    def coverage() -> tuple[object, object]:
        start, end = programme.coverage_period(today, prog)
        return (programme.coverage(project, start, end, by="building"),
                programme.coverage(project, start, end, by="butler"))

    target_s = {"tiny": 1.0, "small": 2.0, "company": 10.0}[args.scale]
    t_count, q_count, overdue = timed(overdue_count)
    print(f"overdue households: {overdue:,} of {n:,} ({q_count} query)")
    t_page, q_page, _ = timed(first_page)
    t_cov, q_cov, (by_b, by_s) = timed(coverage)  # type: ignore[misc]
    print(f"coverage: {len(by_b)} buildings, {len(by_s)} butlers ({q_cov} queries)")
    bench_line("visits_programme_overdue_count", f"{t_count:.2f} s for {n:,} households, {q_count} query",
               f"< {target_s:.0f} s, 1 query", t_count < target_s and q_count == 1)
    bench_line("visits_programme_overdue_page", f"{t_page * 1000:.0f} ms first 50 with due dates, {q_page} query",
               "< 1000 ms, 1 query", t_page < 1.0 and q_page == 1)
    bench_line("visits_programme_coverage", f"{t_cov:.2f} s per building and per butler, {q_cov} queries",
               f"< {target_s:.0f} s, 2 queries", t_cov < target_s and q_cov == 2)


if __name__ == "__main__":
    main()

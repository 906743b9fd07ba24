"""Benchmark: the deadline engine (issue 3 item 6). Prints figures; asserts nothing about time.

    .venv/bin/python bench/workdays_bench.py [--n 20000] [--seed 1]

1. Pure arithmetic: deadlines per second for a mix of the default policies (working days, same day,
   same day / work resumes, clock hours and minutes, half a working day, calendar days with P-28,
   month end) over random start moments in 2024-01-01 … 2026-12-31, for the engine
   (:mod:`apps.workdays.calendar`) and for a naive day-by-day / minute-by-minute reference; prints
   the ratio and checks both agree.
2. ``deadlines_for`` through Django (a throw-away SQLite test database with the seeded policies):
   the 50-ticket list recomputation, time per ticket (version check + policy choice + arithmetic).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SH = ZoneInfo("Asia/Shanghai")
EOD = dt.time(23, 59, 59)


# ---------------------------------------------------------------------- naive reference
class Naive:
    def __init__(self, holidays: dict, workdays: dict) -> None:
        self.h, self.w = holidays, workdays

    def working(self, d: dt.date) -> bool:
        return d in self.w or (d not in self.h and d.weekday() < 5)

    def working_days(self, start: dt.datetime, n: int) -> dt.datetime:
        d = start.astimezone(SH).date()
        while n:
            d += dt.timedelta(days=1)
            n -= self.working(d)
        return dt.datetime.combine(d, EOD, tzinfo=SH)

    def working_days_of_day(self, ordinal: int, n: int) -> dt.datetime:
        """:meth:`working_days` from the start's local day ordinal (the same input the batch takes)."""
        d = dt.date.fromordinal(ordinal)
        while n:
            d += dt.timedelta(days=1)
            n -= self.working(d)
        return dt.datetime.combine(d, EOD, tzinfo=SH)

    def same_day(self, start: dt.datetime) -> dt.datetime:
        return dt.datetime.combine(start.astimezone(SH).date(), EOD, tzinfo=SH)

    def rollover(self, start: dt.datetime) -> dt.datetime:
        local = start.astimezone(SH)
        d = local.date()
        if not (self.working(d) and local.time() < dt.time(18)):
            d += dt.timedelta(days=1)
            while not self.working(d):
                d += dt.timedelta(days=1)
        return dt.datetime.combine(d, EOD, tzinfo=SH)

    def working_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        t = start.astimezone(SH)
        last = t
        while minutes:
            m = t.hour * 60 + t.minute
            if self.working(t.date()) and (540 <= m < 720 or 810 <= m < 1080):
                minutes -= 1
                last = t + dt.timedelta(minutes=1)
            t += dt.timedelta(minutes=1)
        return last

    def calendar_days(self, start: dt.datetime, n: int, roll: bool) -> dt.datetime:
        d = start.astimezone(SH).date() + dt.timedelta(days=n)
        while roll and not self.working(d):
            d += dt.timedelta(days=1)
        return dt.datetime.combine(d, EOD, tzinfo=SH)

    def clock(self, start: dt.datetime, minutes: int) -> dt.datetime:
        return (start + dt.timedelta(minutes=minutes)).astimezone(SH)

    def month_end(self, start: dt.datetime) -> dt.datetime:
        d = start.astimezone(SH).date().replace(day=28) + dt.timedelta(days=4)
        return dt.datetime.combine(d - dt.timedelta(days=d.day), EOD, tzinfo=SH)


def _nothing(s: dt.datetime) -> dt.datetime:
    return s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=("tiny", "small", "company"),
                        default=os.environ.get("LINLI_BENCH_SCALE", "small"))
    parser.add_argument("--n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.n = args.n or (2000 if args.scale == "tiny" else 20000)

    from chinese_calendar import constants

    from apps.workdays import calendar as wc

    cal = wc.WorkCalendar(holidays=constants.holidays, workdays=constants.workdays,
                          covered_years={d.year for d in constants.holidays})
    naive = Naive(constants.holidays, constants.workdays)
    rnd = random.Random(args.seed)
    t0 = dt.datetime(2024, 1, 1, tzinfo=SH).timestamp()
    t1 = dt.datetime(2026, 12, 20, tzinfo=SH).timestamp()
    starts = [dt.datetime.fromtimestamp(rnd.uniform(t0, t1) // 60 * 60, tz=SH) for _ in range(args.n)]
    # (name, engine, naive) — the default policy mix: complaint replies, responses, online, repairs
    mix = [
        ("2个工作日", lambda s: wc.add_working_days_p(s, 2, cal)[0], lambda s: naive.working_days(s, 2)),
        ("1个工作日", lambda s: wc.add_working_days_p(s, 1, cal)[0], lambda s: naive.working_days(s, 1)),
        ("4个工作日", lambda s: wc.add_working_days_p(s, 4, cal)[0], lambda s: naive.working_days(s, 4)),
        ("当日内", lambda s: wc.end_of_same_day(s, cal)[0], naive.same_day),
        ("上班当天内", lambda s: wc.end_of_same_day(s, cal, mode=wc.ROLLOVER)[0], naive.rollover),
        ("4小时", lambda s: wc.add_clock_hours(s, 4, cal)[0], lambda s: naive.clock(s, 240)),
        ("15分钟", lambda s: wc.add_clock_hours(s, dt.timedelta(minutes=15), cal)[0], lambda s: naive.clock(s, 15)),
        ("半个工作日", lambda s: wc.half_working_day(s, cal)[0], lambda s: naive.working_minutes(s, 270)),
        ("7天", lambda s: wc.add_calendar_days(s, 7, cal)[0], lambda s: naive.calendar_days(s, 7, False)),
        ("3天 P-28", lambda s: wc.add_calendar_days(s, 3, cal, roll=True)[0], lambda s: naive.calendar_days(s, 3, True)),
        ("当月底", lambda s: wc.end_of_month(s, cal)[0], naive.month_end),
    ]
    jobs = [(mix[i % len(mix)], s) for i, s in enumerate(starts)]

    t = time.perf_counter()
    fast = [m[1](s) for m, s in jobs]
    engine_s = time.perf_counter() - t
    t = time.perf_counter()
    slow = [m[2](s) for m, s in jobs]
    naive_s = time.perf_counter() - t
    bad = [(m[0], s, f, n) for (m, s), f, n in zip(jobs, fast, slow, strict=True) if f != n]
    print(f"pure arithmetic, {args.n} deadlines, mixed policies over 2024–2026")
    print(f"  engine: {args.n / engine_s:12,.0f} deadlines/s  ({engine_s / args.n * 1e6:7.2f} µs each)")
    print(f"  naive : {args.n / naive_s:12,.0f} deadlines/s  ({naive_s / args.n * 1e6:7.2f} µs each)")
    print(f"  ratio engine/naive: {naive_s / engine_s:.1f}×   disagreements: {len(bad)}")
    for b in bad[:5]:
        print("   ", b)
    assert not bad, "the engine and the naive loop disagree"
    group_ratio: dict[str, float] = {}
    for group, names in (("working_days", ("2个工作日", "1个工作日", "4个工作日")), ("working_hours", ("半个工作日",))):
        chosen = [(m, s) for m, s in jobs if m[0] in names]
        # the machine is shared: CPU time of this process (not wall time, which counts the time other
        # processes hold the cores), engine and naive side by side, 9 rounds, the median ratio
        ratios = []
        for _round in range(9):
            t = time.process_time()
            for m, s in chosen:
                m[1](s)
            e = time.process_time() - t
            t = time.process_time()
            for m, s in chosen:
                m[2](s)
            ratios.append((time.process_time() - t) / e)
        group_ratio[group] = statistics.median(ratios)
        print(f"  {group}: engine {group_ratio[group]:.1f}× the naive loop ({len(chosen)} deadlines; median of "
              f"9 rounds, range {min(ratios):.1f}–{max(ratios):.1f}×)")
        # the ceiling of any Python engine called this way: a function that returns a constant (one
        # call, no arithmetic) against the same naive loop
        ceilings = []
        for _round in range(9):
            t = time.process_time()
            for _m, s in chosen:
                _nothing(s)
            e = time.process_time() - t
            t = time.process_time()
            for m, s in chosen:
                m[2](s)
            ceilings.append((time.process_time() - t) / max(e, 1e-9))
        print(f"    ceiling: a Python function doing nothing is {statistics.median(ceilings):.1f}× this naive loop")

    # batches (issue 15): the deadlines of many tickets at once (a sweep, a bulk intake) in one call of
    # add_working_days_batch per policy, against the same naive loop over the same deadlines
    by_n: dict[int, list[dt.datetime]] = {}
    for m, s in jobs:
        if m[0] in ("2个工作日", "1个工作日", "4个工作日"):
            by_n.setdefault(int(m[0][0]), []).append(s)
    for n_days, group_starts in by_n.items():
        dues, prov = wc.add_working_days_batch(group_starts, n_days, cal)
        assert dues == [naive.working_days(s, n_days) for s in group_starts], "batch and naive loop disagree"
        assert dues == wc.working_day_dues(group_starts, n_days, cal)
        assert prov == [wc.add_working_days_p(s, n_days, cal)[1] for s in group_starts]
    batch_ratios, with_flags = [], []
    for _round in range(9):
        t = time.process_time()
        for n_days, group_starts in by_n.items():
            wc.working_day_dues(group_starts, n_days, cal)  # the due moments, as the naive loop gives
        e = time.process_time() - t
        t = time.process_time()
        for n_days, group_starts in by_n.items():
            wc.add_working_days_batch(group_starts, n_days, cal)  # and the provisional flags
        with_flags.append(time.process_time() - t)
        t = time.process_time()
        for n_days, group_starts in by_n.items():
            for s in group_starts:
                naive.working_days(s, n_days)
        batch_ratios.append((time.process_time() - t) / max(e, 1e-9))
    count = sum(len(v) for v in by_n.values())
    group_ratio["working_days_batch"] = statistics.median(batch_ratios)
    print(f"  working_days in batches (working_day_dues, one call per policy, {count} deadlines): "
          f"{group_ratio['working_days_batch']:.1f}× the naive loop (median of 9 rounds, range "
          f"{min(batch_ratios):.1f}–{max(batch_ratios):.1f}×); with the provisional flags "
          f"(add_working_days_batch): {statistics.median(with_flags) / count * 1e9:.0f} ns per deadline")
    # the same batches with the starts handed over as local day ordinals (as the database gives them:
    # ``(received_at AT TIME ZONE 'Asia/Shanghai')::date``), against the naive loop over the SAME
    # ordinals (it starts from ``date.fromordinal`` instead of converting a moment): same inputs, same
    # outputs (the due moments), checked equal before timing
    by_day = {n_days: wc.local_day_ordinals(v, cal) for n_days, v in by_n.items()}
    for n_days, days in by_day.items():
        dues = wc.working_day_dues_of_days(days, n_days, cal)
        assert dues == [naive.working_days_of_day(o, n_days) for o in days], "day batch and naive loop disagree"
        assert dues == wc.working_day_dues(by_n[n_days], n_days, cal)
        assert wc.add_working_days_batch_of_days(days, n_days, cal) == wc.add_working_days_batch(
            by_n[n_days], n_days, cal)
    day_ratios = []
    for _round in range(9):
        t = time.process_time()
        for n_days, days in by_day.items():
            wc.working_day_dues_of_days(days, n_days, cal)
        e = time.process_time() - t
        t = time.process_time()
        for n_days, days in by_day.items():
            for o in days:
                naive.working_days_of_day(o, n_days)
        day_ratios.append((time.process_time() - t) / max(e, 1e-9))
    group_ratio["working_days_batch_of_days"] = statistics.median(day_ratios)
    print(f"  working_days in batches of local day ordinals (working_day_dues_of_days, {count} deadlines), "
          f"against the naive loop from the same ordinals: {group_ratio['working_days_batch_of_days']:.1f}× "
          f"(median of 9 rounds, range {min(day_ratios):.1f}–{max(day_ratios):.1f}×)")
    utc_starts = {n_days: [s.astimezone(dt.UTC) for s in v] for n_days, v in by_n.items()}
    t = time.process_time()
    for n_days, group_starts in utc_starts.items():
        wc.working_day_dues(group_starts, n_days, cal)
    e = time.process_time() - t
    print(f"    starts in UTC (as read from the database): {e / count * 1e6:.2f} µs per deadline")

    # N working days is O(1) in N (prefix count + ordinal table, issue 15); the naive loop grows with N.
    # Cold: a fresh calendar per N, so the per-day memo of add_working_days_p does not hide the arithmetic.
    print("  N working days, CPU µs per deadline (cold calendar, no memo hits):")
    for n in (1, 5, 20, 60, 250):
        fresh = wc.WorkCalendar(holidays=constants.holidays, workdays=constants.workdays,
                                covered_years={d.year for d in constants.holidays})
        days = [s for s in starts[:2000]]
        t = time.process_time()
        for s in days:
            fresh.nth_working_day_after(s.date(), n)
        e = (time.process_time() - t) / len(days)
        t = time.process_time()
        for s in days:
            naive.working_days(s, n)
        nv = (time.process_time() - t) / len(days)
        print(f"    N={n:4d}: engine {e * 1e6:6.2f} µs, naive {nv * 1e6:8.2f} µs ({nv / e:6.1f}×)")

    # ------------------------------------------------------------------ through Django and the database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from apps.org.models import Company, Project
        from apps.workdays import queries as services

        company = Company.objects.create(name="基准物业", code="bench")
        project = Project.objects.create(company=company, code="BN", name="基准小区")
        kinds = [("complaint", "letter", "normal", None, ["acknowledge", "respond", "reply"]),
                 ("complaint", "phone", "normal", None, ["acknowledge", "respond", "reply"]),
                 ("complaint", "online", "normal", None, ["acknowledge", "respond", "reply"]),
                 ("complaint", "email", "normal", None, ["acknowledge", "respond", "reply"]),
                 ("repair", "phone", "urgent", "repair_water", ["arrive", "complete"]),
                 ("repair", "phone", "normal", "repair_tap", ["arrive", "complete"]),
                 ("repair", "phone", "normal", "repair_wiring", ["arrive", "complete"])]
        tickets = [(kinds[i % len(kinds)], starts[i]) for i in range(50)]
        services.deadlines_for(project, kind="complaint", channel="letter", urgency="normal", start=starts[0],
                               stages=["reply"])  # warm the caches (first call builds the calendar)
        rounds = 40
        t = time.perf_counter()
        stamped = 0
        for _ in range(rounds):
            for (kind, channel, urgency, category, stages), start in tickets:
                stamped += len(services.deadlines_for(project, kind=kind, channel=channel, urgency=urgency,
                                                      start=start, stages=stages, category=category))
        per = (time.perf_counter() - t) / (rounds * len(tickets))
        print(f"deadlines_for through Django ({connection.vendor}), 50-ticket list recomputed {rounds}×:")
        print(f"  {per * 1e6:.1f} µs per ticket ({stamped / (rounds * len(tickets)):.1f} stages each), "
              f"{per * 50 * 1e3:.2f} ms per 50-ticket list")
        services.clear_caches()
        t = time.perf_counter()
        services.calendar_for(project)
        print(f"  cold calendar build (package 2004–2026 + overrides): {(time.perf_counter() - t) * 1e3:.1f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    for group, ratio in group_ratio.items():
        print(f"BENCH deadline_engine_{group}: {ratio:.1f}× the naive loop (target ≥ 50×) "
              f"{'PASS' if ratio >= 50 else 'FAIL'}")


if __name__ == "__main__":
    main()

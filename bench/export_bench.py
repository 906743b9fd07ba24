"""Benchmark: the Excel export of the complaint ledger (issue 15: 1 M rows, constant memory,
≥ 20,000 rows a second).

    .venv/bin/python bench/export_bench.py [--scale tiny|small|company] [--rows N]

Data (the generator): rows shaped as ``apps.reports.ledgers.complaint_ledger`` yields them (14
columns: number, project, two local datetimes, four labels, level, a 40–120 character complaint
text, status, result, a closing time on half of them), generated in Python — the database's share
(iterating the ledger query in chunks of 500) is not included. The workbook is written with
``apps.core.exports.write_xlsx`` (xlsxwriter in constant-memory mode) in a child process per size,
so each size's peak RSS (``ru_maxrss``) is its own: the export of N rows and of N/10 rows must peak
at the same memory. Rows a second are reported on wall time and on the child's CPU time (the
machine is shared). No database is needed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import bench_line, scaled  # noqa: E402

WORDS = "楼道灯不亮电梯困人车库积水楼上漏水装修噪音垃圾清运宠物粪便物业费门禁卡失灵路灯绿化修剪停水通知外墙脱落"


def child(rows: int) -> None:
    import django

    django.setup()
    from apps.core.exports import write_xlsx
    from apps.reports.ledgers import COMPLAINT_LEDGER_COLUMNS

    rng = random.Random(15)
    start = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)

    texts = ["".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120))) for _ in range(997)]

    def gen():  # the ledger's rows, cheap to make: the export's own cost is what is measured
        for i in range(rows):
            at = start + dt.timedelta(minutes=i)
            text = texts[i % 997]
            yield [f"TS-2026-{i:07d}", "阳光花园", at, at + dt.timedelta(minutes=3), "本项目", "电话", "公共设施",
                   "工程部", "物业管理", "一般", text, "已关闭" if i % 2 else "处理中", "已维修" if i % 2 else "",
                   at + dt.timedelta(days=2) if i % 2 else None]

    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        count = write_xlsx(path, COMPLAINT_LEDGER_COLUMNS, gen(), sheet="投诉台账")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = os.path.getsize(path)
    finally:
        os.unlink(path)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": count, "wall": wall, "cpu": cpu, "peak_mb": peak_kb / 1024, "bytes": size}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=("tiny", "small", "company"),
                        default=os.environ.get("LINLI_BENCH_SCALE", "small"))
    parser.add_argument("--rows", type=int)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    rows = args.rows or scaled(args.scale, 20_000, 1_000_000, 1_000_000)
    results = {}
    for n in (max(rows // 10, 1), rows):
        out = subprocess.run([sys.executable, __file__, "--child", str(n)], check=True, capture_output=True,
                             text=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "linli.settings_test"})
        results[n] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[n]
        print(f"{n:>9,} rows: {r['wall']:.1f} s wall ({n / r['wall']:,.0f} rows/s), {r['cpu']:.1f} s CPU "
              f"({n / r['cpu']:,.0f} rows/s), peak RSS {r['peak_mb']:.0f} MB, file {r['bytes'] / 1e6:.0f} MB")
    small, big = results[min(results)], results[max(results)]
    rate = rows / big["cpu"]
    bench_line("ledger_export_rows_per_s", f"{rate:,.0f} rows/s (CPU time; wall {rows / big['wall']:,.0f}), {rows:,} rows",
               "≥ 20,000 rows/s", rate >= 20_000)
    bench_line("ledger_export_memory", f"peak RSS {small['peak_mb']:.0f} MB at {min(results):,} rows, "
               f"{big['peak_mb']:.0f} MB at {rows:,} rows", "constant memory (within 10 %)",
               big["peak_mb"] <= small["peak_mb"] * 1.1)


if __name__ == "__main__":
    main()

"""Benchmark: importing a 2,000-household owner roster from Excel (issue 2 item 4: "in seconds").

    .venv/bin/python bench/roster_import_bench.py [--households 2000] [--db sqlite:////tmp/linli_bench_roster.sqlite3]
        [--db postgres://postgres@127.0.0.1:5432/linli_bench_roster]

Builds a throw-away database (the embedded SQLite file by default, or a PostgreSQL database that
is dropped and re-created), the test cast, then a workbook of N households (1–3 persons each,
phones, valid ID numbers, some vehicles) written with openpyxl. Prints the seconds for:
writing the workbook, the upload check (parse + validate + preview job), the commit (one
transaction), a re-import of the same file (every row matched and updated in place), and the
masked export of the whole roster with XlsxWriter. Asserts only that the counts are right.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import add_bench_args, bench_line, prepare_database, scaled, setup_django  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国志红梅海燕"


def _id_number(rng: random.Random) -> str:
    body = f"{rng.choice(['110101', '440305', '310104', '510107'])}{rng.randrange(1950, 2004)}" \
           f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def make_workbook(households: int, seed: int = 2026) -> tuple[io.BytesIO, int]:
    """A roster of ``households`` households; returns (file, number of person rows)."""
    from openpyxl import Workbook

    from apps.estates.roster import HEADERS

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("业主名册")
    ws.append(HEADERS)
    persons = 0
    per_unit = 2 * 33 * 2  # floors × doors … enough rooms per unit
    for i in range(households):
        building, rest = divmod(i, per_unit * 2)
        unit, room_idx = divmod(rest, per_unit)
        floor, door = divmod(room_idx, 2)
        room = f"{floor + 1}{door + 1:02d}"
        status = rng.choices(["已入住", "未入住", "空置", "装修中"], [80, 8, 7, 5])[0]
        n_people = 0 if status == "空置" else rng.choice([1, 1, 2, 2, 3])
        base = [f"{building + 1}栋", f"{unit + 1}单元", room, rng.choice([68, 89, 96, 118, 128, 143]), status]
        if n_people == 0:
            ws.append(base + [None] * 9)
            continue
        for k in range(n_people):
            name = SURNAMES[rng.randrange(len(SURNAMES))] + GIVEN[rng.randrange(len(GIVEN))] + GIVEN[rng.randrange(len(GIVEN))]
            phone = rng.choice(["138", "139", "186", "158", "177"]) + f"{rng.randrange(10 ** 8):08d}"
            plate = f"粤B{rng.randrange(10 ** 5):05d}" if rng.random() < 0.3 else None
            ws.append((base if k == 0 else base[:3] + [None, None]) + [
                name, "业主" if k == 0 else rng.choice(["住户", "租户"]), phone, None,
                _id_number(rng) if k == 0 else None, f"20{rng.randrange(15, 26)}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 9)}",
                "空巢老人" if rng.random() < 0.03 else None, plate, f"B1-{rng.randrange(999):03d}" if plate else None])
            persons += 1
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out, persons


def main() -> None:
    parser = argparse.ArgumentParser()
    add_bench_args(parser, "roster")
    parser.add_argument("--households", type=int)
    args = parser.parse_args()
    args.households = args.households or scaled(args.scale, 200, 2000, 20_000)
    prepare_database(args.db)
    setup_django(args.db)

    from django.db import connection

    from apps.estates import roster
    from apps.estates.models import Household, Person
    from apps.org.tests.factories import build_cast

    cast = build_cast()
    user = cast.supervisor
    t0 = time.perf_counter()
    data, persons = make_workbook(args.households)
    t_make = time.perf_counter() - t0
    size_kb = len(data.getvalue()) / 1024
    print(f"database: {connection.vendor}; workbook: {args.households} households, {persons} persons, {size_kb:.0f} KB "
          f"(written in {t_make:.2f} s)")

    steps = []

    def progress(phase: str, done: int, total: int) -> None:
        steps.append((phase, done))

    c0 = time.process_time()
    t0 = time.perf_counter()
    job = roster.create_import_job(user, cast.project, data, "bench.xlsx", progress=progress)
    t_check = time.perf_counter() - t0
    assert not job.errors, job.errors[:5]
    t0 = time.perf_counter()
    counts = roster.commit_import(job, user, progress=progress)
    t_commit = time.perf_counter() - t0
    cpu = time.process_time() - c0
    assert Household.objects.count() == args.households, Household.objects.count()
    assert Person.objects.count() == persons and counts["persons_created"] == persons
    print(f"first import:  check {t_check:.2f} s + commit {t_commit:.2f} s = {t_check + t_commit:.2f} s "
          f"({args.households / (t_check + t_commit):.0f} households/s; {len(steps)} progress updates; "
          f"Python CPU {cpu:.2f} s, os.getloadavg {os.getloadavg()[0]:.1f})")

    data.seek(0)
    t0 = time.perf_counter()
    job = roster.create_import_job(user, cast.project, data, "bench-again.xlsx")
    counts = roster.commit_import(job, user)
    t_again = time.perf_counter() - t0
    assert Household.objects.count() == args.households and counts["persons_created"] == 0
    print(f"re-import (all rows matched, nothing changed): {t_again:.2f} s")

    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    t0 = time.perf_counter()
    rows = roster.write_roster(path, roster.export_queryset(cast.project).iterator(chunk_size=500), unmasked=False)
    t_export = time.perf_counter() - t0
    print(f"masked export: {rows} rows, {os.path.getsize(path) / 1024:.0f} KB in {t_export:.2f} s")
    rate = args.households / (t_check + t_commit)
    bench_line("roster_import", f"{rate:.0f} households/s ({args.households:,} households)", "≥ 100 households/s",
               rate >= 100)
    os.unlink(path)


if __name__ == "__main__":
    main()

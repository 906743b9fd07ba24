"""Benchmark: memory and time of the bounded imports at their limits (issue 14 item 5).

    .venv/bin/python bench/import_limits_bench.py

Writes hostile and at-the-limit roster workbooks to a temporary directory, then parses each in a
fresh child process (``parse_workbook``, the upload step of the roster import; no database) and
reads the child's peak resident memory. The calendar import is measured on a pasted text at its
length limit. Prints one ``BENCH <name>: <measured> (target <target>) PASS|FAIL`` line per figure.

Cases:
* ``huge_cell``      — a ~300 KB .xlsx whose one inline cell unzips to 300 MB (used 4.6 GB before)
* ``huge_shared``    — a small .xlsx whose shared-strings table unzips past its limit
* ``rows_at_cap``    — 50,000 valid rows × 14 columns (the row cap), parsed in full
* ``million_rows``   — 1,000,000 rows (24 MB): refused by the file-size limit
* ``600k_rows``      — 600,000 rows under the size limit: the scan and the parse stop at the row cap
* ``huge_shared_string`` — one 30 MB shared string (under the table limit): found by the scan
* ``wide_rows``      — 50,000 rows each with a cell in column XFD (16,384 columns)
* ``calendar_limit`` — the calendar import's 200,000-character text
"""
from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEMORY_TARGET_MB = 300.0
MAX_IMPORT_CHARS = 200_000  # apps.workdays.actions.MAX_IMPORT_CHARS
HEADERS = ["楼栋", "单元", "房号", "面积（㎡）", "房屋状态", "姓名", "身份", "手机", "其他电话", "证件号码", "入住日期",
           "标签", "车牌", "车位"]


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _template() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["x"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_xlsx(path: Path, sheet_chunks: Iterator[bytes], shared: Iterator[bytes] | None = None) -> None:
    """A valid .xlsx whose first sheet (and optionally shared strings) is streamed from chunks."""
    with zipfile.ZipFile(io.BytesIO(_template())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with dst.open(info.filename, "w", force_zip64=True) as fh:
                    for chunk in sheet_chunks:
                        fh.write(chunk)
            elif info.filename == "xl/sharedStrings.xml" and shared is not None:
                continue
            else:
                dst.writestr(info, src.read(info.filename))
        if shared is not None:
            with dst.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                for chunk in shared:
                    fh.write(chunk)


HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = b"</sheetData></worksheet>"


def _header_row() -> bytes:
    return ('<row r="1">' + "".join(_cell(f"{_col(i + 1)}1", h) for i, h in enumerate(HEADERS)) + "</row>").encode()


def rows_sheet(n: int, *, wide: bool = False) -> Iterator[bytes]:
    yield HEAD + _header_row()
    batch: list[str] = []
    for r in range(2, n + 2):
        cells = [_cell(f"A{r}", f"{1 + r % 30}栋"), _cell(f"B{r}", "1单元"), _cell(f"C{r}", f"{r}"),
                 _cell(f"F{r}", "张三"), _cell(f"G{r}", "业主"), _cell(f"H{r}", f"138{r:08d}"[:11])]
        if wide:
            cells.append(_cell(f"XFD{r}", "远"))
        batch.append(f'<row r="{r}">' + "".join(cells) + "</row>")
        if len(batch) == 5000:
            yield "".join(batch).encode()
            batch = []
    yield "".join(batch).encode() + TAIL


def huge_cell_sheet(mb: int) -> Iterator[bytes]:
    yield HEAD + _header_row() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    block = b"A" * (1 << 20)
    for _ in range(mb):
        yield block
    yield b"</t></is></c></row>" + TAIL


def huge_shared(mb: int) -> Iterator[bytes]:
    yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    block = b"B" * (1 << 20)
    for _ in range(mb):
        yield block
    yield b"</t></si></sst>"


# ---------------------------------------------------------------- child: parse one file


def child(kind: str, path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings_test")
    import django

    django.setup()
    start = time.perf_counter()
    outcome = ""
    if kind == "calendar":
        from apps.workdays import actions

        try:
            actions.parse_calendar_text(Path(path).read_text())
            outcome = "accepted"
        except actions.CalendarImportError as exc:
            outcome = exc.errors[0]
    else:
        from apps.estates import roster

        with open(path, "rb") as fh:
            try:
                rows, errors = roster.parse_workbook(fh)
                outcome = f"{len(rows)} rows, {len(errors)} errors" + (f" ({errors[0].message})" if errors else "")
            except roster.RosterError as exc:
                outcome = f"refused: {exc}"
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "outcome": outcome}, ensure_ascii=False))


def measure(kind: str, path: Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True,
                         cwd=ROOT, check=False)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def report(name: str, result: dict[str, object], size: int, *, time_target: float | None = None) -> bool:
    peak = float(str(result["peak_mb"]))
    ok = peak < MEMORY_TARGET_MB
    print(f"BENCH {name}_peak_memory: {peak:.0f} MB (target < {MEMORY_TARGET_MB:.0f} MB) {'PASS' if ok else 'FAIL'}"
          f"  [file {size / 1024:.0f} KB; {result['outcome']}]")
    seconds = float(str(result["seconds"]))
    if time_target is not None:
        t_ok = seconds < time_target
        ok = ok and t_ok
        print(f"BENCH {name}_seconds: {seconds:.1f} s (target < {time_target:.0f} s) {'PASS' if t_ok else 'FAIL'}")
    else:
        print(f"BENCH {name}_seconds: {seconds:.1f} s (target none) PASS")
    return ok


def main() -> int:
    all_ok = True
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        cases = [
            ("huge_cell", lambda p: write_xlsx(p, huge_cell_sheet(300)), 10.0),
            ("huge_shared", lambda p: write_xlsx(p, rows_sheet(10), shared=huge_shared(300)), 5.0),
            ("rows_at_cap", lambda p: write_xlsx(p, rows_sheet(50_000)), 120.0),
            ("million_rows", lambda p: write_xlsx(p, rows_sheet(1_000_000)), 120.0),
            ("600k_rows", lambda p: write_xlsx(p, rows_sheet(600_000)), 120.0),
            ("huge_shared_string", lambda p: write_xlsx(p, rows_sheet(10), shared=huge_shared(30)), 10.0),
            ("wide_rows", lambda p: write_xlsx(p, rows_sheet(50_000, wide=True)), 120.0),
        ]
        for name, build, limit in cases:
            path = d / f"{name}.xlsx"
            build(path)
            all_ok &= report(name, measure("roster", path), path.stat().st_size, time_target=limit)
        line = "2027-01-01,休,元旦\n"
        text = (line * (MAX_IMPORT_CHARS // len(line)))[:MAX_IMPORT_CHARS]
        cal = d / "calendar.txt"
        cal.write_text(text)
        all_ok &= report("calendar_limit", measure("calendar", cal), cal.stat().st_size, time_target=10.0)
    return 0 if all_ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(main())

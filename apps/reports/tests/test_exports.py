"""Exports to Excel and PDF (issue 7 item 4)."""
import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from apps.core import exports


def test_xlsx_streams_rows_and_shows_times_in_shanghai(tmp_path):
    path = tmp_path / "ledger.xlsx"
    moment = dt.datetime(2026, 11, 22, 2, 5, tzinfo=dt.UTC)  # 10:05 in Shanghai
    rows = ((f"TS-{i:04d}", moment, Decimal("12.50"), None) for i in range(1, 1001))
    count = exports.write_xlsx(str(path), ["编号", "受理时间", "金额", "备注"], rows, sheet="投诉台账")
    assert count == 1000
    ws = openpyxl.load_workbook(path, read_only=True)["投诉台账"]
    all_rows = list(ws.iter_rows(values_only=True))
    assert all_rows[0] == ("编号", "受理时间", "金额", "备注")
    assert all_rows[1][0] == "TS-0001" and all_rows[1][1] == dt.datetime(2026, 11, 22, 10, 5)  # noqa: DTZ001 - xlsx cells are naive
    assert all_rows[1][2] == 12.5
    assert len(all_rows) == 1001


PDF_SCRIPT = """
import sys
from apps.core import exports
sys.stdout.buffer.write(exports.render_pdf("<h1>顾客意见（投诉/建议）处理表</h1><p>阳光花园 5栋 No. 12</p>"))
"""


def test_pdf_renders_chinese_text(tmp_path):
    """Issue 14 item 13: the PDF carries the vendored Noto Sans SC, on a machine without any system
    font — fontconfig is pointed at an empty configuration in a fresh process (it reads the
    configuration once per process)."""
    pytest.importorskip("weasyprint")
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "no-fonts").mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
                    f"<fontconfig><dir>{tmp_path / 'no-fonts'}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "PYTHONPATH": str(root),
           "DJANGO_SETTINGS_MODULE": "linli.settings_test"}
    script = "import django; django.setup()\n" + PDF_SCRIPT
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=root, capture_output=True, timeout=120)
    if done.returncode != 0 and b"OSError" in done.stderr:  # pango missing on a bare machine; CI installs it
        pytest.skip(f"WeasyPrint system libraries missing: {done.stderr[-300:]!r}")
    assert done.returncode == 0, done.stderr[-2000:]
    pdf = done.stdout
    assert pdf.startswith(b"%PDF")
    names = _embedded_font_names(pdf)
    assert names and all(b"Noto-Sans-SC" in name for name in names), names


def _embedded_font_names(pdf: bytes) -> list[bytes]:
    """Font names from the PDF, including those inside compressed object streams."""
    import re
    import zlib

    names = re.findall(rb"/BaseFont\s*/([^\s/]+)", pdf)
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            names += re.findall(rb"/BaseFont\s*/([^\s/]+)", zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return names

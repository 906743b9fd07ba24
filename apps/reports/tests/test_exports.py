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


def test_pdf_renders_chinese_text():
    pytest.importorskip("weasyprint")
    try:
        pdf = exports.render_pdf("<h1>顾客意见（投诉/建议）处理表</h1><p>阳光花园 5栋</p>")
    except OSError as exc:  # pango missing on a bare machine; CI installs it
        pytest.skip(f"WeasyPrint system libraries missing: {exc}")
    assert pdf.startswith(b"%PDF")
    assert any(b"CJK" in name for name in _embedded_font_names(pdf)), "a CJK font must be embedded"


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

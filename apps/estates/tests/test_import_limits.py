"""Imports are bounded (issue 14 item 5): size, row and cell-length limits checked while streaming;
each refusal names the row in Chinese."""
from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from apps.estates import roster


def _book(rows: list[list[Any]]) -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(roster.HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_one_huge_cell_is_refused_before_parsing_naming_its_row() -> None:
    f = _book([["5栋", "1单元", f"{i}01", None, None, "长" * 200_000 if i == 4 else "张三"] for i in range(1, 9)])
    with pytest.raises(roster.RosterError) as err:
        roster.parse_workbook(f)
    assert str(err.value) == f"第5行：单元格内容超过{roster.MAX_CELL_CHARS}字，请检查后重新导入"


def test_huge_inline_string_cell_is_refused_naming_its_row() -> None:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, roster.HEADERS)
    for i in range(1, 10):
        ws.write_row(i, 0, ["5栋", "1单元", f"{i}01", "", "", "x" * 100_000 if i == 6 else "王五"])
    wb.close()
    out.seek(0)
    with pytest.raises(roster.RosterError, match="^第7行：单元格内容超过"):
        roster.parse_workbook(out)


def test_long_cell_under_the_scan_limit_is_a_row_error_with_its_column() -> None:
    rows, errors = roster.parse_workbook(_book([["5栋", "1单元", "101", None, None, "名" * (roster.MAX_CELL_CHARS + 1)]]))
    assert [(e.row, e.column, e.message) for e in errors] == [(2, "姓名", f"内容超过{roster.MAX_CELL_CHARS}字")]


def test_rows_past_the_cap_are_refused_while_streaming_naming_the_row(monkeypatch: Any) -> None:
    monkeypatch.setattr(roster, "MAX_ROWS", 5)
    with pytest.raises(roster.RosterError) as err:
        roster.parse_workbook(_book([["5栋", "1单元", f"{i}01"] for i in range(1, 40)]))
    assert str(err.value) == "第7行：超过5行，请分批导入"
    rows, errors = roster.parse_workbook(_book([["5栋", "1单元", f"{i}01"] for i in range(1, 6)]))
    assert len(rows) == 5 and errors == []


def test_file_too_large_is_refused(monkeypatch: Any) -> None:
    monkeypatch.setattr(roster, "MAX_FILE_BYTES", 1024)
    with pytest.raises(roster.RosterError, match="文件太大"):
        roster.parse_workbook(_book([["5栋", "1单元", f"{i}01", None, None, f"张{i}"] for i in range(200)]))

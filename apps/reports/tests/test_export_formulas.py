"""Exports cannot carry formulas (issue 14 item 4): owner text that starts like a formula comes out of
every Excel export as text, neutralised with a leading quote as OWASP advises."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from apps.core import exports
from apps.repairs.actions import order_for
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://x","y")'


def _cells(response: Any) -> list[Any]:
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.active
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row), "no cell may be a formula"
    return [c.value for row in ws.iter_rows() for c in row]


def _params(cast: Any, now: dt.datetime) -> dict[str, str]:
    return {"from": (now.date() - dt.timedelta(days=3)).isoformat(), "to": now.date().isoformat(),
            "projects": str(cast.project.pk)}


def test_write_xlsx_writes_every_formula_start_as_text(tmp_path: Any) -> None:
    """Every OWASP formula start (= + - @ tab CR) gets a quote; numbers, dates and plain text are unchanged."""
    path = tmp_path / "x.xlsx"
    texts = [EVIL, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "楼道灯不亮"]
    exports.write_xlsx(str(path), ["=标题"], [[t] for t in texts] + [[12], [1.5]], title="@title")
    ws = openpyxl.load_workbook(path).active
    values = [row[0].value for row in ws.iter_rows()]
    assert values[0] == "'@title" and values[1] == "'=标题"
    assert values[2:7] == ["'" + t for t in texts[:5]] and values[8] == "楼道灯不亮"
    assert values[7].startswith("'") and values[7].endswith("=1")  # openpyxl reads CR back as _x000D_
    assert values[9:] == [12, 1.5]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert exports.csv_row([EVIL, 3, "ok"]) == ["'" + EVIL, 3, "ok"]


def test_complaint_ledger_export_writes_owner_formula_as_text(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """R-M5-16 ledger export: a complaint whose content is ``=HYPERLINK(…)`` appears as quoted text."""
    receive(cast, content=EVIL)
    client.force_login(cast.project_manager)
    cells = _cells(client.get(reverse("reports:ledger", args=["complaint"]), _params(cast, frozen_now)))
    assert "'" + EVIL in cells and EVIL not in cells


def test_repair_ledger_export_writes_owner_formula_as_text(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """R-M5-16 repair ledger: the repair's description and address are text."""
    t = receive(cast, kind="repair", content=EVIL)
    order_for(t)
    client.force_login(cast.project_manager)
    cells = _cells(client.get(reverse("reports:ledger", args=["repair"]), _params(cast, frozen_now)))
    assert "'" + EVIL in cells and EVIL not in cells

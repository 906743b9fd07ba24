"""Exports: streaming .xlsx in constant memory, and PDF with Chinese fonts (issue 7 item 4).

``write_xlsx(rows, …)`` consumes an iterator row by row with XlsxWriter's ``constant_memory`` mode
(each row is flushed to a temporary file as soon as the next starts), so a million-row ledger needs
the same memory as a hundred-row one. ``xlsx_response`` streams the finished file to the browser.

Every string cell is written with ``write_string`` after :func:`safe_text` (issue 14 item 4): text a
user typed that begins with ``= + - @``, a tab or a carriage return gets a leading single quote, as
OWASP's CSV-injection advice says, so ``=HYPERLINK(…)`` in an owner's words stays text in Excel and in
any CSV built from the same rows (:func:`csv_row`).

``render_pdf(html)`` uses WeasyPrint with Noto Sans SC carried by the project (issue 14 item 13): the
woff2 files vendored from npm ``@fontsource/noto-sans-sc`` (``make vendor``) into
``apps/core/static/vendor/fonts`` are loaded by ``@font-face`` with file URLs, so a PDF looks the same
on any machine and never prints boxes for Chinese text where no system CJK font is installed.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from django.http import FileResponse

SHANGHAI = ZoneInfo("Asia/Shanghai")
FONT_DIR = Path(__file__).resolve().parent / "static" / "vendor" / "fonts"


LATIN_RANGE = ("U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,"
               "U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD")  # @fontsource's latin subset


def _font_face(weight: int) -> str:
    """The simplified-Chinese subset for everything, the Latin subset (declared last, so it wins) for
    the characters of its range."""
    def face(subset: str, extra: str = "") -> str:
        url = (FONT_DIR / f"noto-sans-sc-{subset}-{weight}-normal.woff2").as_uri()
        return (f'@font-face {{ font-family: "Noto Sans SC"; font-style: normal; font-weight: {weight}; '
                f'src: url("{url}") format("woff2");{extra} }}')
    return face("chinese-simplified") + "\n" + face("latin", f" unicode-range: {LATIN_RANGE};")


PDF_FONT_CSS = _font_face(400) + "\n" + _font_face(700) + """
@page { size: A4; margin: 15mm 12mm; @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; font-family: "Noto Sans SC", sans-serif; } }
body { font-family: "Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; font-size: 10.5pt; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: 3px 5px; vertical-align: top; }
h1 { font-size: 16pt; text-align: center; }
"""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """``value`` made inert for spreadsheets: a leading formula character gets a ``'`` before it (OWASP)."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(row: Iterable[Any]) -> list[Any]:
    """One CSV row with every string neutralised like the Excel cells."""
    return [safe_text(v) if isinstance(v, str) else v for v in row]


def _cell(value: Any, tz: dt.tzinfo) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            try:
                value = value.astimezone(tz).replace(tzinfo=None)
            except OverflowError:  # a stored moment at the calendar's end (9999-12-31 UTC): shown in UTC
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, Decimal):
        return float(value)
    if value is None:
        return ""
    return value


def write_xlsx(path: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "Sheet1",
               tz: dt.tzinfo = SHANGHAI, title: str | None = None) -> int:
    """Write ``rows`` to ``path`` in constant memory; datetimes shown in ``tz`` (T-01). Returns the row count."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    try:
        ws = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True, "bg_color": "#E7EEF7", "border": 1})
        date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        day_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
        r = 0
        if title:
            ws.write_string(r, 0, safe_text(title), workbook.add_format({"bold": True, "font_size": 14}))
            r += 1
        for c, h in enumerate(headers):
            ws.write_string(r, c, safe_text(str(h)), bold)
        ws.freeze_panes(r + 1, 0)
        for c, h in enumerate(headers):
            ws.set_column(c, c, max(10, min(40, len(str(h)) * 2 + 2)))
        count = 0
        for row in rows:
            r += 1
            for c, value in enumerate(row):
                v = _cell(value, tz)
                if isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, date_fmt)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), day_fmt)
                elif isinstance(v, str):
                    ws.write_string(r, c, safe_text(v))
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, int | float):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, safe_text(str(v)))
            count += 1
    finally:
        workbook.close()
    return count


class _DeletingFile:
    """A file object that removes its path when the response closes it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.f = open(path, "rb")  # noqa: SIM115 - closed by the response

    def read(self, n: int = -1) -> bytes:
        return self.f.read(n)

    def close(self) -> None:
        self.f.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], **kwargs: Any) -> FileResponse:
    """Build the workbook in a temporary file (constant memory) and stream it back."""
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        write_xlsx(path, headers, rows, **kwargs)
    except Exception:
        os.unlink(path)
        raise
    return FileResponse(
        _DeletingFile(path),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """HTML → PDF bytes with Chinese fonts."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()  # @font-face needs it on both the stylesheet and the rendering
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[CSS(string=PDF_FONT_CSS, font_config=fonts)],
                                                          font_config=fonts)

"""Exports: streaming .xlsx in constant memory, and PDF with Chinese fonts (issue 7 item 4).

``write_xlsx(rows, …)`` consumes an iterator row by row and writes the sheet's XML straight into the
zip in batches (issue 15: the XlsxWriter cell API cost ~100 µs a ledger row), so a million-row ledger
needs the same memory as a hundred-row one. ``xlsx_response`` streams the finished file to the browser.

Every string cell is written as an inline string after :func:`safe_text` (issue 14 item 4): text a
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
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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


_XML_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - Excel's serial day 0 (cells are naive local times)
_MAX_TEXT = 32767  # Excel's limit of characters in a cell
_BATCH = 500  # rows joined before one write: few large writes, memory bounded by the batch


def _col(c: int) -> str:
    name = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        name = chr(65 + rem) + name
    return name


def _x(text: str) -> str:
    """``text`` escaped for XML character data; characters XML cannot carry become ``_xHHHH_`` (as
    Excel and XlsxWriter write them)."""
    if _XML_SPECIAL.search(text) is None:
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def _string_cell(ref: str, value: str, style: str = "") -> str:
    value = safe_text(value)[:_MAX_TEXT]
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_x(value)}</t></is></c>'


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFE7EEF7"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
    '</borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": _STYLES,
}


def write_xlsx(path: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "Sheet1",
               tz: dt.tzinfo = SHANGHAI, title: str | None = None) -> int:
    """Write ``rows`` to ``path`` in constant memory; datetimes shown in ``tz`` (T-01). Returns the row count.

    Issue 15 (≥ 20,000 ledger rows a second): the sheet's XML is written straight into the zip as the
    rows come (inline strings, no shared-string table, so nothing grows with the rows), in batches of
    ``_BATCH`` rows; the workbook is the one XlsxWriter wrote before (title, bold shaded header, frozen
    header row, column widths, local date-time formats), read by Excel, LibreOffice and openpyxl."""
    name = _x(re.sub(r"[\[\]:*?/\\]", "_", sheet)[:31] or "Sheet1")
    widths = "".join(f'<col min="{c + 1}" max="{c + 1}" width="{max(10, min(40, len(str(h)) * 2 + 2))}" '
                     f'customWidth="1"/>' for c, h in enumerate(headers))
    head_row = 2 if title else 1
    cols = [_col(c) for c in range(max(len(headers), 1))]
    count = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for part, text in _PARTS.items():
            zf.writestr(part, text)
        zf.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
            out.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="{head_row}" '
                f'topLeftCell="A{head_row + 1}" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft"/></sheetView></sheetViews>'
                '<sheetFormatPr defaultRowHeight="15"/>'
                + (f"<cols>{widths}</cols>" if widths else "") + "<sheetData>")
            if title:
                out.write('<row r="1">' + _string_cell("A1", title, ' s="2"') + "</row>")
            out.write(f'<row r="{head_row}">' + "".join(
                _string_cell(f"{cols[c]}{head_row}", str(h), ' s="1"') for c, h in enumerate(headers)) + "</row>")
            r = head_row
            batch: list[str] = []
            for row in rows:
                r += 1
                cells = []
                for c, value in enumerate(row):
                    while c >= len(cols):
                        cols.append(_col(len(cols)))
                    ref = f"{cols[c]}{r}"
                    if value is None or value == "":  # an empty cell, kept: readers size rows by their last cell
                        cells.append(f'<c r="{ref}"/>')
                        continue
                    if isinstance(value, str):
                        cells.append(_string_cell(ref, value))
                        continue
                    v = _cell(value, tz)
                    if isinstance(v, dt.datetime):
                        serial = (v - _EPOCH).total_seconds() / 86400
                        cells.append(f'<c r="{ref}" s="3"><v>{serial!r}</v></c>')
                    elif isinstance(v, dt.date):
                        cells.append(f'<c r="{ref}" s="4"><v>{v.toordinal() - 693594}</v></c>')
                    elif isinstance(v, bool):
                        cells.append(f'<c r="{ref}" t="b"><v>{int(v)}</v></c>')
                    elif isinstance(v, int | float):
                        cells.append(f'<c r="{ref}"><v>{v!r}</v></c>')
                    else:
                        cells.append(_string_cell(ref, str(v)))
                batch.append(f'<row r="{r}">{"".join(cells)}</row>')
                count += 1
                if len(batch) >= _BATCH:
                    out.write("".join(batch))
                    batch.clear()
            out.write("".join(batch))
            out.write("</sheetData></worksheet>")
            out.flush()
            out.detach()
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

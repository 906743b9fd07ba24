"""Private files on record pages (issue 14 item 3): ``{{ a.file|is_image }}`` picks a thumbnail
(``<url>?thumb=1``, made with Pillow) over a download link."""
from __future__ import annotations

from typing import Any

from django import template

from apps.core import files

register = template.Library()


@register.filter
def is_image(file: Any) -> bool:
    return bool(file) and files.is_image(file)

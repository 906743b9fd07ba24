"""Remove personal data from text meant for everyone (R-M6-01 case library, R-M5-07 bulletin).

Masks mobile and landline numbers, ID numbers, room numbers of the form 5栋2单元1502 / 3-1502 and the
names given (a complainant's full name becomes 某业主, a surname+先生/女士 becomes X先生 → 某先生).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_ROOM = re.compile(r"(\d+|[一二三四五六七八九十]+)\s*(栋|号楼|幢|座)\s*(\d+\s*单元)?\s*-?\s*\d{3,4}\s*(室|房)?")
_DASH_ROOM = re.compile(r"(?<!\d)\d{1,2}-\d{1,2}-\d{3,4}(?!\d)")
_HONORIFIC = re.compile(r"([\u4e00-\u9fff])(先生|女士|小姐|阿姨|大爷|师傅)")


def anonymise(text: str, *, names: Iterable[str] = (), keep_phones: bool = False) -> str:
    """``keep_phones``: the text publishes staff contact numbers on purpose (the management team's
    notice, R-M12-12); ID and room numbers and residents' names are still removed."""
    out = _ID.sub("[证件号已隐去]", text)
    if not keep_phones:
        out = _MOBILE.sub("[电话已隐去]", out)
        out = _LANDLINE.sub("[电话已隐去]", out)
    out = _ROOM.sub(lambda m: f"{m.group(1)}{m.group(2)}某户", out)
    out = _DASH_ROOM.sub("某户", out)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        out = out.replace(name, "某业主")
    out = _HONORIFIC.sub(r"某\2", out)
    return out

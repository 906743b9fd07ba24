"""Rule, policy and scenario codes (R-M2-04, P-13, AS-20, T-02) taken out of a text a user sees (issue 23
item 6). Developers keep the codes in docstrings, comments and test names; where a docstring is shown to
users (a measure's definition on the dashboard) it passes through :func:`strip` first. The rewriting tool
``locale/tools/strip_rule_ids.py`` uses the same patterns."""

from __future__ import annotations

import re

ID = r"(?:SPEC\s*)?(?:R-M\d+(?:-\d+(?:\s?[a-z](?![A-Za-z]))?)?(?:/-?\d+)*|P-\d{2}|AS-\d{2}|T-\d{2})(?:\s*(?:…|~|–|-)\s*(?:R-M\d+-\d+|-\d+))?"
SEP = r"\s*(?:、|，|,|/|;|；|和|与|及)?\s*"
# "（R-M2-04）", "（R-M2-04、P-13）", "(SPEC R-M1-18)", "（见 R-M8-09）"
ONLY_IDS = re.compile(rf"\s*[（(]\s*(?:见|参见|依据|按)?\s*{ID}(?:{SEP}{ID})*\s*[）)]")
# "（制度9，R-M8-04）" → "（制度9）"; "R-M8-04 规定" → "规定"
ID_IN_TEXT = re.compile(rf"{SEP}{ID}(?=\s*[）)])|(?<=[（(]){ID}{SEP}|\s*{ID}\s*")
HAN = re.compile(r"[\u3400-\u9fff]")
ANY_ID = re.compile(r"(?<![A-Za-z0-9_])(?:R-M\d+-\d+[a-z]?|P-\d{2}|AS-\d{2}|T-\d{2})(?![0-9])")


# "R-M19-14：与业主签订…" → "与业主签订…" (also just after a literal's opening quote)
LEADING = re.compile(rf"""^([rRfFbBuU]{{0,2}}(?:\"\"\"|'''|"|'))?\s*{ID}(?:{SEP}{ID})*\s*[:：]\s*""")


TIDY_OPEN = re.compile(r"([（(])\s*(?:[，,、;；]\s*)+")
TIDY_CLOSE = re.compile(r"\s*(?:[，,、;；]\s*)+([）)])")
EMPTY_BRACKETS = re.compile(r"\s*[（(]\s*[）)]")


def strip(text: str) -> str:
    if not ANY_ID.search(text):
        return text
    text = LEADING.sub(lambda m: m.group(1) or "", text)
    text = ONLY_IDS.sub("", text)
    text = ID_IN_TEXT.sub(lambda m: " " if _between_words(m) else "", text)
    # "（，默认不计入）" → "（默认不计入）"; "（）" left by a code alone → nothing
    text = TIDY_OPEN.sub(r"\1", text)
    text = TIDY_CLOSE.sub(r"\1", text)
    return EMPTY_BRACKETS.sub("", text)


def _between_words(m: re.Match[str]) -> bool:
    """A code between two Latin words leaves one space ("see R-M2-04 for" → "see for" is rare)."""
    s, e = m.start(), m.end()
    before = m.string[s - 1] if s else ""
    after = m.string[e] if e < len(m.string) else ""
    return before.isascii() and before.isalnum() and after.isascii() and after.isalnum()

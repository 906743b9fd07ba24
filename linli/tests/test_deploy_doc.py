"""Every setting the code reads from the environment is documented in docs/deploy.md, and every
``LINLI_*`` variable a document names is read by the code (issue 14 item 1)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(
    r"""(?:os\.environ(?:\.get|\.setdefault|\.pop)?\(|os\.environ\[|os\.getenv\(|env(?:str|bool|int|list|json)\()"""
    r"""\s*["'](LINLI_[A-Z0-9_]+)["']"""
)
NAMED = re.compile(r"\bLINLI_[A-Z0-9_]+\b")
DOCS = ["docs/deploy.md", "README.md", "compose.yaml", "Dockerfile", *(str(p.relative_to(ROOT)) for p in
        sorted((ROOT / "apps").glob("*/README.md")))]


def _read_by_code() -> set[str]:
    names: set[str] = set()
    for base in ("linli", "apps"):
        for path in (ROOT / base).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            names.update(READ.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_environment_setting_is_documented() -> None:
    read = _read_by_code()
    assert {"LINLI_MODE", "LINLI_SECRET_KEY", "LINLI_EMAIL_TIMEOUT", "LINLI_SMS_BACKEND"} <= read  # the scan works
    documented = set(NAMED.findall((ROOT / "docs/deploy.md").read_text(encoding="utf-8")))
    assert sorted(read - documented) == [], "read by the code but missing from docs/deploy.md"


def test_every_documented_setting_is_read() -> None:
    read = _read_by_code()
    # compose.yaml's own substitution variable (the host name), not a Linli setting
    not_settings = {"LINLI_DOMAIN"}
    stray = {}
    for doc in DOCS:
        path = ROOT / doc
        if path.exists():
            unread = set(NAMED.findall(path.read_text(encoding="utf-8"))) - read - not_settings
            if unread:
                stray[doc] = sorted(unread)
    assert stray == {}, "named in a document but never read by the code"

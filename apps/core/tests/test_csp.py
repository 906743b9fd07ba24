"""Content-Security-Policy on every page (issue 14 item 10), the existing headers kept, and no inline
script or event handler left in a template (they would be blocked)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def _policy(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in header.split(";")) if part}


def test_home_page_carries_the_policy_and_the_old_headers(cast: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    r = client.get("/")
    assert r.status_code == 200
    policy = _policy(r)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"].startswith("'self'") and "unsafe-inline" not in policy["script-src"]
    assert "unsafe-eval" not in r["Content-Security-Policy"]
    assert policy["img-src"] == "'self' data:" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "http" not in r["Content-Security-Policy"]  # no external host anywhere
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"


def test_login_page_and_api_docs_carry_the_policy(cast: Any, client: Any) -> None:
    assert _policy(client.get("/login/"))["default-src"] == "'self'"
    client.force_login(cast.front_desk)
    for url in ("/api/docs", "/tickets/"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert _policy(r)["default-src"] == "'self'", url


TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("apps/*/templates")]
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src|nonce)=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


def test_no_template_has_an_inline_script_without_nonce_or_an_event_handler() -> None:
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if INLINE_HANDLER.search(text) or INLINE_SCRIPT.search(text) or "javascript:" in text:
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []

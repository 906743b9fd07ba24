"""Issue 23 item 10: accessibility basics, checked by axe-core (vendored from npm into
linli/tests/vendor by `make vendor`) in Debian's chromium on the main pages: no serious or critical
violation (labels on every input, contrast, names of buttons and links, landmarks…)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")

#: The main pages of the everyday roles: (user, path). The ticket page is added with a real ticket.
PAGES = [
    ("desk", "/"),
    ("desk", "/tickets/"),
    ("desk", "/tickets/new/"),
    ("desk", "/estates/"),
    ("desk", "/repairs/"),
    ("desk", "/visits/"),
    ("supervisor", "/tickets/queue/verification/"),
    ("supervisor", "/escalation/"),
    ("supervisor", "/quality/ncr/"),
    ("supervisor", "/calendar/"),
    ("supervisor", "/reports/dashboard/"),
    ("supervisor", "/reports/"),
    ("supervisor", "/notify/"),
]


def violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe violations of the page as it is now."""
    page.evaluate(AXE)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return list(result)


def _ticket(cast: Any) -> int:
    from apps.tickets.tests.helpers import receive

    return receive(cast).pk


def test_main_pages_have_no_serious_accessibility_violation(cast: Any, page: Any, live_server: Any) -> None:
    pages = [*PAGES, ("desk", f"/tickets/{_ticket(cast)}/"), ("desk", "/login/")]
    found: dict[str, list[dict[str, Any]]] = {}
    who = None
    for username, path in pages:
        if path == "/login/":
            page.context.clear_cookies()
        elif username != who:
            page.context.clear_cookies()
            browser_login(page, live_server, username)
            who = username
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        bad = violations(page)
        if bad:
            found[path] = bad
    assert not found, "axe: " + "; ".join(
        f"{path}: " + ", ".join(f"{v['id']} ({v['impact']}) at {v['targets']}" for v in vs) for path, vs in found.items())

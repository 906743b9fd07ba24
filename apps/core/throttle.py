"""Rate limit of page POSTs (issue 14): too many form submissions answer 429 with a Chinese page.

The API has its own throttles (``apps.api.throttling``); this middleware covers every other POST — the
staff login, the owners' code request on ``/me/``, and form submissions in general. Three limits, each
``<count>/<s|m|h|d>`` (``off`` or empty switches it off), read from the settings on every request:

- ``LINLI_POST_THROTTLE_USER`` (default ``120/m``): POSTs of one signed-in user, whatever the address;
- ``LINLI_POST_THROTTLE_ANON`` (default ``30/m``): POSTs without a signed-in user (login, owners' sign-in)
  from one client address;
- ``LINLI_POST_THROTTLE_IP`` (default ``600/m``): all POSTs from one client address together (an office
  behind one NAT address shares it, hence the high default).

Counts are fixed windows kept in the Django cache (Redis in production, so all gunicorn workers count
together): ``cache.add`` starts a window, ``cache.incr`` counts in it. The address is the one the login
lockout uses (:func:`apps.core.lockout.client_address`). A refused POST is not passed on, so it writes
nothing; the answer carries ``Retry-After`` (seconds to the end of the window).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template import loader

from apps.core.lockout import client_address

_RATE = re.compile(r"(\d+)/(\d*)([smhd])")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(value: object) -> tuple[int, int] | None:
    """``"120/m"`` → ``(120, 60)``; ``"10/5m"`` → ``(10, 300)``; ``off``/empty/None → None."""
    text = str(value or "").strip().lower()
    if text in ("", "off", "none", "0"):
        return None
    match = _RATE.fullmatch(text)
    if not match:
        raise ValueError(f"rate must look like 120/m or off, not {value!r}")
    return int(match.group(1)), int(match.group(2) or 1) * _UNIT[match.group(3)]


def _over(key: str, rate: tuple[int, int], now: float) -> int | None:
    """Count one POST in ``key``'s current window; seconds to wait when past the limit, else None."""
    limit, period = rate
    window = int(now // period)
    name = f"linli:post:{key}:{period}:{window}"
    if cache.add(name, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.add(name, 1, timeout=period + 1)
            count = 1
    if count > limit:
        return max(1, int((window + 1) * period - now))
    return None


class PostThrottleMiddleware:
    """Refuse page POSTs past the configured rates with 429 and a Chinese page (API paths excluded)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and not request.path.startswith("/api/"):
            wait = self.check(request)
            if wait is not None:
                return too_many(request, wait)
        return self.get_response(request)

    @staticmethod
    def check(request: HttpRequest) -> int | None:
        now = time.time()
        address = client_address(request) or "unknown"
        user: Any = getattr(request, "user", None)
        waits = []
        if user is not None and user.is_authenticated:
            rate = parse_rate(getattr(settings, "LINLI_POST_THROTTLE_USER", None))
            if rate:
                waits.append(_over(f"u{user.pk}", rate, now))
        else:
            rate = parse_rate(getattr(settings, "LINLI_POST_THROTTLE_ANON", None))
            if rate:
                waits.append(_over(f"a{address}", rate, now))
        rate = parse_rate(getattr(settings, "LINLI_POST_THROTTLE_IP", None))
        if rate:
            waits.append(_over(f"i{address}", rate, now))
        refused = [w for w in waits if w is not None]
        return max(refused) if refused else None


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    html = loader.get_template("429.html").render({"wait": wait}, request)
    response = HttpResponse(html, status=429, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(wait)
    return response

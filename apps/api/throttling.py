"""API rate limits (issue 14): too many requests answer 429 in the documented error shape.

Two limits, each a django-ninja :class:`~ninja.throttling.SimpleRateThrottle` (a sliding window kept
in the Django cache — Redis in production, so every gunicorn worker counts together):

- **per caller** (``LINLI_API_THROTTLE_USER``, default ``1200/m``): one bucket per API token
  (``Authorization: Bearer …``) and one per signed-in browser user;
- **per client address** (``LINLI_API_THROTTLE_IP``, default ``3000/m``): every authenticated API
  request from one address, whatever its token — several tokens from one machine, or an office's
  shared NAT address. The address is the one the login lockout uses (:func:`apps.core.lockout.client_address`:
  the right-most ``X-Forwarded-For`` entry behind Linli's own reverse proxy).

A rate is ``<count>/<s|m|h|d>`` (e.g. ``600/m``); ``off`` (or empty) switches that limit off. Rates are
read from the settings on every request, so a changed setting applies without a restart of the
throttle objects (tests change them with the ``settings`` fixture).

django-ninja checks throttles after authentication: a request without valid credentials is answered
401 before it is counted (bearer tokens are random 256-bit values; guessing them is not a rate
question, and the pages' login has its own lockout).
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from apps.api.models import hash_token
from apps.core.lockout import client_address


def _rate(name: str) -> str | None:
    value = getattr(settings, name, None)
    if value is None:
        return None
    text = str(value).strip().lower()
    return None if text in ("", "off", "none", "0") else text


class _SettingsRateThrottle(SimpleRateThrottle):
    """A sliding-window throttle whose rate is the setting ``setting`` at request time."""

    setting = ""

    def __init__(self) -> None:  # the rate is read per request, not at start-up
        self.rate = None
        self.num_requests, self.duration = None, None

    def allow_request(self, request: HttpRequest) -> bool:
        rate = _rate(self.setting)
        if rate is None:
            return True
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)


class CallerThrottle(_SettingsRateThrottle):
    """One bucket per API token, or per signed-in user of the browser session."""

    scope = "linli_caller"
    setting = "LINLI_API_THROTTLE_USER"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            ident = "t" + hash_token(header[7:].strip())[:32]
        else:
            user: Any = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return None
            ident = f"u{user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressThrottle(_SettingsRateThrottle):
    """One bucket per client address."""

    scope = "linli_address"
    setting = "LINLI_API_THROTTLE_IP"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        address = client_address(request)
        if not address:
            return None
        return self.cache_format % {"scope": self.scope, "ident": address}


THROTTLES: list[BaseThrottle] = [CallerThrottle(), AddressThrottle()]

"""Sign-in limits (issue 19 item 1): Django settings with these defaults, overridable per
deployment in ``linli/settings.py`` / the environment (``LINLI_OWNER_*``)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def code_ttl() -> dt.timedelta:
    return dt.timedelta(minutes=_int("LINLI_OWNER_CODE_TTL_MINUTES", 5))


def code_interval() -> dt.timedelta:
    """At most one code per phone in this interval."""
    return dt.timedelta(seconds=_int("LINLI_OWNER_CODE_INTERVAL_SECONDS", 60))


def codes_per_phone_hour() -> int:
    return _int("LINLI_OWNER_CODES_PER_PHONE_HOUR", 5)


def codes_per_ip_hour() -> int:
    return _int("LINLI_OWNER_CODES_PER_IP_HOUR", 20)


def wrong_codes_before_lockout() -> int:
    return _int("LINLI_OWNER_WRONG_CODES_LOCKOUT", 5)


def lockout() -> dt.timedelta:
    return dt.timedelta(minutes=_int("LINLI_OWNER_LOCKOUT_MINUTES", 30))


def max_text() -> int:
    return _int("LINLI_OWNER_MAX_TEXT", 1000)


def max_photos() -> int:
    return _int("LINLI_OWNER_MAX_PHOTOS", 4)


def token_ttl() -> dt.timedelta:
    """How long an owner API token stays valid (the mini-program signs in again after it)."""
    return dt.timedelta(days=_int("LINLI_OWNER_TOKEN_DAYS", 30))

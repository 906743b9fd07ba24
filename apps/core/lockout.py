"""Login lockout (issue 2 item 8): repeated failures lock a username and a client address.

- ``LINLI_LOGIN_MAX_FAILURES`` failures of one username within ``LINLI_LOGIN_LOCK_MINUTES`` lock
  that username for ``LINLI_LOGIN_LOCK_MINUTES`` from the last failure — whatever the address.
- ``LINLI_LOGIN_MAX_FAILURES_PER_ADDRESS`` failures from one address (any usernames: password
  spraying) within the same window lock the address the same way. It defaults to four times the
  per-username limit so that one office behind NAT is not locked by a single mistyping colleague.
- While locked, attempts are refused before the password is checked (and not counted).
- A successful login clears the username's failures; an administrator can clear a lock
  (:func:`unlock`, Django admin action).

Time comes from :mod:`linli.clock`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from apps.core.models import LoginAttempt
from linli import clock


@dataclass(frozen=True)
class Lock:
    until: dt.datetime  # aware, UTC
    by: str  # "username" | "address"


def max_failures() -> int:
    return max(1, int(getattr(settings, "LINLI_LOGIN_MAX_FAILURES", 5)))


def max_failures_per_address() -> int:
    value = getattr(settings, "LINLI_LOGIN_MAX_FAILURES_PER_ADDRESS", None)
    return max(1, int(value)) if value else 4 * max_failures()


def window() -> dt.timedelta:
    return dt.timedelta(minutes=max(1, int(getattr(settings, "LINLI_LOGIN_LOCK_MINUTES", 15))))


def normalise(username: str) -> str:
    return (username or "").strip().lower()[:150]


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the right-most ``X-Forwarded-For`` entry added by
    our own reverse proxy when ``LINLI_BEHIND_PROXY`` is on (never a client-supplied left entry)."""
    if request is None:
        return None
    if getattr(settings, "LINLI_BEHIND_PROXY", False):
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if forwarded:
            return forwarded[-1][:45]
    return (request.META.get("REMOTE_ADDR") or None) and request.META["REMOTE_ADDR"][:45]


def _lock_from(failures: list[dt.datetime], limit: int, now: dt.datetime) -> dt.datetime | None:
    """``failures`` newest first. Locked when the newest ``limit`` fall within one window and the
    window after the newest has not yet passed."""
    if len(failures) < limit:
        return None
    newest, oldest = failures[0], failures[limit - 1]
    if newest - oldest > window():
        return None
    until = newest + window()
    return until if until > now else None


def lock_for(username: str, address: str | None, *, now: dt.datetime | None = None) -> Lock | None:
    """The lock that applies to this username or address now, or None."""
    now = now or clock.now()
    since = now - 2 * window()
    user = normalise(username)
    locks: list[Lock] = []
    if user:
        times = list(LoginAttempt.objects.filter(username=user, succeeded=False, cleared=False, at__gte=since)
                     .order_by("-at").values_list("at", flat=True)[: max_failures()])
        until = _lock_from(times, max_failures(), now)
        if until:
            locks.append(Lock(until, "username"))
    if address:
        limit = max_failures_per_address()
        times = list(LoginAttempt.objects.filter(address=address, succeeded=False, cleared=False, at__gte=since)
                     .order_by("-at").values_list("at", flat=True)[:limit])
        until = _lock_from(times, limit, now)
        if until:
            locks.append(Lock(until, "address"))
    return max(locks, key=lambda lk: lk.until) if locks else None


def record_failure(username: str, address: str | None, *, screen: str = "login",
                   now: dt.datetime | None = None) -> Lock | None:
    """Write a failed attempt; returns the lock it triggered (if any)."""
    now = now or clock.now()
    LoginAttempt.objects.create(username=normalise(username), address=address, at=now, succeeded=False,
                                screen=screen)
    return lock_for(username, address, now=now)


@transaction.atomic
def record_success(username: str, address: str | None, *, screen: str = "login",
                   now: dt.datetime | None = None) -> None:
    """Write a successful attempt and clear the username's failures."""
    now = now or clock.now()
    user = normalise(username)
    LoginAttempt.objects.filter(username=user, succeeded=False, cleared=False).update(cleared=True)
    LoginAttempt.objects.create(username=user, address=address, at=now, succeeded=True, screen=screen)


def unlock(*, username: str | None = None, address: str | None = None) -> int:
    """Clear the failures of a username and/or an address (administrator's unlock)."""
    qs = LoginAttempt.objects.filter(succeeded=False, cleared=False)
    if username:
        qs = qs.filter(username=normalise(username))
    if address:
        qs = qs.filter(address=address)
    if not username and not address:
        return 0
    return qs.update(cleared=True)


def purge_older_than(days: int, *, now: dt.datetime | None = None) -> int:
    """Delete attempts older than ``days`` (retention; batched SQL through ``QuerySet.delete``)."""
    now = now or clock.now()
    deleted, _ = LoginAttempt.objects.filter(at__lt=now - dt.timedelta(days=days)).delete()
    return deleted

"""What ``/healthz`` checks: the database, the cache (Redis in production), the static-file manifest
and a recent beat heartbeat (a worker ran the ``core.heartbeat`` task beat sends every 30 s).

The embedded default has no worker or beat (periodic work runs from commands), so its heartbeat and
Redis checks are skipped. ``?scope=web`` leaves out the heartbeat: a load balancer deciding whether to
send requests to this web process need not know about the workers; monitoring asks the full check.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import connection

HEARTBEAT_KEY = "linli:beat-heartbeat"


def beat_heartbeat(*, now: dt.datetime) -> str:
    """Record that a worker ran a beat task now (kept 1 day; /healthz reads its age)."""
    stamp = now.astimezone(dt.UTC).isoformat()
    cache.set(HEARTBEAT_KEY, stamp, timeout=86400)
    return stamp


def workers_expected() -> bool:
    return bool(getattr(settings, "REDIS_URL", "")) and not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True)


def _database() -> dict[str, Any]:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _cache() -> dict[str, Any]:
    key = "linli:healthz-probe"
    cache.set(key, "1", timeout=30)
    ok = cache.get(key) == "1"
    return {"ok": ok, "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _static() -> dict[str, Any]:
    # with the manifest storage a missing staticfiles.json (collectstatic not run or failed) raises here,
    # as it would on every page
    staticfiles_storage.url("vendor/pico.min.css")
    return {"ok": True}


def _beat(now: dt.datetime) -> dict[str, Any]:
    max_age = int(getattr(settings, "LINLI_HEARTBEAT_MAX_AGE_SECONDS", 300))
    raw = cache.get(HEARTBEAT_KEY)
    if not raw:
        return {"ok": False, "error": "no heartbeat yet: is celery beat running, and a worker?", "max_age_seconds": max_age}
    last = dt.datetime.fromisoformat(str(raw))
    age = max(0, int((now - last).total_seconds()))
    result: dict[str, Any] = {"ok": age <= max_age, "last": last.isoformat(), "age_seconds": age,
                              "max_age_seconds": max_age}
    if not result["ok"]:
        result["error"] = "heartbeat is stale"
    return result


def run_checks(*, now: dt.datetime, scope: str = "all") -> dict[str, dict[str, Any]]:
    """Every check by name, each ``{"ok": bool, …}``; a check that raises is reported, never re-raised."""
    checks: dict[str, Any] = {"database": _database, "static": _static}
    if workers_expected():
        checks["cache"] = _cache
        if scope != "web":
            checks["beat"] = lambda: _beat(now)
    results: dict[str, dict[str, Any]] = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - a failed check is the answer, not a crash
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return results

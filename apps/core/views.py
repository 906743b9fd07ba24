"""Health check. (Sign-in pages are Django's own views, wired in ``urls.py``; the home page lives in
``apps.home``, the profile page with its API tokens in ``apps.api``.)"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from apps.core import health
from linli import clock


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """``{"ok": …, "checks": {"database": {"ok": …}, "cache": …, "static": …, "beat": …}}``; 503 when a
    check fails. Plain HTTP is answered too (``SECURE_REDIRECT_EXEMPT``): probes talk to the backend."""
    scope = "web" if request.GET.get("scope") == "web" else "all"
    results = health.run_checks(now=clock.now(), scope=scope)
    ok = all(r["ok"] for r in results.values())
    return JsonResponse({"ok": ok, "checks": results}, status=200 if ok else 503)

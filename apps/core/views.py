"""Health check. (Sign-in pages are Django's own views, wired in ``urls.py``; the home page lives in
``apps.home``, the profile page with its API tokens in ``apps.api``.)"""
from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})

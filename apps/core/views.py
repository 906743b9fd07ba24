"""Health check, the icons every browser asks for at fixed addresses, and the friendly 500 page.
(Sign-in pages are Django's own views, wired in ``urls.py``; the home page lives in
``apps.home``, the profile page with its API tokens in ``apps.api``.)"""
from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache

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


@cache_control(max_age=7 * 24 * 3600, public=True)
def favicon(request: HttpRequest) -> HttpResponseBase:
    """``/favicon.ico``: browsers ask for it at the root whatever the page links to."""
    path = finders.find("linli/icons/favicon.ico")
    if not path:
        raise Http404
    return FileResponse(open(path, "rb"), content_type="image/x-icon")


@cache_control(max_age=24 * 3600, public=True)
def web_manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: "add to home screen" on a phone shows Linli's name and icon."""
    icons = [{"src": static(f"linli/icons/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png"}
             for n in (192, 512)]
    body = {"name": _("邻里 · 物业客服"), "short_name": _("邻里"), "start_url": "/", "display": "standalone",
            "background_color": "#ffffff", "theme_color": "#168060", "icons": icons}
    return JsonResponse(body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


def server_error(request: HttpRequest) -> HttpResponse:
    """500: a page that says what to do, never a traceback. Rendered without context processors or the
    request (the database may be what failed)."""
    return HttpResponse(loader.get_template("500.html").render({}), status=500,
                        content_type="text/html; charset=utf-8")

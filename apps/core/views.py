"""Home page per role, profile, project switcher, health check."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.org import access
from apps.org.middleware import SESSION_KEY


@login_required
def home(request: HttpRequest) -> HttpResponse:
    project = getattr(request, "project", None)
    return render(request, "core/home.html", {"roles": sorted(access.roles_in(request.user, project))})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "core/profile.html", {})


@login_required
@require_POST
def switch_project(request: HttpRequest) -> HttpResponse:
    try:
        project_id = int(request.POST.get("project", ""))
    except ValueError:
        project_id = 0
    if access.visible_projects(request.user).filter(pk=project_id).exists():
        request.session[SESSION_KEY] = project_id
    nxt = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    return HttpResponseRedirect(nxt)


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})

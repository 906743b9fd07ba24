"""Home page per role, profile (roles, language, API tokens), project switcher, health check."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.api import services as tokens
from apps.core import dashboard
from apps.org import access
from apps.org.middleware import SESSION_KEY
from apps.org.models import Membership
from apps.org.roles import Role
from linli import clock

NEW_TOKEN_KEY = "linli_new_api_token"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    project = getattr(request, "project", None)
    roles = access.roles_in(request.user, project)
    return render(request, "core/home.html", {
        "role_names": [Role(r).label for r in sorted(roles)],
        "panels": dashboard.home_panels(request.user, project, now=clock.now()),
    })


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    memberships = (Membership.objects.filter(user=request.user)
                   .select_related("project", "department", "company").order_by("project__code", "role"))
    return render(request, "core/profile.html", {
        "memberships": memberships,
        "company_level": access.is_company_level(request.user),
        "tokens": tokens.active_tokens(request.user),
        "new_token": request.session.pop(NEW_TOKEN_KEY, None),
    })


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    try:
        token, raw = tokens.issue_token(request.user, name=request.POST.get("name", ""), now=clock.now())
    except tokens.TokenError as exc:
        messages.error(request, str(exc))
    else:
        request.session[NEW_TOKEN_KEY] = {"raw": raw, "name": token.name}
        messages.success(request, _("已创建令牌。请立即复制保存，离开本页后无法再次查看。"))
    return redirect(reverse("profile") + "#tokens")


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = tokens.revoke_token(request.user, pk, now=clock.now())
    except tokens.TokenError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已吊销令牌 %(prefix)s…") % {"prefix": token.prefix})
    return redirect(reverse("profile") + "#tokens")


@login_required
@require_POST
def switch_project(request: HttpRequest) -> HttpResponse:
    try:
        project_id = int(request.POST.get("project", ""))
    except ValueError:
        project_id = 0
    if access.visible_projects(request.user).filter(pk=project_id).exists():
        request.session[SESSION_KEY] = project_id
    else:
        messages.error(request, _("无法切换到该项目：项目不存在或您不是其成员。"))
    nxt = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        nxt = "/"
    return HttpResponseRedirect(nxt)


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})
